/* The toolstack's save, restore and pre-copy rounds, through the monitor's privileged interfaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvfuzz/migrate.h"
#include "hvfuzz/hypercall.h"
#include "mm_private.h"

/* Work bound of the source's destruction (each call relinquishes some; patterns may preempt). */
#define MIG_DESTROY_CALLS 4096U

void mig_free(struct hv *hv)
{
    if (!hv->mig_stream)
        return;
    free(hv->mig_stream->s.data);
    free(hv->mig_stream->o.data);
    free(hv->mig_stream);
    hv->mig_stream = NULL;
    hv->mig_lazy = NULL;
}

int mig_alloc(struct hv *hv)
{
    struct mig_stream *m = calloc(1, sizeof(*m));
    if (!m)
        return -XEN_ENOMEM;
    m->s.data = calloc(HV_MAX_GFNS, PAGE_SIZE);
    m->o.data = calloc(HV_MAX_GFNS, PAGE_SIZE);
    if (!m->s.data || !m->o.data) {
        free(m->s.data);
        free(m->o.data);
        free(m);
        return -XEN_ENOMEM;
    }
    hv->mig_stream = m;
    hv->mig_lazy = m->lazy;
    return 0;
}

/* pfn's page is no longer held by reference (its data is about to be replaced, or was copied). */
static void mig_lazy_drop(struct mig_stream *m, uint32_t pfn)
{
    uint32_t ref = m->lazy_mfn[pfn];
    if (!ref)
        return;
    m->lazy[(ref - 1U) / 64U] &= ~(1ULL << ((ref - 1U) % 64U));
    m->lazy_mfn[pfn] = 0;
}

void mig_lazy_fill(struct hv *hv, mfn_t mfn)
{
    struct mig_stream *m = hv->mig_stream;
    uint32_t pfn = m->lazy_pfn[mfn];
    memcpy(m->s.data + (size_t)pfn * PAGE_SIZE, frame_mem(hv, mfn), PAGE_SIZE);
    mig_lazy_drop(m, pfn);
}

void mig_stream_fill(struct hv *hv)
{
    struct mig_stream *m = hv->mig_stream;
    /* only pfns below the stream's nr_pfns are ever sent (mig_begin clears up to it) */
    for (uint32_t pfn = 0; m && pfn < m->s.nr_pfns && pfn < HV_MAX_GFNS; pfn++)
        if (m->lazy_mfn[pfn])
            mig_lazy_fill(hv, m->lazy_mfn[pfn] - 1U);
}

/* The stream's copy of pfn is frame mfn as it is now: by reference unless another pfn already
   holds the frame so (then copied now). */
static void mig_send_copy(struct hv *hv, struct mig_stream *m, uint32_t pfn, mfn_t mfn)
{
    mig_lazy_drop(m, pfn);
    if ((m->lazy[mfn / 64U] >> (mfn % 64U)) & 1U) {
        memcpy(m->s.data + (size_t)pfn * PAGE_SIZE, frame_mem(hv, mfn), PAGE_SIZE);
        return;
    }
    m->lazy[mfn / 64U] |= 1ULL << (mfn % 64U);
    m->lazy_pfn[mfn] = (uint16_t)pfn;
    m->lazy_mfn[pfn] = (uint32_t)mfn + 1U;
}

/* mfn -> pfn as the save canonicalises: by the m2p, checked against the p2m (Xen's
   mfn_in_pseudophysmap); false for a frame outside the domain's pseudo-physical map. */
static bool mig_mfn_to_pfn(const struct hv *hv, const struct domain *d, mfn_t mfn, uint64_t *pfn)
{
    if (!mfn_valid(hv, mfn))
        return false;
    uint64_t p = hv->m2p[mfn];
    if (p >= HV_MAX_GFNS || d->p2m[p] != mfn)
        return false;
    *pfn = p;
    return true;
}

/* A pfn's page type as getpageframeinfo3 reports it: the PT type of a validated table. */
static uint8_t mig_pfn_type(const struct frame *f)
{
    return PGT_IS_PT(f->type) && (f->flags & FRAME_VALIDATED) ? f->type : PGT_none;
}

/* A page table's entries canonical (pfn in place of mfn, Xen's slots empty) in e; -ERANGE when
   an entry maps a frame outside the domain's pseudo-physical map (Xen: "Bad mfn") or is a grant
   mapping (the stream carries none: a guest unmaps its grants before the last round). */
