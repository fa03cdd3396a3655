/* The audit's log-dirty invariant: every pfn whose contents changed since the last clean is marked. */
#include "audit_priv.h"

/*
 * LOGDIRTY: for each domain in log-dirty mode, each pfn not marked must read as at the last
 * enable or clean (logdirty_baseline keeps a hash of every pfn then): the same frame (p2m_set
 * marks a pfn it changes) with the same contents (logdirty_pfn_unmarked has the rule and what
 * it leaves out). A clean or disable erases that evidence, so each first checks and keeps the
 * first pfn it found unmarked (ld_missed), which is reported here too, mode on or off.
 */
static void audit_logdirty_dom(struct audit_ctx *c, const struct domain *d)
{
    const struct hv *hv = c->hv;
    uint32_t top = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    uint64_t now;
    for (uint32_t pfn = 0; pfn < top; pfn++) {
        /* logdirty_pfn_unmarked answers false for a pfn whose frame was not written since the
           snapshot (hv->dirty): tested here, without the call, for the many pfns it settles */
        mfn_t f = d->p2m[pfn];
        if (hv->dirty && mfn_valid(hv, f) && !((hv->dirty[f / 64U] >> (f % 64U)) & 1U))
            continue;
        if (!logdirty_pfn_unmarked(hv, d, pfn, &now))
            continue;
        mfn_t m = d->p2m[pfn];
        audit_add(c, INV_LOGDIRTY, mfn_valid(hv, m) ? m : MFN_INVALID, d->id, 1, 0,
                  "pfn 0x%x changed since the last clean: dirty bit", pfn);
    }
}

void audit_logdirty_pass(struct audit_ctx *c)
{
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
        const struct domain *d = &c->hv->dom[i];
        if (!d->exists)
            continue;
        if (d->ld_missed)
            audit_add(c, INV_LOGDIRTY, MFN_INVALID, d->id, 1, 0,
                      "pfn 0x%x changed without its dirty bit before a clean or disable: dirty bit",
                      d->ld_missed - 1U);
        if (d->logdirty)
            audit_logdirty_dom(c, d);
    }
}
