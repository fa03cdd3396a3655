/* Audit I1: a general reference lost (a put without its get) is reported on that frame. */
#include "audit_util.h"

/*
 * A data frame of dom1 holds two general refs: its allocation and the builder's L1 entry. Dropping
 * one by hand is what a double put_page does (the XSA-224 class); the audit must name the frame
 * and count 2 expected, 1 actual.
 */
TEST(audit_i1_count)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i1 before");
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);
    hv->frames[m].count--;
    au_expect_only(hv, INV_I1_COUNT, m, 1, "i1 count");
    hv_destroy(hv);
}
