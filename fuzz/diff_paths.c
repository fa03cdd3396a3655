/* hvfuzz diff over files and directories: each program on both targets, a line per difference. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/diff.h"
#include "hvfuzz/finding.h"
#include "hvfuzz/replay.h"

/* Why ops went uncompared, for the summary: an op only one target runs (by target and op name),
   a target's own finding, a difference before them. */
#define DIFF_MAX_ONLY 32U
struct diff_only {
    unsigned side;
    const char *op;             /* diff_op_name: static strings */
    unsigned long ops;
    unsigned progs;
};

struct diff_state {
    const struct diff_opts *o;
    FILE *out, *err;
    struct target t[2];
    struct prog prog;
    struct op_result res[2][PROG_MAX_OPS];
    struct diff_result r;
    unsigned programs, differences, bad, own_findings;
    unsigned long ops, compared, after_own, after_diff;
    struct diff_only only[DIFF_MAX_ONLY];
    unsigned nr_only;
    unsigned long only_other;   /* past DIFF_MAX_ONLY kinds of them */
};

static bool diff_shape_eq(const struct prog_shape *a, const struct prog_shape *b)
{
    return a->nr_frames == b->nr_frames && a->nr_domains == b->nr_domains &&
           a->nr_vcpus == b->nr_vcpus && a->dom_pages == b->dom_pages;
}

/* The target of one side open on the program's machine with these options: kept open across
   programs, re-opened when either changes. 0, or -1 if the target cannot build it. */
static int diff_ready(struct diff_state *s, unsigned side, const struct target_opts *use)
{
    struct target *t = &s->t[side];

    if (t->ops && (!diff_shape_eq(&t->shape, &s->prog.shape) || t->opts.bugs != use->bugs ||
                   t->opts.audit_each_op != use->audit_each_op))
        target_close(t);
    if (!t->ops && target_open(t, s->o->target[side], &s->prog.shape, use) < 0)
        return -1;
    return 0;
}

static void diff_count_only(struct diff_state *s, const struct prog *p, unsigned long ops)
{
    const char *op = diff_op_name(&p->ops[s->r.stop_op]);
    unsigned side = (unsigned)s->r.only;

    for (unsigned i = 0; i < s->nr_only; i++)
        if (s->only[i].side == side && !strcmp(s->only[i].op, op)) {
            s->only[i].ops += ops;
            s->only[i].progs++;
            return;
        }
    if (s->nr_only == DIFF_MAX_ONLY) {
        s->only_other += ops;
        return;
    }
    s->only[s->nr_only++] = (struct diff_only){ .side = side, .op = op, .ops = ops, .progs = 1 };
}

static void diff_report(struct diff_state *s, const char *path)
{
    const struct diff_result *r = &s->r;
    const struct prog_op *op = &s->prog.ops[r->f.op_index];
    char a[400], b[400], fields[64];

    diff_seen_format(op, &r->seen[0], a, sizeof(a));
    diff_seen_format(op, &r->seen[1], b, sizeof(b));
    diff_fields_format(r->fields, fields, sizeof(fields));
    fprintf(s->out, "%s: DIFF %s at op %d (%s): %s: %s | %s: %s\n", path, r->f.signature,
            r->f.op_index, fields, r->label[0], a, r->label[1], b);
    if (!s->o->verbose)
        return;
    size_t len = finding_format(&s->prog, &r->f, s->res[0], NULL, 0) + 1;
    char *text = malloc(len);
    if (text) {
        finding_format(&s->prog, &r->f, s->res[0], text, len);
        fprintf(s->out, "%s\n", text);
        free(text);
    }
}

