/* Audit: preempted validation and devalidation (PARTIAL tables) audit clean at every step. */
#include "audit_util.h"

/*
 * The partial state holds one general and one type ref and only a prefix of the entries holds
 * refs (XSA-299 lives there); the audit must count exactly that, not the whole table. An L4 whose
 * slot 0 points at dom1's L3 is pinned with every preemption check firing, completed, then unpinned
 * with every check firing again.
 */
TEST(audit_clean_partial)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    gfn_t g = AU_DATA_GFN + 6;
    mfn_t b = au_mfn(hv, 1, g), l3 = au_mfn(hv, 1, DOM_GFN_L3);
    /* the guest fills its page while it is still writable, then gives up the writable mapping */
    frame_ptes(hv, b)[0] = (l3 << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
    uint64_t ro = (b << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    TEST_EQ(0, mod_pt_entry(hv, &d->vcpu[0], au_l1_of(hv, 1, g), 1, au_l1_idx(g), ro, d, false,
                            false));

    hv->preempt_pattern = ~0ULL;
    TEST_EQ(-XEN_ERESTART, pt_pin(hv, d, b, 4, true));
    CU_ASSERT(hv->frames[b].flags & FRAME_PARTIAL);
    au_expect_clean(hv, "validation preempted");

    hv->preempt_pattern = 0;
    TEST_EQ(0, pt_pin(hv, d, b, 4, true));
    CU_ASSERT(hv->frames[b].flags & FRAME_VALIDATED);
    au_expect_clean(hv, "validation completed");

    hv->preempt_pattern = ~0ULL;
    TEST_EQ(-XEN_ERESTART, pt_unpin(hv, d, b, true));
    CU_ASSERT(hv->frames[b].flags & FRAME_PARTIAL);
    au_expect_clean(hv, "devalidation preempted");
    hv->preempt_pattern = 0;
    hv_destroy(hv);
}
