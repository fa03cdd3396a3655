/* The incremental audit: the full audit's recomputation over what changed since a clean snapshot. */
#include <stdlib.h>
#include <string.h>
#include "audit_priv.h"

/*
 * Every expected value of the full audit is a sum of contributions (a PTE adds to the counts of
 * the frame it maps, a linear entry to lin_in of its target and lin_out of its table, a vCPU base
 * pointer, a device grant map, a frame's own flags). The snapshot was audited clean, so there the
 * expected values are the stored ones. Now, for a frame m:
 *     expected(m) = stored_at_snapshot(m) + sum over changed sources (now - at snapshot),
 * and the passes of the full audit compute both terms: run over the current machine with sign +1
 * and over a view of the snapshot (its frame table and memory) with sign -1 and checks silenced.
 * Changed sources are found from the write tracking (docs/INVARIANTS.md has the reasoning):
 *  - a table whose frame entry changed in type, owner, VALIDATED/PARTIAL or validated prefix:
 *    all its entries, then and now;
 *  - a table whose memory was written: the entries whose word differs;
 *  - an unchanged entry whose target changed in what the entry's checks and contributions read
 *    (type, owner, VALIDATED/PARTIAL, whether the table's owner holds a grant of it): found
 *    through the snapshot's reverse map of entries;
 *  - every vCPU base pointer and device grant map (few, whatever the machine's size);
 *  - the own flags of every frame whose entry changed.
 * Frames compared: every frame whose expectation moved or whose entry or memory changed, and the
 * frames a domain that is gone owned then; the others equal the snapshot in both stored and
 * expected values. Domain-wide state (grant books,
 * event channels, devices, TLBs) is checked whole, as its size does not grow with the frames.
 */

uint32_t *audit_incr_stamp;
uint32_t audit_incr_gen;
static uint32_t audit_incr_cap;
static uint32_t *audit_incr_list;
static uint64_t *audit_incr_bits;   /* two bitmaps of audit_incr_cap bits */

static bool bit_test(const uint64_t *b, mfn_t m) { return (b[m / 64U] >> (m % 64U)) & 1U; }
static void bit_set(uint64_t *b, mfn_t m) { b[m / 64U] |= 1ULL << (m % 64U); }

void audit_incr_load(struct audit_ctx *c, mfn_t m)
{
    struct audit_incr *in = c->inc;
    const struct frame *sf = &in->b->s.frames[m];
    struct audit_fexp *x = &c->fx[m];

    audit_incr_stamp[m] = audit_incr_gen;
    memset(x, 0, sizeof(*x));
    x->count = sf->count;
    x->type_count = sf->type_count;
    if (sf->linear_pt_count > 0)
        x->lin_in = (uint16_t)sf->linear_pt_count;
    else
        x->lin_out = (uint16_t)-sf->linear_pt_count;
    /* at the snapshot every frame was on its list (the audit was clean) */
    x->on_list = 1;
    in->list[in->n++] = (uint32_t)m;
}

static bool audit_incr_scratch(uint32_t n)
{
    if (n <= audit_incr_cap)
        return true;
    uint32_t *st = calloc(n, sizeof(*st)), *l = malloc(n * sizeof(*l));
    uint64_t *bits = calloc(2U * ((n + 63U) / 64U), sizeof(*bits));
    if (!st || !l || !bits) {
        free(st);
        free(l);
        free(bits);
        return false;
    }
    free(audit_incr_stamp);
    free(audit_incr_list);
    free(audit_incr_bits);
    audit_incr_stamp = st;
    audit_incr_list = l;
    audit_incr_bits = bits;
    audit_incr_cap = n;
    audit_incr_gen = 0;
    return true;
}

/* ---- the baseline ---------------------------------------------------------------------------- */

/* Every present entry of the snapshot's ref-holding tables: counted per target (and grant PTEs
   per owner), or, with fill, placed in the reverse map. Returns the number of entries. */
