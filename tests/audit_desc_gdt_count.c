/* Audit I2 and VCPU: a GDT frame's seg_desc type count is recomputed from the vCPUs that hold it. */
#include "audit_desc_util.h"

/*
 * set_gdt gives each frame one general and one type ref. A type ref too many (a set_gdt that
 * counted twice) is I2 on the frame; a GDT naming a frame that is not a descriptor page (the
 * type was changed under the GDT) is VCPU; releasing the GDT leaves the machine clean.
 */
TEST(audit_desc_gdt_count)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    mfn_t m = au_desc_gdt(hv, 1, AU_DATA_GFN);
    if (m == MFN_INVALID)
        goto out;
    TEST_EQ(PGT_seg_desc, hv->frames[m].type);
    TEST_EQ(1, hv->frames[m].type_count);
    au_expect_clean(hv, "gdt installed");

    hv->frames[m].type_count++;
    au_expect_only(hv, INV_I2_TYPE, m, 1, "gdt type count one too many");
    hv->frames[m].type_count--;

    hv->frames[m].type = PGT_writable;
    struct audit_report r;
    au_audit(hv, &r, "gdt frame retyped");
    CU_ASSERT(audit_has(&r, INV_VCPU));
    hv->frames[m].type = PGT_seg_desc;

    uint64_t none[6] = { 0, 0 };
    TEST_EQ(0, hv_hypercall(hv, &hv->dom[1].vcpu[0], HYPERVISOR_set_gdt, none));
    TEST_EQ(0, hv->frames[m].type_count);
    au_expect_clean(hv, "gdt released");
out:
    hv_destroy(hv);
}
