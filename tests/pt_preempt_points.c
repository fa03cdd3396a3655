/* Table (de)validation is preempted at the same entries whether or not it skips empty runs. */
#include "audit_util.h"
#include "../monitor/mm_private.h"

/*
 * pt_validate and pt_devalidate step over a run of empty entries at once and take the run's
 * preemption points together. The model here is the entry-by-entry loop they replaced: a point
 * after every entry but the last (validation) or entry 0 (devalidation), none for Xen's L4 slots.
 * Each row fills a free page of dom1 with read-only self-references (present, holding no refs) at
 * the given entries, then validates and devalidates it to the end under the pattern, resuming
 * after each preemption, and compares every resume point and the final preemption index.
 */
#define PP_MAX_STOPS 600U

struct pp_row {
    const char *what;
    unsigned level;
    uint64_t pattern;
    uint32_t start;
    unsigned nr_present;
    unsigned present[4];   /* entries holding a self-reference */
};

struct pp_trace {
    unsigned nr;
    uint16_t stop[PP_MAX_STOPS];
    uint32_t idx;
};

/* The entry-by-entry loops: where each preemption leaves nr_validated_ptes. */
static void pp_model(const struct pp_row *r, bool validate, struct pp_trace *t)
{
    uint32_t idx = r->start;
    unsigned i = validate ? 0 : PTES_PER_TABLE;

    t->nr = 0;
    for (;;) {
        bool stopped = false;
        if (validate) {
            for (; i < PTES_PER_TABLE && !stopped; i++) {
                if (pt_xen_slot(r->level, i) || i + 1 == PTES_PER_TABLE)
                    continue;
                if ((r->pattern >> (idx++ % 64U)) & 1U) {
                    t->stop[t->nr++] = (uint16_t)(i + 1);
                    stopped = true;
                }
            }
            i = stopped ? t->stop[t->nr - 1] : i;
        } else {
            while (i > 0 && !stopped) {
                i--;
                if (pt_xen_slot(r->level, i) || i == 0)
                    continue;
                if ((r->pattern >> (idx++ % 64U)) & 1U) {
                    t->stop[t->nr++] = (uint16_t)i;
                    stopped = true;
                }
            }
        }
        if (!stopped || t->nr == PP_MAX_STOPS)
            break;
    }
    t->idx = idx;
}

static void pp_run(struct hv *hv, mfn_t m, const struct pp_row *r, bool validate,
                   struct pp_trace *t)
{
    struct frame *f = &hv->frames[m];
    int rc;

    t->nr = 0;
    hv->preempt_pattern = r->pattern;
    hv->preempt_idx = r->start;
    f->nr_validated_ptes = validate ? 0 : PTES_PER_TABLE;
    do {
        rc = validate ? pt_validate(hv, m, r->level, true) : pt_devalidate(hv, m, r->level, true);
        if (rc == -XEN_ERESTART)
            t->stop[t->nr++] = f->nr_validated_ptes;
    } while (rc == -XEN_ERESTART && t->nr < PP_MAX_STOPS);
    TEST_EQ(0, rc);
    t->idx = hv->preempt_idx;
    hv->preempt_pattern = 0;
}

static void pp_compare(const struct pp_row *r, const char *pass, const struct pp_trace *want,
                       const struct pp_trace *got)
{
    bool same = want->nr == got->nr && want->idx == got->idx;

    for (unsigned k = 0; same && k < want->nr; k++)
        same = want->stop[k] == got->stop[k];
    if (!same) {
        unsigned k = 0;
        while (k < want->nr && k < got->nr && want->stop[k] == got->stop[k])
            k++;
        fprintf(stderr, "%s:%d: %s, %s: expected %u stops (stop %u at %d), index %u; actual %u "
                "stops (stop %u at %d), index %u\n", __FILE__, __LINE__, r->what, pass, want->nr,
                k, k < want->nr ? want->stop[k] : -1, want->idx, got->nr, k,
                k < got->nr ? got->stop[k] : -1, got->idx);
    }
    CU_ASSERT(same);
}

TEST(pt_preempt_points)
{
    static const struct pp_row rows[] = {
        { "empty L2, no preemption", 2, 0, 0, 0, { 0 } },
        { "empty L2, every point", 2, ~0ULL, 0, 0, { 0 } },
        { "empty L2, one in 64", 2, 1, 0, 0, { 0 } },
        { "empty L2, one in 64, offset", 2, 1ULL << 17, 40, 0, { 0 } },
        { "L2 with entries, sparse", 2, 0x8000000100000001ULL, 3, 4, { 0, 3, 200, 511 } },
        { "L2 with entries, dense", 2, 0x5555555555555555ULL, 0, 4, { 0, 4, 5, 6 } },
        { "L2 at the index wrap", 2, 1ULL << 9, 0xfffffff0U, 4, { 0, 1, 510, 511 } },
        { "empty L4", 4, 1ULL << 2, 0, 0, { 0 } },
        { "L4 every point", 4, ~0ULL, 0, 0, { 0 } },
        { "L4 with entries around Xen's slots", 4, 0x0000000100010001ULL, 1, 4,
          { 0, 255, 272, 511 } },
        { "L4 with Xen slots filled", 4, 1ULL << 40, 0, 3, { 0, 256, 271 } },
        { "L3 with entries", 3, 0x0101010101010101ULL, 7, 4, { 0, 64, 128, 256 } },
    };

    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct pp_row *r = &rows[i];
        struct hv *hv = au_machine();
        if (!hv)
            return;
        mfn_t m = au_mfn(hv, 1, AU_DATA_GFN + 7);
        uint64_t *pt = frame_ptes(hv, m);
        static struct pp_trace want, got;

        for (unsigned k = 0; k < r->nr_present; k++)
            pt[r->present[k]] = (m << PAGE_SHIFT) | _PAGE_PRESENT;
        pp_model(r, true, &want);
        pp_run(hv, m, r, true, &got);
        pp_compare(r, "validation", &want, &got);
        pp_model(r, false, &want);
        pp_run(hv, m, r, false, &got);
        pp_compare(r, "devalidation", &want, &got);
        hv_destroy(hv);
    }
}
