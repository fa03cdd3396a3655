/* Descriptor tables of a 64-bit PV guest: set_gdt, update_descriptor and mmuext SET_LDT. */
#include "hvfuzz/hypercall.h"

/*
 * set_gdt(frame_list, entries): the frames (machine frame numbers, 8 bytes each, as many as the
 * entries need) become the vCPU's GDT. Every frame must belong to the caller and take the
 * seg_desc type (its descriptors checked); each then holds a general and a type ref until the
 * next set_gdt, or the domain's destruction, releases it. A failure releases what it took and
 * leaves the old GDT in place.
 */
long do_set_gdt(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *d = dom_get(hv, v->domid);
    uint32_t ents = (uint32_t)args[1];
    uint64_t frames[FIRST_RESERVED_GDT_PAGE];
    unsigned n = (ents + GDT_ENTRIES_PER_PAGE - 1U) / GDT_ENTRIES_PER_PAGE, i;

    /* checked before the copy, so that the copy is bounded */
    if (ents > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    if (n && copy_from_guest(hv, v, frames, args[0], n * sizeof(frames[0])) < 0)
        return -XEN_EFAULT;
    for (i = 0; i < n; i++)
        if (get_page_and_type(hv, frames[i], d, PGT_seg_desc, false) < 0)
            goto fail;

    vcpu_gdt_destroy(hv, v);
    v->gdt_ents = ents;
    for (i = 0; i < n; i++)
        v->gdt_frames[i] = frames[i];
    /* Xen's flush_tlb_local: the old GDT's mappings go */
    tlb_flush_vcpu(hv, v);
    return 0;

fail:
    while (i-- > 0)
        put_page_and_type(hv, frames[i]);
    return -XEN_EINVAL;
}

/*
 * update_descriptor(maddr, desc): write one checked descriptor at a machine address of the
 * caller's (a PV guest's addresses are machine addresses). The page must be a descriptor page, or
 * one that can be typed writable (not a page table, not another domain's): a descriptor page
 * keeps its type and its validation, since what is written passed the same check.
 */
long do_update_descriptor(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *d = dom_get(hv, v->domid);
    uint64_t maddr = args[0], desc = args[1];
    mfn_t mfn = maddr >> PAGE_SHIFT;

    /* a misaligned write would straddle two descriptors, one of them unchecked */
    if ((maddr & 7U) || !seg_desc_check(hv, &desc))
        return -XEN_EINVAL;
    if (!get_page(hv, mfn, d))
        return -XEN_EINVAL;
    enum pgt_type t = hv->frames[mfn].type == PGT_seg_desc ? PGT_seg_desc : PGT_writable;
    if (get_page_type(hv, mfn, t, false) < 0) {
        put_page(hv, mfn);
        return -XEN_EINVAL;
    }
    uint8_t *p = frame_mem_wr(hv, mfn, maddr & (PAGE_SIZE - 1U), 8);
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(desc >> (8U * i));
    put_page_and_type(hv, mfn);
    return 0;
}

/*
 * MMUEXT_SET_LDT(linear_addr, nr_ents): the vCPU's LDT. Xen keeps the base and the count and maps
 * the pages on the first fault through them; the model keeps the two values only (docs/MODEL.md).
 * An empty LDT's base is Xen's ZERO_BLOCK_PTR whatever the guest passed.
 */
int vcpu_set_ldt(struct vcpu *v, uint64_t linear, uint32_t ents)
{
    uint64_t base = ents ? linear : ~0ULL;

    if (ents > LDT_MAX_ENTRIES)
        return -XEN_EINVAL;
    /* page aligned, and below the non-canonical hole or above Xen's range (Xen's __addr_ok) */
    if (ents && ((base & (PAGE_SIZE - 1U)) ||
                 !guest_range_ok(base, 1)))
        return -XEN_EINVAL;
    v->ldt_base = base;
    v->ldt_ents = ents;
    return 0;
}