static uint32_t audit_base_scan(struct audit_base *b, bool fill)
{
    struct hv *hv = &b->view;
    uint32_t nr = 0;
    for (mfn_t m = 0; m < hv->nr_frames; m++) {
        const struct frame *f = &hv->frames[m];
        unsigned n = audit_ref_entries(f);
        const uint64_t *pte = frame_ptes(hv, m);
        for (unsigned i = 0; i < n; i++) {
            uint64_t e = pte[i];
            if (!(e & _PAGE_PRESENT))
                continue;
            mfn_t t = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
            if (!mfn_valid(hv, t))
                continue;
            if (fill)
                b->rev_ent[b->rev_start[t]++] = (uint32_t)(m << 9 | i);
            else
                b->rev_start[t + 1]++;
            nr++;
        }
    }
    return nr;
}

/* The snapshot's p2m entries by the frame they name, and how many of them injectivity counts. */
static bool audit_base_p2m(struct audit_base *b)
{
    const struct hv *view = &b->view;
    uint32_t nf = view->nr_frames, nr = 0;
    b->p2m_start = calloc((size_t)nf + 1U, sizeof(*b->p2m_start));
    b->p2m_names = calloc(nf ? nf : 1U, sizeof(*b->p2m_names));
    if (!b->p2m_start || !b->p2m_names)
        return false;
    for (unsigned fill = 0; fill < 2; fill++) {
        for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
            const struct domain *o = &view->dom[id];
            uint64_t n = o->nr_gfns < HV_MAX_GFNS ? o->nr_gfns : HV_MAX_GFNS;
            for (uint64_t g = 0; o->exists && g < n; g++) {
                mfn_t m = o->p2m[g];
                if (!mfn_valid(view, m))
                    continue;
                if (!fill) {
                    b->p2m_start[m + 1]++;
                    b->p2m_names[m] += !o->dying;
                    nr++;
                } else {
                    b->p2m_ent[b->p2m_start[m]++] = (uint16_t)(id << 11 | g);
                }
            }
        }
        if (fill)
            break;
        b->p2m_ent = malloc(((size_t)nr + 1U) * sizeof(*b->p2m_ent));
        if (!b->p2m_ent)
            return false;
        for (uint32_t m = 0; m < nf; m++)
            b->p2m_start[m + 1] += b->p2m_start[m];
    }
    /* the fill moved each start to the next frame's */
    for (uint32_t m = nf; m > 0; m--)
        b->p2m_start[m] = b->p2m_start[m - 1];
    b->p2m_start[0] = 0;
    return true;
}

/* Domains whose being crashed or gone exempted pins of the snapshot (every ref, a superset of
   those the audit reads). */
static uint8_t audit_base_exempt(const struct hv *view)
{
    uint8_t by = 0;
    for (domid_t g = 0; g < HV_MAX_DOMAINS; g++) {
        if (!view->dom[g].exists)
            continue;
        for (uint32_t r = 0; r < GNT_MAX_REFS; r++) {
            const struct gnt_active *a = &view->dom[g].gnt.active[r];
            if ((a->host_ro | a->host_rw | a->dev_ro | a->dev_rw) && a->mapped_by < HV_MAX_DOMAINS &&
                audit_dom_crashed(audit_dom(view, a->mapped_by)))
                by |= (uint8_t)(1U << a->mapped_by);
        }
    }
    return by;
}

struct audit_base *audit_base_new(struct hv *hv, const struct audit_snap *s)
{
    struct audit_report r;
    if (!hv->dirty || !hv->fdirty || !s || audit_run(hv, &r) != 0)
        return NULL;
    struct audit_base *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->s = *s;
    b->nr_frames = hv->nr_frames;
    b->view = *s->hv;
    b->view.frames = (struct frame *)s->frames;
    b->view.mem = (uint8_t *)s->mem;
    b->view.nr_frames = hv->nr_frames;
    b->view.dirty = NULL;
    b->view.fdirty = NULL;
    for (domid_t i = 0; i < HV_MAX_DOMAINS; i++) {
        if (!s->tab[i].active || !s->tab[i].maptrack || !s->tab[i].evtchn || !s->tab[i].cmos_ram)
            goto fail;
        b->view.dom[i].gnt.active = (struct gnt_active *)s->tab[i].active;
        b->view.dom[i].gnt.maptrack = (struct gnt_maptrack *)s->tab[i].maptrack;
        b->view.dom[i].evtchn = (struct evtchn *)s->tab[i].evtchn;
        b->view.dom[i].cmos.ram = (uint8_t *)s->tab[i].cmos_ram;
    }
    b->exempt_by = audit_base_exempt(&b->view);
    if (!audit_base_p2m(b))
        goto fail;
    b->rev_start = calloc((size_t)hv->nr_frames + 1U, sizeof(*b->rev_start));
    if (!b->rev_start)
        goto fail;
    uint32_t nr = audit_base_scan(b, false);
    b->rev_ent = malloc(((size_t)nr + 1U) * sizeof(*b->rev_ent));
    if (!b->rev_ent)
        goto fail;
    for (uint32_t m = 0; m < hv->nr_frames; m++)
        b->rev_start[m + 1] += b->rev_start[m];
    /* fill moves each start to the next frame's; shift back afterwards */
    audit_base_scan(b, true);
    for (uint32_t m = hv->nr_frames; m > 0; m--)
        b->rev_start[m] = b->rev_start[m - 1];
    b->rev_start[0] = 0;
    return b;
fail:
    audit_base_free(b);
    return NULL;
}

