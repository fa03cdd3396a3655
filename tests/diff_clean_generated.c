/*
 * The native target against itself is clean: 2,000 programs made as the fuzz loop makes them
 * (fresh from the generator after it probed the machine, a third mutated from earlier ones) give
 * no difference, and the comparison covers written-back payloads and read values, so a clean
 * result is not an empty one. A difference here would be a target that is not deterministic
 * (state kept across reset) or an oracle that compares what may differ.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "diff_util.h"

#define DCG_PROGRAMS 2000U

TEST(diff_clean_generated)
{
    struct prog *p = malloc(sizeof(*p)), *prev = malloc(sizeof(*prev));
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    struct target_opts o = target_default_opts;
    unsigned long ops = 0, compared = 0, outs = 0, values = 0, own = 0;
    unsigned differences = 0;
    struct target a, b;
    struct gen g;

    CU_ASSERT_FATAL(p && prev);
    o.capture_out = true;
    gen_init(&g, NULL, 7);
    CU_ASSERT_FATAL(target_open(&a, target_find("native"), &g.cfg.shape, &o) == 0);
    CU_ASSERT_FATAL(target_open(&b, target_find("native"), &g.cfg.shape, &o) == 0);
    gen_probe(&g, &a);
    gen_program(&g, prev);
    for (unsigned i = 0; i < DCG_PROGRAMS; i++) {
        gen_reseed(&g, 7, i);
        gen_program(&g, p);
        if (i % 3 == 2)
            gen_mutate(&g, p, prev);
        if (diff_run(&a, &b, p, ra, rb, &r)) {
            if (differences++ < 3)
                fprintf(stderr, "program %u: %s\n%s\n", i, r.f.signature, r.f.detail);
        }
        own += r.own[0] + r.own[1];
        ops += r.nr_ops;
        compared += r.compared;
        for (uint32_t k = 0; k < r.compared; k++) {
            struct prog_expect e;
            target_observe(&p->ops[k], &ra[k], NULL, &e);
            outs += e.nr_out;
            values += (e.have & PE_VALUE) != 0;
        }
        if (i % 5 == 0)
            memcpy(prev, p, sizeof(*prev));
    }
    fprintf(stderr, "  %u programs: %lu ops, %lu compared (%lu payload fields, %lu values), "
            "%u differences (expected 0), %lu own findings\n", DCG_PROGRAMS, ops, compared, outs,
            values, differences, own);
    TEST_EQ(0, differences);
    /* without own findings every op is compared */
    CU_ASSERT(own || compared == ops);
    CU_ASSERT(outs > 100);
    CU_ASSERT(values > 100);
    target_close(&a);
    target_close(&b);
    free(p);
    free(prev);
}
