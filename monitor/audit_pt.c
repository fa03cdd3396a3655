/* Audit passes over page-table entries and vCPUs: counts they hold, I3 I4 I5 I8 inputs, VCPU. */
#include <stdarg.h>
#include <stdio.h>
#include "audit_priv.h"

static uint64_t audit_disallow(unsigned level)
{
    switch (level) {
    case 1: return L1_DISALLOW_MASK;
    case 2: return L2_DISALLOW_MASK;
    case 3: return L3_DISALLOW_MASK;
    default: return L4_DISALLOW_MASK;
    }
}

static void audit_l1e(struct audit_ctx *c, const struct audit_tbl *tb, unsigned i, uint64_t e)
{
    struct hv *hv = c->hv;
    uint64_t bad = e & tb->l1_disallow;
    if (bad)
        audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, 0, (int64_t)bad,
                  "l1 entry %u disallowed flags", i);
    mfn_t t = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    if (!mfn_valid(hv, t)) {
        audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, hv->nr_frames, (int64_t)t,
                  "l1 entry %u target below nr_frames: mfn", i);
        return;
    }
    audit_fx(c, t)->count += (uint32_t)c->sign;
    if (e & _PAGE_RW)
        audit_writable_ref(c, t, tb->owner, "l1 entry", i);

    const struct frame *tf = &hv->frames[t];
    /* unowned targets are I6's; a domain may map its own frames and frames granted to it */
    if (tb->isolated && tf->owner != DOMID_INVALID && tf->owner != tb->owner &&
        !audit_granted(c, tb->owner, t))
        audit_add(c, INV_I5_ISOLATION, t, tb->owner, tb->owner, tf->owner,
                  "l1 entry %u of table 0x%llx maps frame of another domain: owner", i,
                  (unsigned long long)tb->mfn);
}

static void audit_upper_e(struct audit_ctx *c, const struct audit_tbl *tb, unsigned i, uint64_t e)
{
    struct hv *hv = c->hv;
    unsigned L = tb->level;
    uint64_t bad = e & audit_disallow(L);
    if (bad)
        audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, 0, (int64_t)bad,
                  "l%u entry %u disallowed flags", L, i);
    mfn_t t = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    if (!mfn_valid(hv, t)) {
        audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, hv->nr_frames, (int64_t)t,
                  "l%u entry %u target below nr_frames: mfn", L, i);
        return;
    }
    const struct frame *tf = &hv->frames[t];
    if (t == tb->mfn) {
        /* a self-reference holds no refs; writable, it maps this table writable (XSA-182) */
        if (e & _PAGE_RW)
            audit_add(c, INV_I3_WRITABLE, t, tb->owner, 0, 1,
                      "l%u entry %u writable self-reference", L, i);
        return;
    }
    struct audit_fexp *x = audit_fx(c, t);
    x->count += (uint32_t)c->sign;
    bool linear;
    if (tf->type == L - 1) {
        linear = false;
    } else if (tf->type == L) {
        linear = true;
    } else {
        if (tf->owner != DOMID_INVALID)
            audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, L - 1, tf->type,
                      "l%u entry %u target 0x%llx type", L, i, (unsigned long long)t);
        return;
    }
    x->type_count += (uint32_t)c->sign;
    if (tf->owner == DOMID_INVALID)
        return;
    if (tf->owner != tb->owner)
        audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, tb->owner, tf->owner,
                  "l%u entry %u target 0x%llx owner", L, i, (unsigned long long)t);
    if (!(tf->flags & FRAME_VALIDATED))
        audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, FRAME_VALIDATED,
                  tf->flags & (FRAME_VALIDATED | FRAME_PARTIAL),
                  "l%u entry %u target 0x%llx validated flags", L, i, (unsigned long long)t);
    if (linear) {
        x->lin_in += (uint16_t)c->sign;
        audit_fx(c, tb->mfn)->lin_out += (uint16_t)c->sign;
        /* a writable linear entry is a writable mapping of a page table (XSA-182) */
        if (e & _PAGE_RW)
            audit_add(c, INV_I3_WRITABLE, t, tb->owner, 0, 1,
                      "writable linear l%u entry %u of table 0x%llx", L, i,
                      (unsigned long long)tb->mfn);
    }
}

