/* Audit I9: an allocated frame still marked need_scrub is reported. */
#include "audit_util.h"

/* A frame handed out without its scrub keeps the previous owner's data: the mark must be gone. */
TEST(audit_i9_scrub)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i9 before");
    mfn_t m = au_mfn(hv, 2, AU_DATA_GFN + 2);
    hv->frames[m].flags |= FRAME_NEED_SCRUB;
    au_expect_only(hv, INV_I9_SCRUB, m, 2, "i9 need_scrub on allocated frame");
    hv_destroy(hv);
}
