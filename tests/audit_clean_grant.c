/* Audit: a grant's whole life (map, use, unmap, granter destroyed while still mapped) audits clean. */
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"

#define CG_ARG_GFN (AU_DATA_GFN + 9)   /* the mapper's page for hypercall arguments */

/* Issue a grant_table_op of one element whose struct is placed in the caller's argument page. */
static long cg_gnttab(struct hv *hv, domid_t id, unsigned cmd, void *op, size_t len)
{
    uint8_t *arg = frame_mem(hv, au_mfn(hv, id, CG_ARG_GFN));
    memcpy(arg, op, len);
    uint64_t args[6] = { cmd, DOM_VA(CG_ARG_GFN), 1 };
    long rc = hv_hypercall(hv, &hv->dom[id].vcpu[0], HYPERVISOR_grant_table_op, args);
    memcpy(op, arg, len);
    return rc;
}

/*
 * dom1 grants a data page to dom2, which maps it twice: a host mapping at an empty VA and a
 * read-only device mapping. Reading through the host mapping fills dom2's TLB with dom1's frame
 * (legal while the grant is mapped). After the host unmap the TLB must no longer hold it. dom1 is
 * then destroyed while dom2's device mapping still holds its frame: dom1 stays a zombie whose
 * grant table is gone, which is still consistent. The last unmap ends the zombie.
 */
TEST(audit_clean_grant)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN + 3);
    memcpy(frame_mem(hv, m), "granted", 8);
    struct grant_entry_v1 ge = { .flags = GTF_permit_access, .domid = 2, .frame = (uint32_t)m };
    memcpy(frame_mem(hv, hv->dom[1].gnt.frames[0]) + 9 * sizeof(ge), &ge, sizeof(ge));

    gva_t va = DOM_VA(AU_FREE_SLOT);
    struct gnttab_map_grant_ref host = { .host_addr = va, .flags = GNTMAP_host_map, .ref = 9,
                                         .dom = 1 };
    TEST_EQ(0, cg_gnttab(hv, 2, GNTTABOP_map_grant_ref, &host, sizeof(host)));
    TEST_EQ(GNTST_okay, host.status);
    struct gnttab_map_grant_ref dev = { .flags = GNTMAP_device_map | GNTMAP_readonly, .ref = 9,
                                        .dom = 1 };
    TEST_EQ(0, cg_gnttab(hv, 2, GNTTABOP_map_grant_ref, &dev, sizeof(dev)));
    TEST_EQ(GNTST_okay, dev.status);
    au_expect_clean(hv, "grant mapped host and device");

    char buf[8] = { 0 };
    TEST_EQ(0, guest_read(hv, &hv->dom[2].vcpu[0], va, buf, sizeof(buf), NULL));
    TEST_EQ(0, memcmp(buf, "granted", 8));
    au_expect_clean(hv, "read through the grant");

    struct gnttab_unmap_grant_ref un = { .host_addr = va, .handle = host.handle };
    TEST_EQ(0, cg_gnttab(hv, 2, GNTTABOP_unmap_grant_ref, &un, sizeof(un)));
    TEST_EQ(GNTST_okay, un.status);
    au_expect_clean(hv, "host mapping unmapped");

    TEST_EQ(0, dom_destroy(hv, &hv->dom[1]));
    CU_ASSERT(hv->dom[1].exists && hv->dom[1].dying);
    au_expect_clean(hv, "granter destroyed while its frame is mapped");

    struct gnttab_unmap_grant_ref undev = { .dev_bus_addr = dev.dev_bus_addr,
                                            .handle = dev.handle };
    TEST_EQ(0, cg_gnttab(hv, 2, GNTTABOP_unmap_grant_ref, &undev, sizeof(undev)));
    TEST_EQ(GNTST_okay, undev.status);
    CU_ASSERT(!hv->dom[1].exists);
    au_expect_clean(hv, "last mapping of the zombie gone");
    hv_destroy(hv);
}
