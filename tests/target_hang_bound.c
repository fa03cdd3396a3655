/*
 * The work bound per program fires: with max_steps below the program's work the run stops with
 * "hang:max-steps" at the op that crossed it, and the ops after it are reported as not run.
 */
#include <string.h>

#include "hvfuzz/target.h"
#include "test.h"

TEST(target_hang_bound)
{
    static struct prog p;
    static struct op_result res[PROG_MAX_OPS];
    static const struct { uint32_t max_steps; bool found; int op; } cases[] = {
        { 0, false, -1 },     /* 0: no bound */
        { 100, false, -1 },
        { 5, true, 5 },       /* one step per op: the sixth op crosses 5 */
        { 1, true, 1 },
    };
    struct target_opts o = target_default_opts;
    struct target t;
    struct finding f;

    prog_init(&p, &prog_default_shape);
    p.nr_ops = 10;
    for (unsigned i = 0; i < p.nr_ops; i++) {
        p.ops[i].kind = OP_PREEMPT;
        p.ops[i].imm = 0;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        o.max_steps = cases[i].max_steps;
        CU_ASSERT_FATAL(target_open(&t, target_find("native"), &p.shape, &o) == 0);
        bool found = target_run(&t, &p, res, &f);
        TEST_EQ(cases[i].found, found);
        if (found) {
            CU_ASSERT_STRING_EQUAL(f.signature, "hang:max-steps");
            TEST_EQ(ORACLE_HANG, f.oracle);
            TEST_EQ(cases[i].op, f.op_index);
            TEST_EQ(OPS_NOT_RUN, res[p.nr_ops - 1].status);
        }
        target_close(&t);
    }
}
