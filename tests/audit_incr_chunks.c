/* Incremental audit, page-table chunks: of a written table only the 256-byte chunks marked written are compared, and a bad entry in any of them is still found. */
#include "audit_util.h"

/*
 * The incremental audit compares a dirty table with the snapshot only in the chunks hv->dchunk
 * marks (32 entries each, four at a time when all four are marked). Each case writes entries of
 * dom1's first L1 table after the snapshot (au_audit_incr marks exactly the chunks that differ)
 * and compares I1 in the incremental report with I1 in the full one: an uncounted mapping at the
 * first and last entry of chunk 0, the first of chunk 1, the last of the table, one in chunk 1
 * after an accessed bit flipped in chunk 0, and the accessed bit alone (clean). A chunk-to-entry
 * mapping off by a chunk, or a stop after the first marked chunk, misses some.
 */

/* Entry i maps a data frame of dom1 it did not map: that frame's general count is one short. */
static void incr_chunk_bad(struct hv *hv, unsigned i)
{
    uint64_t *pte = frame_ptes(hv, au_l1_of(hv, 1, AU_DATA_GFN));
    mfn_t t = au_mfn(hv, 1, AU_DATA_GFN + 3U);
    if (((pte[i] & PTE_ADDR_MASK) >> PAGE_SHIFT) == t)
        t = au_mfn(hv, 1, AU_DATA_GFN + 4U);
    pte[i] = (t << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER;
}

/* The accessed bit of entry 1 (present or not): a changed word that moves no count. */
static void incr_chunk_accessed(struct hv *hv)
{
    frame_ptes(hv, au_l1_of(hv, 1, AU_DATA_GFN))[1] ^= _PAGE_ACCESSED;
}

static void incr_chunk_0(struct hv *hv) { incr_chunk_bad(hv, 0); }
static void incr_chunk_31(struct hv *hv) { incr_chunk_bad(hv, 31); }
static void incr_chunk_32(struct hv *hv) { incr_chunk_bad(hv, 32); }
static void incr_chunk_511(struct hv *hv) { incr_chunk_bad(hv, 511); }

static void incr_chunk_second(struct hv *hv)
{
    incr_chunk_accessed(hv);
    incr_chunk_bad(hv, 33);
}

static const struct au_incr_case incr_chunk_cases[] = {
    { "bad entry 0", incr_chunk_0, true, false },
    { "bad entry 31", incr_chunk_31, true, false },
    { "bad entry 32", incr_chunk_32, true, false },
    { "bad entry 511", incr_chunk_511, true, false },
    { "accessed bit in one chunk, bad entry in another", incr_chunk_second, true, false },
    { "accessed bit alone", incr_chunk_accessed, false, false },
};

TEST(audit_incr_chunks)
{
    au_incr_cases(incr_chunk_cases, sizeof(incr_chunk_cases) / sizeof(incr_chunk_cases[0]),
                  INV_I1_COUNT, true);
}
