/* Audit VCPU: a vCPU's LDT and GDT stay within the bounds MMUEXT_SET_LDT and set_gdt enforce. */
#include "audit_desc_util.h"

/*
 * SET_LDT refuses more than 8192 entries and a base that is misaligned, non-canonical or in Xen's
 * range; set_gdt refuses more entries than the pages below Xen's reserved GDT page hold. Each
 * planted value is what a missing check would store.
 */
TEST(audit_desc_ldt)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v = &hv->dom[1].vcpu[0];
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT, .arg1 = 0x40000000, .arg2 = 16 };
    TEST_EQ(0, guest_write(hv, v, DOM_VA(AU_DATA_GFN), &op, sizeof(op), NULL));
    uint64_t a[6] = { DOM_VA(AU_DATA_GFN), 1, 0, DOMID_SELF };
    TEST_EQ(0, hv_hypercall(hv, v, HYPERVISOR_mmuext_op, a));
    TEST_EQ(16, v->ldt_ents);
    au_expect_clean(hv, "ldt set");

    const struct { uint64_t base; uint32_t ents; } bad[] = {
        { 0x40000000, LDT_MAX_ENTRIES + 1 }, { 0x40000800, 1 }, { XEN_VIRT_START, 1 },
        { 0x0000800000000000ULL, 1 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v->ldt_base = bad[i].base;
        v->ldt_ents = bad[i].ents;
        au_expect_only(hv, INV_VCPU, MFN_INVALID, 1, "ldt out of bounds");
    }
    v->ldt_ents = 0;
    v->gdt_ents = FIRST_RESERVED_GDT_ENTRY + 1;
    au_expect_only(hv, INV_VCPU, MFN_INVALID, 1, "gdt entries out of bounds");
    v->gdt_ents = 0;
    hv_destroy(hv);
}
