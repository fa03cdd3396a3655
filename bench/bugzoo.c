/* hvfuzz bugzoo's options, result summaries, table and JSON (the campaigns are in bugzoo_run.c). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/bugzoo.h"
#include "hvfuzz/io.h"
#include "hvfuzz/target.h"
#include "hvfuzz/tools.h"

const char *const bz_gen_names[BZ_GEN_NR] = {
    [BZ_GEN_RANDOM] = "random", [BZ_GEN_LIBFUZZER] = "libfuzzer", [BZ_GEN_AFL] = "afl",
};

void bz_usage(FILE *f)
{
    fprintf(f,
        "usage: hvfuzz bugzoo --list [--json]\n"
        "       hvfuzz bugzoo [--bugs LIST] [--generator LIST] [--time S] [--trials N]\n"
        "                     [--jobs N] [--seed N] [--json] [--seeds DIR] [--bin DIR]\n"
        "                     [--dict FILE] [--work DIR] [--keep] [--all-seeds] [--quiet]\n"
        "\n"
        "The bug zoo's effectiveness benchmark. For each re-created bug and generator, run TRIALS\n"
        "fresh campaigns from the seed corpus with only that bug switched on; a campaign ends at\n"
        "its first finding (the clean monitor gives none) or after S seconds. Reported per bug and\n"
        "generator: trials that found it, the median time and programs to the first finding\n"
        "(a miss counts as infinite), the signature that fired and whether it starts with the\n"
        "oracle the registry expects. The zoo's hand-written reproducers are never read.\n"
        "\n"
        "  --list           the registry: name, advisory, expected oracle, cause\n"
        "  --bugs LIST      bug names, comma-separated (default: all); 'none' is the clean\n"
        "                   control run, which must find nothing\n"
        "  --generator LIST random, libfuzzer, afl, or all (default random)\n"
        "                   random: hvfuzz's fuzz loop, one worker, corpus a copy of --seeds\n"
        "                   libfuzzer: BIN/native-libfuzzer (make fuzz-libfuzzer)\n"
        "                   afl: afl-fuzz on BIN/native-afl, CmpLog when BIN/native-afl-cmplog\n"
        "                   exists (make fuzz-afl); a generator whose tools are missing is skipped\n"
        "  --target T       the target the random generator's campaigns run on (default\n"
        "                   native; the engines' harnesses are native's)\n"
        "  --time S         seconds per campaign (default 60)\n"
        "  --trials N       campaigns per bug and generator, seeds SEED..SEED+N-1 (default 3)\n"
        "  --jobs N         campaigns at once, one core each (default 1)\n"
        "  --seed N         seed of the first trial (default 1)\n"
        "  --json           JSON on stdout instead of the table\n"
        "  --seeds DIR      seed corpus (default corpora/native) without its advisory\n"
        "                   regression seeds (xsa_*: the zoo's own triggers)\n"
        "  --all-seeds      keep the xsa_* seeds too\n"
        "  --bin DIR        engine binaries (default build/fuzz)\n"
        "  --dict FILE      engine dictionary (default fuzz/harness/native.dict if present)\n"
        "  --work DIR       campaign directories go here (default a new directory in $TMPDIR\n"
        "                   or /tmp, removed at the end unless --keep)\n"
        "  --keep           keep the campaign directories (logs, findings, crash inputs)\n"
        "  --quiet          no progress line\n"
        "\n"
        "Exit status: 0 every bug found by at least one generator (a finite median), 1 some bug\n"
        "missed, or the control run found something; 2 usage or set-up error.\n");
}

static int bz_parse_gens(const char *list, unsigned *gens)
{
    const char *p = list;
    unsigned set = 0;

    while (*p) {
        size_t n = strcspn(p, ",");
        bool ok = false;
        if (n == 3 && !strncmp(p, "all", 3)) {
            set = (1U << BZ_GEN_NR) - 1U;
            ok = true;
        }
        for (unsigned g = 0; g < BZ_GEN_NR && !ok; g++)
            if (strlen(bz_gen_names[g]) == n && !strncmp(p, bz_gen_names[g], n)) {
                set |= 1U << g;
                ok = true;
            }
        if (!ok) {
            fprintf(stderr, "hvfuzz bugzoo: unknown generator '%.*s' (random, libfuzzer, afl, all)\n",
                    (int)n, p);
            return -1;
        }
        p += n + (p[n] == ',');
    }
    if (!set) {
        fprintf(stderr, "hvfuzz bugzoo: --generator names none\n");
        return -1;
    }
    *gens = set;
    return 0;
}

/* Like hv_bugs_parse, plus 'none' (the control run) and 'all'. */
static int bz_parse_bugs(const char *list, uint64_t *bugs)
{
    const char *p = list;
    uint64_t set = 0;

    while (*p) {
        size_t n = strcspn(p, ",");
        char name[32];
        const struct hv_bug_desc *b;
        if (!n || n >= sizeof(name)) {
            fprintf(stderr, "hvfuzz bugzoo: bad bug list '%s'\n", list);
            return -1;
        }
        memcpy(name, p, n);
        name[n] = 0;
        if (!strcmp(name, "none"))
            set |= 1ULL << HV_BUG_NONE;
        else if (!strcmp(name, "all"))
            set |= ((1ULL << HV_BUG_NR) - 1ULL) & ~(1ULL << HV_BUG_NONE);
        else if ((b = hv_bug_find(name)) != NULL)
            set |= 1ULL << b->id;
        else {
            fprintf(stderr, "hvfuzz bugzoo: unknown bug '%s' (hvfuzz bugzoo --list names them)\n",
                    name);
            return -1;
        }
        p += n + (p[n] == ',');
    }
    if (!set) {
        fprintf(stderr, "hvfuzz bugzoo: --bugs names none\n");
        return -1;
    }
    *bugs = set;
    return 0;
}

