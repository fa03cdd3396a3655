/* The bug-zoo benchmark: fresh campaigns per re-created bug and generator, and their summary. */
#ifndef HVFUZZ_BUGZOO_H
#define HVFUZZ_BUGZOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hvfuzz/monitor.h"

/* Generators a campaign can use: hvfuzz's own fuzz loop and the two coverage-guided engines. */
enum bz_gen { BZ_GEN_RANDOM = 0, BZ_GEN_LIBFUZZER, BZ_GEN_AFL, BZ_GEN_NR };
extern const char *const bz_gen_names[BZ_GEN_NR];

#define BZ_MAX_TRIALS 100U
#define BZ_MAX_JOBS   16U

struct bz_opts {
    uint64_t    bugs;          /* bit per enum hv_bug; bit HV_BUG_NONE = the clean control run */
    unsigned    gens;          /* bit per enum bz_gen */
    double      time_s;        /* per campaign */
    unsigned    trials;
    unsigned    jobs;          /* campaigns at once */
    uint64_t    seed;          /* trial i (0-based) uses seed + i */
    const char *seeds;         /* seed corpus (corpora/native) */
    const char *bin_dir;       /* engine binaries (build/fuzz) */
    const char *dict;          /* engine dictionary (fuzz/harness/native.dict; NULL: none) */
    const char *work_dir;      /* campaign directories (NULL: a new one under $TMPDIR or /tmp) */
    const char *self;          /* this program, for progress messages only */
    const char *target;        /* the random generator's target (native; unicorn, ...) */
    bool        keep;          /* keep the campaign directories */
    bool        all_seeds;     /* also the advisory regression seeds (xsa_*), see bugzoo_run.c */
    bool        json;
    bool        list;
    bool        quiet;         /* no progress line */
};

/* bz_parse_args: 0 = run, 1 = --help was printed, 2 = usage error (message on stderr). */
int bz_parse_args(int argc, char **argv, struct bz_opts *o);
void bz_usage(FILE *f);

/* BZ_INTERRUPTED: stopped by Ctrl-C before its time was up and before a finding (not a miss:
   it counts in no median, like a skipped trial). */
enum bz_status { BZ_RAN = 0, BZ_SKIPPED, BZ_FAILED, BZ_INTERRUPTED };
/* The JSON's "format_version": raised when a field changes meaning or goes away. */
#define BZ_JSON_FORMAT 2

/* One campaign's outcome. */
struct bz_trial {
    enum hv_bug bug;
    enum bz_gen gen;
    unsigned    trial;         /* 0-based; shown 1-based ("#1", "trial": 1) in text and JSON */
    uint64_t    seed;
    enum bz_status status;
    bool        found;
    double      time_s;        /* to the first finding, or the time run */
    uint64_t    programs;      /* executions to the first finding, or run */
    char        signature[128];/* the first finding's signature ("" if none) */
    char        note[160];     /* why skipped or failed */
};

/* One bug and generator over all trials. Medians count a miss as infinite (INFINITY, UINT64_MAX),
   so a bug found in fewer than half of the trials has no finite median. */
struct bz_summary {
    enum hv_bug bug;
    enum bz_gen gen;
    unsigned    trials, found, skipped, failed, interrupted;
    double      median_s;
    uint64_t    median_programs;
    char        signature[128];/* the signature most trials found (first seen on a tie) */
    bool        matches;       /* it starts with the registry's expected oracle */
    char        note[160];     /* the first skip or failure reason */
};

/* The signature starts with the expected oracle, at a ':' boundary ("audit:I1" is not "audit:I10");
   an expectation "A|B" is met by either. */
bool bz_sig_matches(const char *signature, const char *expected);
/* The median of n values (sorted in place); a pair's mean; INFINITY if the middle is infinite. */
double bz_median(double *v, size_t n);
/* Summarize the trials of bug b and generator g among t[0..n). */
void bz_summarize(const struct bz_trial *t, size_t n, enum hv_bug b, enum bz_gen g,
                  struct bz_summary *s);
/* The expected oracle of a bug ("-" for the clean control run). */
const char *bz_expected(enum hv_bug b);

/* The table a person reads and the JSON for CI and plots, over every (bug, generator) of o. */
void bz_print_table(FILE *f, const struct bz_opts *o, const struct bz_trial *t, size_t n);
void bz_print_json(FILE *f, const struct bz_opts *o, const struct bz_trial *t, size_t n);
void bz_print_list(FILE *f, bool json);
/* Per bug: found by at least one generator's median (a finite median time). */
bool bz_bug_found(const struct bz_opts *o, const struct bz_trial *t, size_t n, enum hv_bug b);

/* Run every campaign of o; *out gets calloc'ed trials (bugs x generators x trials, in that order).
   0, or -1 on a set-up error (message on stderr). */
int bz_run(const struct bz_opts *o, struct bz_trial **out, size_t *n);

/* ---- the reproducers (bench/bugzoo_repro.c) ------------------------------------------------- */

/* Names the corpora directory (the one holding zoo/) in place of the source tree's. */
#define BZ_CORPORA_ENV "HVFUZZ_CORPORA"

/*
 * The directory of the reproducers, corpora/zoo/<name>.txt (one per registry row, the single
 * definition of each bug's trigger): $HVFUZZ_CORPORA/zoo, else the zoo of the source tree the
 * build came from, so a command finds it from any working directory. Writes it to buf and
 * returns 0, or -1 with why not in buf (unset and no build default, or not a directory).
 */
int bz_repro_dir(char *buf, size_t cap);

enum bz_repro_verdict {
    BZ_REPRO_OK = 0,
    BZ_REPRO_ERROR,     /* the file is missing or does not load, or the target did not open */
    BZ_REPRO_FAILED,    /* the monitor does not behave as the reproducer and the registry say */
};

/* What checking one reproducer found (bz_repro_check). */
struct bz_repro_result {
    enum bz_repro_verdict verdict;
    unsigned checks;        /* comparisons made: each run's verdict and each stated expectation */
    unsigned expects;       /* ops of the program that state an expectation (=> ...) */
    char on[192];           /* with the switch: "SIGNATURE at op N", or "no finding" */
    char off[192];          /* without: "no finding", or "SIGNATURE at op N" */
    char msg[512];          /* why not OK, one line naming the file, expected and actual */
};

/*
 * Check the reproducer of bug b at path on the native target. With only b's switch on, once with
 * the full audit and once with the incremental one alone, the first finding's signature must
 * start with b->oracle (bz_sig_matches); the program's
 * expectations are not checked there, because they state what the fixed monitor does and the
 * bug's step may differ (the run would stop at an expect: finding before the oracle sees the
 * damage). With every switch off there must be no finding with every stated expectation met.
 */
void bz_repro_check(const struct hv_bug_desc *b, const char *path, struct bz_repro_result *r);

#endif
