/* Program mutation for corpus-driven runs: structural edits, argument and payload changes, splices. */
#include "gen/gen_asm.h"
#include "gen/gen_internal.h"
#include "ir/prog_internal.h"

static void gen_mut_move(struct prog *p, uint32_t to, uint32_t from, uint32_t n)
{
    memmove(&p->ops[to], &p->ops[from], n * sizeof(p->ops[0]));
}

/* Generate one group at the end, then rotate it to a random position. */
static void gen_mut_insert(struct gen *g, struct prog *p)
{
    uint32_t before = p->nr_ops, pos, n;
    struct prog_op tmp;

    if (p->nr_ops >= PROG_MAX_OPS)
        return;
    gen_append(g, p);
    n = p->nr_ops - before;
    pos = gen_below(g, before + 1);
    /* rotate ops [pos, nr_ops) right by n, one op at a time (n is small); keeps the group's order */
    for (uint32_t k = 0; k < n; k++) {
        tmp = p->ops[p->nr_ops - 1];
        gen_mut_move(p, pos + 1, pos, p->nr_ops - 1 - pos);
        p->ops[pos] = tmp;
    }
}

static void gen_mut_delete(struct gen *g, struct prog *p)
{
    uint32_t i, n;

    if (p->nr_ops < 2)
        return;
    i = gen_below(g, p->nr_ops);
    n = 1 + gen_below(g, 3);
    if (n > p->nr_ops - i)
        n = p->nr_ops - i;
    if (n >= p->nr_ops)
        n = p->nr_ops - 1;
    gen_mut_move(p, i, i + n, p->nr_ops - i - n);
    p->nr_ops -= n;
}

static void gen_mut_duplicate(struct gen *g, struct prog *p)
{
    uint32_t from, to;

    if (!p->nr_ops || p->nr_ops >= PROG_MAX_OPS)
        return;
    from = gen_below(g, p->nr_ops);
    to = gen_below(g, p->nr_ops + 1);
    gen_mut_move(p, to + 1, to, p->nr_ops - to);
    p->nr_ops++;
    if (from >= to)
        from++;
    p->ops[to] = p->ops[from];
}

static void gen_mut_swap(struct gen *g, struct prog *p)
{
    struct prog_op tmp;
    uint32_t a, b;

    if (p->nr_ops < 2)
        return;
    a = gen_below(g, p->nr_ops);
    b = gen_chance(g, 1, 2) && a + 1 < p->nr_ops ? a + 1 : gen_below(g, p->nr_ops);
    tmp = p->ops[a];
    p->ops[a] = p->ops[b];
    p->ops[b] = tmp;
}

static uint64_t gen_mut_value(struct gen *g, uint64_t v)
{
    switch (gen_below(g, 8)) {
    case 0: return v + 1;
    case 1: return v - 1;
    case 2: return v ^ (1ULL << gen_below(g, 64));
    case 3: return gen_count(g, 8);
    case 4: return v ^ (1ULL << gen_below(g, 12));
    case 5: return v + 8;
    case 6: return v - 8;
    default: return gen_rand(g);
    }
}

/* Change one field of a resource while keeping it valid for the shape. */
static void gen_mut_arg(struct gen *g, struct prog_arg *a, const struct prog_shape *s)
{
    unsigned f = a->kind < ARG_NR_KINDS ? prog_arg_fields[a->kind] : 0;

    switch (gen_below(g, 5)) {
    case 0:
        if (f & PROG_F_DOM) {
            a->dom = (uint8_t)gen_below(g, s->nr_domains);
            if (a->kind == ARG_DOMID)
                a->a = 0;
            return;
        }
        break;
    case 1:
        if (a->kind == ARG_PTE) {
            a->imm = (a->imm ^ (1ULL << gen_below(g, 12))) & ~PTE_ADDR_MASK;
            if (gen_chance(g, 1, 4))
                a->imm ^= _PAGE_NX;
            return;
        }
        break;
    case 2:
        if ((f & PROG_F_B) && a->kind != ARG_DOMID) {
            a->b = (uint32_t)gen_mut_value(g, a->b) % PROG_MAX_BYTE_OFF;
            return;
        }
        break;
    case 3:
        if (a->kind == ARG_IMM) {
            a->imm = gen_mut_value(g, a->imm);
            return;
        }
        break;
    default:
        break;
    }
    if ((f & PROG_F_A) && a->kind != ARG_DOMID) {
        a->a = (uint16_t)(gen_chance(g, 1, 2) ? a->a + 1 - 2 * gen_below(g, 2) : gen_below(g, 8));
        if (a->kind == ARG_GVA)
            a->a %= s->dom_pages;   /* a gva past the domain's pages is invalid */
    }
    else if (a->kind == ARG_IMM)
        a->imm = gen_mut_value(g, a->imm);
}

