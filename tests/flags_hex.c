/*
 * Flags print in hex wherever a person reads them: update_va_mapping's flags argument and an
 * exit's rflags in the text form (which still parses back to the same program), and flag words
 * and bits in audit details (a decimal 384 hides which bits are set; 0x180 shows them).
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/audit.h"
#include "hvfuzz/prog.h"
#include "hvfuzz/xen.h"
#include "test.h"

static const char flags_prog[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 update_va_mapping(gva(d1,g12,+0), pte(d1,g12,0x27), 2)\n"
    "exit d1 v0 hlt qual=0 gla=0 rflags=514\n";

TEST(flags_hex_text)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char text[2048];
    unsigned line = 0;

    CU_ASSERT_FATAL(p && q);
    TEST_EQ(PROG_OK, prog_parse_text(p, flags_prog, &line));
    prog_format_text(p, text, sizeof(text));
    if (!strstr(text, "pte(d1,g12,0x27), 0x2)") || !strstr(text, "rflags=0x202"))
        fprintf(stderr, "%s:%d: flags not in hex in:\n%s", __FILE__, __LINE__, text);
    CU_ASSERT(strstr(text, "pte(d1,g12,0x27), 0x2)") != NULL);
    CU_ASSERT(strstr(text, "rflags=0x202") != NULL);
    /* other small immediates stay decimal */
    CU_ASSERT(strstr(text, "qual=0 gla=0") != NULL);
    TEST_EQ(PROG_OK, prog_parse_text(q, text, &line));
    CU_ASSERT(prog_equal(p, q));
    free(p);
    free(q);
}

TEST(flags_hex_audit)
{
    struct audit_violation flags = { .inv = INV_I4_TABLES, .mfn = 0x40, .dom = 1, .expected = 0,
                                     .actual = 0x180, .what = "l1 entry 3 disallowed flags" };
    struct audit_violation count = { .inv = INV_I1_COUNT, .mfn = 0x12, .dom = 1, .expected = 3,
                                     .actual = 2, .what = "general count" };
    const char *want = "I4 mfn 0x40 dom 1: l1 entry 3 disallowed flags expected 0x0, actual 0x180";
    char buf[256];

    audit_format(&flags, buf, sizeof(buf));
    if (strcmp(buf, want))
        fprintf(stderr, "%s:%d: expected '%s', actual '%s'\n", __FILE__, __LINE__, want, buf);
    CU_ASSERT(!strcmp(buf, want));
    audit_format(&count, buf, sizeof(buf));
    CU_ASSERT(!strcmp(buf, "I1 mfn 0x12 dom 1: general count expected 3, actual 2"));
}
