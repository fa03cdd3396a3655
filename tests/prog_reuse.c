/* Decoding into a used struct: prog_decode_reuse and prog_from_fuzz give what a cleared one would. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * The engine harnesses decode every input into one struct without clearing its ~400 KB first
 * (fuzz/harness/native.c). Whatever the previous input left in the ops must not leak into the
 * next program: decoded into a struct full of 0xa5 bytes, each program must equal (prog_equal)
 * and encode byte for byte like the same input decoded into a cleared struct, and a bad file
 * must leave the empty program.
 */
TEST(prog_reuse)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t in[600], *enc = malloc(1 << 18), *enc2 = malloc(1 << 18);

    CU_ASSERT_FATAL(p && q && enc && enc2);
    for (unsigned seed = 0; seed < 64; seed++) {
        size_t len = 8 + seed * 9;
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)((i + 1) * (seed * 2 + 1) * 2654435761U >> 11);
        memset(p, 0xa5, sizeof(*p));
        memset(q, 0, sizeof(*q));
        prog_from_fuzz(p, in, len);
        prog_from_fuzz(q, in, len);
        size_t n = prog_encode(p, enc, 1 << 18), m = prog_encode(q, enc2, 1 << 18);
        CU_ASSERT(prog_equal(p, q) && n == m && n > 0 && memcmp(enc, enc2, n) == 0);

        memset(p, 0xa5, sizeof(*p));
        CU_ASSERT(prog_decode_reuse(p, enc, n) == PROG_OK);
        CU_ASSERT(prog_decode(q, enc, n) == PROG_OK);
        m = prog_encode(p, enc2, 1 << 18);
        CU_ASSERT(prog_equal(p, q) && n == m && memcmp(enc, enc2, n) == 0);

        /* a corrupt file: the empty program, whatever the struct held */
        enc[n - 1] ^= 0xff;
        CU_ASSERT(prog_decode_reuse(p, enc, n) != PROG_OK);
        CU_ASSERT(p->nr_ops == 0);
    }
    free(p);
    free(q);
    free(enc);
    free(enc2);
}
