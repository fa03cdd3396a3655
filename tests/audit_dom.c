/* Audit DOM: a vCPU past nr_vcpus in use, a crash without shutdown and relinquish progress of a live domain are reported. */
#include "audit_util.h"

/*
 * domctl max_vcpus takes away only vCPUs that hold nothing, and dom_vcpu refuses ids past
 * nr_vcpus, so a vCPU beyond them that is initialised is state no path can reach or clean up.
 * dom_crash always shuts down (the grant audit leans on it), and relinquish progress outside
 * destruction would make a later destroy skip stages. Planted one at a time on dom1.
 */
TEST(audit_dom)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    au_expect_clean(hv, "dom before");
    d->vcpu[HV_MAX_VCPUS - 1U].initialised = true;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "vcpu past nr_vcpus initialised");
    d->vcpu[HV_MAX_VCPUS - 1U].initialised = false;

    d->crashed = true;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "crashed but not shut down");
    d->crashed = false;

    d->relinquish_stage = 2;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "relinquish progress of a live domain");
    d->relinquish_stage = 0;
    au_expect_clean(hv, "dom after");
    hv_destroy(hv);
}
