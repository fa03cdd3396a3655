/*
 * The native target resolves grant and status frame args against the monitor's state when the op
 * runs: gntpte/statuspte map the domain's own grant-table and v2 status frames (as PV guests map
 * them), and a status frame named while the table is at version 1 is no frame at all (the
 * mmu_update fails instead of mapping some guessed machine frame).
 */
#include <stdlib.h>

#include "targets/native/native.h"
#include "test.h"

/* L1 slots 100 and 101 of dom1 (gfn 3 is its first L1) are empty after the build. */
static const char gnt_frames_text[] =
    "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:0000000000000000000000"
    "0000000000 fixup@0:8=maddr(d1,g3,+800) fixup@8:8=statuspte(d1,0,0x25)\n"
    "hypercall d1 v0 grant_table_op(8, payload+0, 1) payload=hex:02000000\n"
    "hypercall d1 v0 mmu_update(payload+0, 2, 0, DOMID_SELF) payload=hex:0000000000000000000000"
    "00000000000000000000000000000000000000000000 fixup@0:8=maddr(d1,g3,+800) "
    "fixup@8:8=statuspte(d1,0,0x25) fixup@16:8=maddr(d1,g3,+808) fixup@24:8=gntpte(d1,4,0x25)\n";

TEST(native_gnt_frames)
{
    struct prog *p = malloc(sizeof(*p));
    struct target t;
    struct op_result r = { 0 };   /* run_op fills r.out if it is set: it must be NULL */
    unsigned line = 0;

    CU_ASSERT_FATAL(p != NULL);
    TEST_EQ(PROG_OK, prog_parse_text(p, gnt_frames_text, &line));
    CU_ASSERT_FATAL(target_open(&t, target_find("native"), &p->shape, &target_default_opts) == 0);
    struct hv *hv = ((struct native *)t.priv)->hv;
    const struct domain *d = &hv->dom[1];
    const uint64_t *l1 = frame_ptes(hv, d->p2m[3]);

    t.ops->reset(&t);

    /* version 1: no status frame, so nothing to map */
    t.ops->run_op(&t, &p->ops[0], &r);
    CU_ASSERT(r.rc < 0);
    TEST_EQ(0, l1[100]);
    t.ops->run_op(&t, &p->ops[1], &r);
    TEST_EQ(0, r.rc);
    TEST_EQ(2, d->gnt.version);
    CU_ASSERT_FATAL(d->gnt.nr_status_frames >= 1 && d->gnt.nr_frames >= 1);
    t.ops->run_op(&t, &p->ops[2], &r);
    TEST_EQ(0, r.rc);
    TEST_EQ((d->gnt.status[0] << PAGE_SHIFT) | 0x25, l1[100]);
    /* index 4 wraps modulo the grant frames in use */
    TEST_EQ((d->gnt.frames[4 % d->gnt.nr_frames] << PAGE_SHIFT) | 0x25, l1[101]);
    target_close(&t);
    free(p);
}
