/* dom0's domain builder: each domU a copy of the agent's image, started through 4.17's domctls. */
#include "targets/xen/agent/agent.h"
#include "targets/xen/agent/xen417.h"
#include "hvfuzz/monitor.h"
#include "monitor/devices.h"

/*
 * A domU's pseudo-physical layout, as Xen lays out dom0 for the agent (so the same code finds
 * its way in both): page p mapped at AGENT_BASE + p * 4096, the image first (its bss, and so
 * the program area, included), then start_info, the p2m, and the boot page tables, mapped
 * read-only. The image's program area then becomes the domain's gfns 0..511 exactly as in dom0
 * (baseline.c), which is the native target's layout of every domain.
 */
#define BUILD_PAGES   768U               /* 3 MiB: the image (~2.6 MiB) and the tables */
#define BUILD_SLACK   64U                /* max_mem above that: room for a program's increases */
#define BUILD_L1S     2U                 /* boot L1s: 1024 pages from AGENT_BASE */
#define BUILD_L2_FIRST ((AGENT_BASE >> 21) & 511U)
/* vCPUs of a domU: 0 runs the agent; 1 is initialised but down, as the model's domains have
   it (dom_build), and parks in domu_park if a program brings it up */
#define BUILD_VCPUS   2U
#define BUILD_HELLO_SPINS 2000000U       /* yields before a silent domU is given up on */

extern char agent_end[], _start[], agent_stack_top[];

unsigned agent_dom;
unsigned agent_nr_doms = 1;
uint64_t agent_dom_mfn[AGENT_MAX_DOMS][AGENT_MAX_PAGES];

/* Where dom0 writes a domU's frames: one page of its own image, remapped to each in turn. */
static uint8_t build_window[PAGE_SIZE] __attribute__((aligned(4096)));
static uint64_t build_p2m[AGENT_MAX_DOMS][BUILD_PAGES];
static uint8_t build_ctx[XEN417_VGC_SIZE] __attribute__((aligned(16)));
const char *build_error;

static unsigned build_img_pages(void)
{
    return (unsigned)(((uint64_t)agent_end - AGENT_BASE) >> PAGE_SHIFT);
}

static uint64_t build_pfn_of(const void *p)
{
    return ((uint64_t)p - AGENT_BASE) >> PAGE_SHIFT;
}

static long build_domctl(struct xen417_domctl *d, uint32_t cmd, uint16_t dom)
{
    d->cmd = cmd;
    d->interface_version = XEN417_DOMCTL_VERSION;
    d->domain = dom;
    return hc(HYPERVISOR_domctl, (uint64_t)d, 0, 0, 0, 0);
}

static bool build_map(uint64_t mfn, uint16_t owner)
{
    return hc(HYPERVISOR_update_va_mapping_otherdomain, (uint64_t)build_window,
              mfn << PAGE_SHIFT | AGENT_PT_RW, AGENT_UVMF_INVLPG, owner, 0) == 0;
}

static void build_unmap(void)
{
    uint64_t own = agent_p2m[build_pfn_of(build_window)];

    if (hc(HYPERVISOR_update_va_mapping, (uint64_t)build_window, own << PAGE_SHIFT | AGENT_PT_RW,
           AGENT_UVMF_INVLPG, 0, 0) != 0)
        agent_die("the builder's window would not go back");
}

/* Words, not bytes: a byte loop over 2.6 MiB costs a visible share of the boot under TCG. */
static void build_copy(uint64_t *d, const uint64_t *s)
{
    for (unsigned i = 0; i < PAGE_SIZE / 8U; i++)
        d[i] = s ? s[i] : 0;
}

