/* Bug zoo, page tables: each re-created XSA switched on in its xsa_pagetable scenario, caught by the audit. */
#include "mmu_conf.h"
#include "zoo_conf.h"

/*
 * The xsa_pagetable cases show the fixed rules hold with every switch off. These run the same
 * scenarios with one switch on (include/hvfuzz/bugs.def), check that the bug's step now goes through, and
 * that the audit reports the registry's oracle first. The machine is then broken on purpose, so
 * the case judges the oracle itself (zoo_conf.h) instead of the runner's audit after the case.
 */
/* XSA-148: a fresh PSE|RW entry in the domain's L2 is accepted: a superpage entry in a validated
   L2 (a free slot, so that the helpers' own pages under entry 0 stay walkable). */
static void zoo_xsa148(struct conf_ctx *c)
{
    mfn_t l2 = mc_l2(c->d1);
    uint64_t e = mc_pte(mc_l1(c->d1), MC_RW | _PAGE_PSE);
    zoo_conf_switch(c, HV_BUG_XSA148);
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(l2, 9), e, DOMID_SELF));
    CONF_EXPECT_EQ(c, e, frame_ptes(c->hv, l2)[9]);
    zoo_conf_expect_caught(c, HV_BUG_XSA148);
}

/* XSA-182: a read-only L4 self-map made writable through the fast path. */
static void zoo_xsa182(struct conf_ctx *c)
{
    mfn_t l4 = mc_l4(c->d1);
    const unsigned idx = 288;
    zoo_conf_switch(c, HV_BUG_XSA182);
    CONF_SETUP(c, mc_mmu1(c, c->v1, mc_slot(l4, idx), mc_pte(l4, MC_RO), DOMID_SELF));
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(l4, idx), mc_pte(l4, MC_RW), DOMID_SELF));
    CONF_EXPECT_EQ(c, mc_pte(l4, MC_RW), frame_ptes(c->hv, l4)[idx]);
    zoo_conf_expect_caught(c, HV_BUG_XSA182);
}

/* XSA-240: A -> B -> T, a linear chain of depth 2, is accepted. */
static void zoo_xsa240(struct conf_ctx *c)
{
    mfn_t a = mc_l2(c->d1);
    mfn_t b = mc_make_table(c, c->d1, c->v1, 0, NULL, 0);
    mfn_t t = mc_make_table(c, c->d1, c->v1, 1, NULL, 0);
    if (b == MFN_INVALID || t == MFN_INVALID)
        return;
    zoo_conf_switch(c, HV_BUG_XSA240);
    CONF_SETUP(c, mc_ext1(c, c->v1, MMUEXT_PIN_L2_TABLE, b, 0, DOMID_SELF));
    CONF_SETUP(c, mc_ext1(c, c->v1, MMUEXT_PIN_L2_TABLE, t, 0, DOMID_SELF));
    CONF_SETUP(c, mc_mmu1(c, c->v1, mc_slot(b, 0), mc_pte(t, MC_RO), DOMID_SELF));
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(a, 9), mc_pte(b, MC_RO), DOMID_SELF));
    zoo_conf_expect_caught(c, HV_BUG_XSA240);
}

/* XSA-241: the stamp predates vCPU 0's last flush, so pinning skips its stale writable entry. */
static void zoo_xsa241(struct conf_ctx *c)
{
    gva_t va = conf_scratch(c, c->d1, 3);
    mfn_t m = conf_scratch_mfn(c, c->d1, 3);
    uint64_t seen;
    zoo_conf_switch(c, HV_BUG_XSA241);
    CONF_SETUP(c, mc_ext1(c, c->v1, MMUEXT_TLB_FLUSH_LOCAL, 0, 0, DOMID_SELF));
    if (conf_get(c, c->v1, va, &seen, sizeof(seen)) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_update_va_mapping, va, 0, UVMF_NONE, 0, 0));
    CONF_EXPECT_EQ(c, 0, mc_ext1(c, c->v1, MMUEXT_PIN_L1_TABLE, m, 0, DOMID_SELF));
    CONF_EXPECT(c, tlb_lookup(c->v1, va, NULL));
    zoo_conf_expect_caught(c, HV_BUG_XSA241);
}

