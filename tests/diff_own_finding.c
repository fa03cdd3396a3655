/*
 * A target's own finding (its oracles: audit, isolation, BUG(), ...) stops the comparison at its
 * op: that op and the later ones are not compared, the finding is kept as that target's, and a
 * planted difference behind it is not reported; a difference before it still is.
 */
#include <string.h>

#include "diff_util.h"

static const char do_text[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n";

struct do_row {
    const char *what;
    int own_op, plant_op;
    bool found;
    enum diff_stop stop;
    int stop_op;
    unsigned compared;
    const char *note;
};

static const struct do_row do_rows[] = {
    { "finding before the difference", 1, 2, false, DIFF_STOP_FINDING, 1, 1,
      "op 1 (xen_version): planted's own oracles found planted:own; ops 1.. not compared" },
    { "finding at the difference", 1, 1, false, DIFF_STOP_FINDING, 1, 1,
      "op 1 (xen_version): planted's own oracles found planted:own; ops 1.. not compared" },
    { "difference before the finding", 2, 0, true, DIFF_STOP_DIFFERENCE, 0, 1,
      "op 0 differs; ops 1.. not compared" },
};

TEST(diff_own_finding)
{
    static struct prog p;
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    struct target_opts o = target_default_opts;
    struct target a, b;

    dp_parse(&p, do_text);
    CU_ASSERT_FATAL(target_open(&a, target_find("native"), &p.shape, &o) == 0);
    CU_ASSERT_FATAL(target_open(&b, &dp_planted_ops, &p.shape, &o) == 0);
    for (size_t i = 0; i < sizeof(do_rows) / sizeof(do_rows[0]); i++) {
        const struct do_row *row = &do_rows[i];
        dp_plant_none();
        dp_plant.own_op = row->own_op;
        dp_plant.op = row->plant_op;
        dp_plant.field = PE_RC;
        bool found = diff_run(&a, &b, &p, ra, rb, &r);
        bool ok = found == row->found && r.stop == row->stop && r.stop_op == row->stop_op &&
                  r.compared == row->compared && !strcmp(r.note, row->note) && !r.own[0] &&
                  r.own[1] && !strcmp(r.own_f[1].signature, "planted:own") &&
                  r.own_f[1].op_index == row->own_op;
        fprintf(stderr, "  %-30s expected %s, stop %d at op %d, %u compared, '%s'; actual %s, "
                "stop %d at op %d, %u compared, '%s', B's own %s\n", row->what,
                row->found ? "a difference" : "none", row->stop, row->stop_op, row->compared,
                row->note, found ? r.f.signature : "none", r.stop, r.stop_op, r.compared, r.note,
                r.own[1] ? r.own_f[1].signature : "none");
        CU_ASSERT(ok);
    }
    dp_plant_none();
    target_close(&a);
    target_close(&b);
}
