/* CPUID exit conformance: vendor and maximum leaves, features, hypervisor leaves, out-of-range rule, policy. */
#include "exit_conf.h"

/*
 * Each row runs CPUID(leaf, subleaf) on dom1 after an optional set-up and compares the output
 * registers under a mask (bits the row does not pin down are left out). Rows with ref_leaf
 * instead expect exactly what CPUID(ref_leaf, subleaf) gives: the out-of-range rule.
 */
enum cc_setup {
    CC_NONE = 0, CC_VCPU1, CC_LIMIT_MAXVAL, CC_XD_DISABLE, CC_AVX2_NO_AVX, CC_MAX_LEAF_1,
    CC_NO_LM,
};

struct cc_row {
    uint32_t leaf, subleaf;
    enum cc_setup setup;
    uint32_t expect[4];     /* eax, ebx, ecx, edx */
    uint32_t mask[4];
    bool     use_ref;
    uint32_t ref_leaf;
};

static void cc_msr_write(struct conf_ctx *c, struct vcpu *v, uint32_t msr, uint64_t val)
{
    CONF_EXPECT_EQ(c, 0, msr_write(c->d1, v, msr, val));
}

static struct vcpu *cc_setup(struct conf_ctx *c, enum cc_setup s)
{
    struct cpuid_policy p = c->d1->cpuid;
    switch (s) {
    case CC_VCPU1:
        c->d1->vcpu[1].up = true;
        return &c->d1->vcpu[1];
    case CC_LIMIT_MAXVAL:
        cc_msr_write(c, c->v1, MSR_MISC_ENABLE, c->v1->msr.misc_enable | (1ULL << 22));
        break;
    case CC_XD_DISABLE:
        /* NX can be hidden only while EFER.NXE is off */
        cc_msr_write(c, c->v1, MSR_EFER, 0x501);
        cc_msr_write(c, c->v1, MSR_MISC_ENABLE, c->v1->msr.misc_enable | (1ULL << 34));
        break;
    case CC_AVX2_NO_AVX:
        p.l7_ebx |= 1U << 5;
        p.l1_ecx &= ~(1U << 28);
        CONF_EXPECT_EQ(c, 0, cpuid_policy_set(c->d1, &p));
        break;
    case CC_MAX_LEAF_1:
        p.max_leaf = 1;
        CONF_EXPECT_EQ(c, 0, cpuid_policy_set(c->d1, &p));
        break;
    case CC_NO_LM:
        p.e1_edx &= ~(1U << 29);
        p.max_leaf = 3;
        CONF_EXPECT_EQ(c, -XEN_EINVAL, cpuid_policy_set(c->d1, &p));
        break;
    default:
        break;
    }
    return c->v1;
}

static void cc_run(struct conf_ctx *c)
{
    const struct cc_row *row = c->data;
    struct vcpu *v = cc_setup(c, row->setup);
    struct exit_record x;
    struct exit_result r;
    xc_record(&x, EXIT_CPUID, 0);
    /* the upper halves of rax and rcx are not part of the input, and are cleared on output */
    x.regs.gpr[X86_RAX] = 0xDEAD000000000000ULL | row->leaf;
    x.regs.gpr[X86_RCX] = 0xBEEF000000000000ULL | row->subleaf;
    x.regs.gpr[X86_RBX] = ~0ULL;
    x.regs.gpr[X86_RDX] = ~0ULL;
    CONF_EXPECT_EQ(c, EXIT_RESUME, xc_run(c, v, &x, &r));
    CONF_EXPECT_EQ(c, XC_RIP + 2, r.regs.rip);
    static const unsigned regs[4] = { X86_RAX, X86_RBX, X86_RCX, X86_RDX };
    uint32_t want[4];
    if (row->use_ref)
        cpuid_query(c->d1, v, row->ref_leaf, row->subleaf, want);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t got = r.regs.gpr[regs[i]];
        CONF_EXPECT_EQ(c, 0, got >> 32);
        if (row->use_ref)
            CONF_EXPECT_EQ(c, want[i], got);
        else
            CONF_EXPECT_EQ(c, row->expect[i], got & row->mask[i]);
    }
}

