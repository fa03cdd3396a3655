/* Incremental audit, grant pins: the refs it rechecks (changed active entries, refs changed maptrack entries name) still show what the full audit finds. */
#include "audit_util.h"

/*
 * The incremental grant pass checks only the refs whose active entry differs from the snapshot's
 * and those a changed maptrack entry names, then or now; every other ref has the snapshot's pins
 * on both sides. Each case plants one state after the snapshot on a fresh machine, through the
 * write accessors the monitor uses (gnt_act_w, gnt_map_w), and compares GNTTAB in the
 * incremental report with GNTTAB in the full one: a pin no maptrack entry explains, a device
 * mapping by dom2 of dom1's ref 9 whose active entry was never pinned, a mapping whose only fault
 * is the missing pin on an active entry left as it was (found through the maptrack entry alone),
 * and a mapping with its pin and frame reference in place (clean: nothing flagged).
 */

static void incr_gnt_pin(struct hv *hv)
{
    struct gnt_active *act = gnt_act_w(&hv->dom[1].gnt, 7);
    act->host_rw = 1;
    act->mapped_by = 2;
    act->mfn = au_mfn(hv, 1, AU_DATA_GFN);
}

static void incr_gnt_map(struct hv *hv)
{
    struct gnt_maptrack *mt = gnt_map_w(&hv->dom[2].gnt, 3);
    mt->in_use = true;
    mt->flags = GNTMAP_device_map | GNTMAP_readonly;
    mt->dom = 1;
    mt->ref = 9;
    mt->mfn = au_mfn(hv, 1, AU_DATA_GFN);
}

/* dom1's ref 9 as it was (its active entry all zero: mapped_by 0, mfn 0) and a device mapping of
   it by dom0 of frame 0, with the frame's reference: only the pin is missing */
static void incr_gnt_map_unpinned(struct hv *hv)
{
    struct gnt_maptrack *mt = gnt_map_w(&hv->dom[0].gnt, 3);
    mt->in_use = true;
    mt->flags = GNTMAP_device_map | GNTMAP_readonly;
    mt->dom = 1;
    mt->ref = 9;
    mt->mfn = 0;
    hv->frames[0].count++;
}

static void incr_gnt_map_pinned(struct hv *hv)
{
    incr_gnt_map(hv);
    struct gnt_active *act = gnt_act_w(&hv->dom[1].gnt, 9);
    act->dev_ro = 1;
    act->mapped_by = 2;
    act->mfn = au_mfn(hv, 1, AU_DATA_GFN);
    hv->frames[act->mfn].count++;   /* the device mapping's own reference */
}

static const struct au_incr_case incr_gnt_cases[] = {
    { "pin without a maptrack entry", incr_gnt_pin, true, false },
    { "maptrack entry naming an unpinned ref", incr_gnt_map, true, false },
    { "maptrack entry, unchanged active entry", incr_gnt_map_unpinned, true, false },
    { "maptrack entry and its pin", incr_gnt_map_pinned, false, false },
};

TEST(audit_incr_gnt)
{
    au_incr_cases(incr_gnt_cases, sizeof(incr_gnt_cases) / sizeof(incr_gnt_cases[0]),
                  INV_GNTTAB, true);
}
