/* MSR exit conformance: each implemented MSR's reset value, legal writes and #GP rules; unknown MSRs. */
#include "exit_conf.h"

/*
 * A row optionally prepares the vCPU (dom1 vCPU 0), then issues RDMSR or WRMSR through an exit
 * and compares the action. After a write the MSR is read back through another exit: a refused
 * write must leave the old value, an accepted one the value the table gives.
 */
enum cm_setup { CM_NONE = 0, CM_X2APIC, CM_XD_DISABLE, CM_NO_RDTSCP };

struct cm_row {
    enum cm_setup setup;
    uint32_t msr;
    bool     write;
    uint64_t val;
    uint32_t rcx_hi;        /* garbage in rcx's upper half: ignored */
    enum exit_action expect;
    bool     check;         /* compare the value read (or read back) */
    uint64_t want;
};

static enum exit_action cm_exit(struct conf_ctx *c, bool write, uint32_t msr, uint32_t rcx_hi,
                                uint64_t val, uint64_t *out)
{
    struct exit_record x;
    struct exit_result r;
    xc_record(&x, write ? EXIT_MSR_WRITE : EXIT_MSR_READ, 0);
    x.regs.gpr[X86_RCX] = ((uint64_t)rcx_hi << 32) | msr;
    /* WRMSR ignores the upper halves of rax and rdx; RDMSR clears them */
    x.regs.gpr[X86_RAX] = 0x5555000000000000ULL | (uint32_t)val;
    x.regs.gpr[X86_RDX] = 0x5555000000000000ULL | (val >> 32);
    enum exit_action a = xc_run(c, c->v1, &x, &r);
    if (a == EXIT_RESUME) {
        CONF_EXPECT_EQ(c, XC_RIP + 2, r.regs.rip);
        if (!write) {
            CONF_EXPECT_EQ(c, 0, r.regs.gpr[X86_RAX] >> 32);
            CONF_EXPECT_EQ(c, 0, r.regs.gpr[X86_RDX] >> 32);
            *out = (r.regs.gpr[X86_RDX] << 32) | (uint32_t)r.regs.gpr[X86_RAX];
        }
    } else {
        /* a fault retires nothing */
        CONF_EXPECT_EQ(c, XC_RIP, r.regs.rip);
        if (a == EXIT_INJECT_GP)
            CONF_EXPECT_EQ(c, 13, r.vector);
    }
    return a;
}

static void cm_setup(struct conf_ctx *c, enum cm_setup s)
{
    struct cpuid_policy p = c->d1->cpuid;
    switch (s) {
    case CM_X2APIC:
        CONF_EXPECT_EQ(c, 0, msr_write(c->d1, c->v1, MSR_APIC_BASE, 0xFEE00C00ULL));
        break;
    case CM_XD_DISABLE:
        CONF_EXPECT_EQ(c, 0, msr_write(c->d1, c->v1, MSR_EFER, 0x501));
        CONF_EXPECT_EQ(c, 0, msr_write(c->d1, c->v1, MSR_MISC_ENABLE, 0x1801ULL | (1ULL << 34)));
        break;
    case CM_NO_RDTSCP:
        p.e1_edx &= ~(1U << 27);
        CONF_EXPECT_EQ(c, 0, cpuid_policy_set(c->d1, &p));
        break;
    default:
        break;
    }
}

static void cm_run(struct conf_ctx *c)
{
    const struct cm_row *row = c->data;
    uint64_t before = 0, got = 0;
    cm_setup(c, row->setup);
    bool readable = msr_read(c->d1, c->v1, row->msr, &before) == 0;
    CONF_EXPECT_EQ(c, row->expect, cm_exit(c, row->write, row->msr, row->rcx_hi, row->val, &got));
    if (row->write && readable) {
        CONF_EXPECT_EQ(c, EXIT_RESUME, cm_exit(c, false, row->msr, 0, 0, &got));
        if (row->expect != EXIT_RESUME)
            CONF_EXPECT_EQ(c, before, got);
    }
    if (row->check)
        CONF_EXPECT_EQ(c, row->want, got);
}

#define RD(m, w) (&(const struct cm_row){ .msr = (m), .expect = EXIT_RESUME, .check = true, \
                                          .want = (w) })
#define WR(m, v, w) (&(const struct cm_row){ .msr = (m), .write = true, .val = (v), \
                                             .expect = EXIT_RESUME, .check = true, .want = (w) })
#define GP(m, v) (&(const struct cm_row){ .msr = (m), .write = true, .val = (v), \
                                          .expect = EXIT_INJECT_GP })
