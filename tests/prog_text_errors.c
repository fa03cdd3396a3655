/* Text parse errors: each bad line is reported with its error and line number. */
#include <stdlib.h>

#include "hvfuzz/prog.h"
#include "test.h"

/* Hand-written regressions get edited: a mistake must point at its line, not fail silently. */
static const struct {
    const char *text;
    enum prog_err err;
    unsigned line;
} text_cases[] = {
    { "", PROG_E_EMPTY, 0 },
    { "# only a comment\n", PROG_OK, 0 },
    { "preempt 1\nbogus d0 v0\n", PROG_E_SYNTAX, 2 },
    { "shape frames=256 domains=9 vcpus=2 pages=64\n", PROG_E_SYNTAX, 1 },
    { "shape frames=256 frames=256\n", PROG_E_SYNTAX, 1 },
    { "preempt 1\nshape domains=2\n", PROG_E_SYNTAX, 2 },
    { "\n\nswitch_vcpu d3 v0\n", PROG_E_SYNTAX, 3 },          /* only 3 domains by default */
    { "switch_vcpu d0 v2\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 no_such_call()\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc()\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc99999999999()\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5(1, 2\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5(1,2,3,4,5,6,7)\n", PROG_E_TOO_BIG, 1 },
    { "hypercall d0 v0 hc5(0x1ffffffffffffffff)\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5(mfn(d7,g1))\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5(pte(d0,g1,0x1000))\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5(gva(d0,g1,+4096))\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5() payload=hex:00zz\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5() payload=hex:00 payload=hex:11\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5() payload=hex:0011 fixup@0:4=gfn(d0,g1)\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5() payload=hex:00112233 fixup@0:3=gfn(d0,g1)\n", PROG_E_SYNTAX, 1 },
    { "hypercall d0 v0 hc5() payload=hex:00112233 fixup@0:4=gfn(d0,g1)\n", PROG_OK, 0 },
    { "guest_read d0 v0 gva(d0,g1,+0) size=3\n", PROG_E_SYNTAX, 1 },
    { "guest_read d0 v0 gva(d0,g1,+0)\n", PROG_E_SYNTAX, 1 },
    { "guest_read d0 v0 gva(d0,g1,+0) size=8 junk\n", PROG_E_SYNTAX, 1 },
    { "exit d0 v0\n", PROG_E_SYNTAX, 1 },                   /* reserved for format v2 */
};

TEST(prog_text_errors)
{
    struct prog *p = malloc(sizeof(*p));

    CU_ASSERT_FATAL(p != NULL);
    for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        unsigned line = 12345;
        enum prog_err e = prog_parse_text(p, text_cases[i].text, &line);
        if (e != text_cases[i].err || line != text_cases[i].line)
            fprintf(stderr, "case %zu: expected %s at line %u, actual %s at line %u\n", i,
                    prog_strerror(text_cases[i].err), text_cases[i].line, prog_strerror(e), line);
        CU_ASSERT(e == text_cases[i].err && line == text_cases[i].line);
    }

    /* The 257th operation is one too many, and its line says so. */
    size_t n = (PROG_MAX_OPS + 1) * 10 + 1;
    char *many = malloc(n), *w = many;
    CU_ASSERT_FATAL(many != NULL);
    for (unsigned i = 0; i <= PROG_MAX_OPS; i++)
        w += sprintf(w, "preempt 1\n");
    unsigned line = 0;
    TEST_EQ(PROG_E_TOO_BIG, prog_parse_text(p, many, &line));
    TEST_EQ(PROG_MAX_OPS + 1, line);
    TEST_EQ(0, p->nr_ops);
    free(many);
    free(p);
}
