/* grant_table_op cache_flush: cache maintenance on the caller's frames and frames granted to it. */
#include "grant_table.h"

/*
 * Xen 4.17 on x86, per element, in its order: offset below a page, length at most a page and
 * offset + length within it, op only CLEAN and INVAL (so SOURCE_GREF, whose own -EOPNOTSUPP
 * branch comes later, is -EINVAL); an empty element (length or op 0) does nothing, or is -EILSEQ
 * when the call carries a continuation; the frame (dev_bus_addr >> 12) a machine frame (-EINVAL),
 * allocated to a domain (-EPERM otherwise: free frames, and the frames Xen gives DOMID_IO or
 * DOMID_XEN, which have no grant table; the model has none of those, its MMIO is not in the frame
 * pool); a frame of another domain needs an active entry of that domain pinned by the caller
 * for it (-EINVAL). x86 cleans by flushing the cache and has no invalidate-only operation
 * (-EOPNOTSUPP). The model has no cache: a successful element changes nothing.
 */
static long gnt_cache_flush_one(struct hv *hv, struct vcpu *v, const struct gnttab_cache_flush *cf,
                                uint32_t cur_ref)
{
    mfn_t mfn = cf->dev_bus_addr >> PAGE_SHIFT;
    const struct frame *f;
    struct domain *owner;

    if (cf->offset >= PAGE_SIZE || cf->length > PAGE_SIZE ||
        (uint32_t)cf->offset + cf->length > PAGE_SIZE ||
        (cf->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)))
        return -XEN_EINVAL;
    if (cf->length == 0 || cf->op == 0)
        return cur_ref ? -XEN_EILSEQ : 0;
    if (!mfn_valid(hv, mfn))
        return -XEN_EINVAL;
    f = &hv->frames[mfn];
    owner = f->count && f->owner < HV_MAX_DOMAINS ? dom_get(hv, f->owner) : NULL;
    if (!owner)
        return -XEN_EPERM;
    if (owner->id != v->domid) {
        uint32_t n = gnt_nr_entries(&owner->gnt), ref;

        /* Xen searches 2^12 entries per call from cur_ref; the model's tables are smaller */
        for (ref = cur_ref; ref < n && ref < GNT_MAX_REFS; ref++) {
            const struct gnt_active *a = &owner->gnt.active[ref];

            if (gnt_act_pinned(a) && a->mapped_by == v->domid && a->mfn == mfn)
                break;
        }
        if (ref >= n || ref >= GNT_MAX_REFS)
            return -XEN_EINVAL;
    }
    return (cf->op & GNTTAB_CACHE_CLEAN) ? 0 : -XEN_EOPNOTSUPP;
}

/* The batch: the first failing element ends the call with its -errno, the ones before done. */
long gnt_cache_flush(struct hv *hv, struct vcpu *v, uint64_t args[6], uint32_t cur_ref)
{
    uint64_t uop = args[1], count = args[2];
    struct gnttab_cache_flush cf;

    if (!guest_range_ok(uop, count * sizeof(cf)))
        return -XEN_EFAULT;
    for (uint64_t i = 0; i < count; i++) {
        long rc;

        if (i && (hv_preempt_check(hv) || i % GNT_BATCH_MAX == 0)) {
            args[0] = GNTTABOP_cache_flush;
            args[1] = uop + i * sizeof(cf);
            args[2] = count - i;
            return -XEN_ERESTART;
        }
        if (copy_from_guest(hv, v, &cf, uop + i * sizeof(cf), sizeof(cf)))
            return -XEN_EFAULT;
        rc = gnt_cache_flush_one(hv, v, &cf, cur_ref);
        if (rc < 0)
            return rc;
        cur_ref = 0;
    }
    return 0;
}
