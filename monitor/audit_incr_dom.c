/* The incremental audit's domain-wide shortcuts: which grant refs, p2m entries and checks can have moved since the snapshot. */
#include <stdlib.h>
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

/*
 * A set of small numbers (refs, ports) kept as a list in the order they came and a bitmap that
 * keeps each in the list once; the bitmap is cleared by the list afterwards (audit_incr_set_clear),
 * so a run costs what it marked, not the bitmap's size.
 */
static inline void audit_incr_set_add(uint16_t *list, uint64_t *bits, uint16_t *n, uint32_t k)
{
    uint64_t bit = 1ULL << (k % 64U);
    if (bits[k / 64U] & bit)
        return;
    bits[k / 64U] |= bit;
    list[(*n)++] = (uint16_t)k;
}

static inline void audit_incr_set_clear(const uint16_t *list, uint64_t *bits, uint16_t n)
{
    for (uint32_t k = 0; k < n; k++)
        bits[list[k] / 64U] = 0;
}

static void audit_incr_ref_mark(struct audit_incr *in, domid_t g, uint32_t ref)
{
    /* refs past the table are the maptrack pass's to report; they hold no pins */
    if (g < HV_MAX_DOMAINS && ref < GNT_MAX_REFS)
        audit_incr_set_add(audit_incr_refs[g], audit_incr_refmark[g], &in->nrefs[g], ref);
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

/* Active entries of granter d below n that differ from the snapshot's. Refs outside the range
   gnt_act_w marked written since the snapshot (when set) are the snapshot's: not compared. */
static void audit_incr_active_refs(struct audit_incr *in, const struct domain *d,
                                   const struct domain *o, uint32_t n)
{
    const struct gnt_active *now = d->gnt.active, *then = o->gnt.active;
    const uint32_t blk = 32;
    uint32_t lo = 0;
    if (d->gnt.act_w_set) {
        lo = d->gnt.act_w_lo;
        n = d->gnt.act_w_end < n ? d->gnt.act_w_end : n;
    }
    for (uint32_t r0 = lo; r0 < n; r0 += blk) {
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
        audit_incr_set_clear(audit_incr_refs[g], audit_incr_refmark[g], in->nrefs[g]);
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

const struct domain *audit_incr_then(const struct audit_ctx *c, domid_t id)
{
    const struct domain *o = &c->inc->b->view.dom[id];
    return o->exists ? o : NULL;
}

/* ---- event channels ------------------------------------------------------------------------ */

/*
 * A port's check reads its entry, its domain's id and nr_vcpus, whether its peer domain exists
 * and, for an interdomain port, the peer's entry. So while every domain slot's existence, id and
 * nr_vcpus are the snapshot's, the ports to check are those whose entry differs from the
 * snapshot's and those a differing entry was the peer of then: an unchanged interdomain port's
 * peer pointed back at it at the snapshot (it was clean), so if that peer moved it is among the
 * differing ones. Ports from evtchn_hi up were not written since the snapshot (evtchn_w raises
 * it; a port written with pending alone is not read by any check) and are not compared.
 */
static uint16_t audit_incr_port[HV_MAX_DOMAINS][EVTCHN_MAX_PORTS];
static uint64_t audit_incr_portmark[HV_MAX_DOMAINS][EVTCHN_MAX_PORTS / 64U];

static void audit_incr_port_mark(struct audit_incr *in, domid_t id, uint32_t p)
{
    /* a peer outside the tables is the peer's check's to report */
    if (id < HV_MAX_DOMAINS && p < EVTCHN_MAX_PORTS)
        audit_incr_set_add(audit_incr_port[id], audit_incr_portmark[id], &in->nports[id], p);
}

static bool audit_incr_evtchn_scan(const struct audit_ctx *c)
{
    struct audit_incr *in = c->inc;
    const struct hv *hv = in->now, *view = &in->b->view;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id], *o = &view->dom[id];
        if (d->exists != o->exists ||
            (d->exists && (d->id != o->id || d->nr_vcpus != o->nr_vcpus)))
            return false;
    }
    memset(in->nports, 0, sizeof(in->nports));
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id], *o = &view->dom[id];
        if (!d->exists)
            continue;
        const struct evtchn *now = d->evtchn, *then = o->evtchn;
        uint32_t end = d->evtchn_hi > o->evtchn_hi ? d->evtchn_hi : o->evtchn_hi;
        const uint32_t blk = 16;
        if (end > EVTCHN_MAX_PORTS)
            end = EVTCHN_MAX_PORTS;
        for (uint32_t p0 = 0; p0 < end; p0 += blk) {
            uint32_t e = p0 + blk < end ? p0 + blk : end;
            if (!memcmp(now + p0, then + p0, (e - p0) * sizeof(*now)))
                continue;
            for (uint32_t p = p0; p < e; p++) {
                if (!memcmp(&now[p], &then[p], sizeof(now[p])))
                    continue;
                audit_incr_port_mark(in, id, p);
                if (then[p].state == ECS_INTERDOMAIN)
                    audit_incr_port_mark(in, then[p].remote_dom, then[p].remote_port);
            }
        }
    }
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++)
        audit_incr_set_clear(audit_incr_port[id], audit_incr_portmark[id], in->nports[id]);
    return true;
}

