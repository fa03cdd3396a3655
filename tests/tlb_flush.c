/* TLB model: lookups, slot eviction, per-VA and full flushes, and the timestamp filter. */
#include "hvfuzz/monitor.h"
#include "test.h"

/*
 * The filter is what makes stale-TLB bugs (XSA-241 class) observable: a vCPU is flushed when a
 * frame is reused only if it has not flushed since the frame's last mapping went away.
 */
TEST(tlb_flush)
{
    const struct hv_config cfg = { .nr_frames = 64, .dom0_pages = 16, .dom0_vcpus = 2 };
    struct hv *hv = hv_create(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hv);
    struct vcpu *a = &hv->dom[0].vcpu[0], *b = &hv->dom[0].vcpu[1];
    const gva_t va = DOM_VA(8), other = va + (gva_t)HV_TLB_ENTRIES * PAGE_SIZE;

    /* insert, hit, collide in the same direct-mapped slot, flush one VA */
    tlb_insert(a, va + 0x10, 5, _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED);
    struct tlb_entry e;
    CU_ASSERT(tlb_lookup(a, va + 0xFFF, &e));
    TEST_EQ(va, e.va);
    TEST_EQ(5, e.mfn);
    TEST_EQ(_PAGE_RW | _PAGE_USER, e.flags);
    CU_ASSERT(!tlb_lookup(b, va, NULL));
    tlb_insert(a, other, 6, 0);
    CU_ASSERT(!tlb_lookup(a, va, NULL));
    CU_ASSERT(tlb_lookup(a, other, NULL));
    tlb_flush_va(a, va);
    CU_ASSERT(tlb_lookup(a, other, NULL));
    tlb_flush_va(a, other);
    CU_ASSERT(!tlb_lookup(a, other, NULL));

    /* a frame stamped after both vCPUs' last flush: both are flushed by the filter */
    tlb_flush_all(hv);
    tlb_insert(a, va, 5, 0);
    tlb_insert(b, va, 5, 0);
    tlb_stamp_frame(hv, 5);
    uint32_t stamp = hv->frames[5].tlbflush_timestamp;
    tlb_flush_filtered(hv, stamp);
    CU_ASSERT(!tlb_lookup(a, va, NULL));
    CU_ASSERT(!tlb_lookup(b, va, NULL));
    CU_ASSERT(hv->tlbclock > stamp);

    /* a vCPU that flushed after the stamp keeps its (new) entries; the other is flushed */
    tlb_stamp_frame(hv, 5);
    stamp = hv->frames[5].tlbflush_timestamp;
    tlb_flush_vcpu(hv, a);
    tlb_insert(a, va, 7, 0);
    tlb_insert(b, va, 5, 0);
    tlb_flush_filtered(hv, stamp);
    CU_ASSERT(tlb_lookup(a, va, NULL));
    CU_ASSERT(!tlb_lookup(b, va, NULL));

    /* nobody predates an old stamp: the filter does nothing, not even advance the clock */
    uint32_t clock = hv->tlbclock;
    tlb_insert(b, va, 5, 0);
    tlb_flush_filtered(hv, 0);
    TEST_EQ(clock, hv->tlbclock);
    CU_ASSERT(tlb_lookup(b, va, NULL));

    /* freeing stamps the frame; allocating it again flushes a vCPU that may still cache it */
    int err = 0;
    mfn_t m = frame_alloc(hv, &hv->dom[0], false, &err);
    TEST_EQ(0, err);
    CU_ASSERT_FATAL(m != MFN_INVALID);
    tlb_insert(b, va, m, _PAGE_RW);
    hv->frames[m].count = 0;
    hv->frames[m].flags = 0;
    frame_free(hv, m);
    TEST_EQ(hv->tlbclock, hv->frames[m].tlbflush_timestamp);
    CU_ASSERT(hv->frames[m].flags & FRAME_NEED_SCRUB);
    mfn_t again;
    do {
        again = frame_alloc(hv, &hv->dom[0], false, &err);
    } while (again != MFN_INVALID && again != m);
    TEST_EQ(m, again);
    CU_ASSERT(!tlb_lookup(b, va, NULL));
    CU_ASSERT(!(hv->frames[m].flags & FRAME_NEED_SCRUB));

    /* the clock wraps: everyone is flushed and the clock restarts above zero */
    tlb_insert(a, va, 5, 0);
    hv->tlbclock = UINT32_MAX;
    tlb_flush_vcpu(hv, b);
    CU_ASSERT(hv->tlbclock != 0);
    CU_ASSERT(!tlb_lookup(a, va, NULL));
    TEST_EQ(hv->tlbclock, b->tlb_flush_time);
    hv_destroy(hv);
}
