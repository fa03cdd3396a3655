/* Audit: event channels bound by hypercall, then a destroyed domain, audit clean. */
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"

/* Issue an event_channel_op with its argument struct placed in data page gfn of the caller. */
static long cd_evtchn(struct hv *hv, domid_t id, unsigned cmd, void *op, size_t len)
{
    gfn_t g = AU_DATA_GFN + 8;
    memcpy(frame_mem(hv, au_mfn(hv, id, g)), op, len);
    uint64_t args[6] = { cmd, DOM_VA(g) };
    long rc = hv_hypercall(hv, &hv->dom[id].vcpu[0], HYPERVISOR_event_channel_op, args);
    memcpy(op, frame_mem(hv, au_mfn(hv, id, g)), len);
    return rc;
}

/*
 * dom1 offers a port to dom2 and dom2 binds it: the pair must satisfy EVTCHN. Destroying dom2 then
 * returns its frames and leaves dom1's end unbound; nothing may be left behind for I1..I9.
 */
TEST(audit_clean_destroy)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 2 };
    TEST_EQ(0, cd_evtchn(hv, 1, EVTCHNOP_alloc_unbound, &au, sizeof(au)));
    struct evtchn_bind_interdomain bi = { .remote_dom = 1, .remote_port = au.port };
    TEST_EQ(0, cd_evtchn(hv, 2, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)));
    TEST_EQ(ECS_INTERDOMAIN, hv->dom[1].evtchn[au.port].state);
    au_expect_clean(hv, "interdomain pair bound");

    TEST_EQ(0, dom_destroy(hv, &hv->dom[2]));
    au_expect_clean(hv, "dom2 destroyed");
    hv_destroy(hv);
}