/* createdomain (domid dom asked for), its one vCPU, its memory limit and its frames. */
static bool build_create(unsigned dom, uint64_t *shared_info)
{
    static struct xen417_domctl d;
    static struct { uint64_t list, nr; uint32_t order, flags; uint16_t dom; } res;

    /* the model's limits (include/hvfuzz/monitor.h), so the same program meets the same walls:
       its ports, grant frames and maptrack entries (256 fit one frame of 16-byte entries) */
    memset(&d, 0, sizeof(d));
    d.u.createdomain.max_vcpus = BUILD_VCPUS;
    d.u.createdomain.max_evtchn_port = EVTCHN_MAX_PORTS - 1U;
    d.u.createdomain.max_grant_frames = GNT_MAX_FRAMES;
    d.u.createdomain.max_maptrack_frames = GNT_MAX_MAPTRACK * 16U / PAGE_SIZE;
    d.u.createdomain.grant_opts = XEN417_GRANT_VERSION_MAX;
    if (build_domctl(&d, XEN_DOMCTL_createdomain, (uint16_t)dom) != 0 || d.domain != dom) {
        build_error = "createdomain";
        return false;
    }
    memset(&d.u, 0, sizeof(d.u));
    d.u.max_vcpus.max = BUILD_VCPUS;
    if (build_domctl(&d, XEN_DOMCTL_max_vcpus, (uint16_t)dom) != 0) {
        build_error = "max_vcpus";
        return false;
    }
    memset(&d.u, 0, sizeof(d.u));
    d.u.max_mem.max_memkb = (BUILD_PAGES + BUILD_SLACK) * (PAGE_SIZE / 1024U);
    if (build_domctl(&d, XEN_DOMCTL_max_mem, (uint16_t)dom) != 0) {
        build_error = "max_mem";
        return false;
    }
    /* a PV domain's frames come back as machine frames in the list that named its pfns */
    for (unsigned p = 0; p < BUILD_PAGES; p++)
        build_p2m[dom][p] = p;
    res.list = (uint64_t)build_p2m[dom];
    res.nr = BUILD_PAGES;
    res.order = 0;
    res.flags = 0;
    res.dom = (uint16_t)dom;
    if (hc(HYPERVISOR_memory_op, XENMEM_populate_physmap, (uint64_t)&res, 0, 0, 0) !=
        (long)BUILD_PAGES) {
        build_error = "populate_physmap";
        return false;
    }
    memset(&d.u, 0, sizeof(d.u));
    if (build_domctl(&d, XEN_DOMCTL_getdomaininfo, (uint16_t)dom) != 0) {
        build_error = "getdomaininfo";
        return false;
    }
    *shared_info = d.u.getdomaininfo.shared_info_frame;
    return true;
}

/* Page p of the domU as it starts. */
static void build_page(unsigned dom, unsigned p, uint64_t *w, uint64_t shared_info)
{
    const unsigned img = build_img_pages(), si = img, p2m = img + 1U;
    const unsigned p2m_pages = (BUILD_PAGES * 8U + PAGE_SIZE - 1U) / PAGE_SIZE;
    const unsigned l4 = p2m + p2m_pages, l3 = l4 + 1U, l2 = l4 + 2U, l1 = l4 + 3U;
    const uint64_t *m = build_p2m[dom];

    build_copy(w, p < img ? (const uint64_t *)(AGENT_BASE + (uint64_t)p * PAGE_SIZE) : NULL);
    if (p == si) {
        struct start_info *s = (struct start_info *)w;
        memcpy(s->magic, XEN417_SI_MAGIC, sizeof(XEN417_SI_MAGIC));
        s->nr_pages = BUILD_PAGES;
        s->shared_info = shared_info << PAGE_SHIFT;
        s->pt_base = AGENT_BASE + (uint64_t)l4 * PAGE_SIZE;
        s->nr_pt_frames = 3U + BUILD_L1S;
        s->mfn_list = AGENT_BASE + (uint64_t)p2m * PAGE_SIZE;
        /* the domU's index: the agent has no other way to learn its domid */
        s->cmd_line[0] = (char)('0' + dom);
    } else if (p >= p2m && p < l4) {
        for (unsigned i = 0; i < PAGE_SIZE / 8U; i++) {
            unsigned q = (p - p2m) * (PAGE_SIZE / 8U) + i;
            w[i] = q < BUILD_PAGES ? m[q] : 0;
        }
    } else if (p == l4) {
        w[0] = m[l3] << PAGE_SHIFT | AGENT_PT_RW;
    } else if (p == l3) {
        w[0] = m[l2] << PAGE_SHIFT | AGENT_PT_RW;
    } else if (p == l2) {
        for (unsigned k = 0; k < BUILD_L1S; k++)
            w[BUILD_L2_FIRST + k] = m[l1 + k] << PAGE_SHIFT | AGENT_PT_RW;
    } else if (p >= l1 && p < l1 + BUILD_L1S) {
        /* PV page tables are never mapped writable, so the tables' own entries are read-only */
        for (unsigned i = 0; i < 512U; i++) {
            unsigned q = (p - l1) * 512U + i;
            if (q < BUILD_PAGES)
                w[i] = m[q] << PAGE_SHIFT |
                       (q >= l4 && q < l1 + BUILD_L1S ? AGENT_PT_RO : AGENT_PT_RW);
        }
    }
}

