/* Audit FLUSH: a TLB entry a flushing hypercall promised to drop, left behind, is reported. */
#include "hvfuzz/hypercall.h"
#include "audit_util.h"

/*
 * XSA-286's class: the guest changed a mapping and asked for the flush, the monitor said yes and
 * some vCPU kept translating through the old entry. The real monitor keeps its promise (checked
 * clean first); the skipped flush is planted by putting back, after the call, the entry one vCPU
 * held before it. Once for update_va_mapping (UVMF_INVLPG | UVMF_ALL) and once for mmuext
 * INVLPG_MULTI with a guest vCPU mask. An entry filled after the promise is the guest's business
 * and is not judged by it.
 */

#define AF_OPS_GFN (AU_DATA_GFN + 2U)   /* where the mmuext op and the vCPU mask go */

static unsigned af_slot(gva_t va)
{
    return (unsigned)((va >> PAGE_SHIFT) % HV_TLB_ENTRIES);
}

static long af_update_va(struct hv *hv, struct vcpu *v, gva_t va, mfn_t to, uint64_t flags)
{
    uint64_t args[6] = { va, (to << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER, flags };
    return hv_hypercall(hv, v, HYPERVISOR_update_va_mapping, args);
}

static unsigned af_flush_check(struct hv *hv, const char *label)
{
    struct audit_report r;
    unsigned n = audit_run_flush(hv, &r);
    for (unsigned i = 0; i < r.n; i++) {
        char line[192];
        audit_format(&r.v[i], line, sizeof(line));
        printf("  [%s] %s\n", label, line);
    }
    return n;
}

static void af_expect_flush(struct hv *hv, mfn_t stale, const char *label)
{
    struct audit_report r;
    TEST_EQ(1, af_flush_check(hv, label));
    audit_run_flush(hv, &r);
    TEST_EQ(INV_FLUSH, r.v[0].inv);
    TEST_EQ(stale, r.v[0].mfn);
    TEST_EQ(1, r.v[0].dom);
}

TEST(audit_flush)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v0 = &hv->dom[1].vcpu[0], *v1 = &hv->dom[1].vcpu[1];
    gva_t va = DOM_VA(AU_DATA_GFN);
    mfn_t a = au_mfn(hv, 1, AU_DATA_GFN), b = au_mfn(hv, 1, AU_DATA_GFN + 1U);
    uint64_t x;

    /* update_va_mapping: both vCPUs cache va -> a, the call moves va to b and flushes all */
    TEST_EQ(0, guest_read(hv, v0, va, &x, sizeof(x), NULL));
    TEST_EQ(0, guest_read(hv, v1, va, &x, sizeof(x), NULL));
    struct tlb_entry held = v1->tlb[af_slot(va)];
    TEST_EQ(a, held.mfn);
    TEST_EQ(0, af_update_va(hv, v0, va, b, UVMF_INVLPG | UVMF_ALL));
    TEST_EQ(1, hv->flush_promised > 0);
    TEST_EQ(0, af_flush_check(hv, "flush kept"));
    v1->tlb[af_slot(va)] = held;
    af_expect_flush(hv, a, "update_va_mapping flush skipped on vcpu 1");
    tlb_promise_clear(hv);
    TEST_EQ(0, af_flush_check(hv, "promises cleared"));
    au_expect_clean(hv, "a stale l1 translation without a promise is the guest's business");

    /* mmuext INVLPG_MULTI for vCPU 1 only: vCPU 1 caches va -> a again, va moves back to b */
    tlb_flush_va(v1, va);
    TEST_EQ(0, af_update_va(hv, v0, va, a, UVMF_NONE));
    TEST_EQ(0, guest_read(hv, v1, va, &x, sizeof(x), NULL));
    held = v1->tlb[af_slot(va)];
    TEST_EQ(0, af_update_va(hv, v0, va, b, UVMF_NONE));
    gva_t ops = DOM_VA(AF_OPS_GFN);
    uint64_t mask = 1U << 1;
    struct mmuext_op op = { .cmd = MMUEXT_INVLPG_MULTI, .arg1 = va, .arg2 = ops + 64U };
    TEST_EQ(0, guest_write(hv, v0, ops, &op, sizeof(op), NULL));
    TEST_EQ(0, guest_write(hv, v0, ops + 64U, &mask, sizeof(mask), NULL));
    tlb_promise_clear(hv);
    uint64_t args[6] = { ops, 1, 0, DOMID_SELF };
    TEST_EQ(0, hv_hypercall(hv, v0, HYPERVISOR_mmuext_op, args));
    TEST_EQ(0, af_flush_check(hv, "invlpg_multi kept"));
    /* an entry filled after the promise, however wrong, is not the promise's */
    tlb_insert(v1, va, a, _PAGE_USER);
    TEST_EQ(0, af_flush_check(hv, "entry filled after the promise"));
    v1->tlb[af_slot(va)] = held;
    af_expect_flush(hv, a, "invlpg_multi skipped on vcpu 1");
    hv_destroy(hv);
}
