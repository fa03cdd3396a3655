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

static const struct au_incr_case incr_crashed_cases[] = {
    { "dom1 crashed", incr_crash, false, false },
    { "dom1 crashed, its l1 maps dom2's frame", incr_crash_foreign, true, true },
};

TEST(audit_incr_crashed)
{
    au_incr_cases(incr_crashed_cases, sizeof(incr_crashed_cases) / sizeof(incr_crashed_cases[0]),
                  INV_I5_ISOLATION, true);
}
