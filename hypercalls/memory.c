/* memory_op: reservation changes (increase, decrease, populate, exchange) and reservation queries. */
#include <stddef.h>
#include "hvfuzz/hypercall.h"

/*
 * Model decisions (docs: xen/include/public/memory.h semantics, PV guest):
 *  - Extents of order up to the caller's max_order (XENMEM_DOMU_MAX_ORDER, or
 *    XENMEM_CTLDOM_MAX_ORDER for the control domain): 2^order machine-contiguous frames, aligned,
 *    counted per frame (tot_pages, page list, ALLOCATED each), one p2m/m2p entry per frame. Above
 *    it the reservation ops do no work (return start_extent) and exchange gives -EPERM, as Xen.
 *  - A decrease removes the extent's frames one by one; a frame that cannot go ends the batch
 *    with the extent uncounted and the frames before it removed (Xen's guest_remove_page loop).
 *  - increase/decrease/populate return the number of extents done. As in Xen, a bad argument
 *    pointer, an unknown domain or a bad extent list makes them return start_extent (no -errno);
 *    only the permission check gives -EPERM. Exchange and the queries return -errno.
 *  - The monitor keeps the p2m: populate and exchange enter gfn -> mfn (and the m2p), decrease
 *    removes the entry. increase_reservation frames get no gfn (a PV guest tracks them itself).
 *  - PV: populate and exchange write the new MFN back over the extent's gfn, like Xen for guests
 *    that are not translated.
 *  - mem_flags (address bits, NUMA node) are accepted and ignored: the pool has one node.
 *  - Before allocating for an extent whose MFN is written back, the slot is probed writable (read
 *    and rewrite of the same value), so a broken output list never leaves an allocation the guest
 *    cannot learn about.
 */

#define MEMOP_XEN_PFN_SIZE 8U   /* xen_pfn_t */

/* Xen's XSM_TARGET default policy: a domain acts on itself, the control domain on anyone. */
static bool memop_may_target(struct hv *hv, const struct vcpu *v, const struct domain *d)
{
    const struct domain *self = dom_get(hv, v->domid);

    return d->id == v->domid || (self && self->privileged);
}

/* Xen's max_order(current->domain): the caller's, whichever domain the op acts on. */
static unsigned memop_max_order(struct hv *hv, const struct vcpu *v)
{
    const struct domain *self = dom_get(hv, v->domid);

    return self && self->privileged ? XENMEM_CTLDOM_MAX_ORDER : XENMEM_DOMU_MAX_ORDER;
}

/*
 * Elements [first, end) of a guest array of xen_pfn_t at base: the whole part that will be
 * accessed must pass guest_range_ok, never only its base (the XSA-212 lesson). Multiplications and
 * the base addition are checked for wrap-around before guest_range_ok sees them.
 */
static bool memop_array_ok(uint64_t base, uint64_t first, uint64_t end)
{
    uint64_t off, len;

    if (end <= first)
        return true;
    if (end > UINT64_MAX / MEMOP_XEN_PFN_SIZE)
        return false;
    off = first * MEMOP_XEN_PFN_SIZE;
    len = (end - first) * MEMOP_XEN_PFN_SIZE;
    if (base > UINT64_MAX - off)
        return false;
    return guest_range_ok(base + off, len);
}

/*
 * Touch every page of an already range-checked array: readable, and writable when write is set
 * (one byte read and written back per page: invisible to the guest). This refuses an array whose
 * tail is unmapped or read-only before any frame changes hands.
 */
static bool memop_array_probe(struct hv *hv, struct vcpu *v, uint64_t base, uint64_t first,
                              uint64_t end, bool write)
{
    uint64_t va, hi, next;
    uint8_t b;

    if (end <= first)
        return true;
    va = base + first * MEMOP_XEN_PFN_SIZE;
    hi = base + end * MEMOP_XEN_PFN_SIZE;   /* no wrap: memop_array_ok passed */
    while (va < hi) {
        if (guest_read(hv, v, va, &b, 1, NULL))
            return false;
        if (write && guest_write(hv, v, va, &b, 1, NULL))
            return false;
        next = (va & ~(uint64_t)(PAGE_SIZE - 1)) + PAGE_SIZE;
        if (next <= va)
            break;
        va = next;
    }
    return true;
}

