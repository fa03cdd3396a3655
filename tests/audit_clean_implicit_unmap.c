/* Audit: a mapper crashed by an implicit grant unmap, then the granter destroyed, audits clean. */
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"

#define IU_ARG_GFN (AU_DATA_GFN + 9)

static long iu_map(struct hv *hv, struct gnttab_map_grant_ref *op)
{
    uint8_t *arg = frame_mem(hv, au_mfn(hv, 2, IU_ARG_GFN));
    memcpy(arg, op, sizeof(*op));
    uint64_t args[6] = { GNTTABOP_map_grant_ref, DOM_VA(IU_ARG_GFN), 1 };
    long rc = hv_hypercall(hv, &hv->dom[2].vcpu[0], HYPERVISOR_grant_table_op, args);
    memcpy(op, arg, sizeof(*op));
    return rc;
}

/*
 * dom2 host-maps a grant of dom1, then drops the L2 entry of the L1 holding the grant PTE: the L1
 * is devalidated, its refs dropped and dom2 crashed, but its maptrack entry and dom1's pin stay
 * (Xen's implicit unmap). dom1 is then destroyed and released although dom2's maptrack still names
 * it. Found by random MMU and grant operations with the audit after each: all of it is legal.
 */
TEST(audit_clean_implicit_unmap)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN + 3);
    struct grant_entry_v1 ge = { .flags = GTF_permit_access, .domid = 2, .frame = (uint32_t)m };
    memcpy(frame_mem(hv, hv->dom[1].gnt.frames[0]) + 9 * sizeof(ge), &ge, sizeof(ge));
    struct gnttab_map_grant_ref host = { .host_addr = DOM_VA(AU_FREE_SLOT),
                                         .flags = GNTMAP_host_map, .ref = 9, .dom = 1 };
    TEST_EQ(0, iu_map(hv, &host));
    TEST_EQ(GNTST_okay, host.status);
    au_expect_clean(hv, "grant mapped");

    struct domain *d2 = &hv->dom[2];
    unsigned l2i = (unsigned)((DOM_VA_BASE >> 21) & 511U);
    TEST_EQ(0, mod_pt_entry(hv, &d2->vcpu[0], au_mfn(hv, 2, DOM_GFN_L2), 2, l2i, 0, d2, false,
                            false));
    CU_ASSERT(d2->shutdown && d2->shutdown_reason == SHUTDOWN_crash);
    CU_ASSERT(d2->gnt.maptrack[host.handle].in_use);
    au_expect_clean(hv, "mapper crashed by implicit unmap");

    TEST_EQ(0, dom_destroy(hv, &hv->dom[1]));
    CU_ASSERT(!hv->dom[1].exists);
    au_expect_clean(hv, "granter gone, mapper's maptrack stale");
    TEST_EQ(0, dom_destroy(hv, d2));
    au_expect_clean(hv, "mapper destroyed");
    hv_destroy(hv);
}