void audit_base_free(struct audit_base *b)
{
    if (!b)
        return;
    free(b->rev_start);
    free(b->rev_ent);
    free(b->p2m_start);
    free(b->p2m_ent);
    free(b->p2m_names);
    free(b);
}

/* ---- the run --------------------------------------------------------------------------------- */

/* Load every frame on a list of the snapshot: a domain that is gone may still be named as owner
   by frames that did not change, which were then on its lists. */
static void audit_incr_load_list(struct audit_ctx *c, const struct hv *view,
                                 const struct page_list *l)
{
    uint32_t m = l->head;
    for (uint32_t k = 0; k < view->nr_frames && mfn_valid(view, m); k++) {
        audit_fx(c, m);
        m = view->frames[m].list_next;
    }
}

/* A domain that started dying changes what all its tables' entries are checked for (isolation,
   as a privilege change would, and the L1 flags allowed): they are redone whole. A crash does not:
   no entry check reads it (the grant books, whose checks do, are audited whole). */
static bool audit_incr_life_moved(const struct domain *d, const struct domain *o)
{
    return d->exists && (d->dying != o->dying || d->privileged != o->privileged);
}

/* One source, then and now: take back the snapshot's contributions, add the current ones. */
static void audit_incr_redo_entry(struct audit_ctx *c, struct hv *view, const struct audit_tbl *tb,
                                  unsigned i)
{
    struct hv *hv = c->hv;
    c->hv = view;
    c->sign = -1;
    c->quiet = true;
    audit_entry(c, tb, i, frame_ptes(view, tb->mfn)[i]);
    c->hv = hv;
    c->sign = 1;
    c->quiet = false;
    audit_entry(c, tb, i, frame_ptes(hv, tb->mfn)[i]);
}

static void audit_incr_redo_table(struct audit_ctx *c, struct hv *view, mfn_t m)
{
    bit_set(c->inc->whole, m);
    struct hv *hv = c->hv;
    c->hv = view;
    c->sign = -1;
    c->quiet = true;
    audit_table(c, m);
    c->hv = hv;
    c->sign = 1;
    c->quiet = false;
    audit_table(c, m);
}

static bool audit_incr_ctx_moved(const struct frame *a, const struct frame *b)
{
    const uint8_t held = FRAME_VALIDATED | FRAME_PARTIAL;
    return a->type != b->type || a->owner != b->owner || (a->flags & held) != (b->flags & held) ||
           ((a->flags & FRAME_PARTIAL) && a->nr_validated_ptes != b->nr_validated_ptes);
}

