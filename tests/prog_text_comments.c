/*
 * hvfuzz show keeps a text file's comments: the leading block, comment and blank lines between
 * operations, and an op's trailing comment stay where they were; the printer's own header is
 * not repeated, so showing the output again gives the same text, and it parses to the same
 * program. Reproducers are explained by their comments: a show that dropped them lost the why.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

static const struct {
    const char *what, *src, *want;
} cm_cases[] = {
    { "a reproducer",
      "# hvfuzz program v1\n"
      "# what it re-creates\n"
      "#  1. step one\n"
      "shape frames=256 domains=3   # the usual machine\n"
      "\n"
      "# step one: a preemption\n"
      "preempt 0x05  # every 5th\n"
      "\t# indented, between ops\n"
      "switch_vcpu d1 v1\n"
      "# the end\n",
      "# hvfuzz program v1\n"
      "# what it re-creates\n"
      "#  1. step one\n"
      "shape frames=256 domains=3 vcpus=2 pages=64  # the usual machine\n"
      "\n"
      "# step one: a preemption\n"
      "preempt 0x5  # every 5th\n"
      "\t# indented, between ops\n"
      "switch_vcpu d1 v1\n"
      "# the end\n" },
    { "no shape line: it follows the leading block",
      "# about\n"
      "preempt 1\n",
      "# hvfuzz program v1\n"
      "# about\n"
      "shape frames=256 domains=3 vcpus=2 pages=64\n"
      "preempt 0x1\n" },
    { "only comments",
      "# nothing to run\n",
      "# hvfuzz program v1\n"
      "# nothing to run\n"
      "shape frames=256 domains=3 vcpus=2 pages=64\n" },
    { "a source comment replaces the printer's on an exit line",
      "exit d1 v0 mmio qual=0xfeb00010 gla=0 rax=2 insn=8903 # doorbell\r\n",
      "# hvfuzz program v2\n"
      "shape frames=256 domains=3 vcpus=2 pages=64\n"
      "exit d1 v0 mmio qual=0xfeb00010 gla=0 rax=2 insn=8903  # doorbell\n" },
};

TEST(prog_text_comments)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char out[4096], again[4096];

    CU_ASSERT_FATAL(p && q);
    for (size_t i = 0; i < sizeof(cm_cases) / sizeof(cm_cases[0]); i++) {
        TEST_EQ(PROG_OK, prog_parse_text(p, cm_cases[i].src, NULL));
        size_t n = prog_format_text_comments(p, cm_cases[i].src, out, sizeof(out));
        TEST_EQ(strlen(cm_cases[i].want), n);
        if (strcmp(out, cm_cases[i].want))
            fprintf(stderr, "%s: expected\n%s-- actual\n%s--\n", cm_cases[i].what,
                    cm_cases[i].want, out);
        CU_ASSERT(!strcmp(out, cm_cases[i].want));
        /* the output is a program: the same one, and showing it again changes nothing */
        CU_ASSERT(prog_parse_text(q, out, NULL) == PROG_OK && prog_equal(p, q));
        prog_format_text_comments(q, out, again, sizeof(again));
        if (strcmp(out, again))
            fprintf(stderr, "%s: shown twice\n%s-- differs from once\n%s--\n", cm_cases[i].what,
                    again, out);
        CU_ASSERT(!strcmp(out, again));
    }
    /* a source that is not p's text cannot place comments: the plain text, comments dropped */
    TEST_EQ(PROG_OK, prog_parse_text(p, "preempt 1\npreempt 2\n", NULL));
    prog_format_text_comments(p, "# other\npreempt 1\n", out, sizeof(out));
    prog_format_text(p, again, sizeof(again));
    CU_ASSERT(!strcmp(out, again));
    free(p);
    free(q);
}
