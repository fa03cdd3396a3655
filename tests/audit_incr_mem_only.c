/* Incremental audit, frames whose memory alone changed: compared only when a per-frame check reads their memory (free frames, descriptor pages). */
#include "audit_desc_util.h"

/*
 * A frame whose entry is the snapshot's but whose memory was written is compared only if it is
 * free (I9 reads a free frame's bytes) or a descriptor page (its contents are checked); a table's
 * written entries are redone on their own. Each case writes one frame's memory after the
 * snapshot and compares the invariant in the incremental report with the full one: a byte in a
 * never-used free frame (I9), a byte in a data frame (clean), an interrupt gate in a GDT page
 * installed before the snapshot (I4). Leaving out either kind misses its case.
 */

static void incr_mem_free(struct hv *hv)
{
    mfn_t m = au_never_used_frame(hv);
    if (m != MFN_INVALID)
        frame_mem(hv, m)[100] = 0x5A;
}

static void incr_mem_data(struct hv *hv)
{
    frame_mem(hv, au_mfn(hv, 1, AU_DATA_GFN + 5U))[100] = 0x5A;
}

static const struct au_incr_case incr_mem_cases[] = {
    { "a byte in a never-used free frame", incr_mem_free, true, true },
    { "a byte in a data frame", incr_mem_data, false, true },
};

static void incr_mem_gdt(struct hv *hv)
{
    au_desc_gdt(hv, 1, AU_DATA_GFN);
}

static void incr_mem_gate(struct hv *hv)
{
    ((uint64_t *)frame_mem(hv, au_mfn(hv, 1, AU_DATA_GFN)))[5] = 0x00008E00E0331000ULL;
}

static const struct au_incr_case incr_mem_desc_cases[] = {
    { "an interrupt gate in a GDT page", incr_mem_gate, true, true },
};

TEST(audit_incr_mem_only)
{
    au_incr_cases(incr_mem_cases, sizeof(incr_mem_cases) / sizeof(incr_mem_cases[0]),
                  INV_I9_SCRUB, true);
    au_incr_cases_from(incr_mem_gdt, incr_mem_desc_cases,
                       sizeof(incr_mem_desc_cases) / sizeof(incr_mem_desc_cases[0]),
                       INV_I4_TABLES, true);
}
