/* The minimizer: delta debugging over operations, then argument and payload simplification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hvfuzz/diff.h"
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/sandbox.h"
#include "ir/prog_internal.h"

/* A bound on target runs: minimization is a convenience and must end on any input. */
#define MIN_MAX_RUNS 50000U
/* A forked run that takes longer than this is a hang (the fuzz loop's watchdog is coarser). */
#define MIN_TIMEOUT_MS 5000U

struct min_ctx {
    struct target *t;
    struct target *t2;        /* a difference between t and t2 (diff_run), or NULL */
    struct diff_result *dr;   /* with t2: each run's comparison */
    struct op_result *res2;
    const char *sig;
    bool use_fork;
    unsigned runs;
    struct op_result *res;
    double deadline;          /* CLOCK_MONOTONIC seconds; 0: no time bound */
    bool timed_out;
};

static double min_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Whether another run fits the bounds: the run count, and the time bound if there is one. */
static bool min_more(struct min_ctx *c)
{
    if (c->runs >= MIN_MAX_RUNS || c->timed_out)
        return false;
    if (c->deadline > 0 && min_now() >= c->deadline) {
        c->timed_out = true;
        return false;
    }
    return true;
}

/* One run in a forked child (fuzz/sandbox.c): crashes, sanitizer reports and hangs become
   findings named as replay names them. */
struct min_sb {
    struct target *t;
    const struct prog *p;
    struct op_result *res;
};

static long min_sb_run(void *arg, void *reply, size_t cap)
{
    struct min_sb *s = arg;
    struct finding f;

    if (cap < sizeof(f) || !target_run(s->t, s->p, s->res, &f))
        return 0;
    memcpy(reply, &f, sizeof(f));
    return (long)sizeof(f);
}

bool fuzz_run_isolated(struct target *t, const struct prog *p, struct op_result *res,
                       unsigned timeout_ms, struct finding *f)
{
    struct min_sb s = { .t = t, .p = p, .res = res };
    struct sandbox_result *r = malloc(sizeof(*r));
    bool found = false;

    if (!r)
        return false;
    memset(f, 0, sizeof(*f));
    if (sandbox_run(min_sb_run, &s, timeout_ms, f, sizeof(*f), r) == 0) {
        if (r->reply_len == sizeof(*f))
            found = true;
        else
            found = sandbox_finding(r, 0, f);
    }
    free(r);
    return found;
}

bool min_needs_fork(const char *signature)
{
    return !strncmp(signature, "crash:", 6) || !strncmp(signature, "sanitizer:", 10) ||
           !strncmp(signature, "hang:", 5);
}

/* The signature of one run: in-process, or in a child when the finding kills its process. */
static void min_signature(struct min_ctx *c, const struct prog *p, char *sig, size_t len)
{
    struct finding f;

    c->runs++;
    sig[0] = '\0';
    if (c->t2) {
        if (diff_run(c->t, c->t2, p, c->res, c->res2, c->dr))
            snprintf(sig, len, "%s", c->dr->f.signature);
        return;
    }
    if (c->use_fork ? fuzz_run_isolated(c->t, p, c->res, MIN_TIMEOUT_MS, &f)
                    : target_run(c->t, p, c->res, &f))
        snprintf(sig, len, "%s", f.signature);
}

static bool min_keeps(struct min_ctx *c, const struct prog *p)
{
    char sig[128];

    if (!min_more(c) || prog_validate(p) != PROG_OK)
        return false;
    min_signature(c, p, sig, sizeof(sig));
    return !strcmp(sig, c->sig);
}

/* ddmin over ops: remove chunks from half the program down to single ops, until nothing goes. */
static int min_ops(struct min_ctx *c, struct prog *p, struct prog *q)
{
    int done = 0;
    bool again = true;

    while (again && min_more(c)) {
        again = false;
        for (uint32_t chunk = p->nr_ops / 2 ? p->nr_ops / 2 : 1; chunk >= 1; chunk /= 2) {
            for (uint32_t start = 0; start < p->nr_ops && p->nr_ops > 1;) {
                uint32_t n = chunk < p->nr_ops - start ? chunk : p->nr_ops - start;
                if (n >= p->nr_ops)
                    n = p->nr_ops - 1;
                q->shape = p->shape;
                q->version = p->version;
                q->nr_ops = p->nr_ops - n;
                memcpy(q->ops, p->ops, start * sizeof(p->ops[0]));
                memcpy(&q->ops[start], &p->ops[start + n],
                       (p->nr_ops - start - n) * sizeof(p->ops[0]));
                if (min_keeps(c, q)) {
                    p->nr_ops = q->nr_ops;
                    memcpy(p->ops, q->ops, q->nr_ops * sizeof(p->ops[0]));
                    done++;
                    again = true;
                } else {
                    start += n;
                }
            }
            if (chunk == 1)
                break;
        }
    }
    return done;
}

