/* Conformance: event_channel_op allocation, binding, send, close, status, unmask and their errors. */
#include <string.h>
#include "conformance.h"

/*
 * Each row names a starting state (prep), the domain whose vCPU 0 issues the op, the op's struct,
 * the expected result and, for successes, a check of the monitor state and of what was written
 * back. Ports are allocated lowest-first from 1, so a fresh domain's first port is always 1 and
 * rows can name it directly (the prep step verifies that).
 */
enum ev_prep {
    EVP_NONE,
    EVP_UNBOUND,        /* dom2 port 1: unbound, dom1 may bind it */
    EVP_UNBOUND_SELF,   /* dom1 port 1: unbound, dom1 itself may bind it (loopback) */
    EVP_PAIR,           /* dom1 port 1 <-> dom2 port 1, nothing pending */
    EVP_PAIR_PAUSED,    /* EVP_PAIR, then dom0 pauses dom1 */
    EVP_VIRQ,           /* dom1 port 1: VIRQ_TIMER on vCPU 0 */
    EVP_IPI,            /* dom1 port 1: IPI to vCPU 0 */
    EVP_FULL,           /* dom1: every port in use */
};

union ev_arg {
    struct evtchn_alloc_unbound alloc;
    struct evtchn_bind_interdomain inter;
    struct evtchn_bind_virq virq;
    struct evtchn_bind_ipi ipi;
    struct evtchn_bind_vcpu bvcpu;
    struct evtchn_send send;
    struct evtchn_close close;
    struct evtchn_status status;
    struct evtchn_unmask unmask;
    struct evtchn_bind_pirq pirq;
    domid_t reset_dom;
};

struct ev_row {
    enum ev_prep prep;
    unsigned     caller;     /* 0, 1 or 2: the domain whose vCPU 0 issues the op */
    unsigned     cmd;
    union ev_arg arg;
    long         expect;
    bool         bad_ptr;    /* pass an unmapped argument pointer */
    void       (*check)(struct conf_ctx *c, const union ev_arg *out);
};

static struct domain *ev_dom(struct conf_ctx *c, unsigned i)
{
    return i == 0 ? c->d0 : i == 1 ? c->d1 : c->d2;
}

static struct vcpu *ev_vcpu(struct conf_ctx *c, unsigned i)
{
    return i == 0 ? c->v0 : i == 1 ? c->v1 : c->v2;
}

/* Issue one op from dom i with the struct in its scratch page 0; the struct is read back. */
static long ev_op(struct conf_ctx *c, unsigned i, unsigned cmd, union ev_arg *a)
{
    struct vcpu *v = ev_vcpu(c, i);
    gva_t va = conf_scratch(c, ev_dom(c, i), 0);
    long rc;

    if (conf_put(c, v, va, a, sizeof(*a)) < 0)
        return -XEN_EFAULT;
    rc = conf_hc(c, v, HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
    if (conf_get(c, v, va, a, sizeof(*a)) < 0)
        return -XEN_EFAULT;
    return rc;
}

/* A prep step that must give port `want`; anything else means the suite, not the case, broke. */
static int ev_expect_port(struct conf_ctx *c, long rc, uint32_t got, uint32_t want, const char *what)
{
    if (rc != 0 || got != want) {
        CONF_ERROR(c, "prep %s: rc %ld port %u, wanted rc 0 port %u", what, rc, got, want);
        return -1;
    }
    return 0;
}

/* dom0 pauses dom i with a domctl (Xen resets another domain's channels only while paused). */
static int ev_pause(struct conf_ctx *c, unsigned i)
{
    struct xen_domctl op;
    gva_t va = conf_scratch(c, c->d0, 0);
    long rc;

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_pausedomain;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = (domid_t)i;
    if (conf_put(c, c->v0, va, &op, sizeof(op)) < 0)
        return -1;
    rc = conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0);
    if (rc != 0) {
        CONF_ERROR(c, "prep: pausedomain %u gave %ld", i, rc);
        return -1;
    }
    return 0;
}

