/* The program area and the agent's baseline: recorded at boot, restored and verified after each program. */
#include "targets/xen/agent/agent.h"
#include "targets/xen/proto.h"

uint8_t agent_area[AGENT_MAX_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));

static uint64_t area_pfn[AGENT_MAX_PAGES], area_mfn[AGENT_MAX_PAGES], area_pte[AGENT_MAX_PAGES];
static uint64_t base_reservation;

#define MMUEXT_UNPIN 4U
#define UVMF_INVLPG_LOCAL 2U
#define EVTCHN_RESET 10U
#define GNTTAB_SET_VERSION 8U
#define MEM_CURRENT_RESERVATION 3U

uint64_t baseline_mfn(unsigned gfn) { return area_mfn[gfn % AGENT_MAX_PAGES]; }
uint64_t baseline_pfn(unsigned gfn) { return area_pfn[gfn % AGENT_MAX_PAGES]; }

static uint64_t pfn_of(uint64_t va)
{
    return (va - AGENT_BASE) >> PAGE_SHIFT;
}

/*
 * The L1 entry that maps va, read through the boot page tables (mapped read-only in the initial
 * region: pseudo-physical page p is at AGENT_BASE + p * 4096), or NULL.
 */
static const uint64_t *pte_of(uint64_t va)
{
    const uint64_t *t = (const uint64_t *)agent_si->pt_base;

    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t e = t[(va >> shift) & 511];
        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
            return NULL;
        uint64_t pfn = AGENT_M2P[(e & PTE_ADDR_MASK) >> PAGE_SHIFT];
        if (pfn >= agent_si->nr_pages)
            return NULL;
        t = (const uint64_t *)(AGENT_BASE + (pfn << PAGE_SHIFT));
    }
    return &t[(va >> 12) & 511];
}

bool baseline_agent_frame(uint64_t mfn)
{
    uint64_t pfn;
    uint8_t b[8];

    /* the M2P holds every frame's entry, but a wild mfn may lie past its end: read safely */
    for (unsigned i = 0; i < 8; i++)
        if (!agent_peek((uint64_t)&AGENT_M2P[mfn] + i, &b[i]))
            return false;
    memcpy(&pfn, b, 8);
    if (pfn >= agent_si->nr_pages || agent_p2m[pfn] != mfn)
        return false;
    return pfn < area_pfn[0] || pfn > area_pfn[AGENT_MAX_PAGES - 1];
}

static uint64_t reservation(void)
{
    uint16_t self = DOMID_SELF;

    return (uint64_t)hc(HYPERVISOR_memory_op, MEM_CURRENT_RESERVATION, (uint64_t)&self, 0, 0, 0);
}

void baseline_init(void)
{
    for (unsigned i = 0; i < AGENT_MAX_PAGES; i++) {
        uint64_t va = (uint64_t)agent_area + (uint64_t)i * PAGE_SIZE;
        const uint64_t *pte = pte_of(va);
        area_pfn[i] = pfn_of(va);
        area_mfn[i] = agent_p2m[area_pfn[i]];
        if (!pte || ((*pte & PTE_ADDR_MASK) >> PAGE_SHIFT) != area_mfn[i])
            agent_die("the program area is not mapped as the p2m says");
        area_pte[i] = *pte;
    }
    base_reservation = reservation();
}

void agent_taint(struct agent_run *r, const char *why)
{
    if (r->tainted)
        return;
    r->tainted = true;
    size_t n = strlen(why);
    if (n >= sizeof(r->why))
        n = sizeof(r->why) - 1;
    memcpy(r->why, why, n);
    r->why[n] = 0;
}

/*
 * The undo, cheapest first: every event channel closed (EVTCHNOP_reset), grant table version
 * 1, every area frame unpinned (repeated while any unpin succeeds: a pinned L4 holds its L3s),
 * each area PTE that differs written back, the area zeroed. Then the verification: every area
 * PTE as at boot, every area frame still ours in the p2m and M2P, the reservation unchanged.
 */
int baseline_restore(struct agent_run *r)
{
    uint16_t self = DOMID_SELF;
    unsigned pages = r->shape->dom_pages <= AGENT_MAX_PAGES ? r->shape->dom_pages
                                                              : AGENT_MAX_PAGES;
    uint32_t version = 1;

    hc(HYPERVISOR_event_channel_op, EVTCHN_RESET, (uint64_t)&self, 0, 0, 0);
    hc(HYPERVISOR_grant_table_op, GNTTAB_SET_VERSION, (uint64_t)&version, 1, 0, 0);
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < pages; i++) {
            struct { uint32_t cmd, pad; uint64_t arg1, arg2; } op = { MMUEXT_UNPIN, 0,
                                                                      area_mfn[i], 0 };
            if (hc(HYPERVISOR_mmuext_op, (uint64_t)&op, 1, 0, DOMID_SELF, 0) == 0)
                again = true;
        }
    }
    for (unsigned i = 0; i < pages; i++) {
        uint64_t va = (uint64_t)agent_area + (uint64_t)i * PAGE_SIZE;
        const uint64_t *pte = pte_of(va);
        if (pte && *pte != area_pte[i])
            hc(HYPERVISOR_update_va_mapping, va, area_pte[i], UVMF_INVLPG_LOCAL, 0, 0);
        pte = pte_of(va);
        /* accessed/dirty bits come and go with use: the rest must be as at boot */
        if (!pte || ((*pte ^ area_pte[i]) & ~(_PAGE_ACCESSED | _PAGE_DIRTY))) {
            agent_taint(r, "area-pte");
            return XP_DIRTY;
        }
        if (AGENT_M2P[area_mfn[i]] != area_pfn[i] || agent_p2m[area_pfn[i]] != area_mfn[i]) {
            agent_taint(r, "area-frame");
            return XP_DIRTY;
        }
        memset((void *)va, 0, PAGE_SIZE);
    }
    if (reservation() != base_reservation)
        agent_taint(r, "reservation");
    return r->tainted ? XP_DIRTY : XP_CLEAN;
}