static int mig_canon(const struct hv *hv, const struct domain *d, mfn_t mfn, uint8_t type,
                     uint64_t *e)
{
    if (type == PGT_none)
        return 0;
    /* Xen's slots first: they are emptied whatever they hold, so the scan below skips them */
    if (pgt_level(type) == 4)
        memset(e + XEN_L4_FIRST_SLOT, 0,
               (XEN_L4_LAST_SLOT - XEN_L4_FIRST_SLOT + 1U) * sizeof(*e));
    /* grant mappings are few: an L1 none of them is in needs no question per entry */
    bool grants = type == PGT_l1 && gnttab_frame_held(hv, mfn);
    /* tables are mostly empty: four entries at a time until one is present */
    for (unsigned b = 0; b < PTES_PER_TABLE; b += 4) {
        if (!pte_present(e[b] | e[b + 1] | e[b + 2] | e[b + 3]))
            continue;
        for (unsigned i = b; i < b + 4; i++) {
            if (!pte_present(e[i]))
                continue;
            uint64_t p;
            if ((grants && gnttab_pte_held(hv, mfn, i)) ||
                !mig_mfn_to_pfn(hv, d, pte_mfn(e[i]), &p))
                return -XEN_ERANGE;
            e[i] = (e[i] & ~PTE_ADDR_MASK) | (p << PAGE_SHIFT);
        }
    }
    return 0;
}

/*
 * Send pfn into the stream: its type, pin and contents, a page table's canonical. -ERANGE from
 * mig_canon: a live round sends the page again later, the last one fails the save.
 */
static int mig_send(struct hv *hv, const struct domain *d, struct mig_image *s, uint32_t pfn,
                    uint8_t round)
{
    struct mig_page *pg = &s->page[pfn];
    uint8_t *dst = s->data + (size_t)pfn * PAGE_SIZE;
    mfn_t mfn = d->p2m[pfn];

    if (!mfn_valid(hv, mfn)) {
        mig_lazy_drop(hv->mig_stream, pfn);
        memset(pg, 0, sizeof(*pg));
        memset(dst, 0, PAGE_SIZE);
        pg->sent = true;
        pg->round = round;
        return 0;
    }
    const struct frame *f = &hv->frames[mfn];
    uint8_t type = mig_pfn_type(f);
    /* HV_BUG_MIG_CANON: a page table sent again in a later round goes as it is, mfns and all
       (the pre-fix save canonicalised only the pages of its first pass) */
    bool raw = hv_bug_on(hv, HV_BUG_MIG_CANON) && round > 0;
    if (type == PGT_none || raw) {
        mig_send_copy(hv, hv->mig_stream, pfn, mfn);
    } else {
        /* canonicalised aside: a table that cannot be sent leaves the stream's copy as it was */
        uint64_t e[PTES_PER_TABLE];
        memcpy(e, frame_mem(hv, mfn), PAGE_SIZE);
        if (mig_canon(hv, d, mfn, type, e) < 0)
            return -XEN_ERANGE;
        mig_lazy_drop(hv->mig_stream, pfn);
        memcpy(dst, e, PAGE_SIZE);
    }
    pg->present = true;
    pg->sent = true;
    pg->type = type;
    pg->pinned = (f->flags & FRAME_PINNED) != 0;
    pg->round = round;
    return 0;
}

/* Send every pfn not in the stream yet and those the bitmap names; -ERANGE stops a last round. */
static long mig_send_round(struct hv *hv, struct domain *d, struct mig_image *s,
                           const uint64_t *bitmap, bool last)
{
    long sent = 0;
    for (uint32_t pfn = 0; pfn < s->nr_pfns; pfn++) {
        bool dirty = bitmap && ((bitmap[pfn / 64U] >> (pfn % 64U)) & 1U);
        if (s->page[pfn].sent && !dirty)
            continue;
        int rc = mig_send(hv, d, s, pfn, hv->mig.round);
        if (rc < 0) {
            if (last)
                return rc;
            s->page[pfn].sent = false;   /* retried in the next round */
            continue;
        }
        sent++;
    }
    return sent;
}

/* The log-dirty clean a round makes: the bitmap into bm, cleared in the domain (Xen's CLEAN). */
static void mig_clean(struct hv *hv, struct domain *d, uint64_t *bm)
{
    memcpy(bm, d->ld_bitmap, sizeof(d->ld_bitmap));
    logdirty_clean(hv, d);
    hv->mig.session = d->ld_session;
}