static int ev_prep(struct conf_ctx *c, enum ev_prep p)
{
    union ev_arg a;
    long rc;

    memset(&a, 0, sizeof(a));
    switch (p) {
    case EVP_NONE:
        return 0;
    case EVP_PAIR_PAUSED:
        if (ev_prep(c, EVP_PAIR) < 0)
            return -1;
        return ev_pause(c, 1);
    case EVP_UNBOUND:
    case EVP_PAIR:
        a.alloc = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = 1 };
        rc = ev_op(c, 2, EVTCHNOP_alloc_unbound, &a);
        if (ev_expect_port(c, rc, a.alloc.port, 1, "alloc_unbound") < 0)
            return -1;
        if (p == EVP_UNBOUND)
            return 0;
        memset(&a, 0, sizeof(a));
        a.inter = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = 1 };
        rc = ev_op(c, 1, EVTCHNOP_bind_interdomain, &a);
        if (ev_expect_port(c, rc, a.inter.local_port, 1, "bind_interdomain") < 0)
            return -1;
        /* The guest acknowledges the bind-time notification (clears the bit in shared info). */
        c->d1->evtchn[1].pending = false;
        return 0;
    case EVP_UNBOUND_SELF:
        a.alloc = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
        rc = ev_op(c, 1, EVTCHNOP_alloc_unbound, &a);
        return ev_expect_port(c, rc, a.alloc.port, 1, "alloc_unbound self");
    case EVP_VIRQ:
        a.virq = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
        rc = ev_op(c, 1, EVTCHNOP_bind_virq, &a);
        return ev_expect_port(c, rc, a.virq.port, 1, "bind_virq");
    case EVP_IPI:
        a.ipi = (struct evtchn_bind_ipi){ .vcpu = 0 };
        rc = ev_op(c, 1, EVTCHNOP_bind_ipi, &a);
        return ev_expect_port(c, rc, a.ipi.port, 1, "bind_ipi");
    case EVP_FULL:
        for (uint32_t want = 1; want < c->d1->max_evtchn_port && want < EVTCHN_MAX_PORTS; want++) {
            memset(&a, 0, sizeof(a));
            a.ipi = (struct evtchn_bind_ipi){ .vcpu = 0 };
            rc = ev_op(c, 1, EVTCHNOP_bind_ipi, &a);
            if (ev_expect_port(c, rc, a.ipi.port, want, "fill with bind_ipi") < 0)
                return -1;
        }
        return 0;
    }
    return -1;
}

static void ev_run(struct conf_ctx *c)
{
    const struct ev_row *r = c->data;
    union ev_arg a = r->arg;
    long rc;

    if (ev_prep(c, r->prep) < 0)
        return;
    if (r->bad_ptr) {
        /* The page after the built memory is not mapped. */
        rc = conf_hc(c, ev_vcpu(c, r->caller), HYPERVISOR_event_channel_op, r->cmd,
                     DOM_VA(CONF_DOM_PAGES), 0, 0, 0);
    } else {
        rc = ev_op(c, r->caller, r->cmd, &a);
    }
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->check && rc == r->expect)
        r->check(c, &a);
}

/* ---- checks of the state a successful row leaves ----------------------------------------------- */

static void ev_chk_alloc_d2(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 1, o->alloc.port);
    CONF_EXPECT_EQ(c, ECS_UNBOUND, c->d2->evtchn[1].state);
    CONF_EXPECT_EQ(c, 1, c->d2->evtchn[1].remote_dom);
}

static void ev_chk_alloc_self_remote(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 1, o->alloc.port);
    CONF_EXPECT_EQ(c, 1, c->d1->evtchn[1].remote_dom);   /* DOMID_SELF resolved to the caller */
}

static void ev_chk_alloc_by_dom0(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 1, o->alloc.port);
    CONF_EXPECT_EQ(c, ECS_UNBOUND, c->d1->evtchn[1].state);
    CONF_EXPECT_EQ(c, 0, c->d1->evtchn[1].remote_dom);
    CONF_EXPECT_EQ(c, ECS_FREE, c->d0->evtchn[1].state);
}

static void ev_chk_nothing_in_d2(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT_EQ(c, ECS_FREE, c->d2->evtchn[1].state);
}

static void ev_chk_pair(struct conf_ctx *c, const union ev_arg *o)
{
    const struct evtchn *l = &c->d1->evtchn[1], *r = &c->d2->evtchn[1];

    CONF_EXPECT_EQ(c, 1, o->inter.local_port);
    CONF_EXPECT_EQ(c, ECS_INTERDOMAIN, l->state);
    CONF_EXPECT_EQ(c, 2, l->remote_dom);
    CONF_EXPECT_EQ(c, 1, l->remote_port);
    CONF_EXPECT_EQ(c, ECS_INTERDOMAIN, r->state);
    CONF_EXPECT_EQ(c, 1, r->remote_dom);
    CONF_EXPECT_EQ(c, 1, r->remote_port);
    /* Xen raises the new local end so a notification sent while unbound is not lost. */
    CONF_EXPECT(c, l->pending);
}

