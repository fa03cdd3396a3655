/* CPUID exits: the per-domain policy, its consistency rules, and every leaf derived from it. */
#include <string.h>
#include "devices.h"

/* Feature bits the policy may carry; everything else is cleared by cpuid_policy_set. */
#define L1D_FPU    (1U << 0)
#define L1D_VME    (1U << 1)
#define L1D_DE     (1U << 2)
#define L1D_PSE    (1U << 3)
#define L1D_TSC    (1U << 4)
#define L1D_MSR    (1U << 5)
#define L1D_PAE    (1U << 6)
#define L1D_CX8    (1U << 8)
#define L1D_APIC   (1U << 9)
#define L1D_SEP    (1U << 11)
#define L1D_PGE    (1U << 13)
#define L1D_CMOV   (1U << 15)
#define L1D_PAT    (1U << 16)
#define L1D_PSE36  (1U << 17)
#define L1D_CLFSH  (1U << 19)
#define L1D_MMX    (1U << 23)
#define L1D_FXSR   (1U << 24)
#define L1D_SSE    (1U << 25)
#define L1D_SSE2   (1U << 26)
#define L1C_SSE3   (1U << 0)
#define L1C_PCLMUL (1U << 1)
#define L1C_SSSE3  (1U << 9)
#define L1C_FMA    (1U << 12)
#define L1C_CX16   (1U << 13)
#define L1C_SSE41  (1U << 19)
#define L1C_SSE42  (1U << 20)
#define L1C_X2APIC (1U << 21)
#define L1C_MOVBE  (1U << 22)
#define L1C_POPCNT (1U << 23)
#define L1C_AES    (1U << 25)
#define L1C_XSAVE  (1U << 26)
#define L1C_AVX    (1U << 28)
#define L1C_F16C   (1U << 29)
#define L1C_RDRAND (1U << 30)
#define L1C_HV     (1U << 31)
#define L7B_FSGSBASE (1U << 0)
#define L7B_BMI1   (1U << 3)
#define L7B_AVX2   (1U << 5)
#define L7B_SMEP   (1U << 7)
#define L7B_BMI2   (1U << 8)
#define L7B_ERMS   (1U << 9)
#define L7B_RDSEED (1U << 18)
#define L7B_ADX    (1U << 19)
#define L7B_SMAP   (1U << 20)
#define E1D_SYSCALL (1U << 11)
#define E1D_NX     (1U << 20)
#define E1D_RDTSCP (1U << 27)
#define E1D_LM     (1U << 29)
#define E1C_LAHF   (1U << 0)
#define E1C_LZCNT  (1U << 5)
#define E1C_PREFETCHW (1U << 8)

#define KNOWN_L1D (L1D_FPU | L1D_VME | L1D_DE | L1D_PSE | L1D_TSC | L1D_MSR | L1D_PAE | L1D_CX8 | \
                   L1D_APIC | L1D_SEP | L1D_PGE | L1D_CMOV | L1D_PAT | L1D_PSE36 | L1D_CLFSH |   \
                   L1D_MMX | L1D_FXSR | L1D_SSE | L1D_SSE2)
#define KNOWN_L1C (L1C_SSE3 | L1C_PCLMUL | L1C_SSSE3 | L1C_FMA | L1C_CX16 | L1C_SSE41 |          \
                   L1C_SSE42 | L1C_X2APIC | L1C_MOVBE | L1C_POPCNT | L1C_AES | L1C_XSAVE |       \
                   L1C_AVX | L1C_F16C | L1C_RDRAND | L1C_HV)
#define KNOWN_L7B (L7B_FSGSBASE | L7B_BMI1 | L7B_AVX2 | L7B_SMEP | L7B_BMI2 | L7B_ERMS |         \
                   L7B_RDSEED | L7B_ADX | L7B_SMAP)
#define KNOWN_E1D (E1D_SYSCALL | E1D_NX | E1D_RDTSCP | E1D_LM)
#define KNOWN_E1C (E1C_LAHF | E1C_LZCNT | E1C_PREFETCHW)

/* The highest leaves the model answers with meaning. */
#define CPUID_MAX_BASIC 0x7U
#define CPUID_MAX_EXT   0x80000008U
/* Family 6 model 0x55 stepping 4: a server part of the SSE4.2/AES generation. */
#define CPUID_SIGNATURE 0x00050654U
#define MISC_LIMIT_CPUID (1ULL << 22)
#define MISC_XD_DISABLE  (1ULL << 34)

static const char cpuid_brand[48] = "hvfuzz virtual CPU";

