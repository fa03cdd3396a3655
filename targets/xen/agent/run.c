/* The agent runs one op: arguments resolved against its own memory, guards, the real hypercall or access. */
#include "targets/xen/agent/agent.h"

#define GNTTAB_QUERY_SIZE 6U
#define GNTTAB_GET_VERSION 10U
#define EVTCHN_STATUS 5U
#define AGENT_SCAN_PORTS 64U

/* Where a program's resources are (docs/XEN.md): gfn g is area page g, the payload page is the
   last gfn, as in the native target. */
static unsigned run_pages(const struct agent_run *r)
{
    unsigned p = r->shape->dom_pages;
    return p && p <= AGENT_MAX_PAGES ? p : AGENT_MAX_PAGES;
}

static uint64_t run_gva(const struct agent_run *r, unsigned gfn)
{
    return AGENT_DOM_VA + (uint64_t)(gfn % run_pages(r)) * PAGE_SIZE;
}

static uint64_t run_payload_va(const struct agent_run *r)
{
    return run_gva(r, run_pages(r) - 1U);
}

/* Grant refs modulo the entries the table has now (v1: 8-byte entries, v2: 16-byte). */
static uint64_t run_gref(uint16_t a)
{
    struct { uint16_t dom; uint16_t pad; uint32_t nr_frames, max_frames; int16_t status; } q =
        { DOMID_SELF, 0, 0, 0, 0 };
    struct { uint32_t version; } v = { 0 };

    if (hc(HYPERVISOR_grant_table_op, GNTTAB_QUERY_SIZE, (uint64_t)&q, 1, 0, 0) < 0 ||
        q.status)
        return a;
    hc(HYPERVISOR_grant_table_op, GNTTAB_GET_VERSION, (uint64_t)&v, 1, 0, 0);
    uint32_t nr = q.nr_frames * (v.version == 2 ? 256U : 512U);
    return nr ? a % nr : a;
}

/* The (a mod count)-th port that is not free, found with EVTCHNOP_status (status 0: closed). */
static bool run_port_live(uint32_t port)
{
    struct { uint16_t dom; uint16_t pad; uint32_t port, status, vcpu; uint64_t u; } s =
        { DOMID_SELF, 0, port, 0, 0, 0 };

    return hc(HYPERVISOR_event_channel_op, EVTCHN_STATUS, (uint64_t)&s, 0, 0, 0) == 0 &&
           s.status != 0;
}

static uint64_t run_port(uint16_t a)
{
    unsigned live = 0, k;

    for (uint32_t p = 0; p < AGENT_SCAN_PORTS; p++)
        live += run_port_live(p);
    if (!live)
        return a;
    k = a % live;
    for (uint32_t p = 0; p < AGENT_SCAN_PORTS; p++)
        if (run_port_live(p) && k-- == 0)
            return p;
    return a;
}

/*
 * The (a mod n)-th of the n frames dom0's grant table has now: GNTTABOP_setup_table asking for
 * exactly n (so the table does not grow) lists them. A program that holds one may write grant
 * entries, which the undo does not clear: the run is tainted. MFN_INVALID (~0) when none.
 */
static uint64_t run_gnt_frame(struct agent_run *r, uint16_t a)
{
    struct { uint16_t dom; uint16_t pad; uint32_t nr_frames, max_frames; int16_t status; } q =
        { DOMID_SELF, 0, 0, 0, 0 };
    static uint64_t frames[64];

    if (hc(HYPERVISOR_grant_table_op, GNTTABOP_query_size, (uint64_t)&q, 1, 0, 0) < 0 ||
        q.status || !q.nr_frames || q.nr_frames > 64)
        return ~0ULL;
    struct { uint16_t dom; uint16_t pad; uint32_t nr_frames; int16_t status; uint16_t pad2[3];
             uint64_t list; } st = { DOMID_SELF, 0, q.nr_frames, 0, { 0, 0, 0 }, (uint64_t)frames };
    if (hc(HYPERVISOR_grant_table_op, GNTTABOP_setup_table, (uint64_t)&st, 1, 0, 0) < 0 ||
        st.status)
        return ~0ULL;
    agent_taint(r, "grant_frame");
    return frames[a % q.nr_frames];
}