bool audit_tbl_begin(struct audit_ctx *c, mfn_t m, struct audit_tbl *tb)
{
    struct hv *hv = c->hv;
    const struct frame *f = &hv->frames[m];
    unsigned n = audit_ref_entries(f);
    if (!n)
        return false;
    const struct domain *d = audit_dom(hv, f->owner);
    *tb = (struct audit_tbl){
        .mfn = m, .level = f->type, .owner = f->owner,
        .isolated = d && !d->dying && !d->privileged,
        .l1_disallow = pt_l1_disallow(hv, f->owner),
    };
    if ((f->flags & (FRAME_VALIDATED | FRAME_PARTIAL)) == (FRAME_VALIDATED | FRAME_PARTIAL))
        audit_add(c, INV_I4_TABLES, m, f->owner, 0, 1, "%s both validated and partial",
                  audit_type_name(f->type));
    if ((f->flags & FRAME_PARTIAL) && f->nr_validated_ptes > PTES_PER_TABLE)
        audit_add(c, INV_I4_TABLES, m, f->owner, PTES_PER_TABLE, f->nr_validated_ptes,
                  "nr_validated_ptes at most");
    return true;
}

void audit_entry(struct audit_ctx *c, const struct audit_tbl *tb, unsigned i, uint64_t e)
{
    if (tb->level == 4 && i >= XEN_L4_FIRST_SLOT && i <= XEN_L4_LAST_SLOT) {
        /* Xen's slots: validation zeroes them and they never hold refs */
        if (e)
            audit_add(c, INV_I4_TABLES, tb->mfn, tb->owner, 0, (int64_t)(e >> PAGE_SHIFT),
                      "xen l4 slot %u (entry >> 12)", i);
        return;
    }
    if (!(e & _PAGE_PRESENT))
        return;
    if (tb->level == 1)
        audit_l1e(c, tb, i, e);
    else
        audit_upper_e(c, tb, i, e);
}

void audit_table(struct audit_ctx *c, mfn_t m)
{
    struct audit_tbl tb;
    if (!audit_tbl_begin(c, m, &tb))
        return;
    unsigned n = audit_ref_entries(&c->hv->frames[m]);
    const uint64_t *pte = frame_ptes(c->hv, m);
    /* most entries are zero, which hold nothing and break no rule: skipped eight at a time */
    unsigned i = 0;
    for (; i + 8 <= n; i += 8) {
        const uint64_t *p = pte + i;
        if (!(p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7]))
            continue;
        for (unsigned k = 0; k < 8; k++)
            if (p[k])
                audit_entry(c, &tb, i + k, p[k]);
    }
    for (; i < n; i++)
        if (pte[i])
            audit_entry(c, &tb, i, pte[i]);
}

void audit_pt_pass(struct audit_ctx *c)
{
    for (mfn_t m = 0; m < c->hv->nr_frames; m++)
        audit_table(c, m);
}

void audit_typed_ref(struct audit_ctx *c, enum audit_inv inv, const struct domain *d, mfn_t t,
                     uint8_t type, bool validated, const char *fmt, ...)
{
    struct hv *hv = c->hv;
    const struct frame *f = mfn_valid(hv, t) ? &hv->frames[t] : NULL;
    char name[64];
    va_list ap;

    if (f) {
        struct audit_fexp *x = audit_fx(c, t);
        x->count += (uint32_t)c->sign;
        if (f->type == type)
            x->type_count += (uint32_t)c->sign;
        if (f->owner == DOMID_INVALID)
            return;   /* I6 reports references to free frames */
        if (f->type == type && (!validated || (f->flags & FRAME_VALIDATED)) && f->owner == d->id)
            return;
    }
    /* named only for a report: the audit passes here for every reference it counts */
    va_start(ap, fmt);
    vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    if (!f) {
        audit_add(c, inv, t, d->id, hv->nr_frames, (int64_t)t, "%s below nr_frames: mfn", name);
        return;
    }
    if (f->type != type)
        audit_add(c, inv, t, d->id, type, f->type, "%s type", name);
    else if (validated && !(f->flags & FRAME_VALIDATED))
        audit_add(c, inv, t, d->id, FRAME_VALIDATED, f->flags & (FRAME_VALIDATED | FRAME_PARTIAL),
                  "%s validated flags", name);
    if (f->owner != d->id)
        audit_add(c, inv, t, d->id, d->id, f->owner, "%s owner", name);
}

