/* Audit GNTTAB: an active grant entry pinned with no maptrack entry behind it is reported. */
#include "audit_util.h"

/*
 * dom1's ref 7 claims one writable host pin by dom2, but no domain's maptrack records a mapping:
 * the pin can never be dropped by an unmap (the XSA-218/224 family of pin accounting bugs).
 */
TEST(audit_gnttab)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "gnttab before");
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);
    struct gnt_active *act = gnt_act_w(&hv->dom[1].gnt, 7);
    act->host_rw = 1;
    act->mapped_by = 2;
    act->mfn = m;
    au_expect_only(hv, INV_GNTTAB, m, 1, "gnttab pin without maptrack");
    hv_destroy(hv);
}
