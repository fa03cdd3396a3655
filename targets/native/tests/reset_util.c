/* Helpers for the native reset tests: two machines compared byte for byte. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "targets/native/native.h"
#include "targets/native/tests/reset_util.h"
#include "test.h"

/* A domain with its separately allocated tables (whose addresses differ between machines)
   compared by contents. */
static unsigned reset_dom_diffs(const struct domain *a, const struct domain *b, unsigned id)
{
    static struct domain x, y;
    unsigned bad = 0;

    if (memcmp(a->gnt.active, b->gnt.active, GNT_MAX_REFS * sizeof(*a->gnt.active)) ||
        memcmp(a->gnt.maptrack, b->gnt.maptrack, GNT_MAX_MAPTRACK * sizeof(*a->gnt.maptrack)) ||
        memcmp(a->evtchn, b->evtchn, EVTCHN_MAX_PORTS * sizeof(*a->evtchn)) ||
        memcmp(a->cmos.ram, b->cmos.ram, CMOS_SIZE))
        bad++, fprintf(stderr, "reset: tables of domain %u differ\n", id);
    memcpy(&x, a, sizeof(x));
    memcpy(&y, b, sizeof(y));
    x.gnt.active = y.gnt.active = NULL;
    x.gnt.maptrack = y.gnt.maptrack = NULL;
    x.evtchn = y.evtchn = NULL;
    x.cmos.ram = y.cmos.ram = NULL;
    if (memcmp(&x, &y, sizeof(x)))
        bad++, fprintf(stderr, "reset: domain %u differs\n", id);
    return bad;
}

unsigned reset_diffs(const struct hv *a, const struct hv *b)
{
    size_t nf = a->nr_frames;
    unsigned bad = 0;

    if (memcmp(a->frames, b->frames, nf * sizeof(*a->frames)))
        bad++, fprintf(stderr, "reset: frame table differs\n");
    if (memcmp(a->m2p, b->m2p, nf * sizeof(*a->m2p)))
        bad++, fprintf(stderr, "reset: m2p differs\n");
    for (size_t m = 0; m < nf; m++)
        if (memcmp(a->mem + m * PAGE_SIZE, b->mem + m * PAGE_SIZE, PAGE_SIZE))
            bad++, fprintf(stderr, "reset: memory of mfn 0x%zx differs\n", m);
    for (unsigned d = 0; d < HV_MAX_DOMAINS; d++)
        bad += reset_dom_diffs(&a->dom[d], &b->dom[d], d);
    /* everything from the free list to the BUG() latch but the domains: scalars, console */
    size_t lo = offsetof(struct hv, free), hi = offsetof(struct hv, dom);
    if (memcmp((const char *)a + lo, (const char *)b + lo, hi - lo))
        bad++, fprintf(stderr, "reset: struct hv scalars differ\n");
    lo = offsetof(struct hv, tlbclock), hi = offsetof(struct hv, dirty);
    if (memcmp((const char *)a + lo, (const char *)b + lo, hi - lo))
        bad++, fprintf(stderr, "reset: struct hv scalars or console differ\n");
    return bad;
}

/* Frames marked written with only some of their chunks. */
static unsigned reset_partial_frames(const struct native *n)
{
    unsigned partial = 0;

    for (uint32_t w = 0; w < n->dirty_words; w++)
        for (uint64_t bits = n->dirty[w]; bits; bits &= bits - 1U) {
            uint16_t mask = n->dchunk[w * 64U + (uint32_t)__builtin_ctzll(bits)];
            partial += mask != 0 && mask != FRAME_CHUNKS_ALL;
        }
    return partial;
}

void reset_rows_check(const struct reset_row *rows, size_t n, bool want_partial)
{
    struct target run, fresh;

    CU_ASSERT_FATAL(target_open(&run, &native_target_ops, &prog_default_shape, NULL) == 0);
    CU_ASSERT_FATAL(target_open(&fresh, &native_target_ops, &prog_default_shape, NULL) == 0);
    struct native *nat = run.priv;
    struct hv *hv = nat->hv, *ref = ((struct native *)fresh.priv)->hv;
    for (size_t i = 0; i < n; i++) {
        rows[i].write(hv);
        unsigned changed = reset_diffs(hv, ref);
        unsigned partial = reset_partial_frames(nat);
        CU_ASSERT(run.ops->reset(&run) == 0);
        fprintf(stderr, "%s: changed %u part(s), %u frame(s) partly marked; after reset expected "
                "0 differences\n", rows[i].name, changed, partial);
        CU_ASSERT(changed > 0);
        if (want_partial)
            CU_ASSERT(partial > 0);
        TEST_EQ(0, reset_diffs(hv, ref));
    }
    target_close(&run);
    target_close(&fresh);
}
