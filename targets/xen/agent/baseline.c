/* The program area and the agent's baseline: the model's page-table layout built at boot, restored and verified after each program. */
#include "targets/xen/agent/agent.h"
#include "targets/xen/proto.h"

/*
 * The area's frames are the program's gfns 0..511, laid out as the model's domain builder lays
 * out a domain (include/hvfuzz/monitor.h, dom_build): gfn 0 the L4 (pinned, the agent's CR3),
 * 1 an L3, 2 an L2, 3 the L1 mapping every gfn at AGENT_DOM_VA + gfn * 4096, the tables
 * read-only and the rest read-write. Two entries differ from the model: the L4 keeps Xen's
 * slots, and L3 entry 0 maps the agent's own image (1 GiB below the area).
 */
uint8_t agent_area[AGENT_MAX_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));

static uint64_t area_pfn[AGENT_MAX_PAGES], area_mfn[AGENT_MAX_PAGES];
/* The tables' entries as built (after Xen filled its L4 slots); the L1's for all 512 gfns. */
static uint64_t base_pt[4][512];
static unsigned mapped_pages = AGENT_MAX_PAGES;
static uint64_t base_reservation;
/* The first port past the event channel buckets Xen had allocated at the baseline. */
static uint32_t base_evtchn_valid;

#define GFN_L4 0U
#define GFN_L3 1U
#define GFN_L2 2U
#define GFN_L1 3U
#define FIRST_DATA 4U
#define EVTCHN_RESET 10U
#define GNTTAB_SET_VERSION 8U
#define MEM_CURRENT_RESERVATION 3U
/* Xen's slots in a 64-bit PV L4 (256..271): the guest cannot write them. */
#define XEN_L4_FIRST 256U
#define XEN_L4_LAST 271U

uint64_t baseline_mfn(unsigned gfn) { return area_mfn[gfn % AGENT_MAX_PAGES]; }
uint64_t baseline_pfn(unsigned gfn) { return area_pfn[gfn % AGENT_MAX_PAGES]; }

static uint64_t pfn_of(uint64_t va)
{
    return (va - AGENT_BASE) >> PAGE_SHIFT;
}

