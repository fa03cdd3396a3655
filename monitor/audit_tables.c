/* Audit passes over the monitor's other tables: grant tables, event channels, page lists (I7). */
#include <stdlib.h>
#include <string.h>
#include "audit_priv.h"

/* ---- grant tables ---------------------------------------------------------------------------- */

static void audit_gnt_frame(struct audit_ctx *c, const struct domain *d, mfn_t m,
                            const char *kind, unsigned k)
{
    struct hv *hv = c->hv;
    if (!mfn_valid(hv, m)) {
        audit_add(c, INV_GNTTAB, m, d->id, hv->nr_frames, (int64_t)m,
                  "%s frame %u below nr_frames: mfn", kind, k);
        return;
    }
    const struct frame *f = &hv->frames[m];
    if (f->owner != d->id)
        audit_add(c, INV_GNTTAB, m, d->id, d->id, f->owner, "%s frame %u owner", kind, k);
    if (!(f->flags & FRAME_XEN_HEAP))
        audit_add(c, INV_GNTTAB, m, d->id, 1, 0, "%s frame %u xen_heap flag", kind, k);
    if (f->type != PGT_writable)
        audit_add(c, INV_GNTTAB, m, d->id, PGT_writable, f->type, "%s frame %u type", kind, k);
}

/* Check a domain's grant and status frames; return how many grant refs its table holds. */
static uint32_t audit_gnt_frames(struct audit_ctx *c, const struct domain *d)
{
    const struct grant_table *gt = &d->gnt;
    if (gt->version != 1 && gt->version != 2)
        audit_add(c, INV_GNTTAB, MFN_INVALID, d->id, 1, gt->version, "grant table version");
    if (gt->max_frames > GNT_MAX_FRAMES)
        audit_add(c, INV_GNTTAB, MFN_INVALID, d->id, GNT_MAX_FRAMES, gt->max_frames,
                  "grant max_frames at most");
    if (gt->nr_frames > gt->max_frames || gt->nr_frames > GNT_MAX_FRAMES)
        audit_add(c, INV_GNTTAB, MFN_INVALID, d->id, gt->max_frames, gt->nr_frames,
                  "grant nr_frames at most max_frames");
    if (gt->nr_status_frames > GNT_MAX_STATUS)
        audit_add(c, INV_GNTTAB, MFN_INVALID, d->id, GNT_MAX_STATUS, gt->nr_status_frames,
                  "grant nr_status_frames at most");
    /* each maptrack handle is either in use or on the free list once (XSA-218) */
    if (gt->maptrack_dup)
        audit_add(c, INV_GNTTAB, MFN_INVALID, d->id, 1, 2,
                  "maptrack handle %u: times on the free list", gt->maptrack_dup - 1U);
    uint32_t nf = gt->nr_frames < GNT_MAX_FRAMES ? gt->nr_frames : GNT_MAX_FRAMES;
    uint32_t ns = gt->nr_status_frames < GNT_MAX_STATUS ? gt->nr_status_frames : GNT_MAX_STATUS;
    for (uint32_t k = 0; k < nf; k++)
        audit_gnt_frame(c, d, gt->frames[k], "grant", k);
    for (uint32_t k = 0; k < ns; k++)
        audit_gnt_frame(c, d, gt->status[k], "status", k);
    return audit_gnt_nents(d);
}

uint32_t audit_gnt_nents(const struct domain *d)
{
    const struct grant_table *gt = &d->gnt;
    /* a zombie's table is freed while other domains may still map its grants: every active
       entry stays meaningful until the last of them unmaps */
    if (d->dying)
        return GNT_MAX_REFS;
    uint32_t nf = gt->nr_frames < GNT_MAX_FRAMES ? gt->nr_frames : GNT_MAX_FRAMES;
    uint32_t per = gt->version == 2 ? GNT_V2_PER_FRAME : GNT_V1_PER_FRAME;
    uint32_t n = nf * per;
    return n < GNT_MAX_REFS ? n : GNT_MAX_REFS;
}

