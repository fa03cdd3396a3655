/* The generator is deterministic: the same seed and index give the same program, others differ. */
#include <stdlib.h>

#include "hvfuzz/gen.h"
#include "test.h"

/* A campaign is reproduced from --seed alone, and workers split it by index. */
TEST(gen_determinism)
{
    struct prog *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
    struct gen g1, g2;
    unsigned same_other = 0;

    CU_ASSERT_FATAL(a && b);
    gen_init(&g1, NULL, 7);
    gen_init(&g2, NULL, 7);
    for (unsigned i = 0; i < 200; i++) {
        gen_program(&g1, a);
        gen_program(&g2, b);
        CU_ASSERT(prog_equal(a, b));
        TEST_EQ(32, a->nr_ops);
        /* mutation draws from the same stream: also deterministic */
        gen_mutate(&g1, a, NULL);
        gen_mutate(&g2, b, NULL);
        CU_ASSERT(prog_equal(a, b));
    }
    for (unsigned i = 0; i < 50; i++) {
        gen_reseed(&g1, 7, i);
        gen_reseed(&g2, 8, i);
        gen_program(&g1, a);
        gen_program(&g2, b);
        same_other += prog_equal(a, b);
        gen_reseed(&g2, 7, i);
        gen_program(&g2, b);
        CU_ASSERT(prog_equal(a, b));
    }
    TEST_EQ(0, same_other);
    free(a);
    free(b);
}
