/* Conformance of the per-vCPU PV registers: callback_op, set_callbacks, nmi_op, set/get_debugreg and physdev_op. */
#include "conformance.h"

/*
 * Each row is one call from dom1's vCPU 0, after an optional earlier call that sets a state to
 * see changed, with the return Xen 4.17 gives (pv/callback.c, pv/misc-hypercalls.c,
 * arch/x86/physdev.c; docs/MODEL.md) and one piece of the state it leaves. A record the call
 * reads goes to data page 2 and its address to argument 1; `unmapped` points argument 1 past
 * the domain's memory. `de` sets the guest's CR4.DE first (no hypercall can: such rows are
 * dropped from the recorded corpus).
 */
enum pr_check {
    PR_NONE = 0, PR_EVENT, PR_FAILSAFE, PR_SYSCALL, PR_SYSCALL32, PR_SYSENTER, PR_MASK, PR_NMI,
    PR_NMI_CS,
    PR_DR, PR_DR6, PR_DR7, PR_DR7_EMUL, PR_IOPL, PR_IOBMP, PR_IOBMP_LIMIT,
};

struct pr_call {
    uint32_t nr;
    uint64_t a0, a1, a2;
    uint64_t rec[2];           /* the record (callback_register, xennmi_callback, physdev's) */
    bool has_rec, unmapped;
    long expect;
};

struct pr_row {
    struct pr_call pre, call;
    enum pr_check check;
    unsigned idx;              /* PR_DR: which of DR0-3 */
    uint64_t want;
    bool de;
};

static long pr_issue(struct conf_ctx *c, const struct pr_call *k)
{
    struct vcpu *v = c->v1;
    uint64_t a1 = k->a1;

    if (k->has_rec) {
        a1 = conf_scratch(c, c->d1, 2);
        if (conf_put(c, v, a1, k->rec, sizeof(k->rec)) < 0)
            return -XEN_EFAULT;
    }
    if (k->unmapped)
        a1 = DOM_VA(CONF_DOM_PAGES + 3);
    return conf_hc(c, v, k->nr, k->a0, a1, k->a2, 0, 0);
}

static uint64_t pr_state(const struct vcpu *v, const struct pr_row *r)
{
    switch (r->check) {
    case PR_EVENT:       return v->cb[CALLBACKTYPE_event];
    case PR_FAILSAFE:    return v->cb[CALLBACKTYPE_failsafe];
    case PR_SYSCALL:     return v->cb[CALLBACKTYPE_syscall];
    case PR_SYSCALL32:   return v->cb[CALLBACKTYPE_syscall32];
    case PR_SYSENTER:    return v->cb[CALLBACKTYPE_sysenter];
    case PR_MASK:        return v->cb_mask;
    case PR_NMI:         return v->traps[PV_TRAP_NMI].address;
    case PR_NMI_CS:      return v->traps[PV_TRAP_NMI].cs;
    case PR_DR:          return v->dr[r->idx & 3U];
    case PR_DR6:         return v->dr6;
    case PR_DR7:         return v->dr7;
    case PR_DR7_EMUL:    return v->dr7_emul;
    case PR_IOPL:        return v->iopl;
    case PR_IOBMP:       return v->iobmp;
    case PR_IOBMP_LIMIT: return v->iobmp_limit;
    default:             return 0;
    }
}

static void pr_run(struct conf_ctx *c)
{
    const struct pr_row *r = c->data;
    struct vcpu *v = c->v1;

    v->cr4_de = r->de;
    if (r->pre.nr || r->pre.has_rec)
        CONF_EXPECT_EQ(c, r->pre.expect, pr_issue(c, &r->pre));
    CONF_EXPECT_EQ(c, r->call.expect, pr_issue(c, &r->call));
    if (r->check)
        CONF_EXPECT_EQ(c, r->want, pr_state(v, r));
    if (r->check == PR_NMI && r->want) {
        /* the NMI callback is trap 2 with the flat kernel selector, masking events */
        CONF_EXPECT_EQ(c, PV_FLAT_KERNEL_CS, v->traps[PV_TRAP_NMI].cs);
        CONF_EXPECT_EQ(c, PV_TI_IF, v->traps[PV_TRAP_NMI].flags);
    }
}

