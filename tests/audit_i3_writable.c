/* Audit I3: an L1 entry that maps a page-table frame writable is reported on that frame. */
#include "audit_util.h"

/*
 * The builder maps dom1's own L2 read-only. Setting RW on that L1 entry by hand is the end state
 * of a fast-path bug (XSA-148/182 class): the guest could then rewrite its validated L2.
 */
TEST(audit_i3_writable)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i3 before");
    mfn_t l2 = au_mfn(hv, 1, DOM_GFN_L2);
    mfn_t l1 = au_l1_of(hv, 1, DOM_GFN_L2);
    frame_ptes(hv, l1)[au_l1_idx(DOM_GFN_L2)] |= _PAGE_RW;
    au_expect_only(hv, INV_I3_WRITABLE, l2, 1, "i3 writable l1 entry");
    hv_destroy(hv);
}
