/* Audit I7: a frame unlinked from its owner's page list is reported, as is the tot_pages skew. */
#include "audit_util.h"

/*
 * The frame keeps its owner and refs but no list holds it (the XSA-284 shape of a page that fell
 * off the domain's accounting): tot_pages no longer equals the list length.
 */
TEST(audit_i7_lists)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i7 before");
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN + 1);
    page_list_del(hv, &hv->dom[1].pages, m);
    au_expect_only(hv, INV_I7_LISTS, m, 1, "i7 unlinked frame");
    hv_destroy(hv);
}
