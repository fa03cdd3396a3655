/* MSR exits: the table of implemented MSRs, their reset values, and the #GP rules of each. */
#include "devices.h"

#define EFER_SCE   (1ULL << 0)
#define EFER_LME   (1ULL << 8)
#define EFER_LMA   (1ULL << 10)
#define EFER_NXE   (1ULL << 11)
#define APIC_BASE_BSP   (1ULL << 8)
#define APIC_BASE_EXTD  (1ULL << 10)
#define APIC_BASE_EN    (1ULL << 11)
#define APIC_BASE_ADDR  0x0000000FFFFFF000ULL  /* bits 12..35: MAXPHYADDR is 36 (CPUID 0x80000008) */
#define MISC_FAST_STRING (1ULL << 0)
#define MISC_BTS_UNAVAIL (1ULL << 11)
#define MISC_PEBS_UNAVAIL (1ULL << 12)
#define MISC_LIMIT_CPUID (1ULL << 22)
#define MISC_XD_DISABLE  (1ULL << 34)
#define MISC_RO    (MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL)
#define MISC_RW    (MISC_FAST_STRING | MISC_LIMIT_CPUID | MISC_XD_DISABLE)
#define PAT_DEFAULT 0x0007040600070406ULL
#define E1D_SYSCALL (1U << 11)
#define E1D_NX      (1U << 20)
#define E1D_RDTSCP  (1U << 27)
#define L1C_X2APIC  (1U << 21)

void msr_init(struct vcpu *v)
{
    struct vcpu_msrs *m = &v->msr;
    *m = (struct vcpu_msrs){ 0 };
    /* a PV guest runs in long mode from its first instruction */
    m->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    m->apic_base = 0xFEE00000ULL | APIC_BASE_EN | (v->id == 0 ? APIC_BASE_BSP : 0);
    m->misc_enable = MISC_FAST_STRING | MISC_RO;
    m->pat = PAT_DEFAULT;
}

static bool msr_canonical(uint64_t a)
{
    uint64_t top = a >> 47;
    return top == 0 || top == 0x1FFFFULL;
}

/* Memory types PAT may hold: UC, WC, WT, WP, WB, UC-; 2 and 3 are reserved. */
static bool msr_pat_ok(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(pat >> (8 * i));
        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}

static bool msr_nx_offered(const struct domain *d, const struct vcpu *v)
{
    return (d->cpuid.e1_edx & E1D_NX) && !(v->msr.misc_enable & MISC_XD_DISABLE);
}

/* EFER: LME stays set (paging is on), LMA is the processor's and ignores writes; SCE and NXE
   only where CPUID offers SYSCALL and NX; every other bit is reserved. */
static int msr_write_efer(struct domain *d, struct vcpu *v, uint64_t val)
{
    uint64_t ok = EFER_LME | EFER_LMA;
    if (d->cpuid.e1_edx & E1D_SYSCALL)
        ok |= EFER_SCE;
    if (msr_nx_offered(d, v))
        ok |= EFER_NXE;
    if ((val & ~ok) || !(val & EFER_LME))
        return -XEN_EPERM;
    v->msr.efer = (val & ~EFER_LMA) | (v->msr.efer & EFER_LMA);
    return 0;
}

/* APIC_BASE: BSP is read-only; the mode goes disabled <-> xAPIC <-> x2APIC, never straight from
   x2APIC to xAPIC nor from disabled to x2APIC; EXTD without EN is invalid (SDM 10.12.5). */
static int msr_write_apic_base(struct domain *d, struct vcpu *v, uint64_t val)
{
    uint64_t ok = APIC_BASE_BSP | APIC_BASE_EN | APIC_BASE_ADDR;
    if (d->cpuid.l1_ecx & L1C_X2APIC)
        ok |= APIC_BASE_EXTD;
    if (val & ~ok)
        return -XEN_EPERM;
    uint64_t old = v->msr.apic_base;
    bool old_x2 = (old & APIC_BASE_EXTD) != 0, old_en = (old & APIC_BASE_EN) != 0;
    bool new_x2 = (val & APIC_BASE_EXTD) != 0, new_en = (val & APIC_BASE_EN) != 0;
    if (new_x2 && !new_en)
        return -XEN_EPERM;
    if (old_x2 && new_en && !new_x2)
        return -XEN_EPERM;
    if (!old_en && new_x2)
        return -XEN_EPERM;
    v->msr.apic_base = (val & ~APIC_BASE_BSP) | (old & APIC_BASE_BSP);
    return 0;
}

/* MISC_ENABLE: three writable bits; the read-only ones ignore writes; the rest are reserved.
   XD disable needs NX in the policy and cannot hide NX from a vCPU that has EFER.NXE on. */
static int msr_write_misc(struct domain *d, struct vcpu *v, uint64_t val)
{
    if (val & ~(MISC_RW | MISC_RO))
        return -XEN_EPERM;
    if (val & MISC_XD_DISABLE) {
        if (!(d->cpuid.e1_edx & E1D_NX) || (v->msr.efer & EFER_NXE))
            return -XEN_EPERM;
    }
    v->msr.misc_enable = (val & MISC_RW) | MISC_RO;
    return 0;
}