/* An argument's value; *bad set when it names what this agent cannot stand for. */
static uint64_t run_arg(struct agent_run *r, const struct prog_arg *a, bool *bad)
{
    unsigned g = a->a % run_pages(r);
    bool dom_arg = a->kind != ARG_IMM && a->kind != ARG_DOMID && a->kind != ARG_PAYLOAD &&
                   a->kind != ARG_VCPUID;

    if (dom_arg && a->dom != 0)
        *bad = true;
    switch (a->kind) {
    case ARG_IMM:
        return a->imm;
    case ARG_DOMID:
        if (a->a != 1 && a->dom != 0)
            *bad = true;
        return a->a == 1 ? DOMID_SELF : a->dom;
    case ARG_MFN:
        return baseline_mfn(g);
    case ARG_GFN:
        return baseline_pfn(g);
    case ARG_MADDR:
        return (baseline_mfn(g) << PAGE_SHIFT) + a->b;
    case ARG_GVA:
        return run_gva(r, g) + a->b;
    case ARG_PTE:
        return ((baseline_mfn(g) << PAGE_SHIFT) & PTE_ADDR_MASK) | (a->imm & ~PTE_ADDR_MASK);
    case ARG_PAYLOAD:
        return run_payload_va(r) + a->b;
    case ARG_GREF:
        return run_gref(a->a);
    case ARG_PORT:
        return run_port(a->a);
    case ARG_VCPUID:
        return a->a % (r->shape->nr_vcpus ? r->shape->nr_vcpus : 1U);
    case ARG_GPA:
        return (baseline_pfn(g) << PAGE_SHIFT) + a->b;
    case ARG_HANDLE:
        return r->nr_handles ? r->handle[a->a % r->nr_handles] : a->a;
    case ARG_GNTFRAME:
        return run_gnt_frame(r, a->a);
    case ARG_GNTPTE:
        return ((run_gnt_frame(r, a->a) << PAGE_SHIFT) & PTE_ADDR_MASK) | (a->imm & ~PTE_ADDR_MASK);
    default:
        /* grant v2 status frames: not looked up yet */
        *bad = true;
        return a->imm;
    }
}

/* A frame the program may not touch: the agent's own, outside the area (its code, tables). */
static bool run_frame_forbidden(uint64_t mfn)
{
    return baseline_agent_frame(mfn);
}

/* A VA whose mapping the program may not change: the agent's image and what Xen mapped with it. */
static bool run_va_forbidden(uint64_t va)
{
    uint64_t end = AGENT_BASE + (agent_si->nr_pages << PAGE_SHIFT);

    return va >= AGENT_BASE && va < end + (4ULL << 20);
}

static bool run_read64(uint64_t va, uint64_t *v)
{
    agent_fault_vec = 0xFF;
    *v = agent_read64(va);
    return agent_fault_vec == 0xFF;
}

/* The taint's reason with the sub-command: "memory_op/6". */
static void run_taint_cmd(struct agent_run *r, const char *what, uint64_t cmd)
{
    char why[40];
    size_t n = strlen(what);
    char d[20];
    int k = 0;

    if (n > sizeof(why) - 22)
        n = sizeof(why) - 22;
    memcpy(why, what, n);
    why[n++] = '/';
    do {
        d[k++] = (char)('0' + cmd % 10);
        cmd /= 10;
    } while (cmd && k < 20);
    while (k)
        why[n++] = d[--k];
    why[n] = 0;
    agent_taint(r, why);
}

/* mmu_update requests: PTE pointers into the agent's own frames are refused. */
static bool run_guard_mmu(uint64_t reqs, uint64_t count)
{
    for (uint64_t i = 0; i < count && i < 64; i++) {
        uint64_t ptr;
        if (!run_read64(reqs + i * 16U, &ptr))
            return true;
        if (run_frame_forbidden(ptr >> PAGE_SHIFT) || baseline_entry_forbidden(ptr))
            return false;
    }
    return true;
}

/* mmuext ops {u32 cmd, u64 arg1, u64 arg2}: no new base pointer (the agent would lose its
   tables) and no op on the agent's own frames. */
