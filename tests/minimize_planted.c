/* The minimizer keeps a finding's signature and shrinks to the ops that cause it (fake target). */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/fuzzer.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/xen.h"
#include "test.h"

/*
 * A planted bug: the fake target "finds" something once a preemption pattern with bit 2 set was
 * followed by an mmu_update from domain 1. Generated noise around the two planted ops must go,
 * the pattern must lose its other bits, and the result must still give the signature.
 */
struct fake_state {
    bool armed, hit;
};

static int fake_open(struct target *t, const struct prog_shape *s, const struct target_opts *o)
{
    t->priv = calloc(1, sizeof(struct fake_state));
    return t->priv ? 0 : -1;
}

static int fake_reset(struct target *t)
{
    memset(t->priv, 0, sizeof(struct fake_state));
    return 0;
}

static int fake_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    struct fake_state *s = t->priv;

    res->status = OPS_RAN;
    if (op->kind == OP_PREEMPT)
        s->armed |= (op->imm >> 2) & 1;   /* sticky: later patterns do not disarm */
    if (op->kind == OP_HYPERCALL && op->nr == HYPERVISOR_mmu_update && op->dom == 1 && s->armed)
        s->hit = true;
    return 0;
}

static bool fake_check(struct target *t, bool full, int op_index, struct finding *f)
{
    struct fake_state *s = t->priv;

    if (!full || !s->hit)
        return false;
    memset(f, 0, sizeof(*f));
    f->oracle = ORACLE_BUG;
    f->op_index = -1;
    strcpy(f->signature, "fake:planted");
    return true;
}

static void fake_close(struct target *t)
{
    free(t->priv);
}

static const struct target_ops fake_ops = {
    .name = "fake", .open = fake_open, .reset = fake_reset, .run_op = fake_run_op,
    .check = fake_check, .close = fake_close,
};

TEST(minimize_planted)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    struct gen g;
    struct target t;
    struct finding f;
    unsigned runs = 0;

    CU_ASSERT_FATAL(p && q);
    gen_init(&g, NULL, 3);
    gen_program(&g, p);
    /* keep the noise from arming or firing by itself */
    for (uint32_t i = 0; i < p->nr_ops; i++)
        if (p->ops[i].kind == OP_PREEMPT)
            p->ops[i].imm &= ~4ULL;
    memmove(&p->ops[11], &p->ops[10], (p->nr_ops - 10) * sizeof(p->ops[0]));
    memset(&p->ops[10], 0, sizeof(p->ops[0]));
    p->ops[10].kind = OP_PREEMPT;
    p->ops[10].imm = 0xF0F4;
    p->nr_ops++;
    memmove(&p->ops[21], &p->ops[20], (p->nr_ops - 20) * sizeof(p->ops[0]));
    memset(&p->ops[20], 0, sizeof(p->ops[0]));
    p->ops[20].kind = OP_HYPERCALL;
    p->ops[20].dom = 1;
    p->ops[20].nr = HYPERVISOR_mmu_update;
    p->nr_ops++;
    CU_ASSERT_FATAL(prog_validate(p) == PROG_OK);
    CU_ASSERT_FATAL(target_open(&t, &fake_ops, &p->shape, NULL) == 0);
    CU_ASSERT_FATAL(target_run(&t, p, NULL, &f));

    memcpy(q, p, sizeof(*q));
    CU_ASSERT(min_program(&t, p, "fake:planted", false, &runs) > 0);
    CU_ASSERT(target_run(&t, p, NULL, &f) && !strcmp(f.signature, "fake:planted"));
    TEST_EQ(2, p->nr_ops);
    TEST_EQ(OP_PREEMPT, p->ops[0].kind);
    TEST_EQ(4, p->ops[0].imm);
    TEST_EQ(HYPERVISOR_mmu_update, p->ops[1].nr);
    /* deterministic: the same input shrinks the same way */
    CU_ASSERT(min_program(&t, q, "fake:planted", false, NULL) > 0);
    CU_ASSERT(prog_equal(p, q));
    /* fork mode gives the same answer (the run happens in a child) */
    memcpy(q, p, sizeof(*q));
    CU_ASSERT(min_program(&t, q, "fake:planted", true, NULL) >= 0);
    CU_ASSERT(prog_equal(p, q));
    /* a signature the program does not give is refused */
    TEST_EQ(-1, min_program(&t, q, "fake:other", false, NULL));
    target_close(&t);
    free(p);
    free(q);
}
