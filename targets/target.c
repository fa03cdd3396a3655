/* The target registry and the generic program driver: reset, ops, oracles, work bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/target.h"

/* Every target the build knows: one folder under targets/ each, and one line here (a user's own
   monitor adds its ops table the same way, docs/TARGETS.md). */
extern const struct target_ops native_target_ops;
/* Binaries that do not link Unicorn (the engine harnesses, OSS-Fuzz) leave it out: weak. */
extern const struct target_ops unicorn_target_ops __attribute__((weak));
extern const struct target_ops xen_target_ops;
static const struct target_ops *const target_table[] = {
    &native_target_ops,
    &unicorn_target_ops,
    &xen_target_ops,
};
#define TARGET_NR (sizeof(target_table) / sizeof(target_table[0]))

/* Audit at the end of every program; per op only on request, because the full audit is the
   dominant cost of a run (a finding is located afterwards by re-running, see target_locate). */
const struct target_opts target_default_opts = {
    .audit_each_op = false,
    .audit = true,
    .audit_full = false,
    .audit_full_every = 1024,
    .bugs = 0,
    .max_steps = 1U << 20,
};

const char *oracle_name(enum oracle o)
{
    static const char *const names[ORACLE_NR] = {
        [ORACLE_NONE] = "none",          [ORACLE_AUDIT] = "audit",
        [ORACLE_ISOLATION] = "isolation", [ORACLE_BUG] = "bug",
        [ORACLE_CRASH] = "crash",        [ORACLE_SANITIZER] = "sanitizer",
        [ORACLE_HANG] = "hang",          [ORACLE_DIFF] = "diff",
        [ORACLE_EXPECT] = "expect",      [ORACLE_MIGRATE] = "migrate",
    };
    if ((unsigned)o >= ORACLE_NR || !names[o])
        return "unknown";
    return names[o];
}

const struct target_ops *target_find(const char *name)
{
    for (size_t i = 0; i < TARGET_NR; i++)
        if (name && target_table[i] && !strcmp(target_table[i]->name, name))
            return target_table[i];
    return NULL;
}

void target_list(void (*fn)(const struct target_ops *ops, void *arg), void *arg)
{
    for (size_t i = 0; i < TARGET_NR; i++)
        if (target_table[i])
            fn(target_table[i], arg);
}

int target_open(struct target *t, const struct target_ops *ops, const struct prog_shape *shape,
                const struct target_opts *o)
{
    memset(t, 0, sizeof(*t));
    if (!ops || !ops->open || !ops->run_op)
        return -1;
    t->ops = ops;
    t->shape = shape ? *shape : prog_default_shape;
    t->opts = o ? *o : target_default_opts;
    if (ops->open(t, &t->shape, &t->opts) < 0) {
        t->ops = NULL;
        return -1;
    }
    return 0;
}

void target_close(struct target *t)
{
    if (t->ops && t->ops->close)
        t->ops->close(t);
    free(t->out_buf);
    t->out_buf = NULL;
    t->ops = NULL;
    t->priv = NULL;
}

static bool target_shape_eq(const struct prog_shape *a, const struct prog_shape *b)
{
    return a->nr_frames == b->nr_frames && a->nr_domains == b->nr_domains &&
           a->nr_vcpus == b->nr_vcpus && a->dom_pages == b->dom_pages;
}

/* Back to the machine the shape describes: reset if the shape is the same, else re-open. */
static int target_prepare(struct target *t, const struct prog_shape *shape)
{
    const struct target_ops *ops = t->ops;
    struct target_opts opts = t->opts;

    if (!ops)
        return -1;
    if (target_shape_eq(&t->shape, shape) && ops->reset) {
        t->steps = 0;
        return ops->reset(t);
    }
    target_close(t);
    return target_open(t, ops, shape, &opts);
}

static void target_result_init(struct op_result *r, uint8_t *out)
{
    memset(r, 0, sizeof(*r));
    r->fault = PROG_FAULT_NONE;
    r->out = out;
}

int target_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    target_result_init(res, NULL);
    return t->ops->run_op(t, op, res);
}

/* The name a finding's signature gives op: its hypercall's, or its kind's. */
static const char *target_op_name(const struct prog_op *op)
{
    return op->kind == OP_HYPERCALL ? abi_hypercall_name(op->nr) : prog_kind_name(op->kind);
}

static void target_finding(struct finding *f, enum oracle o, int op, const char *sig,
                           const char *detail)
{
    memset(f, 0, sizeof(*f));
    f->oracle = o;
    f->op_index = op;
    snprintf(f->signature, sizeof(f->signature), "%s", sig);
    snprintf(f->detail, sizeof(f->detail), "%s", detail);
}

/*
 * An op is over a kilobyte with its payload and fixups at the far end, and a program's ops are
 * read once per run: asking for the next op's lines while this one runs hides most of the cache
 * misses of a program that is not in the cache (a corpus replay, the bench's program set).
 */
static void target_prefetch_op(const struct prog_op *op)
{
    __builtin_prefetch(op);
    __builtin_prefetch((const uint8_t *)op + 64);
    __builtin_prefetch(op->payload);
    __builtin_prefetch(op->fixups);
}

/* One pass over the program; audit_each selects the per-op oracle depth. */
static bool target_pass(struct target *t, const struct prog *p, struct op_result *results,
                        struct finding *f, bool audit_each)
{
    const struct target_ops *ops = t->ops;
    uint32_t n = p->nr_ops < PROG_MAX_OPS ? p->nr_ops : PROG_MAX_OPS;