const uint16_t *audit_incr_evtchn_ports(struct audit_ctx *c, domid_t id, uint32_t *n)
{
    struct audit_incr *in = c->inc;
    if (in->evtchn_ports < 0)
        in->evtchn_ports = audit_incr_evtchn_scan(c);
    if (!in->evtchn_ports || id >= HV_MAX_DOMAINS)
        return NULL;
    *n = in->nports[id];
    return audit_incr_port[id];
}

/* ---- p2m --------------------------------------------------------------------------------------- */

/*
 * An entry's checks read its frame number, the domain's nr_gfns, dying state and id, and the
 * frame's owner and count; injectivity counts the live entries naming each frame. So the entries
 * to redo are those that differ from the snapshot's, every entry of a domain whose existence, id
 * or dying state moved, the entries between the old and the new nr_gfns of one whose nr_gfns
 * moved, and the unchanged entries naming a frame whose entry changed (found through the baseline's
 * reverse map). Counts start from the baseline's (at most 1 per frame: it was clean) and move
 * by the redone entries: all the snapshot's counts are taken back first, then the current ones
 * added, so a frame is reported exactly when it ends up named twice or more.
 */
static uint32_t audit_incr_p2m_now[HV_MAX_DOMAINS * HV_MAX_GFNS];
/* Live entries naming each frame, loaded from the baseline on first use in a run (stamped with
   the run's audit_incr_p2m_gen): kept apart from audit_fx, whose loading makes a frame one to
   compare. */
static uint8_t *audit_incr_p2m_cnt;
static uint32_t *audit_incr_p2m_stamp;
static uint32_t audit_incr_p2m_cap, audit_incr_p2m_gen;

static uint8_t *audit_incr_names(struct audit_ctx *c, mfn_t m)
{
    if (audit_incr_p2m_stamp[m] != audit_incr_p2m_gen) {
        audit_incr_p2m_stamp[m] = audit_incr_p2m_gen;
        audit_incr_p2m_cnt[m] = c->inc->b->p2m_names[m];
    }
    return &audit_incr_p2m_cnt[m];
}

static bool audit_incr_p2m_scratch(uint32_t n)
{
    if (n <= audit_incr_p2m_cap)
        return true;
    uint8_t *cnt = malloc(n);
    uint32_t *st = calloc(n, sizeof(*st));
    if (!cnt || !st) {
        free(cnt);
        free(st);
        return false;
    }
    free(audit_incr_p2m_cnt);
    free(audit_incr_p2m_stamp);
    audit_incr_p2m_cnt = cnt;
    audit_incr_p2m_stamp = st;
    audit_incr_p2m_cap = n;
    audit_incr_p2m_gen = 0;
    return true;
}

static uint64_t audit_incr_gfns(const struct domain *d)
{
    if (!d->exists)
        return 0;
    return d->nr_gfns < HV_MAX_GFNS ? d->nr_gfns : HV_MAX_GFNS;
}

/* Take back the snapshot's count for gfn g of domain slot id; queue the current entry. */
static void audit_incr_p2m_redo(struct audit_ctx *c, domid_t id, uint64_t g, uint32_t *nq)
{
    const struct domain *d = &c->hv->dom[id], *o = &c->inc->b->view.dom[id];
    const struct hv *view = &c->inc->b->view;
    if (o->exists && !o->dying && g < audit_incr_gfns(o) && o->p2m[g] != MFN_INVALID &&
        mfn_valid(view, o->p2m[g]))
        (*audit_incr_names(c, o->p2m[g]))--;
    if (d->exists && d->p2m[g] != MFN_INVALID)
        audit_incr_p2m_now[(*nq)++] = (uint32_t)id << 11 | (uint32_t)g;
}

