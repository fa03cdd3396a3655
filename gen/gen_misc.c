/* Generator templates for multicall, vcpu_op, sched_op, domctl and the small query hypercalls. */
#include <stddef.h>
#include "gen/gen_internal.h"
#include "hvfuzz/monitor.h"

/* ---- multicall: a list whose entries reach into the same payload for their own structs --------- */

#define GEN_MC_ENTRY ((unsigned)sizeof(struct multicall_entry))
#define GEN_MC_ARG(e, i) ((e) + 16U + 8U * (i))

static void gen_mc_entry(struct gen_hc *h, unsigned e)
{
    struct gen *g = h->g;
    unsigned r = gen_below(g, 16);
    int s;

    if (r < 6) {
        gen_pl_put(h, e, 8, HYPERVISOR_update_va_mapping);
        gen_pl_fix(h, GEN_MC_ARG(e, 0), 8, gen_chance(g, 3, 4) ? GEN_GVA(h->caller, gen_data_gfn(g), 0)
                                                              : GEN_IMM(gen_free_va(g)));
        gen_pl_fix(h, GEN_MC_ARG(e, 1), 8, gen_pte_val(g, h->caller, 1));
        gen_pl_put(h, GEN_MC_ARG(e, 2), 8, gen_below(g, 3));
    } else if (r < 10) {
        gen_pl_put(h, e, 8, HYPERVISOR_mmu_update);
        s = gen_pl_alloc(h, sizeof(struct mmu_update));
        if (s < 0)
            return;
        gen_mmu_req(h, (unsigned)s);
        gen_pl_fix(h, GEN_MC_ARG(e, 0), 8, GEN_PAYLOAD((uint32_t)s));
        gen_pl_put(h, GEN_MC_ARG(e, 1), 8, 1);
        gen_pl_put(h, GEN_MC_ARG(e, 3), 8, DOMID_SELF);
    } else if (r < 13) {
        gen_pl_put(h, e, 8, HYPERVISOR_mmuext_op);
        s = gen_pl_alloc(h, sizeof(struct mmuext_op));
        if (s < 0)
            return;
        gen_mmuext_rec(h, (unsigned)s);
        gen_pl_fix(h, GEN_MC_ARG(e, 0), 8, GEN_PAYLOAD((uint32_t)s));
        gen_pl_put(h, GEN_MC_ARG(e, 1), 8, 1);
        gen_pl_put(h, GEN_MC_ARG(e, 3), 8, DOMID_SELF);
    } else if (r < 14) {
        gen_pl_put(h, e, 8, HYPERVISOR_xen_version);
    } else if (r < 15) {
        /* a nested multicall (Xen refuses it) or an unknown number */
        gen_pl_put(h, e, 8, gen_chance(g, 1, 2) ? HYPERVISOR_multicall : 60 + gen_below(g, 8));
        gen_pl_fix(h, GEN_MC_ARG(e, 0), 8, GEN_PAYLOAD(0));
        gen_pl_put(h, GEN_MC_ARG(e, 1), 8, 1);
    } else {
        gen_pl_put(h, e, 8, HYPERVISOR_event_channel_op);
        s = gen_pl_alloc(h, 8);
        if (s < 0)
            return;
        gen_pl_put(h, GEN_MC_ARG(e, 0), 8, EVTCHNOP_send);
        gen_pl_fix(h, (unsigned)s, 4, GEN_PORT(h->caller, gen_below(g, 4)));
        gen_pl_fix(h, GEN_MC_ARG(e, 1), 8, GEN_PAYLOAD((uint32_t)s));
    }
}

static void gen_iret_frame(struct gen *g, struct gen_hc *h, unsigned dom, bool user);

/* An iret to user mode, half of them, mostly with the user table it needs set first. */
static bool gen_iret_user(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    if (!gen_chance(g, 1, 2))
        return false;
    if (gen_chance(g, 7, 8))
        gen_user_table(g, p, dom, vcpu);
    return true;
}

/* Now and then one entry is an iret: its frame goes first in the payload, where the caller's
   stack pointer is (the op's rsp), and the entries after it see what the batch does after it. */
