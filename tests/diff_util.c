/* Targets for the differential tests: the native target with one planted change (diff_util.h). */
#include <string.h>

#include "targets/native/native.h"
#include "diff_util.h"

struct dp_plant dp_plant = { .op = -1, .nr = -1, .own_op = -1 };

void dp_plant_none(void)
{
    dp_plant = (struct dp_plant){ .op = -1, .nr = -1, .field = 0, .own_op = -1, .no_code = false };
}

static void dp_change(struct op_result *res, uint8_t field)
{
    switch (field) {
    case PE_STATUS: res->status = res->status == OPS_RAN ? OPS_RESTART : OPS_RAN; break;
    case PE_RC:     res->rc = res->rc == -22 ? 0 : -22; break;
    case PE_VALUE:  res->value ^= 1; break;
    case PE_FAULT:  res->fault = res->fault == 13 ? 14 : 13; break;
    case PE_PFEC:   res->pfec ^= 4; break;
    case PE_EXITS:  res->exits[0] ^= 1; break;
    case PE_OUT:
        for (unsigned i = 0; res->out && i < res->out_len; i++)
            res->out[i] ^= 0xFF;
        break;
    }
}

static int dp_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    struct native *n = t->priv;
    int rc = native_target_ops.run_op(t, op, res);

    bool code = t->ops != &dp_planted_ops || !dp_plant.no_code;

    if (code && op->kind == OP_GUEST_CODE && res->status == OPS_UNSUPPORTED) {
        res->status = OPS_RAN;
        res->nr_exits = 1;
        res->exits[0] = DP_EXIT;
    }
    /* the native target numbers the ops since its reset */
    if (t->ops == &dp_planted_ops &&
        (n->last_op == dp_plant.op || (op->kind == OP_HYPERCALL && (int)op->nr == dp_plant.nr)))
        dp_change(res, dp_plant.field);
    return rc;
}

static bool dp_check(struct target *t, bool full, int op_index, struct finding *f)
{
    if (t->ops == &dp_planted_ops && !full && op_index == dp_plant.own_op) {
        memset(f, 0, sizeof(*f));
        f->oracle = ORACLE_BUG;
        f->op_index = op_index;
        snprintf(f->signature, sizeof(f->signature), "planted:own");
        return true;
    }
    return native_target_ops.check(t, full, op_index, f);
}

static int dp_open(struct target *t, const struct prog_shape *s, const struct target_opts *o)
{
    return native_target_ops.open(t, s, o);
}

static int dp_reset(struct target *t)
{
    return native_target_ops.reset(t);
}

static void dp_close(struct target *t)
{
    native_target_ops.close(t);
}

#define DP_OPS(nm)                                                                           \
    {                                                                                        \
        .name = nm, .description = "the native target and a guest-code stub (tests)",       \
        .open = dp_open, .reset = dp_reset, .run_op = dp_run_op, .check = dp_check,          \
        .close = dp_close,                                                                   \
    }
const struct target_ops dp_planted_ops = DP_OPS("planted");
const struct target_ops dp_clean_ops = DP_OPS("clean");

void dp_parse(struct prog *p, const char *text)
{
    unsigned line = 0;
    enum prog_err e = prog_parse_text(p, text, &line);

    if (e != PROG_OK)
        fprintf(stderr, "dp_parse: line %u: %s\n", line, prog_strerror(e));
    CU_ASSERT_FATAL(e == PROG_OK);
}
