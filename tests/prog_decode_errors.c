/* Binary decode errors: every way a corpus file can be bad gets its own error, never a crash. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * Corpus files outlive builds and get cut short, bit-flipped or written by newer versions.
 * The sample has no exit, so it is written as version 1 (tests/prog_decode_exit.c covers v2).
 * Header layout (v1): magic @0, version @4, reserved @6, shape @8..13, nr_ops @14, body_len @16,
 * checksum @20, body @24. The checksum is FNV-1a, recomputed here independently so that rows can
 * craft files whose only fault is the one under test.
 */
static uint32_t prog_de_fnv(const uint8_t *d, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 16777619U;
    return h;
}

static const char *prog_de_name(enum prog_err e)
{
    static const char *const names[PROG_E_NR] = {
        "OK", "EMPTY", "MAGIC", "VERSION", "TRUNCATED", "CORRUPT", "TOO_BIG", "SYNTAX", "IO",
    };
    return (unsigned)e < PROG_E_NR ? names[e] : "?";
}

static void prog_de_put(uint8_t *d, size_t off, unsigned bytes, uint32_t v)
{
    for (unsigned i = 0; i < bytes; i++)
        d[off + i] = (uint8_t)(v >> (8 * i));
}

static void prog_de_reseal(uint8_t *d, size_t len)
{
    prog_de_put(d, 20, 4, prog_de_fnv(d + 24, len - 24, prog_de_fnv(d, 20, 2166136261U)));
}

/* A small valid program with every op kind: what the rows below damage. */
static size_t prog_de_sample(uint8_t *buf, size_t cap)
{
    static const char text[] =
        "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:0011223344556677"
        "8899aabbccddeeff fixup@0:8=maddr(d1,g3,+16)\n"
        "guest_read d2 v1 gva(d1,g40,+8) size=8\n"
        "preempt 0x5\n"
        "switch_vcpu d1 v1\n";
    struct prog *p = malloc(sizeof(*p));
    size_t n = 0;

    if (p && prog_parse_text(p, text, NULL) == PROG_OK)
        n = prog_encode(p, buf, cap);
    free(p);
    return n;
}

enum de_edit { DE_NONE, DE_SET8, DE_SET16, DE_SET32, DE_TRUNC, DE_APPEND };

static const struct {
    const char *what;
    enum de_edit edit;
    size_t off;
    uint32_t val;
    bool reseal;          /* fix the checksum so that only the edit is at fault */
    enum prog_err err;
} de_rows[] = {
    { "intact", DE_NONE, 0, 0, false, PROG_OK },
    { "empty", DE_TRUNC, 0, 0, false, PROG_E_EMPTY },
    { "bad magic", DE_SET32, 0, 0x464c457fU, false, PROG_E_MAGIC },
    { "magic prefix only", DE_TRUNC, 3, 0, false, PROG_E_TRUNCATED },
    { "no version", DE_TRUNC, 5, 0, false, PROG_E_TRUNCATED },
    { "version 0", DE_SET16, 4, 0, false, PROG_E_VERSION },
    { "future version 6", DE_SET16, 4, 6, false, PROG_E_VERSION },
    { "future version 0xffff", DE_SET16, 4, 0xffff, false, PROG_E_VERSION },
    { "header cut", DE_TRUNC, 23, 0, false, PROG_E_TRUNCATED },
    { "body cut", DE_TRUNC, 30, 0, false, PROG_E_TRUNCATED },
    { "trailing byte", DE_APPEND, 0, 0, false, PROG_E_CORRUPT },
    { "checksum", DE_SET8, 20, 0x5a, false, PROG_E_CORRUPT },
    { "reserved header", DE_SET16, 6, 1, true, PROG_E_CORRUPT },
    { "frames 63", DE_SET16, 8, 63, true, PROG_E_CORRUPT },
    { "frames 4097", DE_SET16, 8, 4097, true, PROG_E_CORRUPT },
    { "domains 0", DE_SET8, 10, 0, true, PROG_E_CORRUPT },
    { "domains 5", DE_SET8, 10, 5, true, PROG_E_CORRUPT },
    { "vcpus 0", DE_SET8, 11, 0, true, PROG_E_CORRUPT },
    { "pages 513", DE_SET16, 12, 513, true, PROG_E_CORRUPT },
    { "shape too small for op domain", DE_SET8, 10, 1, true, PROG_E_CORRUPT },
    { "nr_ops 257", DE_SET16, 14, 257, true, PROG_E_TOO_BIG },
    { "nr_ops 5 (one op missing)", DE_SET16, 14, 5, true, PROG_E_CORRUPT },
    { "nr_ops 3 (one op left over)", DE_SET16, 14, 3, true, PROG_E_CORRUPT },
    /* First op record at 24: kind @24, reserved @25, len @26; its body starts at 28. */
    { "op kind 0", DE_SET8, 24, 0, true, PROG_E_CORRUPT },
    { "op kind exit in a v1 file", DE_SET8, 24, 6, true, PROG_E_CORRUPT },
    { "op kind 200", DE_SET8, 24, 200, true, PROG_E_CORRUPT },
    { "op reserved byte", DE_SET8, 25, 1, true, PROG_E_CORRUPT },
    { "op len past body", DE_SET16, 26, 0xffff, true, PROG_E_CORRUPT },
    { "op dom 3", DE_SET8, 28, 3, true, PROG_E_CORRUPT },
    { "op vcpu 2", DE_SET8, 29, 2, true, PROG_E_CORRUPT },
    { "nr_args 7", DE_SET8, 30, 7, true, PROG_E_TOO_BIG },
    { "nr_args 3 (len mismatch)", DE_SET8, 30, 3, true, PROG_E_CORRUPT },
    { "nr_fixups 17", DE_SET8, 31, 17, true, PROG_E_TOO_BIG },
    { "payload_len 513", DE_SET16, 36, 513, true, PROG_E_TOO_BIG },
    /* args start at 40, 16 bytes each: kind, dom, a, b, imm. */
    { "arg kind 12 (gpa) in a v1 file", DE_SET8, 40, 12, true, PROG_E_CORRUPT },
    { "arg kind 13 (gntframe) in a v1 file", DE_SET8, 40, 13, true, PROG_E_CORRUPT },
    { "arg kind 17", DE_SET8, 40, 17, true, PROG_E_CORRUPT },
    { "payload arg with a dom", DE_SET8, 41, 1, true, PROG_E_CORRUPT },
    { "payload offset 4096", DE_SET16, 44, 4096, true, PROG_E_CORRUPT },
    { "DOMID_SELF with dom", DE_SET8, 40 + 3 * 16 + 1, 1, true, PROG_E_CORRUPT },
    { "domid a 2", DE_SET8, 40 + 3 * 16 + 2, 2, true, PROG_E_CORRUPT },
    /* payload at 104 (16 bytes), fixup at 120: off, width, reserved, arg. */
    { "fixup off past payload", DE_SET16, 120, 9, true, PROG_E_CORRUPT },
    { "fixup width 3", DE_SET8, 122, 3, true, PROG_E_CORRUPT },
    { "fixup reserved", DE_SET8, 123, 1, true, PROG_E_CORRUPT },
    { "fixup arg dom 3", DE_SET8, 125, 3, true, PROG_E_CORRUPT },
    /* the guest_read record at 140: header, dom, vcpu, size, reserved, arg at 148 */
    { "gva gfn 63 (the last page)", DE_SET16, 150, 63, true, PROG_OK },
    { "gva gfn 64 past the pages", DE_SET16, 150, 64, true, PROG_E_CORRUPT },
};

