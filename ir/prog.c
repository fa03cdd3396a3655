/* Program IR basics: initialisation, error strings, validation, canonical equality. */
#include <string.h>

#include "hvfuzz/xen.h"
#include "ir/prog_internal.h"

const struct prog_shape prog_default_shape = {
    .nr_frames = 256,
    .nr_domains = 3,
    .nr_vcpus = 2,
    .dom_pages = 64,
};

/* DOMID's a is a flag (1 = DOMID_SELF), so it is part of the meaning. */
const uint8_t prog_arg_fields[ARG_NR_KINDS] = {
    [ARG_IMM] = PROG_F_IMM,
    [ARG_DOMID] = PROG_F_DOM | PROG_F_A,
    [ARG_MFN] = PROG_F_DOM | PROG_F_A,
    [ARG_GFN] = PROG_F_DOM | PROG_F_A,
    [ARG_MADDR] = PROG_F_DOM | PROG_F_A | PROG_F_B,
    [ARG_GVA] = PROG_F_DOM | PROG_F_A | PROG_F_B,
    [ARG_PTE] = PROG_F_DOM | PROG_F_A | PROG_F_IMM,
    [ARG_PAYLOAD] = PROG_F_B,
    [ARG_GREF] = PROG_F_DOM | PROG_F_A,
    [ARG_PORT] = PROG_F_DOM | PROG_F_A,
    [ARG_HANDLE] = PROG_F_DOM | PROG_F_A,
    [ARG_VCPUID] = PROG_F_A,
    [ARG_GPA] = PROG_F_A | PROG_F_B,
    [ARG_GNTFRAME] = PROG_F_DOM | PROG_F_A,
    [ARG_STATUSFRAME] = PROG_F_DOM | PROG_F_A,
    [ARG_GNTPTE] = PROG_F_DOM | PROG_F_A | PROG_F_IMM,
    [ARG_STATUSPTE] = PROG_F_DOM | PROG_F_A | PROG_F_IMM,
};

const char *prog_kind_name(unsigned kind)
{
    static const char *const names[OP_NR_KINDS] = {
        [OP_HYPERCALL] = "hypercall", [OP_GUEST_READ] = "guest_read",
        [OP_GUEST_WRITE] = "guest_write", [OP_PREEMPT] = "preempt",
        [OP_SWITCH_VCPU] = "switch_vcpu", [OP_EXIT] = "exit", [OP_GUEST_CODE] = "guest_code",
        [OP_MIGRATE] = "migrate",
    };
    return kind < OP_NR_KINDS && names[kind] ? names[kind] : "op";
}

const char *prog_migrate_phase_name(uint64_t phase)
{
    static const char *const names[MIGRATE_NR_PHASES] = {
        [MIGRATE_BEGIN] = "begin", [MIGRATE_ROUND] = "round", [MIGRATE_FINISH] = "finish",
    };
    return phase < MIGRATE_NR_PHASES ? names[phase] : NULL;
}

const char *prog_strerror(enum prog_err e)
{
    static const char *const msgs[PROG_E_NR] = {
        [PROG_OK] = "success",
        [PROG_E_EMPTY] = "empty program file",
        [PROG_E_MAGIC] = "not a program file (bad magic)",
        [PROG_E_VERSION] = "unknown program format version",
        [PROG_E_TRUNCATED] = "program file ends inside the header or an operation",
        [PROG_E_CORRUPT] = "program file corrupt (field out of range or checksum mismatch)",
        [PROG_E_TOO_BIG] = "program exceeds the operation, argument, payload or fixup limits",
        [PROG_E_SYNTAX] = "program text does not parse",
        [PROG_E_IO] = "reading or writing the program file failed",
    };
    if ((unsigned)e >= PROG_E_NR || !msgs[e])
        return "unknown program error";
    return msgs[e];
}

void prog_init(struct prog *p, const struct prog_shape *shape)
{
    memset(p, 0, sizeof(*p));
    p->version = PROG_VERSION;
    p->shape = shape ? *shape : prog_default_shape;
}

