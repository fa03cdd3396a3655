/* Version 4 files: guest_code records decode, and every bad, cut or misplaced one gets its error. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * The sample is one guest_code op: header @0 (version 4, body_len @16), op record @24 (kind,
 * reserved, len @26), guest_code body @28: dom, vcpu, reserved, nr_fixups @28..31, payload_len
 * @32, reserved @34, budget @36, code @44 (11 bytes: movabs rdi, imm64; ret), fixup @55 (off,
 * width, reserved, arg @59: kind, dom, a @61). Older versions never hold guest code: the same
 * bytes under a version 1, 2 or 3 header are corrupt. A row may also cut the record's body to
 * `cut` bytes (its length field and the file's body length follow, so only the cut is wrong).
 */
static const char dgc_text[] =
    "guest_code d1 v0 budget=1000 payload=hex:48bf0000000000000000c3 fixup@2:8=gva(d1,g5,+0)\n";

static void dgc_put(uint8_t *d, size_t off, unsigned width, uint32_t v)
{
    for (unsigned k = 0; k < width; k++)
        d[off + k] = (uint8_t)(v >> (8 * k));
}

/* The record's body cut to n bytes: its length, the file's body length and the file follow. */
static size_t dgc_cut(uint8_t *d, size_t n)
{
    dgc_put(d, 26, 2, (uint32_t)n);
    dgc_put(d, 16, 4, (uint32_t)(4 + n));
    return 28 + n;
}

static const struct {
    const char *what;
    size_t off;           /* byte to set (SIZE_MAX: none) */
    unsigned width;       /* 1, 2 or 4 bytes, little-endian */
    uint32_t val;
    size_t cut;           /* the record's body length after the edit (SIZE_MAX: as is) */
    enum prog_err err;
} dgc_rows[] = {
    { "intact", SIZE_MAX, 1, 0, SIZE_MAX, PROG_OK },
    { "version 1 with a guest_code record", 4, 1, 1, SIZE_MAX, PROG_E_CORRUPT },
    { "version 2 with a guest_code record", 4, 1, 2, SIZE_MAX, PROG_E_CORRUPT },
    { "version 3 with a guest_code record", 4, 1, 3, SIZE_MAX, PROG_E_CORRUPT },
    { "dom 3", 28, 1, 3, SIZE_MAX, PROG_E_CORRUPT },
    { "vcpu 2", 29, 1, 2, SIZE_MAX, PROG_E_CORRUPT },
    { "reserved byte after vcpu", 30, 1, 1, SIZE_MAX, PROG_E_CORRUPT },
    { "nr_fixups 17", 31, 1, 17, SIZE_MAX, PROG_E_TOO_BIG },
    { "nr_fixups 2 (len mismatch)", 31, 1, 2, SIZE_MAX, PROG_E_CORRUPT },
    { "nr_fixups 0 (len mismatch)", 31, 1, 0, SIZE_MAX, PROG_E_CORRUPT },
    { "payload_len 513", 32, 2, 513, SIZE_MAX, PROG_E_TOO_BIG },
    { "payload_len 12 (len mismatch)", 32, 2, 12, SIZE_MAX, PROG_E_CORRUPT },
    { "reserved u16 after payload_len", 34, 2, 1, SIZE_MAX, PROG_E_CORRUPT },
    { "budget's high half set (any value)", 40, 4, 0xffffffffU, SIZE_MAX, PROG_OK },
    { "fixup off 4 writes past the code", 55, 2, 4, SIZE_MAX, PROG_E_CORRUPT },
    { "fixup off 3 ends at the code's end", 55, 2, 3, SIZE_MAX, PROG_OK },
    { "fixup width 3", 57, 1, 3, SIZE_MAX, PROG_E_CORRUPT },
    { "fixup reserved byte", 58, 1, 1, SIZE_MAX, PROG_E_CORRUPT },
    { "fixup arg kind 17", 59, 1, 17, SIZE_MAX, PROG_E_CORRUPT },
    { "fixup gva page 64 past the pages", 61, 2, 64, SIZE_MAX, PROG_E_CORRUPT },
    { "record cut to nothing", SIZE_MAX, 1, 0, 0, PROG_E_CORRUPT },
    { "record cut inside its fixed part", SIZE_MAX, 1, 0, 15, PROG_E_CORRUPT },
    { "record cut after its fixed part", SIZE_MAX, 1, 0, 16, PROG_E_CORRUPT },
    { "record cut inside the code", SIZE_MAX, 1, 0, 20, PROG_E_CORRUPT },
    { "record cut inside the fixup", SIZE_MAX, 1, 0, 40, PROG_E_CORRUPT },
    /* bytes 31..34: nr_fixups, payload_len and a reserved byte, all 0: a well-formed record */
    { "empty code (no fixup, payload_len 0)", 31, 4, 0, 16, PROG_E_CORRUPT },
};

TEST(prog_decode_guest_code)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t good[512], d[512];

    CU_ASSERT_FATAL(p && q);
    TEST_EQ(PROG_OK, prog_parse_text(p, dgc_text, NULL));
    TEST_EQ(4, prog_format_version(p));
    size_t len = prog_encode(p, good, sizeof(good));
    TEST_EQ(24 + 4 + 16 + 11 + 20, len);
    TEST_EQ(4, good[4]);
    TEST_EQ(OP_GUEST_CODE, good[24]);
    for (size_t i = 0; i < sizeof(dgc_rows) / sizeof(dgc_rows[0]); i++) {
        size_t n = len;
        memcpy(d, good, len);
        if (dgc_rows[i].off != SIZE_MAX)
            dgc_put(d, dgc_rows[i].off, dgc_rows[i].width, dgc_rows[i].val);
        if (dgc_rows[i].cut != SIZE_MAX)
            n = dgc_cut(d, dgc_rows[i].cut);
        prog_reseal(d, n);
        enum prog_err e = prog_decode(q, d, n);
        fprintf(stderr, "  %-42s expected %-9s actual %s\n", dgc_rows[i].what,
                prog_strerror(dgc_rows[i].err), prog_strerror(e));
        TEST_EQ(dgc_rows[i].err, e);
        if (e != PROG_OK)
            TEST_EQ(0, q->nr_ops);
    }
    TEST_EQ(PROG_OK, prog_decode(q, good, len));
    CU_ASSERT(prog_equal(p, q));
    TEST_EQ(1000, q->ops[0].imm);

    /* a file cut anywhere is truncated, never read past its end */
    for (size_t cut = 1; cut < len; cut++) {
        uint8_t *c = malloc(cut);
        CU_ASSERT_FATAL(c != NULL);
        memcpy(c, good, cut);
        enum prog_err e = prog_decode(q, c, cut);
        if (e != PROG_E_TRUNCATED)
            fprintf(stderr, "  cut at %zu: expected TRUNCATED, actual %s\n", cut, prog_strerror(e));
        TEST_EQ(PROG_E_TRUNCATED, e);
        free(c);
    }
    free(p);
    free(q);
}