static int memop_slot_read(struct hv *hv, struct vcpu *v, uint64_t base, uint64_t i, uint64_t *val)
{
    return copy_from_guest(hv, v, val, base + i * MEMOP_XEN_PFN_SIZE, sizeof(*val));
}

static int memop_slot_write(struct hv *hv, struct vcpu *v, uint64_t base, uint64_t i, uint64_t val)
{
    return copy_to_guest(hv, v, base + i * MEMOP_XEN_PFN_SIZE, &val, sizeof(val));
}

/* Rewrite a slot with its own value: fails exactly when a later write of the result would. */
static int memop_slot_probe(struct hv *hv, struct vcpu *v, uint64_t base, uint64_t i)
{
    uint64_t val;

    if (memop_slot_read(hv, v, base, i, &val))
        return -XEN_EFAULT;
    return memop_slot_write(hv, v, base, i, val);
}

static void memop_p2m_set(struct hv *hv, struct domain *d, gfn_t gfn, mfn_t mfn)
{
    p2m_set(d, gfn, mfn);
    m2p_set(hv, mfn, gfn);
    if (gfn + 1 > d->nr_gfns)
        d->nr_gfns = gfn + 1;
}

static void memop_p2m_clear(struct hv *hv, struct domain *d, gfn_t gfn)
{
    mfn_t mfn = d->p2m[gfn];

    if (mfn_valid(hv, mfn) && hv->m2p[mfn] == gfn)
        m2p_set(hv, mfn, GFN_INVALID);
    p2m_set(d, gfn, MFN_INVALID);
    /* nr_gfns is the highest populated gfn + 1 */
    while (d->nr_gfns > 0 && d->p2m[d->nr_gfns - 1] == MFN_INVALID)
        d->nr_gfns--;
}

/*
 * Xen's steal_page condition: the owner's allocation ref is the only reference (not mapped, not
 * pinned, no type refs, no partial state, not a frame the monitor shares with the domain).
 */
static bool memop_stealable(const struct frame *f, const struct domain *d)
{
    return f->owner == d->id && (f->flags & FRAME_ALLOCATED) &&
           !(f->flags & (FRAME_XEN_HEAP | FRAME_PINNED | FRAME_PARTIAL)) &&
           f->count == 1 && f->type_count == 0;
}

/* ---- increase / decrease / populate: one extent each; false stops the batch -------------------- */

static bool memop_increase_one(struct hv *hv, struct vcpu *v, struct domain *d, uint64_t list,
                               uint64_t i, unsigned order)
{
    mfn_t mfn;

    if (list && memop_slot_probe(hv, v, list, i))
        return false;
    mfn = frame_alloc_order(hv, d, order, NULL);
    if (mfn == MFN_INVALID)
        return false;
    /* As in Xen, a failed write-back leaves the frame with the domain but the extent uncounted. */
    if (list && memop_slot_write(hv, v, list, i, mfn))
        return false;
    return true;
}

/*
 * Xen's guest_remove_page: the gfn leaves the p2m and the owner's allocation ref is dropped. A
 * frame still mapped, pinned, typed or used as a base pointer keeps its other references and is
 * freed when the last goes (it stays in tot_pages until then).
 */
static bool memop_remove_page(struct hv *hv, struct domain *d, uint64_t gfn)
{
    mfn_t mfn;
    struct frame *f;

    if (gfn >= HV_MAX_GFNS)
        return false;
    mfn = d->p2m[gfn];
    if (!mfn_valid(hv, mfn))
        return false;
    f = frame_w(hv, mfn);
    if (f->owner != d->id || !(f->flags & FRAME_ALLOCATED) || (f->flags & FRAME_XEN_HEAP))
        return false;
    if (!get_page(hv, mfn, d))
        return false;
    memop_p2m_clear(hv, d, gfn);
    frame_unallocate(hv, mfn);
    put_page(hv, mfn);      /* our temporary ref: frees the frame if nothing else holds it */
    return true;
}

static bool memop_decrease_one(struct hv *hv, struct vcpu *v, struct domain *d, uint64_t list,
                               uint64_t i, unsigned order)
{
    uint64_t gfn;

    if (memop_slot_read(hv, v, list, i, &gfn))
        return false;
    for (uint64_t k = 0; k < (1ULL << order); k++)
        if (gfn + k < gfn || !memop_remove_page(hv, d, gfn + k))
            return false;
    return true;
}

