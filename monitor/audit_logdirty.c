/* The audit's log-dirty invariant: every pfn whose contents changed since the last clean is marked. */
#include "audit_priv.h"

/*
 * LOGDIRTY: for each domain in log-dirty mode, each pfn not marked must read as at the last
 * enable or clean (logdirty_baseline keeps a hash of every pfn then): the same frame (p2m_set
 * marks a pfn it changes) with the same contents. A pfn whose frame's m2p entry names another pfn
 * is left out: its writes are marked where the guest's m2p says (Xen's paging_mark_dirty), which
 * is the guest's own doing. Where the snapshot owner tracks writes (hv->dirty), a frame not
 * written since the reset, which came before the baseline, is unchanged and is not read.
 */
static void audit_logdirty_dom(struct audit_ctx *c, const struct domain *d)
{
    const struct hv *hv = c->hv;
    const uint64_t *base = hv->ld_hash + (size_t)d->id * HV_MAX_GFNS;
    uint32_t top = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    for (uint32_t pfn = 0; pfn < top; pfn++) {
        if ((d->ld_bitmap[pfn / 64U] >> (pfn % 64U)) & 1U)
            continue;
        mfn_t m = d->p2m[pfn];
        if (mfn_valid(hv, m)) {
            if (hv->m2p[m] != pfn)
                continue;
            if (hv->dirty && !((hv->dirty[m / 64U] >> (m % 64U)) & 1U))
                continue;
        }
        uint64_t now = logdirty_pfn_hash(hv, d, pfn);
        if (now != base[pfn])
            audit_add(c, INV_LOGDIRTY, mfn_valid(hv, m) ? m : MFN_INVALID, d->id, 1, 0,
                      "pfn 0x%x changed since the last clean: dirty bit", pfn);
    }
}

void audit_logdirty_pass(struct audit_ctx *c)
{
    if (!c->hv->logdirty_doms)
        return;
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
        const struct domain *d = &c->hv->dom[i];
        if (d->exists && d->logdirty)
            audit_logdirty_dom(c, d);
    }
}
