/* Expectations survive both codecs: random expectations on fuzz-made programs, half of them with guest code, round-trip through text and binary (versions 3 and 4). */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

static uint64_t ert_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A valid expectation: only stated fields set, widths and offsets in range, values fit. */
static void ert_fill(struct prog_expect *e, unsigned payload_len, uint64_t *s)
{
    static const int64_t rcs[] = { 0, 1, -22, -14, -85, 0x40011, -1, INT64_MIN, 12345 };
    static const uint8_t widths[] = { 1, 2, 4, 8 };

    memset(e, 0, sizeof(*e));
    e->have = (uint8_t)(ert_rand(s) & PE_ALL);
    if (e->have & PE_STATUS)
        e->status = (uint8_t)(ert_rand(s) % 4);
    if (e->have & PE_RC)
        e->rc = rcs[ert_rand(s) % (sizeof(rcs) / sizeof(rcs[0]))];
    if (e->have & PE_VALUE)
        e->value = ert_rand(s);
    if (e->have & PE_FAULT)
        e->fault = ert_rand(s) % 3 ? (uint8_t)(ert_rand(s) % 32) : PROG_FAULT_NONE;
    if (e->have & PE_PFEC)
        e->pfec = (uint32_t)ert_rand(s);
    /* out fields lie in the op's payload: none where it is too short for a byte */
    if (!payload_len)
        e->have &= (uint8_t)~PE_OUT;
    if (e->have & PE_OUT) {
        e->nr_out = (uint8_t)(1 + ert_rand(s) % PROG_MAX_EXPECT_OUT);
        for (unsigned i = 0; i < e->nr_out; i++) {
            unsigned w = widths[ert_rand(s) % 4];
            while (w > payload_len)
                w /= 2;
            e->out[i].width = (uint8_t)w;
            e->out[i].off = (uint16_t)(ert_rand(s) % (payload_len - w + 1));
            e->out[i].value = ert_rand(s) & (w == 8 ? ~0ULL : (1ULL << (8 * w)) - 1);
        }
    }
    if (e->have & PE_EXITS) {
        e->nr_exits = (uint8_t)(ert_rand(s) % (PROG_MAX_EXPECT_EXITS + 1));
        for (unsigned i = 0; i < e->nr_exits; i++)
            e->exits[i] = (uint8_t)(ert_rand(s) % 9);
    }
}

/*
 * The fuzz decoder makes no guest_code ops, so some ops become one here: the op's payload and
 * fixups as the code when it has a payload, else 1..32 random bytes, and a budget of 0, a small
 * count or any 64-bit value. A program with one is a version 4 file.
 */
static void ert_guest_code(struct prog_op *op, uint64_t *s)
{
    static const uint64_t budgets[] = { 0, 0, 1, 1000, 0 };
    struct prog_op gc;

    memset(&gc, 0, sizeof(gc));
    gc.kind = OP_GUEST_CODE;
    gc.dom = op->dom;
    gc.vcpu = op->vcpu;
    gc.imm = budgets[ert_rand(s) % 5];
    if (!gc.imm && ert_rand(s) % 4 == 0)
        gc.imm = ert_rand(s);
    if (op->payload_len) {
        gc.payload_len = op->payload_len;
        memcpy(gc.payload, op->payload, op->payload_len);
        gc.nr_fixups = op->nr_fixups;
        memcpy(gc.fixups, op->fixups, sizeof(gc.fixups));
    } else {
        gc.payload_len = (uint16_t)(1 + ert_rand(s) % 32);
        for (unsigned i = 0; i < gc.payload_len; i++)
            gc.payload[i] = (uint8_t)ert_rand(s);
    }
    *op = gc;
}

TEST(expect_roundtrip)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q)), *r = malloc(sizeof(*r));
    uint8_t *in = malloc(4096), *enc = malloc(1 << 19);
    char *text = malloc(1 << 20);
    uint64_t seed = 0x243F6A8885A308D3ULL;
    unsigned failures = 0, stated = 0, with_code = 0;

    CU_ASSERT_FATAL(p && q && r && in && enc && text);
    for (unsigned iter = 0; iter < 1000 && failures < 5; iter++) {
        size_t len = 16 + ert_rand(&seed) % 2048;
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)ert_rand(&seed);
        prog_from_fuzz(p, in, len);
        bool code = iter % 2 == 1;
        for (uint32_t i = 0; i < p->nr_ops; i++) {
            if (code && ert_rand(&seed) % 4 == 0)
                ert_guest_code(&p->ops[i], &seed);
            ert_fill(&p->ops[i].expect, p->ops[i].payload_len, &seed);
            stated += p->ops[i].expect.have != 0;
        }
        size_t n = prog_encode(p, enc, 1 << 19);
        enum prog_err eb = prog_decode(q, enc, n);
        prog_format_text(p, text, 1 << 20);
        struct prog_text_error terr;
        enum prog_err et = prog_parse_text_err(r, text, &terr);
        bool any = false, gc = false;
        for (uint32_t i = 0; i < p->nr_ops; i++) {
            any |= p->ops[i].expect.have != 0;
            gc |= p->ops[i].kind == OP_GUEST_CODE;
        }
        with_code += gc;
        unsigned want = gc ? 4 : any ? 3 : q->version;
        bool ok = n > 0 && eb == PROG_OK && prog_equal(p, q) && et == PROG_OK &&
                  prog_equal(p, r) && q->version == want && enc[4] == want;
        if (!ok) {
            failures++;
            fprintf(stderr, "iter %u: encoded %zu, binary %s (equal %d), text %s at line %u "
                    "(equal %d): %s; version expected %u, actual %u\n", iter, n,
                    prog_strerror(eb), prog_equal(p, q), prog_strerror(et), terr.line,
                    prog_equal(p, r), terr.reason, want, q->version);
        }
        CU_ASSERT(ok);
    }
    CU_ASSERT(stated > 1000);
    CU_ASSERT(with_code > 400);
    free(p);
    free(q);
    free(r);
    free(in);
    free(enc);
    free(text);
}