static void diff_one(const char *path, void *arg)
{
    struct diff_state *s = arg;
    const struct diff_opts *o = s->o;
    struct prog_text_error terr;
    struct target_opts use;
    enum prog_err e = prog_load_err(&s->prog, path, &terr, NULL);

    if (e != PROG_OK) {
        char msg[4400];
        prog_load_strerror(msg, sizeof(msg), "hvfuzz diff", path, e, &terr);
        fprintf(s->err, "%s\n", msg);
        s->bad++;
        return;
    }
    /* a finding's program runs with the switches it was found with, as replay runs it */
    if (finding_replay_opts(path, &o->topts, o->bugs_given, &use, s->out, s->err) < 0) {
        s->bad++;
        return;
    }
    /* the payloads written back are compared; the programs' own expectations are not */
    use.capture_out = true;
    use.check_expect = false;
    for (unsigned side = 0; side < 2; side++)
        if (diff_ready(s, side, &use) < 0) {
            fprintf(s->err, "hvfuzz diff: %s: the %s target could not build this program's "
                    "machine\n", path, o->target[side]->name);
            s->bad++;
            return;
        }
    diff_run(&s->t[0], &s->t[1], &s->prog, s->res[0], s->res[1], &s->r);
    const struct diff_result *r = &s->r;
    unsigned long rest = r->nr_ops - r->compared;

    s->programs++;
    s->ops += r->nr_ops;
    s->compared += r->compared;
    for (unsigned side = 0; side < 2; side++)
        if (r->own[side]) {
            s->own_findings++;
            fprintf(s->out, "%s: %s's own oracles: finding %s at op %d (hvfuzz replay%s%s shows "
                    "it)\n", path, r->label[side], r->own_f[side].signature,
                    r->own_f[side].op_index, strcmp(r->name[side], "native") ? " --target " : "",
                    strcmp(r->name[side], "native") ? r->name[side] : "");
        }
    switch (r->stop) {
    case DIFF_STOP_DIFFERENCE:
        s->differences++;
        s->after_diff += rest;
        diff_report(s, path);
        return;
    case DIFF_STOP_ONLY_ONE:
        diff_count_only(s, &s->prog, rest);
        break;
    case DIFF_STOP_FINDING:
        s->after_own += rest;
        break;
    case DIFF_STOP_END:
        break;
    }
    if (o->verbose)
        fprintf(s->out, "%s: same (%u of %u ops compared)%s%s\n", path, r->compared, r->nr_ops,
                r->note[0] ? ": " : "", r->note);
}

static void diff_summary(struct diff_state *s)
{
    const struct diff_opts *o = s->o;

    fprintf(s->out, "diffed %u programs on %s and %s: %lu ops compared, %lu not compared, %u "
            "differences, %u bad files\n", s->programs, o->target[0]->name, o->target[1]->name,
            s->compared, s->ops - s->compared, s->differences, s->bad);
    for (unsigned i = 0; i < s->nr_only; i++)
        fprintf(s->out, "  %lu ops not compared in %u programs: from an op only %s runs (%s)\n",
                s->only[i].ops, s->only[i].progs, o->target[s->only[i].side]->name,
                s->only[i].op);
    if (s->only_other)
        fprintf(s->out, "  %lu ops not compared: from other ops only one target runs\n",
                s->only_other);
    if (s->after_own)
        fprintf(s->out, "  %lu ops not compared: from a target's own finding on\n", s->after_own);
    if (s->after_diff)
        fprintf(s->out, "  %lu ops not compared: after a difference\n", s->after_diff);
    if (s->own_findings)
        fprintf(s->out, "  %u findings of the targets' own oracles (not differences: hvfuzz "
                "replay checks those)\n", s->own_findings);
}

int diff_paths(const struct diff_opts *o, char *const *paths, int n, FILE *out, FILE *err)
{
    struct diff_state *s = calloc(1, sizeof(*s));
    int rc;

    if (!s) {
        fprintf(err, "hvfuzz diff: out of memory\n");
        return DIFF_EXIT_BAD;
    }
    s->o = o;
    s->out = out;
    s->err = err;
    s->bad += replay_walk("hvfuzz diff", paths, n, diff_one, s, err);
    diff_summary(s);
    rc = s->differences ? DIFF_EXIT_DIFF : s->bad ? DIFF_EXIT_BAD : DIFF_EXIT_SAME;
    for (unsigned side = 0; side < 2; side++)
        if (s->t[side].ops)
            target_close(&s->t[side]);
    free(s);
    return rc;
}
