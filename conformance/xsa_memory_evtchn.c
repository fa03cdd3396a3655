/* Conformance: XSA-212 (exchange list range checks) and XSA-342 (event channel port limits). */
#include <string.h>
#include "conformance.h"

/*
 * XSA-212: XENMEM_exchange checked only the base of the guest's extent lists, then accessed
 * element nr_exchanged onwards with unchecked copies; a guest choosing nr_exchanged (or a list
 * running past its own memory) made Xen read and write its own address space. The fixed rule: the
 * part of both lists still to be used is range-checked, with wrap-around checks, before any work.
 * The model goes further and refuses lists whose tail is unmapped or read-only up front, so an
 * exchange never stops half-way on a bad list. Each row checks the result, that nr_exchanged is
 * unchanged, that no frame changed hands, and that the in-bounds part of the guest's out list was
 * not written.
 */

#define XM_GFN_A 200U
#define XM_GFN_B 201U
#define XM_GFN_OUT 202U   /* a valid, unpopulated gfn: an exchange that ran would fill it */

enum xm_where {
    XMW_SCRATCH,        /* scratch page 1 (in) or 2 (out) of dom1 */
    XMW_XEN,            /* inside Xen's range */
    XMW_UNMAPPED_END,   /* the last 8 bytes of dom1's memory: element 1 is unmapped */
    XMW_NONCANONICAL,   /* the first non-canonical address */
};

struct xm_row {
    enum xm_where in_at, out_at;
    uint64_t nr;              /* in and out nr_extents */
    uint64_t nr_exchanged;
    bool     wrap_out;        /* choose nr_exchanged so out + 8 * nr_exchanged wraps past 2^64 */
    long     expect;
};

static gva_t xm_addr(struct conf_ctx *c, enum xm_where w, unsigned page)
{
    switch (w) {
    case XMW_XEN:          return XEN_VIRT_START + 0x1000;
    case XMW_UNMAPPED_END: return DOM_VA(CONF_DOM_PAGES) - 8;
    case XMW_NONCANONICAL: return 0x0000800000000000ULL;
    default:               return conf_scratch(c, c->d1, page);
    }
}

/* dom1 populates a gfn (set-up, through the op under test elsewhere). */
static int xm_populate(struct conf_ctx *c, uint64_t gfn)
{
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    gva_t list = conf_scratch(c, c->d1, 3), arg = conf_scratch(c, c->d1, 4);

    r.extent_start = list;
    if (conf_put(c, c->v1, list, &gfn, sizeof(gfn)) < 0 || conf_put(c, c->v1, arg, &r, sizeof(r)) < 0)
        return -1;
    if (conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_populate_physmap, arg, 0, 0, 0) != 1) {
        CONF_ERROR(c, "prep: populate gfn %llu failed", (unsigned long long)gfn);
        return -1;
    }
    return 0;
}

/* Fill whichever list elements lie in dom1's mapped memory. */
static void xm_fill(struct conf_ctx *c, gva_t base, const uint64_t *vals, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        gva_t va = base + 8ULL * i;

        if (va >= DOM_VA(0) && va + 8 <= DOM_VA(CONF_DOM_PAGES))
            (void)conf_put(c, c->v1, va, &vals[i], sizeof(vals[i]));
    }
}

