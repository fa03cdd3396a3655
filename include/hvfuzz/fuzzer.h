/* The fuzzer's engine parts: the campaign loop, behaviour feedback, the minimizer and the benchmark. */
#ifndef HVFUZZ_FUZZER_H
#define HVFUZZ_FUZZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"

#define FUZZ_MAX_JOBS 64U

/*
 * What a campaign reports while it runs, for a caller that watches it (hvfuzz bugzoo): may live
 * in memory another process shares, so the live fields are volatile. The first finding's fields
 * are written before found is set.
 */
struct fuzz_progress {
    volatile uint64_t execs;        /* programs run so far (updated at least every 100 ms) */
    volatile double   elapsed;      /* seconds since the campaign started */
    volatile int      found;        /* 1 once the first finding of the campaign arrived */
    double   first_s;               /* elapsed time at the first finding */
    uint64_t first_execs;           /* programs run up to and including the one that found it */
    int      first_oracle;          /* enum oracle */
    char     first_signature[128];
};

struct fuzz_opts {
    const char *target;        /* target name ("native") */
    double      time_s;        /* stop after this many seconds (0: no limit) */
    uint64_t    runs;          /* stop after this many programs in all (0: no limit) */
    uint64_t    seed;
    const char *corpus_dir;    /* seeds read from here; new-behaviour programs saved here (NULL) */
    const char *out_dir;       /* findings (NULL: ./findings) */
    unsigned    jobs;          /* worker processes */
    uint64_t    bugs;          /* re-created bugs switched on in the target */
    bool        quiet;         /* no status line */
    bool        audit_each_op; /* audit after every op, not only at the end (slower, finer) */
    bool        audit_full;    /* the full audit every time, not the incremental one */
    struct prog_shape shape;   /* machine of generated programs (nr_domains 0: the default) */
    struct fuzz_progress *progress; /* filled in as the campaign runs (NULL: not reported) */
    bool        stop_at_finding;    /* end the campaign at its first finding */
    double      minimize_time; /* minimize each new finding for at most this many seconds (0:
                                  store it as found); the original is kept beside it */
    bool        json;          /* end with a JSON summary object on stdout */
    const char *diff_target;   /* --diff: every program also runs on this target, and an op
                                  whose results differ is a finding diff:A/B:<op> (NULL: off) */
    unsigned    corpus_max;    /* programs a worker keeps in memory (0: FUZZ_CORPUS_MAX) */
    uint64_t    corpus_max_bytes; /* their bytes (0: FUZZ_CORPUS_MAX_BYTES) */
};
/* A worker's corpus bounds by default. Its files in --corpus mirror what it keeps: a program
   evicted from memory is removed from the directory (never a file the campaign did not write). */
#define FUZZ_CORPUS_MAX       4096U
#define FUZZ_CORPUS_MAX_BYTES (64ULL << 20)

/* Run a campaign: 0 = nothing found, 1 = findings written, 2 = could not run. */
int fuzz_run(const struct fuzz_opts *o);

/*
 * Behaviour feedback: features of one run, hashed into a bitmap. Per op: (hypercall, sub-command,
 * result) and the pair (previous op's feature, this one); guest accesses by (kind, fault); for the
 * native target also a summary of the final machine state (frame type/flag/count classes, grant,
 * event-channel and domain states) that the audit can see. The map has 2^FUZZ_MAP_BITS bits
 * (4 MiB of shared memory): a one-hour campaign fills about 1% of it (docs/PERFORMANCE.md).
 */
#define FUZZ_MAP_BITS 25U
#define FUZZ_MAP_BITS_N (1U << FUZZ_MAP_BITS)
/* Call f(feature) for every feature of the run (results has p->nr_ops entries). */
void fuzz_features(const struct target *t, const struct prog *p, const struct op_result *results,
                   void (*f)(uint32_t feature, void *arg), void *arg);
/* The sub-command a hypercall op names (args[0], or its payload's first record): for reports. */
uint32_t fuzz_op_cmd(const struct prog_op *op);

/* Run p once in a forked child: a finding of the oracles, or the child's crash, sanitizer report or
   timeout (signatures as fuzz/sandbox.c names them). */
bool fuzz_run_isolated(struct target *t, const struct prog *p, struct op_result *res,
                       unsigned timeout_ms, struct finding *f);

/* Minimize: shrink p in place while target_run keeps giving a finding with the same signature.
   Deterministic. Returns the number of successful reductions, or -1 if p gives no such finding. */
int min_program(struct target *t, struct prog *p, const char *signature, bool use_fork,
                unsigned *runs);
/* The same within time_s seconds (0: no bound): p is then the smallest program found in time, and
   *timed_out (if non-NULL) says whether the bound cut it short. */
int min_program_within(struct target *t, struct prog *p, const char *signature, bool use_fork,
                       double time_s, unsigned *runs, bool *timed_out);
/* The same for a difference between targets a and b (diff_run, include/hvfuzz/diff.h): p shrinks
   while the two still differ with the same signature, diff:A/B:<op>. */
int min_program_diff_within(struct target *a, struct target *b, struct prog *p,
                            const char *signature, double time_s, unsigned *runs, bool *timed_out);
/* Signatures of findings that end their process (crash, sanitizer, hang): re-run in a child. */
bool min_needs_fork(const char *signature);

/* The benchmark (hvfuzz bench): figures are filled in; 0 or -1. */
struct bench_result {
    double progs_audit;        /* programs/s, 32-op generated programs, audit at the end */
    double progs_noaudit;      /* the same without the audit */
    double hc_version;         /* xen_version hypercalls/s, no audit, no reset */
    double hc_mmu;             /* one-entry mmu_update hypercalls/s, no audit, no reset */
    double gen_only;           /* programs/s the generator alone makes */
    double reset_only;         /* resets/s of the target alone */
    double progs_noexit;       /* programs/s, audit on, the generator's exits switched off */
    double progs_exits;        /* programs/s, audit on, a mix with about 30% exit ops */
    double exit_share;         /* the share of exit ops in that mix */
    double exit_share_default; /* ... and in the default generator's programs */
    /* Short programs (bench/bench_short.c): 4 ops every target runs (2 of them exits), on the
       target and on native in the same run; and one guest_code op plus a guest write, on a
       target that runs guest code (0 where it does not). */
    double short_progs;
    double short_progs_native;
    double code_progs;
    unsigned runs;             /* runs per figure (the median is reported) */
    struct prog_shape shape;   /* the machine measured */
};
enum bench_short { BENCH_SHORT_OPS, BENCH_SHORT_CODE };
void bench_short_program(struct prog *p, const struct prog_shape *shape, enum bench_short which);
int bench_run(const char *target, unsigned runs, double secs_per_run, struct bench_result *r);
/* The same on the machine shape describes (NULL: the generator's default shape). */
int bench_run_shape(const char *target, const struct prog_shape *shape, unsigned runs,
                    double secs_per_run, struct bench_result *r);
/* Progress lines of bench_run on f (NULL: none, the default). */
void bench_progress(FILE *f);
/* The bench JSON's "format_version": raised when a field changes meaning or goes away. */
#define BENCH_JSON_FORMAT 1

#endif