static bool run_guard_mmuext(uint64_t ops, uint64_t count)
{
    for (uint64_t i = 0; i < count && i < 64; i++) {
        uint64_t cmd, arg1;
        if (!run_read64(ops + i * 24U, &cmd) || !run_read64(ops + i * 24U + 8U, &arg1))
            return true;
        cmd &= 0xFFFFFFFFU;
        if (cmd == MMUEXT_NEW_BASEPTR || cmd == MMUEXT_NEW_USER_BASEPTR)
            return false;
        if (cmd != MMUEXT_INVLPG_LOCAL && cmd != MMUEXT_INVLPG_ALL && cmd != MMUEXT_SET_LDT &&
            cmd != MMUEXT_INVLPG_MULTI && run_frame_forbidden(arg1))
            return false;
    }
    return true;
}

/*
 * Whether the agent runs the hypercall at all (false: unsupported), and whether its effects
 * go beyond what baseline_restore undoes (then the run is tainted and the host reboots Xen
 * before the next program). docs/XEN.md lists these rules.
 */
static bool run_guard(struct agent_run *r, unsigned nr, const uint64_t *a);

/* A multicall's entry {u64 op, u64 result, u64 args[6]}, read safely. */
#define RUN_MC_ENTRY 64U
#define RUN_MC_MAX 64U
static bool run_mc_entry(uint64_t list, uint64_t i, uint64_t *op, uint64_t *result,
                         uint64_t args[6])
{
    uint64_t e = list + i * RUN_MC_ENTRY;

    if (!run_read64(e, op) || !run_read64(e + 8, result))
        return false;
    for (unsigned k = 0; k < 6; k++)
        if (!run_read64(e + 16 + 8 * k, &args[k]))
            return false;
    return true;
}

/* Every entry as its own call would be judged; no nested multicall. An entry the agent cannot
   read, Xen cannot either: the batch stops there. */
static bool run_guard_multicall(struct agent_run *r, uint64_t list, uint64_t count)
{
    if (count > RUN_MC_MAX)
        return false;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t op, result, args[6];
        if (!run_mc_entry(list, i, &op, &result, args))
            return true;
        if (op == HYPERVISOR_multicall ||
            (op < NR_HYPERCALLS && !run_guard(r, (unsigned)op, args)))
            return false;
    }
    return true;
}

static bool run_guard(struct agent_run *r, unsigned nr, const uint64_t *a)
{
    uint64_t cmd = a[0];

    switch (nr) {
    case HYPERVISOR_xen_version:
    case HYPERVISOR_console_io:
        return true;
    case HYPERVISOR_mmu_update:
        return run_guard_mmu(a[0], a[1]);
    case HYPERVISOR_mmuext_op:
        return run_guard_mmuext(a[0], a[1]);
    case HYPERVISOR_update_va_mapping:
        return !run_va_forbidden(a[0]);
    case HYPERVISOR_update_va_mapping_otherdomain:
        return !run_va_forbidden(a[0]);
    case HYPERVISOR_sched_op:
        /* shutdown, block and poll would end or stop the agent */
        return cmd == SCHEDOP_yield;
    case HYPERVISOR_vcpu_op:
        if (cmd == VCPUOP_down && a[1] == 0)
            return false;
        return true;
    case HYPERVISOR_memory_op:
    case HYPERVISOR_grant_table_op:
        /* judged by what they did: run_after */
        return true;
    case HYPERVISOR_event_channel_op:
        /* physical IRQs and the FIFO ABI outlive EVTCHNOP_reset's undo */
        if (cmd == 2 || cmd >= 11)
            agent_taint(r, "event_channel_op");
        return true;
    case HYPERVISOR_domctl: {
        uint64_t w;
        if (!run_read64(a[0], &w))
            return true;
        /* destroying or pausing dom0 ends the agent */
        if ((w & 0xFFFFFFFFU) == XEN_DOMCTL_destroydomain || (w & 0xFFFFFFFFU) == 3U)
            return false;
        return true;
    }
    case HYPERVISOR_multicall:
        return run_guard_multicall(r, a[0], a[1]);
    case HYPERVISOR_set_gdt:
        agent_taint(r, "set_gdt");
        return true;
    case HYPERVISOR_update_descriptor:
        /* a descriptor written into a frame of the program's, never the agent's own; the
           seg_desc type it may leave is not undone */
        if (run_frame_forbidden(a[0] >> PAGE_SHIFT))
            return false;
        agent_taint(r, "update_descriptor");
        return true;
    /* the agent's own vCPU and domain state, which no undo puts back: the machine is restored
       after the program (set_trap_table and iret are refused below: they would take over the
       agent's trap handling and registers mid-program) */
    case HYPERVISOR_stack_switch:
    case HYPERVISOR_fpu_taskswitch:
    case HYPERVISOR_set_timer_op:
    case HYPERVISOR_vm_assist:
    case HYPERVISOR_set_segment_base:
        agent_taint(r, abi_hypercall_name(nr));
        return true;
    default:
        /* numbers the model lacks: past Xen's table they are -ENOSYS and harmless; below it
           they may be the agent's own business (callbacks, stack switch, iret) */
        return nr >= NR_HYPERCALLS;
    }
}

