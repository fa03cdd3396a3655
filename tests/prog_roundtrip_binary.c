/* Binary round trip: programs from random fuzz bytes encode and decode back equal, byte-stable. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * The canonical binary is what corpora store: any program the fuzz decoder makes must survive
 * encode + decode unchanged, and re-encoding the decoded program must give the same bytes (one
 * encoding per program, so corpus files can be compared and deduplicated byte-wise). The file
 * says the lowest version that holds the program: 2 with exits, else 1.
 */
static uint64_t prog_rt_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

TEST(prog_roundtrip_binary)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t *in = malloc(8192), *enc = malloc(1 << 18), *enc2 = malloc(1 << 18);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned failures = 0, nonempty = 0;

    CU_ASSERT_FATAL(p && q && in && enc && enc2);
    for (unsigned iter = 0; iter < 2000 && failures < 5; iter++) {
        size_t len = prog_rt_rand(&seed) % (iter < 1000 ? 256 : 8192);
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)prog_rt_rand(&seed);
        prog_from_fuzz(p, in, len);
        nonempty += p->nr_ops > 0;

        size_t need = prog_encoded_size(p);
        size_t n = prog_encode(p, enc, 1 << 18);
        enum prog_err e = prog_decode(q, enc, n);
        size_t n2 = prog_encode(q, enc2, 1 << 18);
        bool ok = n > 0 && n == need && e == PROG_OK && prog_equal(p, q) && n2 == n &&
                  memcmp(enc, enc2, n) == 0 && q->version == prog_format_version(p);
        if (!ok) {
            failures++;
            fprintf(stderr, "iter %u (input %zu bytes, %u ops): size %zu, encoded %zu, "
                    "decode %s, equal %d, re-encoded %zu\n", iter, len, p->nr_ops, need, n,
                    prog_strerror(e), prog_equal(p, q), n2);
        }
        CU_ASSERT(ok);
        /* A buffer one byte short must be refused, never overrun. */
        if (n > 0)
            TEST_EQ(0, prog_encode(p, enc2, n - 1));
    }
    CU_ASSERT(nonempty > 1900);
    free(p);
    free(q);
    free(in);
    free(enc);
    free(enc2);
}
