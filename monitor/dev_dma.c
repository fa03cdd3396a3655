/* The DMA-capable MMIO device: registers, descriptor ring, ownership-checked copies, and the DMA log. */
#include <stddef.h>
#include <string.h>
#include "devices.h"

#define DMA_GPA_LIMIT ((uint64_t)HV_MAX_GFNS << PAGE_SHIFT)

void dma_init(struct dev_dma *dma)
{
    *dma = (struct dev_dma){ 0 };
}

static void dma_refuse(struct dev_dma *dma, enum dma_error e)
{
    dma->status |= DMA_STATUS_ERROR;
    dma->error = e;
}

/* Does d hold a live grant mapping of mfn (writable if the device is to write it)? */
static bool dma_granted(const struct domain *d, mfn_t m, bool write)
{
    for (unsigned k = 0; k < GNT_MAX_MAPTRACK; k++) {
        const struct gnt_maptrack *mt = &d->gnt.maptrack[k];
        if (mt->in_use && mt->mfn == m && (!write || !(mt->flags & GNTMAP_readonly)))
            return true;
    }
    return false;
}

/*
 * The frame behind one gpa if the device may touch it for d: populated in d's p2m, and owned by d
 * or granted to it. A write also needs a frame the guest itself may write: a page table or a
 * descriptor table is read-only to a PV guest, and so to its device (an IOMMU maps them so).
 */
static mfn_t dma_frame(struct hv *hv, const struct domain *d, uint64_t gpa, bool write)
{
    gfn_t gfn = gpa >> PAGE_SHIFT;
    if (gfn >= HV_MAX_GFNS)
        return MFN_INVALID;
    mfn_t m = d->p2m[gfn];
    if (!mfn_valid(hv, m))
        return MFN_INVALID;
    const struct frame *f = &hv->frames[m];
    bool owned = f->owner == d->id && f->count > 0;
    if (!owned && !dma_granted(d, m, write))
        return MFN_INVALID;
    if (write && f->type_count && (PGT_IS_PT(f->type) || f->type == PGT_seg_desc))
        return MFN_INVALID;
    /* a descriptor page stays validated at type count 0 and is trusted by its next use: a
       device may write only pages that would take the writable type (Xen's IOMMU maps those) */
    if (write && f->type == PGT_seg_desc && (f->flags & FRAME_VALIDATED))
        return MFN_INVALID;
    return m;
}

/* Record the raw facts of one access: the frame's owner at this moment and whether d held a
   grant of it. The audit judges them; the check above is not consulted. */
static void dma_log(struct hv *hv, struct domain *d, mfn_t m, bool write)
{
    struct dev_dma *dma = &d->dma;
    struct dma_log_entry *e = &dma->log[dma->log_total % DMA_LOG_SIZE];
    e->mfn = (uint32_t)m;
    e->owner = hv->frames[m].owner;
    e->flags = (uint8_t)((write ? DMA_LOG_WRITE : 0) |
                         (dma_granted(d, m, write) ? DMA_LOG_GRANTED : 0));
    e->pad = 0;
    dma->log_total++;
}

/*
 * Every page of [gpa, gpa + len) usable for the access, or the error to report. HV_BUG_DMA_ESCAPE
 * re-creates a device model that checks the first page of a transfer only (and then, in
 * dma_copy, runs on through the machine frames that follow it); the fix checks every page the
 * transfer touches and translates each through the p2m.
 */
static enum dma_error dma_range_ok(struct hv *hv, const struct domain *d, uint64_t gpa,
                                   uint32_t len, bool write)
{
    uint64_t first = gpa & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t end = hv_bug_on(hv, HV_BUG_DMA_ESCAPE) ? first + 1 : gpa + len;

    if (gpa >= DMA_GPA_LIMIT || len > DMA_GPA_LIMIT - gpa)
        return DMA_ERR_LEN;
    for (uint64_t p = first; p < end; p += PAGE_SIZE)
        if (dma_frame(hv, d, p, write) == MFN_INVALID)
            return DMA_ERR_ACCESS;
    return DMA_ERR_NONE;
}

/*
 * HV_BUG_DMA_ESCAPE only: the frame behind gpa taken as the transfer's first frame plus the page
 * distance from start, as if the guest's buffer were machine-contiguous. Only the first frame was
 * ever checked; the ones after it may belong to anybody. Frames past the pool end fail the copy.
 */