static void ev_chk_loopback(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 2, o->inter.local_port);
    CONF_EXPECT_EQ(c, ECS_INTERDOMAIN, c->d1->evtchn[1].state);
    CONF_EXPECT_EQ(c, 2, c->d1->evtchn[1].remote_port);
    CONF_EXPECT_EQ(c, 1, c->d1->evtchn[2].remote_port);
    CONF_EXPECT_EQ(c, 1, c->d1->evtchn[2].remote_dom);
}

static void ev_chk_virq(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 1, o->virq.port);
    CONF_EXPECT_EQ(c, ECS_VIRQ, c->d1->evtchn[1].state);
    CONF_EXPECT_EQ(c, VIRQ_TIMER, c->d1->evtchn[1].virq);
}

static void ev_chk_virq_vcpu1(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 2, o->virq.port);
    CONF_EXPECT_EQ(c, 1, c->d1->evtchn[2].notify_vcpu);
}

static void ev_chk_ipi(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, 1, o->ipi.port);
    CONF_EXPECT_EQ(c, ECS_IPI, c->d1->evtchn[1].state);
    CONF_EXPECT_EQ(c, 1, c->d1->evtchn[1].notify_vcpu);
}

static void ev_chk_bvcpu(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT_EQ(c, 1, c->d2->evtchn[1].notify_vcpu);
}

static void ev_chk_peer_pending(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT(c, c->d2->evtchn[1].pending);
    CONF_EXPECT(c, !c->d1->evtchn[1].pending);
}

static void ev_chk_none_pending(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT(c, !c->d2->evtchn[1].pending);
}

static void ev_chk_local_pending(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT(c, c->d1->evtchn[1].pending);
}

static void ev_chk_closed_pair(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT_EQ(c, ECS_FREE, c->d1->evtchn[1].state);
    CONF_EXPECT_EQ(c, ECS_UNBOUND, c->d2->evtchn[1].state);
    CONF_EXPECT_EQ(c, 1, c->d2->evtchn[1].remote_dom);   /* the closer may bind it again */
}

static void ev_chk_status_pair(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, EVTCHNSTAT_interdomain, o->status.status);
    CONF_EXPECT_EQ(c, 2, o->status.u.interdomain.dom);
    CONF_EXPECT_EQ(c, 1, o->status.u.interdomain.port);
    CONF_EXPECT_EQ(c, 0, o->status.vcpu);
}

static void ev_chk_status_unbound(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, EVTCHNSTAT_unbound, o->status.status);
    CONF_EXPECT_EQ(c, 1, o->status.u.unbound.dom);
}

static void ev_chk_status_virq(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, EVTCHNSTAT_virq, o->status.status);
    CONF_EXPECT_EQ(c, VIRQ_TIMER, o->status.u.virq);
}

static void ev_chk_status_closed(struct conf_ctx *c, const union ev_arg *o)
{
    CONF_EXPECT_EQ(c, EVTCHNSTAT_closed, o->status.status);
}

static void ev_chk_reset(struct conf_ctx *c, const union ev_arg *o)
{
    (void)o;
    CONF_EXPECT_EQ(c, ECS_FREE, c->d1->evtchn[1].state);
    CONF_EXPECT_EQ(c, ECS_UNBOUND, c->d2->evtchn[1].state);
}

/* ---- scenarios: wake-up of blocked and polling vCPUs, mask and unmask ---------------------------- */

/*
 * The 65th port allocated lies in the second bucket, which the allocation makes valid: port 64 is
 * returned, and a port of the bucket after it is still not nameable.
 */
static void ev_bucket_grows(struct conf_ctx *c)
{
    union ev_arg a;
    long rc;

    for (uint32_t want = 1; want <= EVTCHN_BUCKET; want++) {
        memset(&a, 0, sizeof(a));
        a.ipi = (struct evtchn_bind_ipi){ .vcpu = 0 };
        rc = ev_op(c, 1, EVTCHNOP_bind_ipi, &a);
        if (want < EVTCHN_BUCKET && ev_expect_port(c, rc, a.ipi.port, want, "bind_ipi") < 0)
            return;
    }
    CONF_EXPECT_EQ(c, 0, rc);
    CONF_EXPECT_EQ(c, EVTCHN_BUCKET, a.ipi.port);
    memset(&a, 0, sizeof(a));
    a.unmask.port = 2 * EVTCHN_BUCKET - 1;
    CONF_EXPECT_EQ(c, 0, ev_op(c, 1, EVTCHNOP_unmask, &a));
    a.unmask.port = 2 * EVTCHN_BUCKET;
    CONF_EXPECT_EQ(c, -XEN_EINVAL, ev_op(c, 1, EVTCHNOP_unmask, &a));
}

