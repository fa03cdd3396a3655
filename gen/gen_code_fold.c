/* The guest-code family's pieces made of other families' ops: a hypercall folded into a syscall, an exit into its instruction. */
#include "gen/gen_code.h"
#include "ir/exit_tmpl.h"
#include "ir/prog_internal.h"

/* The PV64 hypercall argument registers, in argument order. */
static const uint8_t gen_code_hc_regs[PROG_MAX_ARGS] = { X86_RDI, X86_RSI, X86_RDX, X86_R10,
                                                         X86_R8, X86_R9 };

/* A payload the code's data area takes (source offsets b); -1 if it does not fit. */
static int gen_code_data(struct gen_code *c, const struct prog_op *src)
{
    unsigned base = (c->dlen + 7U) & ~7U, n = src->payload_len;

    if (base + n + ((c->a.len + 7U) & ~7U) + 9U > PROG_MAX_PAYLOAD ||
        c->ndfix + src->nr_fixups + c->a.nfix + 6U > PROG_MAX_FIXUPS)
        return -1;
    memset(c->data + c->dlen, 0, base - c->dlen);
    memcpy(c->data + base, src->payload, n);
    c->dlen = base + n;
    gen_code_caps(c);
    return (int)base;
}

/*
 * The op's arguments as the code must name them: payload offsets move into the data area, and so
 * does a VA of the payload page that pointed into the payload (an exit's string buffer). An
 * argument naming the payload page as a frame cannot move (a copy of that page means its layout):
 * false.
 */
static bool gen_code_reloc(const struct gen_code *c, const struct prog_op *src, int base,
                           struct prog_arg *a, bool *data)
{
    unsigned pl = c->g->cfg.shape.dom_pages - 1U;

    *data = false;
    switch (a->kind) {
    case ARG_PAYLOAD:
        if (a->b + (unsigned)base + PROG_MAX_PAYLOAD >= PROG_MAX_BYTE_OFF)
            return false;
        a->b += (uint32_t)base;
        *data = true;
        return true;
    case ARG_GVA:
        if (a->a == pl && a->b < src->payload_len) {
            *a = GEN_PAYLOAD(a->b + (uint32_t)base);
            *data = true;
        }
        return true;
    case ARG_MFN: case ARG_GFN: case ARG_MADDR: case ARG_PTE: case ARG_GPA:
        return a->a % c->g->cfg.shape.dom_pages != pl;
    default:
        return true;
    }
}

/* src's fixups into the data area at base; false (nothing added) if one cannot move. */
static bool gen_code_data_fixups(struct gen_code *c, const struct prog_op *src, int base)
{
    unsigned n = c->ndfix;

    for (unsigned i = 0; i < src->nr_fixups; i++) {
        struct prog_fixup f = src->fixups[i];
        bool data;
        if (!gen_code_reloc(c, src, base, &f.arg, &data)) {
            c->ndfix = n;
            return false;
        }
        f.off = (uint16_t)(f.off + (unsigned)base);
        c->dfix[c->ndfix++] = f;
    }
    gen_code_caps(c);
    return true;
}

/*
 * A hypercall op into the code: the payload and its fixups into the data area, the arguments
 * into rdi, rsi, rdx, r10, r8, r9 and the number into eax, then syscall. Now and then a pointer
 * argument names other memory of the guest instead of the payload: a data page (contents the
 * call did not expect), a page table (read-only to a copy back), the code's own first bytes.
 */
static bool gen_code_fold_hc(struct gen_code *c, const struct prog_op *h)
{
    struct gen *g = c->g;
    struct prog_arg args[PROG_MAX_ARGS];
    bool data[PROG_MAX_ARGS];
    struct gen_code_mark m;
    int base;

    gen_code_mark(c, &m);
    if ((base = gen_code_data(c, h)) < 0)
        return false;
    for (unsigned i = 0; i < h->nr_args; i++) {
        args[i] = h->args[i];
        if (!gen_code_reloc(c, h, base, &args[i], &data[i]))
            goto undo;
        if (data[i] && gen_chance(g, 1, 8)) {
            static const uint8_t other[] = { GEN_CT_OWN, GEN_CT_PT, GEN_CT_CODE };
            unsigned k = GEN_PICK(g, other);
            data[i] = false;
            args[i] = k == GEN_CT_OWN ? GEN_GVA(c->dom, gen_data_gfn(g), 8U * gen_below(g, 8))
                    : k == GEN_CT_PT ? GEN_GVA(c->dom, gen_pt_gfn(g, 1 + gen_below(g, 4)), 0)
                                     : GEN_PAYLOAD(0);
        }
    }
    if (!gen_code_data_fixups(c, h, base))
        goto undo;
    for (unsigned i = 0; i < h->nr_args && i < PROG_MAX_ARGS; i++)
        gen_code_mov(c, gen_code_hc_regs[i], args[i], data[i]);
    gen_asm_mov_imm(&c->a, X86_RAX, h->nr);
    gen_asm_fixed(&c->a, GF_SYSCALL);
    if (c->a.full)
        goto undo;
    if (h->nr == HYPERVISOR_update_va_mapping && h->nr_args && h->args[0].kind == ARG_GVA) {
        /* what follows may touch the page the call just remapped */
        c->remap_va = GEN_VA(h->args[0].a);
        c->remap_faults = false;
    }
    return true;
undo:
    gen_code_back(c, &m);
    return false;
}