/* A changed or dirty table: the entries that differ, or all of them if its context moved. */
static void audit_incr_table(struct audit_ctx *c, struct hv *view, mfn_t m)
{
    struct audit_incr *in = c->inc;
    const struct frame *sf = &view->frames[m], *cf = &c->hv->frames[m];
    unsigned sn = audit_ref_entries(sf), cn = audit_ref_entries(cf);
    if ((!sn && !cn) || bit_test(in->whole, m))
        return;
    if (audit_incr_ctx_moved(sf, cf)) {
        audit_incr_redo_table(c, view, m);
        return;
    }
    if (!bit_test(c->hv->dirty, m))
        return;
    struct audit_tbl tb;
    if (!audit_tbl_begin(c, m, &tb))
        return;
    const uint64_t *now = frame_ptes(c->hv, m), *then = frame_ptes(view, m);
    /* only the chunks written since the snapshot can differ (hv->dchunk, set with the dirty bit;
       none set: all of them): a chunk of FRAME_CHUNK bytes holds 32 entries */
    _Static_assert(FRAME_CHUNK == 32U * sizeof(uint64_t), "a chunk is 32 page-table entries");
    uint32_t mask = c->hv->dchunk ? c->hv->dchunk[m] : 0;
    if (!mask)
        mask = FRAME_CHUNKS_ALL;
    /* four chunks at a time: a bare-pointer write marks them all, and one memcmp of the four
       costs less than four */
    for (unsigned q = 0; q < 4U && q * 128U < cn; q++) {
        unsigned sub = (mask >> (4U * q)) & 0xFU, b0 = q * 128U;
        if (!sub)
            continue;
        if (sub == 0xFU && b0 + 128U <= cn && !memcmp(now + b0, then + b0, 128U * sizeof(*now)))
            continue;
        for (; sub; sub &= sub - 1U) {
            unsigned i0 = b0 + (unsigned)__builtin_ctz(sub) * 32U;
            if (i0 >= cn)
                break;
            unsigned end = i0 + 32U < cn ? i0 + 32U : cn;
            if (!memcmp(now + i0, then + i0, (end - i0) * sizeof(*now)))
                continue;
            /* a program changes a few entries of a table: groups of 8 that equal are passed
               over by one test */
            for (unsigned g = i0; g < end; g += 8U) {
                unsigned ge = g + 8U < end ? g + 8U : end;
                uint64_t diff = 0;
#pragma GCC unroll 8
                for (unsigned i = g; i < ge; i++)
                    diff |= now[i] ^ then[i];
                if (!diff)
                    continue;
                for (unsigned i = g; i < ge; i++)
                    if (now[i] != then[i])
                        audit_incr_redo_entry(c, view, &tb, i);
            }
        }
    }
}

/* Entries that did not change but whose target t did: redone through the reverse map. */
static void audit_incr_target(struct audit_ctx *c, struct hv *view, mfn_t t)
{
    struct audit_incr *in = c->inc;
    const struct audit_base *b = in->b;
    if (bit_test(in->seen, t))
        return;
    bit_set(in->seen, t);
    for (uint32_t k = b->rev_start[t]; k < b->rev_start[t + 1]; k++) {
        mfn_t m = b->rev_ent[k] >> 9;
        unsigned i = b->rev_ent[k] & 511U;
        if (bit_test(in->whole, m))
            continue;
        if (bit_test(c->hv->dirty, m) && frame_ptes(c->hv, m)[i] != frame_ptes(view, m)[i])
            continue;   /* a changed word: redone with its table */
        struct audit_tbl tb;
        bool q = c->quiet;
        c->quiet = true;   /* the table-level checks are unchanged: do not repeat them */
        bool ok = audit_tbl_begin(c, m, &tb);
        c->quiet = q;
        if (ok)
            audit_incr_redo_entry(c, view, &tb, i);
    }
}

static bool audit_incr_target_moved(const struct frame *a, const struct frame *b)
{
    const uint8_t held = FRAME_VALIDATED | FRAME_PARTIAL;
    return a->type != b->type || a->owner != b->owner || (a->flags & held) != (b->flags & held);
}

/* ---- page lists, locally ----------------------------------------------------------------------- */

/* The list a list_id names, its owner and kind; NULL if none. */
static const struct page_list *audit_incr_list_of(const struct hv *hv, uint16_t id, domid_t *owner,
                                                  bool *xen_heap)
{
    *xen_heap = false;
    *owner = DOMID_INVALID;
    if (id == LIST_FREE)
        return &hv->free;
    if (id >= 2U * HV_MAX_DOMAINS)
        return NULL;
    const struct domain *d = audit_dom(hv, id / 2U);
    if (!d)
        return NULL;
    *owner = d->id;
    *xen_heap = id & 1U;
    return *xen_heap ? &d->xenpages : &d->pages;
}

