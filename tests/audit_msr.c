/* Audit MSR: an EFER without LME and a non-canonical FS base are reported. */
#include "audit_util.h"

/*
 * exit_msr.c's #GP rules keep LME set and bases canonical; a value past them (the zeroed vCPU
 * domctl max_vcpus once created, a write path that skipped its check) would be loaded by a real
 * CPU's WRMSR-on-entry and fault in the hypervisor. Planted on dom1's vCPU 1.
 */
TEST(audit_msr)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v = &hv->dom[1].vcpu[1];
    au_expect_clean(hv, "msr before");
    uint64_t efer = v->msr.efer;
    v->msr.efer = 0;
    au_expect_only(hv, INV_MSR, MFN_INVALID, 1, "efer without LME");
    v->msr.efer = efer;
    v->msr.fs_base = 0x0000800000000000ULL;
    au_expect_only(hv, INV_MSR, MFN_INVALID, 1, "non-canonical fs base");
    hv_destroy(hv);
}
