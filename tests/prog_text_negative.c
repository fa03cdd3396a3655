/*
 * Negative numbers in the text form: values (immediates, register values, fixup values, the
 * preemption pattern) accept -N and store its two's complement in 64 bits; a fixup of width w
 * writes the low w bytes, which are -N in w bytes. The printer writes the canonical unsigned
 * form, which parses back to the same program. Indices, offsets and sizes stay unsigned.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

static const struct {
    const char *text;
    uint64_t want;        /* the value stored */
} neg_cases[] = {
    { "hypercall d0 v0 hc5(-1)\n", 0xffffffffffffffffULL },
    { "hypercall d0 v0 hc5(-22)\n", (uint64_t)-22 },
    { "hypercall d0 v0 hc5(-0x10)\n", 0xfffffffffffffff0ULL },
    { "hypercall d0 v0 hc5(-0)\n", 0 },
    { "hypercall d0 v0 hc5(-0x8000000000000000)\n", 0x8000000000000000ULL },
    { "hypercall d0 v0 hc5() payload=hex:00000000 fixup@0:4=-2\n", (uint64_t)-2 },
    { "exit d0 v0 io qual=0 gla=0 rax=-1\n", 0xffffffffffffffffULL },
    { "preempt -3\n", (uint64_t)-3 },
};

static uint64_t neg_value(const struct prog_op *op)
{
    switch (op->kind) {
    case OP_PREEMPT:
        return op->imm;
    case OP_EXIT:
        return op->regs[0].imm;
    default:
        return op->nr_fixups ? op->fixups[0].arg.imm : op->args[0].imm;
    }
}

TEST(prog_text_negative)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char txt[4096];

    CU_ASSERT_FATAL(p && q);
    for (size_t i = 0; i < sizeof(neg_cases) / sizeof(neg_cases[0]); i++) {
        struct prog_text_error err;
        enum prog_err e = prog_parse_text_err(p, neg_cases[i].text, &err);
        uint64_t got = e == PROG_OK ? neg_value(&p->ops[0]) : 0;
        if (e != PROG_OK || got != neg_cases[i].want)
            fprintf(stderr, "case %zu '%s': expected 0x%llx, actual %s 0x%llx (%s)\n", i,
                    neg_cases[i].text, (unsigned long long)neg_cases[i].want, prog_strerror(e),
                    (unsigned long long)got, err.reason);
        CU_ASSERT(e == PROG_OK && got == neg_cases[i].want);
        if (e != PROG_OK)
            continue;
        prog_format_text(p, txt, sizeof(txt));
        CU_ASSERT(prog_parse_text(q, txt, NULL) == PROG_OK && prog_equal(p, q));
    }
    free(p);
    free(q);
}