static void gen_mut_payload(struct gen *g, struct prog_op *op)
{
    unsigned w = 1U << gen_below(g, 4), off;
    uint64_t v = 0;

    if (op->payload_len < w)
        return;
    off = gen_below(g, op->payload_len / w) * w;
    for (unsigned i = 0; i < w; i++)
        v |= (uint64_t)op->payload[off + i] << (8 * i);
    v = gen_mut_value(g, v);
    for (unsigned i = 0; i < w; i++)
        op->payload[off + i] = (uint8_t)(v >> (8 * i));
}

/* ---- guest code -------------------------------------------------------------------------------- */

/* Where x lands when the n bytes at at become m bytes (inside the replaced bytes: unchanged). */
static unsigned gen_mut_shift(unsigned x, unsigned at, unsigned n, int delta)
{
    return x >= at + n ? (unsigned)((int)x + delta) : x;
}

/*
 * Replace the n bytes of a guest_code payload at at (an instruction boundary) with ins: the tail
 * moves, fixups whose bytes were overwritten go, those behind move with it, payload offsets that
 * point behind move too, and jumps and rip-relative operands reaching across keep their targets.
 * false (nothing changed) if the result does not fit.
 */
static bool gen_mut_code_splice(struct prog_op *op, unsigned at, unsigned n,
                                const struct gen_asm *ins)
{
    unsigned len = op->payload_len, code = gen_asm_code_len(op->payload, len), keep = 0;
    int delta = (int)ins->len - (int)n;
    struct gen_asm_insn in;

    if (at + n > len || (int)len + delta < 1 || (int)len + delta > (int)PROG_MAX_PAYLOAD)
        return false;
    for (unsigned f = 0; f < op->nr_fixups; f++)
        keep += !(op->fixups[f].off < at + n && op->fixups[f].off + op->fixups[f].width > at);
    if (keep + ins->nfix > PROG_MAX_FIXUPS)
        return false;
    for (unsigned off = 0, k; off < code && (k = gen_asm_scan(op->payload + off, code - off, &in));
         off += k) {
        if (!in.rel_len || (off >= at && off < at + n))
            continue;
        unsigned end = off + in.len;
        int64_t to = (int64_t)end + in.rel;
        if (to < 0 || to > (int64_t)len)
            continue;
        int64_t rel = (int64_t)gen_mut_shift((unsigned)to, at, n, delta) -
                      (int64_t)gen_mut_shift(end, at, n, delta);
        if (in.rel_len == 1 && (rel < -128 || rel > 127))
            continue;
        for (unsigned i = 0; i < in.rel_len; i++)
            op->payload[off + in.rel_off + i] = (uint8_t)((uint64_t)rel >> (8 * i));
    }
    memmove(op->payload + at + ins->len, op->payload + at + n, len - at - n);
    memcpy(op->payload + at, ins->b, ins->len);
    op->payload_len = (uint16_t)((int)len + delta);
    keep = 0;
    for (unsigned f = 0; f < op->nr_fixups; f++) {
        struct prog_fixup x = op->fixups[f];
        if (x.off < at + n && x.off + x.width > at)
            continue;   /* its bytes were overwritten */
        x.off = (uint16_t)gen_mut_shift(x.off, at, n, delta);
        if (x.arg.kind == ARG_PAYLOAD && x.arg.b < len)
            x.arg.b = gen_mut_shift(x.arg.b, at, n, delta);
        if (x.arg.b >= PROG_MAX_BYTE_OFF)
            continue;
        op->fixups[keep++] = x;
    }
    for (unsigned f = 0; f < ins->nfix; f++) {
        op->fixups[keep] = ins->fix[f];
        op->fixups[keep++].off = (uint16_t)(ins->fix[f].off + at);
    }
    op->nr_fixups = (uint8_t)keep;
    return true;
}

/* The code's instructions (up to its ret, or where the scanner stops): offsets, how many. */
#define GEN_MUT_INSNS 128U
static unsigned gen_mut_code_insns(const struct prog_op *op, uint16_t *at, struct gen_asm_insn *in)
{
    unsigned code = gen_asm_code_len(op->payload, op->payload_len), n = 0;

    for (unsigned off = 0; off < code && n < GEN_MUT_INSNS; n++) {
        unsigned k = gen_asm_scan(op->payload + off, code - off, &in[n]);
        if (!k)
            break;
        at[n] = (uint16_t)off;
        off += k;
    }
    return n;
}

static bool gen_mut_is_access(const struct gen_asm_insn *in)
{
    return (in->cls == GA_LOAD || in->cls == GA_STORE || in->cls == GA_CALL) &&
           (in->cls == GA_CALL ? in->reg : in->base) < 16;
}

