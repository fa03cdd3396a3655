/* Hypercall dispatch: handlers by Xen hypercall number, continuations, domain-id lookup. */
#include <string.h>
#include "hvfuzz/hypercall.h"

/* One line per implemented hypercall; the ABI table (hvfuzz/abi.h) knows it by name. The rest
   (any other number) give -ENOSYS. */
const hypercall_fn hypercall_table[NR_HYPERCALLS] = {
    [HYPERVISOR_set_trap_table]    = do_set_trap_table,
    [HYPERVISOR_mmu_update]        = do_mmu_update,
    [HYPERVISOR_set_gdt]           = do_set_gdt,
    [HYPERVISOR_stack_switch]      = do_stack_switch,
    [HYPERVISOR_fpu_taskswitch]    = do_fpu_taskswitch,
    [HYPERVISOR_set_timer_op]      = do_set_timer_op,
    [HYPERVISOR_vm_assist]         = do_vm_assist,
    [HYPERVISOR_set_segment_base]  = do_set_segment_base,
    [HYPERVISOR_set_callbacks]     = do_set_callbacks,
    [HYPERVISOR_set_debugreg]      = do_set_debugreg,
    [HYPERVISOR_get_debugreg]      = do_get_debugreg,
    [HYPERVISOR_nmi_op]            = do_nmi_op,
    [HYPERVISOR_callback_op]       = do_callback_op,
    [HYPERVISOR_physdev_op]        = do_physdev_op,
    [HYPERVISOR_update_descriptor] = do_update_descriptor,
    [HYPERVISOR_memory_op]         = do_memory_op,
    [HYPERVISOR_multicall]         = do_multicall,
    [HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [HYPERVISOR_xen_version]       = do_xen_version,
    [HYPERVISOR_console_io]        = do_console_io,
    [HYPERVISOR_grant_table_op]    = do_grant_table_op,
    [HYPERVISOR_update_va_mapping_otherdomain] = do_update_va_mapping_otherdomain,
    [HYPERVISOR_iret]              = do_iret,
    [HYPERVISOR_vcpu_op]           = do_vcpu_op,
    [HYPERVISOR_mmuext_op]         = do_mmuext_op,
    [HYPERVISOR_sched_op]          = do_sched_op,
    [HYPERVISOR_event_channel_op]  = do_event_channel_op,
    [HYPERVISOR_domctl]            = do_domctl,
};

long hv_hypercall(struct hv *hv, struct vcpu *v, unsigned nr, uint64_t args[6])
{
    if (!vcpu_runnable(hv, v))
        return -XEN_ESRCH;
    /* a hypercall op is the kernel's: a vCPU an iret left in user mode has come back through
       its syscall entry first (the model runs no user code, docs/MODEL.md) */
    v->user_mode = false;
    v->user_table_live = MFN_INVALID;
    /* a new hypercall replaces whatever continuation the guest chose not to re-issue */
    v->cont.pending = false;
    if (nr >= NR_HYPERCALLS || !hypercall_table[nr])
        return -XEN_ENOSYS;
    long rc = hypercall_table[nr](hv, v, args);
    if (rc == -XEN_ERESTART) {
        v->cont.pending = true;
        v->cont.nr = nr;
        memcpy(v->cont.args, args, sizeof(v->cont.args));
    }
    return rc;
}

long hv_continue(struct hv *hv, struct vcpu *v)
{
    if (!v || !v->cont.pending)
        return -XEN_EINVAL;
    uint64_t args[6];
    memcpy(args, v->cont.args, sizeof(args));
    return hv_hypercall(hv, v, v->cont.nr, args);
}

long hv_hypercall_complete(struct hv *hv, struct vcpu *v, unsigned nr, uint64_t args[6],
                           unsigned max_restarts)
{
    long rc = hv_hypercall(hv, v, nr, args);
    for (unsigned i = 0; rc == -XEN_ERESTART && i < max_restarts; i++)
        rc = hv_continue(hv, v);
    return rc;
}

struct domain *dom_lookup(struct hv *hv, struct vcpu *v, domid_t id)
{
    if (id == DOMID_SELF)
        return v ? dom_get(hv, v->domid) : NULL;
    return dom_get(hv, id);
}
