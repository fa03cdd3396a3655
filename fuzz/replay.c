/* Replay: run program files deterministically, report findings, name bad files in one line. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/replay.h"
#include "hvfuzz/sandbox.h"

struct replay_state {
    const struct replay_opts *o;
    FILE *out, *err;
    unsigned findings, bad, clean;
    unsigned long expect_ops;  /* ops with an expectation, in the programs that loaded */
    unsigned long expects;     /* the results they state (a key or an out@ field each) */
    struct prog prog;          /* the program being replayed (big: kept out of the stack) */
    struct target_opts topts;  /* its options: o->topts, or a finding's recorded switches */
};

/* What a run sends back (from the sandboxed child, or filled in-process). */
struct replay_reply {
    bool open_failed;          /* the target could not build the program's machine */
    bool found;
    struct finding f;
    struct op_result res[PROG_MAX_OPS];   /* out cleared: the payloads are in got[] */
    struct prog_expect got[PROG_MAX_OPS]; /* what each op that ran did (target_observe) */
    uint32_t nr_ran;                      /* ops that ran: the rest stopped at the finding */
};

static long replay_child(void *arg, void *reply, size_t cap)
{
    struct replay_state *s = arg;
    struct replay_reply *r = reply;
    struct target t;

    if (cap < sizeof(*r))
        return -1;
    struct target_opts topts = s->topts;

    memset(r, 0, sizeof(*r));
    topts.check_expect = !s->o->no_expect;
    topts.capture_out = true;
    if (target_open(&t, s->o->target, &s->prog.shape, &topts) < 0) {
        /* a reply, not a failing exit: the parent must not take it for a crash */
        r->open_failed = true;
        return (long)sizeof(*r);
    }
    r->found = target_run(&t, &s->prog, r->res, &r->f);
    r->nr_ran = s->prog.nr_ops;
    if (r->found && r->f.op_index >= 0 && (uint32_t)r->f.op_index < s->prog.nr_ops)
        r->nr_ran = (uint32_t)r->f.op_index + 1;
    for (uint32_t i = 0; i < r->nr_ran; i++)
        target_observe(&s->prog.ops[i], &r->res[i], NULL, &r->got[i]);
    /* the payloads live in the target (and in the child's memory): got[] holds what they said */
    for (uint32_t i = 0; i < PROG_MAX_OPS; i++) {
        r->res[i].out = NULL;
        r->res[i].out_len = 0;
    }
    target_close(&t);
    return (long)sizeof(*r);
}

/*
 * The program with what each op did as its expectations (replay -v, --results): a valid program
 * that replays clean on the same target. Ops that did not run (the program stopped at a
 * finding) state nothing.
 */
static void replay_results(struct replay_state *s, const struct replay_reply *r, const char *path)
{
    static struct prog shown;
    static char text[1 << 20];

    shown = s->prog;
    for (uint32_t i = 0; i < shown.nr_ops; i++) {
        memset(&shown.ops[i].expect, 0, sizeof(shown.ops[i].expect));
        if (i < r->nr_ran)
            shown.ops[i].expect = r->got[i];
    }
    if (s->o->verbose) {
        prog_format_text(&shown, text, sizeof(text));
        fprintf(s->out, "%s: results\n%s", path, text);
        if (r->nr_ran < shown.nr_ops)
            fprintf(s->out, "# ops %u..%u did not run: the program stopped at the finding\n",
                    r->nr_ran, shown.nr_ops - 1);
    }
    if (s->o->results_path) {
        enum prog_err e = prog_save(&shown, s->o->results_path);
        if (e != PROG_OK) {
            fprintf(s->err, "hvfuzz replay: %s: %s\n", s->o->results_path,
                    e == PROG_E_IO ? strerror(errno) : prog_strerror(e));
            s->bad++;
        }
    }
}

