/* VM-exit dispatch: record checks, the handler table per exit reason, and the common exit ends. */
#include <string.h>
#include "hvfuzz/hypercall.h"
#include "devices.h"

/*
 * Each reason's handler and whether the exit is caused by an instruction the monitor completes
 * (so the record must carry its length for rip to advance). Names are the ABI table's.
 */
struct exit_desc {
    enum exit_action (*fn)(struct exit_ctx *c);
    bool insn;
};

static const struct exit_desc exit_table[EXIT_NR] = {
    [EXIT_CPUID]         = { .fn = exit_cpuid,        .insn = true },
    [EXIT_MSR_READ]      = { .fn = exit_msr_read,     .insn = true },
    [EXIT_MSR_WRITE]     = { .fn = exit_msr_write,    .insn = true },
    [EXIT_IO]            = { .fn = exit_io,           .insn = true },
    [EXIT_MMIO]          = { .fn = exit_mmio,         .insn = true },
    [EXIT_HLT]           = { .fn = exit_hlt,          .insn = true },
    [EXIT_EPT_VIOLATION] = { .fn = exit_ept },
    [EXIT_EXCEPTION]     = { .fn = exit_exception },
    [EXIT_TRIPLE_FAULT]  = { .fn = exit_triple_fault },
};

/* struct vcpu_regs holds the GPRs in the decoder's register order; programs name them in the
   ABI's (hvfuzz/abi.h). The two must be one order. */
#define EXIT_X_REG_SAME(id, name) \
    _Static_assert((unsigned)ABI_REG_##id == (unsigned)X86_##id, "ABI register " #name);
ABI_EXIT_GPRS(EXIT_X_REG_SAME)
#undef EXIT_X_REG_SAME

uint64_t exit_size_mask(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8U)) - 1U;
}

uint64_t exit_reg_get(const struct vcpu_regs *r, unsigned reg, unsigned size)
{
    if (reg >= X86_AH && reg <= X86_BH)
        return (r->gpr[reg - X86_AH] >> 8) & 0xFFU;
    if (reg >= 16)
        return 0;
    return r->gpr[reg] & exit_size_mask(size);
}

void exit_reg_set(struct vcpu_regs *r, unsigned reg, unsigned size, uint64_t val)
{
    if (reg >= X86_AH && reg <= X86_BH) {
        uint64_t *g = &r->gpr[reg - X86_AH];
        *g = (*g & ~0xFF00ULL) | ((val & 0xFFU) << 8);
        return;
    }
    if (reg >= 16)
        return;
    /* a 32-bit destination clears the upper half, narrower ones leave it alone (x86-64 rules) */
    if (size == 4 || size >= 8) {
        r->gpr[reg] = val & exit_size_mask(size);
        return;
    }
    uint64_t m = exit_size_mask(size);
    r->gpr[reg] = (r->gpr[reg] & ~m) | (val & m);
}

enum exit_action exit_resume(struct exit_ctx *c)
{
    c->r->regs.rip += c->x->insn_len;
    return EXIT_RESUME;
}

enum exit_action exit_inject(struct exit_ctx *c, unsigned vector, uint32_t error_code,
                             uint64_t cr2)
{
    c->r->vector = (uint8_t)vector;
    c->r->error_code = error_code;
    c->r->cr2 = cr2;
    switch (vector) {
    case EXC_GP: return EXIT_INJECT_GP;
    case EXC_UD: return EXIT_INJECT_UD;
    case EXC_PF: return EXIT_INJECT_PF;
    default:     return EXIT_INJECT_EXC;
    }
}

enum exit_action exit_crash(struct exit_ctx *c)
{
    dom_crash(c->d);
    return EXIT_DOMAIN_CRASH;
}

void exit_vcpu_init(struct vcpu *v)
{
    msr_init(v);
}

void exit_domain_init(struct domain *d)
{
    if (!d)
        return;
    cpuid_policy_default(&d->cpuid);
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        msr_init(&d->vcpu[i]);
    uart_init(&d->uart);
    cmos_init(&d->cmos);
    dma_init(&d->dma);
}

/*
 * Records that cannot have come from hardware are EXIT_INVALID and change nothing: a reason out of
 * range, an instruction exit without a length (rip could not advance), a length over 15, or a
 * vCPU that cannot be running (down, blocked, or its domain shut down, dying or paused).
 */
enum exit_action hv_exit(struct hv *hv, struct vcpu *v, const struct exit_record *x,
                         struct exit_result *r)
{
    struct exit_result scratch;
    if (!r)
        r = &scratch;
    memset(r, 0, sizeof(*r));
    if (x)
        r->regs = x->regs;
    r->action = EXIT_INVALID;
    if (!hv || !x || !vcpu_runnable(hv, v) || v->blocked)
        return EXIT_INVALID;
    if (x->reason >= EXIT_NR || x->insn_len > X86_MAX_INSN_LEN)
        return EXIT_INVALID;
    const struct exit_desc *e = &exit_table[x->reason];
    if (!e->fn || (e->insn && x->insn_len == 0))
        return EXIT_INVALID;

    struct exit_ctx c = { .hv = hv, .d = &hv->dom[v->domid], .v = v, .x = x, .r = r };
    enum exit_action a = e->fn(&c);
    /* a handler that gives up on the record leaves the registers as they came in */
    if (a == EXIT_INVALID)
        r->regs = x->regs;
    r->action = (uint8_t)a;
    return a;
}
