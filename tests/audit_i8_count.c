/* Audit I8: a linear_pt_count out of step with the linear entries that exist is reported. */
#include "audit_util.h"

/*
 * dom1's L4 gets a linear entry to a second pinned L4 through mod_pt_entry; then the target's
 * linear_pt_count is cleared, as an unaccounted drop would leave it. The depth check of the next
 * linear entry would then trust a wrong count.
 */
TEST(audit_i8_count)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    gfn_t gfn = AU_DATA_GFN + 3;
    mfn_t a = au_mfn(hv, 1, DOM_GFN_L4), b = au_mfn(hv, 1, gfn);
    uint64_t ro = (b << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    TEST_EQ(0, mod_pt_entry(hv, &d->vcpu[0], au_l1_of(hv, 1, gfn), 1, au_l1_idx(gfn), ro, d,
                            false, false));
    TEST_EQ(0, pt_pin(hv, d, b, 4, false));
    TEST_EQ(0, mod_pt_entry(hv, &d->vcpu[0], a, 4, 12, (b << PAGE_SHIFT) | _PAGE_PRESENT, d,
                            false, false));
    TEST_EQ(1, hv->frames[b].linear_pt_count);
    au_expect_clean(hv, "i8 count before");

    hv->frames[b].linear_pt_count = 0;
    au_expect_only(hv, INV_I8_LINEAR, b, 1, "i8 linear_pt_count");
    hv_destroy(hv);
}