#define CM(...) (&(const struct cm_row){ __VA_ARGS__ })
static const struct conf_case cm_cases[] = {
    { "efer_reset_value", cm_run, RD(MSR_EFER, 0xD01) },
    { "efer_clear_nxe", cm_run, WR(MSR_EFER, 0x501, 0x501) },
    { "efer_lma_write_ignored", cm_run, WR(MSR_EFER, 0x101, 0x501) },
    { "efer_clear_lme_gp", cm_run, GP(MSR_EFER, 0xC01) },
    { "efer_reserved_svme_gp", cm_run, GP(MSR_EFER, 0x1D01) },
    { "efer_nxe_while_xd_disabled_gp", cm_run, CM(.setup = CM_XD_DISABLE, .msr = MSR_EFER,
      .write = true, .val = 0xD01, .expect = EXIT_INJECT_GP) },
    { "star_any_value", cm_run, WR(MSR_STAR, ~0ULL, ~0ULL) },
    { "lstar_canonical_high", cm_run, WR(MSR_LSTAR, 0xFFFF800000001000ULL,
                                         0xFFFF800000001000ULL) },
    { "lstar_noncanonical_gp", cm_run, GP(MSR_LSTAR, 0x0000800000000000ULL) },
    { "cstar_noncanonical_gp", cm_run, GP(MSR_CSTAR, 0x8000000000000000ULL) },
    { "sfmask_low_half", cm_run, WR(MSR_SFMASK, 0x47700, 0x47700) },
    { "sfmask_upper_half_gp", cm_run, GP(MSR_SFMASK, 1ULL << 32) },
    { "fs_base_canonical", cm_run, WR(MSR_FS_BASE, 0x00007FFFFFFFF000ULL,
                                      0x00007FFFFFFFF000ULL) },
    { "fs_base_noncanonical_gp", cm_run, GP(MSR_FS_BASE, 0x0001000000000000ULL) },
    { "gs_base_noncanonical_gp", cm_run, GP(MSR_GS_BASE, 0xFFFF7FFFFFFFFFFFULL) },
    { "kernel_gs_base_canonical", cm_run, WR(MSR_KERNEL_GS_BASE, 0xFFFFFFFF80000000ULL,
                                             0xFFFFFFFF80000000ULL) },
    { "kernel_gs_base_noncanonical_gp", cm_run, GP(MSR_KERNEL_GS_BASE, 0x1234567812345678ULL) },
    { "tsc_write_read", cm_run, WR(MSR_TSC, 0x123456789ABCDEFULL, 0x123456789ABCDEFULL) },
    { "apic_base_reset_bsp_enabled", cm_run, RD(MSR_APIC_BASE, 0xFEE00900ULL) },
    { "apic_base_bsp_read_only", cm_run, WR(MSR_APIC_BASE, 0xFEE00800ULL, 0xFEE00900ULL) },
    { "apic_base_move_base", cm_run, WR(MSR_APIC_BASE, 0xFEC00900ULL, 0xFEC00900ULL) },
    { "apic_base_reserved_bit9_gp", cm_run, GP(MSR_APIC_BASE, 0xFEE00B00ULL) },
    { "apic_base_above_maxphyaddr_gp", cm_run, GP(MSR_APIC_BASE, (1ULL << 36) | 0xFEE00900ULL) },
    { "apic_base_enter_x2apic", cm_run, WR(MSR_APIC_BASE, 0xFEE00D00ULL, 0xFEE00D00ULL) },
    { "apic_base_extd_without_enable_gp", cm_run, GP(MSR_APIC_BASE, 0xFEE00500ULL) },
    { "apic_base_x2apic_to_xapic_gp", cm_run, CM(.setup = CM_X2APIC, .msr = MSR_APIC_BASE,
      .write = true, .val = 0xFEE00900ULL, .expect = EXIT_INJECT_GP) },
    { "apic_base_x2apic_to_disabled", cm_run, CM(.setup = CM_X2APIC, .msr = MSR_APIC_BASE,
      .write = true, .val = 0xFEE00100ULL, .expect = EXIT_RESUME, .check = true,
      .want = 0xFEE00100ULL) },
    { "misc_enable_reset_value", cm_run, RD(MSR_MISC_ENABLE, 0x1801) },
    { "misc_enable_read_only_bits_ignore_writes", cm_run, WR(MSR_MISC_ENABLE, 0x1, 0x1801) },
    { "misc_enable_reserved_gp", cm_run, GP(MSR_MISC_ENABLE, 0x1809) },
    { "misc_enable_xd_disable_with_nxe_gp", cm_run, GP(MSR_MISC_ENABLE,
                                                       0x1801ULL | (1ULL << 34)) },
    { "pat_reset_value", cm_run, RD(MSR_PAT, 0x0007040600070406ULL) },
    { "pat_all_write_back", cm_run, WR(MSR_PAT, 0x0606060606060606ULL,
                                       0x0606060606060606ULL) },
    { "pat_reserved_type_2_gp", cm_run, GP(MSR_PAT, 0x0007040600070402ULL) },
    { "pat_type_above_7_gp", cm_run, GP(MSR_PAT, 0x0807040600070406ULL) },
    { "sysenter_cs_any_value", cm_run, WR(MSR_SYSENTER_CS, 0x10, 0x10) },
    { "sysenter_eip_noncanonical_gp", cm_run, GP(MSR_SYSENTER_EIP, 0x0000900000000000ULL) },
    { "sysenter_esp_canonical", cm_run, WR(MSR_SYSENTER_ESP, 0xFFFF880000000000ULL,
                                           0xFFFF880000000000ULL) },
    { "tsc_aux_low_half", cm_run, WR(MSR_TSC_AUX, 7, 7) },
    { "tsc_aux_upper_half_gp", cm_run, GP(MSR_TSC_AUX, 1ULL << 40) },
    { "tsc_aux_without_rdtscp_gp", cm_run, CM(.setup = CM_NO_RDTSCP, .msr = MSR_TSC_AUX,
      .expect = EXIT_INJECT_GP) },
    { "rcx_upper_half_ignored", cm_run, CM(.msr = MSR_EFER, .rcx_hi = 0xFFFFFFFFU,
      .expect = EXIT_RESUME, .check = true, .want = 0xD01) },
    { "unknown_msr_read_gp", cm_run, CM(.msr = 0x12345, .expect = EXIT_INJECT_GP) },
    { "unknown_msr_write_gp", cm_run, GP(0xC0010117U, 0) },
};
CONF_AREA("exit_msr", cm_cases)
