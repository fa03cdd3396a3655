/* Migration oracle: a write the stream missed and a PTE sent uncanonicalised are reported. */
#include <stdio.h>
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/migrate.h"

/* A page of the stream that no longer matches its source (planted after round 1: the page was
   sent by begin and never again) is restored wrong: migrate:memory naming the pfn and the
   round. A write that log-dirty missed is the audit's (LOGDIRTY), reported at the last clean. */
static void mo_missed_write(void)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct mig_report rep;
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_ROUND, &rep));
    mig_stream_fill(hv);   /* the page may be held by reference until its frame's next write */
    hv->mig_stream->s.data[(size_t)(AU_DATA_GFN + 3) * PAGE_SIZE + 40] ^= 0x77;
    TEST_EQ(1, mig_op(hv, 1, MIGRATE_FINISH, &rep));
    TEST_EQ(1, rep.found);
    TEST_EQ(0, strcmp(rep.what, "memory"));
    char want[64];
    snprintf(want, sizeof(want), "pfn 0x%x ", (unsigned)(AU_DATA_GFN + 3));
    CU_ASSERT(strstr(rep.detail, want) != NULL);
    CU_ASSERT(strstr(rep.detail, "round 0") != NULL);   /* sent by begin, never again */
    fprintf(stderr, "  planted stream page: migrate:%s: %s\n", rep.what, rep.detail);
    hv_destroy(hv);

    hv = au_machine();
    if (!hv)
        return;
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    frame_mem_w_nolog(hv, au_mfn(hv, 1, AU_DATA_GFN + 3))[40] = 0x77;
    TEST_EQ(1, mig_op(hv, 1, MIGRATE_FINISH, &rep));
    TEST_EQ(0, strcmp(rep.what, "LOGDIRTY"));
    hv_destroy(hv);
}

/* With mig-canon, an L1 re-sent in a later round keeps its mfns: migrate:pagetable or a
   restore that cannot place the entry. */
static void mo_canon(void)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct mig_report rep;
    hv->bugs |= 1ULL << HV_BUG_MIG_CANON;
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    uint64_t args[6] = { DOM_VA(AU_DATA_GFN + 2), 0, UVMF_INVLPG, 0, 0, 0 };
    TEST_EQ(0, hv_hypercall(hv, &hv->dom[1].vcpu[0], HYPERVISOR_update_va_mapping, args));
    mig_op(hv, 1, MIGRATE_FINISH, &rep);
    TEST_EQ(1, rep.found);
    CU_ASSERT(strcmp(rep.what, "pagetable") == 0 || strcmp(rep.what, "restore") == 0);
    fprintf(stderr, "  mig-canon: migrate:%s: %s\n", rep.what, rep.detail);
    hv_destroy(hv);
}

/* With mig-last-round, a store after the last round is not sent. */
static void mo_last_round(void)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct mig_report rep;
    uint64_t x = 0x1234;
    hv->bugs |= 1ULL << HV_BUG_MIG_LAST_ROUND;
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_ROUND, &rep));
    TEST_EQ(0, guest_write(hv, &hv->dom[1].vcpu[0], DOM_VA(AU_DATA_GFN), &x, sizeof(x), NULL));
    TEST_EQ(1, mig_op(hv, 1, MIGRATE_FINISH, &rep));
    TEST_EQ(1, rep.found);
    TEST_EQ(0, strcmp(rep.what, "memory"));
    hv_destroy(hv);
}

TEST(migrate_oracle)
{
    mo_missed_write();
    mo_canon();
    mo_last_round();
}
