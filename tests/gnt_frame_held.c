/* gnttab_frame_held says yes for every frame holding an entry gnttab_pte_held names. */
#include "audit_util.h"
#include "hvfuzz/xen.h"

/*
 * The migration stream's canonicaliser asks gnttab_frame_held once per L1 and skips the
 * per-entry gnttab_pte_held when it says no: a no for a frame with a held entry would send a
 * grant mapping in the stream. Each row plants one host maptrack entry of dom2 (aligned, at a
 * frame's edges, misaligned across a frame boundary as HV_BUG_XSA227 allows, not a host map, not
 * in use) and checks, for the frame and both neighbours, that the frame answer covers every
 * entry's and is the one the row expects.
 */
struct frame_held_row {
    const char *what;
    int64_t off;        /* host_addr relative to the frame's first byte */
    uint8_t flags;
    bool in_use;
    bool held[3];       /* the previous frame, the frame, the next */
};

TEST(gnt_frame_held)
{
    static const struct frame_held_row rows[] = {
        { "entry 0", 0, GNTMAP_host_map, true, { false, true, false } },
        { "entry 511", 4088, GNTMAP_host_map, true, { false, true, false } },
        { "entry 100", 800, GNTMAP_host_map | GNTMAP_readonly, true, { false, true, false } },
        { "misaligned across the start", -4, GNTMAP_host_map, true, { true, true, false } },
        { "misaligned across the end", 4092, GNTMAP_host_map, true, { false, true, true } },
        { "misaligned inside", 801, GNTMAP_host_map, true, { false, true, false } },
        { "device map only", 800, GNTMAP_device_map, true, { false, false, false } },
        { "not in use", 800, GNTMAP_host_map, false, { false, false, false } },
    };
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct grant_table *gt = &hv->dom[2].gnt;
    mfn_t l1 = au_l1_of(hv, 1, AU_DATA_GFN);

    CU_ASSERT_FATAL(l1 > 0 && l1 + 1 < hv->nr_frames);
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct frame_held_row *r = &rows[i];
        struct gnt_maptrack saved = gt->maptrack[0];
        uint32_t saved_hi = gt->maptrack_hi;

        gt->maptrack[0] = (struct gnt_maptrack){
            .in_use = r->in_use, .flags = r->flags, .dom = 1,
            .host_addr = (uint64_t)((int64_t)(l1 << PAGE_SHIFT) + r->off),
        };
        if (gt->maptrack_hi < 1)
            gt->maptrack_hi = 1;
        for (unsigned k = 0; k < 3; k++) {
            mfn_t m = l1 - 1U + k;
            bool any = false;
            for (unsigned idx = 0; idx < PTES_PER_TABLE; idx++)
                any |= gnttab_pte_held(hv, m, idx);
            bool frame = gnttab_frame_held(hv, m);
            if (frame != r->held[k] || any != r->held[k])
                fprintf(stderr, "%s:%d: %s, frame %+d: expected held %d; actual frame %d, "
                        "entries %d\n", __FILE__, __LINE__, r->what, (int)k - 1, r->held[k],
                        frame, any);
            CU_ASSERT(frame == r->held[k]);
            CU_ASSERT(any == r->held[k]);
        }
        gt->maptrack[0] = saved;
        gt->maptrack_hi = saved_hi;
    }
    hv_destroy(hv);
}
