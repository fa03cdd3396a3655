/* hv_preempt_run is exactly up to n hv_preempt_check calls that stop at the first that fires. */
#include <stdlib.h>
#include "hvfuzz/monitor.h"
#include "test.h"

/*
 * Table (de)validation takes a run of empty entries' preemption points in one call; a point it
 * miscounted would move where a pin is preempted and so every later result of the program. Each
 * row is one pattern, start index and run length, compared with the single checks.
 */
struct preempt_run_row {
    uint64_t pattern;
    uint32_t start;
    uint32_t n;
};

TEST(preempt_run)
{
    static const struct preempt_run_row rows[] = {
        { 0, 0, 0 }, { 0, 0, 511 }, { 0, 17, 1 },
        { ~0ULL, 0, 1 }, { ~0ULL, 63, 5 }, { ~0ULL, 5, 0 },
        { 1, 0, 1 }, { 1, 1, 63 }, { 1, 1, 64 }, { 1, 1, 200 },
        { 1ULL << 63, 0, 63 }, { 1ULL << 63, 0, 64 }, { 1ULL << 63, 64, 511 },
        { 0x8000000000000001ULL, 1, 62 }, { 0x8000000000000001ULL, 1, 63 },
        { 1ULL << 5, 0, 5 }, { 1ULL << 5, 0, 6 }, { 1ULL << 5, 0, 10 },
        { 0x0000100000000000ULL, 40, 3 }, { 0x0000100000000000ULL, 40, 5 },
        { 0x0000100000000000ULL, 45, 100 },
        /* the index wraps at 2^32, a multiple of 64 */
        { 1ULL << 3, 0xfffffffcU, 6 }, { 1ULL << 3, 0xfffffffcU, 8 }, { 1, 0xffffffffU, 2 },
        { 0x00f0f0f0f0f0f0f0ULL, 7, 9 }, { 0x00f0f0f0f0f0f0f0ULL, 7, 500 },
    };
    struct hv *hv = calloc(1, sizeof(*hv));

    CU_ASSERT_FATAL(hv != NULL);
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct preempt_run_row *r = &rows[i];
        uint32_t quiet = 0;

        hv->preempt_pattern = r->pattern;
        hv->preempt_idx = r->start;
        while (quiet < r->n && !hv_preempt_check(hv))
            quiet++;
        uint32_t want_idx = hv->preempt_idx;

        hv->preempt_idx = r->start;
        uint32_t got = hv_preempt_run(hv, r->n);
        if (got != quiet || hv->preempt_idx != want_idx)
            fprintf(stderr, "%s:%d: row %u (pattern %#llx, start %u, n %u): expected %u quiet, "
                    "index %u; actual %u, %u\n", __FILE__, __LINE__, i,
                    (unsigned long long)r->pattern, r->start, r->n, quiet, want_idx, got,
                    hv->preempt_idx);
        TEST_EQ(quiet, got);
        TEST_EQ(want_idx, hv->preempt_idx);
    }
    free(hv);
}
