/* The small PV vCPU and domain calls: stack_switch, fpu_taskswitch, set_timer_op, vm_assist, set_segment_base. */
#include "hvfuzz/hypercall.h"

/* stack_switch(ss, sp): the kernel stack a fault from user mode lands on; ss gets the kernel's
   RPL (3 for a 64-bit PV domain, as set_trap_table's selectors). Never fails. */
long do_stack_switch(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint16_t ss = (uint16_t)args[0];

    (void)hv;
    if ((ss & 3U) < 3U)
        ss = (uint16_t)((ss & ~3U) | 3U);
    v->kernel_ss = ss;
    v->kernel_sp = args[1];
    return 0;
}

/* fpu_taskswitch(set): the vCPU's CR0.TS (an FPU instruction then raises #NM). Never fails. */
long do_fpu_taskswitch(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    (void)hv;
    v->fpu_ts = (int)args[0] != 0;
    return 0;
}

/* set_timer_op(timeout): Xen arms, re-arms (past or wrapped deadlines: 100 ms from now) or stops
   the vCPU's one-shot timer and answers 0 in every case; the model has no timer to fire. */
long do_set_timer_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    (void)hv;
    (void)v;
    (void)args;
    return 0;
}

/* vm_assist(cmd, type): a type outside the 64-bit PV mask (or 64 and up) is -EINVAL before the
   command is looked at; enable and disable set and clear it; any other command is -ENOSYS. */
long do_vm_assist(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *d = &hv->dom[v->domid];
    uint32_t cmd = (uint32_t)args[0], type = (uint32_t)args[1];

    if (type >= 64 || !((VMASST_PV64_VALID >> type) & 1U))
        return -XEN_EINVAL;
    if (cmd == VMASST_CMD_enable) {
        d->vm_assist |= 1ULL << type;
        return 0;
    }
    if (cmd == VMASST_CMD_disable) {
        d->vm_assist &= ~(1ULL << type);
        return 0;
    }
    return -XEN_ENOSYS;
}

/*
 * set_segment_base(which, base) in guest kernel context: FS's base, the user GS base (the
 * swapgs shadow while the kernel runs) and the kernel's GS base, each canonical or -EINVAL. The
 * user GS from a selector loads it from the descriptor tables: the model has only Xen's flat
 * descriptors (set_gdt is not modelled), whose base is 0, and a selector that does not load is
 * replaced by the null one, so the user GS base becomes 0 and the call succeeds, as Xen's does
 * (it never reports a failed load). Another which is -EINVAL.
 */
long do_set_segment_base(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint32_t which = (uint32_t)args[0];
    uint64_t base = args[1];

    (void)hv;
    switch (which) {
    case SEGBASE_FS:
    case SEGBASE_GS_USER:
    case SEGBASE_GS_KERNEL:
        if (!gva_canonical(base))
            return -XEN_EINVAL;
        if (which == SEGBASE_FS)
            v->msr.fs_base = base;
        else if (which == SEGBASE_GS_USER)
            v->msr.kernel_gs_base = base;
        else
            v->msr.gs_base = base;
        return 0;
    case SEGBASE_GS_USER_SEL:
        v->msr.kernel_gs_base = 0;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}