/* A grant op's per-entry status field (int16 at off in each size-byte entry) said success. */
static bool run_any_status_ok(uint64_t base, uint64_t count, unsigned size, unsigned off)
{
    for (uint64_t i = 0; i < count && i < 64; i++) {
        uint8_t lo, hi;
        if (!agent_peek(base + i * size + off, &lo) || !agent_peek(base + i * size + off + 1, &hi))
            return true;
        if (!lo && !hi)
            return true;
    }
    return false;
}

/* struct xen_memory_reservation {u64 extent_start, u64 nr_extents, u32 order, u32 flags,
   u16 domid}: the first n extents, now machine frames of ours (unless for another domain). */
static bool run_note_extents(struct agent_run *r, uint64_t res, uint64_t n)
{
    uint64_t list, order_flags, dom;

    if (!run_read64(res, &list) || !run_read64(res + 16, &order_flags) ||
        !run_read64(res + 24, &dom))
        return false;
    dom &= 0xFFFF;
    if (dom != DOMID_SELF && dom != 0)
        return true;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t mfn;
        if (r->nr_extra >= AGENT_MAX_EXTRA || !run_read64(list + i * 8U, &mfn))
            return false;
        r->extra_mfn[r->nr_extra] = mfn;
        r->extra_order[r->nr_extra] = (uint32_t)order_flags;
        r->nr_extra++;
    }
    return true;
}

/* The handles of maps that succeeded join r->handle; those of unmaps that did leave it. */
static void run_note_handles(struct agent_run *r, uint64_t base, uint64_t count, bool map)
{
    unsigned size = map ? 32U : 24U, st = map ? 18U : 20U, h = map ? 20U : 16U;

    for (uint64_t i = 0; i < count && i < 64; i++) {
        uint64_t w, hv;
        if (!run_read64(base + i * size + (st & ~7U), &w) ||
            !run_read64(base + i * size + (h & ~7U), &hv))
            return;
        if ((uint16_t)(w >> (8 * (st & 7U))))
            continue;
        uint32_t handle = (uint32_t)(hv >> (8 * (h & 7U)));
        if (map && r->nr_handles < AGENT_MAX_EXTRA) {
            r->handle[r->nr_handles++] = handle;
        } else if (!map) {
            for (unsigned k = 0; k < r->nr_handles; k++)
                if (r->handle[k] == handle) {
                    r->handle[k] = r->handle[--r->nr_handles];
                    break;
                }
        }
    }
}

/*
 * Taints that depend on what the call did (rc, the statuses it wrote back): reservation changes
 * that moved a frame, grant maps, transfers, swaps and table growth that succeeded. Calls that
 * failed changed nothing the undo misses, and most generated ones fail.
 */