/* Whether the gfns [gfn, gfn + 2^order) can all receive a frame: inside the p2m, unpopulated. */
static bool memop_gfns_free(const struct domain *d, uint64_t gfn, unsigned order)
{
    uint64_t n = 1ULL << order;

    if (gfn >= HV_MAX_GFNS || n > HV_MAX_GFNS - gfn)
        return false;
    for (uint64_t k = 0; k < n; k++)
        if (d->p2m[gfn + k] != MFN_INVALID)
            return false;
    return true;
}

/* Populating an already populated gfn is refused: the monitor's p2m never loses a frame silently. */
static bool memop_populate_one(struct hv *hv, struct vcpu *v, struct domain *d, uint64_t list,
                               uint64_t i, unsigned order)
{
    uint64_t gfn;
    mfn_t mfn;

    if (memop_slot_read(hv, v, list, i, &gfn))
        return false;
    if (!memop_gfns_free(d, gfn, order))
        return false;
    if (memop_slot_write(hv, v, list, i, gfn))
        return false;
    mfn = frame_alloc_order(hv, d, order, NULL);
    if (mfn == MFN_INVALID)
        return false;
    for (uint64_t k = 0; k < (1ULL << order); k++)
        memop_p2m_set(hv, d, gfn + k, mfn + k);
    /* PV: tell the guest the machine frame behind its new gfn. */
    if (memop_slot_write(hv, v, list, i, mfn))
        return false;
    return true;
}

/*
 * The three reservation ops. Progress lives in the upper bits of cmd, so a continuation is the same
 * call with cmd = op | nr_done << MEMOP_EXTENT_SHIFT; nr_extents is bounded so that always fits.
 */
static long memop_reservation(struct hv *hv, struct vcpu *v, unsigned op, uint64_t start,
                              uint64_t args[6])
{
    struct xen_memory_reservation r;
    struct domain *d;
    uint64_t i;
    bool (*one)(struct hv *, struct vcpu *, struct domain *, uint64_t, uint64_t, unsigned);

    if (copy_from_guest(hv, v, &r, args[1], sizeof(r)))
        return (long)start;
    if (r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT))
        return (long)start;
    if (start >= r.nr_extents)
        return (long)start;
    if (r.extent_start && !memop_array_ok(r.extent_start, start, r.nr_extents))
        return (long)start;
    d = dom_lookup(hv, v, r.domid);
    if (!d)
        return (long)start;
    if (!memop_may_target(hv, v, d))
        return -XEN_EPERM;
    if (r.extent_order > memop_max_order(hv, v))
        return (long)start;
    /* Only increase may omit the list (the guest then does not learn the MFNs). */
    if (!r.extent_start && op != XENMEM_increase_reservation)
        return (long)start;

    switch (op) {
    case XENMEM_increase_reservation: one = memop_increase_one; break;
    case XENMEM_decrease_reservation: one = memop_decrease_one; break;
    default:                          one = memop_populate_one; break;
    }
    for (i = start; i < r.nr_extents; i++) {
        if (i != start && hv_preempt_check(hv)) {
            args[0] = op | (i << MEMOP_EXTENT_SHIFT);
            return -XEN_ERESTART;
        }
        if (!one(hv, v, d, r.extent_start, i, r.extent_order))
            break;
    }
    return (long)i;
}

/* ---- exchange ------------------------------------------------------------------------------------ */

/*
 * HV_BUG_XSA212 only: Xen's __copy_{from,to}_guest_offset, the unchecked copies the pre-fix
 * exchange used once access_ok() had passed for the base of each list. Xen's own range is mapped
 * in every PV address space, so an unchecked copy there reads or writes hypervisor memory: the
 * model has none to touch and records the escape as a monitor BUG() instead. Anything else goes
 * through the guest's page tables like any guest access.
 */
