/* The conformance runner: CUnit registry of the registered areas, one forked child per case, JUnit. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "conformance.h"
#include "hvfuzz/audit.h"
#include "hvfuzz/record.h"
#include "hvfuzz/sandbox.h"
#include "runner.h"

#define CONF_EXIT_OK     0
#define CONF_EXIT_FAILED 1
#define CONF_EXIT_USAGE  2
#define CONF_MAX_FILTERS 32
#define CONF_DEFAULT_TIMEOUT 60U

static struct conf_area *conf_area_list;

void conf_register(struct conf_area *a)
{
    a->next = conf_area_list;
    conf_area_list = a;
}

struct conf_area *conf_areas(void)
{
    return conf_area_list;
}

struct conf_opts {
    bool list, verbose, no_fork;
    unsigned timeout;             /* seconds per forked case; 0: none */
    const char *junit;
    const char *record;           /* --record DIR */
    const char *filters[CONF_MAX_FILTERS];
    unsigned nr_filters;
};

/* The CUnit trampoline gets no argument, so the run's state lives here. */
static struct conf_run {
    const struct conf_opts *opts;
    struct conf_entry *entries;
    unsigned nr;
} conf_run;

/* ---- results --------------------------------------------------------------------------------- */

const char *conf_state_label(enum conf_state s)
{
    switch (s) {
    case CONF_SUCCESS: return "PASS";
    case CONF_SKIP:    return "SKIP";
    case CONF_ERROR:   return "ERROR";
    case CONF_FAILURE: return "FAILURE";
    }
    return "?";
}

/* Append one line to the notes, cut short rather than lost when they are full. */
static void conf_result_note(struct conf_result *r, const char *text)
{
    size_t used = strlen(r->notes), room = sizeof(r->notes) - used, len = strlen(text);

    if (room < 2)
        return;
    if (len > room - 2)
        len = room - 2;
    memcpy(r->notes + used, text, len);
    r->notes[used + len] = '\n';
    r->notes[used + len + 1] = '\0';
}

