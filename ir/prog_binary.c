/* Canonical binary form of programs: versioned little-endian records with an FNV-1a checksum. */
#include <string.h>

#include "ir/prog_internal.h"

/*
 * Every version starts with u32 magic and u16 version; the rest is the version's own. Version 1:
 *   header (24 bytes): magic, u16 version, u16 0, u16 nr_frames, u8 nr_domains, u8 nr_vcpus,
 *                      u16 dom_pages, u16 nr_ops, u32 body_len, u32 FNV-1a of bytes 0..19 + body
 *   body: nr_ops records of {u8 kind, u8 0, u16 len, len bytes}
 *     hypercall:  u8 dom, u8 vcpu, u8 nr_args, u8 nr_fixups, u32 nr, u16 payload_len, u16 0,
 *                 args[nr_args], payload, fixups[nr_fixups] of {u16 off, u8 width, u8 0, arg}
 *     guest r/w:  u8 dom, u8 vcpu, u8 size, u8 0, arg
 *     preempt:    u64 imm
 *     switch:     u8 dom, u8 vcpu
 *   arg (16 bytes): u8 kind, u8 dom, u16 a, u32 b, u64 imm; fields the kind does not use are 0.
 * The record length lets a later version add op kinds without changing how older ones are read;
 * reserved and unused fields must be 0 so every program has exactly one encoding.
 *
 * Version 2 is version 1 plus the exit record and the ARG_GPA argument kind (a version 1 file
 * holding either is corrupt):
 *     exit:       u8 dom, u8 vcpu, u8 reason, u8 insn_len, u32 regmask, u16 payload_len,
 *                 u8 nr_fixups, u8 0, insn[15] (0 past insn_len), u8 0, arg qual, arg gla,
 *                 one arg per regmask bit (bit i: register i is not ARG_IMM 0), payload, fixups
 * The encoder writes version 1 for a program that needs nothing of version 2, so corpora without
 * exits stay byte-identical and readable by older builds.
 *
 * Version 3 is version 2 plus expectations: an op that states any is followed by a record of
 * kind PROG_REC_EXPECT (ir/prog_expect.c has its body). The op records and nr_ops are as in
 * version 2, so a version 3 file without the expectation records means what version 2 did.
 *
 * Version 4 is version 3 plus the guest_code record (a file of an older version holding one is
 * corrupt):
 *     guest code: u8 dom, u8 vcpu, u8 0, u8 nr_fixups, u16 payload_len, u16 0, u64 budget,
 *                 payload (the code, at least 1 byte), fixups
 * The encoder writes version 4 only for a program with guest code, so every other program
 * encodes as it did before.
 *
 * Version 5 is version 4 plus the migrate record (written only for a program with one):
 *     migrate: u8 dom, u8 phase (enum prog_migrate_phase)
 */
#define V1_HDR      24U
#define V1_OPHDR    4U
#define V1_ARG      16U
#define V1_HC_FIXED 12U
#define V1_FIXUP    (4U + V1_ARG)
#define V1_GUEST    (4U + V1_ARG)
#define V1_PREEMPT  8U
#define V1_SWITCH   2U
#define V5_MIGRATE  2U
#define V1_CSUM_OFF 20U
#define V1_NR_ARG_KINDS (ARG_VCPUID + 1U)
#define V2_NR_ARG_KINDS (ARG_GPA + 1U)   /* version 3 adds the grant and status frame kinds */
#define V2_EXIT_FIXED 60U
#define V2_REGMASK_ALL ((1U << PROG_EXIT_REGS) - 1U)
#define V4_CODE_FIXED 16U

#define FNV_OFFSET 2166136261U
#define FNV_PRIME  16777619U

static uint32_t prog_fnv1a(uint32_t h, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * FNV_PRIME;
    return h;
}

static bool prog_reg_set(const struct prog_arg *a)
{
    return a->kind != ARG_IMM || a->imm != 0;
}

