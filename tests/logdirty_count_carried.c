/* Log-dirty's dirty_count: the bitmap's marks, plus those a disable carries to the next clean. */
#include "audit_util.h"

/*
 * As Xen's dirty_count, which only a clean resets: a pfn marked twice counts once, a disable and
 * an enable keep what was counted (the bitmap goes, the count stays), a clean zeroes it.
 */
TEST(logdirty_count_carried)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    uint64_t tag = 0x5A5A5A5A5A5A5A5AULL;

    logdirty_enable(hv, d);
    TEST_EQ(0, logdirty_dirty_count(d));
    TEST_EQ(0, guest_write(hv, &d->vcpu[0], DOM_VA(AU_DATA_GFN), &tag, sizeof(tag), NULL));
    TEST_EQ(0, guest_write(hv, &d->vcpu[0], DOM_VA(AU_DATA_GFN) + 8, &tag, sizeof(tag), NULL));
    TEST_EQ(1, logdirty_dirty_count(d));
    logdirty_disable(hv, d);
    TEST_EQ(1, logdirty_dirty_count(d));
    logdirty_enable(hv, d);
    TEST_EQ(0, guest_write(hv, &d->vcpu[0], DOM_VA(AU_DATA_GFN), &tag, sizeof(tag), NULL));
    TEST_EQ(2, logdirty_dirty_count(d));
    logdirty_clean(hv, d);
    TEST_EQ(0, logdirty_dirty_count(d));
    hv_destroy(hv);
}
