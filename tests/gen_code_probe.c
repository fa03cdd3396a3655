/* The code family is on only where the target runs code, and where it is off the programs are the ones made without it. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "hvfuzz/target.h"
#include "test.h"

/*
 * gen_probe runs one `ret` as guest code: the native target has no CPU (unsupported), so the
 * family stays off there, and its weight must not touch the random stream (the native fuzz
 * campaigns, their corpora and the bench keep their programs). The unicorn target runs it.
 */
static bool gcp_probe(const char *name, struct gen *g)
{
    struct target t;
    bool on;

    CU_ASSERT_FATAL(target_open(&t, target_find(name), &g->cfg.shape, NULL) == 0);
    CU_ASSERT(gen_probe(g, &t) == 0);
    on = g->env.guest_code;
    target_close(&t);
    return on;
}

TEST(gen_code_probe)
{
    struct prog *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
    struct gen_cfg off = gen_default_cfg;
    struct gen g, h;
    unsigned code = 0, differ = 0;

    CU_ASSERT_FATAL(a && b);
    gen_init(&g, NULL, 9);
    CU_ASSERT(!gcp_probe("native", &g));
    off.weight[GEN_F_CODE] = 0;
    gen_init(&h, &off, 9);
    h.env = g.env;
    for (unsigned i = 0; i < 500; i++) {
        gen_reseed(&g, 9, i);
        gen_program(&g, a);
        gen_reseed(&h, 9, i);
        gen_program(&h, b);
        differ += !prog_equal(a, b);
        for (uint32_t k = 0; k < a->nr_ops; k++)
            code += a->ops[k].kind == OP_GUEST_CODE;
    }
    TEST_EQ(0, code);
    TEST_EQ(0, differ);
    gen_init(&g, NULL, 9);
    CU_ASSERT(gcp_probe("unicorn", &g));
    free(a);
    free(b);
}
