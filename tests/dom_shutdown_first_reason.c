/*
 * The first shutdown reason sticks, on every path that shuts a domain down (Xen's domain_shutdown
 * keeps the first code; domain_crash goes through it). SCHEDOP_shutdown, SCHEDOP_remote_shutdown
 * and a monitor-side crash used to disagree: the crash overwrote an earlier reason.
 */
#include "audit_util.h"
#include "hvfuzz/hypercall.h"

/* sched_op cmd with its argument struct placed in the caller's first data page */
static long sds_sched(struct hv *hv, domid_t caller, unsigned cmd, const void *arg, size_t len)
{
    struct vcpu *v = &hv->dom[caller].vcpu[0];
    gva_t va = DOM_VA(AU_DATA_GFN);
    uint64_t args[6] = { cmd, va };

    TEST_EQ(0, guest_write(hv, v, va, arg, len, NULL));
    return hv_hypercall(hv, v, HYPERVISOR_sched_op, args);
}

TEST(dom_shutdown_first_reason)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct sched_shutdown own = { SHUTDOWN_poweroff };
    struct sched_remote_shutdown other = { .domain_id = 1, .reason = SHUTDOWN_reboot };

    /* dom1 powers itself off; dom0's later reboot and a monitor crash leave the reason */
    TEST_EQ(0, sds_sched(hv, 1, SCHEDOP_shutdown, &own, sizeof(own)));
    TEST_EQ(SHUTDOWN_poweroff, hv->dom[1].shutdown_reason);
    TEST_EQ(0, sds_sched(hv, 0, SCHEDOP_remote_shutdown, &other, sizeof(other)));
    TEST_EQ(SHUTDOWN_poweroff, hv->dom[1].shutdown_reason);
    dom_crash(&hv->dom[1]);
    TEST_EQ(SHUTDOWN_poweroff, hv->dom[1].shutdown_reason);
    /* the audit still knows the monitor crashed it */
    CU_ASSERT(hv->dom[1].crashed);

    /* dom2 crashed first: a later shutdown request keeps the crash */
    dom_crash(&hv->dom[2]);
    TEST_EQ(SHUTDOWN_crash, hv->dom[2].shutdown_reason);
    other.domain_id = 2;
    other.reason = SHUTDOWN_poweroff;
    TEST_EQ(0, sds_sched(hv, 0, SCHEDOP_remote_shutdown, &other, sizeof(other)));
    TEST_EQ(SHUTDOWN_crash, hv->dom[2].shutdown_reason);
    CU_ASSERT(hv->dom[2].shutdown);
    hv_destroy(hv);
}