#define A        0x40001000ULL
#define NONCANON 0x0000800000000000ULL
#define PR(...) (&(const struct pr_row){ __VA_ARGS__ })
/* callback_op(cmd, &rec): rec = { type | flags << 16, address } */
#define CB(cmd, type, flags, addr, ...) { .nr = HYPERVISOR_callback_op, .a0 = (cmd), \
    .rec = { (uint64_t)(type) | (uint64_t)(flags) << 16, (addr) }, .has_rec = true, __VA_ARGS__ }
#define CB_REG(type, flags, addr, ...) CB(CALLBACKOP_register, type, flags, addr, __VA_ARGS__)
#define CB_UNREG(type, ...) CB(CALLBACKOP_unregister, type, 0, 0, __VA_ARGS__)
#define MASK(t) (1ULL << CALLBACKTYPE_##t)

static const struct conf_case cb_cases[] = {
    { "register_event", pr_run, PR(.call = CB_REG(CALLBACKTYPE_event, CALLBACKF_mask_events, A),
      .check = PR_EVENT, .want = A) },
    { "register_event_flag_ignored", pr_run, PR(.call = CB_REG(CALLBACKTYPE_event,
      CALLBACKF_mask_events, A), .check = PR_MASK, .want = 0) },
    { "register_failsafe", pr_run, PR(.call = CB_REG(CALLBACKTYPE_failsafe, 0, A),
      .check = PR_FAILSAFE, .want = A) },
    { "register_failsafe_masking", pr_run, PR(.call = CB_REG(CALLBACKTYPE_failsafe,
      CALLBACKF_mask_events, A), .check = PR_MASK, .want = MASK(failsafe)) },
    { "register_failsafe_unmasks", pr_run, PR(.pre = CB_REG(CALLBACKTYPE_failsafe,
      CALLBACKF_mask_events, A), .call = CB_REG(CALLBACKTYPE_failsafe, 0, A), .check = PR_MASK,
      .want = 0) },
    { "register_syscall_masking", pr_run, PR(.call = CB_REG(CALLBACKTYPE_syscall,
      CALLBACKF_mask_events, 0xFFFF900000000000ULL), .check = PR_MASK, .want = MASK(syscall)) },
    { "register_syscall_high_half", pr_run, PR(.call = CB_REG(CALLBACKTYPE_syscall, 0,
      0xFFFF900000000000ULL), .check = PR_SYSCALL, .want = 0xFFFF900000000000ULL) },
    { "register_syscall32", pr_run, PR(.call = CB_REG(CALLBACKTYPE_syscall32,
      CALLBACKF_mask_events, A), .check = PR_SYSCALL32, .want = A) },
    { "register_sysenter", pr_run, PR(.call = CB_REG(CALLBACKTYPE_sysenter,
      CALLBACKF_mask_events, A), .check = PR_MASK, .want = MASK(sysenter)) },
    { "register_unknown_flags_kept_out", pr_run, PR(.call = CB_REG(CALLBACKTYPE_syscall32, 0xFFFE,
      A), .check = PR_MASK, .want = 0) },
    { "register_nmi", pr_run, PR(.call = CB_REG(CALLBACKTYPE_nmi, 0, A), .check = PR_NMI,
      .want = A) },
    { "register_non_canonical_einval", pr_run, PR(.call = CB_REG(CALLBACKTYPE_event, 0, NONCANON,
      .expect = -XEN_EINVAL), .check = PR_EVENT, .want = 0) },
    { "register_nmi_non_canonical_einval", pr_run, PR(.call = CB_REG(CALLBACKTYPE_nmi, 0,
      NONCANON, .expect = -XEN_EINVAL), .check = PR_NMI, .want = 0) },
    { "register_type_3_enosys", pr_run, PR(.call = CB_REG(3, 0, A, .expect = -XEN_ENOSYS)) },
    { "register_type_6_enosys", pr_run, PR(.call = CB_REG(6, 0, A, .expect = -XEN_ENOSYS)) },
    { "register_type_8_enosys", pr_run, PR(.call = CB_REG(8, 0, A, .expect = -XEN_ENOSYS)) },
    { "register_address_checked_before_type", pr_run, PR(.call = CB_REG(3, 0, NONCANON,
      .expect = -XEN_EINVAL)) },
    { "register_unreadable_efault", pr_run, PR(.call = CB_REG(CALLBACKTYPE_event, 0, A,
      .unmapped = true, .expect = -XEN_EFAULT), .check = PR_EVENT, .want = 0) },
    { "unregister_event_einval", pr_run, PR(.pre = CB_REG(CALLBACKTYPE_event, 0, A),
      .call = CB_UNREG(CALLBACKTYPE_event, .expect = -XEN_EINVAL), .check = PR_EVENT, .want = A) },
    { "unregister_failsafe_einval", pr_run, PR(.call = CB_UNREG(CALLBACKTYPE_failsafe,
      .expect = -XEN_EINVAL)) },
    { "unregister_syscall_einval", pr_run, PR(.call = CB_UNREG(CALLBACKTYPE_syscall,
      .expect = -XEN_EINVAL)) },
    { "unregister_syscall32_einval", pr_run, PR(.call = CB_UNREG(CALLBACKTYPE_syscall32,
      .expect = -XEN_EINVAL)) },
    { "unregister_sysenter_einval", pr_run, PR(.call = CB_UNREG(CALLBACKTYPE_sysenter,
      .expect = -XEN_EINVAL)) },
    { "unregister_nmi", pr_run, PR(.pre = CB_REG(CALLBACKTYPE_nmi, 0, A),
      .call = CB_UNREG(CALLBACKTYPE_nmi), .check = PR_NMI, .want = 0) },
    { "unregister_unknown_enosys", pr_run, PR(.call = CB_UNREG(9, .expect = -XEN_ENOSYS)) },
    { "unregister_unreadable_efault", pr_run, PR(.call = CB_UNREG(CALLBACKTYPE_nmi,
      .unmapped = true, .expect = -XEN_EFAULT)) },
    { "unknown_cmd_enosys", pr_run, PR(.call = CB(2, CALLBACKTYPE_event, 0, A,
      .expect = -XEN_ENOSYS), .check = PR_EVENT, .want = 0) },
    { "set_callbacks_three", pr_run, PR(.call = { .nr = HYPERVISOR_set_callbacks, .a0 = A,
      .a1 = A + 0x100, .a2 = A + 0x200 }, .check = PR_SYSCALL, .want = A + 0x200) },
    { "set_callbacks_non_canonical_skipped", pr_run, PR(.pre = CB_REG(CALLBACKTYPE_failsafe, 0,
      A), .call = { .nr = HYPERVISOR_set_callbacks, .a0 = A, .a1 = NONCANON, .a2 = A },
      .check = PR_FAILSAFE, .want = A) },
    { "set_callbacks_clears_masks", pr_run, PR(.pre = CB_REG(CALLBACKTYPE_syscall,
      CALLBACKF_mask_events, A), .call = { .nr = HYPERVISOR_set_callbacks, .a0 = A, .a1 = A,
      .a2 = A }, .check = PR_MASK, .want = 0) },
};
CONF_AREA("callback_op", cb_cases)

