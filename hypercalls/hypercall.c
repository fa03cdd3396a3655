/* Hypercall dispatch: the table by Xen hypercall number, continuations, domain-id lookup. */
#include <string.h>
#include "hvfuzz/hypercall.h"

const struct hypercall_desc hypercall_table[NR_HYPERCALLS] = {
    [HYPERVISOR_mmu_update]        = { "mmu_update", do_mmu_update, 4 },
    [HYPERVISOR_set_gdt]           = { "set_gdt", NULL, 2 },
    [HYPERVISOR_memory_op]         = { "memory_op", do_memory_op, 2 },
    [HYPERVISOR_multicall]         = { "multicall", do_multicall, 2 },
    [HYPERVISOR_update_va_mapping] = { "update_va_mapping", do_update_va_mapping, 3 },
    [HYPERVISOR_xen_version]       = { "xen_version", do_xen_version, 2 },
    [HYPERVISOR_console_io]        = { "console_io", do_console_io, 3 },
    [HYPERVISOR_grant_table_op]    = { "grant_table_op", do_grant_table_op, 3 },
    [HYPERVISOR_update_va_mapping_otherdomain] = { "update_va_mapping_otherdomain", NULL, 4 },
    [HYPERVISOR_vcpu_op]           = { "vcpu_op", do_vcpu_op, 3 },
    [HYPERVISOR_mmuext_op]         = { "mmuext_op", do_mmuext_op, 4 },
    [HYPERVISOR_sched_op]          = { "sched_op", do_sched_op, 2 },
    [HYPERVISOR_event_channel_op]  = { "event_channel_op", do_event_channel_op, 2 },
    [HYPERVISOR_domctl]            = { "domctl", do_domctl, 1 },
};

const char *hypercall_name(unsigned nr)
{
    if (nr >= NR_HYPERCALLS || !hypercall_table[nr].name)
        return "unknown";
    return hypercall_table[nr].name;
}

bool vcpu_runnable(struct hv *hv, const struct vcpu *v)
{
    if (!v || v->domid >= HV_MAX_DOMAINS)
        return false;
    const struct domain *d = &hv->dom[v->domid];
    if (v < d->vcpu || v >= d->vcpu + d->nr_vcpus)
        return false;
    return d->exists && !d->dying && !d->shutdown && !d->paused && v->up;
}

long hv_hypercall(struct hv *hv, struct vcpu *v, unsigned nr, uint64_t args[6])
{
    if (!vcpu_runnable(hv, v))
        return -XEN_ESRCH;
    /* a new hypercall replaces whatever continuation the guest chose not to re-issue */
    v->cont.pending = false;
    if (nr >= NR_HYPERCALLS || !hypercall_table[nr].fn)
        return -XEN_ENOSYS;
    long rc = hypercall_table[nr].fn(hv, v, args);
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