static mfn_t dma_contig_frame(struct hv *hv, const struct domain *d, uint64_t start, uint64_t gpa,
                              bool write, mfn_t *first)
{
    mfn_t m;

    if (*first == MFN_INVALID)
        *first = dma_frame(hv, d, start, write);
    if (*first == MFN_INVALID)
        return MFN_INVALID;
    m = *first + ((gpa >> PAGE_SHIFT) - (start >> PAGE_SHIFT));
    return mfn_valid(hv, m) ? m : MFN_INVALID;
}

/* Copy (or zero-fill) page by page, in ascending order; the ranges were checked first. */
static void dma_copy(struct hv *hv, struct domain *d, const struct dma_desc *desc)
{
    bool fill = desc->flags & DMA_DESC_FILL;
    bool contig = hv_bug_on(hv, HV_BUG_DMA_ESCAPE);
    uint64_t src = desc->src, dst = desc->dst;
    uint32_t left = desc->len;
    mfn_t dfirst = MFN_INVALID, sfirst = MFN_INVALID;
    while (left) {
        uint32_t chunk = PAGE_SIZE - (uint32_t)(dst & (PAGE_SIZE - 1));
        if (!fill) {
            uint32_t s = PAGE_SIZE - (uint32_t)(src & (PAGE_SIZE - 1));
            if (s < chunk)
                chunk = s;
        }
        if (chunk > left)
            chunk = left;
        mfn_t dm = contig ? dma_contig_frame(hv, d, desc->dst, dst, true, &dfirst)
                          : dma_frame(hv, d, dst, true);
        if (dm == MFN_INVALID)
            return;
        uint8_t *to = frame_mem_wr(hv, dm, dst & (PAGE_SIZE - 1), chunk);
        if (fill) {
            memset(to, 0, chunk);
        } else {
            mfn_t sm = contig ? dma_contig_frame(hv, d, desc->src, src, false, &sfirst)
                              : dma_frame(hv, d, src, false);
            if (sm == MFN_INVALID)
                return;
            dma_log(hv, d, sm, false);
            memmove(to, frame_mem(hv, sm) + (src & (PAGE_SIZE - 1)), chunk);
            src += chunk;
        }
        dma_log(hv, d, dm, true);
        dst += chunk;
        left -= chunk;
    }
}

static enum dma_error dma_desc_check(struct hv *hv, const struct domain *d,
                                     const struct dma_desc *desc)
{
    if (desc->flags & ~DMA_DESC_FILL)
        return DMA_ERR_FLAGS;
    if (desc->len == 0 || desc->len > DMA_LEN_MAX)
        return DMA_ERR_LEN;
    enum dma_error e = dma_range_ok(hv, d, desc->dst, desc->len, true);
    if (e == DMA_ERR_NONE && !(desc->flags & DMA_DESC_FILL))
        e = dma_range_ok(hv, d, desc->src, desc->len, false);
    return e;
}

/* One descriptor; false when the ring itself is unusable and the batch must stop there. */
static bool dma_run_one(struct hv *hv, struct domain *d, uint32_t idx)
{
    struct dev_dma *dma = &d->dma;
    uint64_t gpa = dma->ring_base + (uint64_t)idx * DMA_DESC_SIZE;
    /* DMA_DESC_SIZE divides the page and the base is aligned: a descriptor is in one frame */
    mfn_t rm = dma_frame(hv, d, gpa, true);
    if (rm == MFN_INVALID) {
        dma_refuse(dma, DMA_ERR_DESC);
        return false;
    }
    struct dma_desc desc;
    uint8_t *slot = frame_mem(hv, rm) + (gpa & (PAGE_SIZE - 1));
    memcpy(&desc, slot, sizeof(desc));
    dma_log(hv, d, rm, false);

    enum dma_error e = dma_desc_check(hv, d, &desc);
    if (e == DMA_ERR_NONE) {
        dma_copy(hv, d, &desc);
        dma->completed++;
    } else {
        dma_refuse(dma, e);
    }
    uint64_t result = e;
    memcpy(frame_mem_wr(hv, rm, (gpa & (PAGE_SIZE - 1)) + offsetof(struct dma_desc, result),
                        sizeof(result)),
           &result, sizeof(result));
    dma_log(hv, d, rm, true);
    return true;
}

