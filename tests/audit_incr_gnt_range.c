/* Incremental audit, grant active range: a corrupted pin at either end of the refs written since the snapshot is still found. */
#include "audit_util.h"

/*
 * The incremental grant pass compares with the snapshot only the active refs in the range
 * gnt_act_w marked written since it (act_w_lo up to act_w_end); refs outside it are the
 * snapshot's. Each case writes two refs of dom1 far apart through gnt_act_w, one harmlessly
 * (rewritten as it was) and one with a pin no maptrack entry explains, so a range cut short at
 * either end, or one of a single ref, misses the pin the full audit reports (GNTTAB).
 */

static void incr_range_pin(struct hv *hv, uint32_t ref)
{
    struct gnt_active *act = gnt_act_w(&hv->dom[1].gnt, ref);
    act->host_rw = 1;
    act->mapped_by = 2;
    act->mfn = au_mfn(hv, 1, AU_DATA_GFN);
}

static void incr_range_touch(struct hv *hv, uint32_t ref)
{
    struct gnt_active keep = hv->dom[1].gnt.active[ref];
    *gnt_act_w(&hv->dom[1].gnt, ref) = keep;
}

static const struct {
    const char *name;
    uint32_t pin, touch;   /* the ref given a stray pin, the ref rewritten as it was */
} incr_range_cases[] = {
    { "stray pin at the range's low end", 2, 500 },
    { "stray pin at the range's high end", 500, 2 },
    { "stray pin, the range's only ref", 77, 77 },
};

TEST(audit_incr_gnt_range)
{
    for (unsigned i = 0; i < sizeof(incr_range_cases) / sizeof(incr_range_cases[0]); i++) {
        struct hv *hv = au_machine();
        if (!hv)
            return;
        struct audit_report full, incr;
        incr_range_touch(hv, incr_range_cases[i].touch);
        incr_range_pin(hv, incr_range_cases[i].pin);
        incr_range_touch(hv, incr_range_cases[i].touch);
        unsigned total = au_audit(hv, &full, incr_range_cases[i].name);
        long itotal = au_audit_incr(hv, &incr);
        bool fg = audit_has(&full, INV_GNTTAB), ig = itotal > 0 && audit_has(&incr, INV_GNTTAB);
        fprintf(stderr, "%s: GNTTAB expected yes (full: %u violations), actual %s "
                "(incremental: %ld)\n", incr_range_cases[i].name, total, ig ? "yes" : "no",
                itotal);
        TEST_EQ(true, fg);
        TEST_EQ(true, ig);
        hv_destroy(hv);
    }
}
