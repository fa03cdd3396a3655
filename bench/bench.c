/* The benchmark: programs/s with and without the audit, simple hypercalls/s, generator and reset cost. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "hvfuzz/fuzzer.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/xen.h"

/* Pre-generated programs, so the program figures measure the target (the generator has its own). */
#define BENCH_PROGS 64U
#define BENCH_MAX_RUNS 31U

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bench_median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), bench_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum bench_kind { BENCH_PROGRAMS, BENCH_OP, BENCH_GEN, BENCH_RESET };

struct bench_ctx {
    struct target *t;
    struct prog *progs;       /* BENCH_PROGS programs */
    const struct prog_op *op; /* BENCH_OP */
    struct gen gen;
    struct prog *scratch;
    struct op_result *res;
};

/* Items per second over about secs of work; checks the clock every batch. */
static double bench_once(struct bench_ctx *c, enum bench_kind k, double secs)
{
    double t0 = bench_now(), t;
    uint64_t items = 0;
    struct op_result r = { .out = NULL };

    do {
        for (unsigned i = 0; i < 256; i++) {
            switch (k) {
            case BENCH_PROGRAMS:
                target_run(c->t, &c->progs[(items + i) % BENCH_PROGS], c->res, NULL);
                break;
            case BENCH_OP:
                target_run_op(c->t, c->op, &r);
                break;
            case BENCH_GEN:
                gen_program(&c->gen, c->scratch);
                break;
            case BENCH_RESET:
                c->t->ops->reset(c->t);
                break;
            }
        }
        items += 256;
        t = bench_now() - t0;
    } while (t < secs);
    return (double)items / t;
}

/* An op the target cannot run would be timed as if it ran: it runs once before the figure. */
static int bench_op_check(struct bench_ctx *c)
{
    struct op_result r;
    int rc = target_run_op(c->t, c->op, &r);

    if (rc < 0)
        fprintf(stderr, "hvfuzz bench: the %s target could not run the op of hypercall %u "
                "(error %d)\n", c->t->ops->name, c->op->nr, rc);
    return rc;
}

/* Progress on this stream (bench_progress), one line rewritten in place on a terminal. */
static FILE *bench_progress_to;
static unsigned bench_figures_done;

void bench_progress(FILE *f)
{
    bench_progress_to = f;
}

static void bench_note(enum bench_kind k, unsigned run, unsigned runs, double v)
{
    static const char *const names[] = {
        [BENCH_PROGRAMS] = "programs", [BENCH_OP] = "hypercalls", [BENCH_GEN] = "generated",
        [BENCH_RESET] = "resets",
    };
    FILE *f = bench_progress_to;

    if (!f)
        return;
    if (isatty(fileno(f)))
        fprintf(f, "\r\033[Kbench: figure %u, run %u/%u: %.0f %s/s", bench_figures_done + 1,
                run, runs, v, names[k]);
    else if (run == runs)
        fprintf(f, "bench: figure %u done (%u runs, last %.0f %s/s)\n", bench_figures_done + 1,
                runs, v, names[k]);
    fflush(f);
}

static double bench_figure(struct bench_ctx *c, enum bench_kind k, unsigned runs, double secs)
{
    double v[BENCH_MAX_RUNS];

    bench_once(c, k, secs / 4);     /* warm the caches and the branch predictors */
    for (unsigned i = 0; i < runs; i++) {
        v[i] = bench_once(c, k, secs);
        bench_note(k, i + 1, runs, v[i]);
    }
    bench_figures_done++;
    return bench_median(v, runs);
}

/* Share of exit ops in the pre-generated programs. */
static double bench_exit_share(const struct prog *progs)
{
    unsigned ops = 0, exits = 0;

    for (unsigned i = 0; i < BENCH_PROGS; i++)
        for (uint32_t k = 0; k < progs[i].nr_ops; k++, ops++)
            exits += progs[i].ops[k].kind == OP_EXIT;
    return ops ? (double)exits / ops : 0.0;
}

/* Regenerate the program set from seed 1 with the exit family weighted so (0: no exits). */
static void bench_gen_set(struct bench_ctx *c, uint16_t exit_weight)
{
    struct gen_cfg cfg = gen_default_cfg;
    struct gen_env env = c->gen.env;

    cfg.shape = c->gen.cfg.shape;
    cfg.weight[GEN_F_EXIT] = exit_weight;
    gen_init(&c->gen, &cfg, 1);
    c->gen.env = env;
    for (unsigned i = 0; i < BENCH_PROGS; i++)
        gen_program(&c->gen, &c->progs[i]);
}

/* One op, run again and again without reset: what a single hypercall costs. */
static void bench_simple_op(struct prog_op *op, uint32_t nr)
{
    memset(op, 0, sizeof(*op));
    op->kind = OP_HYPERCALL;
    op->nr = nr;
    op->nr_args = 1;
    op->args[0].kind = ARG_IMM;
    op->args[0].imm = XENVER_version;
    if (nr != HYPERVISOR_mmu_update)
        return;
    /* rewrite the L1 entry of data page 4 with the value it has (the fast path of mod_pt_entry):
       the ptr and the value are resolved by the target as for any program */
    op->nr_args = 4;
    op->args[0].kind = ARG_PAYLOAD;
    op->args[0].b = 0;
    op->args[1].imm = 1;
    op->args[2].imm = 0;
    op->args[3].kind = ARG_DOMID;
    op->args[3].a = 1;
    op->payload_len = 16;
    op->nr_fixups = 2;
    op->fixups[0].off = 0;
    op->fixups[0].width = 8;
    op->fixups[0].arg.kind = ARG_MADDR;
    op->fixups[0].arg.a = 3;
    op->fixups[0].arg.b = 4 * 8;
    op->fixups[1].off = 8;
    op->fixups[1].width = 8;
    op->fixups[1].arg.kind = ARG_PTE;
    op->fixups[1].arg.a = 4;
    op->fixups[1].arg.imm = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
}

