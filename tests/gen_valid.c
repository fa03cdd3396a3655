/* Generated and mutated programs are valid and survive the binary and text round trips. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "gen_util.h"
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
        gen_reseed(&g, 42, i);
        gen_program(&g, p);
        for (unsigned m = 0; m < i % 7; m++)
            gen_mutate(&g, p, o);
        bool ok = gen_util_roundtrip(p, q, enc, txt, i);
        bad += !ok;
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