void audit_gnt_mark(struct audit_ctx *c)
{
    struct hv *hv = c->hv;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        for (unsigned k = 0, end = audit_maptrack_end(c, d); k < end; k++) {
            const struct gnt_maptrack *mt = &d->gnt.maptrack[k];
            if (mt->in_use && mfn_valid(hv, mt->mfn))
                audit_fx(c, mt->mfn)->granted_to |= (uint8_t)(1U << id);
        }
    }
}

/* A host mapping is a grant PTE in a ref-holding L1 of the mapping domain at host_addr. */
static void audit_gnt_host(struct audit_ctx *c, const struct domain *md, unsigned k,
                           const struct gnt_maptrack *mt)
{
    struct hv *hv = c->hv;
    mfn_t tbl = mt->host_addr >> PAGE_SHIFT;
    unsigned off = (unsigned)(mt->host_addr & (PAGE_SIZE - 1));
    if (!mfn_valid(hv, tbl) || (off & 7U)) {
        audit_add(c, INV_GNTTAB, mt->mfn, md->id, 0, (int64_t)mt->host_addr,
                  "maptrack %u host_addr aligned in memory: addr", k);
        return;
    }
    const struct frame *tf = &hv->frames[tbl];
    unsigned idx = off / 8U;
    if (tf->type != PGT_l1 || tf->owner != md->id || idx >= audit_ref_entries(tf)) {
        audit_add(c, INV_GNTTAB, mt->mfn, md->id, PGT_l1, tf->type,
                  "maptrack %u PTE table 0x%llx ref-holding l1 of mapper: type", k,
                  (unsigned long long)tbl);
        return;
    }
    uint64_t e = frame_ptes(hv, tbl)[idx];
    if (!(e & _PAGE_PRESENT) || ((e & PTE_ADDR_MASK) >> PAGE_SHIFT) != mt->mfn)
        audit_add(c, INV_GNTTAB, mt->mfn, md->id, (int64_t)mt->mfn,
                  (e & _PAGE_PRESENT) ? (int64_t)((e & PTE_ADDR_MASK) >> PAGE_SHIFT) : -1,
                  "maptrack %u host PTE 0x%llx[%u] present grant entry for mfn", k,
                  (unsigned long long)tbl, idx);
    else if ((mt->flags & GNTMAP_readonly) && (e & _PAGE_RW))
        audit_add(c, INV_GNTTAB, mt->mfn, md->id, 0, 1,
                  "maptrack %u readonly host PTE 0x%llx[%u] RW bit", k,
                  (unsigned long long)tbl, idx);
}

/*
 * A crashed or dying mapper's grant books are frozen: its grant PTEs went with its tables (the
 * implicit unmap dropped their refs but unpinned nothing), and the granter may even be gone. Only
 * the refs its device mappings still hold are counted; gnttab_release settles the rest.
 */
