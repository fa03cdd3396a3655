/* MMIO exits: the MMIO device table, and emulation of the decoded instruction against a device. */
#include <string.h>
#include "devices.h"

static const struct mmio_dev *const mmio_devs[] = {
    &dma_mmio_dev,
};

const struct mmio_dev *mmio_find(uint64_t gpa)
{
    for (size_t i = 0; i < sizeof(mmio_devs) / sizeof(mmio_devs[0]); i++)
        if (gpa >= mmio_devs[i]->base && gpa - mmio_devs[i]->base < mmio_devs[i]->size)
            return mmio_devs[i];
    return NULL;
}

/* Unclaimed MMIO reads all-ones and drops writes, like an unclaimed port. */
uint64_t mmio_read(struct hv *hv, struct domain *d, uint64_t gpa, unsigned size)
{
    const struct mmio_dev *m = mmio_find(gpa);
    if (!m || !m->read)
        return exit_size_mask(size);
    return m->read(hv, d, gpa - m->base, size) & exit_size_mask(size);
}

void mmio_write(struct hv *hv, struct domain *d, uint64_t gpa, unsigned size, uint64_t val)
{
    const struct mmio_dev *m = mmio_find(gpa);
    if (m && m->write)
        m->write(hv, d, gpa - m->base, size, val & exit_size_mask(size));
}

/* One instruction being emulated: the memory operand is the MMIO access at gpa. */
struct mmio_op {
    struct exit_ctx *c;
    const struct x86_insn *in;
    uint64_t gpa;
    unsigned size;          /* bytes of the memory access */
    int mem;                /* index of the memory operand */
    bool partial;           /* a rep stopped early: rip stays on the instruction */
};

static uint64_t mmio_opnd_value(const struct mmio_op *m, const struct x86_operand *o)
{
    if (o->kind == X86_OPND_IMM)
        return (uint64_t)o->imm & exit_size_mask(m->size);
    return exit_reg_get(&m->c->r->regs, o->reg, o->size);
}

static uint64_t mmio_ld(struct mmio_op *m)
{
    return mmio_read(m->c->hv, m->c->d, m->gpa, m->size);
}

static void mmio_st(struct mmio_op *m, uint64_t v)
{
    mmio_write(m->c->hv, m->c->d, m->gpa, m->size, v);
}

