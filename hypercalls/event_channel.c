/* event_channel_op: per-domain event channel ports, interdomain pairs, VIRQs, IPIs, and vCPU wake-up. */
#include <string.h>
#include "hvfuzz/hypercall.h"

/*
 * The usable port range of a domain is [0, evtchn_limit(d)): the smaller of the per-domain limit
 * and the array size. Every port number a guest supplies goes through evtchn_port_ok() before it
 * indexes anything (the XSA-342 lesson: the check must use the limit that actually applies, and
 * the full 32-bit value, never a truncated or sign-extended one).
 */
_Static_assert((EVTCHN_MAX_PORTS & (EVTCHN_MAX_PORTS - 1U)) == 0,
               "HV_BUG_XSA342's truncation keeps ports inside the array by masking");

uint32_t evtchn_limit(const struct domain *d)
{
    return d->max_evtchn_port < EVTCHN_MAX_PORTS ? d->max_evtchn_port : EVTCHN_MAX_PORTS;
}

/* Xen's port_is_valid (an allocated bucket) within the limit the model applies. */
bool evtchn_port_ok(const struct domain *d, uint64_t port)
{
    return port < evtchn_limit(d) && port < d->evtchn_valid;
}

/*
 * Ports the monitor itself recorded (an interdomain peer, a bound VIRQ) are checked against the
 * array only: the limit may have been lowered after they were bound, and they must still be found
 * and closed so no pair is left half-linked.
 */
static bool evtchn_port_in_array(uint64_t port)
{
    return port < EVTCHN_MAX_PORTS;
}

static struct vcpu *evtchn_vcpu(struct domain *d, uint64_t id)
{
    if (id >= d->nr_vcpus || id >= HV_MAX_VCPUS)
        return NULL;
    return &d->vcpu[id];
}

/* Xen's XSM_TARGET default policy: a domain acts on itself, the control domain on anyone. */
static bool evtchn_may_target(struct hv *hv, const struct vcpu *v, const struct domain *d)
{
    const struct domain *self = dom_get(hv, v->domid);

    return d->id == v->domid || (self && self->privileged);
}

/*
 * Lowest free port >= 1 (port 0 stays reserved), or -ENOSPC. As in Xen, a search past the valid
 * ports allocates the next bucket at once (it stays, whatever the caller does next), so the work
 * is bounded by the ports in use, not by the 4096 the ABI allows.
 */
static long evtchn_get_free_port(struct domain *d)
{
    uint32_t limit = evtchn_limit(d), p;

    for (p = 1; p < limit && p < d->evtchn_valid; p++)
        if (d->evtchn[p].state == ECS_FREE)
            return p;
    if (p >= limit)
        return -XEN_ENOSPC;
    d->evtchn_valid = p + EVTCHN_BUCKET;
    return p;
}

static void evtchn_free_port(struct evtchn *chn)
{
    memset(chn, 0, sizeof(*chn));
    chn->state = ECS_FREE;
}

static void evtchn_wake(struct vcpu *v)
{
    v->blocked = false;
    v->polling = false;
}

/*
 * Mark a port pending. As in the 2-level ABI: an already pending port changes nothing; an unmasked
 * one notifies its vCPU (which wakes it if blocked); pollers of the domain are woken whether or not
 * the port is masked, since SCHEDOP_poll is normally used on masked ports. The model has no per-vCPU
 * poll set, so every polling vCPU is treated as polling on all ports (Xen's multi-port poll case).
 */
static void evtchn_set_pending(struct domain *d, struct evtchn *chn)
{
    struct vcpu *v;

    if (chn->pending)
        return;
    chn->pending = true;
    if (!chn->masked) {
        v = evtchn_vcpu(d, chn->notify_vcpu);
        if (v)
            evtchn_wake(v);
    }
    for (uint32_t i = 0; i < d->nr_vcpus && i < HV_MAX_VCPUS; i++)
        if (d->vcpu[i].polling)
            evtchn_wake(&d->vcpu[i]);
}