/* The checks the full audit's list walk makes at frame m, from m's links and its neighbours'. */
static bool audit_incr_links(struct audit_ctx *c, mfn_t m)
{
    struct hv *hv = c->hv;
    const struct frame *f = &hv->frames[m];
    domid_t owner;
    bool xen_heap;
    const struct page_list *l = audit_incr_list_of(hv, f->list_id, &owner, &xen_heap);
    if (!l)
        return false;
    const char *name = f->list_id == LIST_FREE ? "free" : xen_heap ? "xen-heap" : "page";
    if (f->owner != owner)
        audit_add(c, INV_I7_LISTS, m, owner, owner, f->owner, "%s list: owner", name);
    bool heap = f->flags & FRAME_XEN_HEAP;
    bool released = xen_heap && !(f->flags & FRAME_ALLOCATED);
    if (owner != DOMID_INVALID && heap != xen_heap && !released)
        audit_add(c, INV_I7_LISTS, m, owner, xen_heap, heap, "%s list: xen_heap flag", name);
    bool linked = true;
    if (f->list_prev == HV_LIST_END ? l->head != m :
        !mfn_valid(hv, f->list_prev) || hv->frames[f->list_prev].list_next != m ||
        hv->frames[f->list_prev].list_id != f->list_id) {
        audit_add(c, INV_I7_LISTS, m, owner, 1, 0, "%s list: prev link points back", name);
        linked = false;
    }
    if (f->list_next == HV_LIST_END ? l->tail != m :
        !mfn_valid(hv, f->list_next) || hv->frames[f->list_next].list_prev != m ||
        hv->frames[f->list_next].list_id != f->list_id) {
        audit_add(c, INV_I7_LISTS, m, owner, 1, 0, "%s list: next link points back", name);
        linked = false;
    }
    return linked;
}

/* A list whose ends and count are the snapshot's, whose end frames' entries did not change and
   whose length did not move passes as it did then (the end checks read nothing else). then is
   NULL for a domain that did not exist at the snapshot: its lists were not checked there. */
static bool audit_incr_ends_same(const struct hv *hv, const struct page_list *l,
                                 const struct page_list *then, int64_t want)
{
    return then && l->head == then->head && l->tail == then->tail && l->count == then->count &&
           want == (int64_t)then->count &&
           (l->head == HV_LIST_END || (mfn_valid(hv, l->head) && !bit_test(hv->fdirty, l->head))) &&
           (l->tail == HV_LIST_END || (mfn_valid(hv, l->tail) && !bit_test(hv->fdirty, l->tail)));
}

static void audit_incr_list_check(struct audit_ctx *c, const struct page_list *l, uint16_t id,
                                  domid_t owner, int64_t want, const char *name)
{
    struct hv *hv = c->hv;
    if (l->count != (uint32_t)want)
        audit_add(c, INV_I7_LISTS, MFN_INVALID, owner, want, l->count, "%s list count", name);
    if ((l->head == HV_LIST_END) != (l->tail == HV_LIST_END) ||
        (l->head == HV_LIST_END) != (want == 0)) {
        audit_add(c, INV_I7_LISTS, MFN_INVALID, owner, want, l->count, "%s list ends (count)",
                  name);
        return;
    }
    if (l->head != HV_LIST_END &&
        (!mfn_valid(hv, l->head) || hv->frames[l->head].list_prev != HV_LIST_END ||
         hv->frames[l->head].list_id != id))
        audit_add(c, INV_I7_LISTS, l->head, owner, HV_LIST_END, 0, "%s list head", name);
    if (l->tail != HV_LIST_END &&
        (!mfn_valid(hv, l->tail) || hv->frames[l->tail].list_next != HV_LIST_END ||
         hv->frames[l->tail].list_id != id))
        audit_add(c, INV_I7_LISTS, l->tail, owner, HV_LIST_END, 0, "%s list tail", name);
}

/* The end checks of a list, unless they read only what the snapshot had (tested here, before
   the call: most lists are left as they were). */
static inline void audit_incr_list_ends(struct audit_ctx *c, const struct page_list *l,
                                        const struct page_list *then, uint16_t id,
                                        domid_t owner, int64_t want, const char *name)
{
    if (!audit_incr_ends_same(c->hv, l, then, want))
        audit_incr_list_check(c, l, id, owner, want, name);
}