void gen_f_multicall(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    unsigned n = 2 + gen_below(g, 3), iret = gen_chance(g, 1, 4) ? gen_below(g, n) : n;
    bool user = iret < n && gen_iret_user(g, p, dom, vcpu);
    struct prog_op *op = gen_new_op(p);
    int list;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_multicall);
    if (iret < n)
        gen_iret_frame(g, &h, dom, user);
    list = gen_pl_alloc(&h, n * GEN_MC_ENTRY);
    for (unsigned i = 0; i < n; i++) {
        if (i == iret && list >= 0)
            gen_pl_put(&h, (unsigned)list + i * GEN_MC_ENTRY, 8, HYPERVISOR_iret);
        else
            gen_mc_entry(&h, (unsigned)list + i * GEN_MC_ENTRY);
    }
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)list));
    gen_hc_arg(&h, 1, GEN_IMM(gen_chance(g, 7, 8) ? n : gen_count(g, n)));
}

/* ---- vcpu_op ------------------------------------------------------------------------------------- */

void gen_f_vcpu(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned nv = g->cfg.shape.nr_vcpus, target = gen_below(g, nv), r = gen_below(g, 16);
    int rec;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_vcpu_op);
    /* bringing other vCPUs up is what lets the interleavings happen: it is the common case */
    if (r < 8) {
        gen_hc_arg(&h, 0, GEN_IMM(VCPUOP_up));
        if (target == 0 && nv > 1)
            target = 1 + gen_below(g, nv - 1);
        g->vcpu_up[dom][target] = 1;
    } else if (r < 10) {
        gen_hc_arg(&h, 0, GEN_IMM(VCPUOP_down));
    } else if (r < 12) {
        gen_hc_arg(&h, 0, GEN_IMM(VCPUOP_is_up));
    } else if (r < 15) {
        gen_hc_arg(&h, 0, GEN_IMM(VCPUOP_initialise));
        rec = gen_pl_alloc(&h, 8);
        gen_pl_put(&h, (unsigned)rec, 8, gen_chance(g, 1, 2) ? GEN_GFN_L4 : gen_any_gfn(g));
        gen_hc_arg(&h, 2, GEN_PAYLOAD((uint32_t)rec));
    } else if (gen_chance(g, 1, 2)) {
        /* the timers: a time at Xen's bounds (1 ms, 2^62 - 1) or anything, own vCPU or not */
        static const uint64_t t[] = { 999999, 1000000, (~0ULL >> 2), (~0ULL >> 2) + 1, 0 };
        gen_hc_arg(&h, 0, GEN_IMM(VCPUOP_set_periodic_timer + gen_below(g, 4)));
        rec = gen_pl_alloc(&h, sizeof(struct vcpu_set_singleshot_timer));
        gen_pl_put(&h, (unsigned)rec, 8, gen_chance(g, 3, 4) ? t[gen_below(g, 5)]
                                                             : gen_count(g, 1U << 30));
        gen_hc_arg(&h, 2, GEN_PAYLOAD((uint32_t)rec));
        if (gen_chance(g, 1, 2))
            target = vcpu;
    } else {
        gen_hc_arg(&h, 0, GEN_IMM(4 + gen_below(g, 30)));
    }
    gen_hc_arg(&h, 1, gen_chance(g, 15, 16) ? GEN_VCPUID(target) : GEN_IMM(gen_count(g, 4)));
}

/* ---- sched_op -------------------------------------------------------------------------------------- */

void gen_f_sched(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned r = gen_below(g, 16);
    int rec, ports;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_sched_op);
    if (r < 5) {
        gen_hc_arg(&h, 0, GEN_IMM(SCHEDOP_yield));
    } else if (r < 7) {
        gen_hc_arg(&h, 0, GEN_IMM(SCHEDOP_block));
    } else if (r < 11) {
        unsigned n = 1 + gen_below(g, 3);
        rec = gen_pl_alloc(&h, sizeof(struct sched_poll));
        ports = gen_pl_alloc(&h, 4 * n);
        for (unsigned i = 0; i < n; i++)
            gen_pl_fix(&h, (unsigned)ports + 4 * i, 4, GEN_PORT(dom, gen_below(g, 4)));
        gen_pl_fix(&h, (unsigned)rec, 8, GEN_PAYLOAD((uint32_t)ports));
        gen_pl_put(&h, (unsigned)rec + 8, 4, gen_chance(g, 7, 8) ? n : gen_count(g, 128));
        gen_hc_arg(&h, 0, GEN_IMM(SCHEDOP_poll));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    } else if (r < 14) {
        /* another domain shut down (dom0's privilege) in the middle of its grants and maps */
        rec = gen_pl_alloc(&h, 8);
        gen_pl_fix(&h, (unsigned)rec, 2, gen_chance(g, 7, 8) ? GEN_DOMID(gen_other_dom(g, dom))
                                                             : gen_domid_arg(g, dom));
        gen_pl_put(&h, (unsigned)rec + 4, 4, gen_below(g, 6));
        gen_hc_arg(&h, 0, GEN_IMM(SCHEDOP_remote_shutdown));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    } else if (r < 15) {
        rec = gen_pl_alloc(&h, 8);
        gen_pl_put(&h, (unsigned)rec, 4, gen_below(g, 6));
        gen_hc_arg(&h, 0, GEN_IMM(SCHEDOP_shutdown));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    } else {
        gen_hc_arg(&h, 0, GEN_IMM(5 + gen_below(g, 30)));
        gen_hc_arg(&h, 1, gen_va(g, dom));
    }
}

