/* Generated and mutated guest_code ops are valid programs, read back by the scanner, and survive both file forms. */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_asm.h"
#include "gen/gen_internal.h"
#include "gen_util.h"
#include "test.h"

/*
 * The code family on (as gen_probe switches it on for a target that runs code) and weighted up:
 * every program, fresh or mutated, must pass prog_validate and come back equal from the binary
 * and text forms (what a fuzzer saves and a person edits). Fresh code must also be made of forms
 * the scanner knows up to its ret: the census and the mutators read code through it.
 */
static bool gcv_scans_to_ret(const struct prog_op *op)
{
    struct gen_asm_insn in;
    unsigned off = 0, k;

    while (off < op->payload_len &&
           (k = gen_asm_scan(op->payload + off, op->payload_len - off, &in))) {
        off += k;
        if (in.cls == GA_RET)
            return true;
    }
    fprintf(stderr, "code stops scanning at byte %u of %u (0x%02x)\n", off, op->payload_len,
            off < op->payload_len ? op->payload[off] : 0);
    return false;
}

TEST(gen_code_valid)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q)), *o = malloc(sizeof(*o));
    uint8_t *enc = malloc(1 << 18);
    char *txt = malloc(1 << 20);
    struct gen_cfg cfg = gen_default_cfg;
    struct gen g;
    unsigned bad = 0, code = 0, unscanned = 0, mutated = 0;

    CU_ASSERT_FATAL(p && q && o && enc && txt);
    cfg.weight[GEN_F_CODE] = 100;
    gen_init(&g, &cfg, 7);
    g.env.guest_code = true;
    gen_program(&g, o);
    for (unsigned i = 0; i < 3000 && bad < 5; i++) {
        gen_reseed(&g, 7, i);
        gen_program(&g, p);
        for (uint32_t k = 0; k < p->nr_ops; k++)
            if (p->ops[k].kind == OP_GUEST_CODE) {
                code++;
                unscanned += !gcv_scans_to_ret(&p->ops[k]);
            }
        for (unsigned m = 0; m < i % 9; m++)
            gen_mutate(&g, p, o);
        mutated += i % 9 != 0;
        bool ok = gen_util_roundtrip(p, q, enc, txt, i);
        bad += !ok;
        CU_ASSERT(ok);
        if (i % 5 == 0)
            memcpy(o, p, sizeof(*o));
    }
    fprintf(stderr, "gen_code_valid: %u guest_code ops in 3000 programs (%u of them mutated)\n",
            code, mutated);
    CU_ASSERT(code > 3000);
    TEST_EQ(0, unscanned);
    free(p);
    free(q);
    free(o);
    free(enc);
    free(txt);
}
