/* PV callbacks: callback_op, set_callbacks and nmi_op (the event, failsafe, syscall and NMI entry points). */
#include "hvfuzz/hypercall.h"

/* The NMI callback is trap 2 with the kernel's flat selector, masking events on entry; a
   non-canonical handler is -EINVAL. Xen re-asserts a pending NMI here: the model has none. */
static long cb_register_nmi(struct vcpu *v, uint64_t address)
{
    if (!gva_canonical(address))
        return -XEN_EINVAL;
    v->traps[PV_TRAP_NMI] = (struct pv_trap){ .address = address, .cs = PV_FLAT_KERNEL_CS,
                                              .flags = PV_TI_IF };
    return 0;
}

static void cb_mask_set(struct vcpu *v, unsigned type, uint16_t flags)
{
    if (flags & CALLBACKF_mask_events)
        v->cb_mask |= (uint8_t)(1U << type);
    else
        v->cb_mask &= (uint8_t)~(1U << type);
}

/* Xen's register_guest_callback: the address is checked before the type, so a non-canonical
   one is -EINVAL even for a type the 64-bit ABI lacks (-ENOSYS). The event callback ignores the
   flag (events are always masked on an upcall). */
static long cb_register(struct vcpu *v, const struct callback_register *reg)
{
    if (!gva_canonical(reg->address))
        return -XEN_EINVAL;
    switch (reg->type) {
    case CALLBACKTYPE_event:
        v->cb[reg->type] = reg->address;
        return 0;
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_syscall:
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        v->cb[reg->type] = reg->address;
        break;
    case CALLBACKTYPE_nmi:
        return cb_register_nmi(v, reg->address);
    default:
        return -XEN_ENOSYS;
    }
    cb_mask_set(v, reg->type, reg->flags);
    return 0;
}

/* Only the NMI callback can be unregistered: the others are -EINVAL, unknown types -ENOSYS. */
static long cb_unregister(struct vcpu *v, uint16_t type)
{
    switch (type) {
    case CALLBACKTYPE_event:
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_syscall:
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        return -XEN_EINVAL;
    case CALLBACKTYPE_nmi:
        v->traps[PV_TRAP_NMI] = (struct pv_trap){ 0 };
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* callback_op(cmd, arg): register or unregister one callback of the calling vCPU; a record that
   cannot be read is -EFAULT, another cmd -ENOSYS. */
long do_callback_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    switch ((int)args[0]) {
    case CALLBACKOP_register: {
        struct callback_register reg;
        if (copy_from_guest(hv, v, &reg, args[1], sizeof(reg)) < 0)
            return -XEN_EFAULT;
        return cb_register(v, &reg);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister un;
        if (copy_from_guest(hv, v, &un, args[1], sizeof(un)) < 0)
            return -XEN_EFAULT;
        return cb_unregister(v, un.type);
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* set_callbacks(event, failsafe, syscall): the three registered in turn, no flags, each one's
   error ignored (a non-canonical address leaves that one as it was); always 0. */
long do_set_callbacks(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    static const uint16_t types[3] = { CALLBACKTYPE_event, CALLBACKTYPE_failsafe,
                                       CALLBACKTYPE_syscall };
    (void)hv;
    for (unsigned i = 0; i < 3; i++)
        (void)cb_register(v, &(struct callback_register){ .type = types[i], .address = args[i] });
    return 0;
}

/* nmi_op(cmd, arg): register (from an xennmi_callback record) or unregister the NMI callback;
   another cmd is -ENOSYS. Xen's header says only dom0's vCPU 0 may: its code lets any vCPU. */
long do_nmi_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    switch ((uint32_t)args[0]) {
    case XENNMI_register_callback: {
        struct xennmi_callback cb;
        if (copy_from_guest(hv, v, &cb, args[1], sizeof(cb)) < 0)
            return -XEN_EFAULT;
        return cb_register_nmi(v, cb.handler_address);
    }
    case XENNMI_unregister_callback:
        v->traps[PV_TRAP_NMI] = (struct pv_trap){ 0 };
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