static void replay_one(struct replay_state *s, const char *path)
{
    static struct replay_reply reply;
    struct prog_text_error terr;
    enum prog_err e = prog_load_err(&s->prog, path, &terr, NULL);

    if (e != PROG_OK) {
        char msg[4400];
        prog_load_strerror(msg, sizeof(msg), "hvfuzz replay", path, e, &terr);
        fprintf(s->err, "%s\n", msg);
        s->bad++;
        return;
    }
    if (finding_replay_opts(path, &s->o->topts, s->o->bugs_given, &s->topts, s->out, s->err) < 0) {
        s->bad++;
        return;
    }
    memset(&reply, 0, sizeof(reply));
    if (s->o->fork) {
        static struct sandbox_result sr;
        struct finding cf;
        if (sandbox_run(replay_child, s, s->o->timeout_ms, &reply, sizeof(reply), &sr) < 0) {
            fprintf(s->err, "hvfuzz replay: %s: cannot start a child: %s\n", path, strerror(errno));
            s->bad++;
            return;
        }
        if (sr.reply_len == sizeof(reply) && reply.open_failed) {
            fprintf(s->err, "hvfuzz replay: %s: the target could not run this program's shape\n",
                    path);
            s->bad++;
            return;
        }
        if (sandbox_finding(&sr, 0, &cf)) {
            memset(&reply, 0, sizeof(reply));
            reply.found = true;
            reply.f = cf;
        } else if (sr.reply_len != sizeof(reply)) {
            fprintf(s->err, "hvfuzz replay: %s: the target could not run this program's shape\n",
                    path);
            s->bad++;
            return;
        }
    } else if (replay_child(s, &reply, sizeof(reply)) < 0 || reply.open_failed) {
        fprintf(s->err, "hvfuzz replay: %s: the target could not run this program's shape\n", path);
        s->bad++;
        return;
    }
    for (uint32_t i = 0; i < s->prog.nr_ops; i++) {
        const struct prog_expect *x = &s->prog.ops[i].expect;
        s->expect_ops += x->have != 0;
        /* each stated result counts: one per key, one per out@ field */
        s->expects += (unsigned)__builtin_popcount(x->have & ~PE_OUT) + x->nr_out;
    }
    if (s->o->verbose || s->o->results_path)
        replay_results(s, &reply, path);
    if (!reply.found) {
        s->clean++;
        if (!s->o->quiet)
            fprintf(s->out, "%s: ok (%u ops)\n", path, s->prog.nr_ops);
        return;
    }
    s->findings++;
    size_t len = finding_format(&s->prog, &reply.f, reply.res, NULL, 0) + 1;
    char *text = malloc(len);
    if (text) {
        finding_format(&s->prog, &reply.f, reply.res, text, len);
        fprintf(s->out, "%s: FINDING %s\n%s\n", path, reply.f.signature, text);
        free(text);
    } else {
        fprintf(s->out, "%s: FINDING %s\n", path, reply.f.signature);
    }
    struct finding_info info = { .target = s->o->target->name, .bugs = s->topts.bugs,
                                 .audit_each_op = s->topts.audit_each_op, .source = path };
    if (s->o->out_dir &&
        finding_write(s->o->out_dir, &s->prog, &reply.f, reply.res, &info, NULL, 0) < 0)
        fprintf(s->err, "hvfuzz replay: %s: cannot store the finding: %s\n", s->o->out_dir,
                strerror(errno));
}

static int replay_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct replay_walker {
    const char *tool;
    void (*fn)(const char *path, void *arg);
    void *arg;
    FILE *err;
    unsigned bad;
};

static void replay_walk_path(struct replay_walker *w, const char *path, unsigned depth);

static void replay_walk_dir(struct replay_walker *w, const char *path, unsigned depth)
{
    DIR *d = opendir(path);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;

    if (!d) {
        fprintf(w->err, "%s: %s: %s\n", w->tool, path, strerror(errno));
        w->bad++;
        return;
    }
    while ((de = readdir(d)) != NULL) {
        /* dot files are temporaries (finding_write's) and . ..; reports are not programs */
        if (de->d_name[0] == '.' || finding_skip_name(de->d_name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof(*nn));
            if (!nn)
                break;
            names = nn;
            cap = nc;
        }
        size_t len = strlen(path) + strlen(de->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            break;
        snprintf(names[n], len, "%s/%s", path, de->d_name);
        n++;
    }
    closedir(d);
    /* name order: the same directory replays the same way everywhere */
    if (n)
        qsort(names, n, sizeof(*names), replay_cmp);
    for (size_t i = 0; i < n; i++) {
        replay_walk_path(w, names[i], depth + 1);
        free(names[i]);
    }
    free(names);
}

static void replay_walk_path(struct replay_walker *w, const char *path, unsigned depth)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        fprintf(w->err, "%s: %s: %s\n", w->tool, path, strerror(errno));
        w->bad++;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth < 8)
            replay_walk_dir(w, path, depth);
        return;
    }
    w->fn(path, w->arg);
}

unsigned replay_walk(const char *tool, char *const *paths, int n,
                     void (*fn)(const char *path, void *arg), void *arg, FILE *err)
{
    struct replay_walker w = { .tool = tool, .fn = fn, .arg = arg, .err = err };

    for (int i = 0; i < n; i++)
        replay_walk_path(&w, paths[i], 0);
    return w.bad;
}

static void replay_file(const char *path, void *arg)
{
    replay_one(arg, path);
}

int replay_paths(const struct replay_opts *o, char *const *paths, int n, FILE *out, FILE *err)
{
    struct replay_state *s = calloc(1, sizeof(*s));
    int rc;

    if (!s) {
        fprintf(err, "hvfuzz replay: out of memory\n");
        return REPLAY_EXIT_BAD;
    }
    s->o = o;
    s->out = out;
    s->err = err;
    s->bad += replay_walk("hvfuzz replay", paths, n, replay_file, s, err);
    if (!o->quiet || s->findings || s->bad)
        fprintf(out, "replayed %u: %u clean, %u findings, %u bad files; %lu expectations in "
                "%lu ops%s\n", s->clean + s->findings, s->clean, s->findings, s->bad,
                s->expects, s->expect_ops, o->no_expect ? " (not checked: --no-expect)" : "");
    rc = s->findings ? REPLAY_EXIT_FINDING : s->bad ? REPLAY_EXIT_BAD : REPLAY_EXIT_OK;
    free(s);
    return rc;
}