void cpuid_policy_default(struct cpuid_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->max_leaf = CPUID_MAX_BASIC;
    p->max_ext_leaf = CPUID_MAX_EXT;
    p->l1_edx = KNOWN_L1D;
    p->l1_ecx = L1C_SSE3 | L1C_PCLMUL | L1C_SSSE3 | L1C_CX16 | L1C_SSE41 | L1C_SSE42 |
                L1C_X2APIC | L1C_MOVBE | L1C_POPCNT | L1C_AES | L1C_RDRAND | L1C_HV;
    p->l7_ebx = L7B_FSGSBASE | L7B_BMI1 | L7B_SMEP | L7B_BMI2 | L7B_ERMS | L7B_RDSEED |
                L7B_ADX | L7B_SMAP;
    p->e1_edx = KNOWN_E1D;
    p->e1_ecx = KNOWN_E1C;
}

/* Clear a feature whose prerequisite is gone. */
static void cpuid_dep(uint32_t *word, uint32_t bit, bool have)
{
    if (!have)
        *word &= ~bit;
}

/*
 * The rules that keep leaves consistent with each other: a feature is offered only with what it
 * builds on (the SSE ladder, AVX on XSAVE, leaf 7's AVX2 on leaf 1's AVX, the extended leaf's NX
 * and long mode on leaf 1's PAE), leaves above max_leaf offer nothing, and the hypervisor bit is
 * always set. Run until nothing changes, since one cleared bit can orphan another.
 */
static void cpuid_sanitise(struct cpuid_policy *p)
{
    p->l1_edx &= KNOWN_L1D;
    p->l1_ecx = (p->l1_ecx & KNOWN_L1C) | L1C_HV;
    p->l7_ebx &= KNOWN_L7B;
    p->l7_ecx = 0;
    p->l7_edx = 0;
    p->e1_edx &= KNOWN_E1D;
    p->e1_ecx &= KNOWN_E1C;
    if (p->max_leaf < 7)
        p->l7_ebx = 0;
    struct cpuid_policy before;
    do {
        before = *p;
        cpuid_dep(&p->l1_edx, L1D_SSE, p->l1_edx & L1D_FXSR);
        cpuid_dep(&p->l1_edx, L1D_SSE2, p->l1_edx & L1D_SSE);
        cpuid_dep(&p->l1_ecx, L1C_SSE3, p->l1_edx & L1D_SSE2);
        cpuid_dep(&p->l1_ecx, L1C_PCLMUL | L1C_AES, p->l1_edx & L1D_SSE2);
        cpuid_dep(&p->l1_ecx, L1C_SSSE3, p->l1_ecx & L1C_SSE3);
        cpuid_dep(&p->l1_ecx, L1C_SSE41, p->l1_ecx & L1C_SSSE3);
        cpuid_dep(&p->l1_ecx, L1C_SSE42, p->l1_ecx & L1C_SSE41);
        cpuid_dep(&p->l1_ecx, L1C_POPCNT, p->l1_ecx & L1C_SSE42);
        cpuid_dep(&p->l1_ecx, L1C_AVX, p->l1_ecx & L1C_XSAVE);
        cpuid_dep(&p->l1_ecx, L1C_FMA | L1C_F16C, p->l1_ecx & L1C_AVX);
        cpuid_dep(&p->l7_ebx, L7B_AVX2, p->l1_ecx & L1C_AVX);
        cpuid_dep(&p->l1_ecx, L1C_X2APIC, p->l1_edx & L1D_APIC);
        /* SYSENTER and PAT are programmed through MSRs */
        cpuid_dep(&p->l1_edx, L1D_SEP | L1D_PAT, p->l1_edx & L1D_MSR);
        cpuid_dep(&p->e1_edx, E1D_NX, p->l1_edx & L1D_PAE);
        cpuid_dep(&p->e1_edx, E1D_RDTSCP, p->l1_edx & L1D_TSC);
    } while (memcmp(&before, p, sizeof(before)) != 0);
}

int cpuid_policy_set(struct domain *d, const struct cpuid_policy *p)
{
    if (!d || !p)
        return -XEN_EINVAL;
    struct cpuid_policy n = *p;
    /* a 64-bit guest needs leaf 1 and the long-mode bit of leaf 0x80000001 with PAE under it */
    if (n.max_leaf < 1 || n.max_ext_leaf < 0x80000001U || n.max_ext_leaf > 0x8FFFFFFFU)
        return -XEN_EINVAL;
    if (!(n.e1_edx & E1D_LM) || !(n.l1_edx & L1D_PAE) || !(n.l1_edx & L1D_MSR))
        return -XEN_EINVAL;
    if (n.max_leaf > CPUID_MAX_BASIC)
        n.max_leaf = CPUID_MAX_BASIC;
    if (n.max_ext_leaf > CPUID_MAX_EXT)
        n.max_ext_leaf = CPUID_MAX_EXT;
    cpuid_sanitise(&n);
    d->cpuid = n;
    return 0;
}