/* A memory operand's target class: the mov that sets its base register gets a new address. */
static bool gen_mut_code_target(struct gen *g, struct prog *p, struct prog_op *op,
                                const uint16_t *at, const struct gen_asm_insn *in, unsigned n,
                                unsigned i)
{
    unsigned base = in[i].cls == GA_CALL ? in[i].reg : in[i].base, cls;
    struct gen_asm a;

    for (unsigned k = i; k-- > 0;) {
        if (in[k].cls != GA_MOV_IMM || in[k].reg != base)
            continue;
        struct prog_arg t = gen_code_new_target(g, p, op->dom, in[i].size ? in[i].size : 1, &cls);
        gen_asm_init(&a, PROG_MAX_PAYLOAD);
        a.fix_cap = PROG_MAX_FIXUPS - op->nr_fixups + 1;
        if (!gen_asm_mov_arg(&a, base, t, false, t.kind == ARG_IMM, t.imm))
            return false;
        return gen_mut_code_splice(op, at[k], in[k].len, &a);
    }
    (void)n;
    return false;
}

/* A load or store of another size, now and then the other way round. */
static bool gen_mut_code_size(struct gen *g, struct prog_op *op, const uint16_t *at,
                              const struct gen_asm_insn *in, unsigned i)
{
    bool store = in[i].cls == GA_STORE;
    unsigned size = 1U << gen_below(g, 4);
    struct gen_asm a;

    if (in[i].cls == GA_CALL || in[i].base == X86_RSP || in[i].base == X86_RBP ||
        in[i].base == X86_R12 || in[i].base == X86_R13)
        return false;
    if (gen_chance(g, 1, 4))
        store = !store;
    gen_asm_init(&a, PROG_MAX_PAYLOAD);
    return gen_asm_mem(&a, store, in[i].reg, in[i].base, size) &&
           gen_mut_code_splice(op, at[i], in[i].len, &a);
}

/* Bytes of the code changed as a value; a fixup over them would write them back: it goes. */
static void gen_mut_code_bytes(struct gen *g, struct prog_op *op)
{
    unsigned w = 1U << gen_below(g, 2), code = gen_asm_code_len(op->payload, op->payload_len);
    unsigned span = code ? code : op->payload_len, off, k = 0;

    if (span < w)
        return;
    off = gen_below(g, span - w + 1);
    if (gen_chance(g, 1, 2)) {
        op->payload[off] ^= (uint8_t)(1U << gen_below(g, 8));
        w = 1;
    } else {
        for (unsigned i = 0; i < w; i++)
            op->payload[off + i] = (uint8_t)gen_rand(g);
    }
    for (unsigned f = 0; f < op->nr_fixups; f++)
        if (!(op->fixups[f].off < off + w && op->fixups[f].off + op->fixups[f].width > off))
            op->fixups[k++] = op->fixups[f];
    op->nr_fixups = (uint8_t)k;
}

/*
 * A guest_code op: retarget a memory operand (a new class of page), resize an access, replace or
 * insert a piece, delete an instruction, or change bytes; the code keeps its fixups consistent.
 */
static void gen_mut_code(struct gen *g, struct prog *p, struct prog_op *op, unsigned r)
{
    uint16_t at[GEN_MUT_INSNS];
    struct gen_asm_insn in[GEN_MUT_INSNS];
    unsigned n = gen_mut_code_insns(op, at, in), acc[GEN_MUT_INSNS], na = 0;
    struct gen_asm a;

    for (unsigned i = 0; i < n; i++)
        if (gen_mut_is_access(&in[i]))
            acc[na++] = i;
    if (r < 3 && na) {
        unsigned i = acc[gen_below(g, na)];
        if (r < 2 ? gen_mut_code_target(g, p, op, at, in, n, i) : gen_mut_code_size(g, op, at, in, i))
            return;
    }
    if (r < 6 && n > 1 && gen_code_new_piece(g, p, op->dom, &a)) {
        /* replace one instruction (never the last: code must keep its end) or insert before it */
        unsigned i = gen_below(g, n - 1);
        gen_mut_code_splice(op, at[i], r < 5 ? in[i].len : 0, &a);
        return;
    }
    if (r < 7 && n > 1) {
        unsigned i = gen_below(g, n - 1);
        gen_asm_init(&a, 0);
        gen_mut_code_splice(op, at[i], in[i].len, &a);
        return;
    }
    if (gen_chance(g, 1, 2))
        gen_mut_code_bytes(g, op);
    else
        op->vcpu = (uint8_t)gen_below(g, p->shape.nr_vcpus);
}

