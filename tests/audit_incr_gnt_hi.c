/* Incremental audit, grant refs past active_hi: of a table checked whole, only refs below active_hi are read, and a stray pin on either side of it is still found. */
#include "audit_util.h"

/*
 * The incremental grant pass reads the active entries of a table it checks whole (a domain
 * created since the snapshot, a table that grew) only below active_hi, the mark gnt_act_w raises:
 * entries from there up are zero, so only refs with recomputed pins (from the maptrack pass) can
 * fail there. Each case creates dom3 after the snapshot and compares GNTTAB in the incremental
 * report with GNTTAB in the full one: a stray pin at dom3's ref 5, one at ref 300 with ref 2
 * also written (the highest ref written), dom0 device-mapping dom3's ref 400 that was never
 * granted (zero active entry, so only the pins show it), dom3 alone (clean). Reading below
 * active_hi short misses the second, skipping the recomputed pins past it the third.
 */

static struct domain *incr_hi_dom3(struct hv *hv)
{
    int rc = dom_create(hv, 3, false, 2 * AU_DOM_PAGES, 2);
    TEST_EQ(0, rc);
    if (rc == 0) {
        rc = dom_build(hv, &hv->dom[3], AU_DOM_PAGES);
        TEST_EQ(0, rc);
    }
    return &hv->dom[3];
}

static void incr_hi_pin(struct hv *hv, struct domain *d, uint32_t ref)
{
    struct gnt_active *act = gnt_act_w(&d->gnt, ref);
    act->host_rw = 1;
    act->mapped_by = 2;
    act->mfn = au_mfn(hv, 3, AU_DATA_GFN);
}

static void incr_hi_low(struct hv *hv)
{
    incr_hi_pin(hv, incr_hi_dom3(hv), 5);
}

static void incr_hi_top(struct hv *hv)
{
    struct domain *d = incr_hi_dom3(hv);
    *gnt_act_w(&d->gnt, 2) = d->gnt.active[2];
    incr_hi_pin(hv, d, 300);
}

static void incr_hi_devmap(struct hv *hv)
{
    incr_hi_dom3(hv);
    struct grant_table *gt = &hv->dom[0].gnt;
    struct gnt_maptrack *mt = gnt_map_w(gt, gt->maptrack_hi);
    /* frame 0 as the zero active entry names it, mapped by dom0 as the zero entry says */
    *mt = (struct gnt_maptrack){ .in_use = true, .flags = GNTMAP_device_map | GNTMAP_readonly,
                                 .dom = 3, .ref = 400, .mfn = 0 };
}

static void incr_hi_clean(struct hv *hv)
{
    incr_hi_dom3(hv);
}

static const struct au_incr_case incr_hi_cases[] = {
    { "new domain, a stray pin at ref 5", incr_hi_low, true, false },
    { "new domain, a stray pin at its highest written ref", incr_hi_top, true, false },
    { "new domain, dom0 device-maps its ref 400, never granted", incr_hi_devmap, true, false },
    { "new domain alone", incr_hi_clean, false, true },
};

TEST(audit_incr_gnt_hi)
{
    au_incr_cases(incr_hi_cases, sizeof(incr_hi_cases) / sizeof(incr_hi_cases[0]), INV_GNTTAB,
                  true);
}