/* Same rule as conf_report: the first message of the most severe state is the one shown. */
static void conf_result_raise(struct conf_result *r, enum conf_state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void conf_result_raise(struct conf_result *r, enum conf_state s, const char *fmt, ...)
{
    char text[CONF_MSG_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (s > r->state) {
        r->state = s;
        memcpy(r->msg, text, sizeof(r->msg));
    } else {
        /* keep what was pushed out of sight: it may explain the verdict */
        conf_result_note(r, text);
    }
}

/* The audit is the oracle behind every case: a violation fails the case whatever it checked. */
static void conf_audit(struct conf_ctx *c, const struct conf_entry *e, struct conf_result *r)
{
    struct audit_report rep;
    char line[256], first[256] = "";
    unsigned total, i;

    memset(&rep, 0, sizeof(rep));
    total = audit_run(c->hv, &rep);
    if (!total)
        return;
    for (i = 0; i < rep.n && i < AUDIT_MAX_REPORTED; i++) {
        char v[200];

        audit_format(&rep.v[i], v, sizeof(v));
        if (i == 0)
            snprintf(first, sizeof(first), "%s", v);
        snprintf(line, sizeof(line), "audit: %s", v);
        conf_result_note(r, line);
    }
    if (total > rep.n) {
        snprintf(line, sizeof(line), "audit: ... %u more", total - rep.n);
        conf_result_note(r, line);
    }
    if (r->state < CONF_FAILURE) {
        r->state = CONF_FAILURE;
        snprintf(r->msg, sizeof(r->msg), "%s: audit after the case: %s (%u violation%s)",
                 e->file, first, total, total == 1 ? "" : "s");
    }
}

/* ---- recording ------------------------------------------------------------------------------- */

/* Only a passing case becomes a seed: its program is known-good input. */
static void conf_record_finish(const struct conf_entry *e, struct conf_result *r,
                               struct recorder *rec)
{
    char name[256];

    if (r->state != CONF_SUCCESS) {
        r->rec = RECORD_NOT_PASSED;
        return;
    }
    snprintf(name, sizeof(name), "%s.%s", e->area, e->cc->name);
    r->rec = record_save(rec, conf_run.opts->record, name, r->rec_why, sizeof(r->rec_why));
}

/* One case on a fresh machine, in whatever process we are in. */
static void conf_run_case(const struct conf_entry *e, struct conf_result *r)
{
    struct recorder *rec = NULL;
    struct conf_ctx c;
    bool ready;

    memset(&c, 0, sizeof(c));
    memset(r, 0, sizeof(*r));
    c.state = CONF_SUCCESS;
    c.data = e->cc->data;
    ready = conf_machine_setup(&c) == 0;
    if (ready && conf_run.opts->record) {
        rec = record_new(&record_conf_shape);
        if (!rec)
            CONF_ERROR(&c, "--record: out of memory");
        conf_set_recorder(rec);
    }
    if (ready)
        e->cc->fn(&c);
    conf_set_recorder(NULL);
    r->state = c.state;
    r->checks = c.checks;
    snprintf(r->msg, sizeof(r->msg), "%s", c.msg);
    if (r->state != CONF_SUCCESS && !r->msg[0])
        snprintf(r->msg, sizeof(r->msg), "%s: %s without a message", e->file,
                 conf_state_label(r->state));
    /* a machine that never finished building would only show set-up debris */
    if (ready)
        conf_audit(&c, e, r);
    conf_machine_teardown(&c);
    if (rec)
        conf_record_finish(e, r, rec);
    record_free(rec);
}

/* ---- running a case in a child ---------------------------------------------------------------- */

/* The child's half: the case, its verdict written straight into the parent's reply buffer. */
static long conf_child(void *arg, void *reply, size_t cap)
{
    if (cap < sizeof(struct conf_result))
        return -1;
    conf_run_case(arg, reply);
    return (long)sizeof(struct conf_result);
}

/*
 * A crash, a sanitizer exit or a hang in the child becomes an ERROR of this case only. The child
 * runs in the fuzz loop's sandbox; it ends by exit(), so LeakSanitizer checks each case.
 */
static void conf_run_forked(struct conf_entry *e)
{
    static struct sandbox_result sr;   /* the child's stderr is kept in it: too big for a stack */
    struct conf_result *r = &e->r;
    const struct sandbox_opts so = { .timeout_ms = conf_run.opts->timeout * 1000U,
                                     .leak_check = true };
    char how[160];

    memset(r, 0, sizeof(*r));
    if (sandbox_run_opts(&so, conf_child, e, r, sizeof(*r), &sr) < 0) {
        conf_result_raise(r, CONF_ERROR, "runner: cannot start the case's process: %s",
                          strerror(errno));
        return;
    }
    /* what the child said on stderr (a sanitizer or leak report) is shown as it was before the
       sandbox captured it, ahead of the case's result line */
    if (sr.err_len) {
        fwrite(sr.err, 1, sr.err_len, stderr);
        if (sr.err_lost)
            fprintf(stderr, "(%zu more bytes of the case's stderr dropped)\n", sr.err_lost);
        fflush(stderr);
    }
    bool reported = sr.reply_len == sizeof(*r);
    if (sr.how == SANDBOX_EXITED && sr.status == 0 && reported)
        return;
    if (sr.how == SANDBOX_TIMEOUT && !reported) {
        memset(r, 0, sizeof(*r));
        conf_result_raise(r, CONF_ERROR, "%s: timed out after %u s (killed by SIGKILL)", e->file,
                          conf_run.opts->timeout);
        return;
    }
    sandbox_describe(&sr, so.timeout_ms, how, sizeof(how));
    if (!reported) {
        memset(r, 0, sizeof(*r));
        if (sr.how == SANDBOX_SIGNALED)
            conf_result_raise(r, CONF_ERROR, "%s: case crashed: %s", e->file, how);
        else if (sr.status)
            conf_result_raise(r, CONF_ERROR, "%s: case %s before reporting (a sanitizer report "
                              "above?)", e->file, how);
        else
            conf_result_raise(r, CONF_ERROR, "%s: case ended without a result", e->file);
        return;
    }
    /* the verdict arrived; whatever ended the child afterwards (teardown, leak check) still counts */
    if (sr.how == SANDBOX_EXITED)
        conf_result_raise(r, CONF_ERROR, "%s: %s after the case (a sanitizer or leak report "
                          "above?)", e->file, how);
    else
        conf_result_raise(r, CONF_ERROR, "%s: %s after the case (in teardown?)", e->file, how);
}

static double conf_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void conf_print_notes(FILE *f, const char *notes)
{
    const char *p = notes;

    while (*p) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);

        fprintf(f, "    %.*s\n", n, p);
        p += n + (nl ? 1 : 0);
    }
}

