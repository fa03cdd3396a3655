/* Bug zoo, memory and event channels: XSA-212 and XSA-342 switched on, caught by the oracles. */
#include <string.h>
#include "zoo_conf.h"

/*
 * The xsa_memory_evtchn cases show the fixed rules; these run one trigger each with the switch on
 * and check that the oracle reports the registry's signature first (corpora/zoo/xsa212.txt and
 * xsa342.txt are the same triggers as programs).
 */

/* XSA-212: the in-list's element nr_exchanged wraps to dom1's memory, the out-list's lands in
   Xen's range; both bases pass the base-only check. */
static void zoo_xsa212(struct conf_ctx *c)
{
    const uint64_t i = 0x1fffff0000000000ULL;     /* i * 8 == -0x80000000000 mod 2^64 */
    gva_t arg = conf_scratch(c, c->d1, 0), in = conf_scratch(c, c->d1, 1);
    struct xen_memory_exchange x;
    uint64_t gfn = DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + 5;

    memset(&x, 0, sizeof(x));
    x.in.extent_start = in + 0x80000000000ULL;
    x.out.extent_start = XEN_VIRT_END + 0x1000;
    x.in.nr_extents = x.out.nr_extents = i + 1;
    x.in.domid = x.out.domid = DOMID_SELF;
    x.nr_exchanged = i;
    zoo_conf_switch(c, HV_BUG_XSA212);
    if (conf_put(c, c->v1, in, &gfn, sizeof(gfn)) < 0 || conf_put(c, c->v1, arg, &x, sizeof(x)) < 0)
        return;
    CONF_EXPECT_EQ(c, -XEN_EFAULT, conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_exchange, arg,
                                           0, 0, 0));
    CONF_EXPECT(c, c->hv->bug_msg != NULL);
    zoo_conf_expect_caught(c, HV_BUG_XSA212);
}

/* XSA-342: dom2 binds to dom1's port p + 64; the truncated check finds port p and the new channel
   records the whole value as its peer. */
static void zoo_xsa342(struct conf_ctx *c)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 2 };
    struct evtchn_bind_interdomain bi = { .remote_dom = 1 };
    gva_t v1a = conf_scratch(c, c->d1, 0), v2a = conf_scratch(c, c->d2, 0);

    zoo_conf_switch(c, HV_BUG_XSA342);
    if (conf_put(c, c->v1, v1a, &au, sizeof(au)) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, v1a,
                          0, 0, 0));
    if (conf_get(c, c->v1, v1a, &au, sizeof(au)) < 0)
        return;
    bi.remote_port = au.port + EVTCHN_MAX_PORTS;
    if (conf_put(c, c->v2, v2a, &bi, sizeof(bi)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v2, HYPERVISOR_event_channel_op,
                                 EVTCHNOP_bind_interdomain, v2a, 0, 0, 0));
    if (conf_get(c, c->v2, v2a, &bi, sizeof(bi)) < 0)
        return;
    CONF_EXPECT_EQ(c, ECS_INTERDOMAIN, c->d1->evtchn[au.port].state);
    CONF_EXPECT_EQ(c, au.port + EVTCHN_MAX_PORTS, c->d2->evtchn[bi.local_port].remote_port);
    zoo_conf_expect_caught(c, HV_BUG_XSA342);
}

static const struct conf_case zm_cases[] = {
    { "xsa212_unchecked_copy_into_xen_caught", zoo_xsa212, NULL },
    { "xsa342_truncated_port_check_caught", zoo_xsa342, NULL },
};
CONF_AREA("zoo_memory", zm_cases)