static void run_after(struct agent_run *r, unsigned nr, const uint64_t *a, long rc)
{
    uint64_t cmd = a[0];

    /* each entry by its own result */
    if (nr == HYPERVISOR_multicall) {
        for (uint64_t i = 0; i < a[1] && i < RUN_MC_MAX; i++) {
            uint64_t op, result, args[6];
            if (!run_mc_entry(a[0], i, &op, &result, args))
                break;
            run_after(r, (unsigned)op, args, (long)result);
        }
        return;
    }

    if (nr == HYPERVISOR_memory_op) {
        cmd &= 0x3F;
        if (cmd == XENMEM_maximum_ram_page || cmd == XENMEM_current_reservation ||
            cmd == XENMEM_maximum_reservation)
            return;
        /* frames a PV guest gets come back as machine frames in the extent list: noted, to be
           given back (baseline_restore) */
        if ((cmd == XENMEM_increase_reservation || cmd == XENMEM_populate_physmap) && rc > 0) {
            if (!run_note_extents(r, a[1], (uint64_t)rc))
                run_taint_cmd(r, "memory_op", cmd);
            return;
        }
        /* decrease returns the extents done; the others 0 on success */
        if (cmd == XENMEM_decrease_reservation ? rc > 0 : rc >= 0)
            run_taint_cmd(r, "memory_op", cmd);
        return;
    }
    /* is_up asks, up of the one vCPU there is changes nothing; the rest (timers, the vCPU
       info area, a new vCPU's context) outlive the undo when they succeed */
    if (nr == HYPERVISOR_vcpu_op) {
        if (rc >= 0 && cmd != VCPUOP_is_up && cmd != VCPUOP_up)
            run_taint_cmd(r, "vcpu_op", cmd);
        return;
    }
    /* a domctl that succeeded (most fail: the interface version) may have made a domain or
       changed dom0's limits */
    if (nr == HYPERVISOR_domctl) {
        uint64_t w;
        if (rc >= 0 && (!run_read64(a[0], &w) || (w & 0xFFFFFFFFU) != XEN_DOMCTL_getdomaininfo))
            agent_taint(r, "domctl");
        return;
    }
    if (nr != HYPERVISOR_grant_table_op || rc < 0)
        return;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:       /* {u64 host, u32 flags, u32 ref, u16 dom, i16 status, u32 handle, u64 bus} */
        if (run_any_status_ok(a[1], a[2], 32, 18))
            agent_taint(r, "grant_map");
        run_note_handles(r, a[1], a[2], true);
        break;
    case GNTTABOP_unmap_grant_ref:     /* {u64 host, u64 bus, u32 handle, i16 status} */
        run_note_handles(r, a[1], a[2], false);
        break;
    case GNTTABOP_setup_table:         /* {u16 dom, u32 nr_frames, i16 status, ...}: may grow */
        if (run_any_status_ok(a[1], a[2], 24, 8))
            agent_taint(r, "grant_setup_table");
        break;
    case GNTTABOP_transfer:            /* {u64 mfn, u16 dom, u32 ref, i16 status} */
        if (run_any_status_ok(a[1], a[2], 24, 16))
            agent_taint(r, "grant_transfer");
        break;
    case GNTTABOP_swap_grant_ref:      /* {u32 ref_a, u32 ref_b, i16 status} */
        if (run_any_status_ok(a[1], a[2], 12, 8))
            agent_taint(r, "grant_swap");
        break;
    default:
        /* copy, query, dump, versions (undone), unmaps of maps that cannot exist untainted */
        break;
    }
}

/* The payload, fixups applied, written by safe stores (the program may have unmapped it). */
static void run_place_payload(struct agent_run *r, const struct prog_op *op, bool *bad)
{
    uint8_t buf[PROG_MAX_PAYLOAD];
    size_t len = op->payload_len < PROG_MAX_PAYLOAD ? op->payload_len : PROG_MAX_PAYLOAD;
    uint64_t va = run_payload_va(r);

    memcpy(buf, op->payload, len);
    for (unsigned i = 0; i < op->nr_fixups && i < PROG_MAX_FIXUPS; i++) {
        const struct prog_fixup *fx = &op->fixups[i];
        uint64_t v = run_arg(r, &fx->arg, bad);
        if (fx->width > 8 || (size_t)fx->off + fx->width > len)
            continue;
        for (unsigned b = 0; b < fx->width; b++)
            buf[fx->off + b] = (uint8_t)(v >> (8U * b));
    }
    for (size_t i = 0; i < len; i++)
        if (!agent_poke(va + i, buf[i]))
            break;
}

/* Whether a domain id field of the op's payload names one of the program's other domains,
   which this Xen does not have (the agent builds none): the op cannot mean what it means on a
   target that has them. */
static bool run_names_absent_domain(const struct agent_run *r, const struct prog_op *op)
{
    uint16_t ids[8];
    unsigned n = abi_op_payload_domids(op, ids, 8);

    if (n > 8)
        return true;    /* more than it looked at: assume the worst */
    for (unsigned i = 0; i < n; i++)
        if (ids[i] != 0 && ids[i] < r->shape->nr_domains)
            return true;
    return false;
}