/* ---- domctl ---------------------------------------------------------------------------------------- */

/*
 * shadow_op's log-dirty calls: on (either spelling), off, clean and peek, now and then another
 * op or mode; the bitmap into the caller's payload (a buffer of the domain's size or a short
 * one), a data page, no handle at all (stats only) or a bad address.
 */
static void gen_shadow_op(struct gen *g, struct gen_hc *h, unsigned at, unsigned dom)
{
    static const uint8_t ops[] = { XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, XEN_DOMCTL_SHADOW_OP_ENABLE,
                                   XEN_DOMCTL_SHADOW_OP_OFF, XEN_DOMCTL_SHADOW_OP_CLEAN,
                                   XEN_DOMCTL_SHADOW_OP_CLEAN, XEN_DOMCTL_SHADOW_OP_PEEK,
                                   XEN_DOMCTL_SHADOW_OP_PEEK, XEN_DOMCTL_SHADOW_OP_ENABLE_TEST };
    uint32_t op = gen_chance(g, 15, 16) ? ops[gen_below(g, sizeof(ops))]
                  : gen_chance(g, 1, 2) ? gen_below(g, 40) : (uint32_t)gen_rand(g);
    uint32_t mode = op == XEN_DOMCTL_SHADOW_OP_ENABLE ? XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY : 0;
    uint64_t pages = g->cfg.shape.dom_pages;
    int bm;

    if (gen_chance(g, 1, 8))
        mode = gen_chance(g, 1, 2) ? XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL : gen_below(g, 32);
    gen_pl_put(h, at, 4, op);
    gen_pl_put(h, at + 4, 4, mode);
    if (gen_chance(g, 1, 4))
        pages = gen_count(g, HV_MAX_GFNS);
    gen_pl_put(h, at + 24, 8, pages);
    unsigned r = gen_below(g, 8);
    if (r < 4 && (bm = gen_pl_alloc(h, 32)) >= 0)
        gen_pl_fix(h, at + 16, 8, GEN_PAYLOAD((uint32_t)bm));
    else if (r < 6)
        gen_pl_fix(h, at + 16, 8, gen_va(g, dom));
    else if (r < 7)
        gen_pl_put(h, at + 16, 8, 0);
    else
        gen_pl_put(h, at + 16, 8, gen_rand(g));
}

