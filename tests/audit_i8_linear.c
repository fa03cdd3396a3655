/* Audit I8: a linear page-table chain of depth 2 (XSA-240) is reported on the middle table. */
#include "audit_util.h"

/* Turn data page gfn of dom1 into a pinned, validated, empty L4 through the monitor's own calls. */
static mfn_t i8_make_l4(struct hv *hv, gfn_t gfn)
{
    struct domain *d = &hv->dom[1];
    mfn_t m = au_mfn(hv, 1, gfn);
    uint64_t ro = (m << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    TEST_EQ(0, mod_pt_entry(hv, &d->vcpu[0], au_l1_of(hv, 1, gfn), 1, au_l1_idx(gfn), ro, d,
                            false, false));
    TEST_EQ(0, pt_pin(hv, d, m, 4, false));
    return m;
}

/*
 * A -> B is a legal linear entry made by mod_pt_entry. B -> C is planted by hand with the refs and
 * the linear counts a monitor without the depth check would take: every count agrees, but B is
 * both used linearly and contains a linear entry, which unbounded recursion feeds on.
 */
TEST(audit_i8_linear)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    mfn_t a = au_mfn(hv, 1, DOM_GFN_L4);
    mfn_t b = i8_make_l4(hv, AU_DATA_GFN + 1);
    mfn_t c = i8_make_l4(hv, AU_DATA_GFN + 2);
    TEST_EQ(0, mod_pt_entry(hv, &d->vcpu[0], a, 4, 10, (b << PAGE_SHIFT) | _PAGE_PRESENT, d,
                            false, false));
    au_expect_clean(hv, "i8 depth 1");

    frame_ptes(hv, b)[10] = (c << PAGE_SHIFT) | _PAGE_PRESENT;
    hv->frames[c].count++;
    hv->frames[c].type_count++;
    hv->frames[c].linear_pt_count++;
    hv->frames[b].linear_pt_count--;
    au_expect_only(hv, INV_I8_LINEAR, b, 1, "i8 depth 2");
    hv_destroy(hv);
}