static uint32_t prog_regmask(const struct prog_op *op)
{
    uint32_t m = 0;

    for (unsigned i = 0; i < PROG_EXIT_REGS; i++)
        if (prog_reg_set(&op->regs[i]))
            m |= 1U << i;
    return m;
}

static size_t prog_v1_op_size(const struct prog_op *op)
{
    switch (op->kind) {
    case OP_HYPERCALL:
        return V1_HC_FIXED + op->nr_args * V1_ARG + op->payload_len + op->nr_fixups * V1_FIXUP;
    case OP_EXIT:
        return V2_EXIT_FIXED + (size_t)__builtin_popcount(prog_regmask(op)) * V1_ARG +
               op->payload_len + op->nr_fixups * V1_FIXUP;
    case OP_GUEST_CODE:
        return V4_CODE_FIXED + op->payload_len + op->nr_fixups * V1_FIXUP;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        return V1_GUEST;
    case OP_PREEMPT:
        return V1_PREEMPT;
    case OP_MIGRATE:
        return V5_MIGRATE;
    default:
        return V1_SWITCH;
    }
}

size_t prog_encoded_size(const struct prog *p)
{
    if (prog_validate(p) != PROG_OK)
        return 0;
    size_t n = V1_HDR;
    for (uint32_t i = 0; i < p->nr_ops; i++) {
        n += V1_OPHDR + prog_v1_op_size(&p->ops[i]);
        if (p->ops[i].expect.have)
            n += V1_OPHDR + prog_expect_size(&p->ops[i].expect);
    }
    return n;
}

size_t prog_max_encoded_size(void)
{
    /* the exit record is the largest, each with the largest expectation */
    struct prog_expect e = { .have = PE_OUT, .nr_out = PROG_MAX_EXPECT_OUT };
    return V1_HDR + PROG_MAX_OPS * (V1_OPHDR + V2_EXIT_FIXED + PROG_EXIT_REGS * V1_ARG +
                                    PROG_MAX_PAYLOAD + PROG_MAX_FIXUPS * V1_FIXUP +
                                    V1_OPHDR + prog_expect_size(&e));
}

static uint8_t *prog_put_arg(uint8_t *w, const struct prog_arg *a)
{
    unsigned f = prog_arg_fields[a->kind];

    w[0] = a->kind;
    w[1] = (f & PROG_F_DOM) ? a->dom : 0;
    prog_put16(w + 2, (f & PROG_F_A) ? a->a : 0);
    prog_put32(w + 4, (f & PROG_F_B) ? a->b : 0);
    prog_put64(w + 8, (f & PROG_F_IMM) ? a->imm : 0);
    return w + V1_ARG;
}

static uint8_t *prog_put_payload(uint8_t *w, const struct prog_op *op)
{
    memcpy(w, op->payload, op->payload_len);
    w += op->payload_len;
    for (unsigned i = 0; i < op->nr_fixups; i++) {
        prog_put16(w, op->fixups[i].off);
        w[2] = op->fixups[i].width;
        w = prog_put_arg(w + 4, &op->fixups[i].arg);
    }
    return w;
}

static uint8_t *prog_put_exit(uint8_t *w, const struct prog_op *op)
{
    uint32_t mask = prog_regmask(op);

    w[0] = op->dom;
    w[1] = op->vcpu;
    w[2] = op->exit_reason;
    w[3] = op->insn_len;
    prog_put32(w + 4, mask);
    prog_put16(w + 8, op->payload_len);
    w[10] = op->nr_fixups;
    memcpy(w + 12, op->insn, op->insn_len);
    w = prog_put_arg(w + 28, &op->qual);
    w = prog_put_arg(w, &op->gla);
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++)
        if (mask & (1U << i))
            w = prog_put_arg(w, &op->regs[i]);
    return prog_put_payload(w, op);
}

