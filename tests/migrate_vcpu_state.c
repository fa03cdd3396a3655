/* Migration: callbacks, debug registers, LDT and GDT travel; a vCPU field no stream carries is reported. */
#include <stdio.h>
#include <string.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/migrate.h"

/* dom1's vCPU 0 with a GDT in its data page 5 (mapped read-only first, as set_gdt wants), its
   callbacks, a breakpoint and an LDT; then begin and finish. */
static struct hv *mv_source(void)
{
    struct hv *hv = au_machine();
    if (!hv)
        return NULL;
    struct vcpu *v = &hv->dom[1].vcpu[0];
    mfn_t g = au_mfn(hv, 1, AU_DATA_GFN + 5);
    uint64_t uva[6] = { DOM_VA(AU_DATA_GFN + 5), ((uint64_t)g << PAGE_SHIFT) | 0x25, UVMF_INVLPG };
    TEST_EQ(0, hv_hypercall(hv, v, HYPERVISOR_update_va_mapping, uva));
    uint64_t list = g;
    TEST_EQ(0, guest_write(hv, v, DOM_VA(AU_DATA_GFN), &list, sizeof(list), NULL));
    uint64_t gdt[6] = { DOM_VA(AU_DATA_GFN), 16 };
    TEST_EQ(0, hv_hypercall(hv, v, HYPERVISOR_set_gdt, gdt));
    v->cb[CALLBACKTYPE_event] = 0x401000;
    v->cb[CALLBACKTYPE_failsafe] = 0x402000;
    v->cb[CALLBACKTYPE_syscall] = 0x403000;
    v->cb_mask = 1U << CALLBACKTYPE_failsafe;
    v->dr[0] = 0x404000;
    v->dr7 = 0x401;
    v->ldt_base = 0x405000;
    v->ldt_ents = 8;
    return hv;
}

static void mv_carried(void)
{
    struct hv *hv = mv_source();
    if (!hv)
        return;
    struct mig_report rep;
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    long id = mig_op(hv, 1, MIGRATE_FINISH, &rep);
    TEST_EQ(0, rep.found);
    if (rep.found)
        fprintf(stderr, "  unexpected: migrate:%s: %s\n", rep.what, rep.detail);
    if (id < 0 || id >= (long)HV_MAX_DOMAINS) {
        CU_FAIL("the migration did not finish");
        hv_destroy(hv);
        return;
    }
    const struct domain *n = &hv->dom[id];
    const struct vcpu *v = &n->vcpu[0];
    TEST_EQ(16, v->gdt_ents);
    TEST_EQ(n->p2m[AU_DATA_GFN + 5], v->gdt_frames[0]);
    TEST_EQ(0x401000, v->cb[CALLBACKTYPE_event]);
    TEST_EQ(0x402000, v->cb[CALLBACKTYPE_failsafe]);
    TEST_EQ(0x403000, v->cb[CALLBACKTYPE_syscall]);
    TEST_EQ(1U << CALLBACKTYPE_failsafe, v->cb_mask);
    TEST_EQ(0x404000, v->dr[0]);
    TEST_EQ(0x401, v->dr7);
    TEST_EQ(0x405000, v->ldt_base);
    TEST_EQ(8, v->ldt_ents);
    au_expect_clean(hv, "after migrating a vCPU with a GDT");
    hv_destroy(hv);
}

/* A field of struct vcpu that no list names (cr4_de: nothing sets it, so nothing carries it)
   set in the source: the oracle's whole-vCPU comparison reports it. */
static void mv_planted(void)
{
    struct hv *hv = mv_source();
    if (!hv)
        return;
    struct mig_report rep;
    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    hv->dom[1].vcpu[0].cr4_de = true;
    mig_op(hv, 1, MIGRATE_FINISH, &rep);
    TEST_EQ(1, rep.found);
    TEST_EQ(0, strcmp(rep.what, "vcpu"));
    CU_ASSERT(strstr(rep.detail, "byte") != NULL);
    fprintf(stderr, "  planted uncarried field: migrate:%s: %s\n", rep.what, rep.detail);
    hv_destroy(hv);
}

TEST(migrate_vcpu_state)
{
    mv_carried();
    mv_planted();
}
