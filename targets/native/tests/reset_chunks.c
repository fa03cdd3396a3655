/*
 * The native reset copies back only the 256-byte chunks of a frame its ranged write sites marked
 * (frame_mem_wr, frame_pte_w). Each row writes through one ranged site at a chunk edge (the last
 * bytes of a page, a write straddling two chunks or two pages, the same through a TLB hit, a PTE
 * past chunk 0, a grant entry at the end of its frame), checks the write changed the machine and left a frame with only some
 * chunks marked (or the row would not exercise the partial copy), and then that the reset gives a
 * fresh build's machine byte for byte: a site marking less than it writes fails here.
 */
#include <stdlib.h>
#include <string.h>

#include "hypercalls/grant_table.h"
#include "targets/native/native.h"
#include "targets/native/tests/reset_util.h"
#include "test.h"

/* dom1's data frames from gfn 4 (gfn 3 is its L1); its payload page is gfn 63. */
static void chunk_guest_write(struct hv *hv, gva_t va, size_t len)
{
    uint8_t buf[16];

    memset(buf, 0xA5, sizeof(buf));
    TEST_EQ(0, guest_write(hv, &hv->dom[1].vcpu[0], va, buf, len, NULL));
}

static void chunk_straddle(struct hv *hv) { chunk_guest_write(hv, DOM_VA(10) + 250U, 12); }
static void chunk_page_end(struct hv *hv) { chunk_guest_write(hv, DOM_VA(10) + PAGE_SIZE - 1U, 1); }
static void chunk_two_pages(struct hv *hv) { chunk_guest_write(hv, DOM_VA(10) + PAGE_SIZE - 6U, 12); }

static void chunk_copy_to_guest(struct hv *hv)
{
    uint64_t v = 0x1122334455667788ULL;

    TEST_EQ(0, copy_to_guest(hv, &hv->dom[1].vcpu[0], DOM_VA(12) + 0x7FCU, &v, sizeof(v)));
}

/* a read first fills the TLB: the write then takes guest_write's one-page TLB path */
static void chunk_tlb_hit(struct hv *hv, gva_t va, bool copy)
{
    struct vcpu *v = &hv->dom[1].vcpu[0];
    uint8_t buf[12];

    TEST_EQ(0, guest_read(hv, v, va & ~(gva_t)(PAGE_SIZE - 1U), buf, 1, NULL));
    CU_ASSERT(tlb_find(v, va) != NULL);
    memset(buf, 0x5A, sizeof(buf));
    if (copy)
        TEST_EQ(0, copy_to_guest(hv, v, va, buf, sizeof(buf)));
    else
        TEST_EQ(0, guest_write(hv, v, va, buf, sizeof(buf), NULL));
}

static void chunk_tlb_write(struct hv *hv) { chunk_tlb_hit(hv, DOM_VA(11) + 0x5FAU, false); }
static void chunk_tlb_copy(struct hv *hv) { chunk_tlb_hit(hv, DOM_VA(13) + 0x3FCU, true); }

/* a non-present value in L1 slot 100 (byte 800: chunk 3) through mod_pt_entry */
static void chunk_pte(struct hv *hv)
{
    TEST_EQ(0, mod_pt_entry(hv, &hv->dom[1].vcpu[0], hv->dom[1].p2m[DOM_GFN_L1], 1, 100, 0xA00,
                            &hv->dom[1], false, false));
}

/* the last v1 entry of dom1's first grant frame, its flags and frame */
static void chunk_gnt_entry(struct hv *hv)
{
    struct grant_table *gt = &hv->dom[1].gnt;
    grant_ref_t ref = (grant_ref_t)GNT_V1_PER_FRAME - 1U;

    if (gt->nr_frames == 0) {
        CU_FAIL("dom1 has no grant frame");
        return;
    }
    gnt_entry_set_flags(hv, gt, ref, GTF_permit_access);
    gnt_entry_set_frame(hv, gt, ref, 0x1234);
}

static const struct reset_row reset_chunks[] = {
    { "guest write straddling chunks 0 and 1", chunk_straddle },
    { "guest write of a page's last byte", chunk_page_end },
    { "guest write across two pages", chunk_two_pages },
    { "copy_to_guest straddling chunks 7 and 8", chunk_copy_to_guest },
    { "guest write through a TLB hit, chunks 5 and 6", chunk_tlb_write },
    { "copy_to_guest through a TLB hit, chunks 3 and 4", chunk_tlb_copy },
    { "L1 entry 100 (chunk 3)", chunk_pte },
    { "grant entry at the end of its frame", chunk_gnt_entry },
};

TEST(native_reset_chunks)
{
    reset_rows_check(reset_chunks, sizeof(reset_chunks) / sizeof(reset_chunks[0]), true);
}