static void xm_run(struct conf_ctx *c)
{
    const struct xm_row *r = c->data;
    struct xen_memory_exchange x;
    gva_t arg = conf_scratch(c, c->d1, 0);
    gva_t in = xm_addr(c, r->in_at, 1), out = xm_addr(c, r->out_at, 2);
    const uint64_t ins[2] = { XM_GFN_A, XM_GFN_B }, outs[2] = { XM_GFN_OUT, XM_GFN_OUT + 1 };
    mfn_t a, b;
    uint32_t tot, nfree;
    uint64_t first_out = 0;
    long rc;

    if (xm_populate(c, XM_GFN_A) < 0 || xm_populate(c, XM_GFN_B) < 0)
        return;
    xm_fill(c, in, ins, 2);
    xm_fill(c, out, outs, 2);
    memset(&x, 0, sizeof(x));
    x.in = (struct xen_memory_reservation){ .extent_start = in, .nr_extents = r->nr,
                                            .domid = DOMID_SELF };
    x.out = (struct xen_memory_reservation){ .extent_start = out, .nr_extents = r->nr,
                                             .domid = DOMID_SELF };
    x.nr_exchanged = r->nr_exchanged;
    if (r->wrap_out) {
        /* out + 8 * nr_exchanged == in (mod 2^64): the element used would be a valid guest
           address again, reached only through a wrapped multiplication and addition. */
        x.nr_exchanged = (0 - out + in) / 8;
        x.in.nr_extents = x.out.nr_extents = x.nr_exchanged + 1;
    }
    if (conf_put(c, c->v1, arg, &x, sizeof(x)) < 0)
        return;
    a = c->d1->p2m[XM_GFN_A];
    b = c->d1->p2m[XM_GFN_B];
    tot = c->d1->tot_pages;
    nfree = c->hv->free.count;

    rc = conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_exchange, arg, 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (conf_get(c, c->v1, arg, &x, sizeof(x)) < 0)
        return;
    CONF_EXPECT_EQ(c, r->wrap_out ? x.in.nr_extents - 1 : r->nr_exchanged, x.nr_exchanged);
    CONF_EXPECT_EQ(c, a, c->d1->p2m[XM_GFN_A]);
    CONF_EXPECT_EQ(c, b, c->d1->p2m[XM_GFN_B]);
    CONF_EXPECT_EQ(c, tot, c->d1->tot_pages);
    CONF_EXPECT_EQ(c, nfree, c->hv->free.count);
    if (out >= DOM_VA(0) && out + 8 <= DOM_VA(CONF_DOM_PAGES)) {
        if (conf_get(c, c->v1, out, &first_out, sizeof(first_out)) < 0)
            return;
        CONF_EXPECT_EQ(c, XM_GFN_OUT, first_out);
    CONF_EXPECT_EQ(c, MFN_INVALID, c->d1->p2m[XM_GFN_OUT]);
    }
    CONF_EXPECT(c, c->hv->bug_msg == NULL);
}

/*
 * A list starting in the guest's memory and long enough to end inside Xen's range. The address
 * below Xen's range is the non-canonical hole, so no list can reach Xen's range from guest
 * memory without crossing it: the two lists share nr_extents, so the in list crosses it too and
 * either refusal is right; what matters is that nothing ran and the out list was not written.
 */
#define XM_OUT_VA DOM_VA(DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + 2)
static const struct xm_row xm_out_end_in_xen = { .in_at = XMW_SCRATCH, .out_at = XMW_SCRATCH,
    .nr = (XEN_VIRT_START + PAGE_SIZE - XM_OUT_VA) / 8, .expect = -XEN_EFAULT };
/* The base itself in Xen's range, the other list valid: this list alone decides. */
static const struct xm_row xm_out_in_xen = { .in_at = XMW_SCRATCH, .out_at = XMW_XEN, .nr = 2,
    .expect = -XEN_EFAULT };
static const struct xm_row xm_in_in_xen = { .in_at = XMW_XEN, .out_at = XMW_SCRATCH, .nr = 2,
    .expect = -XEN_EFAULT };
static const struct xm_row xm_out_end_unmapped = { .in_at = XMW_SCRATCH,
    .out_at = XMW_UNMAPPED_END, .nr = 2, .expect = -XEN_EFAULT };
static const struct xm_row xm_in_end_unmapped = { .in_at = XMW_UNMAPPED_END,
    .out_at = XMW_SCRATCH, .nr = 2, .expect = -XEN_EFAULT };
static const struct xm_row xm_out_noncanonical = { .in_at = XMW_SCRATCH,
    .out_at = XMW_NONCANONICAL, .nr = 2, .expect = -XEN_EFAULT };
/* The original trick: a valid base, and nr_exchanged pointing the next element into Xen. */
static const struct xm_row xm_nr_exchanged_into_xen = { .in_at = XMW_SCRATCH,
    .out_at = XMW_SCRATCH, .nr = (XEN_VIRT_START - DOM_VA_BASE) / 8 + 2,
    .nr_exchanged = (XEN_VIRT_START - DOM_VA_BASE) / 8, .expect = -XEN_EFAULT };
