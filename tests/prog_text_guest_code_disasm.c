/* A guest_code line ends with its first instructions as a comment when a disassembler is installed; the text still round-trips. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * The hook disassembles one instruction and does not say how long it is (hvfuzz installs
 * Capstone's: tools/disasm.c). This stand-in behaves as that one does: an instruction it knows,
 * "  (then trailing bytes)" after it when more bytes follow, and one text for bytes it cannot
 * decode. The printer must split the code into instructions from that alone, stop at bytes that
 * do not decode, cut a long list, put the comment after the expectations, and a source comment
 * must replace it (prog_format_text_comments) so showing a file twice changes nothing.
 */
static bool tgd_disasm(const uint8_t *b, size_t len, char *out, size_t cap)
{
    unsigned long long imm = 0;
    size_t n = 0;

    if (len >= 5 && b[0] == 0xb8)
        n = 5, snprintf(out, cap, "mov eax, 0x%x",
                        (unsigned)(b[1] | b[2] << 8 | b[3] << 16 | (unsigned)b[4] << 24));
    else if (len >= 10 && b[0] == 0x48 && b[1] == 0xbf) {
        for (unsigned i = 0; i < 8; i++)
            imm |= (unsigned long long)b[2 + i] << (8 * i);
        n = 10, snprintf(out, cap, "movabs rdi, 0x%llx", imm);
    }
    else if (len >= 2 && b[0] == 0x0f && b[1] == 0x05)
        n = 2, snprintf(out, cap, "syscall");
    else if (b[0] == 0xc3)
        n = 1, snprintf(out, cap, "ret");
    else if (b[0] == 0x90)
        n = 1, snprintf(out, cap, "nop");
    if (n == 0) {
        snprintf(out, cap, "(no instruction)");
        return true;
    }
    if (n < len)
        strncat(out, "  (then trailing bytes)", cap - strlen(out) - 1);
    return true;
}

static bool tgd_none(const uint8_t *b, size_t len, char *out, size_t cap)
{
    return false;
}

static const struct {
    const char *line;
    prog_disasm_fn fn;
    const char *comment;   /* what the printed line ends with ("" = no comment) */
} tgd_rows[] = {
    { "guest_code d1 v0 payload=hex:b8110000000f05c3", tgd_disasm,
      "payload=hex:b8110000000f05c3  # mov eax, 0x11; syscall; ret" },
    { "guest_code d1 v0 payload=hex:c3", tgd_disasm, "payload=hex:c3  # ret" },
    { "guest_code d1 v0 payload=hex:ffff", tgd_disasm, "payload=hex:ffff  # (no instruction)" },
    { "guest_code d1 v0 payload=hex:b811000000ffc3", tgd_disasm,
      "  # mov eax, 0x11; (no instruction)" },
    { "guest_code d1 v0 payload=hex:b811000000 => rc=17, exits=none", tgd_disasm,
      "=> rc=17, exits=none  # mov eax, 0x11" },
    /* six instructions at most, then "; ..." */
    { "guest_code d1 v0 payload=hex:9090909090909090c3", tgd_disasm,
      "  # nop; nop; nop; nop; nop; nop; ..." },
    { "guest_code d1 v0 payload=hex:909090909090", tgd_disasm,
      "  # nop; nop; nop; nop; nop; nop" },
    /* about a line's worth of text, then "; ..." */
    { "guest_code d1 v0 payload=hex:48bf000000000000001148bf000000000000002248bf0000000000000033c3",
      tgd_disasm, "  # movabs rdi, 0x1100000000000000; movabs rdi, 0x2200000000000000; ..." },
    { "guest_code d1 v0 payload=hex:c3", NULL, "payload=hex:c3" },
    { "guest_code d1 v0 payload=hex:c3", tgd_none, "payload=hex:c3" },
};

TEST(prog_text_guest_code_disasm)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    char text[4096], src[1024], shown[4096], again[4096];

    CU_ASSERT_FATAL(p && q);
    for (size_t i = 0; i < sizeof(tgd_rows) / sizeof(tgd_rows[0]); i++) {
        TEST_EQ(PROG_OK, prog_parse_text(p, tgd_rows[i].line, NULL));
        prog_set_disasm(tgd_rows[i].fn);
        prog_format_text(p, text, sizeof(text));
        size_t n = strlen(text), c = strlen(tgd_rows[i].comment);
        /* the op's line is the last: drop its newline */
        text[n - 1] = '\0';
        bool ok = n > c && !strcmp(text + n - 1 - c, tgd_rows[i].comment) &&
                  (tgd_rows[i].fn == tgd_disasm) == (strchr(text + 20, '#') != NULL);
        if (!ok)
            fprintf(stderr, "  row %zu: expected the line to end with\n    %s\n  actual\n    %s\n",
                    i, tgd_rows[i].comment, strrchr(text, '\n') + 1);
        CU_ASSERT(ok);
        /* the comment is a comment: the printed text is the same program */
        TEST_EQ(PROG_OK, prog_parse_text(q, text, NULL));
        CU_ASSERT(prog_equal(p, q));
        /* a source comment replaces the printer's, and showing the result again keeps it */
        snprintf(src, sizeof(src), "%s  # the source's\n", tgd_rows[i].line);
        prog_format_text_comments(p, src, shown, sizeof(shown));
        prog_format_text_comments(p, shown, again, sizeof(again));
        const char *hash = strchr(strchr(shown, '\n') + 1, '#');
        if (!hash || strcmp(hash, "# the source's\n") || strcmp(shown, again))
            fprintf(stderr, "  row %zu: shown with the source's comment\n%s-- again\n%s--\n", i,
                    shown, again);
        CU_ASSERT(hash && !strcmp(hash, "# the source's\n"));
        CU_ASSERT(!strcmp(shown, again));
        prog_set_disasm(NULL);
    }
    free(p);
    free(q);
}
