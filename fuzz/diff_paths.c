/* hvfuzz diff over files and directories: each program on both targets, a line per difference. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/diff.h"
#include "hvfuzz/io.h"
#include "hvfuzz/finding.h"
#include "hvfuzz/fuzzer.h"
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

/* Agreement per hypercall (or op kind) and sub-command: ops at least one target ran. */
#define DIFF_MAX_TALLY 256U
struct diff_tally {
    const char *op;             /* diff_op_name */
    uint32_t sub;               /* fuzz_op_cmd */
    unsigned long ran, same;
};

/* The --known file: differences explained elsewhere (docs/XEN.md), by program, op and signature. */
#define DIFF_MAX_KNOWN 128U
struct diff_known {
    char prog[128];
    int  op;
    char sig[96];
    bool seen;
};

struct diff_state {
    const struct diff_opts *o;
    FILE *out, *err;
    struct target t[2];
    struct prog prog;
    struct op_result res[2][PROG_MAX_OPS];
    struct diff_result r;
    unsigned programs, differences, bad, own_findings;
    unsigned long ops, compared, after_own, after_diff, after_frame;
    struct diff_only only[DIFF_MAX_ONLY];
    unsigned nr_only;
    unsigned long only_other;   /* past DIFF_MAX_ONLY kinds of them */
    struct diff_tally tally[DIFF_MAX_TALLY];
    unsigned nr_tally;
    unsigned long ran, same;    /* over every program: the sums of the tallies */
    struct diff_known known[DIFF_MAX_KNOWN];
    unsigned nr_known, known_seen;
    FILE *json_diffs;           /* --json: the differences, gathered for the document's end */
    char *json_buf;
    size_t json_len;
    unsigned nr_json_diffs, unexplained;
};