/* The short-program figures: the target's, native's on the same programs, and guest code's. */
static void bench_short_figures(struct bench_ctx *c, struct target *t,
                                const struct prog_shape *shape, const struct target_opts *o,
                                unsigned runs, double secs, struct bench_result *r)
{
    struct target nat;
    struct finding f;

    for (unsigned i = 0; i < BENCH_PROGS; i++)
        bench_short_program(&c->progs[i], shape, BENCH_SHORT_OPS);
    r->short_progs = bench_figure(c, BENCH_PROGRAMS, runs, secs);
    if (!strcmp(t->ops->name, "native")) {
        r->short_progs_native = r->short_progs;
    } else if (target_open(&nat, target_find("native"), shape, o) == 0) {
        c->t = &nat;
        r->short_progs_native = bench_figure(c, BENCH_PROGRAMS, runs, secs);
        c->t = t;
        target_close(&nat);
    }
    for (unsigned i = 0; i < BENCH_PROGS; i++)
        bench_short_program(&c->progs[i], shape, BENCH_SHORT_CODE);
    /* a target that does not run guest code reports it unsupported: no figure then */
    target_run(t, &c->progs[0], c->res, &f);
    if (c->res[0].status == OPS_RAN)
        r->code_progs = bench_figure(c, BENCH_PROGRAMS, runs, secs);
}

int bench_run(const char *target, unsigned runs, double secs, struct bench_result *r)
{
    return bench_run_shape(target, NULL, runs, secs, r);
}

int bench_run_shape(const char *target, const struct prog_shape *shape, unsigned runs,
                    double secs, struct bench_result *r)
{
    const struct target_ops *ops = target_find(target ? target : "native");
    struct target_opts o = target_default_opts;
    struct gen_cfg cfg = gen_default_cfg;
    struct bench_ctx c;
    struct target t;
    struct prog_op op;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    memset(&c, 0, sizeof(c));
    if (runs < 1)
        runs = 1;
    if (runs > BENCH_MAX_RUNS)
        runs = BENCH_MAX_RUNS;
    r->runs = runs;
    c.progs = malloc(BENCH_PROGS * sizeof(*c.progs));
    c.scratch = malloc(sizeof(*c.scratch));
    c.res = malloc(PROG_MAX_OPS * sizeof(*c.res));
    if (!ops || !c.progs || !c.scratch || !c.res)
        goto out;
    o.audit = true;
    o.audit_each_op = false;
    if (shape)
        cfg.shape = *shape;
    r->shape = cfg.shape;
    if (target_open(&t, ops, &cfg.shape, &o) < 0)
        goto out;
    c.t = &t;
    gen_init(&c.gen, &cfg, 1);
    gen_probe(&c.gen, &t);
    for (unsigned i = 0; i < BENCH_PROGS; i++)
        gen_program(&c.gen, &c.progs[i]);
    r->exit_share_default = bench_exit_share(c.progs);
    r->gen_only = bench_figure(&c, BENCH_GEN, runs, secs);
    r->progs_audit = bench_figure(&c, BENCH_PROGRAMS, runs, secs);
    t.opts.audit = false;
    r->progs_noaudit = bench_figure(&c, BENCH_PROGRAMS, runs, secs);
    t.opts.audit = true;
    /* the same machine and seed with the exit family off, and weighted to about 30% of ops */
    bench_gen_set(&c, 0);
    r->progs_noexit = bench_figure(&c, BENCH_PROGRAMS, runs, secs);
    bench_gen_set(&c, 24);
    r->exit_share = bench_exit_share(c.progs);
    r->progs_exits = bench_figure(&c, BENCH_PROGRAMS, runs, secs);
    t.opts.audit = false;
    if (t.ops->reset) {
        r->reset_only = bench_figure(&c, BENCH_RESET, runs, secs);
        t.ops->reset(&t);
    }
    bench_simple_op(&op, HYPERVISOR_xen_version);
    c.op = &op;
    if (bench_op_check(&c) < 0)
        goto close;
    r->hc_version = bench_figure(&c, BENCH_OP, runs, secs);
    bench_simple_op(&op, HYPERVISOR_mmu_update);
    if (bench_op_check(&c) < 0)
        goto close;
    r->hc_mmu = bench_figure(&c, BENCH_OP, runs, secs);
    t.opts.audit = true;
    bench_short_figures(&c, &t, &cfg.shape, &o, runs, secs, r);
    rc = 0;
close:
    target_close(&t);
    if (bench_progress_to && isatty(fileno(bench_progress_to)))
        fprintf(bench_progress_to, "\r\033[K");
    bench_figures_done = 0;
out:
    free(c.progs);
    free(c.scratch);
    free(c.res);
    return rc;
}
