/* Audit I9: data in a free frame that is not marked need_scrub is reported. */
#include "audit_util.h"

/*
 * frame_alloc zeroes only frames marked need_scrub, so a free unmarked frame must already be zero;
 * garbage there (a stale write after the free, or a free path that forgot the mark) would reach
 * the next owner.
 */
TEST(audit_i9_garbage)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i9 garbage before");
    mfn_t m = au_never_used_frame(hv);
    CU_ASSERT_FATAL(m != MFN_INVALID);
    frame_mem(hv, m)[100] = 0xA5;
    frame_mem(hv, m)[4095] = 0x5A;
    au_expect_only(hv, INV_I9_SCRUB, m, DOMID_INVALID, "i9 garbage in free frame");
    hv_destroy(hv);
}