int msr_read(struct domain *d, struct vcpu *v, uint32_t msr, uint64_t *val)
{
    const struct vcpu_msrs *m = &v->msr;
    switch (msr) {
    case MSR_TSC:            *val = m->tsc; return 0;
    case MSR_APIC_BASE:      *val = m->apic_base; return 0;
    case MSR_SYSENTER_CS:    *val = m->sysenter_cs; return 0;
    case MSR_SYSENTER_ESP:   *val = m->sysenter_esp; return 0;
    case MSR_SYSENTER_EIP:   *val = m->sysenter_eip; return 0;
    case MSR_MISC_ENABLE:    *val = m->misc_enable; return 0;
    case MSR_PAT:            *val = m->pat; return 0;
    case MSR_EFER:           *val = m->efer; return 0;
    case MSR_STAR:           *val = m->star; return 0;
    case MSR_LSTAR:          *val = m->lstar; return 0;
    case MSR_CSTAR:          *val = m->cstar; return 0;
    case MSR_SFMASK:         *val = m->sfmask; return 0;
    case MSR_FS_BASE:        *val = m->fs_base; return 0;
    case MSR_GS_BASE:        *val = m->gs_base; return 0;
    case MSR_KERNEL_GS_BASE: *val = m->kernel_gs_base; return 0;
    case MSR_TSC_AUX:
        if (!(d->cpuid.e1_edx & E1D_RDTSCP))
            return -XEN_EPERM;
        *val = m->tsc_aux;
        return 0;
    default:
        return -XEN_EPERM;
    }
}

/* Store val in *slot if it is a canonical address (the #GP rule of the base and entry MSRs). */
static int msr_set_canonical(uint64_t *slot, uint64_t val)
{
    if (!msr_canonical(val))
        return -XEN_EPERM;
    *slot = val;
    return 0;
}

int msr_write(struct domain *d, struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vcpu_msrs *m = &v->msr;
    switch (msr) {
    case MSR_TSC:            m->tsc = val; return 0;
    case MSR_APIC_BASE:      return msr_write_apic_base(d, v, val);
    case MSR_SYSENTER_CS:    m->sysenter_cs = val; return 0;
    case MSR_SYSENTER_ESP:   return msr_set_canonical(&m->sysenter_esp, val);
    case MSR_SYSENTER_EIP:   return msr_set_canonical(&m->sysenter_eip, val);
    case MSR_MISC_ENABLE:    return msr_write_misc(d, v, val);
    case MSR_PAT:
        if (!msr_pat_ok(val))
            return -XEN_EPERM;
        m->pat = val;
        return 0;
    case MSR_EFER:           return msr_write_efer(d, v, val);
    case MSR_STAR:           m->star = val; return 0;
    case MSR_LSTAR:          return msr_set_canonical(&m->lstar, val);
    case MSR_CSTAR:          return msr_set_canonical(&m->cstar, val);
    case MSR_SFMASK:
        /* the mask covers RFLAGS' 32 bits; the upper half is reserved */
        if (val >> 32)
            return -XEN_EPERM;
        m->sfmask = val;
        return 0;
    case MSR_FS_BASE:        return msr_set_canonical(&m->fs_base, val);
    case MSR_GS_BASE:        return msr_set_canonical(&m->gs_base, val);
    case MSR_KERNEL_GS_BASE: return msr_set_canonical(&m->kernel_gs_base, val);
    case MSR_TSC_AUX:
        if (!(d->cpuid.e1_edx & E1D_RDTSCP) || (val >> 32))
            return -XEN_EPERM;
        m->tsc_aux = val;
        return 0;
    default:
        return -XEN_EPERM;
    }
}

/* RDMSR: index in ecx (the upper half of rcx is ignored), value to edx:eax. */
enum exit_action exit_msr_read(struct exit_ctx *c)
{
    struct vcpu_regs *g = &c->r->regs;
    uint64_t val;
    if (msr_read(c->d, c->v, (uint32_t)g->gpr[X86_RCX], &val) < 0)
        return exit_inject(c, EXC_GP, 0, 0);
    g->gpr[X86_RAX] = (uint32_t)val;
    g->gpr[X86_RDX] = val >> 32;
    return exit_resume(c);
}

/*
 * XSA-193 (CVE-2016-9385): once Xen wrote the FS and GS bases with WRFSBASE/WRGSBASE, its WRMSR
 * emulation lost the recovery wrmsr_safe had given, and a non-canonical base raised #GP inside
 * Xen (a host crash); the fix refuses it first (#GP to the guest, msr_write's rule). The switch
 * takes the two bases unchecked; the shadow GS base kept wrmsr_safe and so its #GP. The model
 * keeps the value, which the audit's canonical check of the bases sees.
 */
static bool msr_xsa193_base(struct exit_ctx *c, uint32_t msr, uint64_t val)
{
    if (!hv_bug_on(c->hv, HV_BUG_XSA193))
        return false;
    if (msr == MSR_FS_BASE)
        c->v->msr.fs_base = val;
    else if (msr == MSR_GS_BASE)
        c->v->msr.gs_base = val;
    else
        return false;
    return true;
}

/* WRMSR: value from edx:eax; the upper halves of rax and rdx are ignored. */
enum exit_action exit_msr_write(struct exit_ctx *c)
{
    const struct vcpu_regs *g = &c->r->regs;
    uint64_t val = (g->gpr[X86_RDX] << 32) | (uint32_t)g->gpr[X86_RAX];
    if (msr_xsa193_base(c, (uint32_t)g->gpr[X86_RCX], val))
        return exit_resume(c);
    if (msr_write(c->d, c->v, (uint32_t)g->gpr[X86_RCX], val) < 0)
        return exit_inject(c, EXC_GP, 0, 0);
    return exit_resume(c);
}