static void audit_gnt_maptrack(struct audit_ctx *c, const struct domain *md)
{
    struct hv *hv = c->hv;
    bool frozen = audit_dom_crashed(md);
    for (unsigned k = 0, end = audit_maptrack_end(c, md); k < end; k++) {
        const struct gnt_maptrack *mt = &md->gnt.maptrack[k];
        if (!mt->in_use)
            continue;
        if (!mfn_valid(hv, mt->mfn)) {
            audit_add(c, INV_GNTTAB, mt->mfn, md->id, hv->nr_frames, (int64_t)mt->mfn,
                      "maptrack %u mfn below nr_frames", k);
            continue;
        }
        bool ro = mt->flags & GNTMAP_readonly;
        bool host = mt->flags & GNTMAP_host_map, dev = mt->flags & GNTMAP_device_map;
        if (dev) {
            /* a device mapping holds its own refs, unlike a host mapping whose PTE holds them */
            audit_fx(c, mt->mfn)->count += (uint32_t)c->sign;
            if (!ro)
                audit_writable_ref(c, mt->mfn, md->id, "writable device grant maptrack", k);
        }
        if (frozen)
            continue;
        const struct domain *gd = audit_dom(hv, mt->dom);
        if (!gd || mt->ref >= c->nents[gd->id]) {
            audit_add(c, INV_GNTTAB, mt->mfn, md->id, gd ? c->nents[gd->id] : 0, mt->ref,
                      "maptrack %u of dom %u: ref below nr of refs", k, (unsigned)mt->dom);
            continue;
        }
        if (!host && !dev)
            audit_add(c, INV_GNTTAB, mt->mfn, md->id, GNTMAP_host_map, mt->flags,
                      "maptrack %u kind flags", k);
        struct audit_pins *p = &c->pins[gd->id][mt->ref];
        c->pins_used[c->npins++] = p;
        const struct gnt_active *act = &gd->gnt.active[mt->ref];
        if (host) {
            if (ro) p->host_ro++; else p->host_rw++;
            audit_gnt_host(c, md, k, mt);
        }
        if (dev) {
            if (ro) p->dev_ro++; else p->dev_rw++;
        }
        if (act->mfn != mt->mfn)
            audit_add(c, INV_GNTTAB, mt->mfn, gd->id, (int64_t)act->mfn, (int64_t)mt->mfn,
                      "ref %u mapped by dom %u maptrack %u: mfn", (unsigned)mt->ref,
                      (unsigned)md->id, k);
        if (act->mapped_by != md->id)
            audit_add(c, INV_GNTTAB, mt->mfn, gd->id, md->id, act->mapped_by,
                      "ref %u active mapped_by", (unsigned)mt->ref);
    }
}

void audit_gnt_dev_refs(struct audit_ctx *c)
{
    struct hv *hv = c->hv;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *md = audit_dom(hv, id);
        if (!md)
            continue;
        for (unsigned k = 0, end = audit_maptrack_end(c, md); k < end; k++) {
            const struct gnt_maptrack *mt = &md->gnt.maptrack[k];
            if (!mt->in_use || !mfn_valid(hv, mt->mfn) || !(mt->flags & GNTMAP_device_map))
                continue;
            audit_fx(c, mt->mfn)->count += (uint32_t)c->sign;
            if (!(mt->flags & GNTMAP_readonly))
                audit_writable_ref(c, mt->mfn, md->id, "writable device grant maptrack", k);
        }
    }
}

static void audit_gnt_pin(struct audit_ctx *c, domid_t g, uint32_t ref, const char *kind,
                          uint16_t want, uint16_t have, mfn_t m)
{
    if (want != have)
        audit_add(c, INV_GNTTAB, m, g, want, have, "ref %u %s pins (maptrack entries)", ref,
                  kind);
}

static int audit_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * A PTE is a grant mapping only by its maptrack entry (the entry itself has no mark, as in a
 * release Xen), so audit_gnt_host checks each mapping's PTE; what is left is two live mappings
 * claiming one PTE, whose refs the one entry cannot hold twice.
 */
static void audit_gnt_shared_ptes(struct audit_ctx *c)
{
    static uint64_t addr[HV_MAX_DOMAINS * GNT_MAX_MAPTRACK];
    uint32_t n = 0;

    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(c->hv, id);
        if (!d || audit_dom_crashed(d))
            continue;
        for (unsigned k = 0, end = audit_maptrack_end(c, d); k < end; k++) {
            const struct gnt_maptrack *mt = &d->gnt.maptrack[k];
            if (mt->in_use && (mt->flags & GNTMAP_host_map))
                addr[n++] = mt->host_addr;
        }
    }
    if (n < 2)
        return;
    qsort(addr, n, sizeof(addr[0]), audit_u64_cmp);
    for (uint32_t i = 1; i < n; i++)
        if (addr[i] < addr[i - 1] + 8U)
            audit_add(c, INV_GNTTAB, addr[i] >> PAGE_SHIFT, DOMID_INVALID, 1, 2,
                      "host maptrack entries sharing the PTE at 0x%llx",
                      (unsigned long long)addr[i]);
}