/* A vCPU blocked in SCHEDOP_block wakes when an unmasked event arrives for it. */
static void ev_send_wakes_blocked(struct conf_ctx *c)
{
    union ev_arg a = { .send = { .port = 1 } };

    if (ev_prep(c, EVP_PAIR) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v2, HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0));
    if (!c->v2->blocked) {
        CONF_ERROR(c, "dom2 vCPU 0 did not block");
        return;
    }
    CONF_EXPECT_EQ(c, 0, ev_op(c, 1, EVTCHNOP_send, &a));
    CONF_EXPECT(c, c->d2->evtchn[1].pending);
    CONF_EXPECT(c, !c->v2->blocked);
}

/*
 * A masked port collects the event without waking its vCPU; unmasking delivers it. The notify vCPU
 * is dom2's vCPU 1, marked blocked directly (it is down, so it cannot block by hypercall), while
 * vCPU 0 does the unmask.
 */
static void ev_masked_then_unmask(struct conf_ctx *c)
{
    union ev_arg a;
    struct vcpu *w = &c->d2->vcpu[1];

    memset(&a, 0, sizeof(a));
    if (ev_prep(c, EVP_PAIR) < 0)
        return;
    a.bvcpu = (struct evtchn_bind_vcpu){ .port = 1, .vcpu = 1 };
    CONF_SETUP(c, ev_op(c, 2, EVTCHNOP_bind_vcpu, &a));
    c->d2->evtchn[1].masked = true;   /* the guest sets the mask bit in shared info */
    w->blocked = true;
    a.send = (struct evtchn_send){ .port = 1 };
    CONF_EXPECT_EQ(c, 0, ev_op(c, 1, EVTCHNOP_send, &a));
    CONF_EXPECT(c, c->d2->evtchn[1].pending);
    CONF_EXPECT(c, w->blocked);
    a.unmask = (struct evtchn_unmask){ .port = 1 };
    CONF_EXPECT_EQ(c, 0, ev_op(c, 2, EVTCHNOP_unmask, &a));
    CONF_EXPECT(c, !c->d2->evtchn[1].masked);
    CONF_EXPECT(c, !w->blocked);
}

/* SCHEDOP_poll is used on masked ports: a poller wakes even though the port is masked. */
static void ev_send_wakes_poller(struct conf_ctx *c)
{
    union ev_arg a = { .send = { .port = 1 } };
    evtchn_port_t port = 1;
    struct sched_poll sp = { .nr_ports = 1 };
    gva_t ports = conf_scratch(c, c->d2, 1), spva = conf_scratch(c, c->d2, 2);

    if (ev_prep(c, EVP_PAIR) < 0)
        return;
    c->d2->evtchn[1].masked = true;
    sp.ports = ports;
    if (conf_put(c, c->v2, ports, &port, sizeof(port)) < 0 ||
        conf_put(c, c->v2, spva, &sp, sizeof(sp)) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v2, HYPERVISOR_sched_op, SCHEDOP_poll, spva, 0, 0, 0));
    if (!c->v2->polling) {
        CONF_ERROR(c, "dom2 vCPU 0 did not start polling");
        return;
    }
    CONF_EXPECT_EQ(c, 0, ev_op(c, 1, EVTCHNOP_send, &a));
    CONF_EXPECT(c, !c->v2->polling);
    CONF_EXPECT(c, !c->v2->blocked);
}

/* After a close the far end can be bound again by the same domain. */
static void ev_close_then_rebind(struct conf_ctx *c)
{
    union ev_arg a = { .close = { .port = 1 } };

    if (ev_prep(c, EVP_PAIR) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, ev_op(c, 1, EVTCHNOP_close, &a));
    a.inter = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = 1 };
    CONF_EXPECT_EQ(c, 0, ev_op(c, 1, EVTCHNOP_bind_interdomain, &a));
    CONF_EXPECT_EQ(c, 1, a.inter.local_port);
    CONF_EXPECT_EQ(c, ECS_INTERDOMAIN, c->d2->evtchn[1].state);
}

