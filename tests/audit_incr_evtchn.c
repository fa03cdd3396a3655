/* Incremental audit, event channels: only ports that moved, or whose peer moved, are checked, and a fault in either is still found. */
#include "audit_util.h"

/*
 * The incremental EVTCHN pass checks only the ports whose entry differs from the snapshot's
 * (below evtchn_hi, the mark evtchn_w raises) and the ports a differing entry was the peer of
 * then; it checks every port while a domain's existence, id or nr_vcpus moved. Before the
 * snapshot, dom1 port 3 and dom2 port 4 are bound to each other and dom1 port 5 is a VIRQ
 * notifying vCPU 1. Each case changes one thing after it and compares EVTCHN in the incremental
 * report with EVTCHN in the full one: the peer end freed (only the unchanged end is wrong), the
 * peer end re-pointed, a bad state past the first block of ports and at the last valid port,
 * a port rewritten as it was (clean), nr_vcpus lowered under the unchanged VIRQ port. Dropping
 * the peer rule misses the first, comparing too few ports the third and fourth, keeping the
 * skip when nr_vcpus moved the last.
 */

static void incr_evtchn_setup(struct hv *hv)
{
    struct evtchn *a = evtchn_w(&hv->dom[1], 3), *b = evtchn_w(&hv->dom[2], 4);
    a->state = ECS_INTERDOMAIN;
    a->remote_dom = 2;
    a->remote_port = 4;
    b->state = ECS_INTERDOMAIN;
    b->remote_dom = 1;
    b->remote_port = 3;
    struct evtchn *v = evtchn_w(&hv->dom[1], 5);
    v->state = ECS_VIRQ;
    v->virq = 1;
    v->notify_vcpu = 1;
}

static void incr_evtchn_peer_freed(struct hv *hv)
{
    *evtchn_w(&hv->dom[2], 4) = (struct evtchn){ .state = ECS_FREE };
}

static void incr_evtchn_peer_moved(struct hv *hv)
{
    evtchn_w(&hv->dom[2], 4)->remote_port = 6;
}

static void incr_evtchn_bad_state_40(struct hv *hv)
{
    evtchn_w(&hv->dom[1], 40)->state = ECS_IPI + 1U;
}

static void incr_evtchn_bad_state_last(struct hv *hv)
{
    evtchn_w(&hv->dom[2], hv->dom[2].evtchn_valid - 1U)->state = ECS_IPI + 1U;
}

static void incr_evtchn_rewrite(struct hv *hv)
{
    struct evtchn keep = hv->dom[1].evtchn[3];
    *evtchn_w(&hv->dom[1], 3) = keep;
}

static void incr_evtchn_vcpus(struct hv *hv)
{
    hv->dom[1].nr_vcpus = 1;
}

static const struct au_incr_case incr_evtchn_cases[] = {
    { "peer end freed, this end unchanged", incr_evtchn_peer_freed, true, true },
    { "peer end re-pointed", incr_evtchn_peer_moved, true, true },
    { "bad state at port 40", incr_evtchn_bad_state_40, true, true },
    { "bad state at the last valid port", incr_evtchn_bad_state_last, true, true },
    { "port rewritten as it was", incr_evtchn_rewrite, false, true },
    { "nr_vcpus lowered under an unchanged VIRQ port", incr_evtchn_vcpus, true, false },
};

TEST(audit_incr_evtchn)
{
    au_incr_cases_from(incr_evtchn_setup, incr_evtchn_cases,
                       sizeof(incr_evtchn_cases) / sizeof(incr_evtchn_cases[0]),
                       INV_EVTCHN, true);
}