/* The list a list_id names has the snapshot's owner and ends. */
static bool audit_incr_list_cmp(const struct hv *hv, const struct hv *view, uint16_t id)
{
    domid_t owner, then_owner;
    bool xen_heap;
    const struct page_list *l = audit_incr_list_of(hv, id, &owner, &xen_heap);
    const struct page_list *s = audit_incr_list_of(view, id, &then_owner, &xen_heap);
    return l && s && owner == then_owner && l->head == s->head && l->tail == s->tail;
}

/* audit_incr_list_cmp, once per list and run (17 lists: the free one is bit 16). */
static bool audit_incr_list_same(struct audit_incr *in, const struct hv *view, uint16_t id)
{
    _Static_assert(2U * HV_MAX_DOMAINS + 1U <= 32U, "the lists' bits fit a 32-bit mask");
    unsigned k = id == LIST_FREE ? 2U * HV_MAX_DOMAINS : id;
    if (k > 2U * HV_MAX_DOMAINS)
        return false;   /* no list has this id */
    uint32_t bit = 1U << k;
    if (!(in->lists_known & bit)) {
        in->lists_known |= bit;
        if (audit_incr_list_cmp(in->now, view, id))
            in->lists_same |= bit;
    }
    return in->lists_same & bit;
}

static bool audit_incr_link_eq(const struct frame *f, const struct frame *sf)
{
    return f->list_next == sf->list_next && f->list_prev == sf->list_prev &&
           f->list_id == sf->list_id;
}

/* Frame m (or the list end) has the snapshot's list links and list id. */
static inline bool audit_incr_link_same(const struct hv *hv, const struct hv *view, uint32_t m)
{
    if (m == HV_LIST_END)
        return true;
    return mfn_valid(hv, m) && audit_incr_link_eq(&hv->frames[m], &view->frames[m]);
}

/*
 * A changed frame whose list checks read only what the snapshot had: its list id, owner,
 * xen-heap and allocated flags and links, its neighbours' links and list ids, its list's owner
 * and ends. The snapshot was clean, so there every frame passed these checks (and was on its
 * list), and its unchanged neighbours' checks read nothing else that could have moved: a
 * neighbour's other neighbour that changed is checked from its own side.
 */
static bool audit_incr_links_same(struct audit_incr *in, const struct hv *view, mfn_t m)
{
    const struct hv *hv = in->now;
    const uint8_t read = FRAME_XEN_HEAP | FRAME_ALLOCATED;
    const struct frame *f = &hv->frames[m], *sf = &view->frames[m];
    return f->owner == sf->owner && !((f->flags ^ sf->flags) & read) &&
           audit_incr_link_eq(f, sf) && audit_incr_link_same(hv, view, f->list_prev) &&
           audit_incr_link_same(hv, view, f->list_next) &&
           audit_incr_list_same(in, view, f->list_id);
}

/*
 * I7 without walking: only frames whose entry changed can have changed lists, and the full
 * walk's checks at a frame depend on its links and its neighbours' links. Lengths move by the
 * frames that joined or left each list.
 */
