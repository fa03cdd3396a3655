/* Frame allocator and page lists (doubly linked through the frame table by mfn). */
#include <string.h>
#include "hvfuzz/monitor.h"

void page_list_init(struct page_list *l)
{
    l->head = HV_LIST_END;
    l->tail = HV_LIST_END;
    l->count = 0;
}

void page_list_add(struct hv *hv, struct page_list *l, uint16_t list_id, mfn_t mfn)
{
    if (!mfn_valid(hv, mfn))
        return;
    struct frame *f = frame_w(hv, mfn);
    f->list_next = HV_LIST_END;
    f->list_prev = l->tail;
    if (l->tail == HV_LIST_END)
        l->head = (uint32_t)mfn;
    else
        frame_w(hv, l->tail)->list_next = (uint32_t)mfn;
    l->tail = (uint32_t)mfn;
    l->count++;
    f->list_id = list_id;
}

void page_list_del(struct hv *hv, struct page_list *l, mfn_t mfn)
{
    if (!mfn_valid(hv, mfn) || l->count == 0)
        return;
    struct frame *f = frame_w(hv, mfn);
    if (f->list_prev == HV_LIST_END)
        l->head = f->list_next;
    else
        frame_w(hv, f->list_prev)->list_next = f->list_next;
    if (f->list_next == HV_LIST_END)
        l->tail = f->list_prev;
    else
        frame_w(hv, f->list_next)->list_prev = f->list_prev;
    f->list_next = HV_LIST_END;
    f->list_prev = HV_LIST_END;
    f->list_id = LIST_NONE;
    l->count--;
}

/* Give the free frame mfn to d: the per-frame part of every allocation. */
static void frame_take(struct hv *hv, struct domain *d, bool xen_heap, mfn_t mfn)
{
    struct frame *f = frame_w(hv, mfn);
    page_list_del(hv, &hv->free, mfn);
    if (hv->frame_gen)
        hv->frame_gen[mfn]++;
    /* the previous owner's data must never reach the next one (I9) */
    if (f->flags & FRAME_NEED_SCRUB)
        memset(frame_mem_w(hv, mfn), 0, PAGE_SIZE);
    /* a vCPU that has not flushed since the frame was last unmapped may still cache it */
    tlb_flush_filtered(hv, f->tlbflush_timestamp);

    f->count = 1;
    f->linear_pt_count = 0;
    f->nr_validated_ptes = 0;
    f->owner = d->id;
    m2p_set(hv, mfn, GFN_INVALID);
    if (xen_heap) {
        /* shared like Xen's share_xen_page_with_guest: writable, with the permanent share ref */
        f->flags = FRAME_ALLOCATED | FRAME_XEN_HEAP;
        f->type = PGT_writable;
        f->type_count = 1;
        page_list_add(hv, &d->xenpages, LIST_XEN(d->id), mfn);
    } else {
        f->flags = FRAME_ALLOCATED;
        f->type = PGT_none;
        f->type_count = 0;
        page_list_add(hv, &d->pages, LIST_PAGES(d->id), mfn);
        d->tot_pages++;
    }
}

/* Whether d may receive n more frames: -EINVAL dying, -EPERM past max_pages (Xen's assign_pages). */
static int frame_may_assign(const struct domain *d, bool xen_heap, uint64_t n)
{
    if (!d || !d->exists || d->dying)
        return -XEN_EINVAL;
    /* xen-heap frames are the monitor's, shared with d: they do not count against d */
    if (!xen_heap && (uint64_t)d->tot_pages + n > d->max_pages)
        return -XEN_EPERM;
    return 0;
}

mfn_t frame_alloc(struct hv *hv, struct domain *d, bool xen_heap, int *err)
{
    int dummy;
    if (!err)
        err = &dummy;
    *err = frame_may_assign(d, xen_heap, 1);
    if (*err)
        return MFN_INVALID;
    if (hv->free.head == HV_LIST_END) {
        *err = -XEN_ENOMEM;
        return MFN_INVALID;
    }
    mfn_t mfn = hv->free.head;
    frame_take(hv, d, xen_heap, mfn);
    return mfn;
}

/*
 * 2^order machine-contiguous frames, aligned to their size as a buddy allocator hands them out:
 * the lowest such run that is wholly free. Order 0 is frame_alloc (the free list's head), so
 * single frames come from the same place whichever call asks. Scans the pool: orders above 0
 * are rare and the pool is small.
 */
mfn_t frame_alloc_order(struct hv *hv, struct domain *d, unsigned order, int *err)
{
    int dummy;
    if (!err)
        err = &dummy;
    if (order == 0)
        return frame_alloc(hv, d, false, err);
    uint64_t n = 1ULL << order;
    *err = order >= 32 ? -XEN_ENOMEM : frame_may_assign(d, false, n);
    if (*err)
        return MFN_INVALID;
    for (uint64_t base = 0; base + n <= hv->nr_frames; base += n) {
        uint64_t k = 0;
        while (k < n && hv->frames[base + k].list_id == LIST_FREE)
            k++;
        if (k < n)
            continue;
        for (k = 0; k < n; k++)
            frame_take(hv, d, false, base + k);
        return base;
    }
    *err = -XEN_ENOMEM;
    return MFN_INVALID;
}

void frame_free(struct hv *hv, mfn_t mfn)
{
    if (!mfn_valid(hv, mfn))
        return;
    struct frame *f = frame_w(hv, mfn);
    if (f->list_id == LIST_FREE) {
        hv_bug(hv, "frame_free: frame already free");
        return;
    }
    if (f->count != 0) {
        hv_bug(hv, "frame_free: general count not zero");
        return;
    }
    /* the share ref of a xen-heap frame goes with the frame; any other type ref is a leak */
    uint32_t perm = (f->flags & FRAME_XEN_HEAP) ? 1U : 0U;
    if (f->type_count > perm)
        hv_bug(hv, "frame_free: type count not zero");

    struct domain *d = f->owner < HV_MAX_DOMAINS ? &hv->dom[f->owner] : NULL;
    if (d && f->list_id == LIST_PAGES(d->id)) {
        page_list_del(hv, &d->pages, mfn);
        if (d->tot_pages)
            d->tot_pages--;
    } else if (d && f->list_id == LIST_XEN(d->id)) {
        page_list_del(hv, &d->xenpages, mfn);
    } else if (f->list_id != LIST_NONE) {
        hv_bug(hv, "frame_free: frame on a list that is not its owner's");
        return;
    }

    f->flags = FRAME_NEED_SCRUB;
    f->type = PGT_none;
    f->type_count = 0;
    f->linear_pt_count = 0;
    f->nr_validated_ptes = 0;
    f->owner = DOMID_INVALID;
    m2p_set(hv, mfn, GFN_INVALID);
    if (hv->frame_gen)
        hv->frame_gen[mfn]++;
    tlb_stamp_frame(hv, mfn);
    page_list_add(hv, &hv->free, LIST_FREE, mfn);

    /* a zombie goes away with its last frame */
    if (d && d->exists && d->dying && d->pages.count == 0 && d->xenpages.count == 0)
        dom_gone(hv, d);
}