/* Read the --known file. 0, or -1 after saying what is wrong. */
static int diff_known_load(struct diff_state *s, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    unsigned lineno = 0;

    if (!f) {
        fprintf(s->err, "hvfuzz diff: --known %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        struct diff_known k = { .op = -1 };
        lineno++;
        if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
            continue;
        if (sscanf(line, "%127s %d %95s", k.prog, &k.op, k.sig) != 3 || k.op < 0 ||
            s->nr_known == DIFF_MAX_KNOWN) {
            fprintf(s->err, "hvfuzz diff: --known %s:%u: want 'PROGRAM OP SIGNATURE reason'%s\n",
                    path, lineno, s->nr_known == DIFF_MAX_KNOWN ? " (too many lines)" : "");
            fclose(f);
            return -1;
        }
        s->known[s->nr_known++] = k;
    }
    fclose(f);
    return 0;
}

/* Whether the difference just found in path is one the --known file explains. */
static bool diff_is_known(struct diff_state *s, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (unsigned i = 0; i < s->nr_known; i++) {
        struct diff_known *k = &s->known[i];
        if (k->op == s->r.f.op_index && !strcmp(k->prog, base) && !strcmp(k->sig, s->r.f.signature)) {
            if (!k->seen)
                s->known_seen++;
            k->seen = true;
            return true;
        }
    }
    return false;
}

static void diff_tally_op(struct diff_state *s, const struct prog_op *op, bool same)
{
    const char *name = diff_op_name(op);
    uint32_t sub = fuzz_op_cmd(op);
    struct diff_tally *t = NULL;

    for (unsigned i = 0; i < s->nr_tally && !t; i++)
        if (s->tally[i].sub == sub && !strcmp(s->tally[i].op, name))
            t = &s->tally[i];
    if (!t && s->nr_tally < DIFF_MAX_TALLY) {
        t = &s->tally[s->nr_tally++];
        *t = (struct diff_tally){ .op = name, .sub = sub };
    }
    s->ran++;
    s->same += same;
    if (t) {
        t->ran++;
        t->same += same;
    }
}

/* The compared ops of the program just diffed that at least one target ran, into the tallies. */
static void diff_tally_prog(struct diff_state *s)
{
    const struct diff_result *r = &s->r;
    for (uint32_t i = 0; i < r->compared && i < s->prog.nr_ops; i++) {
        if (s->res[0][i].status == OPS_NOT_RUN && s->res[1][i].status == OPS_NOT_RUN)
            continue;
        if (s->res[0][i].status == OPS_UNSUPPORTED)
            continue;
        diff_tally_op(s, &s->prog.ops[i],
                      !(r->stop == DIFF_STOP_DIFFERENCE && (int)i == r->stop_op));
    }
}

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

/* Report the difference just found; whether the --known file explains it. */
static bool diff_report(struct diff_state *s, const char *path)
{
    const struct diff_result *r = &s->r;
    const struct prog_op *op = &s->prog.ops[r->f.op_index];
    char a[400], b[400], fields[64];

    bool known = diff_is_known(s, path);

    diff_seen_format(op, &r->seen[0], a, sizeof(a));
    diff_seen_format(op, &r->seen[1], b, sizeof(b));
    diff_fields_format(r->fields, fields, sizeof(fields));
    if (s->json_diffs) {
        FILE *j = s->json_diffs;
        fprintf(j, "%s{\"program\":", s->nr_json_diffs++ ? ",\n    " : "\n    ");
        io_json_str(j, path);
        fprintf(j, ",\"op\":%d,\"signature\":", r->f.op_index);
        io_json_str(j, r->f.signature);
        fprintf(j, ",\"fields\":");
        io_json_str(j, fields);
        fprintf(j, ",\"a\":");
        io_json_str(j, a);
        fprintf(j, ",\"b\":");
        io_json_str(j, b);
        fprintf(j, ",\"known\":%s}", known ? "true" : "false");
        return known;
    }
    fprintf(s->out, "%s: %s %s at op %d (%s): %s: %s | %s: %s\n", path,
            known ? "KNOWN" : "DIFF", r->f.signature, r->f.op_index, fields, r->label[0], a,
            r->label[1], b);
    if (!s->o->verbose)
        return known;
    size_t len = finding_format(&s->prog, &r->f, s->res[0], NULL, 0) + 1;
    char *text = malloc(len);
    if (text) {
        finding_format(&s->prog, &r->f, s->res[0], text, len);
        fprintf(s->out, "%s\n", text);
        free(text);
    }
    return known;
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
    diff_tally_prog(s);
    for (unsigned side = 0; side < 2; side++)
        if (r->own[side] && !o->json) {
            s->own_findings++;
            fprintf(s->out, "%s: %s's own oracles: finding %s at op %d (hvfuzz replay%s%s shows "
                    "it)\n", path, r->label[side], r->own_f[side].signature,
                    r->own_f[side].op_index, strcmp(r->name[side], "native") ? " --target " : "",
                    strcmp(r->name[side], "native") ? r->name[side] : "");
        }
    switch (r->stop) {
    case DIFF_STOP_DIFFERENCE:
        s->after_diff += rest;
        s->differences++;
        if (!diff_report(s, path))
            s->unexplained++;
        return;
    case DIFF_STOP_ONLY_ONE:
        diff_count_only(s, &s->prog, rest);
        break;
    case DIFF_STOP_FINDING:
        s->after_own += rest;
        break;
    case DIFF_STOP_FRAME:
        s->after_frame += rest;
        break;
    case DIFF_STOP_END:
        break;
    }
    if (o->verbose && !o->json)
        fprintf(s->out, "%s: same (%u of %u ops compared)%s%s\n", path, r->compared, r->nr_ops,
                r->note[0] ? ": " : "", r->note);
}

static double diff_pct(unsigned long same, unsigned long ran)
{
    return ran ? 100.0 * (double)same / (double)ran : 100.0;
}

static void diff_summary_json(struct diff_state *s)
{
    const struct diff_opts *o = s->o;
    FILE *f = s->out;

    fprintf(f, "{\"format\":1,\"targets\":[\"%s\",\"%s\"],\"programs\":%u,\"bad_files\":%u,"
            "\"ops\":%lu,\"ops_compared\":%lu,\"ops_ran\":%lu,\"ops_same\":%lu,"
            "\"agreement_pct\":%.2f,\"differences\":%u,\"unexplained\":%u,\"known_lines\":%u,"
            "\"known_lines_seen\":%u,\"not_compared\":{\"only_one\":%lu,\"after_own_finding\":%lu,"
            "\"after_difference\":%lu,\"after_frame_number\":%lu},\n  \"per_op\":[",
            o->target[0]->name, o->target[1]->name, s->programs, s->bad, s->ops, s->compared,
            s->ran, s->same, diff_pct(s->same, s->ran), s->differences, s->unexplained,
            s->nr_known, s->known_seen,
            s->ops - s->compared - s->after_own - s->after_diff - s->after_frame, s->after_own,
            s->after_diff, s->after_frame);
    for (unsigned i = 0; i < s->nr_tally; i++)
        fprintf(f, "%s\n    {\"op\":\"%s\",\"sub\":%u,\"ran\":%lu,\"same\":%lu,\"agreement_pct\":%.2f}",
                i ? "," : "", s->tally[i].op, s->tally[i].sub, s->tally[i].ran, s->tally[i].same,
                diff_pct(s->tally[i].same, s->tally[i].ran));
    fprintf(f, "],\n  \"diffs\":[");
    if (s->json_diffs) {
        fflush(s->json_diffs);
        fwrite(s->json_buf, 1, s->json_len, f);
    }
    fprintf(f, "]}\n");
}

static void diff_summary(struct diff_state *s)
{
    const struct diff_opts *o = s->o;

    if (o->json) {
        diff_summary_json(s);
        return;
    }
    fprintf(s->out, "diffed %u programs on %s and %s: %lu ops compared, %lu not compared, %u "
            "differences, %u bad files\n", s->programs, o->target[0]->name, o->target[1]->name,
            s->compared, s->ops - s->compared, s->differences, s->bad);
    fprintf(s->out, "  agreement: %lu of %lu ops that ran (%.2f%%)", s->same, s->ran,
            diff_pct(s->same, s->ran));
    if (s->nr_known)
        fprintf(s->out, "; %u differences not explained by %s (%u of its %u lines seen)",
                s->unexplained, o->known, s->known_seen, s->nr_known);
    fprintf(s->out, "\n");
    if (o->verbose)
        for (unsigned i = 0; i < s->nr_tally; i++)
            fprintf(s->out, "  %-28s sub %-5u %6lu ran, %6lu same (%.2f%%)\n", s->tally[i].op,
                    s->tally[i].sub, s->tally[i].ran, s->tally[i].same,
                    diff_pct(s->tally[i].same, s->tally[i].ran));
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
    if (s->after_frame)
        fprintf(s->out, "  %lu ops not compared: from an op naming a machine frame by number\n",
                s->after_frame);
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
    if (o->known && diff_known_load(s, o->known) < 0) {
        free(s);
        return DIFF_EXIT_BAD;
    }
    if (o->json && !(s->json_diffs = open_memstream(&s->json_buf, &s->json_len))) {
        fprintf(err, "hvfuzz diff: out of memory\n");
        free(s);
        return DIFF_EXIT_BAD;
    }
    s->bad += replay_walk("hvfuzz diff", paths, n, diff_one, s, err);
    diff_summary(s);
    rc = s->unexplained ? DIFF_EXIT_DIFF : s->bad ? DIFF_EXIT_BAD : DIFF_EXIT_SAME;
    if (s->json_diffs) {
        fclose(s->json_diffs);
        free(s->json_buf);
    }
    for (unsigned side = 0; side < 2; side++)
        if (s->t[side].ops)
            target_close(&s->t[side]);
    free(s);
    return rc;
}
