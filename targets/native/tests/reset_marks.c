/*
 * The native reset copies a domain only up to its marks (vCPU slots up to nr_vcpus, the p2m up to
 * p2m_top, grant active and maptrack entries up to active_hi and maptrack_hi, ports up to
 * evtchn_hi) and a free slot only when a domain was created in it. Random programs seldom reach
 * the far end of a table, so each row here writes there through the monitor's own write choke
 * points, or creates and destroys domains, and the reset must still give a fresh build's machine.
 */
#include "targets/native/native.h"
#include "targets/native/tests/reset_util.h"
#include "test.h"

static void marks_active(struct hv *hv)
{
    gnt_act_w(&hv->dom[1].gnt, GNT_MAX_REFS - 1U)->host_rw = 1;
    gnt_act_w(&hv->dom[0].gnt, 0)->mapped_by = 2;
}

static void marks_maptrack(struct hv *hv)
{
    struct gnt_maptrack *m = gnt_map_w(&hv->dom[2].gnt, GNT_MAX_MAPTRACK - 1U);
    m->in_use = true;
    m->mfn = 7;
}

static void marks_p2m(struct hv *hv)
{
    p2m_set(&hv->dom[1], HV_MAX_GFNS - 1U, 7);
}

static void marks_port(struct hv *hv)
{
    evtchn_w(&hv->dom[2], EVTCHN_MAX_PORTS - 1U)->state = ECS_UNBOUND;
}

/* every slot's flush time moves, the slots past nr_vcpus' too */
static void marks_flush(struct hv *hv)
{
    tlb_flush_domain(hv, &hv->dom[1]);
    tlb_flush_filtered(hv, hv->tlbclock);
}

static void marks_tables(struct hv *hv, domid_t id)
{
    gnt_act_w(&hv->dom[id].gnt, GNT_MAX_REFS - 1U)->host_ro = 1;
    gnt_map_w(&hv->dom[id].gnt, GNT_MAX_MAPTRACK - 1U)->in_use = true;
    p2m_set(&hv->dom[id], HV_MAX_GFNS - 1U, 9);
}

static void marks_create(struct hv *hv, uint32_t vcpus)
{
    if (dom_create(hv, 5, false, 16, vcpus) == 0)
        marks_tables(hv, 5);
}

static void marks_create_one(struct hv *hv) { marks_create(hv, 1); }
static void marks_create_all(struct hv *hv) { marks_create(hv, HV_MAX_VCPUS); }

/* a built domain goes and another takes its slot, with more vCPUs than the snapshot's, and
   brings its last one up (as VCPUOP_up would) */
static void marks_recreate(struct hv *hv)
{
    hv->preempt_pattern = 0;
    if (dom_destroy(hv, &hv->dom[2]) == 0 && !hv->dom[2].exists &&
        dom_create(hv, 2, false, 16, HV_MAX_VCPUS) == 0) {
        marks_tables(hv, 2);
        hv->dom[2].vcpu[HV_MAX_VCPUS - 1U].up = true;
    }
}

static const struct reset_row reset_marks[] = {
    { "grant active entry, last ref", marks_active },
    { "maptrack entry, last handle", marks_maptrack },
    { "p2m entry, last gfn", marks_p2m },
    { "port, last", marks_port },
    { "TLB flushes of every vCPU slot", marks_flush },
    { "domain created in a free slot, 1 vCPU", marks_create_one },
    { "domain created in a free slot, all vCPUs", marks_create_all },
    { "domain re-created in a built slot, all vCPUs", marks_recreate },
};

TEST(native_reset_marks)
{
    reset_rows_check(reset_marks, sizeof(reset_marks) / sizeof(reset_marks[0]), false);
}
