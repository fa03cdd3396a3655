/* The migrate op: version 5 exactly when a program has one; text and binary round trip; older versions refuse it. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * Each row's program encodes as the version stated and decodes and prints back to an equal
 * program; a migrate record in a file that says version 4 is corrupt, as is an unknown phase.
 */
static const struct {
    const char *text;
    unsigned version;
} pmv_rows[] = {
    { "migrate d1 begin\n", 5 },
    { "migrate d2 round\nmigrate d2 finish => rc=2\n", 5 },
    { "guest_code d1 v0 payload=hex:c3\nmigrate d1 finish\n", 5 },
    { "guest_write d1 v0 gva(d1,g12,+0) size=8\n", 1 },
};

TEST(prog_migrate_version)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t bin[4096];
    char text[4096];

    CU_ASSERT_FATAL(p && q);
    for (size_t i = 0; i < sizeof(pmv_rows) / sizeof(pmv_rows[0]); i++) {
        TEST_EQ(PROG_OK, prog_parse_text(p, pmv_rows[i].text, NULL));
        size_t n = prog_encode(p, bin, sizeof(bin));
        TEST_EQ(pmv_rows[i].version, prog_format_version(p));
        TEST_EQ(PROG_OK, prog_decode(q, bin, n));
        CU_ASSERT(prog_equal(p, q));
        prog_format_text(q, text, sizeof(text));
        TEST_EQ(PROG_OK, prog_parse_text(q, text, NULL));
        CU_ASSERT(prog_equal(p, q));
        fprintf(stderr, "  row %zu: version %u, %zu bytes\n", i, prog_format_version(p), n);
    }

    /* the first row's file claiming version 4, and with a phase no version has */
    TEST_EQ(PROG_OK, prog_parse_text(p, pmv_rows[0].text, NULL));
    size_t n = prog_encode(p, bin, sizeof(bin));
    bin[4] = 4;
    prog_reseal(bin, n);
    TEST_EQ(PROG_E_CORRUPT, prog_decode(q, bin, n));
    bin[4] = 5;
    bin[n - 1] = MIGRATE_NR_PHASES;
    prog_reseal(bin, n);
    TEST_EQ(PROG_E_CORRUPT, prog_decode(q, bin, n));
    TEST_EQ(PROG_E_SYNTAX, prog_parse_text(p, "migrate d1 onwards\n", NULL));
    TEST_EQ(PROG_E_SYNTAX, prog_parse_text(p, "migrate d7 begin\n", NULL));
    free(p);
    free(q);
}
