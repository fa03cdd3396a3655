/* memory_op: reservation changes (increase, decrease, populate, exchange) and reservation queries. */
#include <stddef.h>
#include "hvfuzz/hypercall.h"

/*
 * Model decisions (docs: xen/include/public/memory.h semantics, PV guest):
 *  - Only extent order 0 is modelled (max_order 0 for every domain). The reservation ops then do no
 *    work (return start_extent, as Xen does for an order above max_order); exchange gives -EPERM.
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
                               uint64_t i)
{
    mfn_t mfn;

    if (list && memop_slot_probe(hv, v, list, i))
        return false;
    mfn = frame_alloc(hv, d, false, NULL);
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
static bool memop_decrease_one(struct hv *hv, struct vcpu *v, struct domain *d, uint64_t list,
                               uint64_t i)
{
    uint64_t gfn;
    mfn_t mfn;
    struct frame *f;

    if (memop_slot_read(hv, v, list, i, &gfn))
        return false;
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
    f->flags &= (uint8_t)~FRAME_ALLOCATED;
    put_page(hv, mfn);      /* the allocation ref */
    put_page(hv, mfn);      /* our temporary ref: frees the frame if nothing else holds it */
    return true;
}

/* Populating an already populated gfn is refused: the monitor's p2m never loses a frame silently. */
static bool memop_populate_one(struct hv *hv, struct vcpu *v, struct domain *d, uint64_t list,
                               uint64_t i)
{
    uint64_t gfn;
    mfn_t mfn;

    if (memop_slot_read(hv, v, list, i, &gfn))
        return false;
    if (gfn >= HV_MAX_GFNS || d->p2m[gfn] != MFN_INVALID)
        return false;
    if (memop_slot_write(hv, v, list, i, gfn))
        return false;
    mfn = frame_alloc(hv, d, false, NULL);
    if (mfn == MFN_INVALID)
        return false;
    memop_p2m_set(hv, d, gfn, mfn);
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
    bool (*one)(struct hv *, struct vcpu *, struct domain *, uint64_t, uint64_t);

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
    if (r.extent_order != 0)
        return (long)start;
    if (!memop_may_target(hv, v, d))
        return -XEN_EPERM;
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
        if (!one(hv, v, d, r.extent_start, i))
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
 * Exchange extent i: the caller's frame behind in[i] for a fresh frame at gfn out[i]. Every check
 * that can fail comes before anything changes; the new frame is allocated before the old one goes
 * (Xen allocates while holding the stolen input, so an empty pool is -ENOMEM) and outside
 * max_pages (Xen's MEMF_no_refcount: an exchange does not change the reservation). *done reports
 * a completed exchange whose MFN write-back failed.
 */
static long memop_exchange_one(struct hv *hv, struct vcpu *v, struct domain *d,
                               const struct xen_memory_exchange *x, uint64_t i, bool *done)
{
    uint64_t gfn, ogfn;
    mfn_t mfn, nmfn;
    uint32_t max_pages;
    int err = 0;

    *done = false;
    if (memop_xslot_access(hv, v, x->in.extent_start, i, &gfn, false) ||
        memop_xslot_access(hv, v, x->out.extent_start, i, &ogfn, false))
        return -XEN_EFAULT;
    if (gfn >= HV_MAX_GFNS || !mfn_valid(hv, d->p2m[gfn]))
        return -XEN_EINVAL;
    mfn = d->p2m[gfn];
    if (!memop_stealable(&hv->frames[mfn], d))
        return -XEN_EINVAL;
    if (ogfn >= HV_MAX_GFNS || (d->p2m[ogfn] != MFN_INVALID && ogfn != gfn))
        return -XEN_EINVAL;
    if (memop_xslot_access(hv, v, x->out.extent_start, i, &ogfn, true))
        return -XEN_EFAULT;

    max_pages = d->max_pages;
    d->max_pages = UINT32_MAX;
    nmfn = frame_alloc(hv, d, false, &err);
    d->max_pages = max_pages;
    if (nmfn == MFN_INVALID)
        return err == -XEN_ENOMEM ? -XEN_ENOMEM : -XEN_EINVAL;

    memop_p2m_clear(hv, d, gfn);
    frame_w(hv, mfn)->flags &= (uint8_t)~FRAME_ALLOCATED;
    put_page(hv, mfn);      /* the only ref: the input frame goes back to the pool */
    memop_p2m_set(hv, d, ogfn, nmfn);
    *done = true;
    if (memop_xslot_access(hv, v, x->out.extent_start, i, &nmfn, true))
        return -XEN_EFAULT;
    return 0;
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
    uint64_t i, first;
    long rc = 0;
    bool done;

    if (copy_from_guest(hv, v, &x, arg, sizeof(x)))
        return -XEN_EFAULT;
    if (x.in.extent_order != 0 || x.out.extent_order != 0) {
        rc = -XEN_EPERM;
        goto fail_early;
    }
    if (x.nr_exchanged > x.in.nr_extents || x.in.domid != x.out.domid ||
        x.in.nr_extents != x.out.nr_extents) {
        rc = -XEN_EINVAL;
        goto fail_early;
    }
    if (x.nr_exchanged == x.in.nr_extents)
        return 0;
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
               !memop_array_ok(x.out.extent_start, x.nr_exchanged, x.out.nr_extents)) {
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
         !memop_array_probe(hv, v, x.out.extent_start, x.nr_exchanged, x.out.nr_extents, true))) {
        rc = -XEN_EFAULT;
        goto fail_early;
    }

    first = x.nr_exchanged;
    for (i = first; i < x.in.nr_extents; i++) {
        if (i != first && hv_preempt_check(hv)) {
            /* The continuation is the same call: progress travels in nr_exchanged. */
            if (memop_exchange_progress(hv, v, arg, i))
                return -XEN_EFAULT;
            return -XEN_ERESTART;
        }
        rc = memop_exchange_one(hv, v, d, &x, i, &done);
        if (rc) {
            if (done)
                i++;
            break;
        }
    }
    x.nr_exchanged = i;

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