/* ---- rows ---------------------------------------------------------------------------------------- */

#define EV(prep_, caller_, cmd_, field_, expect_, check_, ...)                         \
    { .prep = (prep_), .caller = (caller_), .cmd = (cmd_),                             \
      .arg = { .field_ = __VA_ARGS__ }, .expect = (expect_), .check = (check_) }

/* alloc_unbound: dom SELF or, for the control domain, any domain; remote_dom is not checked. */
static const struct ev_row ev_alloc_ok = EV(EVP_NONE, 2, EVTCHNOP_alloc_unbound, alloc, 0,
    ev_chk_alloc_d2, { .dom = DOMID_SELF, .remote_dom = 1 });
static const struct ev_row ev_alloc_remote_self = EV(EVP_NONE, 1, EVTCHNOP_alloc_unbound, alloc, 0,
    ev_chk_alloc_self_remote, { .dom = DOMID_SELF, .remote_dom = DOMID_SELF });
static const struct ev_row ev_alloc_by_dom0 = EV(EVP_NONE, 0, EVTCHNOP_alloc_unbound, alloc, 0,
    ev_chk_alloc_by_dom0, { .dom = 1, .remote_dom = 0 });
static const struct ev_row ev_alloc_foreign = EV(EVP_NONE, 1, EVTCHNOP_alloc_unbound, alloc,
    -XEN_EPERM, ev_chk_nothing_in_d2, { .dom = 2, .remote_dom = 1 });
static const struct ev_row ev_alloc_nodom = EV(EVP_NONE, 1, EVTCHNOP_alloc_unbound, alloc,
    -XEN_ESRCH, NULL, { .dom = 5, .remote_dom = 0 });
static const struct ev_row ev_alloc_reserved_dom = EV(EVP_NONE, 0, EVTCHNOP_alloc_unbound, alloc,
    -XEN_ESRCH, NULL, { .dom = DOMID_XEN, .remote_dom = 0 });
static const struct ev_row ev_alloc_full = EV(EVP_FULL, 1, EVTCHNOP_alloc_unbound, alloc,
    -XEN_ENOSPC, NULL, { .dom = DOMID_SELF, .remote_dom = 2 });
static const struct ev_row ev_alloc_fault = { .caller = 1, .cmd = EVTCHNOP_alloc_unbound,
    .expect = -XEN_EFAULT, .bad_ptr = true };

/* bind_interdomain: the remote port must be unbound and offered to the caller. */
static const struct ev_row ev_inter_ok = EV(EVP_UNBOUND, 1, EVTCHNOP_bind_interdomain, inter, 0,
    ev_chk_pair, { .remote_dom = 2, .remote_port = 1 });
static const struct ev_row ev_inter_loopback = EV(EVP_UNBOUND_SELF, 1, EVTCHNOP_bind_interdomain,
    inter, 0, ev_chk_loopback, { .remote_dom = DOMID_SELF, .remote_port = 1 });
static const struct ev_row ev_inter_not_ours = EV(EVP_UNBOUND, 0, EVTCHNOP_bind_interdomain, inter,
    -XEN_EINVAL, NULL, { .remote_dom = 2, .remote_port = 1 });
static const struct ev_row ev_inter_nodom = EV(EVP_NONE, 1, EVTCHNOP_bind_interdomain, inter,
    -XEN_ESRCH, NULL, { .remote_dom = 6, .remote_port = 1 });
static const struct ev_row ev_inter_free = EV(EVP_UNBOUND, 1, EVTCHNOP_bind_interdomain, inter,
    -XEN_EINVAL, NULL, { .remote_dom = 2, .remote_port = 5 });
static const struct ev_row ev_inter_bound = EV(EVP_PAIR, 1, EVTCHNOP_bind_interdomain, inter,
    -XEN_EINVAL, NULL, { .remote_dom = 2, .remote_port = 1 });
static const struct ev_row ev_inter_full = EV(EVP_FULL, 1, EVTCHNOP_bind_interdomain, inter,
    -XEN_ENOSPC, NULL, { .remote_dom = 2, .remote_port = 1 });

/* bind_virq: range, global VIRQs only on vCPU 0, one binding per (virq, vCPU). */
static const struct ev_row ev_virq_ok = EV(EVP_NONE, 1, EVTCHNOP_bind_virq, virq, 0, ev_chk_virq,
    { .virq = VIRQ_TIMER, .vcpu = 0 });
