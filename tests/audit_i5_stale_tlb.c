/* Audit I5 (TLB freshness): a translation cached under an upper-level entry that is gone is reported. */
#include "audit_util.h"

/*
 * An L2..L4 update flushes the owner's TLBs (XSA-286), so no cached translation can outlive the
 * upper-level entry it was walked through; one that does lets the guest (and the monitor's own
 * accesses through its TLB) keep using tables it unhooked. Planted: a TLB entry for a VA whose
 * L2 entry was never present, naming the domain's own data frame (nothing else is wrong with it).
 */
TEST(audit_i5_stale_tlb)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i5 stale tlb before");
    mfn_t own = au_mfn(hv, 1, AU_DATA_GFN);
    gva_t unhooked = DOM_VA_BASE + (1ULL << 21);   /* L2 entry 1: not present in the builder's L2 */
    tlb_insert(&hv->dom[1].vcpu[0], unhooked, own, _PAGE_USER);
    au_expect_only(hv, INV_I5_ISOLATION, own, 1, "i5 tlb entry under an unhooked l2 entry");
    hv_destroy(hv);
}
