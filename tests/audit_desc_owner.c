/* Audit I2: a descriptor page's validation belongs to its owner (the rule XSA-214's fix made). */
#include "audit_desc_util.h"

/*
 * A seg_desc page keeps VALIDATED at type count 0, and its next use trusts it; Xen's criteria
 * differ between 32- and 64-bit owners, so the validation must not survive an owner change.
 * The frame records whose rules validated it; a page whose record names another domain is what
 * steal_page without the type reset leaves (XSA-214). A type ref on an unvalidated descriptor page
 * is I2 too.
 */
TEST(audit_desc_owner)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    mfn_t m = au_desc_gdt(hv, 1, AU_DATA_GFN);
    if (m == MFN_INVALID)
        goto out;
    uint64_t none[6] = { 0, 0 };
    TEST_EQ(0, hv_hypercall(hv, &hv->dom[1].vcpu[0], HYPERVISOR_set_gdt, none));
    TEST_EQ(FRAME_VALIDATED, hv->frames[m].flags & FRAME_VALIDATED);
    au_expect_clean(hv, "gdt released, page still validated");

    hv->frames[m].seg_dom = 2;
    au_expect_only(hv, INV_I2_TYPE, m, 1, "validated for another domain");
    hv->frames[m].seg_dom = 1;

    hv->frames[m].type_count = 1;
    hv->frames[m].flags &= (uint8_t)~FRAME_VALIDATED;
    au_expect_only(hv, INV_I2_TYPE, m, 1, "type ref on an unvalidated descriptor page");
out:
    hv_destroy(hv);
}
