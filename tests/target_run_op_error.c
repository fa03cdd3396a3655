/*
 * A target whose run_op fails ends the run with a finding that names the op (target:run-op-failed),
 * instead of the driver carrying on with made-up results; the ops after it say they did not run.
 */
#include <string.h>

#include "hvfuzz/target.h"
#include "test.h"

static int broken_open(struct target *t, const struct prog_shape *s, const struct target_opts *o)
{
    return 0;
}

/* the second op finds the target gone, as a real hypervisor that stopped answering would */
static int broken_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    res->status = OPS_RAN;
    return op->imm == 1 ? -5 : 0;
}

static const struct target_ops broken_ops = {
    .name = "broken", .open = broken_open, .run_op = broken_run_op,
};

TEST(target_run_op_error)
{
    static struct prog p;
    static struct op_result res[3];
    struct target t;
    struct finding f;

    memset(&p, 0, sizeof(p));
    p.shape = prog_default_shape;
    p.nr_ops = 3;
    for (unsigned i = 0; i < 3; i++) {
        p.ops[i].kind = OP_PREEMPT;
        p.ops[i].imm = i;
    }
    CU_ASSERT_FATAL(target_open(&t, &broken_ops, &p.shape, NULL) == 0);
    memset(&f, 0, sizeof(f));
    CU_ASSERT(target_run(&t, &p, res, &f));
    if (strcmp(f.signature, "target:run-op-failed"))
        fprintf(stderr, "target_run_op_error: expected target:run-op-failed, actual '%s'\n",
                f.signature);
    CU_ASSERT(!strcmp(f.signature, "target:run-op-failed"));
    TEST_EQ(1, f.op_index);
    TEST_EQ(OPS_NOT_RUN, res[2].status);
    target_close(&t);
}