/* The families whose ops are hypercalls, by their weights (races: those that can be preempted). */
unsigned gen_code_hc_family(struct gen *g, bool preemptible)
{
    static const uint8_t fams[] = { GEN_F_MMU_UPDATE, GEN_F_UVA, GEN_F_MMUEXT, GEN_F_MEMORY,
                                    GEN_F_GRANT, GEN_F_EVTCHN, GEN_F_MULTICALL, GEN_F_VCPU,
                                    GEN_F_SCHED, GEN_F_DOMCTL, GEN_F_MISC };
    static const uint8_t pre[] = { GEN_F_MMU_UPDATE, GEN_F_MMUEXT, GEN_F_MEMORY, GEN_F_GRANT,
                                   GEN_F_MULTICALL };
    const uint8_t *t = preemptible ? pre : fams;
    unsigned n = preemptible ? sizeof(pre) : sizeof(fams), total = 0;

    for (unsigned i = 0; i < n; i++)
        total += g->cfg.weight[t[i]];
    uint32_t r = gen_below(g, total ? total : 1);
    for (unsigned i = 0; i < n; i++) {
        if (r < g->cfg.weight[t[i]])
            return t[i];
        r -= g->cfg.weight[t[i]];
    }
    return t[0];
}

/*
 * A hypercall from the code: one group of a hypercall family is made; its last hypercall of this
 * domain becomes the code's syscall and the code takes that op's place (the group's other ops
 * keep their order around it). Only the first hypercall piece of a code op can do that.
 */
void gen_code_hc_piece(struct gen_code *c, bool preemptible)
{
    struct prog *p = c->p;
    uint32_t before = p->nr_ops;
    int k = -1;

    if (c->slot >= 0 || c->in_loop)
        return;
    gen_families[gen_code_hc_family(c->g, preemptible)](c->g, p, c->dom, c->vcpu);
    for (uint32_t i = p->nr_ops; i-- > before;)
        if (p->ops[i].kind == OP_HYPERCALL && p->ops[i].dom == c->dom) {
            k = (int)i;
            break;
        }
    if (k < 0)
        return;
    c->vcpu = p->ops[k].vcpu;
    if (gen_code_fold_hc(c, &p->ops[k]))
        c->slot = k;
}

/* Registers an exit reason's instruction reads (the template leaves the others unset: 0). */
static uint16_t gen_code_exit_reads(const struct prog_op *x)
{
    switch (x->exit_reason) {
    case EXIT_CPUID:     return 1U << X86_RAX | 1U << X86_RCX;
    case EXIT_MSR_READ:  return 1U << X86_RCX;
    case EXIT_MSR_WRITE: return 1U << X86_RAX | 1U << X86_RCX | 1U << X86_RDX;
    case EXIT_IO:        return 1U << X86_RAX | 1U << X86_RDX | 1U << X86_RCX | 1U << X86_RSI |
                                1U << X86_RDI;
    default:             return 0;
    }
}

/*
 * An exit into the code: the template's registers (those its instruction reads, and any other it
 * sets), the direction flag, then its instruction bytes; a string buffer in its payload moves to
 * the data area. Exits that end the run (HLT) only last.
 */
static bool gen_code_fold_exit(struct gen_code *c, const struct prog_op *x)
{
    uint16_t reads = gen_code_exit_reads(x);
    bool df = x->regs[PROG_EXIT_RFLAGS].kind == ARG_IMM && (x->regs[PROG_EXIT_RFLAGS].imm & 0x400);
    struct gen_code_mark m;
    int base = 0;

    if (!x->insn_len || (x->exit_reason == EXIT_HLT && c->in_loop))
        return false;
    gen_code_mark(c, &m);
    if ((x->payload_len && (base = gen_code_data(c, x)) < 0) ||
        !gen_code_data_fixups(c, x, base)) {
        gen_code_back(c, &m);
        return false;
    }
    for (unsigned r = 0; r < 16; r++) {
        struct prog_arg a = x->regs[r];
        bool data;
        if (r == X86_RSP || (c->in_loop && r == GEN_CODE_COUNTER) ||
            (!(reads >> r & 1U) && a.kind == ARG_IMM && a.imm == 0))
            continue;
        if (!gen_code_reloc(c, x, base, &a, &data)) {
            gen_code_back(c, &m);
            return false;
        }
        gen_code_mov(c, r, a, data);
    }
    if (df)
        gen_asm_fixed(&c->a, GF_STD);
    gen_asm_bytes(&c->a, x->insn, x->insn_len);
    if (df)
        gen_asm_fixed(&c->a, GF_CLD);
    if (c->a.full) {
        gen_code_back(c, &m);
        return false;
    }
    c->ended |= x->exit_reason == EXIT_HLT;
    return true;
}

/* An exit an instruction raises (CPUID, MSRs, port I/O, HLT), from the exit family's templates. */
void gen_code_exit_piece(struct gen_code *c)
{
    struct prog *p = c->p;
    uint32_t before = p->nr_ops;

    if (p->nr_ops + 8 > PROG_MAX_OPS)
        return;
    gen_exit_insn(c->g, p, c->dom, c->vcpu);
    for (uint32_t i = before; i < p->nr_ops && !c->ended; i++)
        if (!gen_code_fold_exit(c, &p->ops[i]))
            break;
    p->nr_ops = before;   /* folded (or dropped): the exits are the code's now */
}