static uint8_t *prog_put_op(uint8_t *w, const struct prog_op *op)
{
    size_t body = prog_v1_op_size(op);

    w[0] = op->kind;
    w[1] = 0;
    prog_put16(w + 2, (uint16_t)body);
    w += V1_OPHDR;
    memset(w, 0, body);
    switch (op->kind) {
    case OP_HYPERCALL:
        w[0] = op->dom;
        w[1] = op->vcpu;
        w[2] = op->nr_args;
        w[3] = op->nr_fixups;
        prog_put32(w + 4, op->nr);
        prog_put16(w + 8, op->payload_len);
        w += V1_HC_FIXED;
        for (unsigned i = 0; i < op->nr_args; i++)
            w = prog_put_arg(w, &op->args[i]);
        return prog_put_payload(w, op);
    case OP_EXIT:
        return prog_put_exit(w, op);
    case OP_GUEST_CODE:
        w[0] = op->dom;
        w[1] = op->vcpu;
        w[3] = op->nr_fixups;
        prog_put16(w + 4, op->payload_len);
        prog_put64(w + 8, op->imm);
        return prog_put_payload(w + V4_CODE_FIXED, op);
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        w[0] = op->dom;
        w[1] = op->vcpu;
        w[2] = (uint8_t)op->size;
        return prog_put_arg(w + 4, &op->args[0]);
    case OP_PREEMPT:
        prog_put64(w, op->imm);
        return w + V1_PREEMPT;
    case OP_MIGRATE:
        w[0] = op->dom;
        w[1] = (uint8_t)op->imm;
        return w + V5_MIGRATE;
    default:
        w[0] = op->dom;
        w[1] = op->vcpu;
        return w + V1_SWITCH;
    }
}

/* The lowest version that holds p: every version shares the header and the older records. */
size_t prog_encode(const struct prog *p, uint8_t *buf, size_t cap)
{
    size_t n = prog_encoded_size(p);
    if (n == 0 || n > cap)
        return 0;

    uint8_t *w = buf;
    prog_put32(w, PROG_MAGIC);
    prog_put16(w + 4, (uint16_t)prog_format_version(p));
    prog_put16(w + 6, 0);
    prog_put16(w + 8, p->shape.nr_frames);
    w[10] = p->shape.nr_domains;
    w[11] = p->shape.nr_vcpus;
    prog_put16(w + 12, p->shape.dom_pages);
    prog_put16(w + 14, (uint16_t)p->nr_ops);
    prog_put32(w + 16, (uint32_t)(n - V1_HDR));
    w += V1_HDR;
    for (uint32_t i = 0; i < p->nr_ops; i++) {
        const struct prog_expect *e = &p->ops[i].expect;
        w = prog_put_op(w, &p->ops[i]);
        if (!e->have)
            continue;
        w[0] = PROG_REC_EXPECT;
        w[1] = 0;
        prog_put16(w + 2, (uint16_t)prog_expect_size(e));
        w = prog_expect_put(w + V1_OPHDR, e);
    }
    prog_reseal(buf, n);
    return n;
}

void prog_reseal(uint8_t *buf, size_t len)
{
    if (len < V1_HDR)
        return;
    uint32_t h = prog_fnv1a(FNV_OFFSET, buf, V1_CSUM_OFF);
    prog_put32(buf + V1_CSUM_OFF, prog_fnv1a(h, buf + V1_HDR, len - V1_HDR));
}

static enum prog_err prog_get_arg(struct prog_arg *a, const uint8_t *r, unsigned version)
{
    memset(a, 0, sizeof(*a));
    a->kind = r[0];
    a->dom = r[1];
    a->a = prog_get16(r + 2);
    a->b = prog_get32(r + 4);
    a->imm = prog_get64(r + 8);
    if (a->kind >= ARG_NR_KINDS || (version < 2 && a->kind >= V1_NR_ARG_KINDS) ||
        (version < 3 && a->kind >= V2_NR_ARG_KINDS))
        return PROG_E_CORRUPT;
    /* Unused fields must be 0: an encoder that wrote anything else is not ours. */
    unsigned f = prog_arg_fields[a->kind];
    if ((!(f & PROG_F_DOM) && a->dom) || (!(f & PROG_F_A) && a->a) ||
        (!(f & PROG_F_B) && a->b) || (!(f & PROG_F_IMM) && a->imm))
        return PROG_E_CORRUPT;
    return PROG_OK;
}

