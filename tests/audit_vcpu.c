/* Audit VCPU: a vCPU base pointer naming a table that is not an L4 is reported. */
#include "audit_util.h"

/*
 * dom1 vCPU 1's kernel base pointer is moved from the L4 to the L3 with the general refs moved
 * along (a NEW_BASEPTR that skipped the type check would do exactly that): the walker would then
 * run the L3 as a top-level table.
 */
TEST(audit_vcpu)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "vcpu before");
    struct vcpu *v = &hv->dom[1].vcpu[1];
    mfn_t l4 = au_mfn(hv, 1, DOM_GFN_L4), l3 = au_mfn(hv, 1, DOM_GFN_L3);
    TEST_EQ(l4, v->guest_table);
    hv->frames[l4].count--;
    hv->frames[l4].type_count--;
    hv->frames[l3].count++;
    v->guest_table = l3;
    au_expect_only(hv, INV_VCPU, l3, 1, "vcpu base pointer to l3");
    hv_destroy(hv);
}
