/* Guest memory accesses through a vCPU's page tables: TLB first, then a walk that fills the TLB. */
#include <string.h>
#include "hvfuzz/monitor.h"

bool guest_range_ok(gva_t va, uint64_t len)
{
    if (len == 0)
        return gva_canonical(va);
    gva_t last = va + len - 1U;
    if (last < va)
        return false;
    /* both ends canonical and in the same half: the range cannot span the non-canonical hole */
    if (!gva_canonical(va) || !gva_canonical(last) || ((va ^ last) >> 63))
        return false;
    return last < XEN_VIRT_START || va >= XEN_VIRT_END;
}

int guest_translate(struct hv *hv, struct vcpu *v, gva_t va, uint32_t access, mfn_t *mfn,
                    uint32_t *pfec)
{
    uint32_t dummy;
    if (!pfec)
        pfec = &dummy;
    const struct tlb_entry *e = tlb_find(v, va);
    if (e) {
        if (!(access & PFEC_WRITE) || (e->flags & _PAGE_RW)) {
            *mfn = e->mfn;
            return 0;
        }
        /* a permission fault invalidates the cached entry, then the walk decides */
        tlb_flush_va(v, va);
    }
    struct walk_result r;
    if (pt_walk(hv, v->guest_table, va, access, &r) < 0) {
        *pfec = r.pfec;
        return -XEN_EFAULT;
    }
    tlb_insert(v, va, r.mfn, r.flags);
    *mfn = r.mfn;
    return 0;
}

static int guest_access(struct hv *hv, struct vcpu *v, gva_t va, void *buf, size_t len,
                        bool write, bool nolog, uint32_t *pfec)
{
    uint32_t dummy;
    if (!pfec)
        pfec = &dummy;
    *pfec = 0;
    if (!v)
        return -XEN_EFAULT;
    uint8_t *p = buf;
    while (len) {
        size_t off = (size_t)(va & (PAGE_SIZE - 1U));
        size_t chunk = PAGE_SIZE - off;
        if (chunk > len)
            chunk = len;
        mfn_t mfn;
        int rc = guest_translate(hv, v, va, write ? PFEC_WRITE : 0, &mfn, pfec);
        if (rc < 0)
            return rc;
        /* a stale TLB entry may name a frame the pool no longer has: fault rather than overrun */
        if (!mfn_valid(hv, mfn)) {
            *pfec = (write ? PFEC_WRITE : 0) | PFEC_PRESENT | PFEC_RSVD;
            return -XEN_EFAULT;
        }
        if (write)
            memcpy(nolog ? frame_mem_wr_nolog(hv, mfn, off, chunk) : frame_mem_wr(hv, mfn, off, chunk),
                   p, chunk);
        else
            memcpy(p, frame_mem(hv, mfn) + off, chunk);
        p += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

/*
 * The common case of guest_access without its loop and call: the access stays in one page and
 * the TLB holds that page with the rights it needs. It then does what guest_access's one pass
 * would (a TLB hit changes nothing in the TLB); anything else (a miss, a write the entry does not
 * allow, a frame past the pool, a page crossing) is left to guest_access.
 */
static inline bool guest_tlb_page(struct hv *hv, const struct vcpu *v, gva_t va, size_t len,
                                  bool write, mfn_t *mfn)
{
    if (!v || len == 0 || len > PAGE_SIZE - (size_t)(va & (PAGE_SIZE - 1U)))
        return false;
    const struct tlb_entry *e = tlb_find(v, va);
    if (!e || (write && !(e->flags & _PAGE_RW)) || !mfn_valid(hv, e->mfn))
        return false;
    *mfn = e->mfn;
    return true;
}

int guest_read(struct hv *hv, struct vcpu *v, gva_t va, void *buf, size_t len, uint32_t *pfec)
{
    mfn_t mfn;

    if (guest_tlb_page(hv, v, va, len, false, &mfn)) {
        if (pfec)
            *pfec = 0;
        memcpy(buf, frame_mem(hv, mfn) + (va & (PAGE_SIZE - 1U)), len);
        return 0;
    }
    return guest_access(hv, v, va, buf, len, false, false, pfec);
}

int guest_write(struct hv *hv, struct vcpu *v, gva_t va, const void *buf, size_t len,
                uint32_t *pfec)
{
    mfn_t mfn;

    if (guest_tlb_page(hv, v, va, len, true, &mfn)) {
        size_t off = (size_t)(va & (PAGE_SIZE - 1U));
        if (pfec)
            *pfec = 0;
        memcpy(frame_mem_wr(hv, mfn, off, len), buf, len);
        return 0;
    }
    /* the buffer is only read from on this path */
    return guest_access(hv, v, va, (void *)(uintptr_t)buf, len, true, false, pfec);
}

int copy_from_guest(struct hv *hv, struct vcpu *v, void *dst, gva_t src, size_t len)
{
    if (!guest_range_ok(src, len))
        return -XEN_EFAULT;
    return guest_read(hv, v, src, dst, len, NULL) < 0 ? -XEN_EFAULT : 0;
}

int copy_to_guest(struct hv *hv, struct vcpu *v, gva_t dst, const void *src, size_t len)
{
    if (!guest_range_ok(dst, len))
        return -XEN_EFAULT;
    /* HV_BUG_MIG_DIRTY_HCALL: the hypervisor's own writes on the guest's behalf go through a
       mapping of the frame that log-dirty mode does not see (a missing paging_mark_dirty) */
    if (!hv_bug_on(hv, HV_BUG_MIG_DIRTY_HCALL))
        return guest_write(hv, v, dst, src, len, NULL) < 0 ? -XEN_EFAULT : 0;
    return guest_access(hv, v, dst, (void *)(uintptr_t)src, len, true, true, NULL) < 0
               ? -XEN_EFAULT : 0;
}