/* The port a VIRQ is bound to for a vCPU; global VIRQs have one binding per domain. */
static long evtchn_find_virq(const struct domain *d, unsigned vcpu, uint32_t virq)
{
    for (uint32_t p = 1; p < d->evtchn_valid; p++) {
        const struct evtchn *chn = &d->evtchn[p];

        if (chn->state != ECS_VIRQ || chn->virq != virq)
            continue;
        if (VIRQ_IS_GLOBAL(virq) || chn->notify_vcpu == vcpu)
            return p;
    }
    return -XEN_ENOENT;
}

/* d->evtchn_valid and evtchn_hi still say how much of the table the slot's last domain used. */
void evtchn_init(struct domain *d)
{
    uint32_t used = d->evtchn_valid > d->evtchn_hi ? d->evtchn_valid : d->evtchn_hi;

    if (used > EVTCHN_MAX_PORTS)
        used = EVTCHN_MAX_PORTS;
    memset(d->evtchn, 0, used * sizeof(*d->evtchn));
    d->evtchn_hi = used;   /* written (with zeros) since the snapshot */
    d->evtchn_valid = EVTCHN_BUCKET;   /* Xen allocates the first bucket at creation */
    evtchn_w(d, 0)->state = ECS_RESERVED;
    /* 0 means "not configured": without a default no port could ever be allocated. */
    if (d->max_evtchn_port == 0)
        d->max_evtchn_port = EVTCHN_MAX_PORTS;
}

/*
 * Close one port of d (already range-checked). An interdomain peer goes back to UNBOUND, bindable
 * again by d (Xen keeps the far end usable so the peer can wait for a reconnect). 0 or -EINVAL for
 * a port that is not open.
 */
static long evtchn_close_port(struct hv *hv, struct domain *d, uint32_t port)
{
    struct evtchn *chn;

    if (!evtchn_port_in_array(port))
        return -XEN_EINVAL;
    chn = evtchn_w(d, port);
    switch (chn->state) {
    case ECS_UNBOUND:
    case ECS_VIRQ:
    case ECS_IPI:
        break;
    case ECS_INTERDOMAIN: {
        struct domain *rd = dom_get(hv, chn->remote_dom);

        if (rd && evtchn_port_in_array(chn->remote_port)) {
            struct evtchn *rchn = evtchn_w(rd, chn->remote_port);

            if (rchn->state == ECS_INTERDOMAIN && rchn->remote_dom == d->id &&
                rchn->remote_port == port) {
                rchn->state = ECS_UNBOUND;
                rchn->remote_dom = d->id;
                rchn->remote_port = 0;
            }
        }
        break;
    }
    default:
        return -XEN_EINVAL;
    }
    evtchn_free_port(chn);
    return 0;
}

/* Unmap the FIFO ABI's pages (Xen's evtchn_fifo_destroy): the domain is back on 2-level. */
static void evtchn_fifo_destroy(struct hv *hv, struct domain *d)
{
    struct evtchn_fifo *fifo = &d->fifo;

    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        if (fifo->control[i])
            put_page_and_type(hv, fifo->control[i] - 1U);
    for (uint32_t i = 0; i < fifo->nr_array; i++)
        put_page_and_type(hv, d->fifo_array[i]);
    memset(fifo, 0, sizeof(*fifo));
}

void evtchn_release(struct hv *hv, struct domain *d)
{
    for (uint32_t p = 1; p < d->evtchn_valid; p++)
        if (d->evtchn[p].state != ECS_FREE && d->evtchn[p].state != ECS_RESERVED)
            (void)evtchn_close_port(hv, d, p);
    evtchn_fifo_destroy(hv, d);
}

void evtchn_send_virq(struct hv *hv, struct domain *d, unsigned vcpu, uint32_t virq)
{
    long port;

    if (!d || virq >= NR_VIRQS)
        return;
    port = evtchn_find_virq(d, vcpu, virq);
    if (port > 0)
        evtchn_set_pending(d, evtchn_w(d, port));
}

