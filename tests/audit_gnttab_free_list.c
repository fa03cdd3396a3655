/* Audit GNTTAB: a maptrack handle on the free list twice (XSA-218's double put) is reported. */
#include "audit_util.h"

/*
 * A handle released twice stays on dom2's free list for good and is handed out to mapping after
 * mapping; the audit reports the list's defect as soon as it exists, before any mapping is lost.
 */
TEST(audit_gnttab_free_list)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "free list before");
    hv->dom[2].gnt.maptrack_dup = 3 + 1;
    au_expect_only(hv, INV_GNTTAB, MFN_INVALID, 2, "maptrack handle on the free list twice");
    hv_destroy(hv);
}