static void conf_print_result(const struct conf_entry *e)
{
    const struct conf_result *r = &e->r;
    bool bad = r->state == CONF_FAILURE || r->state == CONF_ERROR;

    if (conf_run.opts->verbose) {
        printf("%-7s %s/%s (%u checks, %.3f s)\n", conf_state_label(r->state), e->area,
               e->cc->name, r->checks, e->secs);
        if (r->state != CONF_SUCCESS)
            printf("    %s\n", r->msg);
    } else if (bad) {
        printf("%s %s/%s: %s\n", conf_state_label(r->state), e->area, e->cc->name, r->msg);
    }
    if (bad || conf_run.opts->verbose)
        conf_print_notes(stdout, r->notes);
}

/* Every CUnit test is this function; it finds its case by the test CUnit is running. */
static void conf_trampoline(void)
{
    CU_pTest t = CU_get_current_test();
    struct conf_entry *e = NULL;
    double start;
    unsigned i;

    for (i = 0; i < conf_run.nr; i++) {
        if (conf_run.entries[i].test == t) {
            e = &conf_run.entries[i];
            break;
        }
    }
    if (!e) {
        CU_FAIL("conformance runner: no case for the current CUnit test");
        return;
    }
    /* the case's own reports (-v) follow this line, so they read as belonging to it */
    if (conf_run.opts->verbose)
        printf("RUN     %s/%s\n", e->area, e->cc->name);
    fflush(stdout);
    start = conf_now();
    if (conf_run.opts->no_fork) {
        conf_run_case(e, &e->r);
    } else {
        conf_run_forked(e);
    }
    e->secs = conf_now() - start;
    conf_print_result(e);
    fflush(stdout);
    /* keep CUnit's own counts in step with ours */
    if (e->r.state == CONF_FAILURE || e->r.state == CONF_ERROR)
        CU_assertImplementation(CU_FALSE, 0, e->r.msg, e->file, "", CU_FALSE);
}

/* ---- selection ------------------------------------------------------------------------------- */

/* "AREA" selects an area; "AREA/PREFIX" the cases of AREA whose names start with PREFIX. */
static bool conf_filter_match(const char *filter, const char *area, const char *name)
{
    const char *slash = strchr(filter, '/');

    if (!slash)
        return !strcmp(filter, area);
    if (strlen(area) != (size_t)(slash - filter) || strncmp(filter, area, (size_t)(slash - filter)))
        return false;
    return !strncmp(name, slash + 1, strlen(slash + 1));
}

static bool conf_selected(const struct conf_opts *o, const char *area, const char *name,
                          bool *used)
{
    bool hit = o->nr_filters == 0;
    unsigned i;

    for (i = 0; i < o->nr_filters; i++) {
        if (conf_filter_match(o->filters[i], area, name)) {
            used[i] = true;
            hit = true;
        }
    }
    return hit;
}

static int conf_area_cmp(const struct conf_area *x, const struct conf_area *y)
{
    int d = strcmp(x->name, y->name);

    if (d)
        return d;
    return strcmp(x->file ? x->file : "", y->file ? y->file : "");
}

/* Insertion sort: stable, so areas equal by name and file keep their constructor order. */
static void conf_area_sort(struct conf_area **areas, unsigned n)
{
    unsigned i, j;

    for (i = 1; i < n; i++) {
        struct conf_area *a = areas[i];

        for (j = i; j > 0 && conf_area_cmp(areas[j - 1], a) > 0; j--)
            areas[j] = areas[j - 1];
        areas[j] = a;
    }
}