void gen_f_domctl(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned r = gen_below(g, 32), target = gen_other_dom(g, dom), cmd;
    unsigned u = (unsigned)offsetof(struct xen_domctl, u);
    int rec;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_domctl);
    rec = gen_pl_alloc(&h, sizeof(struct xen_domctl));
    if (r < 6) {
        cmd = XEN_DOMCTL_createdomain;
        /* a fresh id, 0 (any free), an existing one, or a reserved one */
        uint64_t id = gen_chance(g, 1, 2) ? g->cfg.shape.nr_domains + gen_below(g, 2)
                                          : gen_chance(g, 1, 2) ? 0 : gen_bad_domid(g);
        gen_pl_put(&h, (unsigned)rec + 8, 2, id);
        unsigned cd = (unsigned)rec + u;
#define CD_OFF(f) (cd + (unsigned)offsetof(struct xen_domctl_createdomain, f))
        /* mostly a configuration a toolstack sends; now and then one field off its rules: a
           flag bit alone, table sizes at and past their limits, emulators, grant options */
        bool odd = gen_chance(g, 1, 3);
        unsigned field = odd ? gen_below(g, 8) : 8;
        gen_pl_put(&h, CD_OFF(max_vcpus), 4, gen_chance(g, 7, 8) ? 1 + gen_below(g, 4)
                                                                 : gen_count(g, 4));
        gen_pl_put(&h, CD_OFF(max_evtchn_port), 4,
                   gen_chance(g, 1, 2) ? 1023 : gen_count(g, 4095));   /* 2-level: 4096 ports */
        /* the table limits: Xen's default (-1), and its bounds 1..64 and 0..1024 */
        gen_pl_put(&h, CD_OFF(max_grant_frames), 4,
                   field == 0 ? (gen_chance(g, 1, 4) ? 63 : gen_count(g, 64))
                              : gen_chance(g, 1, 2) ? UINT32_MAX : 1 + gen_below(g, 4));
        gen_pl_put(&h, CD_OFF(max_maptrack_frames), 4,
                   field == 1 ? (gen_chance(g, 1, 4) ? 1023 : gen_count(g, 1024)) : UINT32_MAX);
        gen_pl_put(&h, CD_OFF(grant_opts), 4,
                   field == 2 ? (gen_chance(g, 1, 2) ? gen_below(g, 16) : 1U << gen_below(g, 32))
                              : 1 + gen_below(g, 2));
        if (field == 3)   /* a flag bit alone or two of them, the defined 8 and two past */
            gen_pl_put(&h, CD_OFF(flags), 4, 1U << gen_below(g, 10) |
                                                 (gen_chance(g, 1, 2) ? 1U << gen_below(g, 10) : 0));
        if (field == 4)
            gen_pl_put(&h, CD_OFF(iommu_opts), 4, gen_count(g, 1));
        if (field == 5)
            gen_pl_put(&h, CD_OFF(vmtrace_size), 4, 4096U << gen_below(g, 3));
        if (field == 6)
            gen_pl_put(&h, CD_OFF(arch.emulation_flags), 4,
                       gen_chance(g, 1, 4) ? XEN_X86_EMU_PIT - 1
                                           : gen_chance(g, 1, 2) ? 1U << gen_below(g, 12)
                                                                 : gen_count(g, XEN_X86_EMU_PIT));
        if (field == 7)
            gen_pl_put(&h, CD_OFF(arch.misc_flags), 4, gen_count(g, 1));
#undef CD_OFF
    } else {
        static const uint8_t cmds[] = { XEN_DOMCTL_destroydomain, XEN_DOMCTL_pausedomain,
                                        XEN_DOMCTL_unpausedomain, XEN_DOMCTL_getdomaininfo,
                                        XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_max_mem,
                                        XEN_DOMCTL_max_mem, XEN_DOMCTL_max_vcpus, 40,
                                        XEN_DOMCTL_shadow_op, XEN_DOMCTL_shadow_op };
        cmd = cmds[gen_below(g, sizeof(cmds))];
        if (gen_chance(g, 1, 8))
            target = dom;
        if (gen_chance(g, 15, 16))
            gen_pl_fix(&h, (unsigned)rec + 8, 2, GEN_DOMID(target));
        else
            gen_pl_put(&h, (unsigned)rec + 8, 2, gen_bad_domid(g));
        if (cmd == XEN_DOMCTL_max_mem)
            /* around the built size: lowering below tot_pages, raising, boundaries */
            gen_pl_put(&h, (unsigned)rec + u, 8, gen_chance(g, 3, 4)
                           ? (uint64_t)(g->cfg.shape.dom_pages + gen_below(g, 16) - 8) * 4
                           : gen_count(g, 1 << 20));
        if (cmd == XEN_DOMCTL_max_vcpus)
            /* 4.17 only confirms the count createdomain set */
            gen_pl_put(&h, (unsigned)rec + u, 4, gen_chance(g, 1, 2) ? g->cfg.shape.nr_vcpus
                                                                     : gen_count(g, 4));
        if (cmd == XEN_DOMCTL_shadow_op)
            gen_shadow_op(g, &h, (unsigned)rec + u, dom);
    }
    gen_pl_put(&h, (unsigned)rec, 4, cmd);
    gen_pl_put(&h, (unsigned)rec + 4, 4, gen_chance(g, 15, 16) ? XEN_DOMCTL_INTERFACE_VERSION
                                                               : XEN_DOMCTL_INTERFACE_VERSION - 1);
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)rec));
}

