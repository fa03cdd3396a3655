/* The incremental audit sees frames whose owner vanished although the frames themselves did not change. */
#include "audit_util.h"

/*
 * A domain that stops existing while it still owns frames leaves those frames untouched: no write
 * marks them, so only the snapshot's page lists lead the incremental audit to them. au_audit
 * compares its verdict with the full audit's (which reports I6 "owner domain exists").
 */
TEST(audit_incr_gone_owner)
{
    struct audit_report r;
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "gone owner before");
    hv->dom[2].exists = false;
    unsigned total = au_audit(hv, &r, "gone owner");
    CU_ASSERT(total > 0);
    CU_ASSERT(audit_has(&r, INV_I6_OWNER));
    hv->dom[2].exists = true;
    hv_destroy(hv);
}
