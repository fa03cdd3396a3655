/* A new finding before it is stored: minimized within a time bound, then each op's result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hvfuzz/diff.h"
#include "hvfuzz/finding.h"
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/sandbox.h"
#include "ir/prog_internal.h"

/* What the child sends back: how minimization went, the final run, then the encoded program. */
struct fmin_reply {
    int      done;              /* reductions; -1: the program gave no such finding again */
    bool     timed_out;
    bool     found;             /* the final run in the child gave a finding (res is filled) */
    unsigned runs;
    double   secs;
    uint32_t len;               /* bytes of enc[] */
    struct finding f;
    struct op_result res[PROG_MAX_OPS];
    uint8_t  enc[];
};

struct fmin_ctx {
    const struct target_ops *ops;
    const struct target_ops *ops_b;   /* a difference between ops and ops_b, or NULL */
    const struct target_opts *topts;
    struct prog *p;             /* the child's copy: minimized in place */
    const char *sig;
    double time_s;
};

static double fmin_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A difference: both targets, payloads captured (they are compared); the results kept are A's. */
static long fmin_diff_child(struct fmin_ctx *x, struct fmin_reply *r, size_t cap)
{
    struct target_opts o = *x->topts;
    static struct op_result rb[PROG_MAX_OPS];
    static struct diff_result dr;
    struct target a, b;

    o.capture_out = true;
    if (target_open(&a, x->ops, &x->p->shape, &o) < 0)
        return -1;
    if (target_open(&b, x->ops_b, &x->p->shape, &o) < 0) {
        target_close(&a);
        return -1;
    }
    double t0 = fmin_now();
    if (x->time_s > 0)
        r->done = min_program_diff_within(&a, &b, x->p, x->sig, x->time_s, &r->runs,
                                          &r->timed_out);
    r->secs = fmin_now() - t0;
    r->found = diff_run(&a, &b, x->p, r->res, rb, &dr);
    r->f = dr.f;
    target_close(&a);
    target_close(&b);
    r->len = (uint32_t)prog_encode(x->p, r->enc, cap - sizeof(*r));
    return r->len ? (long)(sizeof(*r) + r->len) : -1;
}

static long fmin_child(void *arg, void *reply, size_t cap)
{
    struct fmin_ctx *x = arg;
    struct fmin_reply *r = reply;
    bool use_fork = min_needs_fork(x->sig);
    struct target t;

    memset(r, 0, sizeof(*r));
    if (x->ops_b)
        return fmin_diff_child(x, r, cap);
    if (target_open(&t, x->ops, &x->p->shape, x->topts) < 0)
        return -1;
    double t0 = fmin_now();
    if (x->time_s > 0)
        r->done = min_program_within(&t, x->p, x->sig, use_fork, x->time_s, &r->runs,
                                     &r->timed_out);
    r->secs = fmin_now() - t0;
    /* a program that ends its process has no per-op results to show */
    if (!use_fork)
        r->found = target_run(&t, x->p, r->res, &r->f);
    target_close(&t);
    r->len = (uint32_t)prog_encode(x->p, r->enc, cap - sizeof(*r));
    return r->len ? (long)(sizeof(*r) + r->len) : -1;
}

static bool fmin_run(struct fmin_ctx *x, struct finding *f, struct op_result *res, bool *have_res,
                     char *note, size_t note_cap)
{
    const struct target_ops *ops = x->ops;
    struct prog *p = x->p;
    double time_s = x->time_s;
    size_t cap = sizeof(struct fmin_reply) + prog_max_encoded_size();
    struct fmin_reply *r = malloc(cap);
    struct sandbox_result *sr = malloc(sizeof(*sr));
    struct prog *q = malloc(sizeof(*q));
    uint32_t before = p->nr_ops;
    bool shrunk = false;

    *have_res = false;
    snprintf(note, note_cap, "--minimize-time 0");
    if (!r || !sr || !q || !ops) {
        snprintf(note, note_cap, "not run: out of memory");
        goto out;
    }
    /* the bound is the minimizer's; the child's timeout only catches a minimizer that hangs */
    unsigned timeout_ms = (unsigned)(time_s * 1000.0) + 30000U;
    if (sandbox_run(fmin_child, x, timeout_ms, r, cap, sr) < 0) {
        snprintf(note, note_cap, "not run: cannot start a child");
        goto out;
    }
    if (sr->reply_len < sizeof(*r) || sr->reply_len < sizeof(*r) + r->len ||
        prog_decode(q, r->enc, r->len) != PROG_OK) {
        snprintf(note, note_cap, "failed: the minimizing child %s",
                 sr->how == SANDBOX_TIMEOUT ? "hung" :
                 sr->how == SANDBOX_SIGNALED ? "crashed" : "sent nothing back");
        goto out;
    }
    if (time_s > 0 && r->done < 0) {
        snprintf(note, note_cap, "failed: the program gave no %s finding when run again alone",
                 f->signature);
    } else if (time_s > 0) {
        shrunk = !prog_equal(p, q);
        if (shrunk)
            *p = *q;
        snprintf(note, note_cap, "%s%u -> %u ops in %.1f s, %u runs", r->timed_out ?
                 "stopped at the time bound: " : "", before, p->nr_ops, r->secs, r->runs);
    }
    /* the finding as the stored program gives it: its op index and detail */
    if (r->found && !strcmp(r->f.signature, f->signature) && (time_s <= 0 || r->done >= 0)) {
        *f = r->f;
        memcpy(res, r->res, p->nr_ops * sizeof(*res));
        for (uint32_t i = 0; i < p->nr_ops; i++)
            res[i].out = NULL;
        *have_res = true;
    }
out:
    free(r);
    free(sr);
    free(q);
    return shrunk;
}

bool finding_minimize(const struct target_ops *ops, const struct target_opts *topts, struct prog *p,
                      struct finding *f, struct op_result *res, bool *have_res, double time_s,
                      char *note, size_t note_cap)
{
    struct fmin_ctx x = { .ops = ops, .topts = topts, .p = p, .sig = f->signature,
                          .time_s = time_s };

    return fmin_run(&x, f, res, have_res, note, note_cap);
}

bool finding_minimize_diff(const struct target_ops *a, const struct target_ops *b,
                           const struct target_opts *topts, struct prog *p, struct finding *f,
                           struct op_result *res, bool *have_res, double time_s, char *note,
                           size_t note_cap)
{
    struct fmin_ctx x = { .ops = a, .ops_b = b, .topts = topts, .p = p, .sig = f->signature,
                          .time_s = time_s };

    return fmin_run(&x, f, res, have_res, note, note_cap);
}