int bz_parse_args(int argc, char **argv, struct bz_opts *o)
{
    static const struct option lo[] = {
        { "list", no_argument, NULL, 'l' },          { "bugs", required_argument, NULL, 'b' },
        { "bug", required_argument, NULL, 'b' },     { "generator", required_argument, NULL, 'g' },
        { "time", required_argument, NULL, 'T' },    { "trials", required_argument, NULL, 'n' },
        { "jobs", required_argument, NULL, 'j' },    { "seed", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'J' },          { "seeds", required_argument, NULL, 'S' },
        { "bin", required_argument, NULL, 'B' },     { "dict", required_argument, NULL, 'D' },
        { "work", required_argument, NULL, 'w' },    { "keep", no_argument, NULL, 'k' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { "all-seeds", no_argument, NULL, 'a' },      { "target", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->bugs = ((1ULL << HV_BUG_NR) - 1ULL) & ~(1ULL << HV_BUG_NONE);
    o->gens = 1U << BZ_GEN_RANDOM;
    o->target = "native";
    o->time_s = 60;
    o->trials = 3;
    o->jobs = 1;
    o->seed = 1;
    o->seeds = "corpora/native";
    o->bin_dir = "build/fuzz";
    o->dict = "fuzz/harness/native.dict";
    o->self = argc > 0 ? argv[0] : "bugzoo";
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "hq", lo, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l': o->list = true; break;
        case 'b':
            if (bz_parse_bugs(optarg, &o->bugs) < 0)
                return 2;
            break;
        case 'g':
            if (bz_parse_gens(optarg, &o->gens) < 0)
                return 2;
            break;
        case 'T': bad = tool_parse_secs("bugzoo", "time", optarg, 0.001, 86400, &o->time_s); break;
        case 'n':
            bad = tool_parse_unsigned("bugzoo", "trials", optarg, 1, BZ_MAX_TRIALS, &o->trials);
            break;
        case 'j':
            bad = tool_parse_unsigned("bugzoo", "jobs", optarg, 1, BZ_MAX_JOBS, &o->jobs);
            break;
        case 's': bad = tool_parse_u64("bugzoo", "seed", optarg, 0, UINT64_MAX / 2, &o->seed); break;
        case 'J': o->json = true; break;
        case 'S': o->seeds = optarg; break;
        case 'B': o->bin_dir = optarg; break;
        case 'D': o->dict = *optarg ? optarg : NULL; break;
        case 'w': o->work_dir = optarg; break;
        case 'k': o->keep = true; break;
        case 'a': o->all_seeds = true; break;
        case 't': o->target = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': bz_usage(stdout); return 1;
        default: bz_usage(stderr); return 2;
        }
        if (bad)
            return 2;
    }
    if (optind != argc) {
        bz_usage(stderr);
        return 2;
    }
    if (!target_find(o->target)) {
        fprintf(stderr, "hvfuzz bugzoo: unknown target '%s'\n", o->target);
        return 2;
    }
    if (strcmp(o->target, "native") && (o->gens & ~(1U << BZ_GEN_RANDOM))) {
        fprintf(stderr, "hvfuzz bugzoo: --target %s runs with the random generator only (the "
                "engines' harnesses are the native target's)\n", o->target);
        return 2;
    }
    /* the reproducers would make the benchmark meaningless: campaigns start from the seeds */
    if (strstr(o->seeds, "corpora/zoo")) {
        fprintf(stderr, "hvfuzz bugzoo: --seeds must not be the zoo's reproducers\n");
        return 2;
    }
    return 0;
}

/* ---- summaries ------------------------------------------------------------------------------ */

bool bz_sig_matches(const char *signature, const char *expected)
{
    if (!strcmp(expected, "-"))
        return false;
    /* alternatives: a bug whose first symptom depends on the state it meets names each one */
    for (const char *alt = expected;;) {
        const char *bar = strchr(alt, '|');
        size_t n = bar ? (size_t)(bar - alt) : strlen(alt);
        if (n && !strncmp(signature, alt, n) && (signature[n] == 0 || signature[n] == ':'))
            return true;
        if (!bar)
            return false;
        alt = bar + 1;
    }
}

static int bz_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bz_median(double *v, size_t n)
{
    if (!n)
        return INFINITY;
    qsort(v, n, sizeof(*v), bz_cmp_double);
    if (n & 1)
        return v[n / 2];
    if (isinf(v[n / 2 - 1]) || isinf(v[n / 2]))
        return INFINITY;
    return (v[n / 2 - 1] + v[n / 2]) / 2;
}

const char *bz_expected(enum hv_bug b)
{
    return b > HV_BUG_NONE && b < HV_BUG_NR ? hv_bug_table[b].oracle : "-";
}

void bz_summarize(const struct bz_trial *t, size_t n, enum hv_bug b, enum bz_gen g,
                  struct bz_summary *s)
{
    double times[BZ_MAX_TRIALS], progs[BZ_MAX_TRIALS];
    unsigned votes[BZ_MAX_TRIALS] = { 0 }, ran = 0, best = 0;
    const struct bz_trial *first[BZ_MAX_TRIALS];

    memset(s, 0, sizeof(*s));
    s->bug = b;
    s->gen = g;
    for (size_t i = 0; i < n; i++) {
        const struct bz_trial *x = &t[i];
        if (x->bug != b || x->gen != g)
            continue;
        s->trials++;
        if (x->status != BZ_RAN) {
            if (x->status == BZ_INTERRUPTED)
                s->interrupted++;
            else if (x->status == BZ_SKIPPED)
                s->skipped++;
            else
                s->failed++;
            if (!s->note[0])
                snprintf(s->note, sizeof(s->note), "%s", x->note);
            continue;
        }
        if (ran >= BZ_MAX_TRIALS)
            continue;
        times[ran] = x->found ? x->time_s : INFINITY;
        progs[ran] = x->found ? (double)x->programs : INFINITY;
        first[ran] = x;
        if (x->found) {
            s->found++;
            /* votes go to the first trial with the same signature */
            for (unsigned j = 0; j <= ran; j++)
                if (first[j]->found && !strcmp(first[j]->signature, x->signature)) {
                    votes[j]++;
                    if (votes[j] > votes[best] || !first[best]->found)
                        best = j;
                    break;
                }
        }
        ran++;
    }
    s->median_s = bz_median(times, ran);
    {
        double m = bz_median(progs, ran);
        s->median_programs = isinf(m) ? UINT64_MAX : (uint64_t)(m + 0.5);
    }
    if (s->found) {
        snprintf(s->signature, sizeof(s->signature), "%s", first[best]->signature);
        s->matches = bz_sig_matches(s->signature, bz_expected(b));
    }
}

/* ---- output --------------------------------------------------------------------------------- */

void bz_print_list(FILE *f, bool json)
{
    if (json) {
        fprintf(f, "[\n");
        for (unsigned b = 1; b < HV_BUG_NR; b++) {
            const struct hv_bug_desc *d = &hv_bug_table[b];
            fprintf(f, "  {\"bug\": \"%s\", \"advisory\": \"%s\", \"oracle\": \"%s\", "
                    "\"cause\": \"%s\"}%s\n", d->name, d->advisory, d->oracle, d->cause,
                    b + 1 < HV_BUG_NR ? "," : "");
        }
        fprintf(f, "]\n");
        return;
    }
    fprintf(f, "%-11s %-12s %-13s %s\n", "bug", "advisory", "oracle", "cause");
    for (unsigned b = 1; b < HV_BUG_NR; b++) {
        const struct hv_bug_desc *d = &hv_bug_table[b];
        fprintf(f, "%-11s %-12s %-13s %s\n", d->name, d->advisory, d->oracle, d->cause);
    }
}

static const char *bz_bug_name(enum hv_bug b)
{
    return b == HV_BUG_NONE ? "none" : hv_bug_table[b].name;
}

static void bz_fmt_time(char *buf, size_t cap, double s, double limit)
{
    if (isinf(s))
        snprintf(buf, cap, ">%.0f", limit);
    else
        snprintf(buf, cap, "%.1f", s);
}

static void bz_fmt_progs(char *buf, size_t cap, uint64_t p)
{
    if (p == UINT64_MAX)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%llu", (unsigned long long)p);
}

/* The best (smallest) finite median time of bug b over the generators that ran. */
static double bz_best_median(const struct bz_opts *o, const struct bz_trial *t, size_t n,
                             enum hv_bug b)
{
    double best = INFINITY;

    for (unsigned g = 0; g < BZ_GEN_NR; g++) {
        struct bz_summary s;
        if (!(o->gens >> g & 1))
            continue;
        bz_summarize(t, n, b, g, &s);
        if (s.median_s < best)
            best = s.median_s;
    }
    return best;
}

bool bz_bug_found(const struct bz_opts *o, const struct bz_trial *t, size_t n, enum hv_bug b)
{
    return !isinf(bz_best_median(o, t, n, b));
}

void bz_print_table(FILE *f, const struct bz_opts *o, const struct bz_trial *t, size_t n)
{
    double med[HV_BUG_NR];
    unsigned nr_bugs = 0, nr_found = 0;

    if (strcmp(o->target, "native"))
        fprintf(f, "target %s\n", o->target);
    fprintf(f, "%-11s %-10s %-6s %7s %9s  %-34s %-13s %s\n", "bug", "generator", "found",
            "med s", "med prog", "signature (most trials)", "expected", "match");
    for (unsigned b = 0; b < HV_BUG_NR; b++) {
        if (!(o->bugs >> b & 1))
            continue;
        for (unsigned g = 0; g < BZ_GEN_NR; g++) {
            struct bz_summary s;
            char tm[32], pr[32], fnd[32];
            if (!(o->gens >> g & 1))
                continue;
            bz_summarize(t, n, b, g, &s);
            if (s.skipped + s.interrupted == s.trials && s.skipped) {
                fprintf(f, "%-11s %-10s skipped: %s\n", bz_bug_name(b), bz_gen_names[g], s.note);
                continue;
            }
            bz_fmt_time(tm, sizeof(tm), s.median_s, o->time_s);
            bz_fmt_progs(pr, sizeof(pr), s.median_programs);
            snprintf(fnd, sizeof(fnd), "%u/%u", s.found, s.trials - s.skipped - s.interrupted);
            fprintf(f, "%-11s %-10s %-6s %7s %9s  %-34s %-13s %s%s%s%s\n", bz_bug_name(b),
                    bz_gen_names[g], fnd, tm, pr, s.found ? s.signature : "-",
                    bz_expected(b), s.found ? (s.matches ? "yes" : "NO") : "-",
                    s.failed ? "  failed: " : "", s.failed ? s.note : "",
                    s.interrupted ? "  (interrupted trials not counted)" : "");
        }
        if (b != HV_BUG_NONE) {
            med[nr_bugs] = bz_best_median(o, t, n, b);
            nr_found += !isinf(med[nr_bugs]);
            nr_bugs++;
        }
    }
    if (nr_bugs) {
        char tm[32];
        bz_fmt_time(tm, sizeof(tm), bz_median(med, nr_bugs), o->time_s);
        fprintf(f, "\n%u of %u bugs found by at least one generator (finite median); median over "
                "bugs of the best generator's median time: %s s (%u trials, %.0f s per campaign)\n",
                nr_found, nr_bugs, tm, o->trials, o->time_s);
    }
}

static void bz_json_num(FILE *f, double v)
{
    if (isinf(v) || isnan(v))
        fprintf(f, "null");
    else
        fprintf(f, "%.3f", v);
}

void bz_print_json(FILE *f, const struct bz_opts *o, const struct bz_trial *t, size_t n)
{
    bool first = true;

    fprintf(f, "{\n  \"format_version\": %d, \"time_limit_s\": %.3f, \"trials\": %u, "
            "\"seed\": %llu, \"target\": \"%s\", \"results\": [", BZ_JSON_FORMAT, o->time_s,
            o->trials, (unsigned long long)o->seed, o->target);
    for (unsigned b = 0; b < HV_BUG_NR; b++) {
        if (!(o->bugs >> b & 1))
            continue;
        for (unsigned g = 0; g < BZ_GEN_NR; g++) {
            struct bz_summary s;
            bool first_run = true;
            if (!(o->gens >> g & 1))
                continue;
            bz_summarize(t, n, b, g, &s);
            fprintf(f, "%s\n    {\"bug\": ", first ? "" : ",");
            first = false;
            io_json_str(f, bz_bug_name(b));
            fprintf(f, ", \"advisory\": ");
            io_json_str(f, b == HV_BUG_NONE ? "-" : hv_bug_table[b].advisory);
            fprintf(f, ", \"generator\": \"%s\", \"expected\": ", bz_gen_names[g]);
            io_json_str(f, bz_expected(b));
            fprintf(f, ",\n     \"trials\": %u, \"found\": %u, \"skipped\": %u, \"failed\": %u, "
                    "\"interrupted\": %u, \"median_time_s\": ", s.trials, s.found, s.skipped,
                    s.failed, s.interrupted);
            bz_json_num(f, s.median_s);
            fprintf(f, ", \"median_programs\": ");
            if (s.median_programs == UINT64_MAX)
                fprintf(f, "null");
            else
                fprintf(f, "%llu", (unsigned long long)s.median_programs);
            fprintf(f, ", \"signature\": ");
            if (s.found)
                io_json_str(f, s.signature);
            else
                fprintf(f, "null");
            fprintf(f, ", \"matches\": %s, \"note\": ", s.matches ? "true" : "false");
            io_json_str(f, s.note);
            fprintf(f, ",\n     \"runs\": [");
            for (size_t i = 0; i < n; i++) {
                const struct bz_trial *x = &t[i];
                if (x->bug != (enum hv_bug)b || x->gen != (enum bz_gen)g)
                    continue;
                fprintf(f, "%s{\"trial\": %u, \"seed\": %llu, \"status\": \"%s\", \"found\": %s, "
                        "\"time_s\": ", first_run ? "" : ", ", x->trial + 1,
                        (unsigned long long)x->seed,
                        x->status == BZ_RAN ? "ran" : x->status == BZ_SKIPPED ? "skipped" :
                        x->status == BZ_INTERRUPTED ? "interrupted" : "failed",
                        x->found ? "true" : "false");
                first_run = false;
                bz_json_num(f, x->time_s);
                fprintf(f, ", \"programs\": %llu, \"signature\": ", (unsigned long long)x->programs);
                io_json_str(f, x->signature);
                fprintf(f, ", \"matches\": %s}",
                        x->found && bz_sig_matches(x->signature, bz_expected(b)) ? "true" : "false");
            }
            fprintf(f, "]}");
        }
    }
    fprintf(f, "\n  ]\n}\n");
}