#define NMI(cmd, addr, ...) { .nr = HYPERVISOR_nmi_op, .a0 = (cmd), .rec = { (addr), 0 }, \
    .has_rec = true, __VA_ARGS__ }
static const struct conf_case nmi_cases[] = {
    { "register", pr_run, PR(.call = NMI(XENNMI_register_callback, A), .check = PR_NMI,
      .want = A) },
    { "register_high_half", pr_run, PR(.call = NMI(XENNMI_register_callback,
      0xFFFFFFFFFFFFF000ULL), .check = PR_NMI, .want = 0xFFFFFFFFFFFFF000ULL) },
    /* address 0 is canonical: Xen keeps it, with the selector and the mask flag */
    { "register_address_0", pr_run, PR(.call = NMI(XENNMI_register_callback, 0),
      .check = PR_NMI_CS, .want = PV_FLAT_KERNEL_CS) },
    { "register_non_canonical_einval", pr_run, PR(.call = NMI(XENNMI_register_callback, NONCANON,
      .expect = -XEN_EINVAL), .check = PR_NMI, .want = 0) },
    { "register_unreadable_efault", pr_run, PR(.call = NMI(XENNMI_register_callback, A,
      .unmapped = true, .expect = -XEN_EFAULT)) },
    { "unregister", pr_run, PR(.pre = NMI(XENNMI_register_callback, A),
      .call = { .nr = HYPERVISOR_nmi_op, .a0 = XENNMI_unregister_callback }, .check = PR_NMI,
      .want = 0) },
    { "unknown_cmd_enosys", pr_run, PR(.call = NMI(2, A, .expect = -XEN_ENOSYS), .check = PR_NMI,
      .want = 0) },
};
CONF_AREA("nmi_op", nmi_cases)