/* One active entry of granter d against the pins recomputed from every maptrack. */
static void audit_gnt_ref(struct audit_ctx *c, const struct domain *d, uint32_t r)
{
    const struct gnt_active *a = &d->gnt.active[r];
    const struct audit_pins *p = &c->pins[d->id][r];
    bool any = a->host_ro | a->host_rw | a->dev_ro | a->dev_rw;
    /* most refs were never mapped: nothing recorded, nothing recomputed */
    if (!any && !(p->host_ro | p->host_rw | p->dev_ro | p->dev_rw))
        return;
    /* pins held by a frozen mapper are settled when it is destroyed */
    if (any && audit_dom_crashed(audit_dom(c->hv, a->mapped_by)))
        return;
    mfn_t m = any ? a->mfn : MFN_INVALID;
    audit_gnt_pin(c, d->id, r, "host_ro", p->host_ro, a->host_ro, m);
    audit_gnt_pin(c, d->id, r, "host_rw", p->host_rw, a->host_rw, m);
    audit_gnt_pin(c, d->id, r, "dev_ro", p->dev_ro, a->dev_ro, m);
    audit_gnt_pin(c, d->id, r, "dev_rw", p->dev_rw, a->dev_rw, m);
}

/* Every ref of granter d in [from, to); blocks with neither active nor recomputed pins (most
   refs were never mapped) skipped by a comparison with zeros. */
static void audit_gnt_refs_range(struct audit_ctx *c, const struct domain *d, uint32_t from,
                                 uint32_t to)
{
    enum { blk = 32 };
    static const struct gnt_active zact[blk];
    static const struct audit_pins zpins[blk];
    for (uint32_t r0 = from; r0 < to; r0 += blk) {
        uint32_t e = r0 + blk < to ? r0 + blk : to;
        if (!memcmp(&d->gnt.active[r0], zact, (e - r0) * sizeof(zact[0])) &&
            !memcmp(&c->pins[d->id][r0], zpins, (e - r0) * sizeof(zpins[0])))
            continue;
        for (uint32_t r = r0; r < e; r++)
            audit_gnt_ref(c, d, r);
    }
}

/* Refs of granter d from ref to up (below its refs in use) whose pins the maptrack pass
   recomputed: of refs whose active entry is zero, only these can fail. Each is zeroed once
   checked, so a ref several entries name is checked once. */
static void audit_gnt_pins_past(struct audit_ctx *c, const struct domain *d, uint32_t to)
{
    const struct audit_pins *row = c->pins[d->id];
    for (uint32_t k = 0; k < c->npins; k++) {
        struct audit_pins *p = c->pins_used[k];
        if (p < row || p >= row + c->nents[d->id] || p - row < to)
            continue;
        audit_gnt_ref(c, d, (uint32_t)(p - row));
        *p = (struct audit_pins){ 0 };
    }
}

void audit_gnttab_pass(struct audit_ctx *c)
{
    static struct audit_pins *used[HV_MAX_DOMAINS * GNT_MAX_MAPTRACK];
    struct hv *hv = c->hv;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        c->nents[id] = d ? audit_gnt_frames(c, d) : 0;
    }
    /* the pins are all zero here: the pass that wrote some zeroed them again */
    c->pins_used = used;
    c->npins = 0;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (d)
            audit_gnt_maptrack(c, d);
    }
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        uint32_t n, from = 0, to = c->nents[id];
        const uint16_t *refs = c->inc ? audit_incr_gnt_refs(c, id, &n, &from) : NULL;
        for (uint32_t k = 0; refs && k < n; k++)
            if (refs[k] < from)
                audit_gnt_ref(c, d, refs[k]);
        /* incremental: active entries from active_hi up are zero (gnt_act_w, their only
           writer, raises it; the full audit, every audit_full_every programs, reads them all),
           so there only refs with recomputed pins can fail */
        if (c->inc && d->gnt.active_hi < to)
            to = d->gnt.active_hi > from ? d->gnt.active_hi : from;
        audit_gnt_refs_range(c, d, from, to);
        if (to < c->nents[id])
            audit_gnt_pins_past(c, d, to);
    }
    for (uint32_t k = 0; k < c->npins; k++)
        *c->pins_used[k] = (struct audit_pins){ 0 };
    c->npins = 0;
    audit_gnt_shared_ptes(c);
}

