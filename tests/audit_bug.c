/* Audit BUG: a monitor BUG() is reported by the audit. */
#include "audit_util.h"

/* The BUG() latch is how the monitor says it reached an escape-enabling state; the audit relays it. */
TEST(audit_bug)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "bug before");
    hv_bug(hv, "planted by audit_bug");
    au_expect_only(hv, INV_BUG, MFN_INVALID, DOMID_INVALID, "bug latch");
    hv_destroy(hv);
}