/* The doorbell: descriptors from head up to tail, at most DMA_BATCH_MAX per write. */
static void dma_doorbell(struct hv *hv, struct domain *d, uint32_t tail)
{
    struct dev_dma *dma = &d->dma;
    if (!(dma->ctrl & DMA_CTRL_ENABLE)) {
        dma_refuse(dma, DMA_ERR_DISABLED);
        return;
    }
    if (dma->ring_size == 0 || dma->ring_size > DMA_RING_MAX ||
        (dma->ring_base & (DMA_DESC_SIZE - 1)) || dma->ring_base >= DMA_GPA_LIMIT ||
        (uint64_t)dma->ring_size * DMA_DESC_SIZE > DMA_GPA_LIMIT - dma->ring_base) {
        dma_refuse(dma, DMA_ERR_RING);
        return;
    }
    if (tail >= dma->ring_size) {
        dma_refuse(dma, DMA_ERR_INDEX);
        return;
    }
    dma->tail = tail;
    for (unsigned n = 0; n < DMA_BATCH_MAX && dma->head != dma->tail; n++) {
        if (!dma_run_one(hv, d, dma->head))
            break;
        dma->head = (dma->head + 1U) % dma->ring_size;
    }
}

static void dma_reset(struct dev_dma *dma)
{
    /* the log is the audit's evidence and outlives a reset */
    dma->ring_base = 0;
    dma->ring_size = dma->head = dma->tail = 0;
    dma->status = dma->error = dma->ctrl = dma->completed = 0;
}

static uint64_t dma_read(struct hv *hv, struct domain *d, uint64_t off, unsigned size)
{
    const struct dev_dma *dma = &d->dma;
    if (size == 8 && off == DMA_REG_RING_BASE)
        return dma->ring_base;
    if (size != 4)
        return ~0ULL;
    switch (off) {
    case DMA_REG_ID:             return DMA_ID;
    case DMA_REG_RING_BASE:      return (uint32_t)dma->ring_base;
    case DMA_REG_RING_BASE + 4:  return dma->ring_base >> 32;
    case DMA_REG_RING_SIZE:      return dma->ring_size;
    case DMA_REG_HEAD:           return dma->head;
    case DMA_REG_TAIL:           return dma->tail;
    case DMA_REG_STATUS:
        return (dma->status & DMA_STATUS_ERROR) | (dma->head == dma->tail ? DMA_STATUS_IDLE : 0);
    case DMA_REG_ERROR:          return dma->error;
    case DMA_REG_CTRL:           return dma->ctrl;
    case DMA_REG_COMPLETED:      return dma->completed;
    default:                     return ~0ULL;
    }
}

/* A new ring base or size starts an empty ring: head and tail go back to 0. */
static void dma_set_ring(struct dev_dma *dma, uint64_t base, uint32_t size)
{
    dma->ring_base = base;
    dma->ring_size = size;
    dma->head = dma->tail = 0;
}

/* Writes of the wrong size or to read-only or unknown offsets are dropped. */
static void dma_write(struct hv *hv, struct domain *d, uint64_t off, unsigned size, uint64_t v)
{
    struct dev_dma *dma = &d->dma;
    if (size == 8 && off == DMA_REG_RING_BASE) {
        dma_set_ring(dma, v, dma->ring_size);
        return;
    }
    if (size != 4)
        return;
    uint32_t v32 = (uint32_t)v;
    switch (off) {
    case DMA_REG_RING_BASE:
        dma_set_ring(dma, (dma->ring_base & ~0xFFFFFFFFULL) | v32, dma->ring_size);
        break;
    case DMA_REG_RING_BASE + 4:
        dma_set_ring(dma, (dma->ring_base & 0xFFFFFFFFULL) | ((uint64_t)v32 << 32),
                     dma->ring_size);
        break;
    case DMA_REG_RING_SIZE:
        if (v32 > DMA_RING_MAX)
            dma_refuse(dma, DMA_ERR_RING);
        else
            dma_set_ring(dma, dma->ring_base, v32);
        break;
    case DMA_REG_TAIL:
        dma_doorbell(hv, d, v32);
        break;
    case DMA_REG_STATUS:
        dma->status &= ~(v32 & DMA_STATUS_ERROR);
        break;
    case DMA_REG_CTRL:
        if (v32 & DMA_CTRL_RESET)
            dma_reset(dma);
        else
            dma->ctrl = v32 & DMA_CTRL_ENABLE;
        break;
    default:
        break;
    }
}

const struct mmio_dev dma_mmio_dev = {
    .name = "dma",
    .base = DMA_MMIO_BASE,
    .size = DMA_MMIO_SIZE,
    .read = dma_read,
    .write = dma_write,
};
