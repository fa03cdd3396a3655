/* Audit I6: a frame put back on the free list while an L1 entry still maps it is reported. */
#include "audit_util.h"

/*
 * The XSA-255 shape: a frame freed (owner cleared, on the free list, marked need_scrub, the
 * allocation ref dropped) while a mapping still holds a ref. Lists and counts agree with each
 * other; only "count > 0 => owner" is broken.
 */
TEST(audit_i6_owner)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i6 before");
    struct domain *d = &hv->dom[1];
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);
    struct frame *f = &hv->frames[m];
    page_list_del(hv, &d->pages, m);
    d->tot_pages--;
    f->flags = FRAME_NEED_SCRUB;
    f->count--;
    f->owner = DOMID_INVALID;
    page_list_add(hv, &hv->free, LIST_FREE, m);
    au_expect_only(hv, INV_I6_OWNER, m, DOMID_INVALID, "i6 freed while mapped");
    hv_destroy(hv);
}