void audit_incr_p2m(struct audit_ctx *c)
{
    _Static_assert(HV_MAX_GFNS == 1U << 11, "a queued p2m entry is domain << 11 | gfn");
    struct hv *hv = c->hv;
    const struct audit_base *b = c->inc->b;
    bool same[HV_MAX_DOMAINS];
    uint64_t lim[HV_MAX_DOMAINS];   /* of a same domain: below it, an entry's head or tail
                                       status is the snapshot's */
    uint32_t nq = 0;
    if (!audit_incr_p2m_scratch(hv->nr_frames)) {
        audit_add(c, INV_NONE, MFN_INVALID, DOMID_INVALID, 0, 0, "audit: out of memory");
        return;
    }
    if (++audit_incr_p2m_gen == 0) {
        memset(audit_incr_p2m_stamp, 0, audit_incr_p2m_cap * sizeof(*audit_incr_p2m_stamp));
        audit_incr_p2m_gen = 1;
    }

    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id], *o = &b->view.dom[id];
        uint64_t n = d->exists ? audit_p2m_head(c, d) : 0, on = audit_incr_gfns(o);
        /* above p2m_set's high-water mark nothing was written since the domain was built (the
           full audit, every audit_full_every programs, checks all), and the snapshot's p2m is
           unpopulated from its nr_gfns up (it was clean) */
        uint64_t top = !d->exists ? 0 : d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
        uint64_t end = n > on ? n : on;
        end = end > top ? end : top;
        same[id] = d->exists && o->exists && d->dying == o->dying && d->id == o->id;
        if (!same[id]) {
            for (uint64_t g = 0; g < end; g++)
                audit_incr_p2m_redo(c, id, g, &nq);
            continue;
        }
        /* a moved nr_gfns turns the entries between the two into tail entries or back: those
           are redone whatever they hold; below both, an entry is checked as it was then */
        lim[id] = n < on ? n : on;
        uint64_t hi = n > on ? n : on;
        for (uint64_t g = lim[id]; g < hi; g++)
            audit_incr_p2m_redo(c, id, g, &nq);
        const uint64_t blk = 64;
        for (uint64_t g0 = 0; g0 < end; g0 += blk) {
            uint64_t e = g0 + blk < end ? g0 + blk : end;
            if (!memcmp(&d->p2m[g0], &o->p2m[g0], (e - g0) * sizeof(d->p2m[0])))
                continue;
            for (uint64_t g = g0; g < e; g++)
                if (d->p2m[g] != o->p2m[g] && (g < lim[id] || g >= hi))
                    audit_incr_p2m_redo(c, id, g, &nq);
        }
    }
    for (uint32_t k = 0; k < nq; k++) {
        const struct domain *d = &hv->dom[audit_incr_p2m_now[k] >> 11];
        uint64_t g = audit_incr_p2m_now[k] & (HV_MAX_GFNS - 1U), n = audit_incr_gfns(d);
        mfn_t m = d->p2m[g];
        if (g >= n) {
            audit_p2m_tail(c, d, g, n);
            continue;
        }
        if (!audit_p2m_valid(c, d, g, m))
            continue;
        if (!d->dying) {
            uint8_t *names = audit_incr_names(c, m);
            if (++*names > 1)
                audit_p2m_injective(c, d, g, m, *names);
        }
        audit_p2m_owner(c, d, g, m);
    }
    /* unchanged entries of unchanged domains naming a frame whose owner or count may have moved;
       the owner check reads only the owner and, of a free frame, whether it is still referenced:
       where those equal the snapshot's (a frame whose counts or type alone moved), it passes */
    uint32_t words = (hv->nr_frames + 63U) / 64U;
    const struct frame *then = b->view.frames;
    for (uint32_t w = 0; w < words; w++) {
        for (uint64_t bits = hv->fdirty[w]; bits; bits &= bits - 1U) {
            mfn_t m = (mfn_t)w * 64U + (mfn_t)__builtin_ctzll(bits);
            const struct frame *f = &hv->frames[m];
            if (f->owner == then[m].owner &&
                (f->owner != DOMID_INVALID || !f->count == !then[m].count))
                continue;
            for (uint32_t k = b->p2m_start[m]; k < b->p2m_start[m + 1]; k++) {
                domid_t id = b->p2m_ent[k] >> 11;
                uint64_t g = b->p2m_ent[k] & (HV_MAX_GFNS - 1U);
                if (same[id] && g < lim[id] && hv->dom[id].p2m[g] == m)
                    audit_p2m_owner(c, &hv->dom[id], g, m);
            }
        }
    }
}
