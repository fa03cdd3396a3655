/*
 * The native target's reset is exact: after random programs, reset gives the machine a fresh
 * build gives, byte for byte (frame table, every frame's memory, m2p, domains, the rest of struct
 * hv). Reset copies only what it believes can have changed, so a write site that does not mark
 * its frame dirty, or a domain part past the high-water marks, shows up here.
 */
#include <stddef.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "targets/native/native.h"
#include "test.h"

/* A domain with its separately allocated tables (whose addresses differ between machines)
   compared by contents. */
static unsigned native_dom_diffs(const struct domain *a, const struct domain *b, unsigned id)
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

static unsigned native_exact_diffs(const struct hv *a, const struct hv *b)
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
        bad += native_dom_diffs(&a->dom[d], &b->dom[d], d);
    /* everything from the free list to the BUG() latch but the domains: scalars, console */
    size_t lo = offsetof(struct hv, free), hi = offsetof(struct hv, dom);
    if (memcmp((const char *)a + lo, (const char *)b + lo, hi - lo))
        bad++, fprintf(stderr, "reset: struct hv scalars differ\n");
    lo = offsetof(struct hv, tlbclock), hi = offsetof(struct hv, dirty);
    if (memcmp((const char *)a + lo, (const char *)b + lo, hi - lo))
        bad++, fprintf(stderr, "reset: struct hv scalars or console differ\n");
    return bad;
}

TEST(native_reset_exact)
{
    static struct prog p;
    static struct op_result res[PROG_MAX_OPS];
    struct target run, fresh;
    struct gen g;
    uint8_t bytes[512];
    unsigned ok_calls = 0, bad = 0;

    CU_ASSERT_FATAL(target_open(&run, &native_target_ops, &prog_default_shape, NULL) == 0);
    CU_ASSERT_FATAL(target_open(&fresh, &native_target_ops, &prog_default_shape, NULL) == 0);
    gen_init(&g, &gen_default_cfg, 0x5eed);
    /* the structured generator for meaningful programs, fuzz bytes for odd ones */
    for (unsigned k = 0; k < 3000 && !bad; k++) {
        if (k % 4 == 3) {
            for (size_t i = 0; i < sizeof(bytes); i++)
                bytes[i] = (uint8_t)gen_rand(&g);
            prog_from_fuzz(&p, bytes, sizeof(bytes));
            p.shape = prog_default_shape;
        } else {
            gen_program(&g, &p);
        }
        struct finding f;
        target_run(&run, &p, res, &f);
        for (uint32_t i = 0; i < p.nr_ops; i++)
            ok_calls += p.ops[i].kind == OP_HYPERCALL && res[i].status == OPS_RAN && res[i].rc == 0;
        CU_ASSERT(run.ops->reset(&run) == 0);
        struct native *a = run.priv, *b = fresh.priv;
        bad = native_exact_diffs(a->hv, b->hv);
        if (bad)
            fprintf(stderr, "reset: inexact after program %u\n", k);
        TEST_EQ(0, bad);
    }
    /* the programs must have done something for the comparison to mean anything */
    fprintf(stderr, "native_reset_exact: %u successful hypercalls\n", ok_calls);
    CU_ASSERT(ok_calls > 100);
    target_close(&run);
    target_close(&fresh);
}
