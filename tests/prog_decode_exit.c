/* Version 2 files: exit records decode, and every bad exit field gets its error, never a crash. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * The sample is one exit op: header @0 (version 2), op record @24 (kind, reserved, len), exit
 * body @28: dom, vcpu, reason, insn_len @28..31, regmask @32, payload_len @36, nr_fixups @38,
 * reserved @39, insn[15] @40, reserved @55, qual @56, gla @72, registers @88 (rax, rbx, rip in
 * mask order), payload @136 (8 bytes), fixup @144 (off, width, reserved, arg). A version 1
 * header on the same bytes must be refused: v1 files never hold exits.
 */
static const char de2_text[] =
    "exit d1 v0 mmio qual=0xfeb00018 gla=0 rax=gpa(g63,+0) rbx=0xfeb00018 rip=0x40001000 "
    "insn=8903 payload=hex:0000000000000000 fixup@0:8=gpa(g10,+8)\n";

static const struct {
    const char *what;
    size_t off;           /* byte to set (SIZE_MAX: none) */
    unsigned width;       /* 1 or 4 */
    uint32_t val;
    enum prog_err err;
} de2_rows[] = {
    { "intact", SIZE_MAX, 1, 0, PROG_OK },
    { "version 1 with an exit record", 4, 1, 1, PROG_E_CORRUPT },
    { "exit dom 3", 28, 1, 3, PROG_E_CORRUPT },
    { "exit vcpu 2", 29, 1, 2, PROG_E_CORRUPT },
    { "unknown reason is a valid program", 30, 1, 200, PROG_OK },
    { "insn_len 16", 31, 1, 16, PROG_E_CORRUPT },
    { "insn byte past insn_len", 43, 1, 0x90, PROG_E_CORRUPT },
    { "regmask bit 18", 32, 4, 0x40000U | 0x10009U, PROG_E_CORRUPT },
    { "regmask one register more (len mismatch)", 32, 4, 0x1000BU, PROG_E_CORRUPT },
    { "payload_len 513", 36, 4, 513, PROG_E_TOO_BIG },
    { "nr_fixups 17", 38, 1, 17, PROG_E_TOO_BIG },
    { "reserved byte after nr_fixups", 39, 1, 1, PROG_E_CORRUPT },
    { "reserved byte after insn", 55, 1, 1, PROG_E_CORRUPT },
    { "qual kind 13 (gntframe, version 3) in a v2 file", 56, 1, 13, PROG_E_CORRUPT },
    { "qual kind 17", 56, 1, 17, PROG_E_CORRUPT },
    { "masked register rbx set to IMM 0", 112, 4, 0, PROG_E_CORRUPT },
    { "gpa register with a dom", 89, 1, 1, PROG_E_CORRUPT },
    { "gpa offset 4096", 92, 4, 4096, PROG_E_CORRUPT },
    { "fixup width 3", 146, 1, 3, PROG_E_CORRUPT },
};

TEST(prog_decode_exit)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t good[512], d[512];

    CU_ASSERT_FATAL(p && q);
    TEST_EQ(PROG_OK, prog_parse_text(p, de2_text, NULL));
    TEST_EQ(2, prog_format_version(p));
    size_t len = prog_encode(p, good, sizeof(good));
    TEST_EQ(24 + 4 + 60 + 3 * 16 + 8 + 20, len);
    TEST_EQ(2, good[4]);
    for (size_t i = 0; i < sizeof(de2_rows) / sizeof(de2_rows[0]); i++) {
        memcpy(d, good, len);
        if (de2_rows[i].off != SIZE_MAX)
            for (unsigned k = 0; k < de2_rows[i].width; k++)
                d[de2_rows[i].off + k] = (uint8_t)(de2_rows[i].val >> (8 * k));
        prog_reseal(d, len);
        enum prog_err e = prog_decode(q, d, len);
        fprintf(stderr, "  %-42s expected %-9s actual %s\n", de2_rows[i].what,
                prog_strerror(de2_rows[i].err), prog_strerror(e));
        TEST_EQ(de2_rows[i].err, e);
        if (i == 0)
            CU_ASSERT(prog_equal(p, q));
    }
    free(p);
    free(q);
}
