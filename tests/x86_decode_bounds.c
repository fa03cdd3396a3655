/* x86 decoder bounds: never reads past len, and every prefix of the bytes gets the right status. */
#include <stdlib.h>
#include <string.h>
#include "hvfuzz/x86.h"
#include "test.h"

/*
 * An exit record carries at most 15 bytes and the guest may have placed the instruction at the
 * end of a page, so the decoder is handed exactly what was fetched. Each input is decoded from an
 * exact-size heap copy of each of its prefixes (a read past len is an ASan report), and the
 * statuses must be consistent with the full decode: an instruction of length L is TRUNCATED for
 * every shorter prefix and identical for every longer one; an unsupported or too-long one is
 * never reported as decoded from fewer bytes.
 */
static uint64_t x86_bounds_rnd_state = 0xD1B54A32D192ED03ULL;

static uint8_t x86_bounds_rnd(void)
{
    uint64_t x = x86_bounds_rnd_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x86_bounds_rnd_state = x;
    return (uint8_t)(x >> 24);
}

/* Bytes with many prefixes and our opcodes in them, so every decode path is reached. */
static void x86_bounds_fill(uint8_t *b, size_t n)
{
    static const uint8_t likely[] = { 0x66, 0x67, 0xF0, 0xF3, 0x64, 0x48, 0x41, 0x0F, 0x89,
                                      0x8B, 0xC7, 0x81, 0xA1, 0xAB, 0xBA, 0xB6, 0x04, 0x25 };
    for (size_t i = 0; i < n; i++) {
        uint8_t r = x86_bounds_rnd();
        b[i] = (r & 1) ? likely[r % sizeof(likely)] : x86_bounds_rnd();
    }
}

static enum x86_decode_status x86_bounds_decode(const uint8_t *b, size_t n, struct x86_insn *in)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, b, n);
    enum x86_decode_status st = x86_decode(copy, n, in);
    free(copy);
    return st;
}

TEST(x86_decode_bounds)
{
    unsigned long ok = 0, bad = 0;
    for (unsigned run = 0; run < 20000; run++) {
        uint8_t b[20];
        struct x86_insn full, part;
        x86_bounds_fill(b, sizeof(b));
        enum x86_decode_status fst = x86_bounds_decode(b, sizeof(b), &full);
        ok += fst == X86_OK;
        for (size_t n = 0; n <= sizeof(b); n++) {
            enum x86_decode_status st = x86_bounds_decode(b, n, &part);
            bool good;
            if (fst == X86_OK)
                good = n < full.len ? st == X86_E_TRUNCATED
                                    : st == X86_OK && !memcmp(&part, &full, sizeof(full));
            else if (fst == X86_E_TOO_LONG)
                good = n < X86_MAX_INSN_LEN ? (st == X86_E_TRUNCATED || st == X86_E_TOO_LONG)
                                            : st == X86_E_TOO_LONG;
            else
                good = st == X86_E_TRUNCATED || st == fst;
            if (!good && ++bad <= 10)
                fprintf(stderr, "x86_decode_bounds: run %u, %zu bytes: status %d, full decode %d\n",
                        run, n, st, fst);
        }
    }
    TEST_EQ(0, bad);
    CU_ASSERT(ok > 1000);
}
