/*
 * Text parse errors: each bad line is reported with its line, the column and token where it goes
 * wrong, and a reason in words. Hand-written regressions get edited: a mistake must point at its
 * place, not fail silently or with only "does not parse".
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

static const struct {
    const char *text;
    enum prog_err err;
    unsigned line, col;
    const char *token;
    const char *reason;   /* a part of the reason */
} text_cases[] = {
    { "", PROG_E_EMPTY, 0, 0, "", "empty" },
    { "# only a comment\n", PROG_OK, 0, 0, "", "" },
    { "preempt 1\nbogus d0 v0\n", PROG_E_SYNTAX, 2, 1, "bogus", "unknown operation" },
    { "shape frames=256 domains=9 vcpus=2 pages=64\n", PROG_E_SYNTAX, 1, 26, "9",
      "domains must be 1..4" },
    { "shape frames=256 frames=256\n", PROG_E_SYNTAX, 1, 18, "frames", "given twice" },
    { "shape size=3\n", PROG_E_SYNTAX, 1, 7, "size", "unknown shape key" },
    { "preempt 1\nshape domains=2\n", PROG_E_SYNTAX, 2, 1, "shape", "before the first operation" },
    { "\n\nswitch_vcpu d3 v0\n", PROG_E_SYNTAX, 3, 13, "d3", "domain d3 does not exist" },
    { "switch_vcpu d0 v2\n", PROG_E_SYNTAX, 1, 16, "v2", "vCPU v2 does not exist" },
    { "switch_vcpu d0\n", PROG_E_SYNTAX, 1, 15, "", "expected a vCPU (vN)" },
    { "hypercall d0 v0 no_such_call()\n", PROG_E_SYNTAX, 1, 17, "no_such_call",
      "unknown hypercall" },
    { "hypercall d0 v0 hc()\n", PROG_E_SYNTAX, 1, 17, "hc", "unknown hypercall" },
    { "hypercall d0 v0 hc99999999999()\n", PROG_E_SYNTAX, 1, 19, "99999999999",
      "hypercall number is out of range" },
    { "hypercall d0 v0 hc5(1, 2\n", PROG_E_SYNTAX, 1, 25, "", "expected ',' or ')'" },
    { "hypercall d0 v0 hc5(1,2,3,4,5,6,7)\n", PROG_E_TOO_BIG, 1, 33, "7", "more than 6 arguments" },
    { "hypercall d0 v0 hc5(0x1ffffffffffffffff)\n", PROG_E_SYNTAX, 1, 21, "0x1ffffffffffffffff",
      "out of range" },
    { "hypercall d0 v0 hc5(12abc)\n", PROG_E_SYNTAX, 1, 21, "12abc", "not a decimal or 0x hex" },
    { "hypercall d0 v0 hc5(bogus(d0))\n", PROG_E_SYNTAX, 1, 21, "bogus", "expected an argument" },
    { "hypercall d0 v0 hc5(mfn(d7,g1))\n", PROG_E_SYNTAX, 1, 25, "d7", "domain d7 does not exist" },
    { "hypercall d0 v0 hc5(mfn(d1 g1))\n", PROG_E_SYNTAX, 1, 28, "g1", "expected ','" },
    { "hypercall d0 v0 hc5(pte(d0,g1,0x1000))\n", PROG_E_SYNTAX, 1, 31, "0x1000",
      "frame address bits" },
    { "hypercall d0 v0 hc5(gva(d0,g1,+4096))\n", PROG_E_SYNTAX, 1, 31, "+4096",
      "byte offset is out of range (at most 4095)" },
    { "hypercall d0 v0 hc5(gva(d0,g64,+0))\n", PROG_E_SYNTAX, 1, 28, "g64",
      "gva page g64 is past the domain's pages (g0..g63)" },
    { "hypercall d0 v0 hc5(gva(d0,g63,+0))\n", PROG_OK, 0, 0, "", "" },
    { "shape pages=16\nhypercall d0 v0 hc5() payload=hex:0000000000000000 fixup@0:8=gva(d1,g16,+0)\n",
      PROG_E_SYNTAX, 2, 69, "g16", "past the domain's pages (g0..g15)" },
    { "hypercall d0 v0 hc5(mfn(d0,g70))\n", PROG_OK, 0, 0, "", "" },   /* mfn wraps: a frame index */
    { "hypercall d0 v0 hc5(gref(d0,-1))\n", PROG_E_SYNTAX, 1, 29, "-1", "may not be negative" },
    { "hypercall d0 v0 hc5() payload=hex:00zz\n", PROG_E_SYNTAX, 1, 37, "zz", "pairs of hex digits" },
    { "hypercall d0 v0 hc5() payload=hex:001\n", PROG_E_SYNTAX, 1, 37, "1", "pairs of hex digits" },
    { "hypercall d0 v0 hc5() payload=hex:00 payload=hex:11\n", PROG_E_SYNTAX, 1, 38, "payload",
      "a second payload" },
    { "hypercall d0 v0 hc5() payload=hex:0011 fixup@0:4=gfn(d0,g1)\n", PROG_E_SYNTAX, 1, 40,
      "fixup", "fixup@0:4 writes past the 2-byte payload" },
    { "hypercall d0 v0 hc5() fixup@0:4=gfn(d0,g1) payload=hex:0011\n", PROG_E_SYNTAX, 1, 23,
      "fixup", "writes past the 2-byte payload" },
    { "hypercall d0 v0 hc5() payload=hex:00112233 fixup@0:3=gfn(d0,g1)\n", PROG_E_SYNTAX, 1, 52,
      "3", "fixup width is 1, 2, 4 or 8" },
    { "hypercall d0 v0 hc5() payload=hex:00112233 fixup@0:4=gfn(d0,g1)\n", PROG_OK, 0, 0, "", "" },
    { "hypercall d0 v0 hc5() payload=hex:00112233 junk\n", PROG_E_SYNTAX, 1, 44, "junk",
      "unexpected text (expected payload=hex" },
    { "guest_read d0 v0 gva(d0,g1,+0) size=3\n", PROG_E_SYNTAX, 1, 32, "size",
      "1, 2, 4 or 8 bytes" },
    { "guest_read d0 v0 gva(d0,g1,+0)\n", PROG_E_SYNTAX, 1, 31, "", "expected the access size (size=N)" },
    { "guest_read d0 v0 gva(d0,g1,+0) size=8 junk\n", PROG_E_SYNTAX, 1, 39, "junk",
      "unexpected text after the operation" },
    { "exit d0 v0\n", PROG_E_SYNTAX, 1, 11, "", "expected an exit reason" },
    { "exit d0 v0 warp\n", PROG_E_SYNTAX, 1, 12, "warp", "unknown exit reason" },
    { "exit d0 v0 mmio rax=1 rax=2\n", PROG_E_SYNTAX, 1, 23, "rax", "given twice" },
    { "exit d0 v0 mmio insn=00112233445566778899aabbccddeeff\n", PROG_E_TOO_BIG, 1, 52, "ff",
      "insn longer than 15 bytes" },
    { "exit d0 v0 mmio rip\n", PROG_E_SYNTAX, 1, 17, "rip", "unexpected text (expected qual=" },
    { "guest_code d0 v0\n", PROG_E_SYNTAX, 1, 17, "", "guest_code needs its code (payload=hex:...)" },
    { "guest_code d0 v0 budget=5\n", PROG_E_SYNTAX, 1, 26, "", "guest_code needs its code" },
    { "guest_code d0 v0 => rc=0\n", PROG_E_SYNTAX, 1, 18, "", "guest_code needs its code" },
    { "guest_code d0 v0 payload=hex:\n", PROG_E_SYNTAX, 1, 18, "payload",
      "at least one byte of code" },
    { "guest_code d0 v0 budget=x payload=hex:c3\n", PROG_E_SYNTAX, 1, 25, "x",
      "expected the instruction budget (a number)" },
    { "guest_code d0 v0 budget=-1 payload=hex:c3\n", PROG_E_SYNTAX, 1, 25, "-1",
      "the instruction budget may not be negative" },
    { "guest_code d0 v0 budget=12abc payload=hex:c3\n", PROG_E_SYNTAX, 1, 25, "12abc",
      "not a decimal or 0x hex" },
    { "guest_code d0 v0 budget=0x10000000000000000 payload=hex:c3\n", PROG_E_SYNTAX, 1, 25,
      "0x10000000000000000", "out of range (at most 0xffffffffffffffff)" },
    { "guest_code d0 v0 budget=1 payload=hex:c3 budget=2\n", PROG_E_SYNTAX, 1, 42, "budget",
      "given twice" },
    { "guest_code d0 v0 payload=hex:c3 junk\n", PROG_E_SYNTAX, 1, 33, "junk",
      "unexpected text (expected budget=, payload=hex:... or fixup@OFF:WIDTH=ARG)" },
    { "guest_code d0 v0 payload=hex:c3 fixup@0:8=gva(d0,g1,+0)\n", PROG_E_SYNTAX, 1, 33, "fixup",
      "fixup@0:8 writes past the 1-byte payload" },
    { "guest_code d3 v0 payload=hex:c3\n", PROG_E_SYNTAX, 1, 12, "d3", "domain d3 does not exist" },
    { "guest_code d0 v0 fixup@0:1=gfn(d0,g1) budget=0xffffffffffffffff payload=hex:c3 => rc=17\n",
      PROG_OK, 0, 0, "", "" },
    { "preempt -0x8000000000000001\n", PROG_E_SYNTAX, 1, 9, "-0x8000000000000001",
      "out of range (at least -0x8000000000000000)" },
    { "preempt 1 # trailing comments are fine\n\t# so are indented ones\r\n", PROG_OK, 0, 0, "", "" },
};

TEST(prog_text_errors)
{
    struct prog *p = malloc(sizeof(*p));

    CU_ASSERT_FATAL(p != NULL);
    for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        struct prog_text_error err;
        memset(&err, 0x55, sizeof(err));
        enum prog_err e = prog_parse_text_err(p, text_cases[i].text, &err);
        bool ok = e == text_cases[i].err && err.line == text_cases[i].line &&
                  err.col == text_cases[i].col && !strcmp(err.token, text_cases[i].token) &&
                  strstr(err.reason, text_cases[i].reason) != NULL;
        if (!ok)
            fprintf(stderr, "case %zu: expected %s at %u:%u near '%s' (\"%s\"), actual %s at %u:%u "
                    "near '%s' (\"%s\")\n", i, prog_strerror(text_cases[i].err),
                    text_cases[i].line, text_cases[i].col, text_cases[i].token,
                    text_cases[i].reason, prog_strerror(e), err.line, err.col, err.token,
                    err.reason);
        CU_ASSERT(ok);
        /* the old entry point reports the same line */
        unsigned line = 12345;
        TEST_EQ(e, prog_parse_text(p, text_cases[i].text, &line));
        TEST_EQ(err.line, line);
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
