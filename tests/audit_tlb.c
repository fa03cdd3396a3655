/* Audit TLB: a TLB entry outside its direct-mapped slot and a vCPU flush time ahead of the clock are reported. */
#include "audit_util.h"

/*
 * The TLB model is direct-mapped, so lookups only ever see the slot of a VA's page: an entry
 * elsewhere is a translation the lookup misses and no flush of that VA removes (tlb_flush_va looks
 * in the slot only). A flush time ahead of the clock makes tlb_flush_filtered skip a vCPU that
 * still caches a freed frame. Both planted on dom1's vCPU 0.
 */
TEST(audit_tlb)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v = &hv->dom[1].vcpu[0];
    gva_t va = DOM_VA(AU_DATA_GFN);
    mfn_t own = au_mfn(hv, 1, AU_DATA_GFN);
    uint64_t x;
    TEST_EQ(0, guest_read(hv, v, va, &x, sizeof(x), NULL));
    au_expect_clean(hv, "tlb before");
    unsigned slot = (unsigned)((va >> PAGE_SHIFT) % HV_TLB_ENTRIES);
    unsigned other = (slot + 1U) % HV_TLB_ENTRIES;
    v->tlb[other] = v->tlb[slot];
    v->tlb[slot].valid = false;
    au_expect_only(hv, INV_TLB, own, 1, "tlb entry in another slot");
    v->tlb[slot] = v->tlb[other];
    v->tlb[other].valid = false;
    au_expect_clean(hv, "tlb entry back");

    v->tlb_flush_time = hv->tlbclock + 1U;
    au_expect_only(hv, INV_TLB, MFN_INVALID, 1, "vcpu flush time ahead of the clock");
    hv_destroy(hv);
}
