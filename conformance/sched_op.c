/* sched_op conformance: yield, block, shutdown, poll and remote_shutdown with their errors. */
#include "conformance.h"

/*
 * Rows run from dom1 (or dom0 for remote_shutdown). The argument struct goes in the caller's
 * scratch page 0, a ports array for poll in scratch page 1.
 */
enum so_sd { SO_SD_UNCHECKED = 0, SO_SD_RUNNING, SO_SD_DOWN };
enum so_handle { SO_OK = 0, SO_UNMAPPED, SO_XEN_RANGE, SO_PORTS_UNMAPPED };

struct so_row {
    uint32_t cmd;
    bool     from_dom0;
    uint32_t reason;            /* shutdown / remote_shutdown */
    domid_t  target;            /* remote_shutdown */
    uint32_t nr_ports;          /* poll */
    evtchn_port_t port;         /* poll: every entry of the array */
    enum so_handle handle;
    long     expect;
    int      target_shutdown;   /* dom1's (or the remote target's): SO_SD_*, 0 not checked */
    bool     blocked_after;     /* expected v->blocked of the caller */
};

static void so_run(struct conf_ctx *c)
{
    const struct so_row *r = c->data;
    struct vcpu *v = r->from_dom0 ? c->v0 : c->v1;
    struct domain *d = r->from_dom0 ? c->d0 : c->d1;
    gva_t va = conf_scratch(c, d, 0), ports = conf_scratch(c, d, 1);
    long rc;

    switch (r->cmd) {
    case SCHEDOP_shutdown: {
        struct sched_shutdown s = { .reason = r->reason };
        if (conf_put(c, v, va, &s, sizeof(s)) < 0)
            return;
        break;
    }
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown s = { .domain_id = r->target, .reason = r->reason };
        if (conf_put(c, v, va, &s, sizeof(s)) < 0)
            return;
        break;
    }
    case SCHEDOP_poll: {
        evtchn_port_t arr[8];
        for (unsigned i = 0; i < 8; i++)
            arr[i] = r->port;
        if (conf_put(c, v, ports, arr, sizeof(arr)) < 0)
            return;
        struct sched_poll p = { .ports = r->handle == SO_PORTS_UNMAPPED ?
                                         DOM_VA(CONF_DOM_PAGES + 1) : ports,
                                .nr_ports = r->nr_ports };
        if (conf_put(c, v, va, &p, sizeof(p)) < 0)
            return;
        break;
    }
    default:
        break;
    }
    if (r->handle == SO_UNMAPPED)
        va = DOM_VA(CONF_DOM_PAGES + 2);
    else if (r->handle == SO_XEN_RANGE)
        va = XEN_VIRT_START + 0x1000;

    rc = conf_hc(c, v, HYPERVISOR_sched_op, r->cmd, va, 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    CONF_EXPECT_EQ(c, r->blocked_after, v->blocked);
    if (r->target_shutdown != SO_SD_UNCHECKED) {
        struct domain *t = r->cmd == SCHEDOP_remote_shutdown ? dom_get(c->hv, r->target) : d;
        if (!t) {
            CONF_FAIL(c, "shutdown target dom%u vanished", (unsigned)r->target);
            return;
        }
        CONF_EXPECT_EQ(c, r->target_shutdown == SO_SD_DOWN, t->shutdown);
        if (r->target_shutdown == SO_SD_DOWN) {
            CONF_EXPECT_EQ(c, r->reason, t->shutdown_reason);
            /* a shut-down domain's vCPUs run no more hypercalls */
            CONF_EXPECT(c, !vcpu_runnable(c->hv, &t->vcpu[0]));
        }
    }
}

#define SO(...) (&(const struct so_row){ __VA_ARGS__ })
static const struct conf_case so_cases[] = {
    { "yield", so_run, SO(.cmd = SCHEDOP_yield, .target_shutdown = SO_SD_RUNNING) },
    { "block_without_events", so_run, SO(.cmd = SCHEDOP_block, .blocked_after = true) },
    { "shutdown_poweroff", so_run, SO(.cmd = SCHEDOP_shutdown, .reason = SHUTDOWN_poweroff,
      .target_shutdown = SO_SD_DOWN) },
    { "shutdown_crash", so_run, SO(.cmd = SCHEDOP_shutdown, .reason = SHUTDOWN_crash,
      .target_shutdown = SO_SD_DOWN) },
    { "shutdown_unmapped_efault", so_run, SO(.cmd = SCHEDOP_shutdown, .handle = SO_UNMAPPED,
      .expect = -XEN_EFAULT, .target_shutdown = SO_SD_RUNNING) },
    { "shutdown_xen_range_efault", so_run, SO(.cmd = SCHEDOP_shutdown, .handle = SO_XEN_RANGE,
      .expect = -XEN_EFAULT, .target_shutdown = SO_SD_RUNNING) },
    { "poll_no_ports_blocks", so_run, SO(.cmd = SCHEDOP_poll, .nr_ports = 0,
      .blocked_after = true) },
    { "poll_idle_port_blocks", so_run, SO(.cmd = SCHEDOP_poll, .nr_ports = 4, .port = 1,
      .blocked_after = true) },
    { "poll_too_many_ports_einval", so_run, SO(.cmd = SCHEDOP_poll, .nr_ports = 129, .port = 1,
      .expect = -XEN_EINVAL) },
    { "poll_bad_port_einval", so_run, SO(.cmd = SCHEDOP_poll, .nr_ports = 2,
      .port = EVTCHN_MAX_PORTS, .expect = -XEN_EINVAL) },
    { "poll_unmapped_ports_efault", so_run, SO(.cmd = SCHEDOP_poll, .nr_ports = 2,
      .handle = SO_PORTS_UNMAPPED, .expect = -XEN_EFAULT) },
    { "poll_unmapped_struct_efault", so_run, SO(.cmd = SCHEDOP_poll, .handle = SO_UNMAPPED,
      .expect = -XEN_EFAULT) },
    { "remote_shutdown_by_dom0", so_run, SO(.cmd = SCHEDOP_remote_shutdown, .from_dom0 = true,
      .target = 2, .reason = SHUTDOWN_reboot, .target_shutdown = SO_SD_DOWN) },
    { "remote_shutdown_unprivileged_eperm", so_run, SO(.cmd = SCHEDOP_remote_shutdown,
      .target = 2, .reason = SHUTDOWN_poweroff, .expect = -XEN_EPERM,
      .target_shutdown = SO_SD_RUNNING) },
    { "remote_shutdown_unknown_esrch", so_run, SO(.cmd = SCHEDOP_remote_shutdown,
      .from_dom0 = true, .target = 6, .expect = -XEN_ESRCH) },
    { "unknown_cmd_enosys", so_run, SO(.cmd = 42, .expect = -XEN_ENOSYS) },
};
CONF_AREA("sched_op", so_cases)