/* ---- xen_version, console_io, set_gdt, unknown numbers ----------------------------------------- */

/*
 * set_trap_table: a few trap_info entries and the end entry (address 0), or none at all (a null
 * handle clears the table). Vectors are mostly exceptions the monitor delivers; handlers mostly
 * point into the caller's memory (the code a guest_code op runs is in the payload page).
 */
static void gen_trap_table(struct gen *g, struct gen_hc *h, unsigned dom)
{
    unsigned n = 1 + gen_below(g, 4);
    int rec = gen_pl_alloc(h, 16U * (n + 1U));

    if (rec < 0 || gen_chance(g, 1, 16)) {
        gen_hc_arg(h, 0, gen_chance(g, 1, 2) ? GEN_IMM(0) : gen_va(g, dom));
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned at = (unsigned)rec + 16U * i;
        gen_pl_put(h, at, 1, gen_chance(g, 7, 8) ? gen_below(g, 32) : gen_below(g, 256));
        gen_pl_put(h, at + 1, 1, gen_chance(g, 3, 4) ? gen_below(g, 8) : gen_below(g, 256));
        gen_pl_put(h, at + 2, 2, gen_chance(g, 3, 4) ? PV_FLAT_KERNEL_CS : gen_below(g, 0x10000));
        gen_pl_fix(h, at + 8, 8, gen_chance(g, 3, 4)
                   ? GEN_GVA(dom, g->cfg.shape.dom_pages - 1, gen_below(g, PAGE_SIZE))
                   : gen_va(g, dom));
    }
    gen_hc_arg(h, 0, GEN_PAYLOAD((uint32_t)rec));
}

/*
 * iret: the frame (Xen's iret_context) is where the caller's rsp points, which for a hypercall
 * op is the payload: rax, r11, rcx, flags, rip, cs, rflags, rsp, ss. Kernel (RPL 0) and user
 * (RPL 3) code selectors, the flag bits iret filters, and addresses of every kind.
 */
static void gen_iret_frame(struct gen *g, struct gen_hc *h, unsigned dom, bool user)
{
    static const uint64_t rfl[] = { 0x100, 0x200, 0x1000, 0x2000, 0x4000, 0x10000, 0x20000,
                                    0x40000 };
    int rec = gen_pl_alloc(h, 72);

    if (rec < 0)
        return;
    uint64_t flags = 0x2;
    for (unsigned i = 0; i < 1 + gen_below(g, 3); i++)
        flags |= rfl[gen_below(g, sizeof(rfl) / sizeof(rfl[0]))];
    gen_pl_put(h, (unsigned)rec + 0, 8, gen_rand(g));
    gen_pl_put(h, (unsigned)rec + 8, 8, gen_rand(g));
    gen_pl_put(h, (unsigned)rec + 16, 8, gen_rand(g));
    gen_pl_put(h, (unsigned)rec + 24, 8, gen_chance(g, 1, 4) ? 0x100U : 0U);   /* VGCF_in_syscall */
    gen_pl_fix(h, (unsigned)rec + 32, 8, gen_va(g, dom));
    /* the user selector (RPL 3: iret is a 64-bit PV kernel's way back to user mode) or the one
       a bounce frame holds (RPL 0: back to the kernel); now and then any */
    uint64_t cs = user ? PV_FLAT_KERNEL_CS : PV_FLAT_KERNEL_CS & ~3U;
    if (gen_chance(g, 1, 8))
        cs = gen_below(g, 0x10000);
    gen_pl_put(h, (unsigned)rec + 40, 8, cs);
    gen_pl_put(h, (unsigned)rec + 48, 8, flags);
    gen_pl_fix(h, (unsigned)rec + 56, 8, gen_va(g, dom));
    gen_pl_put(h, (unsigned)rec + 64, 8, PV_FLAT_KERNEL_SS);
}