/* ---- event channels -------------------------------------------------------------------------- */

static void audit_evtchn_port(struct audit_ctx *c, const struct domain *d, uint32_t p)
{
    const struct evtchn *ch = &d->evtchn[p];
    if (ch->state > ECS_IPI) {
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, ECS_IPI, ch->state,
                  "port %u state at most", p);
        return;
    }
    if (ch->state == ECS_FREE)
        return;
    if (p == 0 && ch->state != ECS_RESERVED)
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, ECS_RESERVED, ch->state,
                  "port 0 (never allocated) state");
    if ((ch->state == ECS_VIRQ || ch->state == ECS_IPI) && ch->notify_vcpu >= d->nr_vcpus)
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, d->nr_vcpus, ch->notify_vcpu,
                  "port %u notify_vcpu below nr_vcpus", p);
    if (ch->priority > EVTCHN_FIFO_PRIORITY_MIN)
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, EVTCHN_FIFO_PRIORITY_MIN, ch->priority,
                  "port %u priority at most", p);
    if (ch->state == ECS_VIRQ && ch->virq >= NR_VIRQS)
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, NR_VIRQS, ch->virq,
                  "port %u virq below NR_VIRQS", p);
    if (ch->state != ECS_INTERDOMAIN)
        return;
    const struct domain *rd = audit_dom(c->hv, ch->remote_dom);
    if (!rd) {
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, 1, 0,
                  "port %u interdomain peer dom %u exists", p, (unsigned)ch->remote_dom);
        return;
    }
    if (ch->remote_port >= EVTCHN_MAX_PORTS) {
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, EVTCHN_MAX_PORTS, ch->remote_port,
                  "port %u peer port below EVTCHN_MAX_PORTS", p);
        return;
    }
    const struct evtchn *rc = &rd->evtchn[ch->remote_port];
    if (rc->state != ECS_INTERDOMAIN || rc->remote_dom != d->id || rc->remote_port != p)
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, p,
                  rc->state == ECS_INTERDOMAIN && rc->remote_dom == d->id ?
                      (int64_t)rc->remote_port : -1,
                  "port %u peer dom %u port %u points back to port", p,
                  (unsigned)rd->id, ch->remote_port);
}

/*
 * The ports past evtchn_valid must be all zero: every loop over ports (the audit's included)
 * stops there, so anything beyond would be invisible. The full audit reads all 4096; the
 * incremental one only up to evtchn_hi, since ports no write reached (evtchn_w) are as in the
 * snapshot, which was clean.
 */
static void audit_evtchn_tail(struct audit_ctx *c, const struct domain *d)
{
    static const struct evtchn zero;
    uint32_t end = c->inc && d->evtchn_hi < EVTCHN_MAX_PORTS ? d->evtchn_hi : EVTCHN_MAX_PORTS;

    for (uint32_t p = d->evtchn_valid; p < end; p++)
        if (memcmp(&d->evtchn[p], &zero, sizeof(zero))) {
            audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, d->evtchn_valid, p,
                      "ports in use below evtchn_valid: port");
            return;
        }
}

/*
 * Port numbers are bounded by the array, not by max_evtchn_port: the toolstack may lower the limit
 * after ports above it were bound, and the monitor keeps serving those (event_channel.c); the
 * limit only stops the guest from naming them, which the conformance cases check. The work is
 * proportional to the valid ports (buckets a program allocated), not to the ABI's 4096; the
 * incremental audit checks only the ports whose checks' inputs moved (audit_incr_dom.c).
 */