static int memop_xslot_access(struct hv *hv, struct vcpu *v, uint64_t base, uint64_t i,
                              uint64_t *val, bool write)
{
    uint64_t va = base + i * MEMOP_XEN_PFN_SIZE, last = va + MEMOP_XEN_PFN_SIZE - 1;

    if (!hv_bug_on(hv, HV_BUG_XSA212))
        return write ? memop_slot_write(hv, v, base, i, *val)
                     : memop_slot_read(hv, v, base, i, val);
    if ((va < XEN_VIRT_END && last >= XEN_VIRT_START) || last < va) {
        hv_bug(hv, "unchecked guest copy reached hypervisor memory");
        return -XEN_EFAULT;
    }
    if (!gva_canonical(va) || !gva_canonical(last))
        return -XEN_EFAULT;   /* #GP on the real machine: the copy's fixup returns an error */
    if (write)
        return guest_write(hv, v, va, val, sizeof(*val), NULL) < 0 ? -XEN_EFAULT : 0;
    return guest_read(hv, v, va, val, sizeof(*val), NULL) < 0 ? -XEN_EFAULT : 0;
}

/*
 * Xen's chunks: when the input extents are smaller, 2^(out - in order) of them make one chunk
 * that becomes one output extent; when larger, one input extent becomes 2^(in - out order)
 * output extents. A chunk is exchanged whole or not at all.
 */
struct memop_xchunk {
    unsigned in_order, out_order;   /* extent orders */
    unsigned in_chunk, out_chunk;   /* log2 of the extents per chunk */
};

/* Give back the output frames of a chunk that could not be completed (nothing else holds them). */
static void memop_unalloc(struct hv *hv, mfn_t base, unsigned order)
{
    for (uint64_t k = 0; k < (1ULL << order); k++)
        frame_unallocate(hv, base + k);
}

/* The lists of a chunk of more than one extent either way, up to a p2m's worth each (48 KiB in
   all: too much for a stack, above all a sanitizer's). The monitor runs one call at a time. */
static struct {
    uint64_t igfn[HV_MAX_GFNS], ogfn[HV_MAX_GFNS];
    mfn_t nmfn[HV_MAX_GFNS];
} memop_xlists;

/*
 * Exchange chunk i: the caller's frames behind its input extents for fresh frames at the gfns of
 * its output extents. Every check that can fail comes before anything changes (a gfn named twice
 * among the inputs is -EINVAL, as Xen's second steal_page of it fails; an output gfn must be
 * unpopulated or freed by this chunk, and not named twice); the new frames are allocated before
 * the old ones go (Xen allocates while holding the stolen input, so an empty pool is -ENOMEM) and
 * outside max_pages (Xen's MEMF_no_refcount: an exchange does not change the reservation). A
 * failed MFN write-back is reported after the chunk is complete.
 */