static uint64_t mmio_sext(uint64_t v, unsigned size)
{
    unsigned sh = 64U - 8U * size;
    return size >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

/* ---- arithmetic flags ------------------------------------------------------------------------ */

static uint64_t mmio_flags_szp(uint64_t res, unsigned size)
{
    uint64_t f = 0;
    uint64_t msb = 1ULL << (size * 8U - 1U);
    if ((res & exit_size_mask(size)) == 0)
        f |= RFLAGS_ZF;
    if (res & msb)
        f |= RFLAGS_SF;
    if (!__builtin_parity((unsigned)(res & 0xFFU)))
        f |= RFLAGS_PF;
    return f;
}

static void mmio_set_flags(struct mmio_op *m, uint64_t f)
{
    struct vcpu_regs *g = &m->c->r->regs;
    g->rflags = (g->rflags & ~RFLAGS_ARITH) | f;
}

/* a OP b for the ALU mnemonics; sets the flags and says whether the result is written back */
static uint64_t mmio_alu_compute(struct mmio_op *m, unsigned mn, uint64_t a, uint64_t b,
                                 bool *store)
{
    unsigned size = m->size;
    uint64_t mask = exit_size_mask(size), msb = 1ULL << (size * 8U - 1U);
    uint64_t res, f = 0;
    a &= mask;
    b &= mask;
    *store = mn != X86_TEST && mn != X86_CMP;
    switch (mn) {
    case X86_AND: case X86_TEST: res = a & b; break;
    case X86_OR:  res = a | b; break;
    case X86_XOR: res = a ^ b; break;
    case X86_ADD:
        res = (a + b) & mask;
        if (res < a)
            f |= RFLAGS_CF;
        if ((a ^ res) & (b ^ res) & msb)
            f |= RFLAGS_OF;
        f |= (a ^ b ^ res) & RFLAGS_AF;
        break;
    default: /* SUB, CMP */
        res = (a - b) & mask;
        if (a < b)
            f |= RFLAGS_CF;
        if ((a ^ b) & (a ^ res) & msb)
            f |= RFLAGS_OF;
        f |= (a ^ b ^ res) & RFLAGS_AF;
        break;
    }
    /* logic ops clear CF and OF; AF is undefined for them and the model clears it */
    mmio_set_flags(m, f | mmio_flags_szp(res, size));
    return res;
}

/* ---- the instructions ------------------------------------------------------------------------ */

static enum exit_action mmio_mov(struct mmio_op *m)
{
    const struct x86_insn *in = m->in;
    if (m->mem == 0) {
        mmio_st(m, mmio_opnd_value(m, &in->op[1]));
    } else {
        const struct x86_operand *d = &in->op[0];
        if (d->kind != X86_OPND_REG)
            return exit_inject(m->c, EXC_UD, 0, 0);
        exit_reg_set(&m->c->r->regs, d->reg, d->size, mmio_ld(m));
    }
    return EXIT_RESUME;
}

static enum exit_action mmio_movx(struct mmio_op *m)
{
    const struct x86_operand *d = &m->in->op[0];
    if (m->mem != 1 || d->kind != X86_OPND_REG)
        return exit_inject(m->c, EXC_UD, 0, 0);
    uint64_t v = mmio_ld(m);
    if (m->in->mnemonic != X86_MOVZX)
        v = mmio_sext(v, m->size);
    exit_reg_set(&m->c->r->regs, d->reg, d->size, v);
    return EXIT_RESUME;
}

static enum exit_action mmio_alu(struct mmio_op *m)
{
    const struct x86_insn *in = m->in;
    const struct x86_operand *other = &in->op[m->mem == 0 ? 1 : 0];
    bool store;
    if (other->kind != X86_OPND_REG && other->kind != X86_OPND_IMM)
        return exit_inject(m->c, EXC_UD, 0, 0);
    uint64_t mv = mmio_ld(m), ov = mmio_opnd_value(m, other);
    if (m->mem == 0) {
        uint64_t res = mmio_alu_compute(m, in->mnemonic, mv, ov, &store);
        if (store)
            mmio_st(m, res);
    } else {
        uint64_t res = mmio_alu_compute(m, in->mnemonic, ov, mv, &store);
        if (store)
            exit_reg_set(&m->c->r->regs, other->reg, other->size, res);
    }
    return EXIT_RESUME;
}

static enum exit_action mmio_xchg(struct mmio_op *m)
{
    const struct x86_operand *r = &m->in->op[m->mem == 0 ? 1 : 0];
    if (r->kind != X86_OPND_REG)
        return exit_inject(m->c, EXC_UD, 0, 0);
    uint64_t old = mmio_ld(m);
    mmio_st(m, exit_reg_get(&m->c->r->regs, r->reg, r->size));
    exit_reg_set(&m->c->r->regs, r->reg, r->size, old);
    return EXIT_RESUME;
}

/* The gpa is the word the CPU accessed, so the bit is the offset modulo the width even for a
   register offset that selected another word. */
static enum exit_action mmio_bt(struct mmio_op *m)
{
    const struct x86_operand *o = &m->in->op[1];
    if (m->mem != 0 || (o->kind != X86_OPND_REG && o->kind != X86_OPND_IMM))
        return exit_inject(m->c, EXC_UD, 0, 0);
    uint64_t bitoff = o->kind == X86_OPND_IMM ? (uint64_t)o->imm
                                              : exit_reg_get(&m->c->r->regs, o->reg, o->size);
    uint64_t bit = 1ULL << (bitoff & (m->size * 8U - 1U));
    uint64_t v = mmio_ld(m);
    struct vcpu_regs *g = &m->c->r->regs;
    g->rflags = (g->rflags & ~RFLAGS_CF) | ((v & bit) ? RFLAGS_CF : 0);
    switch (m->in->mnemonic) {
    case X86_BTS: mmio_st(m, v | bit); break;
    case X86_BTR: mmio_st(m, v & ~bit); break;
    case X86_BTC: mmio_st(m, v ^ bit); break;
    default: break;
    }
    return EXIT_RESUME;
}

/* ---- string instructions --------------------------------------------------------------------- */

struct mmio_rep {
    uint64_t amask;         /* address-size mask */
    uint64_t count;         /* elements left (1 without rep) */
    int64_t  step;
};

static void mmio_rep_init(struct mmio_op *m, struct mmio_rep *s)
{
    const struct vcpu_regs *g = &m->c->r->regs;
    s->amask = m->in->addrsize == 4 ? 0xFFFFFFFFULL : ~0ULL;
    s->count = m->in->rep ? g->gpr[X86_RCX] & s->amask : 1;
    s->step = (g->rflags & RFLAGS_DF) ? -(int64_t)m->size : (int64_t)m->size;
}

/* Retire one element: advance the index registers, count down rcx under rep. */
static void mmio_rep_step(struct mmio_op *m, struct mmio_rep *s, bool rsi, bool rdi)
{
    struct vcpu_regs *g = &m->c->r->regs;
    unsigned asz = m->in->addrsize == 4 ? 4 : 8;
    if (rsi)
        exit_reg_set(g, X86_RSI, asz, g->gpr[X86_RSI] + (uint64_t)s->step);
    if (rdi)
        exit_reg_set(g, X86_RDI, asz, g->gpr[X86_RDI] + (uint64_t)s->step);
    s->count--;
    if (m->in->rep)
        exit_reg_set(g, X86_RCX, asz, s->count);
}

/* Whether element i (counted from the faulting one) is still on the device page; the exit
   covers one page, the guest re-executes for the rest. */
static bool mmio_rep_in_page(const struct mmio_op *m, const struct mmio_rep *s, unsigned i)
{
    uint64_t a = m->gpa + (uint64_t)((int64_t)i * s->step);
    return (a >> PAGE_SHIFT) == (m->gpa >> PAGE_SHIFT) &&
           ((a + m->size - 1) >> PAGE_SHIFT) == (m->gpa >> PAGE_SHIFT);
}

static enum exit_action mmio_rep_end(struct mmio_op *m, const struct mmio_rep *s)
{
    m->partial = s->count != 0;
    return EXIT_RESUME;
}

static enum exit_action mmio_stos(struct mmio_op *m)
{
    struct mmio_rep s;
    mmio_rep_init(m, &s);
    uint64_t v = m->c->r->regs.gpr[X86_RAX] & exit_size_mask(m->size);
    uint64_t gpa0 = m->gpa;
    for (unsigned i = 0; s.count && i < EXIT_REP_MAX && mmio_rep_in_page(m, &s, i); i++) {
        m->gpa = gpa0 + (uint64_t)((int64_t)i * s.step);
        mmio_st(m, v);
        mmio_rep_step(m, &s, false, true);
    }
    m->gpa = gpa0;
    return mmio_rep_end(m, &s);
}

static uint64_t mmio_seg_base(struct exit_ctx *c, uint8_t seg)
{
    if (seg == 0x64)
        return c->v->msr.fs_base;
    if (seg == 0x65)
        return c->v->msr.gs_base;
    return 0;
}

/*
 * MOVS has one MMIO side; the other is guest memory through the vCPU's page tables. The MMIO side
 * is the destination when the exit says the access was a write (EPT: the W access bit; MMIO
 * exits: gla is the destination's linear address), else the source.
 */
static enum exit_action mmio_movs(struct mmio_op *m)
{
    struct exit_ctx *c = m->c;
    struct vcpu_regs *g = &c->r->regs;
    struct mmio_rep s;
    mmio_rep_init(m, &s);
    uint64_t src_base = mmio_seg_base(c, m->in->op[1].mem.seg);
    bool dst_mmio = c->x->reason == EXIT_EPT_VIOLATION ?
                    (c->x->gla & 2U) != 0 : c->x->gla == (g->gpr[X86_RDI] & s.amask);
    uint64_t gpa0 = m->gpa;
    for (unsigned i = 0; s.count && i < EXIT_REP_MAX && mmio_rep_in_page(m, &s, i); i++) {
        m->gpa = gpa0 + (uint64_t)((int64_t)i * s.step);
        uint8_t buf[8] = { 0 };
        uint32_t pfec = 0;
        if (dst_mmio) {
            uint64_t va = src_base + (g->gpr[X86_RSI] & s.amask);
            if (guest_read(c->hv, c->v, va, buf, m->size, &pfec) < 0) {
                m->gpa = gpa0;
                return exit_inject(c, EXC_PF, pfec, va);
            }
            uint64_t v = 0;
            memcpy(&v, buf, m->size);
            mmio_st(m, v);
        } else {
            uint64_t va = g->gpr[X86_RDI] & s.amask;
            /* probe first: a device read may have side effects a fault must not repeat */
            if (guest_read(c->hv, c->v, va, buf, m->size, &pfec) < 0 ||
                guest_write(c->hv, c->v, va, buf, m->size, &pfec) < 0) {
                m->gpa = gpa0;
                return exit_inject(c, EXC_PF, pfec, va);
            }
            uint64_t v = mmio_ld(m);
            memcpy(buf, &v, m->size);
            guest_write(c->hv, c->v, va, buf, m->size, &pfec);
        }
        mmio_rep_step(m, &s, true, true);
    }
    m->gpa = gpa0;
    return mmio_rep_end(m, &s);
}

/* ---- dispatch -------------------------------------------------------------------------------- */

static enum exit_action (*const mmio_ops[X86_NR_MNEMONICS])(struct mmio_op *m) = {
    [X86_MOV] = mmio_mov,
    [X86_MOVZX] = mmio_movx, [X86_MOVSX] = mmio_movx, [X86_MOVSXD] = mmio_movx,
    [X86_STOS] = mmio_stos, [X86_MOVS] = mmio_movs,
    [X86_AND] = mmio_alu, [X86_OR] = mmio_alu, [X86_XOR] = mmio_alu, [X86_TEST] = mmio_alu,
    [X86_CMP] = mmio_alu, [X86_ADD] = mmio_alu, [X86_SUB] = mmio_alu,
    [X86_XCHG] = mmio_xchg,
    [X86_BT] = mmio_bt, [X86_BTS] = mmio_bt, [X86_BTR] = mmio_bt, [X86_BTC] = mmio_bt,
};

/* LOCK is legal only on read-modify-write forms with a memory destination. */
static bool mmio_lock_ok(const struct x86_insn *in)
{
    switch (in->mnemonic) {
    case X86_AND: case X86_OR: case X86_XOR: case X86_ADD: case X86_SUB: case X86_XCHG:
    case X86_BTS: case X86_BTR: case X86_BTC:
        return in->nr_operands > 0 && in->op[0].kind == X86_OPND_MEM;
    default:
        return false;
    }
}

/*
 * insn_len is the number of instruction bytes the record carries; rip advances by the decoded
 * length. Bytes that end inside the instruction make the record invalid; a too-long instruction
 * is #GP as on hardware; anything the decoder or this table does not cover is #UD.
 */
enum exit_action exit_mmio_emulate(struct exit_ctx *c, uint64_t gpa)
{
    struct x86_insn in;
    memset(&in, 0, sizeof(in));
    enum x86_decode_status st = x86_decode(c->x->insn, c->x->insn_len, &in);
    if (st == X86_E_TRUNCATED)
        return EXIT_INVALID;
    if (st == X86_E_TOO_LONG)
        return exit_inject(c, EXC_GP, 0, 0);
    if (st != X86_OK || in.len == 0 || in.len > c->x->insn_len ||
        in.mnemonic >= X86_NR_MNEMONICS || !mmio_ops[in.mnemonic])
        return exit_inject(c, EXC_UD, 0, 0);
    c->r->insn = in;
    c->r->insn_valid = true;
    if (in.lock && !mmio_lock_ok(&in))
        return exit_inject(c, EXC_UD, 0, 0);

    struct mmio_op m = { .c = c, .in = &in, .gpa = gpa, .mem = -1 };
    unsigned nops = in.nr_operands < 3 ? in.nr_operands : 3;
    for (unsigned i = 0; i < nops; i++)
        if (in.op[i].kind == X86_OPND_MEM) {
            m.mem = (int)i;
            break;
        }
    m.size = in.opsize ? in.opsize : (m.mem >= 0 ? in.op[m.mem].size : 0);
    /* an instruction without a memory operand cannot be the access that exited */
    if (m.mem < 0 || (m.size != 1 && m.size != 2 && m.size != 4 && m.size != 8))
        return exit_inject(c, EXC_UD, 0, 0);

    enum exit_action a = mmio_ops[in.mnemonic](&m);
    /* an unfinished rep: registers show the progress, rip stays */
    if (a == EXIT_RESUME && !m.partial)
        c->r->regs.rip += in.len;
    return a;
}

enum exit_action exit_mmio(struct exit_ctx *c)
{
    return exit_mmio_emulate(c, c->x->qual);
}
