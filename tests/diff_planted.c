/*
 * The differential oracle catches a planted difference in each field it compares: one op's
 * status, rc, value, fault, pfec, exits or written-back payload changed on target B. Each row
 * must give a finding diff:A/B:<op> at that op, naming the field, with every earlier op
 * compared; with nothing planted the same program is clean on both.
 */
#include <stdlib.h>
#include <string.h>

#include "diff_util.h"
#include "planted_ops.h"

/* The planted ops (every kind of result on the native target), then guest code. */
#define DPL_GUEST_CODE 8U   /* appended in C: a guest_code op without code, which only the stub targets answer */

struct dpl_row {
    const char *what;
    unsigned op;
    uint8_t field;
    const char *sig;
};

static const struct dpl_row dpl_rows[] = {
    { "status of a hypercall",     0, PE_STATUS, "diff:native/planted:xen_version" },
    { "rc of a hypercall",         0, PE_RC,     "diff:native/planted:xen_version" },
    { "value of a guest read",     2, PE_VALUE,  "diff:native/planted:guest_read" },
    { "fault of a faulting read",  3, PE_FAULT,  "diff:native/planted:guest_read" },
    { "pfec of a faulting read",   3, PE_PFEC,   "diff:native/planted:guest_read" },
    { "fault of a clean write",    1, PE_FAULT,  "diff:native/planted:guest_write" },
    { "port written back",         4, PE_OUT,    "diff:native/planted:event_channel_op" },
    { "action of an exit",         5, PE_RC,     "diff:native/planted:exit" },
    { "injected vector of an exit", 5, PE_FAULT, "diff:native/planted:exit" },
    { "rax after an exit",         5, PE_VALUE,  "diff:native/planted:exit" },
    { "status of a preempted one", 7, PE_STATUS, "diff:native/planted:memory_op" },
    { "rc of a preempted one",     7, PE_RC,     "diff:native/planted:memory_op" },
    /* the native target runs no guest code: the stub on both sides */
    { "exits of guest code",       DPL_GUEST_CODE, PE_EXITS, "diff:clean/planted:guest_code" },
};

TEST(diff_planted)
{
    static struct prog p;
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    struct target_opts o = target_default_opts;
    struct target native, clean, planted;

    dp_parse(&p, planted_ops_text);
    p.ops[p.nr_ops++] = (struct prog_op){ .kind = OP_GUEST_CODE, .dom = 1, .vcpu = 0 };
    o.capture_out = true;
    CU_ASSERT_FATAL(target_open(&native, target_find("native"), &p.shape, &o) == 0);
    CU_ASSERT_FATAL(target_open(&clean, &dp_clean_ops, &p.shape, &o) == 0);
    CU_ASSERT_FATAL(target_open(&planted, &dp_planted_ops, &p.shape, &o) == 0);

    /* nothing planted: the stub and the native target agree up to the guest code */
    dp_plant_none();
    CU_ASSERT(!diff_run(&clean, &planted, &p, ra, rb, &r));
    TEST_EQ(DIFF_STOP_END, r.stop);
    TEST_EQ(p.nr_ops, r.compared);
    CU_ASSERT(!diff_run(&native, &planted, &p, ra, rb, &r));
    TEST_EQ(DIFF_STOP_ONLY_ONE, r.stop);
    TEST_EQ(DPL_GUEST_CODE, r.compared);

    for (size_t i = 0; i < sizeof(dpl_rows) / sizeof(dpl_rows[0]); i++) {
        const struct dpl_row *row = &dpl_rows[i];
        struct target *a = row->op == DPL_GUEST_CODE ? &clean : &native;
        char fields[64];
        dp_plant_none();
        dp_plant.op = (int)row->op;
        dp_plant.field = row->field;
        bool found = diff_run(a, &planted, &p, ra, rb, &r);
        diff_fields_format(r.fields, fields, sizeof(fields));
        bool ok = found && r.stop == DIFF_STOP_DIFFERENCE && r.f.oracle == ORACLE_DIFF &&
                  r.f.op_index == (int)row->op && !strcmp(r.f.signature, row->sig) &&
                  (r.fields & row->field) && r.compared == row->op + 1;
        fprintf(stderr, "  %-27s expected %s at op %u, actual %s at op %d (%s; %u compared)\n",
                row->what, row->sig, row->op, found ? r.f.signature : "none", r.f.op_index,
                fields, r.compared);
        if (!ok)
            fprintf(stderr, "%s\n", r.f.detail);
        CU_ASSERT(ok);
    }
    /* the report names both sides */
    dp_plant_none();
    dp_plant.op = 0;
    dp_plant.field = PE_RC;
    CU_ASSERT(diff_run(&native, &planted, &p, ra, rb, &r));
    const char *want = "op 0 (xen_version): native and planted differ in rc\n"
                       "native: rc=0x40011\nplanted: rc=-EINVAL\n";
    if (strncmp(r.f.detail, want, strlen(want)))
        fprintf(stderr, "detail: expected\n%s\nactual\n%s\n", want, r.f.detail);
    CU_ASSERT(!strncmp(r.f.detail, want, strlen(want)));
    dp_plant_none();
    target_close(&native);
    target_close(&clean);
    target_close(&planted);
}