static void run_hypercall(struct agent_run *r, const struct prog_op *op, struct op_result *res,
                          uint8_t *out, uint16_t *out_len)
{
    uint64_t a[6] = { 0 };
    bool bad = false;

    for (unsigned i = 0; i < op->nr_args && i < PROG_MAX_ARGS; i++)
        a[i] = run_arg(r, &op->args[i], &bad);
    if (bad || run_names_absent_domain(r, op)) {
        res->status = OPS_UNSUPPORTED;
        return;
    }
    run_place_payload(r, op, &bad);
    if (bad || !run_guard(r, op->nr, a)) {
        res->status = OPS_UNSUPPORTED;
        return;
    }
    res->rc = hc(op->nr, a[0], a[1], a[2], a[3], a[4]);
    res->status = OPS_RAN;
    /* A set_trap_table can still reach Xen past the guard (a multicall entry Xen reads through
       a stale translation the agent's guard did not see: the seed-11 campaign's dom0 crash), and
       the agent's next guarded read would then fault with no handler: its table goes back now. */
    agent_traps();
    run_after(r, op->nr, a, res->rc);
    size_t len = op->payload_len < PROG_MAX_PAYLOAD ? op->payload_len : PROG_MAX_PAYLOAD;
    uint64_t va = run_payload_va(r);
    *out_len = 0;
    for (size_t i = 0; i < len; i++) {
        if (!agent_peek(va + i, &out[i]))
            return;
    }
    *out_len = (uint16_t)len;
}

/* A tag of the written address (its offset in the area, when inside): what a later read gives
   back, the same whatever the agent's layout (not the native target's tag, which names the
   model's frame). */
#define RUN_TAG 0x4858000000000000ULL

static uint64_t run_tag(uint64_t va)
{
    if (va >= AGENT_DOM_VA && va < AGENT_DOM_VA + sizeof(agent_area))
        va -= AGENT_DOM_VA;
    return RUN_TAG | (va & 0xFFFFFFFFFFFFULL);
}

static void run_access(struct agent_run *r, const struct prog_op *op, struct op_result *res)
{
    bool bad = false, write = op->kind == OP_GUEST_WRITE;
    uint64_t va = op->nr_args ? run_arg(r, &op->args[0], &bad) : 0;
    uint32_t size = op->size == 1 || op->size == 2 || op->size == 4 ? op->size : 8U;
    uint64_t v = 0;

    if (bad || (write && run_va_forbidden(va))) {
        res->status = OPS_UNSUPPORTED;
        return;
    }
    agent_fault_vec = 0xFF;
    if (write) {
        uint64_t tag = run_tag(va);
        switch (size) {
        case 1: agent_write8(va, tag); break;
        case 2: agent_write16(va, tag); break;
        case 4: agent_write32(va, tag); break;
        default: agent_write64(va, tag); break;
        }
    } else {
        switch (size) {
        case 1: v = agent_read8(va); break;
        case 2: v = agent_read16(va); break;
        case 4: v = agent_read32(va); break;
        default: v = agent_read64(va); break;
        }
    }
    res->status = OPS_RAN;
    if (agent_fault_vec != 0xFF) {
        res->rc = -XEN_EFAULT;
        res->fault = (uint8_t)agent_fault_vec;
        res->pfec = (uint32_t)agent_fault_code;
        return;
    }
    res->value = write ? 0 : v;
}

void run_op(struct agent_run *r, const struct prog_op *op, struct op_result *res,
            uint8_t *out, uint16_t *out_len)
{
    memset(res, 0, sizeof(*res));
    res->fault = PROG_FAULT_NONE;
    *out_len = 0;
    /* dom0 is the agent, with one vCPU; other domains and the model's scheduling points wait
       for the domain builder (issue 11, item 6) */
    if (op->dom != 0 || op->vcpu != 0) {
        res->status = OPS_UNSUPPORTED;
        return;
    }
    switch (op->kind) {
    case OP_HYPERCALL:
        run_hypercall(r, op, res, out, out_len);
        break;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        run_access(r, op, res);
        break;
    default:
        res->status = OPS_UNSUPPORTED;
        break;
    }
}
