/* A program is a version 4 file exactly when it has guest code; without, it keeps the version it had before. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * prog_encode writes the lowest version that holds a program, so adding guest_code (version 4)
 * must not move any other program to it: each row is a program and the version its file, its
 * decoded copy and its text header say. That those programs also keep their bytes is
 * prog_old_versions' part (the stored corpora re-encode identically).
 */
static const struct {
    const char *text;
    unsigned version;
} gcv_rows[] = {
    { "hypercall d1 v0 hc5() payload=hex:c3\n", 1 },
    { "exit d1 v0 cpuid qual=0 gla=0\n", 2 },
    { "hypercall d1 v0 hc5(gntframe(d1,0))\n", 3 },
    { "preempt 1 => rc=0\n", 3 },
    { "guest_code d1 v0 payload=hex:c3\n", 4 },
    { "guest_code d1 v0 payload=hex:c3 fixup@0:1=gpa(g1,+0)\n", 4 },
    { "preempt 1\nguest_code d1 v0 budget=7 payload=hex:c3 => rc=0\n", 4 },
    { "exit d1 v0 cpuid qual=0 gla=0 => action=resume\nguest_code d0 v0 payload=hex:c3\n", 4 },
};

TEST(prog_guest_code_version)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t bin[4096];
    char text[4096], head[32];

    CU_ASSERT_FATAL(p && q);
    for (size_t i = 0; i < sizeof(gcv_rows) / sizeof(gcv_rows[0]); i++) {
        unsigned want = gcv_rows[i].version;
        TEST_EQ(PROG_OK, prog_parse_text(p, gcv_rows[i].text, NULL));
        size_t n = prog_encode(p, bin, sizeof(bin));
        enum prog_err e = prog_decode(q, bin, n);
        prog_format_text(p, text, sizeof(text));
        snprintf(head, sizeof(head), "# hvfuzz program v%u\n", want);
        bool ok = prog_format_version(p) == want && n > 6 && bin[4] == want && bin[5] == 0 &&
                  e == PROG_OK && q->version == want && prog_equal(p, q) &&
                  !strncmp(text, head, strlen(head));
        fprintf(stderr, "  row %zu: expected version %u, actual %u (file %u, decoded %u: %s)\n", i,
                want, prog_format_version(p), n > 4 ? bin[4] : 0, q->version, prog_strerror(e));
        CU_ASSERT(ok);
    }
    free(p);
    free(q);
}