/*
 * Flatten the registered areas into entries sorted by area name (constructor order follows link
 * order, which nobody should have to think about). An area may span several files; a case name
 * must be unique within it. Returns the number of entries, or -1 (message printed).
 */
static int conf_collect(const struct conf_opts *o, struct conf_entry **out)
{
    struct conf_area *a, **areas;
    struct conf_entry *ent;
    bool used[CONF_MAX_FILTERS] = { false };
    unsigned nr_areas = 0, total = 0, n = 0, i, k, j;
    int rc = -1;

    for (a = conf_areas(); a; a = a->next) {
        nr_areas++;
        total += a->nr_cases;
    }
    areas = calloc(nr_areas ? nr_areas : 1, sizeof(*areas));
    ent = calloc(total ? total : 1, sizeof(*ent));
    if (!areas || !ent) {
        fprintf(stderr, "hvfuzz conform: out of memory\n");
        goto out;
    }
    /* conf_register prepends: fill from the back to get constructor order */
    for (i = nr_areas, a = conf_areas(); a; a = a->next)
        areas[--i] = a;
    conf_area_sort(areas, nr_areas);
    for (i = 0; i < nr_areas; i++) {
        a = areas[i];
        if (!a->name || !a->name[0] || strchr(a->name, '/')) {
            fprintf(stderr, "hvfuzz conform: %s: area name \"%s\" must be non-empty without '/'\n",
                    a->file ? a->file : "?", a->name ? a->name : "");
            goto out;
        }
        for (k = 0; k < a->nr_cases; k++) {
            const struct conf_case *cc = &a->cases[k];
            const char *file = a->file ? a->file : "?";

            if (!cc->name || !cc->name[0] || !cc->fn) {
                fprintf(stderr, "hvfuzz conform: %s: case %u of area %s has no name or no "
                        "function\n", file, k, a->name);
                goto out;
            }
            for (j = 0; j < n; j++) {
                if (!strcmp(ent[j].area, a->name) && !strcmp(ent[j].cc->name, cc->name)) {
                    fprintf(stderr, "hvfuzz conform: duplicate case %s/%s (%s and %s)\n",
                            a->name, cc->name, ent[j].file, file);
                    goto out;
                }
            }
            if (!conf_selected(o, a->name, cc->name, used))
                continue;
            ent[n].area = a->name;
            ent[n].file = file;
            ent[n].cc = cc;
            n++;
        }
    }
    for (i = 0; i < o->nr_filters; i++) {
        if (!used[i]) {
            fprintf(stderr, "hvfuzz conform: --filter %s matches no case (see --list)\n",
                    o->filters[i]);
            rc = -2;
            goto out;
        }
    }
    *out = ent;
    ent = NULL;
    rc = (int)n;
out:
    free(areas);
    free(ent);
    return rc;
}

/* ---- command line ---------------------------------------------------------------------------- */

static void conf_usage(FILE *f)
{
    fprintf(f,
        "usage: hvfuzz conform [--list] [--filter AREA[/PREFIX]]... [--junit FILE] [-v]\n"
        "                      [--no-fork] [--timeout SEC] [--record DIR]\n"
        "\n"
        "Run the conformance cases, each on a fresh reference machine, then audit the machine.\n"
        "\n"
        "  -l, --list            list the selected cases as AREA/CASE and their count; run nothing\n"
        "  -f, --filter AREA     run only the cases of AREA (exact area name)\n"
        "  -f, --filter AREA/P   run only the cases of AREA whose names start with P\n"
        "                        (repeat --filter to select more; a filter matching nothing is an error)\n"
        "  -j, --junit FILE      also write a JUnit XML report to FILE (replaced atomically)\n"
        "  -v, --verbose         print every case with its state, checks and time, and every report\n"
        "      --no-fork         run cases in this process (for gdb); a crash then ends the run\n"
        "      --timeout SEC     end a forked case after SEC seconds as ERROR (default %u, 0: none)\n"
        "      --record DIR      also write each passing case's hypercalls, exits and guest buffers\n"
        "                        as a program with the results the case saw (=> rc=...),\n"
        "                        DIR/AREA.CASE.bin and .txt, if it replays with those results on\n"
        "                        the native target; the last lines count what was dropped\n"
        "  -h, --help            show this help\n"
        "\n"
        "States: PASS, SKIP (the target lacks the feature), ERROR (the suite or a set-up broke,\n"
        "or the case crashed), FAILURE (the monitor is wrong, including any audit violation).\n"
        "The last line is \"N passed, N failed, N skipped\"; failed counts FAILURE and ERROR.\n"
        "Exit status: 0 when nothing failed, 1 when something failed, 2 for usage errors.\n",
        CONF_DEFAULT_TIMEOUT);
}