static void cpuid_str(uint32_t out[4], const char *s)
{
    for (unsigned i = 0; i < 4; i++)
        memcpy(&out[i], s + 4 * i, 4);
}

/* The basic leaves 0..max; leaves between 2 and 6 carry nothing the model implements. */
static void cpuid_basic(const struct domain *d, const struct vcpu *v, uint32_t leaf,
                        uint32_t subleaf, uint32_t max, uint32_t o[4])
{
    const struct cpuid_policy *p = &d->cpuid;
    switch (leaf) {
    case 0:
        o[0] = max;
        memcpy(&o[1], "Genu", 4);
        memcpy(&o[3], "ineI", 4);
        memcpy(&o[2], "ntel", 4);
        break;
    case 1:
        o[0] = CPUID_SIGNATURE;
        /* CLFLUSH line 8 * 8 bytes, one logical processor, the initial APIC id is the vCPU id */
        o[1] = (8U << 8) | (1U << 16) | ((uint32_t)v->id << 24);
        o[2] = p->l1_ecx;
        o[3] = p->l1_edx;
        break;
    case 7:
        if (subleaf == 0) {
            o[1] = p->l7_ebx;
            o[2] = p->l7_ecx;
            o[3] = p->l7_edx;
        }
        break;
    default:
        break;
    }
}

static void cpuid_ext(const struct domain *d, const struct vcpu *v, uint32_t leaf, uint32_t o[4])
{
    const struct cpuid_policy *p = &d->cpuid;
    switch (leaf) {
    case 0x80000000U:
        o[0] = p->max_ext_leaf;
        break;
    case 0x80000001U:
        o[2] = p->e1_ecx;
        o[3] = p->e1_edx;
        if (v->msr.misc_enable & MISC_XD_DISABLE)
            o[3] &= ~E1D_NX;
        break;
    case 0x80000002U:
    case 0x80000003U:
    case 0x80000004U:
        cpuid_str(o, cpuid_brand + 16 * (leaf - 0x80000002U));
        break;
    case 0x80000008U:
        /* 36 physical address bits (the DMA page at 0xFEB00000 fits), 48 linear */
        o[0] = 36U | (48U << 8);
        break;
    default:
        break;
    }
}

/*
 * Out of range: a basic or extended leaf above its maximum, or a leaf in no range the model
 * knows, gives the highest basic leaf's values (Intel's documented behaviour); the hypervisor
 * range above CPUID_HV_MAX gives zeros, as Xen's does.
 */
void cpuid_query(const struct domain *d, const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                 uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(out[0]));
    uint32_t max = d->cpuid.max_leaf;
    if ((v->msr.misc_enable & MISC_LIMIT_CPUID) && max > 2)
        max = 2;
    if (leaf >= CPUID_HV_BASE && leaf <= 0x4FFFFFFFU) {
        if (leaf == CPUID_HV_BASE) {
            out[0] = CPUID_HV_MAX;
            out[1] = CPUID_HV_SIG_EBX;
            out[2] = CPUID_HV_SIG_ECX;
            out[3] = CPUID_HV_SIG_EDX;
        } else if (leaf == CPUID_HV_MAX) {
            out[0] = CPUID_HV_VERSION;
        }
        return;
    }
    if (leaf >= 0x80000000U && leaf <= d->cpuid.max_ext_leaf) {
        cpuid_ext(d, v, leaf, out);
        return;
    }
    if (leaf > max)
        leaf = max;
    cpuid_basic(d, v, leaf, subleaf, max, out);
}

enum exit_action exit_cpuid(struct exit_ctx *c)
{
    struct vcpu_regs *g = &c->r->regs;
    uint32_t o[4];
    cpuid_query(c->d, c->v, (uint32_t)g->gpr[X86_RAX], (uint32_t)g->gpr[X86_RCX], o);
    /* CPUID writes the 32-bit registers, which clears the upper halves */
    g->gpr[X86_RAX] = o[0];
    g->gpr[X86_RBX] = o[1];
    g->gpr[X86_RCX] = o[2];
    g->gpr[X86_RDX] = o[3];
    return exit_resume(c);
}
