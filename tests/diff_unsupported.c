/*
 * An op that only one target runs is not a difference: the op and every later op are not
 * compared (the machines have diverged), even when a later op differs, and the result says which
 * target runs it. An op neither target runs is equal, and comparison goes on past it.
 */
#include <string.h>

#include "diff_util.h"

static const char du_text[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n";

struct du_row {
    const char *what;
    const struct target_ops *a, *b;
    bool no_code;           /* the planted target runs no guest code either */
    bool found;
    enum diff_stop stop;
    int stop_op;
    unsigned compared;
    const char *note;
};

TEST(diff_unsupported)
{
    static struct prog p;
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    const struct target_ops *native = target_find("native");
    const struct du_row rows[] = {
        { "only B runs op 1", native, &dp_planted_ops, false, false, DIFF_STOP_ONLY_ONE, 1, 1,
          "op 1 (guest_code): only planted runs it; ops 1.. not compared" },
        { "only A runs op 1", &dp_planted_ops, native, false, false, DIFF_STOP_ONLY_ONE, 1, 1,
          "op 1 (guest_code): only planted runs it; ops 1.. not compared" },
        /* neither runs it: the ops after it are compared, and the planted rc is found */
        { "neither runs op 1", native, &dp_planted_ops, true, true, DIFF_STOP_DIFFERENCE, 3, 4,
          "" },
    };
    struct target_opts o = target_default_opts;

    dp_parse(&p, du_text);
    /* guest code at op 1, the planted rc at op 3: behind it */
    p.ops[3] = p.ops[2];
    p.ops[2] = p.ops[1];
    p.ops[1] = (struct prog_op){ .kind = OP_GUEST_CODE, .dom = 1, .vcpu = 0 };
    p.nr_ops = 4;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct du_row *row = &rows[i];
        struct target a, b;
        CU_ASSERT_FATAL(target_open(&a, row->a, &p.shape, &o) == 0);
        CU_ASSERT_FATAL(target_open(&b, row->b, &p.shape, &o) == 0);
        dp_plant_none();
        dp_plant.op = 3;
        dp_plant.field = PE_RC;
        dp_plant.no_code = row->no_code;
        bool found = diff_run(&a, &b, &p, ra, rb, &r);
        bool ok = found == row->found && r.stop == row->stop && r.stop_op == row->stop_op &&
                  r.compared == row->compared && !strcmp(r.note, row->note) &&
                  (row->stop != DIFF_STOP_ONLY_ONE || r.only == (row->a == native ? 1 : 0));
        fprintf(stderr, "  %-18s expected stop %d at op %d, %u compared, '%s'; actual %s, stop %d "
                "at op %d, %u compared, '%s'\n", row->what, row->stop, row->stop_op,
                row->compared, row->note, found ? r.f.signature : "no difference", r.stop,
                r.stop_op, r.compared, r.note);
        CU_ASSERT(ok);
        target_close(&a);
        target_close(&b);
    }
    dp_plant_none();
}
