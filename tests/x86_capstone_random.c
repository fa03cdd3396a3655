/* Random byte strings against Capstone: whenever our x86 decoder says X86_OK, Capstone must agree. */
#include <stdio.h>
#include <string.h>
#include "test.h"
#include "x86_capstone_diff.h"

/*
 * The forms test walks the encodings we know about; this one walks the ones we did not think of.
 * Three quarters of the strings are shaped like instructions (a few legacy and REX prefixes in any
 * order, then mostly a supported opcode, then random bytes) so that many decode; the rest are
 * uniform noise. A fixed seed keeps failures reproducible; the failing bytes are printed.
 */
#define X86_RANDOM_RUNS 400000U

static uint64_t x86_rnd_state = 0x9E3779B97F4A7C15ULL;

static uint32_t x86_rnd(void)
{
    uint64_t x = x86_rnd_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x86_rnd_state = x;
    return (uint32_t)(x >> 16);
}

static const uint8_t x86_rnd_prefixes[] = {
    0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65,
    0x40, 0x41, 0x42, 0x44, 0x48, 0x49, 0x4A, 0x4C, 0x4F,
};

static const uint16_t x86_rnd_opcodes[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x21, 0x22,
    0x23, 0x24, 0x25, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x63, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8A, 0x8B, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA8, 0xA9, 0xAA, 0xAB, 0xB2, 0xB6,
    0xBA, 0xBE, 0xC6, 0xC7, 0xF6, 0xF7, 0x0FA3, 0x0FAB, 0x0FB3, 0x0FBB, 0x0FBA, 0x0FB6, 0x0FB7,
    0x0FBE, 0x0FBF,
};

static size_t x86_rnd_insn(uint8_t *b, size_t cap)
{
    size_t n = 0;
    if (x86_rnd() % 4 == 0) {
        while (n < cap)
            b[n++] = (uint8_t)x86_rnd();
        return cap;
    }
    for (unsigned k = x86_rnd() % 6; k > 0; k--)
        b[n++] = x86_rnd_prefixes[x86_rnd() % sizeof(x86_rnd_prefixes)];
    if (x86_rnd() % 5 != 0) {
        uint16_t op = x86_rnd_opcodes[x86_rnd() % (sizeof(x86_rnd_opcodes) / sizeof(x86_rnd_opcodes[0]))];
        if (op > 0xFF)
            b[n++] = 0x0F;
        b[n++] = (uint8_t)op;
    }
    while (n < cap)
        b[n++] = (uint8_t)x86_rnd();
    /* now and then a short buffer, so truncation paths are taken too */
    return x86_rnd() % 8 == 0 ? 1 + x86_rnd() % 15 : cap;
}

TEST(x86_capstone_random)
{
    struct x86_cs *cs = x86_cs_open();
    unsigned long compared = 0, disagree = 0;
    uint8_t b[20];
    char why[160], ours[200], theirs[200];

    if (!cs) {
        CU_FAIL("capstone: cs_open failed");
        return;
    }
    for (unsigned run = 0; run < X86_RANDOM_RUNS; run++) {
        struct x86_insn in;
        size_t n = x86_rnd_insn(b, sizeof(b));
        if (x86_decode(b, n, &in) != X86_OK)
            continue;
        compared++;
        if (x86_cs_compare(cs, b, n, &in, why, sizeof(why)) == 0)
            continue;
        if (++disagree <= 20) {
            x86_insn_describe(&in, ours, sizeof(ours));
            x86_cs_describe(cs, b, n, theirs, sizeof(theirs));
            fprintf(stderr, "x86 random: run %u:", run);
            for (size_t i = 0; i < in.len; i++)
                fprintf(stderr, " %02x", b[i]);
            fprintf(stderr, ": %s\n  ours:     %s\n  capstone: %s\n", why, ours, theirs);
        }
    }
    printf("\nx86_capstone_random: %u byte strings, %lu decoded and compared with capstone, "
           "%lu disagreements\n", X86_RANDOM_RUNS, compared, disagree);
    TEST_EQ(0, disagree);
    CU_ASSERT(compared > X86_RANDOM_RUNS / 4);
    x86_cs_close(cs);
}