/* 0: run, 1: --help shown, -1: usage error (message printed). */
static int conf_parse(int argc, char **argv, struct conf_opts *o)
{
    enum { OPT_NO_FORK = 256, OPT_TIMEOUT, OPT_RECORD };
    static const struct option longopts[] = {
        { "list",    no_argument,       NULL, 'l' },
        { "filter",  required_argument, NULL, 'f' },
        { "junit",   required_argument, NULL, 'j' },
        { "verbose", no_argument,       NULL, 'v' },
        { "no-fork", no_argument,       NULL, OPT_NO_FORK },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "record",  required_argument, NULL, OPT_RECORD },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    unsigned long t;
    int opt;

    memset(o, 0, sizeof(*o));
    o->timeout = CONF_DEFAULT_TIMEOUT;
    optind = 1;
    opterr = 0;   /* our messages name the subcommand */
    while ((opt = getopt_long(argc, argv, ":lf:j:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            o->list = true;
            break;
        case 'f':
            if (o->nr_filters == CONF_MAX_FILTERS) {
                fprintf(stderr, "hvfuzz conform: at most %u --filter options\n", CONF_MAX_FILTERS);
                return -1;
            }
            if (!optarg[0]) {
                fprintf(stderr, "hvfuzz conform: --filter needs an area name\n");
                return -1;
            }
            o->filters[o->nr_filters++] = optarg;
            break;
        case 'j':
            o->junit = optarg;
            break;
        case 'v':
            o->verbose = true;
            break;
        case OPT_NO_FORK:
            o->no_fork = true;
            break;
        case OPT_TIMEOUT:
            errno = 0;
            t = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || t > 86400) {
                fprintf(stderr, "hvfuzz conform: --timeout wants seconds (0..86400), not '%s'\n",
                        optarg);
                return -1;
            }
            o->timeout = (unsigned)t;
            break;
        case OPT_RECORD:
            if (!optarg[0]) {
                fprintf(stderr, "hvfuzz conform: --record needs a directory\n");
                return -1;
            }
            o->record = optarg;
            break;
        case 'h':
            return 1;
        case ':':
            fprintf(stderr, "hvfuzz conform: option '%s' needs an argument\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "hvfuzz conform: unknown option '%s'\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hvfuzz conform: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static int conf_list(const struct conf_entry *ent, unsigned nr)
{
    unsigned i, areas = 0;

    for (i = 0; i < nr; i++) {
        if (i == 0 || strcmp(ent[i].area, ent[i - 1].area))
            areas++;
        printf("%s/%s\n", ent[i].area, ent[i].cc->name);
    }
    printf("%u case%s in %u area%s\n", nr, nr == 1 ? "" : "s", areas, areas == 1 ? "" : "s");
    return CONF_EXIT_OK;
}

/* The recorder's tally, and each drop's reason with -v. */
static void conf_record_summary(const struct conf_opts *o, const struct conf_entry *ent,
                                unsigned nr)
{
    unsigned count[RECORD_NR] = { 0 };

    for (unsigned i = 0; i < nr; i++) {
        count[ent[i].r.rec]++;
        if ((ent[i].r.rec == RECORD_DROPPED || ent[i].r.rec == RECORD_IO) &&
            (o->verbose || ent[i].r.rec == RECORD_IO))
            printf("record: dropped %s/%s: %s\n", ent[i].area, ent[i].cc->name,
                   ent[i].r.rec_why);
    }
    printf("record: %u programs written to %s; not written: %u not replaying cleanly, "
           "%u too long, %u without hypercalls, %u not passing, %u write errors, %u lost\n",
           count[RECORD_SAVED], o->record, count[RECORD_DROPPED], count[RECORD_TOO_LONG],
           count[RECORD_EMPTY], count[RECORD_NOT_PASSED], count[RECORD_IO],
           count[RECORD_OFF]);
}

/* One CUnit suite per area and one test per case, all pointing at the trampoline. */
static int conf_build_registry(struct conf_entry *ent, unsigned nr)
{
    CU_pSuite suite = NULL;
    unsigned i;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return -1;
    CU_set_error_action(CUEA_IGNORE);
    for (i = 0; i < nr; i++) {
        if (i == 0 || strcmp(ent[i].area, ent[i - 1].area)) {
            suite = CU_add_suite(ent[i].area, NULL, NULL);
            if (!suite)
                return -1;
        }
        ent[i].test = CU_add_test(suite, ent[i].cc->name, conf_trampoline);
        if (!ent[i].test)
            return -1;
    }
    return 0;
}

int conf_main(int argc, char **argv)
{
    struct conf_opts opts;
    struct conf_entry *ent = NULL;
    unsigned passed = 0, failed = 0, skipped = 0, i;
    int n, rc;

    rc = conf_parse(argc, argv, &opts);
    if (rc > 0) {
        conf_usage(stdout);
        return CONF_EXIT_OK;
    }
    if (rc < 0) {
        conf_usage(stderr);
        return CONF_EXIT_USAGE;
    }
    if (opts.junit && !opts.list) {
        rc = conf_junit_check(opts.junit);
        if (rc < 0) {
            fprintf(stderr, "hvfuzz conform: cannot write --junit %s: %s\n", opts.junit,
                    strerror(-rc));
            return CONF_EXIT_USAGE;
        }
    }
    if (opts.record && !opts.list && mkdir(opts.record, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "hvfuzz conform: --record %s: %s\n", opts.record, strerror(errno));
        return CONF_EXIT_USAGE;
    }
    n = conf_collect(&opts, &ent);
    if (n == -2)
        return CONF_EXIT_USAGE;
    if (n < 0)
        return CONF_EXIT_FAILED;
    if (opts.list) {
        rc = conf_list(ent, (unsigned)n);
        free(ent);
        return rc;
    }

    conf_run.opts = &opts;
    conf_run.entries = ent;
    conf_run.nr = (unsigned)n;
    if (opts.verbose)
        conf_set_log(stdout);
    if (conf_build_registry(ent, (unsigned)n) < 0 || CU_run_all_tests() != CUE_SUCCESS) {
        fprintf(stderr, "hvfuzz conform: CUnit: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        free(ent);
        return CONF_EXIT_FAILED;
    }
    conf_set_log(NULL);
    for (i = 0; i < (unsigned)n; i++) {
        switch (ent[i].r.state) {
        case CONF_SUCCESS: passed++; break;
        case CONF_SKIP:    skipped++; break;
        case CONF_ERROR:
        case CONF_FAILURE: failed++; break;
        }
    }
    /* both tallies come from the same runs; a difference means the runner itself is broken */
    if (CU_get_number_of_tests_failed() != failed || CU_get_number_of_tests_run() != (unsigned)n) {
        fprintf(stderr, "hvfuzz conform: internal: CUnit ran %u and failed %u, runner counted "
                "%u and %u\n", CU_get_number_of_tests_run(), CU_get_number_of_tests_failed(),
                (unsigned)n, failed);
        failed += !failed;
    }
    CU_cleanup_registry();

    rc = failed ? CONF_EXIT_FAILED : CONF_EXIT_OK;
    if (opts.junit) {
        int err = conf_junit_write(opts.junit, ent, (unsigned)n);

        if (err < 0) {
            fprintf(stderr, "hvfuzz conform: writing %s: %s\n", opts.junit, strerror(-err));
            rc = CONF_EXIT_FAILED;
        }
    }
    if (opts.record)
        conf_record_summary(&opts, ent, (unsigned)n);
    printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
    free(ent);
    conf_run.entries = NULL;
    conf_run.nr = 0;
    return rc;
}