static size_t prog_de_apply(uint8_t *d, size_t len, size_t i)
{
    switch (de_rows[i].edit) {
    case DE_SET8:
        prog_de_put(d, de_rows[i].off, 1, de_rows[i].val);
        break;
    case DE_SET16:
        prog_de_put(d, de_rows[i].off, 2, de_rows[i].val);
        break;
    case DE_SET32:
        prog_de_put(d, de_rows[i].off, 4, de_rows[i].val);
        break;
    case DE_TRUNC:
        len = de_rows[i].off;
        break;
    case DE_APPEND:
        d[len++] = 0;
        break;
    default:
        break;
    }
    if (de_rows[i].reseal)
        prog_de_reseal(d, len);
    return len;
}

TEST(prog_decode_errors)
{
    uint8_t good[1024], d[1025];
    struct prog *p = malloc(sizeof(*p));
    size_t len = prog_de_sample(good, sizeof(good));

    CU_ASSERT_FATAL(p != NULL && len > 144);
    for (size_t i = 0; i < sizeof(de_rows) / sizeof(de_rows[0]); i++) {
        memcpy(d, good, len);
        enum prog_err e = prog_decode(p, d, prog_de_apply(d, len, i));
        fprintf(stderr, "  %-32s expected %-9s actual %s\n", de_rows[i].what,
                prog_de_name(de_rows[i].err), prog_de_name(e));
        CU_ASSERT(e == de_rows[i].err);
        if (e != PROG_OK)
            TEST_EQ(0, p->nr_ops);   /* a failed decode leaves an empty program */
    }
    free(p);
}

/* Cut at every length: always TRUNCATED (EMPTY at 0), never a read past the cut. */
TEST(prog_decode_truncated_everywhere)
{
    uint8_t good[1024];
    struct prog *p = malloc(sizeof(*p));
    size_t len = prog_de_sample(good, sizeof(good));

    CU_ASSERT_FATAL(p != NULL && len > 0);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *d = malloc(cut ? cut : 1);   /* exact-size copy: ASan sees any overread */
        CU_ASSERT_FATAL(d != NULL);
        memcpy(d, good, cut);
        enum prog_err e = prog_decode(p, d, cut);
        enum prog_err want = cut ? PROG_E_TRUNCATED : PROG_E_EMPTY;
        if (e != want)
            fprintf(stderr, "cut at %zu: expected %s, actual %s\n", cut, prog_de_name(want),
                    prog_de_name(e));
        CU_ASSERT(e == want);
        free(d);
    }
    free(p);
}

/* Flip each byte: magic -> MAGIC, version -> VERSION, body length -> TRUNCATED when it grows,
   anything else -> CORRUPT (the checksum catches what field checks cannot). */
TEST(prog_decode_flipped_bytes)
{
    uint8_t good[1024], d[1024];
    struct prog *p = malloc(sizeof(*p));
    size_t len = prog_de_sample(good, sizeof(good));

    CU_ASSERT_FATAL(p != NULL && len > 0);
    for (size_t i = 0; i < len; i++) {
        enum prog_err want = PROG_E_CORRUPT;
        memcpy(d, good, len);
        d[i] ^= 0xff;
        if (i < 4)
            want = PROG_E_MAGIC;
        else if (i < 6)
            want = PROG_E_VERSION;
        else if (i >= 16 && i < 20)
            want = d[i] > good[i] ? PROG_E_TRUNCATED : PROG_E_CORRUPT;
        enum prog_err e = prog_decode(p, d, len);
        if (e != want)
            fprintf(stderr, "flip byte %zu: expected %s, actual %s\n", i, prog_de_name(want),
                    prog_de_name(e));
        CU_ASSERT(e == want);
    }
    free(p);
}