#define ALL 0xFFFFFFFFU
#define CC(...) (&(const struct cc_row){ __VA_ARGS__ })
static const struct conf_case cc_cases[] = {
    { "leaf0_max_leaf_and_vendor", cc_run, CC(.leaf = 0,
      .expect = { 7, 0x756E6547, 0x6C65746E, 0x49656E69 }, .mask = { ALL, ALL, ALL, ALL }) },
    { "leaf1_signature_hypervisor_bit_long_mode_basics", cc_run, CC(.leaf = 1,
      .expect = { 0x00050654, 0x0800, 1U << 31, (1U << 6) | (1U << 5) | (1U << 4) },
      .mask = { ALL, 0xFF00, 1U << 31, (1U << 6) | (1U << 5) | (1U << 4) }) },
    { "leaf1_apic_id_is_vcpu_id", cc_run, CC(.leaf = 1, .setup = CC_VCPU1,
      .expect = { 0, 1U << 24, 0, 0 }, .mask = { 0, 0xFF000000U, 0, 0 }) },
    { "leaf1_no_xsave_no_avx_no_osxsave", cc_run, CC(.leaf = 1,
      .expect = { 0, 0, 0, 0 }, .mask = { 0, 0, (1U << 26) | (1U << 27) | (1U << 28), 0 }) },
    { "leaf7_subleaf0_features_without_avx2", cc_run, CC(.leaf = 7,
      .expect = { 0, (1U << 0) | (1U << 7), 0, 0 },
      .mask = { ALL, (1U << 0) | (1U << 7) | (1U << 5), ALL, ALL }) },
    { "leaf7_subleaf1_zero", cc_run, CC(.leaf = 7, .subleaf = 1,
      .mask = { ALL, ALL, ALL, ALL }) },
    { "hv_leaf_signature_and_max", cc_run, CC(.leaf = CPUID_HV_BASE,
      .expect = { CPUID_HV_MAX, CPUID_HV_SIG_EBX, CPUID_HV_SIG_ECX, CPUID_HV_SIG_EDX },
      .mask = { ALL, ALL, ALL, ALL }) },
    { "hv_leaf_version", cc_run, CC(.leaf = CPUID_HV_MAX,
      .expect = { CPUID_HV_VERSION, 0, 0, 0 }, .mask = { ALL, ALL, ALL, ALL }) },
    { "hv_leaf_above_max_zero", cc_run, CC(.leaf = CPUID_HV_BASE + 0x10,
      .mask = { ALL, ALL, ALL, ALL }) },
    { "ext_max_leaf", cc_run, CC(.leaf = 0x80000000U,
      .expect = { 0x80000008U, 0, 0, 0 }, .mask = { ALL, ALL, ALL, ALL }) },
    { "ext1_syscall_nx_lm", cc_run, CC(.leaf = 0x80000001U,
      .expect = { 0, 0, 0, (1U << 11) | (1U << 20) | (1U << 29) },
      .mask = { 0, 0, 0, (1U << 11) | (1U << 20) | (1U << 29) }) },
    { "ext_brand_string_start", cc_run, CC(.leaf = 0x80000002U,
      .expect = { 0x75667668, 0, 0, 0 }, .mask = { ALL, 0, 0, 0 }) },
    { "ext8_address_widths", cc_run, CC(.leaf = 0x80000008U,
      .expect = { 0x3024, 0, 0, 0 }, .mask = { ALL, ALL, ALL, ALL }) },
    { "basic_above_max_gives_highest_basic", cc_run, CC(.leaf = 0x20, .use_ref = true,
      .ref_leaf = 7) },
    { "ext_above_max_gives_highest_basic", cc_run, CC(.leaf = 0x80000009U, .use_ref = true,
      .ref_leaf = 7) },
    { "unknown_range_gives_highest_basic", cc_run, CC(.leaf = 0xC0000000U, .use_ref = true,
      .ref_leaf = 7) },
    { "misc_enable_limit_maxval_leaf0_reports_2", cc_run, CC(.leaf = 0,
      .setup = CC_LIMIT_MAXVAL, .expect = { 2, 0, 0, 0 }, .mask = { ALL, 0, 0, 0 }) },
    { "misc_enable_limit_maxval_leaf7_is_leaf2", cc_run, CC(.leaf = 7,
      .setup = CC_LIMIT_MAXVAL, .use_ref = true, .ref_leaf = 2) },
    { "misc_enable_xd_disable_hides_nx", cc_run, CC(.leaf = 0x80000001U,
      .setup = CC_XD_DISABLE, .expect = { 0, 0, 0, 1U << 29 },
      .mask = { 0, 0, 0, (1U << 20) | (1U << 29) }) },
    { "policy_avx2_without_avx_is_cleared", cc_run, CC(.leaf = 7, .setup = CC_AVX2_NO_AVX,
      .expect = { 0, 0, 0, 0 }, .mask = { 0, 1U << 5, 0, 0 }) },
    { "policy_max_leaf_1_bounds_leaf7", cc_run, CC(.leaf = 7, .setup = CC_MAX_LEAF_1,
      .use_ref = true, .ref_leaf = 1) },
    { "policy_without_long_mode_refused", cc_run, CC(.leaf = 0, .setup = CC_NO_LM,
      .expect = { 7, 0, 0, 0 }, .mask = { ALL, 0, 0, 0 }) },
};
CONF_AREA("exit_cpuid", cc_cases)