/* The small vCPU and domain calls: each argument mostly legal, now and then any value. */
static void gen_pv_misc(struct gen *g, struct gen_hc *h, unsigned dom, unsigned vcpu)
{
    static const uint32_t nrs[] = { HYPERVISOR_stack_switch, HYPERVISOR_fpu_taskswitch,
                                    HYPERVISOR_set_timer_op, HYPERVISOR_vm_assist,
                                    HYPERVISOR_set_segment_base };
    uint32_t nr = nrs[gen_below(g, sizeof(nrs) / sizeof(nrs[0]))];
    bool odd = gen_chance(g, 1, 4);

    gen_hc_start(h, g, h->op, dom, vcpu, nr);
    switch (nr) {
    case HYPERVISOR_stack_switch:
        gen_hc_arg(h, 0, GEN_IMM(odd ? gen_below(g, 0x10000) : PV_FLAT_KERNEL_SS & ~3U));
        gen_hc_arg(h, 1, gen_va(g, dom));
        break;
    case HYPERVISOR_fpu_taskswitch:
        gen_hc_arg(h, 0, GEN_IMM(odd ? gen_rand(g) : gen_below(g, 2)));
        break;
    case HYPERVISOR_set_timer_op:
        gen_hc_arg(h, 0, GEN_IMM(odd ? gen_rand(g) : gen_count(g, 1ULL << 40)));
        break;
    case HYPERVISOR_vm_assist:
        gen_hc_arg(h, 0, GEN_IMM(odd ? gen_count(g, 4) : gen_below(g, 2)));
        gen_hc_arg(h, 1, GEN_IMM(odd ? gen_count(g, 64) : gen_chance(g, 1, 4) ? 32 : gen_below(g, 8)));
        break;
    default:
        gen_hc_arg(h, 0, GEN_IMM(odd ? gen_count(g, 8) : gen_below(g, 4)));
        gen_hc_arg(h, 1, gen_va(g, dom));
        break;
    }
}

void gen_f_misc(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op;

    /* a descriptor page's life: the seg_desc type needs steps no single op makes */
    if (gen_chance(g, 1, 4)) {
        gen_desc_life(g, p, dom, vcpu);
        return;
    }
    unsigned r = gen_below(g, 28);
    bool user = r >= 18 && r < 20 && gen_iret_user(g, p, dom, vcpu);
    op = gen_new_op(p);
    int buf;

    if (!op)
        return;
    if (r >= 22) {
        h.op = op;
        gen_pv_regs(g, &h, dom, vcpu);
        return;
    }
    if (r >= 20) {
        h.op = op;
        gen_pv_misc(g, &h, dom, vcpu);
        return;
    }
    if (r >= 16) {
        gen_hc_start(&h, g, op, dom, vcpu, r < 18 ? HYPERVISOR_set_trap_table : HYPERVISOR_iret);
        if (r < 18)
            gen_trap_table(g, &h, dom);
        else
            gen_iret_frame(g, &h, dom, user);
        return;
    }
    if (r < 7) {
        gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_xen_version);
        buf = gen_pl_alloc(&h, 64);
        gen_hc_arg(&h, 0, GEN_IMM(gen_chance(g, 7, 8) ? gen_below(g, 11) : gen_count(g, 16)));
        gen_hc_arg(&h, 1, gen_chance(g, 7, 8) ? GEN_PAYLOAD((uint32_t)buf) : gen_va(g, dom));
    } else if (r < 12) {
        gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_console_io);
        buf = gen_pl_alloc(&h, 32);
        for (unsigned i = 0; i < 32; i++)
            gen_pl_put(&h, (unsigned)buf + i, 1, 'a' + gen_below(g, 26));
        gen_hc_arg(&h, 0, GEN_IMM(gen_chance(g, 3, 4) ? CONSOLEIO_write : gen_below(g, 4)));
        gen_hc_arg(&h, 1, GEN_IMM(gen_chance(g, 3, 4) ? 1 + gen_below(g, 32) : gen_count(g, 4096)));
        gen_hc_arg(&h, 2, gen_chance(g, 7, 8) ? GEN_PAYLOAD((uint32_t)buf) : gen_va(g, dom));
    } else if (r < 14) {
        uint32_t nr = r < 13 ? HYPERVISOR_set_gdt : HYPERVISOR_update_descriptor;
        gen_hc_start(&h, g, op, dom, vcpu, nr);
        gen_desc_op(&h, nr);
    } else {
        static const uint32_t nrs[] = { 0, 3, 5, 11, 63, 64, 0xFFFFFFFFU };
        gen_hc_start(&h, g, op, dom, vcpu, nrs[gen_below(g, sizeof(nrs) / sizeof(nrs[0]))]);
        for (unsigned i = 0; i < 1 + gen_below(g, 6); i++)
            gen_hc_arg(&h, i, GEN_IMM(gen_rand(g)));
    }
}
