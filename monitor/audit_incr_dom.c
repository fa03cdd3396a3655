/* The incremental audit's domain-wide shortcuts: which grant refs, p2m entries and checks can have moved since the snapshot. */
#include <string.h>
#include "audit_priv.h"

/*
 * The snapshot was audited clean, so a check whose inputs equal the snapshot's passes again: each
 * shortcut here compares those inputs with the snapshot's view (in->b->view) and hands the
 * domain-wide passes only what differs. Where a comparison cannot be made (a domain came or
 * went, crashed, changed its table's size) the pass runs whole, as in the full audit.
 */

/* ---- grant pins -------------------------------------------------------------------------------- */

/*
 * An active entry's check compares its pins with the sum over every live, non-frozen mapper's
 * maptrack entries naming it, unless its mapped_by domain is crashed or gone (exempt). A ref
 * below both the snapshot's and the current table size, whose active entry is unchanged and that
 * no changed maptrack entry names, then or now, has the snapshot's pins on both sides, so its
 * check passes as it did then, or is newly exempt. Every entry of a mapper that came, went, or crashed
 * counts as changed. Only a domain that is live now but crashed or gone then can lift an
 * exemption: the baseline knows whether the snapshot held pins exempt by it (exempt_by).
 */
static uint16_t audit_incr_refs[HV_MAX_DOMAINS][GNT_MAX_REFS];
static uint64_t audit_incr_refmark[HV_MAX_DOMAINS][GNT_MAX_REFS / 64U];

static void audit_incr_ref_mark(struct audit_incr *in, domid_t g, uint32_t ref)
{
    /* refs past the table are the maptrack pass's to report; they hold no pins */
    if (g >= HV_MAX_DOMAINS || ref >= GNT_MAX_REFS)
        return;
    uint64_t bit = 1ULL << (ref % 64U);
    if (audit_incr_refmark[g][ref / 64U] & bit)
        return;
    audit_incr_refmark[g][ref / 64U] |= bit;
    audit_incr_refs[g][in->nrefs[g]++] = (uint16_t)ref;
}

/* Every in-use maptrack entry of a domain slot that existed: the refs it names. */
static void audit_incr_maptrack_all(struct audit_incr *in, const struct domain *d)
{
    unsigned end = d->gnt.maptrack_hi < GNT_MAX_MAPTRACK ? d->gnt.maptrack_hi : GNT_MAX_MAPTRACK;
    for (unsigned k = 0; k < end; k++)
        if (d->gnt.maptrack[k].in_use)
            audit_incr_ref_mark(in, d->gnt.maptrack[k].dom, d->gnt.maptrack[k].ref);
}

/* Maptrack entries of md that differ from the snapshot's: the refs they name, then and now. */
static void audit_incr_maptrack_refs(struct audit_incr *in, const struct domain *d,
                                     const struct domain *o)
{
    const struct gnt_maptrack *now = d->gnt.maptrack, *then = o->gnt.maptrack;
    /* entries from both high-water marks up were never written (gnt_map_w) */
    unsigned end = d->gnt.maptrack_hi > o->gnt.maptrack_hi ? d->gnt.maptrack_hi
                                                           : o->gnt.maptrack_hi;
    const unsigned blk = 16;
    if (end > GNT_MAX_MAPTRACK)
        end = GNT_MAX_MAPTRACK;
    for (unsigned k0 = 0; k0 < end; k0 += blk) {
        unsigned e = k0 + blk < end ? k0 + blk : end;
        if (!memcmp(now + k0, then + k0, (e - k0) * sizeof(*now)))
            continue;
        for (unsigned k = k0; k < e; k++) {
            if (!memcmp(&now[k], &then[k], sizeof(now[k])))
                continue;
            if (then[k].in_use)
                audit_incr_ref_mark(in, then[k].dom, then[k].ref);
            if (now[k].in_use)
                audit_incr_ref_mark(in, now[k].dom, now[k].ref);
        }
    }
}

/* Active entries of granter d below n that differ from the snapshot's. */
static void audit_incr_active_refs(struct audit_incr *in, const struct domain *d,
                                   const struct domain *o, uint32_t n)
{
    const struct gnt_active *now = d->gnt.active, *then = o->gnt.active;
    const uint32_t blk = 32;
    for (uint32_t r0 = 0; r0 < n; r0 += blk) {
        uint32_t e = r0 + blk < n ? r0 + blk : n;
        if (!memcmp(now + r0, then + r0, (e - r0) * sizeof(*now)))
            continue;
        for (uint32_t r = r0; r < e; r++)
            if (memcmp(&now[r], &then[r], sizeof(now[r])))
                audit_incr_ref_mark(in, d->id, r);
    }
}

static bool audit_incr_gnt_scan(struct audit_ctx *c)
{
    struct audit_incr *in = c->inc;
    const struct hv *hv = c->hv, *view = &in->b->view;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id], *o = &view->dom[id];
        bool live_now = d->exists && !audit_dom_crashed(d);
        bool live_then = o->exists && !audit_dom_crashed(o);
        if (live_now && !live_then && ((in->b->exempt_by >> id) & 1U))
            return false;
    }
    memset(in->nrefs, 0, sizeof(in->nrefs));
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id], *o = &view->dom[id];
        if (d->exists != o->exists || (d->exists && audit_dom_crashed(d) != audit_dom_crashed(o))) {
            if (o->exists)
                audit_incr_maptrack_all(in, o);
            if (d->exists)
                audit_incr_maptrack_all(in, d);
        } else if (d->exists && d->gnt.touched) {
            /* untouched tables are the snapshot's (grant_table.touched) */
            audit_incr_maptrack_refs(in, d, o);
        }
        if (d->exists && o->exists && d->gnt.touched) {
            uint32_t then = audit_gnt_nents(o);
            audit_incr_active_refs(in, d, o, then < c->nents[id] ? then : c->nents[id]);
        }
    }
    for (domid_t g = 0; g < HV_MAX_DOMAINS; g++)
        for (uint32_t k = 0; k < in->nrefs[g]; k++)
            audit_incr_refmark[g][audit_incr_refs[g][k] / 64U] = 0;
    return true;
}

const uint16_t *audit_incr_gnt_refs(struct audit_ctx *c, domid_t id, uint32_t *n, uint32_t *from)
{
    struct audit_incr *in = c->inc;
    if (in->gnt_refs < 0)
        in->gnt_refs = audit_incr_gnt_scan(c);
    const struct domain *o = &in->b->view.dom[id];
    *from = 0;
    if (!in->gnt_refs || !o->exists)
        return NULL;
    /* the refs both tables hold were all checked at the snapshot; a table that grew (or whose
       granter started dying) has new ones, checked whole */
    uint32_t then = audit_gnt_nents(o);
    *from = then < c->nents[id] ? then : c->nents[id];
    *n = in->nrefs[id];
    return audit_incr_refs[id];
}
