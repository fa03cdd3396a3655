/* Audit LOGDIRTY: a write to a logged domain's frame that bypasses the mark is reported. */
#include "audit_util.h"

/*
 * Log-dirty mode on dom1; a guest store (marked by frame_mem_w) leaves the audit clean; bytes
 * written past the accessor into another data page (what a hypervisor write that forgets
 * paging_mark_dirty does) are reported against that frame, and by the clean that erases the
 * bitmap (it keeps the pfn); a clean takes a new baseline; a p2m change without a write is
 * marked too.
 */
TEST(audit_logdirty)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    logdirty_enable(hv, d);
    au_expect_clean(hv, "logdirty enabled");

    uint64_t tag = 0x1122334455667788ULL;
    TEST_EQ(0, guest_write(hv, &d->vcpu[0], DOM_VA(AU_DATA_GFN), &tag, sizeof(tag), NULL));
    TEST_EQ(1, (d->ld_bitmap[AU_DATA_GFN / 64U] >> (AU_DATA_GFN % 64U)) & 1U);
    au_expect_clean(hv, "marked guest store");

    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN + 1);
    frame_mem(hv, m)[100] ^= 0xFF;
    au_expect_only(hv, INV_LOGDIRTY, m, 1, "unmarked write");

    /* the clean keeps the evidence it erases */
    logdirty_clean(hv, d);
    TEST_EQ(0, d->ld_bitmap[AU_DATA_GFN / 64U]);
    TEST_EQ(AU_DATA_GFN + 2, d->ld_missed);
    au_expect_only(hv, INV_LOGDIRTY, MFN_INVALID, 1, "kept by the clean");
    d->ld_missed = 0;
    au_expect_clean(hv, "after clean");

    /* the pfn moves to another frame of the domain (the model's writes all go through p2m_set) */
    p2m_set(d, AU_DATA_GFN + 2, au_mfn(hv, 1, AU_DATA_GFN + 2));
    TEST_EQ(1, (d->ld_bitmap[(AU_DATA_GFN + 2) / 64U] >> ((AU_DATA_GFN + 2) % 64U)) & 1U);

    logdirty_disable(hv, d);
    frame_mem(hv, m)[100] ^= 0xFF;
    au_expect_clean(hv, "mode off");
    hv_destroy(hv);
}
