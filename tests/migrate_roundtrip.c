/* Migration round trip: pre-copy rounds with writes between them restore an equal domain. */
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/migrate.h"

/*
 * dom1 of the audit machine migrates with guest stores before and after a round and a PTE change
 * (update_va_mapping) in between: finish returns the new domain (the same slot, the source being
 * gone), the oracle finds nothing, the audit is clean, and the restored domain reads back what
 * the source wrote through its own page tables.
 */
TEST(migrate_roundtrip)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct mig_report rep;
    uint64_t a = 0xA1A2A3A4A5A6A7A8ULL, b = 0xB1B2B3B4B5B6B7B8ULL, got = 0;
    gva_t va = DOM_VA(AU_DATA_GFN);

    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    TEST_EQ(-XEN_EBUSY, mig_op(hv, 2, MIGRATE_BEGIN, &rep));   /* one at a time */
    TEST_EQ(0, guest_write(hv, &hv->dom[1].vcpu[0], va, &a, sizeof(a), NULL));
    TEST_EQ(1, mig_op(hv, 1, MIGRATE_ROUND, &rep));
    TEST_EQ(0, guest_write(hv, &hv->dom[1].vcpu[0], va + PAGE_SIZE, &b, sizeof(b), NULL));
    uint64_t args[6] = { DOM_VA(AU_DATA_GFN + 2), 0, UVMF_INVLPG, 0, 0, 0 };
    TEST_EQ(0, hv_hypercall(hv, &hv->dom[1].vcpu[0], HYPERVISOR_update_va_mapping, args));
    TEST_EQ(1, mig_op(hv, 1, MIGRATE_FINISH, &rep));
    TEST_EQ(0, rep.found);
    if (rep.found)
        fprintf(stderr, "migrate:%s: %s\n", rep.what, rep.detail);
    struct domain *d = dom_get(hv, 1);
    CU_ASSERT_FATAL(d != NULL);
    TEST_EQ(0, d->logdirty);
    TEST_EQ(AU_DOM_PAGES, d->tot_pages);
    TEST_EQ(0, guest_read(hv, &d->vcpu[0], va + PAGE_SIZE, &got, sizeof(got), NULL));
    TEST_EQ(b, got);
    TEST_EQ(-XEN_EFAULT, guest_read(hv, &d->vcpu[0], DOM_VA(AU_DATA_GFN + 2), &got, 8, NULL));
    au_expect_clean(hv, "after the restore");
    TEST_EQ(-XEN_EINVAL, mig_op(hv, 1, MIGRATE_ROUND, &rep));   /* nothing in progress */
    TEST_EQ(-XEN_EINVAL, mig_op(hv, 0, MIGRATE_BEGIN, &rep));   /* not the toolstack itself */
    hv_destroy(hv);
}