enum prog_err prog_shape_check(const struct prog_shape *s)
{
    if (s->nr_frames < PROG_MIN_FRAMES || s->nr_frames > PROG_MAX_FRAMES)
        return PROG_E_CORRUPT;
    if (s->nr_domains < 1 || s->nr_domains > PROG_MAX_DOMAINS)
        return PROG_E_CORRUPT;
    if (s->nr_vcpus < 1 || s->nr_vcpus > PROG_MAX_VCPUS)
        return PROG_E_CORRUPT;
    if (s->dom_pages < PROG_MIN_PAGES || s->dom_pages > PROG_MAX_PAGES)
        return PROG_E_CORRUPT;
    return PROG_OK;
}

enum prog_err prog_arg_check(const struct prog_arg *a, const struct prog_shape *s)
{
    if (a->kind >= ARG_NR_KINDS)
        return PROG_E_CORRUPT;
    unsigned f = prog_arg_fields[a->kind];
    if ((f & PROG_F_DOM) && a->dom >= s->nr_domains)
        return PROG_E_CORRUPT;
    if ((f & PROG_F_B) && a->b >= PROG_MAX_BYTE_OFF)
        return PROG_E_CORRUPT;
    /* A guest VA names a built page: past them is an error, not a silent wrap to another page. */
    if (a->kind == ARG_GVA && a->a >= s->dom_pages)
        return PROG_E_CORRUPT;
    /* DOMID_SELF names no domain: a canonical dom of 0 keeps equality and encodings unique. */
    if (a->kind == ARG_DOMID && (a->a > 1 || (a->a == 1 && a->dom != 0)))
        return PROG_E_CORRUPT;
    /* The frame comes from the resource; imm only supplies flag bits. */
    if ((a->kind == ARG_PTE || a->kind == ARG_GNTPTE || a->kind == ARG_STATUSPTE) &&
        (a->imm & PTE_ADDR_MASK))
        return PROG_E_CORRUPT;
    return PROG_OK;
}

static enum prog_err prog_exit_check(const struct prog_op *op, const struct prog_shape *s);
static enum prog_err prog_payload_check(const struct prog_op *op, const struct prog_shape *s);

enum prog_err prog_op_check(const struct prog_op *op, const struct prog_shape *s)
{
    enum prog_err e;

    if (op->kind != OP_PREEMPT && (op->dom >= s->nr_domains || op->vcpu >= s->nr_vcpus))
        return PROG_E_CORRUPT;
    if ((e = prog_expect_check(&op->expect)) != PROG_OK)
        return e;
    /* an out@ field names bytes of this op's payload: past it nothing could be read back */
    for (unsigned i = 0; i < op->expect.nr_out && i < PROG_MAX_EXPECT_OUT; i++)
        if ((unsigned)op->expect.out[i].off + op->expect.out[i].width > op->payload_len)
            return PROG_E_CORRUPT;
    switch (op->kind) {
    case OP_HYPERCALL:
        if (op->nr_args > PROG_MAX_ARGS || op->payload_len > PROG_MAX_PAYLOAD ||
            op->nr_fixups > PROG_MAX_FIXUPS)
            return PROG_E_TOO_BIG;
        for (unsigned i = 0; i < op->nr_args; i++)
            if ((e = prog_arg_check(&op->args[i], s)) != PROG_OK)
                return e;
        return prog_payload_check(op, s);
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        if (!prog_width_ok(op->size))
            return PROG_E_CORRUPT;
        return prog_arg_check(&op->args[0], s);
    case OP_PREEMPT:
    case OP_SWITCH_VCPU:
        return PROG_OK;
    case OP_EXIT:
        return prog_exit_check(op, s);
    case OP_MIGRATE:
        /* the record holds the domain and the phase only */
        return op->imm < MIGRATE_NR_PHASES && op->vcpu == 0 ? PROG_OK : PROG_E_CORRUPT;
    case OP_GUEST_CODE:
        /* code starts at its first byte: there must be one; any budget is valid */
        if (op->payload_len == 0)
            return PROG_E_CORRUPT;
        return prog_payload_check(op, s);
    default:
        return PROG_E_CORRUPT;
    }
}