/*
 * An upper-level update flushes the owner's TLBs (XSA-286), and only a successful walk fills a TLB,
 * so every cached translation still lies under present L4..L2 entries of the vCPU's table: only an
 * L1 entry may have changed behind it (flushing after those is the guest's business). A hardware
 * walk of the raw entries, independent of monitor/walk.c. Returns the level whose entry for va is
 * gone (4..2), or 0.
 */
static unsigned audit_tlb_unhooked_level(struct hv *hv, mfn_t cr3, gva_t va)
{
    mfn_t t = cr3;
    for (unsigned level = 4; level >= 2; level--) {
        if (!mfn_valid(hv, t))
            return level;
        unsigned idx = (unsigned)((va >> (PAGE_SHIFT + 9U * (level - 1U))) & 511U);
        uint64_t e = frame_ptes(hv, t)[idx];
        if (!(e & _PAGE_PRESENT))
            return level;
        if (level < 4 && (e & _PAGE_PSE))
            return 0;   /* a large page ends the walk here */
        t = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    }
    return 0;
}

/* state: also TLB's checks of vCPU i of slot id (the incremental audit's one scan of the TLBs). */
static void audit_tlb(struct audit_ctx *c, const struct domain *d, const struct vcpu *v, bool state,
                      domid_t id, unsigned i)
{
    struct hv *hv = c->hv;
    if (state)
        audit_tlb_clock(c, id, i, v);
    /* most entries are invalid: their flags gathered first, then only the valid ones visited */
    _Static_assert(HV_TLB_ENTRIES <= 32, "a vCPU's valid TLB entries fit a 32-bit mask");
    uint32_t valid = 0;
#pragma GCC unroll 16
    for (unsigned k = 0; k < HV_TLB_ENTRIES; k++)
        valid |= (uint32_t)v->tlb[k].valid << k;
    for (; valid; valid &= valid - 1U) {
        unsigned k = (unsigned)__builtin_ctz(valid);
        const struct tlb_entry *e = &v->tlb[k];
        if (state)
            audit_tlb_slot(c, id, i, v, k);
        unsigned gone = d->dying || v->guest_table == MFN_INVALID ? 0 :
                        audit_tlb_unhooked_level(hv, v->guest_table, e->va);
        if (gone)
            audit_add(c, INV_I5_ISOLATION, e->mfn, d->id, 0, gone,
                      "vcpu %u tlb va 0x%llx outlived its upper-level entry: level", v->id,
                      (unsigned long long)e->va);
        if (!mfn_valid(hv, e->mfn)) {
            audit_add(c, INV_I5_ISOLATION, e->mfn, d->id, hv->nr_frames, (int64_t)e->mfn,
                      "vcpu %u tlb va 0x%llx below nr_frames: mfn", v->id,
                      (unsigned long long)e->va);
            continue;
        }
        const struct frame *f = &hv->frames[e->mfn];
        /* stale entries for free frames are legal: reallocation flushes them (tlbflush_filter) */
        if (f->owner == DOMID_INVALID)
            continue;
        bool protected_type = PGT_IS_PT(f->type) || f->type == PGT_seg_desc ||
                              f->type == PGT_shared;
        if ((e->flags & _PAGE_RW) && protected_type)
            audit_add(c, INV_I3_WRITABLE, e->mfn, d->id, PGT_writable, f->type,
                      "vcpu %u writable tlb va 0x%llx maps %s frame: type", v->id,
                      (unsigned long long)e->va, audit_type_name(f->type));
        if (!d->dying && !d->privileged && f->owner != d->id && !audit_granted(c, d->id, e->mfn))
            audit_add(c, INV_I5_ISOLATION, e->mfn, d->id, d->id, f->owner,
                      "vcpu %u tlb va 0x%llx maps frame of another domain: owner", v->id,
                      (unsigned long long)e->va);
    }
}

/* The FIFO ABI's pages: present only while the domain uses it, the array within its bound, each
   held by a general and a writable type ref on a frame of d's own. */