    if (target_prepare(t, &p->shape) < 0) {
        target_finding(f, ORACLE_CRASH, -1, "target:open-failed",
                       "the target could not build the machine the program's shape describes");
        return true;
    }
    bool saved = t->opts.audit_each_op;
    t->opts.audit_each_op = audit_each;
    bool found = false, unsupported = false;
    if (t->opts.capture_out && !t->out_buf)
        t->out_buf = malloc((size_t)PROG_MAX_OPS * PROG_MAX_PAYLOAD);
    /* a target that runs whole programs: its results first, then the same checks per op */
    struct op_result *all = NULL;
    struct finding prog_f;
    int prog_rc = 0;
    if (ops->run_prog) {
        all = results ? results : calloc(PROG_MAX_OPS, sizeof(*all));
        if (!all) {
            target_finding(f, ORACLE_CRASH, -1, "target:run-op-failed", "out of memory");
            t->opts.audit_each_op = saved;
            return true;
        }
        for (uint32_t i = 0; i < n; i++)
            target_result_init(&all[i], t->opts.capture_out && t->out_buf ?
                                        t->out_buf + (size_t)i * PROG_MAX_PAYLOAD : NULL);
        prog_rc = ops->run_prog(t, p, all, &prog_f);
        /* the ops before the one the finding names ran: their expectations are checked */
        if (prog_rc == 1)
            n = prog_f.op_index >= 0 && (uint32_t)prog_f.op_index < n ? (uint32_t)prog_f.op_index
                                                                       : 0;
    }
    for (uint32_t i = 0; i < n && !found; i++) {
        struct op_result scratch, *r = all ? &all[i] : results ? &results[i] : &scratch;
        int rc = prog_rc;
        if (i + 1 < n)
            target_prefetch_op(&p->ops[i + 1]);
        if (!all) {
            target_result_init(r, t->opts.capture_out && t->out_buf ?
                                  t->out_buf + (size_t)i * PROG_MAX_PAYLOAD : NULL);
            rc = ops->run_op(t, &p->ops[i], r);
        }
        t->steps++;
        /* the target itself broke (a real hypervisor gone, an agent that stopped answering):
           the results after this op would be made up, so the run ends with a finding */
        if (rc < 0) {
            char d[160];
            snprintf(d, sizeof(d), "the %s target could not run op %u: error %d", ops->name,
                     (unsigned)i, rc);
            target_finding(f, ORACLE_CRASH, (int)i, "target:run-op-failed", d);
            found = true;
            break;
        }
        /* an op the target does not run: its expectation, and those after it (the state has
           gone another way), cannot be checked here; hvfuzz diff reports such ops */
        if (r->status == OPS_UNSUPPORTED &&
            !(p->ops[i].expect.have & PE_STATUS && p->ops[i].expect.status == OPS_UNSUPPORTED))
            unsupported = true;
        if (t->opts.check_expect && p->ops[i].expect.have && !unsupported) {
            char d[sizeof(f->detail)], sig[sizeof(f->signature)];
            if (target_expect_diff(&p->ops[i], r, d, sizeof(d))) {
                snprintf(sig, sizeof(sig), "expect:%s", target_op_name(&p->ops[i]));
                target_finding(f, ORACLE_EXPECT, (int)i, sig, d);
                found = true;
                break;
            }
        }
        if (t->opts.max_steps && t->steps > t->opts.max_steps) {
            char d[160];
            snprintf(d, sizeof(d), "work bound exceeded: %llu steps, bound %u",
                     (unsigned long long)t->steps, t->opts.max_steps);
            target_finding(f, ORACLE_HANG, (int)i, "hang:max-steps", d);
            found = true;
            break;
        }
        if (!all && ops->check && ops->check(t, false, (int)i, f))
            found = true;
    }
    if (all && all != results)
        free(all);
    if (prog_rc == 1 && !found) {
        *f = prog_f;
        found = true;
    }
    n = p->nr_ops < PROG_MAX_OPS ? p->nr_ops : PROG_MAX_OPS;
    /* ops after a finding did not run: their results say so */
    for (uint32_t i = found && results ? (uint32_t)(f->op_index + 1) : n; i < n; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].status = OPS_NOT_RUN;
    }
    if (!found && ops->check && ops->check(t, true, -1, f))
        found = true;
    t->opts.audit_each_op = saved;
    return found;
}

/*
 * A finding of the final audit names no operation. Re-running with the audit after every op
 * (deterministic, so the same states recur) finds the first op after which the state was already
 * broken; only findings pay for this.
 */
static void target_locate(struct target *t, const struct prog *p, struct op_result *results,
                          struct finding *f)
{
    struct finding g;

    if (f->oracle != ORACLE_AUDIT || f->op_index >= 0)
        return;
    if (target_pass(t, p, results, &g, true) && g.oracle != ORACLE_NONE)
        *f = g;
}

bool target_run(struct target *t, const struct prog *p, struct op_result *results,
                struct finding *f)
{
    struct finding scratch;

    if (!f)
        f = &scratch;
    memset(f, 0, sizeof(*f));
    f->op_index = -1;
    if (!target_pass(t, p, results, f, t->opts.audit_each_op))
        return false;
    if (t->opts.audit && !t->opts.audit_each_op)
        target_locate(t, p, results, f);
    return true;
}
