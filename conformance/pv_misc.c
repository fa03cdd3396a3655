/* Conformance of the small PV calls: stack_switch, fpu_taskswitch, set_timer_op, vm_assist and set_segment_base. */
#include "conformance.h"

/*
 * Each row is one call from dom1's vCPU 0 with its arguments, the return Xen 4.17 gives (its
 * pv/misc-hypercalls.c, common/domain.c and sched/core.c rules, docs/MODEL.md) and the state the
 * call leaves: the kernel stack, CR0.TS, the domain's assists, the segment bases (the vCPU's
 * MSRs). A row may first enable an assist or set a base, to see it cleared.
 */
enum pm_check { PM_NONE = 0, PM_STACK, PM_TS, PM_ASSIST, PM_FS, PM_GS_USER, PM_GS_KERNEL };

struct pm_row {
    uint32_t nr;
    uint64_t a0, a1;
    long expect;
    enum pm_check check;
    uint64_t want, want2;      /* the checked value (PM_STACK: ss, then sp) */
    bool preset;               /* assists all on, bases 0x1000 before the call */
};

static void pm_run(struct conf_ctx *c)
{
    const struct pm_row *r = c->data;
    struct vcpu *v = c->v1;

    if (r->preset) {
        c->d1->vm_assist = VMASST_PV64_VALID;
        v->msr.fs_base = v->msr.gs_base = v->msr.kernel_gs_base = 0x1000;
        v->fpu_ts = true;
    }
    long rc = conf_hc(c, v, r->nr, r->a0, r->a1, 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    switch (r->check) {
    case PM_STACK:
        CONF_EXPECT_EQ(c, r->want, v->kernel_ss);
        CONF_EXPECT_EQ(c, r->want2, v->kernel_sp);
        break;
    case PM_TS:        CONF_EXPECT_EQ(c, r->want, v->fpu_ts); break;
    case PM_ASSIST:    CONF_EXPECT_EQ(c, r->want, c->d1->vm_assist); break;
    case PM_FS:        CONF_EXPECT_EQ(c, r->want, v->msr.fs_base); break;
    case PM_GS_USER:   CONF_EXPECT_EQ(c, r->want, v->msr.kernel_gs_base); break;
    case PM_GS_KERNEL: CONF_EXPECT_EQ(c, r->want, v->msr.gs_base); break;
    default:           break;
    }
}

#define NONCANON 0x0000800000000000ULL
#define PM(...) (&(const struct pm_row){ __VA_ARGS__ })
static const struct conf_case pm_cases[] = {
    { "stack_switch_kernel_ss", pm_run, PM(.nr = HYPERVISOR_stack_switch, .a0 = 0xE02B,
      .a1 = 0x40003000, .check = PM_STACK, .want = 0xE02B, .want2 = 0x40003000) },
    { "stack_switch_ring0_ss_gets_rpl3", pm_run, PM(.nr = HYPERVISOR_stack_switch, .a0 = 0xE028,
      .a1 = NONCANON, .check = PM_STACK, .want = 0xE02B, .want2 = NONCANON) },
    { "fpu_taskswitch_set", pm_run, PM(.nr = HYPERVISOR_fpu_taskswitch, .a0 = 1, .check = PM_TS,
      .want = 1) },
    { "fpu_taskswitch_clear", pm_run, PM(.nr = HYPERVISOR_fpu_taskswitch, .a0 = 0, .preset = true,
      .check = PM_TS, .want = 0) },
    { "fpu_taskswitch_int_argument", pm_run, PM(.nr = HYPERVISOR_fpu_taskswitch,
      .a0 = 0x100000000ULL, .preset = true, .check = PM_TS, .want = 0) },   /* an int: 0 */
    { "set_timer_op_stop", pm_run, PM(.nr = HYPERVISOR_set_timer_op, .a0 = 0) },
    { "set_timer_op_huge", pm_run, PM(.nr = HYPERVISOR_set_timer_op, .a0 = ~0ULL) },
    { "vm_assist_enable_iopl", pm_run, PM(.nr = HYPERVISOR_vm_assist, .a0 = VMASST_CMD_enable,
      .a1 = VMASST_TYPE_architectural_iopl, .check = PM_ASSIST, .want = 1U << 4) },
    { "vm_assist_enable_m2p_strict", pm_run, PM(.nr = HYPERVISOR_vm_assist,
      .a0 = VMASST_CMD_enable, .a1 = 32, .check = PM_ASSIST, .want = 1ULL << 32) },
    { "vm_assist_disable", pm_run, PM(.nr = HYPERVISOR_vm_assist, .a0 = VMASST_CMD_disable,
      .a1 = 2, .preset = true, .check = PM_ASSIST, .want = VMASST_PV64_VALID & ~4ULL) },
    { "vm_assist_type_6_einval", pm_run, PM(.nr = HYPERVISOR_vm_assist, .a0 = VMASST_CMD_enable,
      .a1 = 6, .expect = -XEN_EINVAL, .check = PM_ASSIST, .want = 0) },
    { "vm_assist_type_64_einval", pm_run, PM(.nr = HYPERVISOR_vm_assist, .a0 = VMASST_CMD_enable,
      .a1 = 64, .expect = -XEN_EINVAL) },
    { "vm_assist_bad_type_before_cmd", pm_run, PM(.nr = HYPERVISOR_vm_assist, .a0 = 7, .a1 = 9,
      .expect = -XEN_EINVAL) },
    { "vm_assist_unknown_cmd_enosys", pm_run, PM(.nr = HYPERVISOR_vm_assist, .a0 = 2, .a1 = 2,
      .expect = -XEN_ENOSYS) },
    { "set_segment_base_fs", pm_run, PM(.nr = HYPERVISOR_set_segment_base, .a0 = SEGBASE_FS,
      .a1 = 0x40005000, .check = PM_FS, .want = 0x40005000) },
    { "set_segment_base_gs_user", pm_run, PM(.nr = HYPERVISOR_set_segment_base,
      .a0 = SEGBASE_GS_USER, .a1 = 0xFFFF900000000000ULL, .check = PM_GS_USER,
      .want = 0xFFFF900000000000ULL) },
    { "set_segment_base_gs_kernel", pm_run, PM(.nr = HYPERVISOR_set_segment_base,
      .a0 = SEGBASE_GS_KERNEL, .a1 = 0x2000, .check = PM_GS_KERNEL, .want = 0x2000) },
    { "set_segment_base_non_canonical_einval", pm_run, PM(.nr = HYPERVISOR_set_segment_base,
      .a0 = SEGBASE_GS_KERNEL, .a1 = NONCANON, .preset = true, .expect = -XEN_EINVAL,
      .check = PM_GS_KERNEL, .want = 0x1000) },
    { "set_segment_base_user_sel_flat_base_0", pm_run, PM(.nr = HYPERVISOR_set_segment_base,
      .a0 = SEGBASE_GS_USER_SEL, .a1 = 0xE02B, .preset = true, .check = PM_GS_USER, .want = 0) },
    { "set_segment_base_unknown_einval", pm_run, PM(.nr = HYPERVISOR_set_segment_base, .a0 = 4,
      .a1 = 0x1000, .expect = -XEN_EINVAL) },
};
CONF_AREA("pv_misc", pm_cases)