static enum prog_err prog_get_payload(struct prog_op *op, const uint8_t *r, unsigned version)
{
    enum prog_err e;

    memcpy(op->payload, r, op->payload_len);
    r += op->payload_len;
    for (unsigned i = 0; i < op->nr_fixups; i++, r += V1_FIXUP) {
        op->fixups[i].off = prog_get16(r);
        op->fixups[i].width = r[2];
        if (r[3])
            return PROG_E_CORRUPT;
        if ((e = prog_get_arg(&op->fixups[i].arg, r + 4, version)) != PROG_OK)
            return e;
    }
    return PROG_OK;
}

static enum prog_err prog_get_exit(struct prog_op *op, const uint8_t *r, size_t len)
{
    enum prog_err e;

    if (len < V2_EXIT_FIXED)
        return PROG_E_CORRUPT;
    op->dom = r[0];
    op->vcpu = r[1];
    op->exit_reason = r[2];
    op->insn_len = r[3];
    uint32_t mask = prog_get32(r + 4);
    op->payload_len = prog_get16(r + 8);
    op->nr_fixups = r[10];
    if (r[11] || r[27] || (mask & ~V2_REGMASK_ALL))
        return PROG_E_CORRUPT;
    if (op->insn_len > PROG_MAX_INSN)
        return PROG_E_CORRUPT;
    for (unsigned i = op->insn_len; i < PROG_MAX_INSN; i++)
        if (r[12 + i])
            return PROG_E_CORRUPT;
    memcpy(op->insn, r + 12, op->insn_len);
    if (op->nr_fixups > PROG_MAX_FIXUPS || op->payload_len > PROG_MAX_PAYLOAD)
        return PROG_E_TOO_BIG;
    if (len != V2_EXIT_FIXED + (size_t)__builtin_popcount(mask) * V1_ARG + op->payload_len +
               op->nr_fixups * V1_FIXUP)
        return PROG_E_CORRUPT;
    r += 28;
    if ((e = prog_get_arg(&op->qual, r, 2)) != PROG_OK ||
        (e = prog_get_arg(&op->gla, r + V1_ARG, 2)) != PROG_OK)
        return e;
    r += 2 * V1_ARG;
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++) {
        if (!(mask & (1U << i)))
            continue;
        if ((e = prog_get_arg(&op->regs[i], r, 2)) != PROG_OK)
            return e;
        /* a register the mask names must be set: one encoding per program */
        if (!prog_reg_set(&op->regs[i]))
            return PROG_E_CORRUPT;
        r += V1_ARG;
    }
    return prog_get_payload(op, r, 2);
}

static enum prog_err prog_get_guest_code(struct prog_op *op, const uint8_t *r, size_t len)
{
    if (len < V4_CODE_FIXED)
        return PROG_E_CORRUPT;
    op->dom = r[0];
    op->vcpu = r[1];
    op->nr_fixups = r[3];
    op->payload_len = prog_get16(r + 4);
    op->imm = prog_get64(r + 8);
    if (r[2] || prog_get16(r + 6))
        return PROG_E_CORRUPT;
    if (op->nr_fixups > PROG_MAX_FIXUPS || op->payload_len > PROG_MAX_PAYLOAD)
        return PROG_E_TOO_BIG;
    if (len != prog_v1_op_size(op))
        return PROG_E_CORRUPT;
    return prog_get_payload(op, r + V4_CODE_FIXED, 4);
}

static enum prog_err prog_get_hypercall(struct prog_op *op, const uint8_t *r, size_t len,
                                        unsigned version)
{
    enum prog_err e;

    if (len < V1_HC_FIXED)
        return PROG_E_CORRUPT;
    op->dom = r[0];
    op->vcpu = r[1];
    op->nr_args = r[2];
    op->nr_fixups = r[3];
    op->nr = prog_get32(r + 4);
    op->payload_len = prog_get16(r + 8);
    if (prog_get16(r + 10))
        return PROG_E_CORRUPT;
    if (op->nr_args > PROG_MAX_ARGS || op->nr_fixups > PROG_MAX_FIXUPS ||
        op->payload_len > PROG_MAX_PAYLOAD)
        return PROG_E_TOO_BIG;
    if (len != prog_v1_op_size(op))
        return PROG_E_CORRUPT;
    r += V1_HC_FIXED;
    for (unsigned i = 0; i < op->nr_args; i++, r += V1_ARG)
        if ((e = prog_get_arg(&op->args[i], r, version)) != PROG_OK)
            return e;
    return prog_get_payload(op, r, version);
}

