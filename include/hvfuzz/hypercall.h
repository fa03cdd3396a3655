/* Hypercall dispatch: the table indexed by Xen's hypercall numbers and the per-family handlers. */
#ifndef HVFUZZ_HYPERCALL_H
#define HVFUZZ_HYPERCALL_H

#include "hvfuzz/monitor.h"

/*
 * A handler gets the calling vCPU and the six argument registers. It returns a value >= 0 or
 * -errno. On -XEN_ERESTART it has rewritten args[] so that re-issuing the same hypercall with them
 * continues the work (Xen's hypercall_create_continuation).
 */
typedef long (*hypercall_fn)(struct hv *hv, struct vcpu *v, uint64_t args[6]);

/* Handlers by hypercall number; NULL: -ENOSYS. Names, argument counts and hints are the ABI
   table's (hvfuzz/abi.h: abi_hypercall_by_nr(nr)). */
extern const hypercall_fn hypercall_table[NR_HYPERCALLS];

/* Issue hypercall nr from vCPU v. Unknown numbers give -ENOSYS. A vCPU that cannot run (down, or
   its domain dying, shut down or paused) gives -ESRCH and does nothing. On -ERESTART the updated
   arguments are also saved in v->cont. */
long hv_hypercall(struct hv *hv, struct vcpu *v, unsigned nr, uint64_t args[6]);
/* Re-issue v's pending continuation; -EINVAL if there is none. */
long hv_continue(struct hv *hv, struct vcpu *v);
/* Issue and keep re-issuing while it returns -ERESTART (at most max_restarts times). */
long hv_hypercall_complete(struct hv *hv, struct vcpu *v, unsigned nr, uint64_t args[6],
                           unsigned max_restarts);
/* Inline: every op asks, and the hypercall entry asks again. */
static inline bool vcpu_runnable(struct hv *hv, const struct vcpu *v)
{
    if (!v || v->domid >= HV_MAX_DOMAINS)
        return false;
    const struct domain *d = &hv->dom[v->domid];
    if (v < d->vcpu || v >= d->vcpu + d->nr_vcpus)
        return false;
    return d->exists && !d->dying && !d->shutdown && !d->paused && v->up;
}

long do_set_trap_table(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_iret(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_set_callbacks(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_callback_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_nmi_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_set_debugreg(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_get_debugreg(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_physdev_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_stack_switch(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_fpu_taskswitch(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_set_timer_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_vm_assist(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_set_segment_base(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_mmu_update(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_set_gdt(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_update_descriptor(struct hv *hv, struct vcpu *v, uint64_t args[6]);
/* hypercalls/descriptor.c: MMUEXT_SET_LDT for v: 0 or -EINVAL. */
int vcpu_set_ldt(struct vcpu *v, uint64_t linear, uint32_t ents);
long do_update_va_mapping(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_update_va_mapping_otherdomain(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_mmuext_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_memory_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_multicall(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_xen_version(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_console_io(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_grant_table_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_vcpu_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_sched_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_event_channel_op(struct hv *hv, struct vcpu *v, uint64_t args[6]);
long do_domctl(struct hv *hv, struct vcpu *v, uint64_t args[6]);
/* hypercalls/domctl_shadow.c: XEN_DOMCTL_shadow_op on d for the privileged caller v (the reply's
   stats written into *sc). */
long domctl_shadow_op(struct hv *hv, struct vcpu *v, struct domain *d,
                      struct xen_domctl_shadow_op *sc);

/* Resolve a domid argument the way Xen's rcu_lock_domain_by_any_id does (DOMID_SELF = caller). */
struct domain *dom_lookup(struct hv *hv, struct vcpu *v, domid_t id);

#endif
