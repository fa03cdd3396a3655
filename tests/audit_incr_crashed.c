/* Incremental audit, a domain that crashed since the snapshot: its unchanged tables are not redone, its changed entries still are. */
#include "audit_util.h"

/*
 * A crash (unlike the start of dying) changes nothing a page-table entry's checks read: the
 * isolation rule exempts dying and privileged domains only, and the grant books, whose checks
 * do depend on crashes, are audited whole. So the incremental audit redoes a crashed domain's
 * entries only where they changed. Planted on dom1 after the snapshot: the crash alone (clean
 * for both audits), and the crash with an L1 entry of dom1 now mapping dom2's frame, its counts
 * kept (I5 for both).
 */

static void incr_crash(struct hv *hv)
{
    hv->dom[1].crashed = true;
    hv->dom[1].shutdown = true;
    hv->dom[1].shutdown_reason = SHUTDOWN_crash;
}

static void incr_crash_foreign(struct hv *hv)
{
    mfn_t victim = au_mfn(hv, 2, AU_DATA_GFN);
    incr_crash(hv);
    frame_ptes(hv, au_l1_of(hv, 1, 0))[AU_FREE_SLOT] = (victim << PAGE_SHIFT) | _PAGE_PRESENT |
                                                       _PAGE_RW | _PAGE_USER;
    hv->frames[victim].count++;
    hv->frames[victim].type_count++;
}

static const struct {
    const char *name;
    void (*plant)(struct hv *hv);
    bool i5;   /* the full audit reports I5 (and is clean otherwise) */
} incr_crashed_cases[] = {
    { "dom1 crashed", incr_crash, false },
    { "dom1 crashed, its l1 maps dom2's frame", incr_crash_foreign, true },
};

TEST(audit_incr_crashed)
{
    for (unsigned i = 0; i < sizeof(incr_crashed_cases) / sizeof(incr_crashed_cases[0]); i++) {
        struct hv *hv = au_machine();
        if (!hv)
            return;
        struct audit_report full, incr;
        incr_crashed_cases[i].plant(hv);
        unsigned total = au_audit(hv, &full, incr_crashed_cases[i].name);
        long itotal = au_audit_incr(hv, &incr);
        bool fi = audit_has(&full, INV_I5_ISOLATION);
        bool ii = itotal > 0 && audit_has(&incr, INV_I5_ISOLATION);
        fprintf(stderr, "%s: I5 expected %s (full: %u violations), actual %s (incremental: %ld)\n",
                incr_crashed_cases[i].name, incr_crashed_cases[i].i5 ? "yes" : "no", total,
                ii ? "yes" : "no", itotal);
        TEST_EQ(incr_crashed_cases[i].i5, fi);
        TEST_EQ(incr_crashed_cases[i].i5, ii);
        TEST_EQ(incr_crashed_cases[i].i5 ? 1U : 0U, total);
        hv_destroy(hv);
    }
}