/* XSA-286: unhooking an L1 from the L2 leaves the translation through it cached. */
static void zoo_xsa286(struct conf_ctx *c)
{
    const gva_t va = DOM_VA_BASE + (1ULL << 21);   /* L2 entry 1 */
    const uint64_t e[][2] = { { 0, mc_pte(conf_scratch_mfn(c, c->d1, 11), MC_RW) } };
    mfn_t b = mc_make_table(c, c->d1, c->v1, 10, e, 1);
    uint64_t seen;
    if (b == MFN_INVALID)
        return;
    zoo_conf_switch(c, HV_BUG_XSA286);
    CONF_SETUP(c, mc_mmu1(c, c->v1, mc_slot(mc_l2(c->d1), 1), mc_pte(b, MC_RW), DOMID_SELF));
    if (conf_get(c, c->v1, va, &seen, sizeof(seen)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(mc_l2(c->d1), 1), 0, DOMID_SELF));
    CONF_EXPECT(c, tlb_lookup(c->v1, va, NULL));
    zoo_conf_expect_caught(c, HV_BUG_XSA286);
}

/* XSA-299: a pin preempted during validation leaves a partial state without its general ref. */
static void zoo_xsa299(struct conf_ctx *c)
{
    mfn_t p = mc_make_table(c, c->d1, c->v1, 30, NULL, 0);
    gva_t op_va = mc_aux(c, c->v1) + 512, pdone_va = mc_aux(c, c->v1) + 1024;
    const struct mmuext_op pin = { .cmd = MMUEXT_PIN_L2_TABLE, .arg1 = p };
    if (p == MFN_INVALID || conf_put(c, c->v1, op_va, &pin, sizeof(pin)) < 0)
        return;
    uint64_t args[6] = { op_va, 1, pdone_va, DOMID_SELF, 0, 0 };
    zoo_conf_switch(c, HV_BUG_XSA299);
    c->hv->preempt_pattern = ~0ULL;
    CONF_EXPECT_EQ(c, -XEN_ERESTART, hv_hypercall(c->hv, c->v1, HYPERVISOR_mmuext_op, args));
    c->hv->preempt_pattern = 0;
    CONF_EXPECT(c, c->hv->frames[p].flags & FRAME_PARTIAL);
    zoo_conf_expect_caught(c, HV_BUG_XSA299);
}

/* XSA-401: vCPU 1 maps, reads and unmaps X inside the preempted pin's window; the re-issued pin
   finds type_info as before (ABA) and commits without flushing vCPU 1. */
static void zoo_xsa401(struct conf_ctx *c)
{
    gva_t va = conf_scratch(c, c->d1, 3);
    mfn_t x = conf_scratch_mfn(c, c->d1, 3);
    struct vcpu *u = dom_vcpu(c->d1, 1);
    gva_t op_va = mc_aux(c, c->v1) + 512, pdone_va = mc_aux(c, c->v1) + 1024;
    const struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = x };
    uint64_t seen;
    if (!u || conf_put(c, c->v1, op_va, &pin, sizeof(pin)) < 0)
        return;
    uint64_t args[6] = { op_va, 1, pdone_va, DOMID_SELF, 0, 0 };
    zoo_conf_switch(c, HV_BUG_XSA401);
    CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0, 0, 0));
    CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_update_va_mapping, va, 0,
                          UVMF_TLB_FLUSH | UVMF_ALL, 0, 0));
    c->hv->preempt_pattern = ~0ULL;
    CONF_EXPECT_EQ(c, -XEN_ERESTART, hv_hypercall(c->hv, c->v1, HYPERVISOR_mmuext_op, args));
    c->hv->preempt_pattern = 0;
    /* the window: the other vCPU makes, uses and drops a writable mapping */
    CONF_EXPECT_EQ(c, 0, conf_hc(c, u, HYPERVISOR_update_va_mapping, va, mc_pte(x, MC_RW),
                                 UVMF_NONE, 0, 0));
    if (conf_get(c, u, va, &seen, sizeof(seen)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, u, HYPERVISOR_update_va_mapping, va, 0, UVMF_NONE, 0, 0));
    CONF_EXPECT_EQ(c, 0, hv_continue(c->hv, c->v1));
    CONF_EXPECT_EQ(c, PGT_l1, c->hv->frames[x].type);
    CONF_EXPECT(c, tlb_lookup(u, va, NULL));
    zoo_conf_expect_caught(c, HV_BUG_XSA401);
}

static const struct conf_case zoo_cases[] = {
    { "xsa148_l2_pse_accepted", zoo_xsa148, NULL },
    { "xsa182_l4_self_map_made_writable", zoo_xsa182, NULL },
    { "xsa240_linear_chain_depth_two", zoo_xsa240, NULL },
    { "xsa241_stale_stamp_skips_flush", zoo_xsa241, NULL },
    { "xsa286_unhooked_l1_stays_cached", zoo_xsa286, NULL },
    { "xsa299_partial_without_general_ref", zoo_xsa299, NULL },
    { "xsa401_aba_type_change_unflushed", zoo_xsa401, NULL },
};
CONF_AREA("zoo_pagetable", zoo_cases)