static void audit_incr_lists(struct audit_ctx *c, const struct hv *view, const uint64_t *fdirty,
                             uint32_t words)
{
    struct hv *hv = c->hv;
    int64_t delta[2U * HV_MAX_DOMAINS + 1U] = { 0 };   /* last: the free list */
    for (uint32_t w = 0; w < words; w++) {
        for (uint64_t bits = fdirty[w]; bits; bits &= bits - 1U) {
            mfn_t m = (mfn_t)w * 64U + (mfn_t)__builtin_ctzll(bits);
            const struct frame *f = &hv->frames[m], *sf = &view->frames[m];
            if (audit_incr_links_same(c->inc, view, m))
                continue;   /* on its list, as loaded; joined or left none */
            audit_fx(c, m)->on_list = audit_incr_links(c, m);
            uint16_t ids[2] = { sf->list_id, f->list_id };
            for (unsigned k = 0; k < 2; k++) {
                int64_t one = k ? 1 : -1;
                if (ids[k] == LIST_FREE)
                    delta[2U * HV_MAX_DOMAINS] += one;
                else if (ids[k] < 2U * HV_MAX_DOMAINS)
                    delta[ids[k]] += one;
            }
            /* an unchanged neighbour of then still points here: its links must still hold */
            uint32_t nb[2] = { sf->list_prev, sf->list_next };
            for (unsigned k = 0; k < 2; k++)
                if (nb[k] != HV_LIST_END && mfn_valid(hv, nb[k]) && !bit_test(fdirty, nb[k]))
                    audit_incr_links(c, nb[k]);
        }
    }
    audit_incr_list_ends(c, &hv->free, &view->free, LIST_FREE, DOMID_INVALID,
                         (int64_t)view->free.count + delta[2U * HV_MAX_DOMAINS], "free");
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        int64_t pages = (int64_t)view->dom[id].pages.count + delta[LIST_PAGES(id)];
        const struct domain *o = audit_dom(view, id);
        audit_incr_list_ends(c, &d->pages, o ? &o->pages : NULL, LIST_PAGES(id), id, pages,
                             "page");
        if (d->tot_pages != pages)
            audit_add(c, INV_I7_LISTS, MFN_INVALID, id, pages, d->tot_pages,
                      "tot_pages (page list length)");
        audit_incr_list_ends(c, &d->xenpages, o ? &o->xenpages : NULL, LIST_XEN(id), id,
                             (int64_t)view->dom[id].xenpages.count + delta[LIST_XEN(id)],
                             "xen-heap");
    }
}

/* ---- the whole run ----------------------------------------------------------------------------- */

/* Maptrack entries that differ from the snapshot: their frames' grant marks may have moved. */
static void audit_incr_maptrack(struct audit_ctx *c, struct hv *view)
{
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        if (!c->hv->dom[id].exists)
            continue;
        if (!c->hv->dom[id].gnt.touched && view->dom[id].exists)
            continue;
        const struct gnt_maptrack *now = c->hv->dom[id].gnt.maptrack;
        const struct gnt_maptrack *then = view->dom[id].gnt.maptrack;
        unsigned end = c->hv->dom[id].gnt.maptrack_hi > view->dom[id].gnt.maptrack_hi
                           ? c->hv->dom[id].gnt.maptrack_hi : view->dom[id].gnt.maptrack_hi;
        if (end > GNT_MAX_MAPTRACK)
            end = GNT_MAX_MAPTRACK;
        for (unsigned k = 0; k < end; k++) {
            if (!now[k].in_use && !then[k].in_use)
                continue;
            if (now[k].in_use == then[k].in_use && now[k].mfn == then[k].mfn)
                continue;
            if (then[k].in_use && mfn_valid(view, then[k].mfn))
                audit_incr_target(c, view, then[k].mfn);
            if (now[k].in_use && mfn_valid(c->hv, now[k].mfn))
                audit_incr_target(c, view, now[k].mfn);
        }
    }
}