void audit_evtchn_pass(struct audit_ctx *c)
{
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(c->hv, id);
        if (!d)
            continue;
        if (d->evtchn_valid > EVTCHN_MAX_PORTS || d->evtchn_valid % EVTCHN_BUCKET ||
            d->evtchn_valid == 0) {
            audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, EVTCHN_MAX_PORTS, d->evtchn_valid,
                      "evtchn_valid a non-zero multiple of EVTCHN_BUCKET at most");
            continue;
        }
        uint32_t n;
        const uint16_t *ports = c->inc ? audit_incr_evtchn_ports(c, id, &n) : NULL;
        if (ports) {
            for (uint32_t k = 0; k < n; k++)
                if (ports[k] < d->evtchn_valid)
                    audit_evtchn_port(c, d, ports[k]);
        } else {
            for (uint32_t p = 0; p < d->evtchn_valid; p++)
                audit_evtchn_port(c, d, p);
        }
        audit_evtchn_tail(c, d);
    }
}

/* ---- page lists ------------------------------------------------------------------------------ */

/* Walk one list: links, membership and ownership of every frame on it. Returns its length. */
static uint32_t audit_list_walk(struct audit_ctx *c, const struct page_list *l, uint16_t id,
                                domid_t owner, bool xen_heap, const char *name)
{
    struct hv *hv = c->hv;
    uint32_t n = 0, prev = HV_LIST_END, m = l->head;
    while (m != HV_LIST_END) {
        if (!mfn_valid(hv, m)) {
            audit_add(c, INV_I7_LISTS, MFN_INVALID, owner, hv->nr_frames, m,
                      "%s list link below nr_frames", name);
            return n;
        }
        if (c->fx[m].on_list) {
            /* on two lists, or a cycle: stop, the walk can no longer be trusted */
            audit_add(c, INV_I7_LISTS, m, owner, 1, 2, "%s list: times frame seen on lists",
                      name);
            return n;
        }
        c->fx[m].on_list = 1;
        n++;
        const struct frame *f = &hv->frames[m];
        if (f->list_id != id)
            audit_add(c, INV_I7_LISTS, m, owner, id, f->list_id, "%s list: list_id", name);
        if (f->owner != owner)
            audit_add(c, INV_I7_LISTS, m, owner, owner, f->owner, "%s list: owner", name);
        /* a released grant frame loses XEN_HEAP and ALLOCATED but stays on the xen-heap list
           until its last mapping goes */
        bool heap = f->flags & FRAME_XEN_HEAP;
        bool released = xen_heap && !(f->flags & FRAME_ALLOCATED);
        if (owner != DOMID_INVALID && heap != xen_heap && !released)
            audit_add(c, INV_I7_LISTS, m, owner, xen_heap, heap, "%s list: xen_heap flag", name);
        if (f->list_prev != prev)
            audit_add(c, INV_I7_LISTS, m, owner, prev, f->list_prev, "%s list: prev link", name);
        prev = m;
        m = f->list_next;
    }
    if (l->tail != prev)
        audit_add(c, INV_I7_LISTS, MFN_INVALID, owner, prev, l->tail, "%s list tail", name);
    if (l->count != n)
        audit_add(c, INV_I7_LISTS, MFN_INVALID, owner, n, l->count, "%s list count", name);
    return n;
}

void audit_list_pass(struct audit_ctx *c)
{
    struct hv *hv = c->hv;
    audit_list_walk(c, &hv->free, LIST_FREE, DOMID_INVALID, false, "free");
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        uint32_t n = audit_list_walk(c, &d->pages, LIST_PAGES(id), id, false, "page");
        if (d->tot_pages != n)
            audit_add(c, INV_I7_LISTS, MFN_INVALID, id, n, d->tot_pages,
                      "tot_pages (page list length)");
        audit_list_walk(c, &d->xenpages, LIST_XEN(id), id, true, "xen-heap");
    }
}
