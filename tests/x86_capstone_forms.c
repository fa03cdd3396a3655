/* Every supported x86 form against Capstone: all ModRM and SIB bytes, REX bits, prefixes, displacements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "x86_capstone_diff.h"

/*
 * The decoder's reference is Capstone: for each supported opcode this enumerates every ModRM
 * byte (so every register, every mod and so every displacement size, RIP-relative and the SIB
 * escape) under every REX value and the operand-size prefix, then the other prefixes (address
 * size, LOCK, REP/REPNE, segments, redundant and reordered prefixes, REX followed by a legacy
 * prefix), then every SIB byte. Whatever we decode must match Capstone exactly; whatever we call
 * too long Capstone must reject too; and an instruction must decode the same from exactly its own
 * bytes and be TRUNCATED one byte short. The list below is written from the opcode map, not read
 * from the decoder's tables, so a row missing from them shows up as "rejected by us".
 */
struct x86_form_op {
    uint16_t opcode;    /* 0x0Fxx for the two-byte map */
    bool     modrm;
};

static const struct x86_form_op x86_form_ops[] = {
    { 0x00, 1 }, { 0x01, 1 }, { 0x02, 1 }, { 0x03, 1 }, { 0x04, 0 }, { 0x05, 0 },
    { 0x08, 1 }, { 0x09, 1 }, { 0x0A, 1 }, { 0x0B, 1 }, { 0x0C, 0 }, { 0x0D, 0 },
    { 0x20, 1 }, { 0x21, 1 }, { 0x22, 1 }, { 0x23, 1 }, { 0x24, 0 }, { 0x25, 0 },
    { 0x28, 1 }, { 0x29, 1 }, { 0x2A, 1 }, { 0x2B, 1 }, { 0x2C, 0 }, { 0x2D, 0 },
    { 0x30, 1 }, { 0x31, 1 }, { 0x32, 1 }, { 0x33, 1 }, { 0x34, 0 }, { 0x35, 0 },
    { 0x38, 1 }, { 0x39, 1 }, { 0x3A, 1 }, { 0x3B, 1 }, { 0x3C, 0 }, { 0x3D, 0 },
    { 0x63, 1 }, { 0x80, 1 }, { 0x81, 1 }, { 0x83, 1 },
    { 0x84, 1 }, { 0x85, 1 }, { 0x86, 1 }, { 0x87, 1 },
    { 0x88, 1 }, { 0x89, 1 }, { 0x8A, 1 }, { 0x8B, 1 },
    { 0xA0, 0 }, { 0xA1, 0 }, { 0xA2, 0 }, { 0xA3, 0 }, { 0xA4, 0 }, { 0xA5, 0 },
    { 0xA8, 0 }, { 0xA9, 0 }, { 0xAA, 0 }, { 0xAB, 0 },
    { 0xB0, 0 }, { 0xB3, 0 }, { 0xB4, 0 }, { 0xB7, 0 },
    { 0xB8, 0 }, { 0xBC, 0 }, { 0xBD, 0 }, { 0xBF, 0 },
    { 0xC6, 1 }, { 0xC7, 1 }, { 0xF6, 1 }, { 0xF7, 1 },
    { 0x0FA3, 1 }, { 0x0FAB, 1 }, { 0x0FB3, 1 }, { 0x0FBB, 1 }, { 0x0FBA, 1 },
    { 0x0FB6, 1 }, { 0x0FB7, 1 }, { 0x0FBE, 1 }, { 0x0FBF, 1 },
};

struct x86_form_pfx {
    uint8_t n;
    uint8_t b[4];
};

static const struct x86_form_pfx x86_form_pfx_main[] = { { 0, { 0 } }, { 1, { 0x66 } } };

static const struct x86_form_pfx x86_form_pfx_more[] = {
    { 1, { 0x67 } }, { 1, { 0xF0 } }, { 1, { 0xF2 } }, { 1, { 0xF3 } },
    { 1, { 0x26 } }, { 1, { 0x2E } }, { 1, { 0x36 } }, { 1, { 0x3E } },
    { 1, { 0x64 } }, { 1, { 0x65 } },
    { 2, { 0x66, 0x67 } }, { 2, { 0x67, 0x66 } }, { 2, { 0xF0, 0x66 } }, { 2, { 0x66, 0xF0 } },
    { 2, { 0xF3, 0x66 } }, { 2, { 0x66, 0xF3 } }, { 2, { 0xF3, 0x67 } }, { 2, { 0xF2, 0xF3 } }, { 2, { 0xF3, 0xF2 } },
    { 2, { 0x64, 0x65 } }, { 2, { 0x2E, 0x64 } }, { 2, { 0x65, 0x67 } }, { 2, { 0xF0, 0xF0 } },
    { 3, { 0x66, 0x66, 0x66 } }, { 3, { 0x67, 0x67, 0xF0 } }, { 2, { 0x48, 0x66 } },
    { 2, { 0x41, 0x67 } }, { 2, { 0x4C, 0xF0 } }, { 2, { 0x40, 0x64 } },
    { 4, { 0x66, 0x67, 0x65, 0xF0 } }, { 4, { 0x3E, 0x2E, 0x26, 0x36 } },
};

