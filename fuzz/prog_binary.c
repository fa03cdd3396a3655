/* Canonical binary form of programs: versioned little-endian records with an FNV-1a checksum. */
#include <string.h>

#include "prog_internal.h"

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
 */
#define V1_HDR      24U
#define V1_OPHDR    4U
#define V1_ARG      16U
#define V1_HC_FIXED 12U
#define V1_FIXUP    (4U + V1_ARG)
#define V1_GUEST    (4U + V1_ARG)
#define V1_PREEMPT  8U
#define V1_SWITCH   2U
#define V1_CSUM_OFF 20U

#define FNV_OFFSET 2166136261U
#define FNV_PRIME  16777619U

static uint32_t prog_fnv1a(uint32_t h, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * FNV_PRIME;
    return h;
}

static size_t prog_v1_op_size(const struct prog_op *op)
{
    switch (op->kind) {
    case OP_HYPERCALL:
        return V1_HC_FIXED + op->nr_args * V1_ARG + op->payload_len + op->nr_fixups * V1_FIXUP;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        return V1_GUEST;
    case OP_PREEMPT:
        return V1_PREEMPT;
    default:
        return V1_SWITCH;
    }
}

size_t prog_encoded_size(const struct prog *p)
{
    if (prog_validate(p) != PROG_OK)
        return 0;
    size_t n = V1_HDR;
    for (uint32_t i = 0; i < p->nr_ops; i++)
        n += V1_OPHDR + prog_v1_op_size(&p->ops[i]);
    return n;
}

size_t prog_max_encoded_size(void)
{
    return V1_HDR + PROG_MAX_OPS * (V1_OPHDR + V1_HC_FIXED + PROG_MAX_ARGS * V1_ARG +
                                    PROG_MAX_PAYLOAD + PROG_MAX_FIXUPS * V1_FIXUP);
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
        memcpy(w, op->payload, op->payload_len);
        w += op->payload_len;
        for (unsigned i = 0; i < op->nr_fixups; i++) {
            prog_put16(w, op->fixups[i].off);
            w[2] = op->fixups[i].width;
            w = prog_put_arg(w + 4, &op->fixups[i].arg);
        }
        return w;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        w[0] = op->dom;
        w[1] = op->vcpu;
        w[2] = (uint8_t)op->size;
        return prog_put_arg(w + 4, &op->args[0]);
    case OP_PREEMPT:
        prog_put64(w, op->imm);
        return w + V1_PREEMPT;
    default:
        w[0] = op->dom;
        w[1] = op->vcpu;
        return w + V1_SWITCH;
    }
}

/* Always writes the newest version: old files are upgraded by a decode + encode round trip. */
size_t prog_encode(const struct prog *p, uint8_t *buf, size_t cap)
{
    size_t n = prog_encoded_size(p);
    if (n == 0 || n > cap)
        return 0;

    uint8_t *w = buf;
    prog_put32(w, PROG_MAGIC);
    prog_put16(w + 4, PROG_VERSION);
    prog_put16(w + 6, 0);
    prog_put16(w + 8, p->shape.nr_frames);
    w[10] = p->shape.nr_domains;
    w[11] = p->shape.nr_vcpus;
    prog_put16(w + 12, p->shape.dom_pages);
    prog_put16(w + 14, (uint16_t)p->nr_ops);
    prog_put32(w + 16, (uint32_t)(n - V1_HDR));
    w += V1_HDR;
    for (uint32_t i = 0; i < p->nr_ops; i++)
        w = prog_put_op(w, &p->ops[i]);
    uint32_t h = prog_fnv1a(FNV_OFFSET, buf, V1_CSUM_OFF);
    prog_put32(buf + V1_CSUM_OFF, prog_fnv1a(h, buf + V1_HDR, n - V1_HDR));
    return n;
}

static enum prog_err prog_get_arg(struct prog_arg *a, const uint8_t *r)
{
    memset(a, 0, sizeof(*a));
    a->kind = r[0];
    a->dom = r[1];
    a->a = prog_get16(r + 2);
    a->b = prog_get32(r + 4);
    a->imm = prog_get64(r + 8);
    if (a->kind >= ARG_NR_KINDS)
        return PROG_E_CORRUPT;
    /* Unused fields must be 0: an encoder that wrote anything else is not ours. */
    unsigned f = prog_arg_fields[a->kind];
    if ((!(f & PROG_F_DOM) && a->dom) || (!(f & PROG_F_A) && a->a) ||
        (!(f & PROG_F_B) && a->b) || (!(f & PROG_F_IMM) && a->imm))
        return PROG_E_CORRUPT;
    return PROG_OK;
}

static enum prog_err prog_get_hypercall(struct prog_op *op, const uint8_t *r, size_t len)
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
        if ((e = prog_get_arg(&op->args[i], r)) != PROG_OK)
            return e;
    memcpy(op->payload, r, op->payload_len);
    r += op->payload_len;
    for (unsigned i = 0; i < op->nr_fixups; i++, r += V1_FIXUP) {
        op->fixups[i].off = prog_get16(r);
        op->fixups[i].width = r[2];
        if (r[3])
            return PROG_E_CORRUPT;
        if ((e = prog_get_arg(&op->fixups[i].arg, r + 4)) != PROG_OK)
            return e;
    }
    return PROG_OK;
}

static enum prog_err prog_get_op(struct prog_op *op, const uint8_t *r, size_t len)
{
    switch (op->kind) {
    case OP_HYPERCALL:
        return prog_get_hypercall(op, r, len);
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
        if (len != V1_GUEST || r[3])
            return PROG_E_CORRUPT;
        op->dom = r[0];
        op->vcpu = r[1];
        op->size = r[2];
        op->nr_args = 1;
        return prog_get_arg(&op->args[0], r + 4);
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
    default:
        /* Exit and guest_code records belong to a later version; v1 files never hold them. */
        return PROG_E_CORRUPT;
    }
}

static enum prog_err prog_decode_v1(struct prog *p, const uint8_t *d, size_t len)
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
        if ((size_t)(end - r) < V1_OPHDR)
            return PROG_E_CORRUPT;
        size_t olen = prog_get16(r + 2);
        if (r[1] || olen > (size_t)(end - r) - V1_OPHDR)
            return PROG_E_CORRUPT;
        op->kind = r[0];
        if ((e = prog_get_op(op, r + V1_OPHDR, olen)) != PROG_OK)
            return e;
        if ((e = prog_op_check(op, &p->shape)) != PROG_OK)
            return e;
        r += V1_OPHDR + olen;
        p->nr_ops = i + 1;
    }
    return r == end ? PROG_OK : PROG_E_CORRUPT;
}

typedef enum prog_err (*prog_decoder_fn)(struct prog *p, const uint8_t *d, size_t len);

/* One decoder per format version ever written, so old corpus files keep replaying. */
static const prog_decoder_fn prog_decoders[] = {
    [1] = prog_decode_v1,
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