/* A page of the boot region: pseudo-physical page p is mapped at AGENT_BASE + p * 4096. */
static const uint64_t *boot_table(uint64_t entry)
{
    uint64_t pfn = AGENT_M2P[(entry & PTE_ADDR_MASK) >> PAGE_SHIFT];

    if (!(entry & _PAGE_PRESENT) || pfn >= agent_si->nr_pages)
        agent_die("a boot page table outside the boot region");
    return (const uint64_t *)(AGENT_BASE + (pfn << PAGE_SHIFT));
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

bool baseline_entry_forbidden(uint64_t maddr)
{
    /* the entries that map the agent itself: L4 slot 0 and L3 slot 0 */
    return (maddr >> PAGE_SHIFT == area_mfn[GFN_L4] || maddr >> PAGE_SHIFT == area_mfn[GFN_L3]) &&
           (maddr & 0xFF8U) == 0;
}

static uint64_t reservation(void)
{
    uint16_t self = DOMID_SELF;

    return (uint64_t)hc(HYPERVISOR_memory_op, MEM_CURRENT_RESERVATION, (uint64_t)&self, 0, 0, 0);
}

static void mmuext1(uint32_t cmd, uint64_t arg1, bool must)
{
    struct { uint32_t cmd, pad; uint64_t arg1, arg2; } op = { cmd, 0, arg1, 0 };

    if (hc(HYPERVISOR_mmuext_op, (uint64_t)&op, 1, 0, DOMID_SELF, 0) != 0 && must)
        agent_die("building the program area's page tables failed");
}

static void uvm(uint64_t va, uint64_t pte, bool must)
{
    if (hc(HYPERVISOR_update_va_mapping, va, pte, AGENT_UVMF_INVLPG, 0, 0) != 0 && must)
        agent_die("remapping the program area failed");
}

/* The L1 entry of gfn g when the program's shape has pages gfns. */
static uint64_t l1_want(unsigned g, unsigned pages)
{
    return g < pages ? base_pt[GFN_L1][g] : 0;
}

/* Xen's port_is_valid on a port of our own: anything but -EINVAL (closed or bound) says valid. */
static bool evtchn_valid(uint32_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return hc(HYPERVISOR_event_channel_op, EVTCHNOP_status, (uint64_t)&st, 0, 0, 0) != -XEN_EINVAL;
}

/*
 * Xen allocates ports a bucket at a time and frees the buckets only with the domain, so a program
 * that opened a port past them leaves every port of the new bucket valid (closed) after the undo
 * closed it: the next program's status or unmask of such a port would answer differently.
 */
static uint32_t evtchn_valid_end(void)
{
    uint32_t p = EVTCHN_BUCKET;

    while (p < EVTCHN_2L_NR_CHANNELS && evtchn_valid(p))
        p += EVTCHN_BUCKET;
    return p;
}

void baseline_init(void)
{
    uint64_t *t[4];

    for (unsigned g = 0; g < AGENT_MAX_PAGES; g++) {
        area_pfn[g] = pfn_of((uint64_t)agent_area + (uint64_t)g * PAGE_SIZE);
        area_mfn[g] = agent_p2m[area_pfn[g]];
    }
    for (unsigned l = 0; l < 4; l++)
        t[l] = (uint64_t *)(agent_area + (uint64_t)l * PAGE_SIZE);
    const uint64_t *boot_l4 = (const uint64_t *)agent_si->pt_base;
    const uint64_t *boot_l3 = boot_table(boot_l4[0]);
    for (unsigned i = 0; i < 512; i++) {
        t[GFN_L4][i] = i >= XEN_L4_FIRST && i <= XEN_L4_LAST ? 0 : boot_l4[i];
        t[GFN_L3][i] = boot_l3[i];
    }
    t[GFN_L4][(AGENT_DOM_VA >> 39) & 511] = area_mfn[GFN_L3] << PAGE_SHIFT | AGENT_PT_RW;
    t[GFN_L3][(AGENT_DOM_VA >> 30) & 511] = area_mfn[GFN_L2] << PAGE_SHIFT | AGENT_PT_RW;
    t[GFN_L2][(AGENT_DOM_VA >> 21) & 511] = area_mfn[GFN_L1] << PAGE_SHIFT | AGENT_PT_RW;
    for (unsigned g = 0; g < AGENT_MAX_PAGES; g++)
        t[GFN_L1][g] = area_mfn[g] << PAGE_SHIFT | (g < FIRST_DATA ? AGENT_PT_RO : AGENT_PT_RW);
    /* tables are never writable-mapped: read-only aliases, then the pin validates the tree */
    for (unsigned l = 0; l < 4; l++)
        uvm((uint64_t)t[l], area_mfn[l] << PAGE_SHIFT | AGENT_PT_RO, true);
    mmuext1(MMUEXT_PIN_L4_TABLE, area_mfn[GFN_L4], true);
    mmuext1(MMUEXT_NEW_BASEPTR, area_mfn[GFN_L4], true);
    /* the area is reached at AGENT_DOM_VA only, as the model's domain reaches its memory */
    for (unsigned g = 0; g < AGENT_MAX_PAGES; g++)
        uvm((uint64_t)agent_area + (uint64_t)g * PAGE_SIZE, 0, true);
    for (unsigned l = 0; l < 4; l++)
        memcpy(base_pt[l], (const void *)(AGENT_DOM_VA + (uint64_t)l * PAGE_SIZE), PAGE_SIZE);
    base_reservation = reservation();
    base_evtchn_valid = evtchn_valid_end();
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

static bool read_entry(unsigned level, unsigned i, uint64_t *e)
{
    agent_fault_vec = 0xFF;
    *e = agent_read64(AGENT_DOM_VA + (uint64_t)level * PAGE_SIZE + i * 8U);
    return agent_fault_vec == 0xFF;
}

/* accessed and dirty bits come and go with use (and Xen's own L4 slots are Xen's business) */
static bool entry_same(uint64_t a, uint64_t b)
{
    return !((a ^ b) & ~(_PAGE_ACCESSED | _PAGE_DIRTY));
}

/* Every entry of the four tables back to its boot value, top down (an upper entry's undo drops
   the references that kept a lower frame typed); false if an entry would not go back. */
static bool restore_tables(unsigned pages, bool write)
{
    static struct { uint64_t ptr, val; } req[512];

    for (unsigned l = 0; l < 4; l++) {
        unsigned n = 0;
        for (unsigned i = 0; i < 512; i++) {
            uint64_t cur, want = l == GFN_L1 ? l1_want(i, pages) : base_pt[l][i];
            if (l == GFN_L4 && i >= XEN_L4_FIRST && i <= XEN_L4_LAST)
                continue;
            if (read_entry(l, i, &cur) && entry_same(cur, want))
                continue;
            if (!write)
                return false;
            req[n].ptr = area_mfn[l] << PAGE_SHIFT | i * 8U;
            req[n].val = want;
            n++;
        }
        if (n && hc(HYPERVISOR_mmu_update, (uint64_t)req, n, 0, DOMID_SELF, 0) != 0)
            return false;
    }
    return true;
}

void baseline_enter(const struct prog_shape *s)
{
    unsigned pages = s->dom_pages <= AGENT_MAX_PAGES ? s->dom_pages : AGENT_MAX_PAGES;

    if (pages == mapped_pages)
        return;
    if (!restore_tables(pages, true) || !restore_tables(pages, false))
        agent_die("the program area's L1 would not take the program's shape");
    mapped_pages = pages;
}

/*
 * The undo, cheapest first: every event channel closed (EVTCHNOP_reset), grant table version
 * 1, every area frame but the L4 unpinned (repeated while any unpin succeeds: a pinned L4 holds
 * its L3s) and the L4 pinned again if the program unpinned it, every table entry back to its
 * boot value, the data pages zeroed. Then the verification: every entry as at boot, every area
 * frame still ours in the p2m and M2P, the reservation unchanged.
 */
int baseline_restore(struct agent_run *r)
{
    uint16_t self = DOMID_SELF;
    unsigned pages = mapped_pages;
    uint32_t version = 1;

    hc(HYPERVISOR_event_channel_op, EVTCHN_RESET, (uint64_t)&self, 0, 0, 0);
    if (base_evtchn_valid < EVTCHN_2L_NR_CHANNELS && evtchn_valid(base_evtchn_valid))
        agent_taint(r, "evtchn-bucket");
    hc(HYPERVISOR_grant_table_op, GNTTAB_SET_VERSION, (uint64_t)&version, 1, 0, 0);
    for (bool again = true; again;) {
        again = false;
        for (unsigned g = GFN_L4 + 1; g < pages; g++) {
            struct { uint32_t cmd, pad; uint64_t arg1, arg2; } op = { MMUEXT_UNPIN_TABLE, 0,
                                                                      area_mfn[g], 0 };
            if (hc(HYPERVISOR_mmuext_op, (uint64_t)&op, 1, 0, DOMID_SELF, 0) == 0)
                again = true;
        }
    }
    /* already pinned (the usual case): -EINVAL, nothing to do */
    mmuext1(MMUEXT_PIN_L4_TABLE, area_mfn[GFN_L4], false);
    if (!restore_tables(pages, true) || !restore_tables(pages, false)) {
        agent_taint(r, "area-tables");
        return XP_DIRTY;
    }
    for (unsigned g = 0; g < pages; g++)
        if (AGENT_M2P[area_mfn[g]] != area_pfn[g] || agent_p2m[area_pfn[g]] != area_mfn[g]) {
            agent_taint(r, "area-frame");
            return XP_DIRTY;
        }
    /* by words: the byte loop of memset costs milliseconds per program under TCG */
    for (unsigned g = FIRST_DATA; g < pages; g++) {
        volatile uint64_t *w = (volatile uint64_t *)(AGENT_DOM_VA + (uint64_t)g * PAGE_SIZE);
        for (unsigned i = 0; i < PAGE_SIZE / 8U; i++)
            w[i] = 0;
    }
    /* frames the program was given, back to Xen (a PV guest names them by machine frame) */
    for (unsigned i = 0; i < r->nr_extra; i++) {
        struct { uint64_t list, nr; uint32_t order, flags; uint16_t dom; } d = {
            (uint64_t)&r->extra_mfn[i], 1, r->extra_order[i], 0, DOMID_SELF };
        hc(HYPERVISOR_memory_op, XENMEM_decrease_reservation, (uint64_t)&d, 0, 0, 0);
    }
    if (reservation() != base_reservation)
        agent_taint(r, "reservation");
    return r->tainted ? XP_DIRTY : XP_CLEAN;
}