static const uint8_t x86_form_rex_few[] = { 0, 0x48, 0x45, 0x4A, 0x40 };
static const uint8_t x86_form_rex_sib[] = { 0, 0x41, 0x42, 0x43, 0x48, 0x4B };
static const uint8_t x86_form_modrm_sib[] = { 0x04, 0x4C, 0x94, 0x3C, 0x84 };

/* Two displacement/immediate tails: negative (sign extension shows) and small positive. */
static const uint8_t x86_form_tail[2][16] = {
    { 0x80, 0xFF, 0xFF, 0xFF, 0x81, 0xFE, 0xFF, 0xFF, 0x8F, 0x7F, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 },
    { 0x7F, 0x01, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11 },
};

struct x86_form_stats {
    struct x86_cs *cs;
    unsigned long compared, disagree, too_long, rejected_cs_ok, tried;
    bool verbose;
};

static void x86_form_hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 3 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%02x ", b[i]);
}

static void x86_form_report(struct x86_form_stats *s, const uint8_t *b, size_t n, const char *why,
                            const struct x86_insn *in)
{
    char hex[80], ours[160] = "", theirs[160];
    if (++s->disagree > 20)
        return;
    x86_form_hex(b, n < 16 ? n : 16, hex, sizeof(hex));
    if (in)
        x86_insn_describe(in, ours, sizeof(ours));
    x86_cs_describe(s->cs, b, n, theirs, sizeof(theirs));
    fprintf(stderr, "x86 forms: %s: %s\n  ours:     %s\n  capstone: %s\n", hex, why, ours, theirs);
}

static void x86_form_one(struct x86_form_stats *s, const uint8_t *b, size_t n)
{
    struct x86_insn in, again;
    char why[160];
    enum x86_decode_status st = x86_decode(b, n, &in);

    s->tried++;
    if (st == X86_OK) {
        s->compared++;
        if (x86_cs_compare(s->cs, b, n, &in, why, sizeof(why)) != 0)
            x86_form_report(s, b, n, why, &in);
        else if (x86_decode(b, in.len, &again) != X86_OK || memcmp(&in, &again, sizeof(in)))
            x86_form_report(s, b, n, "decodes differently from exactly its own bytes", &in);
        else if (x86_decode(b, in.len - 1U, &again) != X86_E_TRUNCATED)
            x86_form_report(s, b, n, "one byte short is not TRUNCATED", &in);
        return;
    }
    char theirs[160];
    bool cs_ok = x86_cs_describe(s->cs, b, n, theirs, sizeof(theirs));
    if (st == X86_E_TOO_LONG) {
        s->too_long++;
        if (cs_ok)
            x86_form_report(s, b, n, "we say too long, capstone decodes it", NULL);
    } else if (st != X86_E_UNSUPPORTED) {
        x86_form_report(s, b, n, "TRUNCATED with 24 bytes available", NULL);
    } else if (cs_ok) {
        /* not a failure: unsupported on purpose (F2/F3 on non-strings, 63 without REX.W, ...) */
        if (s->verbose && s->rejected_cs_ok < 400) {
            char hex[80];
            x86_form_hex(b, 15, hex, sizeof(hex));
            fprintf(stderr, "rejected: %s: %s\n", hex, theirs);
        }
        s->rejected_cs_ok++;
    }
}

/* prefixes, REX (0 = none), opcode, then ModRM, SIB or tail bytes as given, then a tail. */
static void x86_form_build(struct x86_form_stats *s, const struct x86_form_pfx *p, uint8_t rex,
                           uint16_t opcode, const uint8_t *mid, size_t mid_n, unsigned tail)
{
    uint8_t b[24];
    size_t n = 0;
    memcpy(b, p->b, p->n);
    n += p->n;
    if (rex)
        b[n++] = rex;
    if (opcode > 0xFF)
        b[n++] = 0x0F;
    b[n++] = (uint8_t)opcode;
    memcpy(b + n, mid, mid_n);
    n += mid_n;
    for (size_t i = 0; n < sizeof(b); i++)
        b[n++] = x86_form_tail[tail][i % 16];
    x86_form_one(s, b, sizeof(b));
}