static const struct xm_row xm_index_overflows = { .in_at = XMW_SCRATCH, .out_at = XMW_SCRATCH,
    .nr = (1ULL << 61) + 2, .nr_exchanged = 1ULL << 61, .expect = -XEN_EFAULT };
static const struct xm_row xm_address_wraps = { .in_at = XMW_SCRATCH, .out_at = XMW_SCRATCH,
    .wrap_out = true, .expect = -XEN_EFAULT };

/*
 * XSA-342: the event channel code took port numbers from the guest and checked them against a
 * bound that was not the one that applied (the 2-level ABI of 32-bit guests is smaller than the
 * allocated range), so out-of-range ports reached the event arrays. The rule modelled: every port
 * is compared, as the full 32-bit value, with the domain's real limit before any use. Each row is
 * one op, tried with every port of xp_ports.
 */
static const uint32_t xp_ports[] = {
    EVTCHN_MAX_PORTS, EVTCHN_MAX_PORTS + 1, 1023, 1024, 4095, 4096, 0x7FFFFFFFU, 0x80000000U,
    0xFFFFFFC0U, 0xFFFFFFFFU,
};

struct xp_row {
    unsigned cmd;
    bool     lowered;   /* dom1's limit lowered to 4: try the ports 4..63 of its valid bucket */
};

#define XP_LOWERED_LIMIT 4U

/* Issue cmd from dom1 (bind_interdomain: from dom2 towards dom1's port) with the port filled in. */
static long xp_issue(struct conf_ctx *c, unsigned cmd, uint32_t port)
{
    union {
        struct evtchn_send send;
        struct evtchn_close close;
        struct evtchn_unmask unmask;
        struct evtchn_status status;
        struct evtchn_bind_vcpu bvcpu;
        struct evtchn_bind_interdomain inter;
    } a;
    struct vcpu *v = c->v1;
    gva_t va;

    memset(&a, 0, sizeof(a));
    switch (cmd) {
    case EVTCHNOP_status:
        a.status.dom = DOMID_SELF;
        a.status.port = port;
        break;
    case EVTCHNOP_bind_vcpu:
        a.bvcpu.port = port;
        a.bvcpu.vcpu = 0;
        break;
    case EVTCHNOP_bind_interdomain:
        a.inter.remote_dom = 1;
        a.inter.remote_port = port;
        v = c->v2;
        break;
    default:   /* send, close and unmask start with the port */
        a.send.port = port;
        break;
    }
    va = conf_scratch(c, v == c->v1 ? c->d1 : c->d2, 0);
    if (conf_put(c, v, va, &a, sizeof(a)) < 0)
        return -XEN_EFAULT;
    return conf_hc(c, v, HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
}

static void xp_run(struct conf_ctx *c)
{
    const struct xp_row *r = c->data;

    if (r->lowered) {
        c->d1->max_evtchn_port = XP_LOWERED_LIMIT;   /* as a toolstack configures it */
        for (uint32_t p = XP_LOWERED_LIMIT; p < EVTCHN_BUCKET; p++) {
            long rc = xp_issue(c, r->cmd, p);

            if (rc != -XEN_EINVAL)
                CONF_FAIL(c, "port %u (limit %u): expected %d, actual %ld", p, XP_LOWERED_LIMIT,
                          -XEN_EINVAL, rc);
            c->checks++;
        }
    }
    for (size_t i = 0; i < sizeof(xp_ports) / sizeof(xp_ports[0]); i++) {
        long rc = xp_issue(c, r->cmd, xp_ports[i]);

        if (rc != -XEN_EINVAL)
            CONF_FAIL(c, "port 0x%x: expected %d, actual %ld", xp_ports[i], -XEN_EINVAL, rc);
        c->checks++;
    }
    CONF_EXPECT(c, c->hv->bug_msg == NULL);
}

/* With the limit lowered, allocation stops at it: ports 1..3, then -ENOSPC. */
static void xp_alloc_stops_at_limit(struct conf_ctx *c)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 2 };
    gva_t va = conf_scratch(c, c->d1, 0);

    c->d1->max_evtchn_port = XP_LOWERED_LIMIT;
    for (uint32_t want = 1; want <= XP_LOWERED_LIMIT; want++) {
        long rc;

        a.port = 0;
        if (conf_put(c, c->v1, va, &a, sizeof(a)) < 0)
            return;
        rc = conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, va, 0, 0, 0);
        if (conf_get(c, c->v1, va, &a, sizeof(a)) < 0)
            return;
        if (want < XP_LOWERED_LIMIT) {
            CONF_EXPECT_EQ(c, 0, rc);
            CONF_EXPECT_EQ(c, want, a.port);
        } else {
            CONF_EXPECT_EQ(c, -XEN_ENOSPC, rc);
        }
    }
    for (uint32_t p = XP_LOWERED_LIMIT; p < EVTCHN_BUCKET; p++)
        CONF_EXPECT_EQ(c, ECS_FREE, c->d1->evtchn[p].state);
}

