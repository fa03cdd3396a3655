/* Log-dirty mode: the marks every write to a domain's memory makes, and the audit's baseline. */
#include <string.h>
#include "hvfuzz/monitor.h"

void logdirty_mark_pfn(struct domain *d, uint64_t pfn)
{
    /* Xen ignores m2p values that are not pfns (the MSB set); the model logs pfns it has a p2m
       slot for, which are the only ones its save reads */
    if (!d->logdirty || pfn >= HV_MAX_GFNS)
        return;
    d->ld_bitmap[pfn / 64U] |= 1ULL << (pfn % 64U);
}

uint32_t logdirty_dirty_count(const struct domain *d)
{
    uint32_t n = d->ld_dirty_carried;
    for (size_t w = 0; w < HV_MAX_GFNS / 64U; w++)
        n += (uint32_t)__builtin_popcountll(d->ld_bitmap[w]);
    return n;
}

/* The bitmap goes with its session; its marks stay counted until the next clean. */
static void logdirty_bitmap_drop(struct domain *d)
{
    d->ld_dirty_carried = logdirty_dirty_count(d);
    memset(d->ld_bitmap, 0, sizeof(d->ld_bitmap));
}

void logdirty_mark_frame(struct hv *hv, mfn_t mfn)
{
    domid_t owner = hv->frames[mfn].owner;
    if (owner >= HV_MAX_DOMAINS || !((hv->logdirty_doms >> owner) & 1U))
        return;
    /* by the m2p, as paging_mark_dirty does: a guest that rewrote its m2p entry
       (MMU_MACHPHYS_UPDATE) gets the mark where it said the frame is */
    logdirty_mark_pfn(&hv->dom[owner], hv->m2p[mfn]);
}

uint64_t logdirty_hash(const uint8_t *page)
{
    /* 64-bit words folded with a multiply: a changed word changes the hash (with near
       certainty), which is all the audit asks */
    uint64_t h = 0x9E3779B97F4A7C15ULL, w;
    for (size_t i = 0; i < PAGE_SIZE; i += sizeof(w)) {
        memcpy(&w, page + i, sizeof(w));
        h = (h ^ w) * 0x100000001B3ULL;
        h ^= h >> 29;
    }
    return h == LOGDIRTY_HASH_NONE || h == LOGDIRTY_HASH_UNTOUCHED ? 2U : h;
}

uint64_t logdirty_pfn_hash(const struct hv *hv, const struct domain *d, uint64_t pfn)
{
    mfn_t mfn = pfn < HV_MAX_GFNS ? d->p2m[pfn] : MFN_INVALID;
    if (!mfn_valid(hv, mfn))
        return LOGDIRTY_HASH_NONE;
    return logdirty_hash(hv->mem + (size_t)mfn * PAGE_SIZE);
}

bool logdirty_pfn_unmarked(const struct hv *hv, const struct domain *d, uint32_t pfn,
                           uint64_t *now)
{
    const uint64_t *base = hv->ld_hash + (size_t)d->id * HV_MAX_GFNS;
    if (pfn >= HV_MAX_GFNS)
        return false;
    *now = base[pfn];
    if ((d->ld_bitmap[pfn / 64U] >> (pfn % 64U)) & 1U)
        return false;
    mfn_t m = d->p2m[pfn];
    if (mfn_valid(hv, m)) {
        if (hv->m2p[m] != pfn)
            return false;
        if (hv->dirty && !((hv->dirty[m / 64U] >> (m % 64U)) & 1U))
            return false;
    }
    *now = logdirty_pfn_hash(hv, d, pfn);
    /* not written since the snapshot when the baseline was taken, written since, and not
       marked: a write reached it past the mark (the same pfn's frame, p2m_set marks a move) */
    if (base[pfn] == LOGDIRTY_HASH_UNTOUCHED)
        return mfn_valid(hv, m);
    return *now != base[pfn];
}

/* Before a clean or disable drops the bitmap: keep the first unmarked change for the audit. */
static void logdirty_check(struct hv *hv, struct domain *d)
{
    uint64_t now;
    uint32_t top = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    for (uint32_t pfn = 0; pfn < top && !d->ld_missed; pfn++)
        if (logdirty_pfn_unmarked(hv, d, pfn, &now))
            d->ld_missed = pfn + 1U;
}

void logdirty_baseline(struct hv *hv, struct domain *d)
{
    uint64_t *h = hv->ld_hash + (size_t)d->id * HV_MAX_GFNS;
    uint32_t top = d->p2m_top < HV_MAX_GFNS ? (uint32_t)d->p2m_top : HV_MAX_GFNS;
    for (uint32_t pfn = 0; pfn < top; pfn++) {
        mfn_t m = d->p2m[pfn];
        /* where the snapshot owner tracks writes, a frame it has not seen written since the
           reset needs no hash: any write to it from now on shows in hv->dirty */
        if (mfn_valid(hv, m) && hv->dirty && !((hv->dirty[m / 64U] >> (m % 64U)) & 1U))
            h[pfn] = LOGDIRTY_HASH_UNTOUCHED;
        else
            h[pfn] = logdirty_pfn_hash(hv, d, pfn);
    }
    /* nothing above p2m_set's high-water mark was ever populated; the row is LOGDIRTY_HASH_NONE
       from its own mark up already (calloc, or the baseline before) */
    uint32_t *row_top = &hv->ld_hash_top[d->id];
    for (uint32_t pfn = top; pfn < *row_top; pfn++)
        h[pfn] = LOGDIRTY_HASH_NONE;
    *row_top = top;
}

void logdirty_enable(struct hv *hv, struct domain *d)
{
    d->logdirty = true;
    d->ld_session++;
    logdirty_bitmap_drop(d);
    hv->logdirty_doms |= (uint8_t)(1U << d->id);
    logdirty_baseline(hv, d);
}

void logdirty_disable(struct hv *hv, struct domain *d)
{
    logdirty_check(hv, d);
    d->logdirty = false;
    d->ld_session++;
    logdirty_bitmap_drop(d);
    hv->logdirty_doms &= (uint8_t)~(1U << d->id);
}

void logdirty_clean(struct hv *hv, struct domain *d)
{
    logdirty_check(hv, d);
    memset(d->ld_bitmap, 0, sizeof(d->ld_bitmap));
    d->ld_fault_count = 0;
    d->ld_dirty_carried = 0;
    d->ld_session++;
    logdirty_baseline(hv, d);
}