/* Payload and fixups, as a hypercall's. */
static enum prog_err prog_payload_check(const struct prog_op *op, const struct prog_shape *s)
{
    enum prog_err e;

    if (op->payload_len > PROG_MAX_PAYLOAD || op->nr_fixups > PROG_MAX_FIXUPS)
        return PROG_E_TOO_BIG;
    for (unsigned i = 0; i < op->nr_fixups; i++) {
        const struct prog_fixup *f = &op->fixups[i];
        if (!prog_width_ok(f->width) || (unsigned)f->off + f->width > op->payload_len)
            return PROG_E_CORRUPT;
        if ((e = prog_arg_check(&f->arg, s)) != PROG_OK)
            return e;
    }
    return PROG_OK;
}

/* Any reason number is a valid program (the monitor must refuse bad records itself). */
static enum prog_err prog_exit_check(const struct prog_op *op, const struct prog_shape *s)
{
    enum prog_err e;

    if (op->insn_len > PROG_MAX_INSN)
        return PROG_E_CORRUPT;
    if ((e = prog_arg_check(&op->qual, s)) != PROG_OK || (e = prog_arg_check(&op->gla, s)) != PROG_OK)
        return e;
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++)
        if ((e = prog_arg_check(&op->regs[i], s)) != PROG_OK)
            return e;
    return prog_payload_check(op, s);
}

enum prog_err prog_validate(const struct prog *p)
{
    enum prog_err e;

    if ((e = prog_shape_check(&p->shape)) != PROG_OK)
        return e;
    if (p->nr_ops > PROG_MAX_OPS)
        return PROG_E_TOO_BIG;
    for (uint32_t i = 0; i < p->nr_ops; i++)
        if ((e = prog_op_check(&p->ops[i], &p->shape)) != PROG_OK)
            return e;
    return PROG_OK;
}

static bool prog_arg_equal(const struct prog_arg *x, const struct prog_arg *y)
{
    if (x->kind != y->kind)
        return false;
    unsigned f = x->kind < ARG_NR_KINDS ? prog_arg_fields[x->kind] : 0xFU;
    return (!(f & PROG_F_DOM) || x->dom == y->dom) && (!(f & PROG_F_A) || x->a == y->a) &&
           (!(f & PROG_F_B) || x->b == y->b) && (!(f & PROG_F_IMM) || x->imm == y->imm);
}

static bool prog_payload_equal(const struct prog_op *x, const struct prog_op *y)
{
    if (x->payload_len != y->payload_len || x->nr_fixups != y->nr_fixups)
        return false;
    if (memcmp(x->payload, y->payload,
               x->payload_len < PROG_MAX_PAYLOAD ? x->payload_len : PROG_MAX_PAYLOAD))
        return false;
    for (unsigned i = 0; i < x->nr_fixups && i < PROG_MAX_FIXUPS; i++) {
        const struct prog_fixup *a = &x->fixups[i], *b = &y->fixups[i];
        if (a->off != b->off || a->width != b->width || !prog_arg_equal(&a->arg, &b->arg))
            return false;
    }
    return true;
}

/* Instruction bytes past insn_len carry no meaning (the encodings hold only insn_len bytes). */
static bool prog_exit_equal(const struct prog_op *x, const struct prog_op *y)
{
    unsigned n = x->insn_len < PROG_MAX_INSN ? x->insn_len : PROG_MAX_INSN;

    if (x->exit_reason != y->exit_reason || x->insn_len != y->insn_len ||
        memcmp(x->insn, y->insn, n) || !prog_arg_equal(&x->qual, &y->qual) ||
        !prog_arg_equal(&x->gla, &y->gla))
        return false;
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++)
        if (!prog_arg_equal(&x->regs[i], &y->regs[i]))
            return false;
    return prog_payload_equal(x, y);
}

