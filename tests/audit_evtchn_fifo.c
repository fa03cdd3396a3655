/* Audit EVTCHN and I1/I2: the FIFO ABI's pages must hold their refs, and ports past evtchn_valid stay empty. */
#include "hvfuzz/hypercall.h"
#include "audit_util.h"

/*
 * dom1 maps a data page as its vCPU 0 control block through the hypercall, which is clean. Then
 * the writable type ref the mapping holds is lost (as a release path that put it twice would):
 * the frame's type count no longer matches its sources, so the page could become a page table
 * while the monitor still writes it.
 * Second, a port bound past evtchn_valid, where every loop over ports stops, is reported by the
 * full audit.
 */
TEST(audit_evtchn_fifo)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);
    gva_t va = DOM_VA(AU_DATA_GFN + 1);
    struct evtchn_init_control ic = { .control_gfn = m, .offset = 0, .vcpu = 0 };
    uint64_t args[6] = { EVTCHNOP_init_control, va, 0, 0, 0, 0 };

    TEST_EQ(0, copy_to_guest(hv, &d->vcpu[0], va, &ic, sizeof(ic)));
    TEST_EQ(0, hv_hypercall(hv, &d->vcpu[0], HYPERVISOR_event_channel_op, args));
    TEST_EQ(m + 1U, d->fifo.control[0]);
    au_expect_clean(hv, "fifo control block mapped");
    frame_w(hv, m)->type_count--;   /* the mapping's writable type ref lost */
    au_expect_only(hv, INV_I2_TYPE, m, DOMID_INVALID, "fifo page without its type ref");
    frame_w(hv, m)->type_count++;
    au_expect_clean(hv, "fifo type ref back");

    evtchn_w(d, d->evtchn_valid + 5)->state = ECS_IPI;   /* a write past the valid ports */
    au_expect_only(hv, INV_EVTCHN, MFN_INVALID, 1, "port bound past evtchn_valid");
    hv_destroy(hv);
}