/* The highest port of the valid bucket is still usable: the bound is exact, not one short. */
static void xp_last_port_usable(struct conf_ctx *c)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = EVTCHN_BUCKET - 1 };
    gva_t va = conf_scratch(c, c->d1, 0);

    if (c->d1->max_evtchn_port < EVTCHN_MAX_PORTS) {
        CONF_SKIP(c, "dom1's port limit %u is below the array size", c->d1->max_evtchn_port);
        return;
    }
    if (conf_put(c, c->v1, va, &st, sizeof(st)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_status, va,
                                 0, 0, 0));
    if (conf_get(c, c->v1, va, &st, sizeof(st)) < 0)
        return;
    CONF_EXPECT_EQ(c, EVTCHNSTAT_closed, st.status);
}

/* A vCPU number must not be truncated to the 8-bit field it is stored in (256 is not vCPU 0). */
static void xp_vcpu_not_truncated(struct conf_ctx *c)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 256 };
    struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER, .vcpu = 0xFFFFFFFFU };
    gva_t va = conf_scratch(c, c->d1, 0);

    if (conf_put(c, c->v1, va, &ipi, sizeof(ipi)) < 0)
        return;
    CONF_EXPECT_EQ(c, -XEN_ENOENT, conf_hc(c, c->v1, HYPERVISOR_event_channel_op,
                                           EVTCHNOP_bind_ipi, va, 0, 0, 0));
    if (conf_put(c, c->v1, va, &virq, sizeof(virq)) < 0)
        return;
    CONF_EXPECT_EQ(c, -XEN_ENOENT, conf_hc(c, c->v1, HYPERVISOR_event_channel_op,
                                           EVTCHNOP_bind_virq, va, 0, 0, 0));
    virq = (struct evtchn_bind_virq){ .virq = 0x80000000U | VIRQ_TIMER, .vcpu = 0 };
    if (conf_put(c, c->v1, va, &virq, sizeof(virq)) < 0)
        return;
    CONF_EXPECT_EQ(c, -XEN_EINVAL, conf_hc(c, c->v1, HYPERVISOR_event_channel_op,
                                           EVTCHNOP_bind_virq, va, 0, 0, 0));
    CONF_EXPECT_EQ(c, ECS_FREE, c->d1->evtchn[1].state);
}

/*
 * The limit lowered (by the toolstack) after a pair was bound above it: the guest can no longer
 * name that port, but the monitor still delivers to it and tears the pair down cleanly from the
 * other side, so the audit finds no half-linked pair.
 */