static bool prog_op_equal(const struct prog_op *x, const struct prog_op *y)
{
    if (x->kind != y->kind || !prog_expect_equal(&x->expect, &y->expect))
        return false;
    if (x->kind != OP_PREEMPT && (x->dom != y->dom || x->vcpu != y->vcpu))
        return false;
    switch (x->kind) {
    case OP_HYPERCALL:
        if (x->nr != y->nr || x->nr_args != y->nr_args)
            return false;
        /* Clamp so that comparing an invalid program cannot read past the arrays. */
        for (unsigned i = 0; i < x->nr_args && i < PROG_MAX_ARGS; i++)
            if (!prog_arg_equal(&x->args[i], &y->args[i]))
                return false;
        return prog_payload_equal(x, y);
    case OP_EXIT:
        return prog_exit_equal(x, y);
    case OP_GUEST_CODE:
        return x->imm == y->imm && prog_payload_equal(x, y);
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        return x->size == y->size && prog_arg_equal(&x->args[0], &y->args[0]);
    case OP_PREEMPT:
        return x->imm == y->imm;
    case OP_MIGRATE:
        return x->imm == y->imm;
    case OP_SWITCH_VCPU:
        return true;
    default:
        return memcmp(x, y, sizeof(*x)) == 0;
    }
}

/* Compares what a program means, not its provenance: version and unused fields are ignored. */
bool prog_equal(const struct prog *a, const struct prog *b)
{
    if (a->shape.nr_frames != b->shape.nr_frames || a->shape.nr_domains != b->shape.nr_domains ||
        a->shape.nr_vcpus != b->shape.nr_vcpus || a->shape.dom_pages != b->shape.dom_pages ||
        a->nr_ops != b->nr_ops)
        return false;
    for (uint32_t i = 0; i < a->nr_ops && i < PROG_MAX_OPS; i++)
        if (!prog_op_equal(&a->ops[i], &b->ops[i]))
            return false;
    return true;
}

/* The format version that introduced an arg kind. */
static unsigned prog_arg_version(const struct prog_arg *a)
{
    return a->kind >= ARG_GNTFRAME ? 3U : a->kind == ARG_GPA ? 2U : 1U;
}

/* Only the fields an op kind encodes count: the rest may hold anything. */
static unsigned prog_op_version(const struct prog_op *op)
{
    unsigned v = 1, w, nargs = 0, nfix = 0;

    switch (op->kind) {
    case OP_HYPERCALL:
        nargs = op->nr_args;
        nfix = op->nr_fixups;
        break;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        nargs = 1;
        break;
    case OP_GUEST_CODE:
        v = 4;
        nfix = op->nr_fixups;
        break;
    case OP_MIGRATE:
        v = 5;
        break;
    case OP_EXIT:
        v = 2;
        nfix = op->nr_fixups;
        if ((w = prog_arg_version(&op->qual)) > v)
            v = w;
        if ((w = prog_arg_version(&op->gla)) > v)
            v = w;
        for (unsigned k = 0; k < PROG_EXIT_REGS; k++)
            if ((w = prog_arg_version(&op->regs[k])) > v)
                v = w;
        break;
    default:
        break;
    }
    for (unsigned k = 0; k < nargs && k < PROG_MAX_ARGS; k++)
        if ((w = prog_arg_version(&op->args[k])) > v)
            v = w;
    for (unsigned k = 0; k < nfix && k < PROG_MAX_FIXUPS; k++)
        if ((w = prog_arg_version(&op->fixups[k].arg)) > v)
            v = w;
    return v;
}

unsigned prog_format_version(const struct prog *p)
{
    unsigned v = 1, w;

    for (uint32_t i = 0; i < p->nr_ops && i < PROG_MAX_OPS; i++) {
        /* version 3: expectations; an op of a later version (guest_code) still raises it */
        if (p->ops[i].expect.have && v < 3)
            v = 3;
        if ((w = prog_op_version(&p->ops[i])) > v)
            v = w;
    }
    return v;
}
