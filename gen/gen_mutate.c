/* Program mutation for corpus-driven runs: structural edits, argument and payload changes, splices. */
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

void gen_mutate(struct gen *g, struct prog *p, const struct prog *other)
{
    struct prog_shape saved = g->cfg.shape;
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