#define SET(reg, val, ...) { .nr = HYPERVISOR_set_debugreg, .a0 = (reg), .a1 = (val), __VA_ARGS__ }
#define GET(reg, ...) { .nr = HYPERVISOR_get_debugreg, .a0 = (reg), __VA_ARGS__ }
#define XLAT0 ARG_XLAT_VIRT_START
/* a breakpoint address outside the domain's memory: a program states it as a number, so the
   value get_debugreg returns is the same on every target */
#define DRA 0x00007FFF00001000ULL
static const struct conf_case dr_cases[] = {
    { "dr0_low_half", pr_run, PR(.call = SET(0, DRA), .check = PR_DR, .idx = 0, .want = DRA) },
    { "dr3_top_of_low_half", pr_run, PR(.call = SET(3, PV_GUEST_LOW_END - 1), .check = PR_DR,
      .idx = 3, .want = PV_GUEST_LOW_END - 1) },
    { "dr1_non_canonical_eperm", pr_run, PR(.call = SET(1, PV_GUEST_LOW_END,
      .expect = -XEN_EPERM), .check = PR_DR, .idx = 1, .want = 0) },
    { "dr2_xen_start_eperm", pr_run, PR(.call = SET(2, XEN_VIRT_START, .expect = -XEN_EPERM)) },
    { "dr2_xen_last_byte_eperm", pr_run, PR(.call = SET(2, XEN_VIRT_END - 1,
      .expect = -XEN_EPERM)) },
    /* XSA-444's fixed rule: the argument-translation area is Xen's too */
    { "dr0_xlat_area_eperm", pr_run, PR(.call = SET(0, XLAT0, .expect = -XEN_EPERM),
      .check = PR_DR, .idx = 0, .want = 0) },
    { "dr3_xen_end", pr_run, PR(.call = SET(3, XEN_VIRT_END), .check = PR_DR, .idx = 3,
      .want = XEN_VIRT_END) },
    { "dr1_top", pr_run, PR(.call = SET(1, ~0ULL), .check = PR_DR, .idx = 1, .want = ~0ULL) },
    { "reg_is_an_int", pr_run, PR(.call = SET(0x100000000ULL, DRA), .check = PR_DR, .idx = 0,
      .want = DRA) },
    { "dr6_reserved_forced_one", pr_run, PR(.call = SET(6, 0), .check = PR_DR6,
      .want = 0xFFFF0FF0) },
    { "dr6_bit12_forced_zero", pr_run, PR(.call = SET(6, 0xFFFFFFFF), .check = PR_DR6,
      .want = 0xFFFFEFFF) },
    { "dr6_upper_half_einval", pr_run, PR(.call = SET(6, 0x100000000ULL, .expect = -XEN_EINVAL),
      .check = PR_DR6, .want = DR6_RESERVED_ONE) },
    { "dr4_aliases_dr6", pr_run, PR(.call = SET(4, 0x4001), .check = PR_DR6,
      .want = 0xFFFF4FF1) },
    { "dr4_with_de_enodev", pr_run, PR(.call = SET(4, 1, .expect = -XEN_ENODEV), .de = true,
      .check = PR_DR6, .want = DR6_RESERVED_ONE) },
    { "dr7_reserved_forced", pr_run, PR(.call = SET(7, 0), .check = PR_DR7, .want = 0x400) },
    { "dr7_all_writable", pr_run, PR(.call = SET(7, 0xFFFFDFFF), .check = PR_DR7,
      .want = 0xFFFF07FF) },
    /* XSA-12's fixed rule */
    { "dr7_upper_half_einval", pr_run, PR(.call = SET(7, 0x100000401ULL, .expect = -XEN_EINVAL),
      .check = PR_DR7, .want = DR7_RESERVED_ONE) },
    { "dr7_gd_eperm", pr_run, PR(.call = SET(7, 0x2401, .expect = -XEN_EPERM), .check = PR_DR7,
      .want = DR7_RESERVED_ONE) },
    { "dr7_io_breakpoint_without_de_eperm", pr_run, PR(.pre = SET(7, 0x1),
      .call = SET(7, 0x200004, .expect = -XEN_EPERM), .check = PR_DR7, .want = 0x401) },
    { "dr7_io_type_disabled", pr_run, PR(.call = SET(7, 0x20000), .check = PR_DR7,
      .want = 0x20400) },
    { "dr7_io_breakpoint_with_de", pr_run, PR(.call = SET(7, 0x20003), .de = true,
      .check = PR_DR7_EMUL, .want = 3) },
    { "dr7_io_enable_kept_out", pr_run, PR(.call = SET(7, 0x2000C), .de = true, .check = PR_DR7,
      .want = 0x2040C) },
    { "dr7_disabled_clears_emulated", pr_run, PR(.pre = SET(7, 0x20003), .call = SET(7, 0x20000),
      .de = true, .check = PR_DR7_EMUL, .want = 0) },
    { "dr5_aliases_dr7", pr_run, PR(.call = SET(5, 0x2), .check = PR_DR7, .want = 0x402) },
    { "dr5_with_de_enodev", pr_run, PR(.call = SET(5, 0x2, .expect = -XEN_ENODEV), .de = true,
      .check = PR_DR7, .want = DR7_RESERVED_ONE) },
    { "set_dr8_enodev", pr_run, PR(.call = SET(8, 0, .expect = -XEN_ENODEV)) },
    { "set_reg_minus_1_enodev", pr_run, PR(.call = SET(0xFFFFFFFFULL, 0, .expect = -XEN_ENODEV)) },
    { "get_dr0", pr_run, PR(.pre = SET(0, DRA), .call = GET(0, .expect = (long)DRA)) },
    { "get_dr3_high_half", pr_run, PR(.pre = SET(3, XEN_VIRT_END), .call = GET(3,
      .expect = (long)XEN_VIRT_END)) },
    { "get_dr6_initial", pr_run, PR(.call = GET(6, .expect = 0xFFFF0FF0)) },
    { "get_dr7_initial", pr_run, PR(.call = GET(7, .expect = 0x400)) },
    { "get_dr4_aliases_dr6", pr_run, PR(.pre = SET(6, 0x1), .call = GET(4, .expect = 0xFFFF0FF1)) },
    { "get_dr5_aliases_dr7", pr_run, PR(.pre = SET(7, 0x2), .call = GET(5, .expect = 0x402)) },
    { "get_dr7_folds_emulated", pr_run, PR(.pre = SET(7, 0x20003), .de = true,
      .call = GET(7, .expect = 0x20403)) },
    { "get_dr4_with_de_enodev", pr_run, PR(.call = GET(4, .expect = -XEN_ENODEV), .de = true) },
    { "get_dr8_enodev", pr_run, PR(.call = GET(8, .expect = -XEN_ENODEV)) },
};
CONF_AREA("debugreg", dr_cases)

