/* Generated and mutated programs are valid and survive the binary and text round trips. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "test.h"

/*
 * Every program the generator or the mutator hands to a target is also what the fuzzer saves:
 * it must pass prog_validate (else prog_encode refuses it and a finding could not be kept) and
 * come back equal from both file forms.
 */
TEST(gen_valid)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q)), *o = malloc(sizeof(*o));
    uint8_t *enc = malloc(1 << 18);
    char *txt = malloc(1 << 20);
    struct gen g;
    unsigned bad = 0;

    CU_ASSERT_FATAL(p && q && o && enc && txt);
    gen_init(&g, NULL, 42);
    gen_program(&g, o);
    for (unsigned i = 0; i < 3000 && bad < 5; i++) {
        unsigned line = 0;
        gen_reseed(&g, 42, i);
        gen_program(&g, p);
        for (unsigned m = 0; m < i % 7; m++)
            gen_mutate(&g, p, o);
        enum prog_err e = prog_validate(p);
        size_t n = prog_encode(p, enc, 1 << 18);
        bool ok = e == PROG_OK && n > 0 && prog_decode(q, enc, n) == PROG_OK && prog_equal(p, q);
        size_t t = prog_format_text(p, txt, 1 << 20);
        ok = ok && t < (1 << 20) && prog_parse_text(q, txt, &line) == PROG_OK && prog_equal(p, q);
        if (!ok) {
            bad++;
            fprintf(stderr, "program %u: %s (text line %u)\n", i, prog_strerror(e), line);
        }
        CU_ASSERT(ok);
        if (i % 5 == 0)
            memcpy(o, p, sizeof(*o));
    }
    free(p);
    free(q);
    free(o);
    free(enc);
    free(txt);
}
