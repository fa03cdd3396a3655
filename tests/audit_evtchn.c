/* Audit EVTCHN: an interdomain pair whose ends no longer point at each other is reported. */
#include "audit_util.h"

/*
 * dom1 port 3 and dom2 port 4 are bound to each other (set up by hand, checked clean first). Then
 * dom2's end is re-pointed at a port dom1 never bound: a send would signal the wrong channel.
 * Ports are written through evtchn_w, as every monitor write is: the incremental audit compares
 * only ports below the evtchn_hi mark it keeps.
 */
TEST(audit_evtchn)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct evtchn *a = evtchn_w(&hv->dom[1], 3), *b = evtchn_w(&hv->dom[2], 4);
    a->state = ECS_INTERDOMAIN;
    a->remote_dom = 2;
    a->remote_port = 4;
    b->state = ECS_INTERDOMAIN;
    b->remote_dom = 1;
    b->remote_port = 3;
    au_expect_clean(hv, "evtchn pair");
    b->remote_port = 5;
    au_expect_only(hv, INV_EVTCHN, MFN_INVALID, 2, "evtchn broken pair");
    hv_destroy(hv);
}