/* the hardware domain's call (dom0's vCPU 0), its record in dom0's data page 2 */
static void pd_dom0(struct conf_ctx *c)
{
    const struct pr_call *k = c->data;
    struct vcpu *v = &c->d0->vcpu[0];
    uint64_t a1 = conf_scratch(c, c->d0, 2);

    if (k->has_rec && conf_put(c, v, a1, k->rec, sizeof(k->rec)) < 0)
        return;
    if (k->unmapped)
        a1 = DOM_VA(CONF_DOM_PAGES + 3);
    CONF_EXPECT_EQ(c, k->expect, conf_hc(c, v, k->nr, k->a0, a1, 0, 0, 0));
}

#define IOPL(n, ...) { .nr = HYPERVISOR_physdev_op, .a0 = PHYSDEVOP_set_iopl, .rec = { (n), 0 }, \
    .has_rec = true, __VA_ARGS__ }
#define IOBMP(bm, np, ...) { .nr = HYPERVISOR_physdev_op, .a0 = PHYSDEVOP_set_iobitmap, \
    .rec = { (bm), (np) }, .has_rec = true, __VA_ARGS__ }
static const struct conf_case pd_cases[] = {
    { "set_iopl_0", pr_run, PR(.pre = IOPL(3), .call = IOPL(0), .check = PR_IOPL, .want = 0) },
    { "set_iopl_1", pr_run, PR(.call = IOPL(1), .check = PR_IOPL, .want = 0x1000) },
    { "set_iopl_2", pr_run, PR(.call = IOPL(2), .check = PR_IOPL, .want = 0x2000) },
    { "set_iopl_3", pr_run, PR(.call = IOPL(3), .check = PR_IOPL, .want = 0x3000) },
    { "set_iopl_4_einval", pr_run, PR(.pre = IOPL(1), .call = IOPL(4, .expect = -XEN_EINVAL),
      .check = PR_IOPL, .want = 0x1000) },
    { "set_iopl_huge_einval", pr_run, PR(.call = IOPL(0xFFFFFFFFULL, .expect = -XEN_EINVAL)) },
    { "set_iopl_reads_32_bits", pr_run, PR(.call = IOPL(0x500000002ULL), .check = PR_IOPL,
      .want = 0x2000) },
    { "set_iopl_unreadable_efault", pr_run, PR(.call = IOPL(1, .unmapped = true,
      .expect = -XEN_EFAULT), .check = PR_IOPL, .want = 0) },
    { "set_iobitmap", pr_run, PR(.call = IOBMP(A, 1024), .check = PR_IOBMP, .want = A) },
    { "set_iobitmap_all_ports", pr_run, PR(.call = IOBMP(A, IOBMP_MAX_PORTS),
      .check = PR_IOBMP_LIMIT, .want = IOBMP_MAX_PORTS) },
    { "set_iobitmap_too_many_ports_einval", pr_run, PR(.call = IOBMP(A, IOBMP_MAX_PORTS + 1,
      .expect = -XEN_EINVAL), .check = PR_IOBMP_LIMIT, .want = 0) },
    { "set_iobitmap_no_ports", pr_run, PR(.pre = IOBMP(A, 8), .call = IOBMP(0, 0),
      .check = PR_IOBMP_LIMIT, .want = 0) },
    { "set_iobitmap_xen_range_einval", pr_run, PR(.call = IOBMP(XEN_VIRT_START, 8,
      .expect = -XEN_EINVAL), .check = PR_IOBMP, .want = 0) },
    { "set_iobitmap_non_canonical_einval", pr_run, PR(.call = IOBMP(NONCANON, 8,
      .expect = -XEN_EINVAL)) },
    { "set_iobitmap_above_xen", pr_run, PR(.call = IOBMP(XEN_VIRT_END, 8), .check = PR_IOBMP,
      .want = XEN_VIRT_END) },
    /* inside Xen's range like any other address: since 4.14 the argument-translation area
       access_ok admits is a mirror in the guest's lower half (the xen target agrees) */
    { "set_iobitmap_xlat_area_einval", pr_run, PR(.call = IOBMP(XLAT0, 8, .expect = -XEN_EINVAL),
      .check = PR_IOBMP, .want = 0) },
    { "set_iobitmap_unreadable_efault", pr_run, PR(.call = IOBMP(A, 8, .unmapped = true,
      .expect = -XEN_EFAULT)) },
    { "dbgp_op_domu_eperm", pr_run, PR(.call = { .nr = HYPERVISOR_physdev_op,
      .a0 = PHYSDEVOP_dbgp_op, .expect = -XEN_EPERM }) },
    { "dbgp_op_dom0_no_debug_port", pd_dom0, &(const struct pr_call){ .nr = HYPERVISOR_physdev_op,
      .a0 = PHYSDEVOP_dbgp_op, .has_rec = true } },
    { "dbgp_op_dom0_unreadable_efault", pd_dom0, &(const struct pr_call){
      .nr = HYPERVISOR_physdev_op, .a0 = PHYSDEVOP_dbgp_op, .unmapped = true,
      .expect = -XEN_EFAULT } },
    { "unknown_cmd_enosys", pr_run, PR(.call = { .nr = HYPERVISOR_physdev_op, .a0 = 100,
      .expect = -XEN_ENOSYS }) },
};
CONF_AREA("physdev_op", pd_cases)