static void gen_mut_op_value(struct gen *g, struct prog *p)
{
    struct prog_op *op;
    unsigned r = gen_below(g, 8);

    if (!p->nr_ops)
        return;
    op = &p->ops[gen_below(g, p->nr_ops)];
    switch (op->kind) {
    case OP_HYPERCALL:
        if (r < 3 && op->nr_args)
            gen_mut_arg(g, &op->args[gen_below(g, op->nr_args)], &p->shape);
        else if (r < 5 && op->nr_fixups)
            gen_mut_arg(g, &op->fixups[gen_below(g, op->nr_fixups)].arg, &p->shape);
        else if (r < 7)
            gen_mut_payload(g, op);
        else
            op->vcpu = (uint8_t)gen_below(g, p->shape.nr_vcpus);
        break;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        if (r < 2)
            op->kind = op->kind == OP_GUEST_READ ? OP_GUEST_WRITE : OP_GUEST_READ;
        else if (r < 3)
            op->size = 1U << gen_below(g, 4);
        else
            gen_mut_arg(g, &op->args[0], &p->shape);
        break;
    case OP_PREEMPT:
        op->imm = gen_mut_value(g, op->imm);
        break;
    case OP_MIGRATE:
        /* another phase or another domain; the record has no vCPU */
        if (r < 5)
            op->imm = gen_below(g, MIGRATE_NR_PHASES);
        else
            op->dom = (uint8_t)gen_below(g, p->shape.nr_domains);
        break;
    case OP_GUEST_CODE:
        gen_mut_code(g, p, op, r);
        break;
    case OP_EXIT:
        /* mostly the values the handler reads: registers (rax, rcx, rdx first), qual, gla */
        if (r < 3)
            gen_mut_arg(g, &op->regs[gen_chance(g, 1, 2) ? gen_below(g, 4)
                                                          : gen_below(g, PROG_EXIT_REGS)], &p->shape);
        else if (r < 5)
            gen_mut_arg(g, gen_chance(g, 3, 4) ? &op->qual : &op->gla, &p->shape);
        else if (r < 6 && op->insn_len)
            op->insn[gen_below(g, op->insn_len)] ^= (uint8_t)(1U << gen_below(g, 8));
        else if (r < 7)
            gen_mut_payload(g, op);
        else
            op->vcpu = (uint8_t)gen_below(g, p->shape.nr_vcpus);
        break;
    default:
        op->dom = (uint8_t)gen_below(g, p->shape.nr_domains);
        op->vcpu = (uint8_t)gen_below(g, p->shape.nr_vcpus);
        break;
    }
}

/* Take a run of ops from another program (those that are valid on this program's shape). */
static void gen_mut_splice(struct gen *g, struct prog *p, const struct prog *o)
{
    uint32_t from, n, at;

    if (!o || !o->nr_ops)
        return;
    from = gen_below(g, o->nr_ops);
    n = 1 + gen_below(g, 8);
    if (n > o->nr_ops - from)
        n = o->nr_ops - from;
    at = gen_below(g, p->nr_ops + 1);
    for (uint32_t k = 0; k < n && p->nr_ops < PROG_MAX_OPS; k++) {
        const struct prog_op *src = &o->ops[from + k];
        if (prog_op_check(src, &p->shape) != PROG_OK)
            continue;
        gen_mut_move(p, at + 1, at, p->nr_ops - at);
        p->ops[at++] = *src;
        p->nr_ops++;
    }
}

static const struct prog *gen_mut_given(void *ctx)
{
    return ctx;
}

void gen_mutate(struct gen *g, struct prog *p, const struct prog *other)
{
    gen_mutate_lazy(g, p, gen_mut_given, (void *)(uintptr_t)other);
}

void gen_mutate_lazy(struct gen *g, struct prog *p, const struct prog *(*get)(void *ctx), void *ctx)
{
    struct prog_shape saved = g->cfg.shape;
    const struct prog *other = NULL;
    bool fetched = false;
    unsigned n = 1 + gen_below(g, 4);

    /* inserted ops must fit the program's machine, not the generator's default one */
    g->cfg.shape = p->shape;
    for (unsigned d = 0; d < GEN_MAX_DOMS; d++)
        for (unsigned v = 0; v < GEN_MAX_VCPUS; v++)
            g->vcpu_up[d][v] = 1;
    for (unsigned i = 0; i < n; i++) {
        switch (gen_below(g, 16)) {
        case 0: case 1: case 2:
            gen_mut_insert(g, p);
            break;
        case 3: case 4:
            gen_mut_delete(g, p);
            break;
        case 5:
            gen_mut_duplicate(g, p);
            break;
        case 6: case 7:
            gen_mut_swap(g, p);
            break;
        case 8:
            if (!fetched) {
                other = get(ctx);
                fetched = true;
            }
            gen_mut_splice(g, p, other);
            break;
        default:
            gen_mut_op_value(g, p);
            break;
        }
    }
    if (!p->nr_ops)
        gen_append(g, p);
    g->cfg.shape = saved;
}