/* The migration of dom, if one is in progress and nobody else used its log-dirty session. */
static struct domain *mig_source(struct hv *hv, domid_t dom, long *err)
{
    struct domain *d = dom_get(hv, dom);
    *err = 0;
    if (!hv->mig.active || hv->mig.src != dom || !d) {
        *err = -XEN_EINVAL;
        return NULL;
    }
    /* destroyed, or the bitmap cleaned or the mode switched by another caller: writes may
       have gone unmarked, so the stream cannot be trusted (a toolstack aborts) */
    if (d->dying || !d->logdirty || d->ld_session != hv->mig.session) {
        *err = -XEN_EBUSY;
        return NULL;
    }
    return d;
}

/* A failed migration: the toolstack switches log-dirty mode off (shadow_op OFF), as libxc does. */
static void mig_abort(struct hv *hv, struct domain *d)
{
    if (d && d->logdirty && !d->dying)
        logdirty_disable(hv, d);
    hv->mig.active = false;
}

static long mig_begin(struct hv *hv, domid_t dom)
{
    struct domain *d = dom_get(hv, dom);
    if (!d)
        return -XEN_ESRCH;
    if (hv->mig.active)
        return -XEN_EBUSY;
    /* a toolstack migrates guests: not itself, nor a dying or shut-down domain */
    if (d->privileged || d->dying || d->shutdown || d->logdirty)
        return -XEN_EINVAL;
    struct mig_stream *m = hv->mig_stream;
    if (!m)
        return -XEN_ENOMEM;
    logdirty_enable(hv, d);
    hv->mig.active = true;
    hv->mig.src = dom;
    hv->mig.round = 0;
    hv->mig.session = d->ld_session;
    /* only pfns below a stream's nr_pfns are ever sent, and it only grows until the next begin:
       the entries of the last stream's are all that can be set (the allocation starts zero);
       none of its pages stays held by reference */
    for (uint32_t pfn = 0; pfn < m->s.nr_pfns; pfn++)
        mig_lazy_drop(m, pfn);
    memset(m->s.page, 0, m->s.nr_pfns * sizeof(m->s.page[0]));
    m->s.nr_pfns = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    long rc = mig_send_round(hv, d, &m->s, NULL, false);
    return rc < 0 ? rc : 0;
}

static long mig_round(struct hv *hv, domid_t dom)
{
    long rc;
    struct domain *d = mig_source(hv, dom, &rc);
    if (!d) {
        if (rc == -XEN_EBUSY)
            mig_abort(hv, dom_get(hv, dom));
        return rc;
    }
    if (hv->mig.round >= MIG_MAX_ROUND)
        return -XEN_EAGAIN;
    struct mig_image *s = &hv->mig_stream->s;
    uint64_t bm[HV_MAX_GFNS / 64U];
    mig_clean(hv, d, bm);
    hv->mig.round++;
    /* pfns populated since the first pass are new to the stream */
    if (d->p2m_top > s->nr_pfns)
        s->nr_pfns = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    return mig_send_round(hv, d, s, bm, false);
}

/* The vCPU state the stream carries as it is, from src to dst (a struct vcpu and a struct
   mig_vcpu, either way round): one list for the save, the restore and the oracle. The base
   pointers travel as pfns, outside it. */
#define MIG_VCPU_COPY(dst, src) do {                                \
        (dst)->up = (src)->up;                                      \
        (dst)->initialised = (src)->initialised;                    \
        (dst)->uregs = (src)->uregs;                                \
        memcpy((dst)->traps, (src)->traps, sizeof((dst)->traps));   \
        (dst)->msr = (src)->msr;                                    \
        (dst)->cont = (src)->cont;                                  \
        (dst)->cr2 = (src)->cr2;                                    \
        (dst)->kernel_sp = (src)->kernel_sp;                        \
        (dst)->kernel_ss = (src)->kernel_ss;                        \
        (dst)->upcall_mask = (src)->upcall_mask;                    \
        (dst)->fpu_ts = (src)->fpu_ts;                              \
        (dst)->iopl = (src)->iopl;                                  \
        memcpy((dst)->cb, (src)->cb, sizeof((dst)->cb));            \
        (dst)->cb_mask = (src)->cb_mask;                            \
        memcpy((dst)->dr, (src)->dr, sizeof((dst)->dr));            \
        (dst)->dr6 = (src)->dr6;                                    \
        (dst)->dr7 = (src)->dr7;                                    \
        (dst)->dr7_emul = (src)->dr7_emul;                          \
        (dst)->ldt_base = (src)->ldt_base;                          \
        (dst)->ldt_ents = (src)->ldt_ents;                          \
    } while (0)

