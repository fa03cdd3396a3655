/* Text form of guest code: lines parse as documented, options in any order, and print back canonically. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * Each row is a guest_code line as a person writes it and as the printer writes it back (budget
 * first and only when nonzero, then the code, the fixups and the expectations); both parse to
 * the same program, which is a version 4 file. The first is docs/PROGRAMS.md's example: code
 * that loads a resolved guest VA into rdi (a fixup on movabs's imm64) and returns 0x11.
 */
static const struct {
    const char *in, *out;
    uint64_t budget;
    unsigned code_len, nr_fixups;
} tgc_rows[] = {
    { "guest_code d1 v0 payload=hex:48bf0000000000000000b811000000c3 budget=1000 "
      "fixup@2:8=gva(d1,g5,+0) => rc=0x11, exits=none",
      "guest_code d1 v0 budget=1000 payload=hex:48bf0000000000000000b811000000c3 "
      "fixup@2:8=gva(d1,g5,+0) => rc=17, exits=none", 1000, 16, 1 },
    { "guest_code d0 v1 payload=hex:C3", "guest_code d0 v1 payload=hex:c3", 0, 1, 0 },
    { "guest_code d2 v0 budget=0 payload=hex:f4", "guest_code d2 v0 payload=hex:f4", 0, 1, 0 },
    { "guest_code\td2 v1 fixup@1:4=port(d2,0) budget=0xffffffffffffffff payload=hex:b800000000c3",
      "guest_code d2 v1 budget=18446744073709551615 payload=hex:b800000000c3 fixup@1:4=port(d2,0)",
      UINT64_MAX, 6, 1 },
    { "guest_code d1 v0 payload=hex:0f01c1 => status=ran, rc=0, fault=ud, exits=io+cpuid",
      "guest_code d1 v0 payload=hex:0f01c1 => status=ran, rc=0, fault=ud, exits=io+cpuid", 0, 3,
      0 },
};

TEST(prog_text_guest_code)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char text[4096], *line;
    unsigned err_line = 0;

    CU_ASSERT_FATAL(p && q);
    for (size_t i = 0; i < sizeof(tgc_rows) / sizeof(tgc_rows[0]); i++) {
        TEST_EQ(PROG_OK, prog_parse_text(p, tgc_rows[i].in, &err_line));
        TEST_EQ(1, p->nr_ops);
        TEST_EQ(OP_GUEST_CODE, p->ops[0].kind);
        TEST_EQ(tgc_rows[i].budget, p->ops[0].imm);
        TEST_EQ(tgc_rows[i].code_len, p->ops[0].payload_len);
        TEST_EQ(tgc_rows[i].nr_fixups, p->ops[0].nr_fixups);
        TEST_EQ(4, prog_format_version(p));
        prog_format_text(p, text, sizeof(text));
        /* the header, the shape, then the op's line */
        line = strchr(strchr(text, '\n') + 1, '\n') + 1;
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, tgc_rows[i].out))
            fprintf(stderr, "  row %zu: expected\n    %s\n  actual\n    %s\n", i, tgc_rows[i].out,
                    line);
        CU_ASSERT(!strcmp(line, tgc_rows[i].out));
        CU_ASSERT(!strncmp(text, "# hvfuzz program v4\n", 20));
        TEST_EQ(PROG_OK, prog_parse_text(q, line, &err_line));
        CU_ASSERT(prog_equal(p, q));
    }
    /* the example's fixup names gfn 5 of d1 at the movabs's imm64 */
    TEST_EQ(PROG_OK, prog_parse_text(p, tgc_rows[0].in, &err_line));
    TEST_EQ(2, p->ops[0].fixups[0].off);
    TEST_EQ(8, p->ops[0].fixups[0].width);
    TEST_EQ(ARG_GVA, p->ops[0].fixups[0].arg.kind);
    TEST_EQ(5, p->ops[0].fixups[0].arg.a);
    TEST_EQ(PE_RC | PE_EXITS, p->ops[0].expect.have);
    TEST_EQ(0x11, p->ops[0].expect.rc);
    free(p);
    free(q);
}