static long memop_exchange_chunk(struct hv *hv, struct vcpu *v, struct domain *d,
                                 const struct xen_memory_exchange *x,
                                 const struct memop_xchunk *ck, uint64_t i)
{
    uint64_t in_bits[HV_MAX_GFNS / 64] = { 0 }, out_bits[HV_MAX_GFNS / 64] = { 0 };
    uint64_t nin = 1ULL << ck->in_chunk, nout = 1ULL << ck->out_chunk;
    uint64_t pin = 1ULL << ck->in_order, pout = 1ULL << ck->out_order;
    /* one extent each way (equal orders, order 0 above all): the lists fit on the stack */
    bool one = nin == 1 && nout == 1;
    uint64_t igfn1, ogfn1;
    mfn_t nmfn1;
    uint64_t *igfn = one ? &igfn1 : memop_xlists.igfn, *ogfn = one ? &ogfn1 : memop_xlists.ogfn;
    mfn_t *nmfn = one ? &nmfn1 : memop_xlists.nmfn;
    uint32_t max_pages;
    int err = 0;
    long rc = 0;

    /* more frames than a p2m holds cannot all be the caller's */
    if (nin * pin > HV_MAX_GFNS)
        return -XEN_EINVAL;
    /* both lists are read before any element is checked (the model's order since order 0) */
    for (uint64_t j = 0; j < nin; j++)
        if (memop_xslot_access(hv, v, x->in.extent_start, (i << ck->in_chunk) + j, &igfn[j],
                               false))
            return -XEN_EFAULT;
    for (uint64_t j = 0; j < nout; j++)
        if (memop_xslot_access(hv, v, x->out.extent_start, (i << ck->out_chunk) + j, &ogfn[j],
                               false))
            return -XEN_EFAULT;
    for (uint64_t j = 0; j < nin; j++) {
        for (uint64_t k = 0; k < pin; k++) {
            uint64_t g = igfn[j] + k;

            if (g < igfn[j] || g >= HV_MAX_GFNS || !mfn_valid(hv, d->p2m[g]) ||
                !memop_stealable(&hv->frames[d->p2m[g]], d) || (in_bits[g / 64] >> (g % 64)) & 1U)
                return -XEN_EINVAL;
            in_bits[g / 64] |= 1ULL << (g % 64);
        }
    }
    for (uint64_t j = 0; j < nout; j++) {
        for (uint64_t k = 0; k < pout; k++) {
            uint64_t g = ogfn[j] + k;

            if (g < ogfn[j] || g >= HV_MAX_GFNS || (out_bits[g / 64] >> (g % 64)) & 1U ||
                (d->p2m[g] != MFN_INVALID && !((in_bits[g / 64] >> (g % 64)) & 1U)))
                return -XEN_EINVAL;
            out_bits[g / 64] |= 1ULL << (g % 64);
        }
    }
    for (uint64_t j = 0; j < nout; j++)
        if (memop_xslot_access(hv, v, x->out.extent_start, (i << ck->out_chunk) + j, &ogfn[j],
                               true))
            return -XEN_EFAULT;

    max_pages = d->max_pages;
    d->max_pages = UINT32_MAX;
    for (uint64_t j = 0; j < nout; j++) {
        nmfn[j] = frame_alloc_order(hv, d, ck->out_order, &err);
        if (nmfn[j] == MFN_INVALID) {
            while (j-- > 0)
                memop_unalloc(hv, nmfn[j], ck->out_order);
            d->max_pages = max_pages;
            return err == -XEN_ENOMEM ? -XEN_ENOMEM : -XEN_EINVAL;
        }
    }
    d->max_pages = max_pages;

    for (uint64_t w = 0; w < HV_MAX_GFNS / 64; w++)
        for (uint64_t bits = in_bits[w]; bits; bits &= bits - 1U) {
            gfn_t g = (gfn_t)(w * 64U + (uint64_t)__builtin_ctzll(bits));
            mfn_t mfn = d->p2m[g];

            memop_p2m_clear(hv, d, g);
            frame_unallocate(hv, mfn);   /* the only ref: the input frame goes back to the pool */
        }
    for (uint64_t j = 0; j < nout; j++)
        for (uint64_t k = 0; k < pout; k++)
            memop_p2m_set(hv, d, ogfn[j] + k, nmfn[j] + k);
    for (uint64_t j = 0; j < nout; j++)
        if (memop_xslot_access(hv, v, x->out.extent_start, (i << ck->out_chunk) + j, &nmfn[j],
                               true))
            rc = -XEN_EFAULT;   /* Xen goes on with the other outputs */
    return rc;
}

/* Write the progress field back; the only part of the struct the monitor changes. */
static int memop_exchange_progress(struct hv *hv, struct vcpu *v, gva_t arg, uint64_t nr)
{
    return copy_to_guest(hv, v, arg + offsetof(struct xen_memory_exchange, nr_exchanged), &nr,
                         sizeof(nr));
}

