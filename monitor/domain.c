/* Domains and vCPUs: creation, the PV domain builder, and staged (preemptible) destruction. */
#include <string.h>
#include <stdlib.h>
#include "hvfuzz/monitor.h"

/* Stages of dom_destroy, kept in d->relinquish_stage so a continuation resumes where it stopped. */
enum {
    DESTROY_GRANTS = 0,     /* mark dying, release our grant mappings and event channels */
    DESTROY_MEMORY,         /* mm_relinquish (preemptible) */
    DESTROY_GNTTAB,         /* free grant/status frames */
    DESTROY_DONE,
};

int dom_tables_alloc(struct domain *d)
{
    d->gnt.active = calloc(GNT_MAX_REFS, sizeof(*d->gnt.active));
    d->gnt.maptrack = calloc(GNT_MAX_MAPTRACK, sizeof(*d->gnt.maptrack));
    d->evtchn = calloc(EVTCHN_MAX_PORTS, sizeof(*d->evtchn));
    d->cmos.ram = calloc(CMOS_SIZE, 1);
    if (!d->gnt.active || !d->gnt.maptrack || !d->evtchn || !d->cmos.ram) {
        dom_tables_free(d);
        return -XEN_ENOMEM;
    }
    return 0;
}

void dom_tables_free(struct domain *d)
{
    free(d->gnt.active);
    free(d->gnt.maptrack);
    free(d->evtchn);
    free(d->cmos.ram);
    d->gnt.active = NULL;
    d->gnt.maptrack = NULL;
    d->evtchn = NULL;
    d->cmos.ram = NULL;
}

void vcpu_init(struct hv *hv, struct domain *d, unsigned i)
{
    struct vcpu *v = &d->vcpu[i];

    memset(v, 0, sizeof(*v));
    v->id = (uint8_t)i;
    v->domid = d->id;
    v->guest_table = MFN_INVALID;
    v->guest_table_user = MFN_INVALID;
    v->old_guest_table = MFN_INVALID;
    v->tlb_flush_time = hv->tlbclock;
    v->upcall_mask = 1;   /* vcpu_info starts with events masked */
    v->uregs.cs = PV_FLAT_KERNEL_CS;
    v->uregs.ss = PV_FLAT_KERNEL_SS;
    v->dr6 = DR6_RESERVED_ONE;
    v->dr7 = DR7_RESERVED_ONE;
    v->user_table_live = MFN_INVALID;
    /* reset MSRs, as at creation (the MSR invariant once found a vCPU added by max_vcpus with
       them zeroed: EFER without LME, which no MSR write can produce) */
    exit_vcpu_init(v);
}

int dom_create(struct hv *hv, domid_t id, bool privileged, uint32_t max_pages, uint32_t nr_vcpus)
{
    if (id >= HV_MAX_DOMAINS || nr_vcpus == 0 || nr_vcpus > HV_MAX_VCPUS)
        return -XEN_EINVAL;
    struct domain *d = &hv->dom[id];
    if (d->exists)
        return -XEN_EEXIST;

    /* the tables stay with the slot: only their contents start over */
    struct gnt_active *active = d->gnt.active;
    struct gnt_maptrack *maptrack = d->gnt.maptrack;
    struct evtchn *evtchn = d->evtchn;
    uint8_t *ram = d->cmos.ram;
    /* how much of the port and grant tables the slot's last domain used: evtchn_init and
       gnttab_init clear that much */
    uint32_t ports = d->evtchn_valid, ports_hi = d->evtchn_hi;
    uint32_t act_hi = d->gnt.active_hi, map_hi = d->gnt.maptrack_hi;
    /* p2m entries from p2m_top up are still MFN_INVALID from the slot's last creation (nr_vcpus,
       which creation sets and nothing clears, says there was one): only those below are reset */
    uint32_t p2m_used = d->nr_vcpus && d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    /* the vCPU slots are left to vcpu_init below, which clears each whole */
    memset(d, 0, offsetof(struct domain, vcpu));
    memset(&d->vcpu[HV_MAX_VCPUS], 0,
           offsetof(struct domain, p2m) - offsetof(struct domain, vcpu[HV_MAX_VCPUS]));
    memset(&d->gnt, 0, sizeof(*d) - offsetof(struct domain, gnt));
    /* a domain destroyed in log-dirty mode left its hint bit: the new one starts with it off */
    hv->logdirty_doms &= (uint8_t)~(1U << id);
    d->gnt.active = active;
    d->gnt.maptrack = maptrack;
    d->evtchn = evtchn;
    d->cmos.ram = ram;
    d->evtchn_valid = ports;
    d->evtchn_hi = ports_hi;
    d->gnt.active_hi = act_hi;
    d->gnt.maptrack_hi = map_hi;
    d->id = id;
    d->exists = true;
    d->privileged = privileged;
    d->max_pages = max_pages;
    d->nr_vcpus = nr_vcpus;
    page_list_init(&d->pages);
    page_list_init(&d->xenpages);
    for (unsigned g = 0; g < p2m_used; g++)
        d->p2m[g] = MFN_INVALID;
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        vcpu_init(hv, d, i);
    exit_domain_init(d);
    /* Xen sets up grant table and event channels at domain creation, before any memory. */
    evtchn_init(d);
    int rc = gnttab_init(hv, d);
    if (rc < 0) {
        gnttab_free(hv, d);
        d->exists = false;
        return rc;
    }
    return 0;
}