static enum prog_err prog_get_op(struct prog_op *op, const uint8_t *r, size_t len,
                                 unsigned version)
{
    switch (op->kind) {
    case OP_HYPERCALL:
        return prog_get_hypercall(op, r, len, version);
    case OP_EXIT:
        if (version < 2)
            return PROG_E_CORRUPT;
        return prog_get_exit(op, r, len);
    case OP_GUEST_CODE:
        if (version < 4)
            return PROG_E_CORRUPT;
        return prog_get_guest_code(op, r, len);
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        if (len != V1_GUEST || r[3])
            return PROG_E_CORRUPT;
        op->dom = r[0];
        op->vcpu = r[1];
        op->size = r[2];
        op->nr_args = 1;
        return prog_get_arg(&op->args[0], r + 4, version);
    case OP_PREEMPT:
        if (len != V1_PREEMPT)
            return PROG_E_CORRUPT;
        op->imm = prog_get64(r);
        return PROG_OK;
    case OP_SWITCH_VCPU:
        if (len != V1_SWITCH)
            return PROG_E_CORRUPT;
        op->dom = r[0];
        op->vcpu = r[1];
        return PROG_OK;
    case OP_MIGRATE:
        if (version < 5 || len != V5_MIGRATE || r[1] >= MIGRATE_NR_PHASES)
            return PROG_E_CORRUPT;
        op->dom = r[0];
        op->vcpu = 0;
        op->imm = r[1];
        return PROG_OK;
    default:
        /* a kind no version has */
        return PROG_E_CORRUPT;
    }
}

/* Versions 1 to 4 share the header and the framing; version says which records may occur. */
static enum prog_err prog_decode_body(struct prog *p, const uint8_t *d, size_t len, unsigned version)
{
    enum prog_err e;

    if (len < V1_HDR)
        return PROG_E_TRUNCATED;
    uint32_t body = prog_get32(d + 16);
    if (body > len - V1_HDR)
        return PROG_E_TRUNCATED;
    if (body < len - V1_HDR)
        return PROG_E_CORRUPT;   /* trailing bytes after the declared body */
    uint32_t h = prog_fnv1a(FNV_OFFSET, d, V1_CSUM_OFF);
    if (prog_fnv1a(h, d + V1_HDR, body) != prog_get32(d + V1_CSUM_OFF))
        return PROG_E_CORRUPT;
    if (prog_get16(d + 6))
        return PROG_E_CORRUPT;
    p->shape.nr_frames = prog_get16(d + 8);
    p->shape.nr_domains = d[10];
    p->shape.nr_vcpus = d[11];
    p->shape.dom_pages = prog_get16(d + 12);
    if ((e = prog_shape_check(&p->shape)) != PROG_OK)
        return e;
    uint16_t nr_ops = prog_get16(d + 14);
    if (nr_ops > PROG_MAX_OPS)
        return PROG_E_TOO_BIG;

