/* Audit I9 with write tracking on: a write into a free frame is still found, via the dirty bit. */
#include <stdlib.h>
#include "audit_util.h"

/*
 * With hv->dirty present the audit reads only free frames written since tracking began (the fast
 * path the fuzz loop uses). The write accessor marks the frame, so a stray write to a free frame
 * (a stale mapping, a free path that forgot NEED_SCRUB) must still be reported.
 */
TEST(audit_i9_tracked)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    uint64_t *dirty = calloc((hv->nr_frames + 63U) / 64U, sizeof(*dirty));
    CU_ASSERT_PTR_NOT_NULL_FATAL(dirty);
    hv->dirty = dirty;
    au_expect_clean(hv, "i9 tracked before");
    mfn_t m = au_never_used_frame(hv);
    CU_ASSERT_FATAL(m != MFN_INVALID);
    frame_mem_w(hv, m)[2048] = 0x77;
    TEST_EQ(1, (dirty[m / 64U] >> (m % 64U)) & 1U);
    au_expect_only(hv, INV_I9_SCRUB, m, DOMID_INVALID, "i9 tracked write to free frame");
    hv->dirty = NULL;
    free(dirty);
    hv_destroy(hv);
}