void mig_vcpu_get(struct mig_vcpu *sv, const struct vcpu *v, uint64_t cr3_pfn,
                  uint64_t cr3u_pfn)
{
    memset(sv, 0, sizeof(*sv));
    MIG_VCPU_COPY(sv, v);
    sv->cr3_pfn = cr3_pfn;
    sv->cr3u_pfn = cr3u_pfn;
    sv->gdt_ents = v->gdt_ents;   /* its frames' pfns: the caller's (mig_vcpu_gdt_pfns) */
}

void mig_vcpu_put(struct vcpu *v, const struct mig_vcpu *sv)
{
    MIG_VCPU_COPY(v, sv);
}

void mig_dom_get(struct mig_image *img, const struct domain *d)
{
    img->max_pages = d->max_pages;
    img->nr_vcpus = d->nr_vcpus;
    img->vm_assist = d->vm_assist;
    img->cpuid = d->cpuid;
}

void mig_dom_put(struct domain *d, const struct mig_image *img)
{
    d->vm_assist = img->vm_assist;
    d->cpuid = img->cpuid;
}

/* A base pointer as the save sends it: its pfn by the m2p, GFN_INVALID for none or a frame
   outside the pseudo-physical map. */
static uint64_t mig_save_pfn(const struct hv *hv, const struct domain *d, mfn_t mfn)
{
    uint64_t pfn;
    return mig_mfn_to_pfn(hv, d, mfn, &pfn) ? pfn : GFN_INVALID;
}

/* The vCPUs and the domain's settings into the stream; -ERANGE when a base pointer or a GDT
   frame lies outside the pseudo-physical map and cannot be sent (Xen: "Bad CR3", "GDT frame is
   not in range of pseudophys map"). */
static int mig_save_vcpus(const struct hv *hv, const struct domain *d, struct mig_image *s)
{
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        const struct vcpu *v = &d->vcpu[i];
        struct mig_vcpu *sv = &s->vcpu[i];
        if (i >= d->nr_vcpus) {
            memset(sv, 0, sizeof(*sv));
            continue;
        }
        mig_vcpu_get(sv, v, mig_save_pfn(hv, d, v->guest_table),
                     mig_save_pfn(hv, d, v->guest_table_user));
        if ((v->guest_table != MFN_INVALID && sv->cr3_pfn == GFN_INVALID) ||
            (v->guest_table_user != MFN_INVALID && sv->cr3u_pfn == GFN_INVALID))
            return -XEN_ERANGE;
        for (unsigned k = 0; k < vcpu_gdt_frames(v) && k < FIRST_RESERVED_GDT_PAGE; k++) {
            sv->gdt_pfn[k] = mig_save_pfn(hv, d, v->gdt_frames[k]);
            if (sv->gdt_pfn[k] == GFN_INVALID)
                return -XEN_ERANGE;
        }
    }
    mig_dom_get(s, d);
    return 0;
}

/* Xen's restore can only start from a quiescent source: no table half validated, no deferred
   put (a continuation is the guest's register state and travels with it). */
static bool mig_quiescent(const struct hv *hv, const struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpu[i].old_guest_table != MFN_INVALID)
            return false;
    for (uint32_t pfn = 0; pfn < HV_MAX_GFNS && pfn < d->p2m_top; pfn++) {
        mfn_t m = d->p2m[pfn];
        if (mfn_valid(hv, m) && (hv->frames[m].flags & FRAME_PARTIAL))
            return false;
    }
    return true;
}

static int mig_destroy(struct hv *hv, struct domain *d)
{
    uint64_t pattern = hv->preempt_pattern;
    int rc = -XEN_ERESTART;
    hv->preempt_pattern = 0;   /* the toolstack's own destroy runs to its end */
    for (unsigned i = 0; i < MIG_DESTROY_CALLS && rc == -XEN_ERESTART; i++)
        rc = dom_destroy(hv, d);
    hv->preempt_pattern = pattern;
    return rc;
}