/* Try one edit of op i: keep it if the signature stays, else put the op back. */
static bool min_try(struct min_ctx *c, struct prog *p, uint32_t i, const struct prog_op *saved)
{
    if (min_keeps(c, p))
        return true;
    p->ops[i] = *saved;
    return false;
}

static int min_op_values(struct min_ctx *c, struct prog *p, uint32_t i)
{
    struct prog_op *op = &p->ops[i];
    struct prog_op saved = *op;
    int done = 0;

    if (op->kind == OP_PREEMPT) {
        /* fewer preemption points: the lowest set bit alone, then each bit cleared */
        if (op->imm & (op->imm - 1)) {
            op->imm &= ~(op->imm - 1);
            if (min_try(c, p, i, &saved))
                return 1;
        }
        for (unsigned b = 0; b < 64; b++) {
            if (!(op->imm & (1ULL << b)) || !(op->imm & ~(1ULL << b)))
                continue;
            saved = *op;
            op->imm &= ~(1ULL << b);
            done += min_try(c, p, i, &saved);
        }
        return done;
    }
    if (op->kind != OP_HYPERCALL)
        return 0;
    /* fixups: drop the last ones first (the payload bytes become zero) */
    while (op->nr_fixups) {
        const struct prog_fixup *fx = &op->fixups[op->nr_fixups - 1];
        saved = *op;
        memset(&op->payload[fx->off], 0, fx->width);
        op->nr_fixups--;
        if (!min_try(c, p, i, &saved))
            break;
        done++;
    }
    /* the payload's tail, beyond what fixups need */
    while (op->payload_len >= 8) {
        unsigned need = 0;
        for (unsigned k = 0; k < op->nr_fixups; k++)
            if (op->fixups[k].off + op->fixups[k].width > need)
                need = op->fixups[k].off + op->fixups[k].width;
        if ((unsigned)op->payload_len - 8U < need)
            break;
        saved = *op;
        op->payload_len = (uint16_t)(op->payload_len - 8);
        if (!min_try(c, p, i, &saved))
            break;
        done++;
    }
    /* payload words to zero */
    for (unsigned off = 0; off + 8 <= op->payload_len; off += 8) {
        uint64_t z = 0;
        if (!memcmp(&op->payload[off], &z, 8))
            continue;
        saved = *op;
        memset(&op->payload[off], 0, 8);
        done += min_try(c, p, i, &saved);
    }
    /* immediate arguments to zero, trailing arguments away */
    for (unsigned a = 0; a < op->nr_args; a++) {
        if (op->args[a].kind != ARG_IMM || op->args[a].imm == 0)
            continue;
        saved = *op;
        op->args[a].imm = 0;
        done += min_try(c, p, i, &saved);
    }
    return done;
}

int min_program(struct target *t, struct prog *p, const char *signature, bool use_fork,
                unsigned *runs)
{
    return min_program_within(t, p, signature, use_fork, 0, runs, NULL);
}

static int min_run(struct min_ctx *c, struct prog *p, double time_s, unsigned *runs,
                   bool *timed_out)
{
    struct prog *q = malloc(sizeof(*q));
    int done = 0;

    c->deadline = time_s > 0 ? min_now() + time_s : 0;
    c->res = malloc(PROG_MAX_OPS * sizeof(*c->res));
    if (c->t2) {
        c->res2 = malloc(PROG_MAX_OPS * sizeof(*c->res2));
        c->dr = malloc(sizeof(*c->dr));
    }
    if (!q || !c->res || (c->t2 && (!c->res2 || !c->dr))) {
        done = -1;
        goto out;
    }
    if (!min_keeps(c, p)) {
        done = -1;
        goto out;
    }
    done += min_ops(c, p, q);
    for (uint32_t i = 0; i < p->nr_ops && min_more(c); i++)
        done += min_op_values(c, p, i);
    /* value edits can make whole ops unnecessary */
    done += min_ops(c, p, q);
out:
    if (runs)
        *runs = c->runs;
    if (timed_out)
        *timed_out = c->timed_out;
    free(q);
    free(c->res);
    free(c->res2);
    free(c->dr);
    return done;
}

int min_program_within(struct target *t, struct prog *p, const char *signature, bool use_fork,
                       double time_s, unsigned *runs, bool *timed_out)
{
    struct min_ctx c = { .t = t, .sig = signature, .use_fork = use_fork };

    return min_run(&c, p, time_s, runs, timed_out);
}

int min_program_diff_within(struct target *a, struct target *b, struct prog *p,
                            const char *signature, double time_s, unsigned *runs, bool *timed_out)
{
    struct min_ctx c = { .t = a, .t2 = b, .sig = signature };

    return min_run(&c, p, time_s, runs, timed_out);
}
