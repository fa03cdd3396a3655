/* sched_op: yield, block, shutdown, poll and remote_shutdown. */
#include "hvfuzz/hypercall.h"

#define SCHED_POLL_MAX_PORTS 128U   /* Xen's bound on nr_ports */

/* An event waiting for this vCPU ends a block at once (Xen's local_events_need_delivery). */
static bool sched_event_pending(const struct domain *d, const struct vcpu *v)
{
    for (unsigned p = 1; p < d->evtchn_valid; p++) {
        const struct evtchn *e = &d->evtchn[p];
        if (e->state != ECS_FREE && e->pending && !e->masked && e->notify_vcpu == v->id)
            return true;
    }
    return false;
}

static long sched_poll(struct hv *hv, struct vcpu *v, struct domain *d, uint64_t arg)
{
    struct sched_poll sp;
    if (copy_from_guest(hv, v, &sp, arg, sizeof(sp)) < 0)
        return -XEN_EFAULT;
    if (sp.nr_ports > SCHED_POLL_MAX_PORTS)
        return -XEN_EINVAL;
    if (!guest_range_ok(sp.ports, (uint64_t)sp.nr_ports * sizeof(evtchn_port_t)))
        return -XEN_EFAULT;
    bool ready = false;
    for (uint32_t i = 0; i < sp.nr_ports; i++) {
        evtchn_port_t port;
        if (copy_from_guest(hv, v, &port, sp.ports + (uint64_t)i * sizeof(port), sizeof(port)) < 0)
            return -XEN_EFAULT;
        if (!evtchn_port_ok(d, port))
            return -XEN_EINVAL;
        if (d->evtchn[port].pending)
            ready = true;
    }
    if (ready)
        return 0;
    v->polling = true;
    v->blocked = true;
    return 0;
}

long do_sched_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *d = dom_get(hv, v->domid);
    if (!d)
        return -XEN_ESRCH;
    switch ((uint32_t)args[0]) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        v->blocked = !sched_event_pending(d, v);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown ss;
        if (copy_from_guest(hv, v, &ss, args[1], sizeof(ss)) < 0)
            return -XEN_EFAULT;
        dom_shutdown(d, ss.reason);
        return 0;
    }
    case SCHEDOP_poll:
        return sched_poll(hv, v, d, args[1]);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown rs;
        if (copy_from_guest(hv, v, &rs, args[1], sizeof(rs)) < 0)
            return -XEN_EFAULT;
        struct domain *t = dom_get(hv, rs.domain_id);
        if (!t)
            return -XEN_ESRCH;
        if (!d->privileged)
            return -XEN_EPERM;
        dom_shutdown(t, rs.reason);
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