/* Give back frames a failed build allocated (nothing references them yet). */
static void dom_build_undo(struct hv *hv, struct domain *d, uint32_t n)
{
    for (uint32_t g = 0; g < n; g++) {
        mfn_t m = d->p2m[g];
        if (m == MFN_INVALID)
            continue;
        frame_w(hv, m)->count = 0;
        frame_w(hv, m)->flags &= (uint8_t)~FRAME_ALLOCATED;
        frame_free(hv, m);
        p2m_set(d, g, MFN_INVALID);
    }
    d->nr_gfns = 0;
}

int dom_build(struct hv *hv, struct domain *d, uint32_t nr_pages)
{
    if (!d || !d->exists || d->dying)
        return -XEN_EINVAL;
    /* one L2 covers everything; the tables themselves must fit in the domain */
    if (nr_pages > HV_MAX_GFNS || nr_pages <= DOM_FIRST_DATA_GFN(nr_pages))
        return -XEN_EINVAL;
    if (d->tot_pages != 0 || d->nr_gfns != 0)
        return -XEN_EEXIST;

    for (uint32_t g = 0; g < nr_pages; g++) {
        int err;
        mfn_t m = frame_alloc(hv, d, false, &err);
        if (m == MFN_INVALID) {
            dom_build_undo(hv, d, g);
            return err;
        }
        p2m_set(d, g, m);
        m2p_set(hv, m, g);
    }
    d->nr_gfns = nr_pages;

    const uint64_t up = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
    const uint64_t data = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
    const uint64_t ro = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    const uint32_t first_data = DOM_FIRST_DATA_GFN(nr_pages);
    mfn_t l4 = d->p2m[DOM_GFN_L4], l3 = d->p2m[DOM_GFN_L3], l2 = d->p2m[DOM_GFN_L2];
    unsigned l4i = (unsigned)((DOM_VA_BASE >> 39) & 511U);
    unsigned l3i = (unsigned)((DOM_VA_BASE >> 30) & 511U);
    unsigned l2base = (unsigned)((DOM_VA_BASE >> 21) & 511U);

    frame_ptes_w(hv, l4)[l4i] = (l3 << PAGE_SHIFT) | up;
    frame_ptes_w(hv, l3)[l3i] = (l2 << PAGE_SHIFT) | up;
    for (uint32_t k = 0; DOM_GFN_L1 + k < first_data; k++)
        frame_ptes_w(hv, l2)[l2base + k] = (d->p2m[DOM_GFN_L1 + k] << PAGE_SHIFT) | up;
    for (uint32_t g = 0; g < nr_pages; g++) {
        uint64_t va = DOM_VA(g);
        mfn_t l1 = d->p2m[DOM_GFN_L1 + (g / PTES_PER_TABLE)];
        /* page-table frames are mapped read-only: PV guests never get writable PT mappings */
        frame_ptes_w(hv, l1)[(va >> PAGE_SHIFT) & 511U] =
            (d->p2m[g] << PAGE_SHIFT) | (g < first_data ? ro : data);
    }

    int rc = pt_pin(hv, d, l4, 4, false);
    if (rc < 0)
        return rc;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        rc = pt_new_baseptr(hv, &d->vcpu[i], l4, false);
        if (rc < 0)
            return rc;
        d->vcpu[i].initialised = true;
    }
    d->vcpu[0].up = true;
    return 0;
}

int dom_destroy(struct hv *hv, struct domain *d)
{
    if (!d || !d->exists)
        return -XEN_EINVAL;
    int rc;
    switch (d->relinquish_stage) {
    case DESTROY_GRANTS:
        d->dying = true;
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
            d->vcpu[i].up = false;
            d->vcpu[i].cont.pending = false;
        }
        rc = gnttab_release(hv, d);
        if (rc < 0)
            return rc;
        evtchn_release(hv, d);
        d->relinquish_stage = DESTROY_MEMORY;
        /* fall through */
    case DESTROY_MEMORY:
        rc = mm_relinquish(hv, d);
        if (rc < 0)
            return rc;
        tlb_flush_domain(hv, d);
        d->relinquish_stage = DESTROY_GNTTAB;
        /* fall through */
    case DESTROY_GNTTAB:
        gnttab_free(hv, d);
        d->relinquish_stage = DESTROY_DONE;
        /* fall through */
    default:
        break;
    }
    /* frames still referenced by other domains keep it a zombie; frame_free ends it later */
    if (d->exists && d->pages.count == 0 && d->xenpages.count == 0)
        dom_gone(hv, d);
    return 0;
}

void dom_gone(struct hv *hv, struct domain *d)
{
    d->exists = false;
    /* a migration from it can neither finish nor abort now (round and finish find no source),
       and the slot may take a new domain that is not its source */
    if (hv->mig.active && hv->mig.src == d->id)
        hv->mig.active = false;
}

void dom_shutdown(struct domain *d, uint32_t reason)
{
    if (!d || d->shutdown)
        return;
    d->shutdown = true;
    d->shutdown_reason = (uint8_t)reason;
}

void dom_crash(struct domain *d)
{
    if (!d || d->dying)
        return;
    /* the reason the guest sees keeps its first value; the audit still has to know the monitor
       tore state down behind the grant code (an implicit unmap), so that is kept apart */
    d->crashed = true;
    dom_shutdown(d, SHUTDOWN_crash);
}

struct vcpu *dom_vcpu(struct domain *d, unsigned id)
{
    if (!d || id >= d->nr_vcpus)
        return NULL;
    return &d->vcpu[id];
}