/* One opcode under one prefix set and REX: every ModRM byte (or a spread of first tail bytes). */
static void x86_form_modrms(struct x86_form_stats *s, const struct x86_form_op *op,
                            const struct x86_form_pfx *p, uint8_t rex, unsigned tail)
{
    for (unsigned m = 0; m < 256; m += op->modrm ? 1 : 17) {
        uint8_t mid = (uint8_t)m;
        x86_form_build(s, p, rex, op->opcode, &mid, 1, tail);
    }
}

TEST(x86_capstone_forms)
{
    struct x86_form_stats s = { .verbose = getenv("X86_CS_VERBOSE") != NULL };
    if (!(s.cs = x86_cs_open())) {
        CU_FAIL("capstone: cs_open failed");
        return;
    }
    for (size_t i = 0; i < sizeof(x86_form_ops) / sizeof(x86_form_ops[0]); i++) {
        const struct x86_form_op *op = &x86_form_ops[i];
        for (size_t p = 0; p < sizeof(x86_form_pfx_main) / sizeof(x86_form_pfx_main[0]); p++)
            for (unsigned rex = 0x3F; rex <= 0x4F; rex++)
                for (unsigned t = 0; t < 2; t++)
                    x86_form_modrms(&s, op, &x86_form_pfx_main[p], rex == 0x3F ? 0 : (uint8_t)rex, t);
        for (size_t p = 0; p < sizeof(x86_form_pfx_more) / sizeof(x86_form_pfx_more[0]); p++)
            for (size_t r = 0; r < sizeof(x86_form_rex_few); r++)
                x86_form_modrms(&s, op, &x86_form_pfx_more[p], x86_form_rex_few[r], 0);
        if (!op->modrm)
            continue;
        for (size_t p = 0; p < 3; p++)
            for (size_t r = 0; r < sizeof(x86_form_rex_sib); r++)
                for (size_t m = 0; m < sizeof(x86_form_modrm_sib); m++)
                    for (unsigned sib = 0; sib < 256; sib++) {
                        uint8_t mid[2] = { x86_form_modrm_sib[m], (uint8_t)sib };
                        x86_form_build(&s, p ? &x86_form_pfx_more[p == 1 ? 0 : 10] :
                                       &x86_form_pfx_main[0], x86_form_rex_sib[r], op->opcode,
                                       mid, 2, sib & 1);
                    }
    }
    /* the libFuzzer harness's findings and the other Capstone quirks x86_capstone_diff.c names */
    static const struct { uint8_t n, b[15]; } quirks[] = {
        { 6, { 0x66, 0x66, 0x67, 0x67, 0xF3, 0xAB } },
        { 14, { 0xF2, 0xF2, 0xF2, 0xF2, 0xF3, 0x67, 0xF3, 0x48, 0x66, 0x67, 0xF3, 0x48, 0x40, 0xAB } },
        { 3, { 0x66, 0xF3, 0xAB } }, { 4, { 0x66, 0xF3, 0x40, 0xA5 } },
        { 5, { 0x66, 0xF3, 0x40, 0x40, 0xAB } }, { 3, { 0xF3, 0x66, 0xAB } },
        { 7, { 0x67, 0x48, 0xA0, 0x11, 0x22, 0x33, 0x44 } },
        { 7, { 0x66, 0x67, 0xA2, 0x11, 0x22, 0x33, 0x44 } },
        { 3, { 0xF6, 0x00, 0x00 } }, { 6, { 0xF7, 0x00, 0x00, 0x00, 0x00, 0x00 } },
    };
    for (size_t i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++) {
        size_t before = s.compared;
        x86_form_one(&s, quirks[i].b, quirks[i].n);
        if (s.compared == before)
            x86_form_report(&s, quirks[i].b, quirks[i].n, "quirk row no longer decodes", NULL);
    }
    /* the 15-byte limit: k redundant prefixes before a 3-byte mov */
    for (unsigned k = 0; k <= 14; k++) {
        struct x86_form_pfx none = { 0, { 0 } };
        uint8_t mid[16];
        memset(mid, 0x66, k);
        mid[k] = 0x89;
        mid[k + 1] = 0x00;
        x86_form_build(&s, &none, 0, 0x66, mid, k + 2, 0);
    }
    printf("\nx86_capstone_forms: %lu encodings, %lu forms compared with capstone, %lu disagreements, "
           "%lu too long, %lu rejected by us but decoded by capstone\n",
           s.tried, s.compared, s.disagree, s.too_long, s.rejected_cs_ok);
    TEST_EQ(0, s.disagree);
    CU_ASSERT(s.compared > 100000);
    x86_cs_close(s.cs);
}