/* vCPU v's registers: vCPU 0 enters the image as Xen enters dom0's, the others park. */
static bool build_vcpu(unsigned dom, unsigned v, uint64_t l4_mfn, uint64_t si_va)
{
    static struct xen417_domctl d;
    uint8_t *regs = build_ctx + XEN417_VGC_REGS;
    uint64_t sp = v == 0 ? (uint64_t)agent_stack_top : (uint64_t)(domu_park_stack + PAGE_SIZE);

    memset(build_ctx, 0, sizeof(build_ctx));
    *(uint64_t *)(build_ctx + XEN417_VGC_FLAGS) =
        XEN417_VGCF_in_kernel | (v == 0 ? XEN417_VGCF_online : 0U);
    *(uint64_t *)(regs + XEN417_REGS_RIP) = v == 0 ? (uint64_t)_start : (uint64_t)domu_park;
    *(uint64_t *)(regs + XEN417_REGS_RSI) = si_va;
    *(uint64_t *)(regs + XEN417_REGS_RSP) = sp;
    *(uint16_t *)(regs + XEN417_REGS_CS) = XEN417_FLAT_KERNEL_CS;
    *(uint16_t *)(regs + XEN417_REGS_SS) = XEN417_FLAT_KERNEL_SS;
    /* IF: a PV guest's virtual interrupt flag is its upcall mask, which the builder set */
    *(uint64_t *)(regs + XEN417_REGS_RFLAGS) = RFLAGS_IF;
    *(uint64_t *)(build_ctx + XEN417_VGC_KERNEL_SS) = XEN417_FLAT_KERNEL_SS;
    *(uint64_t *)(build_ctx + XEN417_VGC_KERNEL_SP) = sp;
    *(uint64_t *)(build_ctx + XEN417_VGC_CTRLREG + 3U * 8U) = l4_mfn << PAGE_SHIFT;
    memset(&d, 0, sizeof(d));
    d.u.vcpucontext.vcpu = v;
    d.u.vcpucontext.ctxt = (uint64_t)build_ctx;
    return build_domctl(&d, XEN417_DOMCTL_setvcpucontext, (uint16_t)dom) == 0;
}

/* The frames written, the tables pinned, the vCPU given its registers, the domain unpaused. */
static bool build_start(unsigned dom, uint64_t shared_info)
{
    static struct xen417_domctl d;
    const unsigned img = build_img_pages();
    const unsigned l4 = img + 1U + (BUILD_PAGES * 8U + PAGE_SIZE - 1U) / PAGE_SIZE;
    const uint64_t *m = build_p2m[dom];

    for (unsigned p = 0; p < BUILD_PAGES; p++) {
        if (!build_map(m[p], (uint16_t)dom)) {
            build_error = "mapping a domU frame";
            return false;
        }
        build_page(dom, p, (uint64_t *)build_window, shared_info);
    }
    /* events stay masked: the domU has no callback, it polls its shared page */
    if (!build_map(shared_info, (uint16_t)dom)) {
        build_error = "mapping shared_info";
        return false;
    }
    for (unsigned v = 0; v < BUILD_VCPUS; v++)
        build_window[v * XEN417_VCPU_INFO_SIZE + XEN417_UPCALL_MASK] = 1;
    build_unmap();

    struct { uint32_t cmd, pad; uint64_t arg1, arg2; } pin = { MMUEXT_PIN_L4_TABLE, 0, m[l4], 0 };
    if (hc(HYPERVISOR_mmuext_op, (uint64_t)&pin, 1, 0, dom, 0) != 0) {
        build_error = "pinning the L4";
        return false;
    }
    for (unsigned v = 0; v < BUILD_VCPUS; v++)
        if (!build_vcpu(dom, v, m[l4], AGENT_BASE + (uint64_t)img * PAGE_SIZE)) {
            build_error = "setvcpucontext";
            return false;
        }
    domu_map(dom, m[build_pfn_of(&domu_box)]);
    memset(&d, 0, sizeof(d));
    if (build_domctl(&d, XEN_DOMCTL_unpausedomain, (uint16_t)dom) != 0) {
        build_error = "unpausedomain";
        return false;
    }
    /* its hello: the domU built its baseline (its own baseline_init) and waits for commands */
    for (unsigned i = 0; i < BUILD_HELLO_SPINS && !domu_peer(dom)->hello; i++) {
        if (domu_peer(dom)->dead)
            break;
        hc(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
    }
    if (!domu_peer(dom)->hello) {
        build_error = "the domU did not say hello";
        return false;
    }
    if (!domu_pause(dom, true)) {
        build_error = "pausing the domU";
        return false;
    }
    return true;
}

/*
 * All domains are created and given their frames first, so that the table of every domain's
 * area frames is complete in the image each domU is copied from. A domain that cannot be built
 * ends the list there: its ops (and those of domains after it) are unsupported.
 */
void build_domus(void)
{
    uint64_t shared_info[AGENT_MAX_DOMS];
    unsigned made = 1;

    for (unsigned g = 0; g < AGENT_MAX_PAGES; g++)
        agent_dom_mfn[0][g] = agent_p2m[build_pfn_of(agent_area + (uint64_t)g * PAGE_SIZE)];
    for (; made < AGENT_MAX_DOMS; made++)
        if (!build_create(made, &shared_info[made]))
            break;
    for (unsigned dom = 1; dom < made; dom++)
        for (unsigned g = 0; g < AGENT_MAX_PAGES; g++)
            agent_dom_mfn[dom][g] = build_p2m[dom][build_pfn_of(agent_area +
                                                                (uint64_t)g * PAGE_SIZE)];
    agent_nr_doms = made;
    for (unsigned dom = 1; dom < made; dom++)
        if (!build_start(dom, shared_info[dom])) {
            agent_nr_doms = dom;
            break;
        }
}