static long memop_exchange(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct xen_memory_exchange x;
    struct domain *d;
    gva_t arg = args[1];
    struct memop_xchunk ck;
    uint64_t i, first, out_first;
    long rc = 0;

    if (copy_from_guest(hv, v, &x, arg, sizeof(x)))
        return -XEN_EFAULT;
    if (x.in.extent_order > memop_max_order(hv, v) || x.out.extent_order > memop_max_order(hv, v)) {
        rc = -XEN_EPERM;
        goto fail_early;
    }
    /* the orders are small now: the shifts below are defined */
    if (x.nr_exchanged > x.in.nr_extents || x.in.domid != x.out.domid ||
        (UINT64_MAX >> x.in.extent_order) < x.in.nr_extents ||
        (UINT64_MAX >> x.out.extent_order) < x.out.nr_extents ||
        (x.in.nr_extents << x.in.extent_order) != (x.out.nr_extents << x.out.extent_order)) {
        rc = -XEN_EINVAL;
        goto fail_early;
    }
    if (x.nr_exchanged == x.in.nr_extents)
        return 0;
    ck.in_order = x.in.extent_order;
    ck.out_order = x.out.extent_order;
    ck.in_chunk = ck.in_order <= ck.out_order ? ck.out_order - ck.in_order : 0;
    ck.out_chunk = ck.in_order <= ck.out_order ? 0 : ck.in_order - ck.out_order;
    out_first = ck.in_chunk ? x.nr_exchanged >> ck.in_chunk : x.nr_exchanged << ck.out_chunk;
    /*
     * XSA-212: both lists, over every element still to be used, before any access. HV_BUG_XSA212
     * re-creates the pre-fix check, Xen's access_ok() on the base of each list alone: elements
     * from nr_exchanged on are then reached with unchecked copies (memop_xslot_access), and the
     * model's probe of the lists, a check of its own that Xen never had, is skipped too.
     */
    if (hv_bug_on(hv, HV_BUG_XSA212)) {
        if (!guest_range_ok(x.in.extent_start, MEMOP_XEN_PFN_SIZE) ||
            !guest_range_ok(x.out.extent_start, MEMOP_XEN_PFN_SIZE)) {
            rc = -XEN_EFAULT;
            goto fail_early;
        }
    } else if (!memop_array_ok(x.in.extent_start, x.nr_exchanged, x.in.nr_extents) ||
               !memop_array_ok(x.out.extent_start, out_first, x.out.nr_extents)) {
        rc = -XEN_EFAULT;
        goto fail_early;
    }
    d = dom_lookup(hv, v, x.in.domid);
    if (!d) {
        rc = -XEN_ESRCH;
        goto fail_early;
    }
    if (!memop_may_target(hv, v, d)) {
        rc = -XEN_EPERM;
        goto fail_early;
    }
    if (!hv_bug_on(hv, HV_BUG_XSA212) &&
        (!memop_array_probe(hv, v, x.in.extent_start, x.nr_exchanged, x.in.nr_extents, false) ||
         !memop_array_probe(hv, v, x.out.extent_start, out_first, x.out.nr_extents, true))) {
        rc = -XEN_EFAULT;
        goto fail_early;
    }

    /* progress is counted in input extents, whole chunks at a time (a partial chunk restarts) */
    first = x.nr_exchanged >> ck.in_chunk;
    for (i = first; i < x.in.nr_extents >> ck.in_chunk; i++) {
        if (i != first && hv_preempt_check(hv)) {
            /* The continuation is the same call: progress travels in nr_exchanged. */
            if (memop_exchange_progress(hv, v, arg, i << ck.in_chunk))
                return -XEN_EFAULT;
            return -XEN_ERESTART;
        }
        /* a chunk whose write-back failed is done but, as in Xen, not counted */
        rc = memop_exchange_chunk(hv, v, d, &x, &ck, i);
        if (rc)
            break;
    }
    x.nr_exchanged = i << ck.in_chunk;

fail_early:
    if (memop_exchange_progress(hv, v, arg, x.nr_exchanged))
        rc = -XEN_EFAULT;
    return rc;
}

/* ---- queries ------------------------------------------------------------------------------------- */

static long memop_reservation_query(struct hv *hv, struct vcpu *v, unsigned op, gva_t arg)
{
    domid_t id;
    struct domain *d;

    if (copy_from_guest(hv, v, &id, arg, sizeof(id)))
        return -XEN_EFAULT;
    d = dom_lookup(hv, v, id);
    if (!d)
        return -XEN_ESRCH;
    if (!memop_may_target(hv, v, d))
        return -XEN_EPERM;
    return op == XENMEM_current_reservation ? (long)d->tot_pages : (long)d->max_pages;
}

long do_memory_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    unsigned op = (unsigned)(args[0] & MEMOP_CMD_MASK);
    uint64_t start = args[0] >> MEMOP_EXTENT_SHIFT;

    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return memop_reservation(hv, v, op, start, args);
    case XENMEM_exchange:
        if (start)
            return -XEN_EINVAL;
        return memop_exchange(hv, v, args);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        if (start)
            return -XEN_EINVAL;
        return memop_reservation_query(hv, v, op, args[1]);
    case XENMEM_maximum_ram_page:
        if (start)
            return -XEN_EINVAL;
        return (long)hv->nr_frames;   /* Xen's max_page: one past the highest machine frame */
    default:
        return -XEN_ENOSYS;
    }
}
