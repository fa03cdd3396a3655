/* Audit I5: an L1 entry of dom1 mapping dom2's frame without a grant is reported. */
#include "audit_util.h"

/*
 * The counts are kept consistent, as a get_page that checked the wrong owner would keep them: the
 * only thing wrong is isolation, so only I5 may fire, naming dom2's frame and dom1.
 */
TEST(audit_i5_isolation)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i5 before");
    mfn_t victim = au_mfn(hv, 2, AU_DATA_GFN);
    mfn_t l1 = au_l1_of(hv, 1, 0);
    frame_ptes(hv, l1)[AU_FREE_SLOT] = (victim << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
                                       _PAGE_USER;
    hv->frames[victim].count++;
    hv->frames[victim].type_count++;
    au_expect_only(hv, INV_I5_ISOLATION, victim, 1, "i5 foreign l1 entry");
    hv_destroy(hv);
}