/* ---- the operations: each copies its struct in, acts, and copies results back ------------------ */

/*
 * As in Xen, a failure to copy the result back after the operation took effect is reported as
 * -EFAULT without undoing the operation: the guest broke its own buffer.
 */
static long evtchn_op_alloc_unbound(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_alloc_unbound op;
    struct domain *d;
    struct evtchn *chn;
    long port;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    d = dom_lookup(hv, v, op.dom);
    if (!d)
        return -XEN_ESRCH;
    /* Xen finds the free port before asking XSM: a full domain reads -ENOSPC even if foreign. */
    port = evtchn_get_free_port(d);
    if (port < 0)
        return port;
    if (!evtchn_may_target(hv, v, d))
        return -XEN_EPERM;
    chn = evtchn_w(d, port);
    evtchn_free_port(chn);
    chn->state = ECS_UNBOUND;
    /* The remote domain need not exist yet (a toolstack prepares ports for a domain it builds). */
    chn->remote_dom = op.remote_dom == DOMID_SELF ? v->domid : op.remote_dom;
    op.port = (evtchn_port_t)port;
    if (copy_to_guest(hv, v, arg, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

static long evtchn_op_bind_interdomain(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_bind_interdomain op;
    struct domain *ld = dom_get(hv, v->domid), *rd;
    struct evtchn *lchn, *rchn;
    domid_t rdom;
    uint32_t rport;
    long lport;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!ld)
        return -XEN_ESRCH;
    rdom = op.remote_dom == DOMID_SELF ? v->domid : op.remote_dom;
    rd = dom_get(hv, rdom);
    if (!rd)
        return -XEN_ESRCH;
    lport = evtchn_get_free_port(ld);
    if (lport < 0)
        return lport;
    /*
     * XSA-342: the remote port is compared, as the full 32-bit value, with the limit that applies
     * to rd. HV_BUG_XSA342 re-creates a check against a truncated value: the port is validated
     * and looked up in the width of the array's index (so it stays inside the array), while the
     * full guest value is what the new channel records as its peer.
     */
    rport = op.remote_port;
    if (hv_bug_on(hv, HV_BUG_XSA342))
        rport &= EVTCHN_MAX_PORTS - 1U;
    if (!evtchn_port_ok(rd, rport))
        return -XEN_EINVAL;
    rchn = evtchn_w(rd, rport);
    if (rchn->state != ECS_UNBOUND || rchn->remote_dom != ld->id)
        return -XEN_EINVAL;
    lchn = evtchn_w(ld, lport);
    evtchn_free_port(lchn);
    lchn->state = ECS_INTERDOMAIN;
    lchn->remote_dom = rd->id;
    lchn->remote_port = op.remote_port;
    rchn->state = ECS_INTERDOMAIN;
    rchn->remote_dom = ld->id;
    rchn->remote_port = (uint32_t)lport;
    /* The far end may have been signalled while it was unbound and that notification was dropped;
       like Xen, conservatively raise the new local end so nothing is lost across the bind. */
    evtchn_set_pending(ld, lchn);
    op.local_port = (evtchn_port_t)lport;
    if (copy_to_guest(hv, v, arg, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

static long evtchn_op_bind_virq(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_bind_virq op;
    struct domain *d = dom_get(hv, v->domid);
    struct evtchn *chn;
    long port;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!d)
        return -XEN_ESRCH;
    if (op.virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (VIRQ_IS_GLOBAL(op.virq) && op.vcpu != 0)
        return -XEN_EINVAL;
    if (!evtchn_vcpu(d, op.vcpu))
        return -XEN_ENOENT;
    if (evtchn_find_virq(d, op.vcpu, op.virq) > 0)
        return -XEN_EEXIST;
    port = evtchn_get_free_port(d);
    if (port < 0)
        return port;
    chn = evtchn_w(d, port);
    evtchn_free_port(chn);
    chn->state = ECS_VIRQ;
    chn->virq = op.virq;
    chn->notify_vcpu = (uint8_t)op.vcpu;
    op.port = (evtchn_port_t)port;
    if (copy_to_guest(hv, v, arg, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

static long evtchn_op_bind_ipi(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_bind_ipi op;
    struct domain *d = dom_get(hv, v->domid);
    struct evtchn *chn;
    long port;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_vcpu(d, op.vcpu))
        return -XEN_ENOENT;
    port = evtchn_get_free_port(d);
    if (port < 0)
        return port;
    chn = evtchn_w(d, port);
    evtchn_free_port(chn);
    chn->state = ECS_IPI;
    chn->notify_vcpu = (uint8_t)op.vcpu;
    op.port = (evtchn_port_t)port;
    if (copy_to_guest(hv, v, arg, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

/* Move a port's notifications to another vCPU. Per-vCPU VIRQs and IPIs are tied to their vCPU. */
static long evtchn_op_bind_vcpu(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_bind_vcpu op;
    struct domain *d = dom_get(hv, v->domid);
    struct evtchn *chn;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_vcpu(d, op.vcpu))
        return -XEN_ENOENT;
    if (!evtchn_port_ok(d, op.port))
        return -XEN_EINVAL;
    chn = evtchn_w(d, op.port);
    switch (chn->state) {
    case ECS_VIRQ:
        if (!VIRQ_IS_GLOBAL(chn->virq))
            return -XEN_EINVAL;
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        break;
    default:
        return -XEN_EINVAL;
    }
    chn->notify_vcpu = (uint8_t)op.vcpu;
    return 0;
}

/*
 * Sending: interdomain marks the peer pending, IPI marks the local port pending. On an unbound
 * port Xen silently drops the notification (success: the peer is not there yet). A VIRQ port cannot
 * be raised by the guest, and closed or reserved ports are not open: both -EINVAL, as in Xen.
 */
static long evtchn_op_send(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_send op;
    struct domain *d = dom_get(hv, v->domid), *rd;
    struct evtchn *chn;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_port_ok(d, op.port))
        return -XEN_EINVAL;
    chn = &d->evtchn[op.port];
    switch (chn->state) {
    case ECS_INTERDOMAIN:
        rd = dom_get(hv, chn->remote_dom);
        /* A broken pair is a monitor bug the audit reports; the guest just gets an error. */
        if (!rd || !evtchn_port_in_array(chn->remote_port) ||
            rd->evtchn[chn->remote_port].state != ECS_INTERDOMAIN)
            return -XEN_EINVAL;
        evtchn_set_pending(rd, evtchn_w(rd, chn->remote_port));
        return 0;
    case ECS_IPI:
        evtchn_set_pending(d, chn);
        return 0;
    case ECS_UNBOUND:
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

static long evtchn_op_close(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_close op;
    struct domain *d = dom_get(hv, v->domid);

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_port_ok(d, op.port))
        return -XEN_EINVAL;
    return evtchn_close_port(hv, d, op.port);
}

static long evtchn_op_status(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_status op;
    struct domain *d;
    const struct evtchn *chn;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    d = dom_lookup(hv, v, op.dom);
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_may_target(hv, v, d))
        return -XEN_EPERM;
    if (!evtchn_port_ok(d, op.port))
        return -XEN_EINVAL;
    chn = &d->evtchn[op.port];
    memset(&op.u, 0, sizeof(op.u));
    switch (chn->state) {
    case ECS_UNBOUND:
        op.status = EVTCHNSTAT_unbound;
        op.u.unbound.dom = chn->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        op.status = EVTCHNSTAT_interdomain;
        op.u.interdomain.dom = chn->remote_dom;
        op.u.interdomain.port = chn->remote_port;
        break;
    case ECS_VIRQ:
        op.status = EVTCHNSTAT_virq;
        op.u.virq = chn->virq;
        break;
    case ECS_IPI:
        op.status = EVTCHNSTAT_ipi;
        break;
    default:
        op.status = EVTCHNSTAT_closed;
        break;
    }
    op.vcpu = chn->notify_vcpu;
    if (copy_to_guest(hv, v, arg, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

/* Unmasking a pending port delivers the event it held back (the 2-level ABI re-notifies). */
static long evtchn_op_unmask(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_unmask op;
    struct domain *d = dom_get(hv, v->domid);
    struct evtchn *chn;
    bool was_masked;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_port_ok(d, op.port))
        return -XEN_EINVAL;
    chn = evtchn_w(d, op.port);
    was_masked = chn->masked;
    chn->masked = false;
    if (was_masked && chn->pending) {
        struct vcpu *nv = evtchn_vcpu(d, chn->notify_vcpu);

        if (nv)
            evtchn_wake(nv);
    }
    return 0;
}

/* Close every port of a domain: the control domain's tool for a domain reset. */
static long evtchn_op_reset(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct { domid_t dom; } op;   /* struct evtchn_reset */
    struct domain *d;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    d = dom_lookup(hv, v, op.dom);
    if (!d)
        return -XEN_ESRCH;
    if (!evtchn_may_target(hv, v, d))
        return -XEN_EPERM;
    /* Xen resets another domain only while its controller holds it paused */
    if (d->id != v->domid && !d->paused)
        return -XEN_EINVAL;
    evtchn_release(hv, d);
    return 0;
}

/* ---- the FIFO ABI ---------------------------------------------------------------------------- */

/*
 * The model keeps the FIFO ABI's argument checks and its pages, not its queues: events are
 * delivered as in the 2-level ABI (pending and mask per port, the notified vCPU woken), priorities
 * are recorded per port, and the guest's control blocks and event words are not written. A PV
 * guest names the pages by machine frame (Xen's get_page_from_gfn is 1:1 for a guest that is not
 * translated). Each page is held as Xen's map_guest_page holds it: a general and a writable type
 * ref, until EVTCHNOP_reset or the domain's destruction (evtchn_fifo_destroy).
 */
static long evtchn_fifo_map(struct hv *hv, struct domain *d, uint64_t mfn)
{
    return get_page_and_type(hv, mfn, d, PGT_writable, false) < 0 ? -XEN_EINVAL : 0;
}

/* The FIFO ops' common start: the argument copied in (-EFAULT), then the caller's domain. */
static long evtchn_fifo_args(struct hv *hv, struct vcpu *v, gva_t arg, void *op, size_t size,
                             struct domain **d)
{
    if (copy_from_guest(hv, v, op, arg, size))
        return -XEN_EFAULT;
    *d = dom_get(hv, v->domid);
    return *d ? 0 : -XEN_ESRCH;
}

static long evtchn_op_init_control(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_init_control op;
    struct domain *d;
    long rc = evtchn_fifo_args(hv, v, arg, &op, sizeof(op), &d);

    if (rc < 0)
        return rc;
    op.link_bits = EVTCHN_FIFO_LINK_BITS;
    if (op.vcpu >= d->nr_vcpus || op.vcpu >= HV_MAX_VCPUS)
        return -XEN_ENOENT;
    /* the control block may not cross the page end, and its words are 8-byte aligned */
    if (op.offset > PAGE_SIZE - EVTCHN_FIFO_CONTROL_SIZE || (op.offset & 7U))
        return -XEN_EINVAL;
    if (d->fifo.control[op.vcpu])
        return -XEN_EINVAL;
    rc = evtchn_fifo_map(hv, d, op.control_gfn);
    if (rc < 0)
        return rc;   /* a first call that fails leaves the domain on the 2-level ABI */
    if (!d->fifo.on) {
        /* the ports bound so far move to the default queue */
        for (uint32_t p = 1; p < d->evtchn_valid; p++)
            evtchn_w(d, p)->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
        d->fifo.on = true;
    }
    d->fifo.control[op.vcpu] = (uint32_t)op.control_gfn + 1U;
    d->fifo.control_off[op.vcpu] = (uint16_t)op.offset;
    if (copy_to_guest(hv, v, arg, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

static long evtchn_op_expand_array(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_expand_array op;
    struct domain *d;
    long rc = evtchn_fifo_args(hv, v, arg, &op, sizeof(op), &d);

    if (rc < 0)
        return rc;
    if (!d->fifo.on)
        return -XEN_EOPNOTSUPP;
    if (d->fifo.nr_array >= EVTCHN_FIFO_MAX_ARRAY_PAGES)
        return -XEN_ENOSPC;
    rc = evtchn_fifo_map(hv, d, op.array_gfn);
    if (rc < 0)
        return rc;
    d->fifo_array[d->fifo.nr_array++] = (uint32_t)op.array_gfn;
    return 0;
}

/* Xen's order: the port must be valid, the ABI must have priorities, the port in use, the
   priority in range. */
static long evtchn_op_set_priority(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_set_priority op;
    struct domain *d;
    struct evtchn *chn;
    long rc = evtchn_fifo_args(hv, v, arg, &op, sizeof(op), &d);

    if (rc < 0)
        return rc;
    if (op.port >= d->evtchn_valid)
        return -XEN_EINVAL;
    if (!d->fifo.on)
        return -XEN_ENOSYS;
    chn = evtchn_w(d, op.port);
    if (chn->state == ECS_FREE || chn->state == ECS_RESERVED)
        return -XEN_EACCES;
    if (op.priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -XEN_EINVAL;
    chn->priority = (uint8_t)op.priority;
    return 0;
}

/* The model has no physical IRQs and gives no domain access to any: Xen's checks up to the
   permission one (a pirq past the domain's count -EINVAL, then -EPERM). dom0 would have the
   access in Xen and go on to bind; the model answers it -EPERM as well (docs/MODEL.md). */
static long evtchn_op_bind_pirq(struct hv *hv, struct vcpu *v, gva_t arg)
{
    struct evtchn_bind_pirq op;

    if (copy_from_guest(hv, v, &op, arg, sizeof(op)))
        return -XEN_EFAULT;
    return op.pirq >= EVTCHN_DOMU_NR_PIRQS ? -XEN_EINVAL : -XEN_EPERM;
}

typedef long (*evtchn_op_fn)(struct hv *hv, struct vcpu *v, gva_t arg);

static const evtchn_op_fn evtchn_ops[] = {
    [EVTCHNOP_bind_interdomain] = evtchn_op_bind_interdomain,
    [EVTCHNOP_bind_virq]        = evtchn_op_bind_virq,
    [EVTCHNOP_bind_pirq]        = evtchn_op_bind_pirq,
    [EVTCHNOP_close]            = evtchn_op_close,
    [EVTCHNOP_send]             = evtchn_op_send,
    [EVTCHNOP_status]           = evtchn_op_status,
    [EVTCHNOP_alloc_unbound]    = evtchn_op_alloc_unbound,
    [EVTCHNOP_bind_ipi]         = evtchn_op_bind_ipi,
    [EVTCHNOP_bind_vcpu]        = evtchn_op_bind_vcpu,
    [EVTCHNOP_unmask]           = evtchn_op_unmask,
    [EVTCHNOP_reset]            = evtchn_op_reset,
    [EVTCHNOP_init_control]     = evtchn_op_init_control,
    [EVTCHNOP_expand_array]     = evtchn_op_expand_array,
    [EVTCHNOP_set_priority]     = evtchn_op_set_priority,
};

long do_event_channel_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint64_t cmd = args[0];

    if (cmd >= sizeof(evtchn_ops) / sizeof(evtchn_ops[0]) || !evtchn_ops[cmd])
        return -XEN_ENOSYS;
    return evtchn_ops[cmd](hv, v, args[1]);
}
