/* Audit I5 (TLB): a cached translation of another domain's frame is reported. */
#include "audit_util.h"

/*
 * A stale TLB entry that outlived a grant unmap (or a frame's change of owner without the
 * allocation flush) lets dom1 keep reading dom2's memory.
 */
TEST(audit_i5_tlb)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i5 tlb before");
    mfn_t victim = au_mfn(hv, 2, AU_DATA_GFN);
    tlb_insert(&hv->dom[1].vcpu[1], DOM_VA(AU_DATA_GFN), victim, _PAGE_USER);
    au_expect_only(hv, INV_I5_ISOLATION, victim, 1, "i5 foreign tlb entry");
    hv_destroy(hv);
}
