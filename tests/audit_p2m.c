/* Audit P2M: p2m entries naming another domain's frame or lying past nr_gfns, and m2p of a free frame. */
#include "audit_util.h"

/*
 * The p2m is the monitor's own record of a domain's memory (device DMA, the EPT populate path and
 * program arguments resolve gfns through it), so a stale entry hands a domain a frame it no longer
 * owns. Planted, one at a time: dom1's gfn names dom2's data frame (the entry a transfer or
 * exchange would leave if it forgot the old owner's p2m); an entry past nr_gfns (which the native
 * target's reset would not restore); the m2p of a never-used free frame.
 */
TEST(audit_p2m)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "p2m before");
    struct domain *d1 = &hv->dom[1];
    mfn_t own = d1->p2m[AU_DATA_GFN], foreign = au_mfn(hv, 2, AU_DATA_GFN);
    d1->p2m[AU_DATA_GFN] = foreign;
    au_expect_only(hv, INV_P2M, foreign, 1, "p2m entry naming another domain's frame");
    d1->p2m[AU_DATA_GFN] = own;

    /* through p2m_set, as a monitor path that forgets nr_gfns would write it */
    p2m_set(d1, HV_MAX_GFNS - 1U, own);
    au_expect_only(hv, INV_P2M, own, 1, "p2m entry past nr_gfns");
    d1->p2m[HV_MAX_GFNS - 1U] = MFN_INVALID;

    mfn_t free_mfn = au_never_used_frame(hv);
    hv->m2p[free_mfn] = 5;
    au_expect_only(hv, INV_P2M, free_mfn, DOMID_INVALID, "m2p of a free frame");
    hv->m2p[free_mfn] = GFN_INVALID;
    au_expect_clean(hv, "p2m after");
    hv_destroy(hv);
}