unsigned audit_run_incr(struct hv *hv, struct audit_base *b, struct audit_report *report)
{
    if (!b || b->nr_frames != hv->nr_frames || !hv->dirty || !hv->fdirty)
        return audit_run(hv, report);
    /* kept violations are read up to report->n: the rest of the report needs no clearing */
    report->total = 0;
    report->n = 0;
    struct audit_incr in = { .b = b, .now = hv, .gnt_refs = -1, .evtchn_ports = -1 };
    struct audit_ctx ctx = { .hv = hv, .r = report, .sign = 1 };
    struct audit_ctx *c = &ctx;
    struct hv *view = &b->view;
    uint32_t words = (hv->nr_frames + 63U) / 64U;

    if (hv->bug_msg)
        audit_add(c, INV_BUG, MFN_INVALID, DOMID_INVALID, 0, 1, "monitor BUG(): %s",
                  hv->bug_msg);
    if (!audit_scratch_get(c, false) || !audit_incr_scratch(hv->nr_frames)) {
        audit_add(c, INV_NONE, MFN_INVALID, DOMID_INVALID, 0, 0, "audit: out of memory");
        return report->total;
    }
    if (++audit_incr_gen == 0) {
        memset(audit_incr_stamp, 0, audit_incr_cap * sizeof(*audit_incr_stamp));
        audit_incr_gen = 1;
    }
    in.list = audit_incr_list;
    in.whole = audit_incr_bits;
    in.seen = audit_incr_bits + (audit_incr_cap + 63U) / 64U;
    memset(in.whole, 0, words * sizeof(uint64_t));
    memset(in.seen, 0, words * sizeof(uint64_t));
    c->inc = &in;

    /* which frames the current maptrack grants (entries loaded here start with no marks) */
    audit_gnt_mark(c);
    /* the tables of a domain whose life state moved, whole: those it owns now are on its page
       list; those it owned then and no longer are changed frames, redone below */
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id];
        if (view->dom[id].exists && !d->exists) {
            audit_incr_load_list(c, view, &view->dom[id].pages);
            audit_incr_load_list(c, view, &view->dom[id].xenpages);
        }
        if (!audit_incr_life_moved(d, &view->dom[id]))
            continue;
        uint32_t m = d->pages.head;
        for (uint32_t k = 0; k < hv->nr_frames && mfn_valid(hv, m); k++) {
            if (!bit_test(in.whole, m) &&
                (audit_ref_entries(&hv->frames[m]) || audit_ref_entries(&view->frames[m])))
                audit_incr_redo_table(c, view, m);
            m = hv->frames[m].list_next;
        }
    }
    /* frames whose entry or memory changed: their own flags, and the tables among them */
    for (uint32_t w = 0; w < words; w++) {
        uint64_t any = hv->dirty[w] | hv->fdirty[w];
        for (uint64_t bits = any; bits; bits &= bits - 1U) {
            mfn_t m = (mfn_t)w * 64U + (mfn_t)__builtin_ctzll(bits);
            if (!bit_test(hv->fdirty, m) ||
                !memcmp(&hv->frames[m], &view->frames[m], sizeof(hv->frames[m]))) {
                /* memory alone changed, or the entry was written back as the snapshot had it (a
                   page mapped and unmapped): of the per-frame checks only I9's and the m2p's (a
                   free frame) and the descriptor page's read more; a table's entries are redone
                   below and load the frames whose expectations they move */
                const struct frame *f = &hv->frames[m];
                if (f->owner == DOMID_INVALID || f->type == PGT_seg_desc)
                    audit_fx(c, m);
                continue;
            }
            audit_fx(c, m);
            /* own refs are a function of four flags: equal flags, equal refs */
            const uint8_t own = FRAME_ALLOCATED | FRAME_PINNED | FRAME_PARTIAL | FRAME_XEN_HEAP;
            if (!((hv->frames[m].flags ^ view->frames[m].flags) & own))
                continue;
            c->hv = view;
            c->sign = -1;
            audit_self_refs(c, m);
            c->hv = hv;
            c->sign = 1;
            audit_self_refs(c, m);
        }
        for (uint64_t bits = any; bits; bits &= bits - 1U)
            audit_incr_table(c, view, (mfn_t)w * 64U + (mfn_t)__builtin_ctzll(bits));
    }
    /* unchanged entries pointing at frames that changed under them */
    for (uint32_t w = 0; w < words; w++) {
        for (uint64_t bits = hv->fdirty[w]; bits; bits &= bits - 1U) {
            mfn_t m = (mfn_t)w * 64U + (mfn_t)__builtin_ctzll(bits);
            if (audit_incr_target_moved(&view->frames[m], &hv->frames[m]))
                audit_incr_target(c, view, m);
        }
    }
    audit_incr_maptrack(c, view);

    /* the domain-wide sources and checks, whole; the snapshot's base pointers and device maps
       taken back */
    c->hv = view;
    c->sign = -1;
    c->quiet = true;
    audit_vcpu_bases(c);
    audit_gnt_dev_refs(c);
    c->hv = hv;
    c->sign = 1;
    c->quiet = false;
    audit_vcpu_pass(c);
    audit_gnttab_pass(c);
    audit_evtchn_pass(c);
    audit_dev_pass(c);
    audit_state_pass(c);
    audit_logdirty_pass(c);
    audit_incr_lists(c, view, hv->fdirty, words);

    audit_frame_list(c, in.list, in.n);
    return report->total;
}