static const struct ev_row ev_virq_range = EV(EVP_NONE, 1, EVTCHNOP_bind_virq, virq, -XEN_EINVAL,
    NULL, { .virq = NR_VIRQS, .vcpu = 0 });
static const struct ev_row ev_virq_global_vcpu1 = EV(EVP_NONE, 1, EVTCHNOP_bind_virq, virq,
    -XEN_EINVAL, NULL, { .virq = VIRQ_CONSOLE, .vcpu = 1 });
static const struct ev_row ev_virq_bad_vcpu = EV(EVP_NONE, 1, EVTCHNOP_bind_virq, virq,
    -XEN_ENOENT, NULL, { .virq = VIRQ_TIMER, .vcpu = 2 });
static const struct ev_row ev_virq_twice = EV(EVP_VIRQ, 1, EVTCHNOP_bind_virq, virq, -XEN_EEXIST,
    NULL, { .virq = VIRQ_TIMER, .vcpu = 0 });
static const struct ev_row ev_virq_other_vcpu = EV(EVP_VIRQ, 1, EVTCHNOP_bind_virq, virq, 0,
    ev_chk_virq_vcpu1, { .virq = VIRQ_TIMER, .vcpu = 1 });

/* bind_ipi and bind_vcpu. */
static const struct ev_row ev_ipi_ok = EV(EVP_NONE, 1, EVTCHNOP_bind_ipi, ipi, 0, ev_chk_ipi,
    { .vcpu = 1 });
static const struct ev_row ev_ipi_bad_vcpu = EV(EVP_NONE, 1, EVTCHNOP_bind_ipi, ipi, -XEN_ENOENT,
    NULL, { .vcpu = 2 });
static const struct ev_row ev_bvcpu_ok = EV(EVP_UNBOUND, 2, EVTCHNOP_bind_vcpu, bvcpu, 0,
    ev_chk_bvcpu, { .port = 1, .vcpu = 1 });
static const struct ev_row ev_bvcpu_pervcpu_virq = EV(EVP_VIRQ, 1, EVTCHNOP_bind_vcpu, bvcpu,
    -XEN_EINVAL, NULL, { .port = 1, .vcpu = 1 });
static const struct ev_row ev_bvcpu_bad_vcpu = EV(EVP_UNBOUND, 2, EVTCHNOP_bind_vcpu, bvcpu,
    -XEN_ENOENT, NULL, { .port = 1, .vcpu = 3 });
static const struct ev_row ev_bvcpu_ipi = EV(EVP_IPI, 1, EVTCHNOP_bind_vcpu, bvcpu, -XEN_EINVAL,
    NULL, { .port = 1, .vcpu = 1 });

/* send: interdomain raises the peer, IPI the port itself; unbound drops it; VIRQ/closed refused. */
static const struct ev_row ev_send_inter = EV(EVP_PAIR, 1, EVTCHNOP_send, send, 0,
    ev_chk_peer_pending, { .port = 1 });
static const struct ev_row ev_send_unbound = EV(EVP_UNBOUND, 2, EVTCHNOP_send, send, 0,
    ev_chk_none_pending, { .port = 1 });
static const struct ev_row ev_send_ipi = EV(EVP_IPI, 1, EVTCHNOP_send, send, 0,
    ev_chk_local_pending, { .port = 1 });
static const struct ev_row ev_send_virq = EV(EVP_VIRQ, 1, EVTCHNOP_send, send, -XEN_EINVAL, NULL,
    { .port = 1 });
static const struct ev_row ev_send_closed = EV(EVP_NONE, 1, EVTCHNOP_send, send, -XEN_EINVAL, NULL,
    { .port = 5 });
static const struct ev_row ev_send_port0 = EV(EVP_NONE, 1, EVTCHNOP_send, send, -XEN_EINVAL, NULL,
    { .port = 0 });

/* close: the interdomain peer goes back to unbound, offered to the closer. */
static const struct ev_row ev_close_pair = EV(EVP_PAIR, 1, EVTCHNOP_close, close, 0,
    ev_chk_closed_pair, { .port = 1 });
static const struct ev_row ev_close_free = EV(EVP_NONE, 1, EVTCHNOP_close, close, -XEN_EINVAL,
    NULL, { .port = 3 });
static const struct ev_row ev_close_port0 = EV(EVP_NONE, 1, EVTCHNOP_close, close, -XEN_EINVAL,
    NULL, { .port = 0 });

