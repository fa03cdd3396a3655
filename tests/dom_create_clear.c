/*
 * A domain created in a slot that held one before starts with empty tables: dom_create and
 * gnttab_init clear only up to the last domain's high-water marks (p2m_top, active_hi,
 * maptrack_hi, evtchn_hi), so each row writes the far end of one table, through the monitor's
 * write choke points, before the domain goes, and the new one must not see it.
 */
#include <string.h>

#include "hvfuzz/monitor.h"
#include "test.h"

#define CC_SLOT 3U

static void cc_active(struct domain *d) { gnt_act_w(&d->gnt, GNT_MAX_REFS - 1U)->mfn = 9; }
static void cc_maptrack(struct domain *d)
{
    gnt_map_w(&d->gnt, GNT_MAX_MAPTRACK - 1U)->host_addr = 9;
}
static void cc_p2m(struct domain *d) { p2m_set(d, HV_MAX_GFNS - 1U, MFN_INVALID - 1U); }
static void cc_p2m_inner(struct domain *d) { p2m_set(d, HV_MAX_GFNS - 2U, MFN_INVALID - 1U); }
static void cc_port(struct domain *d) { evtchn_w(d, EVTCHN_MAX_PORTS - 1U)->virq = 9; }

static const struct {
    const char *name;
    void (*write)(struct domain *d);
} cc_rows[] = {
    { "grant active entry, last ref", cc_active },
    { "maptrack entry, last handle", cc_maptrack },
    { "p2m entry, last gfn", cc_p2m },
    { "p2m entry, next to last gfn (p2m_top inside the table)", cc_p2m_inner },
    { "port, last", cc_port },
};

/* Entries of a fresh domain's tables that are not as creation leaves them. */
static unsigned cc_stale(const struct domain *d)
{
    static const struct gnt_active act0;
    static const struct gnt_maptrack map0;
    static const struct evtchn chn0;
    unsigned bad = 0;

    for (unsigned r = 0; r < GNT_MAX_REFS; r++)
        bad += memcmp(&d->gnt.active[r], &act0, sizeof(act0)) != 0;
    for (unsigned h = 0; h < GNT_MAX_MAPTRACK; h++)
        bad += memcmp(&d->gnt.maptrack[h], &map0, sizeof(map0)) != 0;
    for (unsigned g = 0; g < HV_MAX_GFNS; g++)
        bad += d->p2m[g] != MFN_INVALID;
    /* port 0 is reserved at creation */
    for (unsigned p = 1; p < EVTCHN_MAX_PORTS; p++)
        bad += memcmp(&d->evtchn[p], &chn0, sizeof(chn0)) != 0;
    return bad;
}

TEST(dom_create_clear)
{
    struct hv_config cfg = { .nr_frames = 256, .dom0_pages = 32, .dom0_vcpus = 1 };
    struct hv *hv = hv_create(&cfg);

    CU_ASSERT_FATAL(hv != NULL);
    struct domain *d = &hv->dom[CC_SLOT];
    for (size_t i = 0; i < sizeof(cc_rows) / sizeof(cc_rows[0]); i++) {
        TEST_EQ(0, dom_create(hv, CC_SLOT, false, 16, 2));
        cc_rows[i].write(d);
        TEST_EQ(0, dom_destroy(hv, d));
        TEST_EQ(0, d->exists);
        TEST_EQ(0, dom_create(hv, CC_SLOT, false, 16, 1));
        unsigned stale = cc_stale(d);
        fprintf(stderr, "%s: expected 0 stale entries, actual %u\n", cc_rows[i].name, stale);
        TEST_EQ(0, stale);
        TEST_EQ(0, dom_destroy(hv, d));
    }
    hv_destroy(hv);
}
