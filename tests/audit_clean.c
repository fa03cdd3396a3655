/* Audit: a freshly built three-domain machine audits clean, and stays clean through ordinary MMU work. */
#include "audit_util.h"

/*
 * The oracle is only useful if it is silent on correct states: after the builder, after making a
 * data page an L1 and hooking it into the L2, after mapping through it, after a guest access (which
 * fills the TLB), a self-referencing L4 entry, and after tearing the new L1 down again.
 */
TEST(audit_clean)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "fresh machine");

    struct domain *d = &hv->dom[1];
    struct vcpu *v = &d->vcpu[0];
    gfn_t tg = AU_DATA_GFN + 4, dg = AU_DATA_GFN + 5;
    mfn_t l1n = au_mfn(hv, 1, tg), data = au_mfn(hv, 1, dg);
    mfn_t l2 = au_mfn(hv, 1, DOM_GFN_L2), l4 = au_mfn(hv, 1, DOM_GFN_L4);
    uint64_t ro = (l1n << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    uint64_t up = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;

    TEST_EQ(0, mod_pt_entry(hv, v, au_l1_of(hv, 1, tg), 1, au_l1_idx(tg), ro, d, false, false));
    au_expect_clean(hv, "data page remapped read-only");
    TEST_EQ(0, pt_pin(hv, d, l1n, 1, false));
    au_expect_clean(hv, "new L1 pinned");
    unsigned l2i = (unsigned)((DOM_VA_BASE >> 21) & 511U) + 1;
    TEST_EQ(0, mod_pt_entry(hv, v, l2, 2, l2i, (l1n << PAGE_SHIFT) | up, d, false, false));
    TEST_EQ(0, mod_pt_entry(hv, v, l1n, 1, 7, (data << PAGE_SHIFT) | up, d, false, false));
    au_expect_clean(hv, "new L1 hooked in and used");

    uint32_t word = 0x12345678;
    gva_t va = DOM_VA_BASE + (1ULL << 21) + 7 * PAGE_SIZE;
    TEST_EQ(0, guest_write(hv, v, va, &word, sizeof(word), NULL));
    TEST_EQ(0x78, frame_mem(hv, data)[0]);
    TEST_EQ(0, guest_write(hv, v, DOM_VA(dg) + 8, &word, sizeof(word), NULL));
    au_expect_clean(hv, "after guest writes");

    TEST_EQ(0, mod_pt_entry(hv, v, l4, 4, 5, (l4 << PAGE_SHIFT) | _PAGE_PRESENT, d, false, false));
    au_expect_clean(hv, "self-referencing L4 entry");

    TEST_EQ(0, mod_pt_entry(hv, v, l2, 2, l2i, 0, d, false, false));
    TEST_EQ(0, pt_unpin(hv, d, l1n, false));
    au_expect_clean(hv, "new L1 unhooked and unpinned");
    hv_destroy(hv);
}