/* status: of oneself, or by the control domain of anyone. */
static const struct ev_row ev_status_pair = EV(EVP_PAIR, 1, EVTCHNOP_status, status, 0,
    ev_chk_status_pair, { .dom = DOMID_SELF, .port = 1 });
static const struct ev_row ev_status_by_dom0 = EV(EVP_UNBOUND, 0, EVTCHNOP_status, status, 0,
    ev_chk_status_unbound, { .dom = 2, .port = 1 });
static const struct ev_row ev_status_virq = EV(EVP_VIRQ, 1, EVTCHNOP_status, status, 0,
    ev_chk_status_virq, { .dom = DOMID_SELF, .port = 1 });
static const struct ev_row ev_status_closed = EV(EVP_NONE, 1, EVTCHNOP_status, status, 0,
    ev_chk_status_closed, { .dom = DOMID_SELF, .port = 7 });
static const struct ev_row ev_status_foreign = EV(EVP_UNBOUND, 1, EVTCHNOP_status, status,
    -XEN_EPERM, NULL, { .dom = 2, .port = 1 });
static const struct ev_row ev_status_nodom = EV(EVP_NONE, 0, EVTCHNOP_status, status, -XEN_ESRCH,
    NULL, { .dom = 6, .port = 1 });

/* reset: of oneself, or by the control domain of a domain it paused; unknown commands. */
static const struct ev_row ev_reset_by_dom0 = EV(EVP_PAIR_PAUSED, 0, EVTCHNOP_reset, reset_dom, 0,
    ev_chk_reset, 1);
static const struct ev_row ev_reset_unpaused = EV(EVP_PAIR, 0, EVTCHNOP_reset, reset_dom,
    -XEN_EINVAL, NULL, 1);
static const struct ev_row ev_reset_self = EV(EVP_PAIR, 1, EVTCHNOP_reset, reset_dom, 0,
    ev_chk_reset, DOMID_SELF);

/* The 2-level ABI's 4096 ports are valid bucket by bucket (64 each) as they are allocated. */
static const struct ev_row ev_status_past_bucket = EV(EVP_NONE, 1, EVTCHNOP_status, status,
    -XEN_EINVAL, NULL, { .dom = DOMID_SELF, .port = EVTCHN_BUCKET });
static const struct ev_row ev_unmask_past_bucket = EV(EVP_NONE, 1, EVTCHNOP_unmask, unmask,
    -XEN_EINVAL, NULL, { .port = EVTCHN_BUCKET });
static const struct ev_row ev_unmask_free_in_bucket = EV(EVP_NONE, 1, EVTCHNOP_unmask, unmask, 0,
    NULL, { .port = EVTCHN_BUCKET - 1 });
static const struct ev_row ev_unmask_port_limit = EV(EVP_NONE, 1, EVTCHNOP_unmask, unmask,
    -XEN_EINVAL, NULL, { .port = EVTCHN_2L_NR_CHANNELS });
static const struct ev_row ev_inter_truncated = EV(EVP_UNBOUND, 1, EVTCHNOP_bind_interdomain,
    inter, -XEN_EINVAL, NULL, { .remote_dom = 2, .remote_port = EVTCHN_2L_NR_CHANNELS + 1 });
static const struct ev_row ev_reset_foreign = EV(EVP_PAIR, 1, EVTCHNOP_reset, reset_dom,
    -XEN_EPERM, NULL, 2);
static const struct ev_row ev_bind_pirq = { .caller = 1, .cmd = EVTCHNOP_bind_pirq,
    .expect = -XEN_EPERM };
static const struct ev_row ev_bind_pirq_past = { .caller = 1, .cmd = EVTCHNOP_bind_pirq,
    .arg.pirq = { .pirq = EVTCHN_DOMU_NR_PIRQS }, .expect = -XEN_EINVAL };
static const struct ev_row ev_unknown = { .caller = 1, .cmd = 99, .expect = -XEN_ENOSYS };