static void xp_limit_lowered_after_bind(struct conf_ctx *c)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 2 };
    struct evtchn_send snd = { .port = 1 };
    struct evtchn_close cl = { .port = 1 };
    uint16_t reset_dom = DOMID_SELF;
    gva_t v1a = conf_scratch(c, c->d1, 0), v2a = conf_scratch(c, c->d2, 0);
    uint32_t port = 0;

    /* dom1: ports 1..4 taken, port 5 offered to dom2, which binds it as its port 1. */
    for (uint32_t want = 1; want <= 5; want++) {
        if (conf_put(c, c->v1, v1a, &au, sizeof(au)) < 0)
            return;
        CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
                              v1a, 0, 0, 0));
        if (conf_get(c, c->v1, v1a, &au, sizeof(au)) < 0)
            return;
        port = au.port;
    }
    struct evtchn_bind_interdomain bi = { .remote_dom = 1, .remote_port = port };
    if (conf_put(c, c->v2, v2a, &bi, sizeof(bi)) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v2, HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, v2a,
                          0, 0, 0));
    c->d1->max_evtchn_port = XP_LOWERED_LIMIT;

    if (conf_put(c, c->v2, v2a, &snd, sizeof(snd)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v2, HYPERVISOR_event_channel_op, EVTCHNOP_send, v2a,
                                 0, 0, 0));
    CONF_EXPECT(c, c->d1->evtchn[port].pending);
    snd.port = port;
    if (conf_put(c, c->v1, v1a, &snd, sizeof(snd)) < 0)
        return;
    CONF_EXPECT_EQ(c, -XEN_EINVAL, conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_send,
                                           v1a, 0, 0, 0));
    if (conf_put(c, c->v2, v2a, &cl, sizeof(cl)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v2, HYPERVISOR_event_channel_op, EVTCHNOP_close, v2a,
                                 0, 0, 0));
    CONF_EXPECT_EQ(c, ECS_UNBOUND, c->d1->evtchn[port].state);
    CONF_EXPECT_EQ(c, 2, c->d1->evtchn[port].remote_dom);
    /* A reset of the domain by itself closes every port, the one above the limit included
       (the control domain would have to pause it first). */
    if (conf_put(c, c->v1, v1a, &reset_dom, sizeof(reset_dom)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_reset,
                                 v1a, 0, 0, 0));
    CONF_EXPECT_EQ(c, ECS_FREE, c->d1->evtchn[port].state);
}

static const struct xp_row xp_send = { EVTCHNOP_send, false };
static const struct xp_row xp_close = { EVTCHNOP_close, false };
static const struct xp_row xp_unmask = { EVTCHNOP_unmask, false };
static const struct xp_row xp_status = { EVTCHNOP_status, false };
static const struct xp_row xp_bind_vcpu = { EVTCHNOP_bind_vcpu, false };
static const struct xp_row xp_inter = { EVTCHNOP_bind_interdomain, false };
static const struct xp_row xp_send_low = { EVTCHNOP_send, true };
static const struct xp_row xp_unmask_low = { EVTCHNOP_unmask, true };
static const struct xp_row xp_status_low = { EVTCHNOP_status, true };
static const struct xp_row xp_inter_low = { EVTCHNOP_bind_interdomain, true };

static const struct conf_case xsa_cases[] = {
    { "xsa212_out_end_in_xen",          xm_run, &xm_out_end_in_xen },
    { "xsa212_out_in_xen",              xm_run, &xm_out_in_xen },
    { "xsa212_in_in_xen",               xm_run, &xm_in_in_xen },
    { "xsa212_out_end_unmapped",        xm_run, &xm_out_end_unmapped },
    { "xsa212_in_end_unmapped",         xm_run, &xm_in_end_unmapped },
    { "xsa212_out_noncanonical",        xm_run, &xm_out_noncanonical },
    { "xsa212_nr_exchanged_into_xen",   xm_run, &xm_nr_exchanged_into_xen },
    { "xsa212_index_overflows",         xm_run, &xm_index_overflows },
    { "xsa212_address_wraps",           xm_run, &xm_address_wraps },
    { "xsa342_send",                    xp_run, &xp_send },
    { "xsa342_close",                   xp_run, &xp_close },
    { "xsa342_unmask",                  xp_run, &xp_unmask },
    { "xsa342_status",                  xp_run, &xp_status },
    { "xsa342_bind_vcpu",               xp_run, &xp_bind_vcpu },
    { "xsa342_bind_interdomain",        xp_run, &xp_inter },
    { "xsa342_send_lowered_limit",      xp_run, &xp_send_low },
    { "xsa342_unmask_lowered_limit",    xp_run, &xp_unmask_low },
    { "xsa342_status_lowered_limit",    xp_run, &xp_status_low },
    { "xsa342_interdomain_lowered",     xp_run, &xp_inter_low },
    { "xsa342_alloc_stops_at_limit",    xp_alloc_stops_at_limit, NULL },
    { "xsa342_last_port_usable",        xp_last_port_usable, NULL },
    { "xsa342_vcpu_not_truncated",      xp_vcpu_not_truncated, NULL },
    { "xsa342_limit_lowered_after_bind", xp_limit_lowered_after_bind, NULL },
};
CONF_AREA("xsa_memory_evtchn", xsa_cases)