    const uint8_t *r = d + V1_HDR, *end = r + body;
    for (unsigned i = 0; i < nr_ops; i++) {
        struct prog_op *op = &p->ops[i];
        memset(op, 0, sizeof(*op));   /* prog_decode_reuse leaves old ops in place */
        if ((size_t)(end - r) < V1_OPHDR)
            return PROG_E_CORRUPT;
        size_t olen = prog_get16(r + 2);
        if (r[1] || olen > (size_t)(end - r) - V1_OPHDR)
            return PROG_E_CORRUPT;
        op->kind = r[0];
        if ((e = prog_get_op(op, r + V1_OPHDR, olen, version)) != PROG_OK)
            return e;
        r += V1_OPHDR + olen;
        /* version 3: the op's expectation, if it states one, is the next record */
        if (version >= 3 && (size_t)(end - r) >= V1_OPHDR && r[0] == PROG_REC_EXPECT) {
            size_t elen = prog_get16(r + 2);
            if (r[1] || elen > (size_t)(end - r) - V1_OPHDR)
                return PROG_E_CORRUPT;
            if ((e = prog_expect_get(&op->expect, r + V1_OPHDR, elen)) != PROG_OK)
                return e;
            r += V1_OPHDR + elen;
        }
        if ((e = prog_op_check(op, &p->shape)) != PROG_OK)
            return e;
        p->nr_ops = i + 1;
    }
    return r == end ? PROG_OK : PROG_E_CORRUPT;
}

static enum prog_err prog_decode_v1(struct prog *p, const uint8_t *d, size_t len)
{
    return prog_decode_body(p, d, len, 1);
}

static enum prog_err prog_decode_v2(struct prog *p, const uint8_t *d, size_t len)
{
    return prog_decode_body(p, d, len, 2);
}

static enum prog_err prog_decode_v3(struct prog *p, const uint8_t *d, size_t len)
{
    return prog_decode_body(p, d, len, 3);
}

static enum prog_err prog_decode_v4(struct prog *p, const uint8_t *d, size_t len)
{
    return prog_decode_body(p, d, len, 4);
}

static enum prog_err prog_decode_v5(struct prog *p, const uint8_t *d, size_t len)
{
    return prog_decode_body(p, d, len, 5);
}

typedef enum prog_err (*prog_decoder_fn)(struct prog *p, const uint8_t *d, size_t len);

/* One decoder per format version ever written, so old corpus files keep replaying. */
static const prog_decoder_fn prog_decoders[] = {
    [1] = prog_decode_v1,
    [2] = prog_decode_v2,
    [3] = prog_decode_v3,
    [4] = prog_decode_v4,
    [5] = prog_decode_v5,
};
#define PROG_NR_DECODERS (sizeof(prog_decoders) / sizeof(prog_decoders[0]))

static enum prog_err prog_decode_any(struct prog *p, const uint8_t *d, size_t len)
{
    uint8_t magic[4];

    if (len == 0)
        return PROG_E_EMPTY;
    prog_put32(magic, PROG_MAGIC);
    if (len < sizeof(magic))
        return memcmp(d, magic, len) == 0 ? PROG_E_TRUNCATED : PROG_E_MAGIC;
    if (prog_get32(d) != PROG_MAGIC)
        return PROG_E_MAGIC;
    if (len < 6)
        return PROG_E_TRUNCATED;
    uint16_t version = prog_get16(d + 4);
    if (version >= PROG_NR_DECODERS || !prog_decoders[version])
        return PROG_E_VERSION;
    p->version = version;
    return prog_decoders[version](p, d, len);
}

enum prog_err prog_decode(struct prog *p, const uint8_t *data, size_t len)
{
    prog_init(p, NULL);
    enum prog_err e = prog_decode_any(p, data, len);
    /* Never hand back half a program: a caller that ignores the error runs an empty one. */
    if (e != PROG_OK)
        prog_init(p, NULL);
    return e;
}

/*
 * The same for a loop that decodes into one struct per input (an engine harness): the ops are
 * cleared as they are decoded, never the whole ~400 KB struct, so the ops past nr_ops keep what
 * they held. On an error p is the empty program of the default shape, as with prog_decode.
 */
enum prog_err prog_decode_reuse(struct prog *p, const uint8_t *data, size_t len)
{
    p->version = PROG_VERSION;
    p->shape = prog_default_shape;
    p->nr_ops = 0;
    enum prog_err e = prog_decode_any(p, data, len);
    if (e != PROG_OK) {
        p->version = PROG_VERSION;
        p->shape = prog_default_shape;
        p->nr_ops = 0;
    }
    return e;
}