static const struct conf_case ev_cases[] = {
    { "alloc_unbound_self",          ev_run, &ev_alloc_ok },
    { "alloc_unbound_remote_self",   ev_run, &ev_alloc_remote_self },
    { "alloc_unbound_by_dom0",       ev_run, &ev_alloc_by_dom0 },
    { "alloc_unbound_foreign_eperm", ev_run, &ev_alloc_foreign },
    { "alloc_unbound_no_domain",     ev_run, &ev_alloc_nodom },
    { "alloc_unbound_domid_xen",     ev_run, &ev_alloc_reserved_dom },
    { "alloc_unbound_full_enospc",   ev_run, &ev_alloc_full },
    { "alloc_unbound_bad_arg",       ev_run, &ev_alloc_fault },
    { "bind_interdomain_ok",         ev_run, &ev_inter_ok },
    { "bind_interdomain_loopback",   ev_run, &ev_inter_loopback },
    { "bind_interdomain_not_ours",   ev_run, &ev_inter_not_ours },
    { "bind_interdomain_no_domain",  ev_run, &ev_inter_nodom },
    { "bind_interdomain_free_port",  ev_run, &ev_inter_free },
    { "bind_interdomain_bound_port", ev_run, &ev_inter_bound },
    { "bind_interdomain_full",       ev_run, &ev_inter_full },
    { "bind_virq_ok",                ev_run, &ev_virq_ok },
    { "bind_virq_out_of_range",      ev_run, &ev_virq_range },
    { "bind_virq_global_on_vcpu1",   ev_run, &ev_virq_global_vcpu1 },
    { "bind_virq_bad_vcpu",          ev_run, &ev_virq_bad_vcpu },
    { "bind_virq_twice_eexist",      ev_run, &ev_virq_twice },
    { "bind_virq_per_vcpu",          ev_run, &ev_virq_other_vcpu },
    { "bind_ipi_ok",                 ev_run, &ev_ipi_ok },
    { "bind_ipi_bad_vcpu",           ev_run, &ev_ipi_bad_vcpu },
    { "bind_vcpu_unbound",           ev_run, &ev_bvcpu_ok },
    { "bind_vcpu_per_vcpu_virq",     ev_run, &ev_bvcpu_pervcpu_virq },
    { "bind_vcpu_bad_vcpu",          ev_run, &ev_bvcpu_bad_vcpu },
    { "bind_vcpu_ipi",               ev_run, &ev_bvcpu_ipi },
    { "send_interdomain",            ev_run, &ev_send_inter },
    { "send_unbound_dropped",        ev_run, &ev_send_unbound },
    { "send_ipi",                    ev_run, &ev_send_ipi },
    { "send_virq_einval",            ev_run, &ev_send_virq },
    { "send_closed_einval",          ev_run, &ev_send_closed },
    { "send_port0_einval",           ev_run, &ev_send_port0 },
    { "send_wakes_blocked",          ev_send_wakes_blocked, NULL },
    { "send_wakes_poller",           ev_send_wakes_poller, NULL },
    { "masked_then_unmask",          ev_masked_then_unmask, NULL },
    { "close_interdomain",           ev_run, &ev_close_pair },
    { "close_then_rebind",           ev_close_then_rebind, NULL },
    { "close_free_einval",           ev_run, &ev_close_free },
    { "close_port0_einval",          ev_run, &ev_close_port0 },
    { "status_interdomain",          ev_run, &ev_status_pair },
    { "status_by_dom0",              ev_run, &ev_status_by_dom0 },
    { "status_virq",                 ev_run, &ev_status_virq },
    { "status_closed",               ev_run, &ev_status_closed },
    { "status_foreign_eperm",        ev_run, &ev_status_foreign },
    { "status_no_domain",            ev_run, &ev_status_nodom },
    { "reset_by_dom0",               ev_run, &ev_reset_by_dom0 },
    { "reset_unpaused_einval",       ev_run, &ev_reset_unpaused },
    { "reset_self",                  ev_run, &ev_reset_self },
    { "status_past_bucket_einval",   ev_run, &ev_status_past_bucket },
    { "unmask_past_bucket_einval",   ev_run, &ev_unmask_past_bucket },
    { "unmask_free_in_bucket",       ev_run, &ev_unmask_free_in_bucket },
    { "unmask_port_limit_einval",    ev_run, &ev_unmask_port_limit },
    { "bind_interdomain_4097_einval", ev_run, &ev_inter_truncated },
    { "bucket_grows_past_64",        ev_bucket_grows, NULL },
    { "reset_foreign_eperm",         ev_run, &ev_reset_foreign },
    { "bind_pirq_no_access_eperm",   ev_run, &ev_bind_pirq },
    { "bind_pirq_past_count_einval", ev_run, &ev_bind_pirq_past },
    { "unknown_cmd_enosys",          ev_run, &ev_unknown },
};
CONF_AREA("event_channel", ev_cases)