static int mig_free_slot(const struct hv *hv, domid_t want)
{
    if (!hv->dom[want].exists)
        return want;
    for (unsigned i = 1; i < HV_MAX_DOMAINS; i++)
        if (!hv->dom[i].exists)
            return (int)i;
    return -1;
}

/* Restore: a new domain in slot id, its frames populated and written with entries translated
   (pfn -> new mfn), tables re-pinned, vCPUs put back. 0, or -errno; *bad for a stream that a
   correct save cannot have made (a PT entry naming a pfn without a frame, a pin refused). */
static int mig_restore(struct hv *hv, domid_t id, const struct mig_image *s, bool *bad,
                       char *why, size_t whylen)
{
    *bad = false;
    int rc = dom_create(hv, id, false, s->max_pages, s->nr_vcpus);
    if (rc < 0)
        return rc;
    struct domain *n = &hv->dom[id];
    /* the source may have lowered its limit below what it holds: the restore puts its
       pages back first and the limit after */
    n->max_pages = HV_MAX_GFNS;
    mig_dom_put(n, s);
    for (uint32_t pfn = 0; pfn < s->nr_pfns; pfn++) {
        if (!s->page[pfn].present)
            continue;
        mfn_t m = frame_alloc(hv, n, false, &rc);
        if (m == MFN_INVALID)
            return rc;
        p2m_set(n, pfn, m);
        m2p_set(hv, m, pfn);
        if (pfn + 1 > n->nr_gfns)
            n->nr_gfns = pfn + 1;
    }
    for (uint32_t pfn = 0; pfn < s->nr_pfns; pfn++) {
        const struct mig_page *pg = &s->page[pfn];
        if (!pg->present)
            continue;
        uint64_t e[PTES_PER_TABLE];
        memcpy(e, s->data + (size_t)pfn * PAGE_SIZE, PAGE_SIZE);
        for (unsigned i = 0; pg->type != PGT_none && i < PTES_PER_TABLE; i++) {
            if (!pte_present(e[i]) || pt_xen_slot(pgt_level(pg->type), i))
                continue;
            uint64_t p = pte_mfn(e[i]);
            if (p >= HV_MAX_GFNS || !mfn_valid(hv, n->p2m[p])) {
                *bad = true;
                snprintf(why, whylen, "pfn 0x%x entry %u names pfn 0x%llx, which the stream has no page for",
                         pfn, i, (unsigned long long)p);
                return -XEN_EINVAL;
            }
            e[i] = (e[i] & ~PTE_ADDR_MASK) | (n->p2m[p] << PAGE_SHIFT);
        }
        memcpy(frame_mem_w(hv, n->p2m[pfn]), e, PAGE_SIZE);
    }
    n->max_pages = s->max_pages;
    /*
     * Types before pins. Xen's restore sets the vCPUs' base pointers and then pins in pfn order,
     * and a table some same-level (linear) entry points at can then be typed a level lower, as
     * get_page_from_l2e tries L1 first: a divergence Xen's restore has. The model's toolstack
     * holds each table at its declared type by a temporary ref first: the tables linear entries
     * point at (which hold no linear entries themselves, XSA-240's depth rule) from L1 up, then
     * the rest from L4 down; the refs go after the pins and base pointers hold theirs.
     */
    static uint8_t temp[HV_MAX_GFNS], target[HV_MAX_GFNS];
    memset(temp, 0, sizeof(temp));
    memset(target, 0, sizeof(target));
    for (uint32_t pfn = 0; pfn < s->nr_pfns; pfn++) {
        const struct mig_page *pg = &s->page[pfn];
        const uint64_t *e = (const uint64_t *)(s->data + (size_t)pfn * PAGE_SIZE);
        for (unsigned i = 0; pg->present && pg->type != PGT_none && i < PTES_PER_TABLE; i++) {
            uint64_t p = pte_mfn(e[i]);
            if (pte_present(e[i]) && p < s->nr_pfns && p != pfn && s->page[p].type == pg->type)
                target[p] = 1;
        }
    }
    for (unsigned pass = 0; pass < 8; pass++) {
        unsigned level = pass < 4 ? pass + 1U : 8U - pass;
        for (uint32_t pfn = 0; pfn < s->nr_pfns; pfn++) {
            const struct mig_page *pg = &s->page[pfn];
            if (!pg->present || pg->type != pgt_of_level(level) || temp[pfn] ||
                (pass < 4) != (target[pfn] != 0))
                continue;
            rc = get_page_and_type(hv, n->p2m[pfn], n, pg->type, false);
            if (rc < 0) {
                *bad = true;
                snprintf(why, whylen, "the L%u table at pfn 0x%x does not validate (%d)", level,
                         pfn, rc);
                goto drop;
            }
            temp[pfn] = 1;
        }
    }
    for (unsigned i = 0; i < s->nr_vcpus; i++) {
        const struct mig_vcpu *sv = &s->vcpu[i];
        struct vcpu *v = &n->vcpu[i];
        for (unsigned u = 0; u < 2; u++) {
            uint64_t pfn = u ? sv->cr3u_pfn : sv->cr3_pfn;
            if (pfn == GFN_INVALID)
                continue;
            rc = pfn < HV_MAX_GFNS ? pt_new_baseptr(hv, v, n->p2m[pfn], u == 1) : -XEN_EINVAL;
            if (rc < 0) {
                *bad = true;
                snprintf(why, whylen, "vcpu %u %s base pointer at pfn 0x%llx refused (%d)", i,
                         u ? "user" : "kernel", (unsigned long long)pfn, rc);
                goto drop;
            }
        }
        mig_vcpu_put(v, sv);
        /* the GDT as arch_set_info_guest installs it: each frame typed seg_desc again */
        unsigned ng = (sv->gdt_ents + GDT_ENTRIES_PER_PAGE - 1U) / GDT_ENTRIES_PER_PAGE, k;
        for (k = 0; k < ng && k < FIRST_RESERVED_GDT_PAGE; k++) {
            uint64_t pfn = sv->gdt_pfn[k];
            rc = pfn < HV_MAX_GFNS ? get_page_and_type(hv, n->p2m[pfn], n, PGT_seg_desc, false)
                                   : -XEN_EINVAL;
            if (rc < 0)
                break;
            v->gdt_frames[k] = n->p2m[pfn];
        }
        if (rc < 0) {
            *bad = true;
            snprintf(why, whylen, "vcpu %u GDT frame %u at pfn 0x%llx refused (%d)", i, k,
                     (unsigned long long)sv->gdt_pfn[k], rc);
            while (k-- > 0) {
                put_page_and_type(hv, v->gdt_frames[k]);
                v->gdt_frames[k] = 0;
            }
            goto drop;
        }
        v->gdt_ents = sv->gdt_ents;
    }
    /* pins in pfn order, as Xen's pin_pagetables issues them */
    for (uint32_t pfn = 0; pfn < s->nr_pfns && rc >= 0; pfn++) {
        const struct mig_page *pg = &s->page[pfn];
        if (!pg->present || !pg->pinned || pg->type == PGT_none)
            continue;
        rc = pt_pin(hv, n, n->p2m[pfn], pgt_level(pg->type), false);
        if (rc < 0) {
            *bad = true;
            snprintf(why, whylen, "pin of the L%u table at pfn 0x%x failed (%d)",
                     pgt_level(pg->type), pfn, rc);
        }
    }
drop:
    for (uint32_t pfn = 0; pfn < s->nr_pfns; pfn++)
        if (temp[pfn])
            put_page_and_type(hv, n->p2m[pfn]);
    return rc < 0 ? rc : 0;
    return 0;
}

