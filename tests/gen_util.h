/* Helpers of the generator tests: a generated program survives the binary and text codecs. */
#ifndef HVFUZZ_TESTS_GEN_UTIL_H
#define HVFUZZ_TESTS_GEN_UTIL_H

#include <stdio.h>
#include "hvfuzz/prog.h"

/*
 * p validates, encodes and decodes to itself, and prints as text that parses back to itself (q,
 * enc and txt are scratch: 1 << 18 and 1 << 20 bytes). On a failure, one line names program i.
 */
static inline bool gen_util_roundtrip(const struct prog *p, struct prog *q, uint8_t *enc, char *txt,
                                      unsigned i)
{
    unsigned line = 0;
    enum prog_err e = prog_validate(p);
    size_t n = prog_encode(p, enc, 1 << 18);
    bool ok = e == PROG_OK && n > 0 && prog_decode(q, enc, n) == PROG_OK && prog_equal(p, q);
    size_t t = prog_format_text(p, txt, 1 << 20);
    ok = ok && t < (1 << 20) && prog_parse_text(q, txt, &line) == PROG_OK && prog_equal(p, q);
    if (!ok)
        fprintf(stderr, "program %u: %s (text line %u)\n", i, prog_strerror(e), line);
    return ok;
}

#endif