static void audit_fifo(struct audit_ctx *c, const struct domain *d)
{
    const struct evtchn_fifo *fifo = &d->fifo;
    uint32_t pages = fifo->nr_array;

    if (pages > EVTCHN_FIFO_MAX_ARRAY_PAGES) {
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, EVTCHN_FIFO_MAX_ARRAY_PAGES, pages,
                  "fifo event array pages at most");
        pages = EVTCHN_FIFO_MAX_ARRAY_PAGES;
    }
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        if (!fifo->control[i])
            continue;
        if (!fifo->on || i >= d->nr_vcpus)
            audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, 0, 1,
                      "fifo control block of vcpu %u without the ABI or the vcpu", i);
        audit_typed_ref(c, INV_EVTCHN, d, fifo->control[i] - 1U, PGT_writable, false,
                        "fifo control block %u", i);
    }
    if (pages && !fifo->on)
        audit_add(c, INV_EVTCHN, MFN_INVALID, d->id, 0, pages, "fifo array pages without the ABI");
    for (uint32_t i = 0; i < pages; i++)
        audit_typed_ref(c, INV_EVTCHN, d, d->fifo_array[i], PGT_writable, false,
                        "fifo array page %u", i);
}

static bool audit_vcpu_frame_moved(const struct hv *now, mfn_t m)
{
    return mfn_valid(now, m) && ((now->fdirty[m / 64U] >> (m % 64U)) & 1U);
}

/* Incremental audit: vCPU i of domain id holds the snapshot's references (base pointers, GDT
   frames, LDT bounds) to frames whose entries did not change, so its contributions then and now
   cancel and its checks pass as they did then: skipped on both sides alike. */
static bool audit_vcpu_refs_cmp(const struct audit_ctx *c, domid_t id, unsigned i)
{
    const struct hv *now = c->inc->now;
    const struct domain *d = &now->dom[id], *o = &c->inc->b->view.dom[id];
    if (!d->exists || !o->exists || d->id != o->id)
        return false;
    const struct vcpu *v = &d->vcpu[i], *w = &o->vcpu[i];
    if (v->id != w->id || v->guest_table != w->guest_table ||
        v->guest_table_user != w->guest_table_user || v->old_guest_table != w->old_guest_table ||
        v->gdt_ents != w->gdt_ents || v->ldt_ents != w->ldt_ents || v->ldt_base != w->ldt_base ||
        v->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return false;
    if (audit_vcpu_frame_moved(now, v->guest_table) ||
        audit_vcpu_frame_moved(now, v->guest_table_user))
        return false;
    for (unsigned k = 0; k < vcpu_gdt_frames(v); k++)
        if (v->gdt_frames[k] != w->gdt_frames[k] || audit_vcpu_frame_moved(now, v->gdt_frames[k]))
            return false;
    return true;
}

/* audit_vcpu_refs_cmp, once per run: the snapshot's side and the current one ask alike. */
static bool audit_vcpu_refs_same(const struct audit_ctx *c, domid_t id, unsigned i)
{
    struct audit_incr *in = c->inc;
    uint8_t bit = (uint8_t)(1U << i);
    if (!(in->vcpu_known[id] & bit)) {
        in->vcpu_known[id] |= bit;
        if (audit_vcpu_refs_cmp(c, id, i))
            in->vcpu_same[id] |= bit;
    }
    return in->vcpu_same[id] & bit;
}

static void audit_vcpus(struct audit_ctx *c, bool tlbs)
{
    struct hv *hv = c->hv;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        audit_fifo(c, d);
        /* every slot, not only nr_vcpus: a ref hidden in an unused vCPU still counts */
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
            const struct vcpu *v = &d->vcpu[i];
            if (tlbs)
                audit_tlb(c, d, v, c->inc != NULL, id, i);
            if (c->inc && audit_vcpu_refs_same(c, id, i))
                continue;
            /* a base pointer: a general and an L4 type ref on a validated L4 of d's own */
            if (v->guest_table != MFN_INVALID)
                audit_typed_ref(c, INV_VCPU, d, v->guest_table, PGT_l4, true,
                                "vcpu %u guest_table", v->id);
            if (v->guest_table_user != MFN_INVALID)
                audit_typed_ref(c, INV_VCPU, d, v->guest_table_user, PGT_l4, true,
                                "vcpu %u guest_table_user", v->id);
            audit_vcpu_desc(c, d, v);
            if (v->old_guest_table != MFN_INVALID && !mfn_valid(hv, v->old_guest_table))
                audit_add(c, INV_VCPU, v->old_guest_table, id, hv->nr_frames,
                          (int64_t)v->old_guest_table, "vcpu %u old_guest_table below nr_frames",
                          v->id);
        }
    }
}

void audit_vcpu_pass(struct audit_ctx *c)
{
    audit_vcpus(c, true);
}

void audit_vcpu_bases(struct audit_ctx *c)
{
    audit_vcpus(c, false);
}