static long mig_finish(struct hv *hv, domid_t dom, struct mig_report *rep)
{
    long rc;
    /* the last round's comparison reads the stream */
    mig_stream_fill(hv);
    struct domain *d = mig_source(hv, dom, &rc);
    if (!d) {
        if (rc == -XEN_EBUSY)
            mig_abort(hv, dom_get(hv, dom));
        return rc;
    }
    if (!mig_quiescent(hv, d))
        return -XEN_EBUSY;   /* the migration stays open: the guest finishes its work first */
    struct mig_stream *m = hv->mig_stream;
    uint64_t bm[HV_MAX_GFNS / 64U];
    uint8_t was_paused = d->paused;   /* the controller's pause count, kept whole */

    if (!d->paused)
        d->paused = 1;
    /* HV_BUG_MIG_LAST_ROUND: the last round reuses the bitmap of the round before, as if its
       clean had happened with the domain paused: writes since then go unsent */
    if (hv_bug_on(hv, HV_BUG_MIG_LAST_ROUND) && hv->mig.round > 0)
        memset(bm, 0, sizeof(bm));
    else
        mig_clean(hv, d, bm);
    if (d->ld_missed) {
        rep->found = true;
        snprintf(rep->what, sizeof(rep->what), "LOGDIRTY");
        snprintf(rep->detail, sizeof(rep->detail), "the last round's clean of d%u found pfn 0x%x "
                 "changed since the clean before without its dirty bit", (unsigned)dom,
                 d->ld_missed - 1U);
    }
    if (hv->mig.round < MIG_MAX_ROUND)
        hv->mig.round++;
    if (d->p2m_top > m->s.nr_pfns)
        m->s.nr_pfns = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    /* types and pins are cheap to read again: the last round re-reads every pfn's, and sends a
       page whose type or pin changed unseen. A page table's canonical form depends on the p2m
       of the pages it maps, which changes without a write to it (a page given back while still
       mapped): each one not sent yet is canonicalised again and sent if it differs. */
    for (uint32_t pfn = 0; pfn < m->s.nr_pfns; pfn++) {
        mfn_t mf = d->p2m[pfn];
        const struct mig_page *pg = &m->s.page[pfn];
        bool present = mfn_valid(hv, mf);
        uint64_t e[PTES_PER_TABLE];
        if ((bm[pfn / 64U] >> (pfn % 64U)) & 1U)
            continue;
        /* a frame whose m2p the guest pointed elsewhere has its writes marked there: the last
           round sends it whatever the bitmap says */
        if (present && hv->m2p[mf] != pfn)
            bm[pfn / 64U] |= 1ULL << (pfn % 64U);
        else if (present != pg->present ||
            (present && (mig_pfn_type(&hv->frames[mf]) != pg->type ||
                         ((hv->frames[mf].flags & FRAME_PINNED) != 0) != pg->pinned)))
            bm[pfn / 64U] |= 1ULL << (pfn % 64U);
        else if (present && pg->type != PGT_none) {
            memcpy(e, frame_mem(hv, mf), PAGE_SIZE);
            if (mig_canon(hv, d, mf, pg->type, e) < 0 ||
                memcmp(e, m->s.data + (size_t)pfn * PAGE_SIZE, PAGE_SIZE) != 0)
                bm[pfn / 64U] |= 1ULL << (pfn % 64U);
        }
    }
    rc = mig_send_round(hv, d, &m->s, bm, true);
    mig_stream_fill(hv);   /* the restore reads what the last round sent */
    if (rc >= 0)
        rc = mig_save_vcpus(hv, d, &m->s);
    if (rc < 0) {
        /* the save failed: the source goes on as it was */
        d->paused = was_paused;
        mig_abort(hv, d);
        return rc;
    }
    mig_oracle_image(hv, d, &m->o);
    logdirty_disable(hv, d);
    hv->mig.active = false;

    if (mig_destroy(hv, d) < 0)
        return -XEN_EBUSY;
    int id = mig_free_slot(hv, dom);
    if (id < 0)
        return -XEN_ENOMEM;
    bool bad;
    char why[160] = "";
    int r = mig_restore(hv, (domid_t)id, &m->s, &bad, why, sizeof(why));
    if (r < 0) {
        if (bad) {
            rep->found = true;
            snprintf(rep->what, sizeof(rep->what), "restore");
            snprintf(rep->detail, sizeof(rep->detail),
                     "restoring d%u (from d%u after %u rounds) failed: %s", (unsigned)id,
                     (unsigned)dom, (unsigned)hv->mig.round, why);
        }
        mig_destroy(hv, &hv->dom[id]);
        return r;
    }
    mig_oracle_compare(hv, &m->o, &m->s, &hv->dom[id], rep);
    return id;
}

long mig_op(struct hv *hv, domid_t dom, unsigned phase, struct mig_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    if (dom >= HV_MAX_DOMAINS)
        return -XEN_ESRCH;
    switch (phase) {
    case MIGRATE_BEGIN:
        return mig_begin(hv, dom);
    case MIGRATE_ROUND:
        return mig_round(hv, dom);
    case MIGRATE_FINISH:
        return mig_finish(hv, dom, rep);
    default:
        return -XEN_EINVAL;
    }
}
