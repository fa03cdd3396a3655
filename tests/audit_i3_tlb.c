/* Audit I3 (TLB): a cached writable translation of a page-table frame is reported. */
#include "audit_util.h"

/*
 * A vCPU's TLB keeping a writable translation of a frame that is now a page table is the stale-TLB
 * class (XSA-241, XSA-401): the guest writes a validated table without any PTE saying so.
 */
TEST(audit_i3_tlb)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i3 tlb before");
    mfn_t l1 = au_mfn(hv, 1, DOM_GFN_L1);
    tlb_insert(&hv->dom[1].vcpu[0], DOM_VA(DOM_GFN_L1), l1, _PAGE_RW | _PAGE_USER);
    au_expect_only(hv, INV_I3_WRITABLE, l1, 1, "i3 writable tlb entry");
    hv_destroy(hv);
}
