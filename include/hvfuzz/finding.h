/* Findings on disk: a signature-named directory per distinct finding, written atomically. */
#ifndef HVFUZZ_FINDING_H
#define HVFUZZ_FINDING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"

/* 64-bit FNV-1a of the signature: the directory name's key, stable across builds. */
uint64_t finding_hash(const char *signature);

/*
 * The report a person reads: signature, oracle, the operation that broke, the detail (invariant,
 * frame/domain, expected/actual), then the program as text with each op's result and the breaking
 * op marked. results may be NULL. Like snprintf: returns the length it needed.
 */
size_t finding_format(const struct prog *p, const struct finding *f, const struct op_result *results,
                      char *buf, size_t cap);

/* The files of a finding directory. */
#define FINDING_REPORT "report.txt"
#define FINDING_REPRO  "repro.bin"        /* the program to replay (minimized when it could be) */
#define FINDING_ORIG   "repro-orig.bin"   /* the program as found, when repro.bin is minimized */
#define FINDING_META   "finding.meta"     /* key=value lines replay reads: the switches, target */

/* Where a finding came from and how it was stored: its report's header and finding.meta. */
struct finding_info {
    const char *target;         /* target name (NULL: native) */
    const char *diff_target;    /* a difference between target and this one (fuzz --diff), which
                                   hvfuzz diff replays; NULL: a finding of target alone */
    uint64_t    bugs;           /* re-created bugs switched on (bit per enum hv_bug) */
    bool        audit_each_op;
    bool        campaign;       /* found by hvfuzz fuzz: seed, worker and program below */
    uint64_t    seed;
    unsigned    worker;
    bool        fresh;          /* a generated program (number index of the campaign), else one
                                   mutated from the corpus */
    uint64_t    index;
    const char *source;         /* the file it was replayed from (replay -o), or NULL */
    const struct prog *orig;    /* the program as found when p is its minimized form, else NULL */
    const char *minimized;      /* one line on the minimization (how far, how long), or NULL */
};

/*
 * Store a finding in out_dir/<hash>-<signature>/: report.txt (finding_format's text after a
 * header with the version, target, --bug switches, machine, seed and worker, the files and the
 * command that replays it), repro.bin (the canonical binary program), repro-orig.bin (info->orig,
 * if given) and finding.meta (what replay needs: finding_meta_parse). The files are written into a
 * temporary directory that is renamed into place, so the finding appears whole or not at all.
 * info may be NULL (nothing known beyond the program). Returns 1 if stored, 0 if that signature was already
 * there (a duplicate: nothing written), -1 on an error (errno says which). dir (if non-NULL)
 * receives the finding's directory path.
 */
int finding_write(const char *out_dir, const struct prog *p, const struct finding *f,
                  const struct op_result *results, const struct finding_info *info, char *dir,
                  size_t dir_cap);
/*
 * A new finding before finding_write: in a forked child (a crash while shrinking cannot end the
 * caller), minimize p for at most time_s seconds (0: keep it as found; fuzz/minimize.c), then run
 * it once more on a fresh target. On return p is the program to store, *f the finding it gives now
 * (its op and detail), res[] each op's result if *have_res (not for findings that end their
 * process), and note one line on how minimization went. True if p was changed by minimizing.
 */
bool finding_minimize(const struct target_ops *ops, const struct target_opts *topts, struct prog *p,
                      struct finding *f, struct op_result *res, bool *have_res, double time_s,
                      char *note, size_t note_cap);
/* The same for a difference between targets a and b (fuzz --diff): minimized while the two still
   differ with f's signature, run once more on both; res[] are a's results. */
bool finding_minimize_diff(const struct target_ops *a, const struct target_ops *b,
                           const struct target_opts *topts, struct prog *p, struct finding *f,
                           struct op_result *res, bool *have_res, double time_s, char *note,
                           size_t note_cap);
/* The directory finding_write uses for a signature; true if it exists already. */
bool finding_stored(const char *out_dir, const char *signature, char *dir, size_t dir_cap);

/* What finding.meta records, as replay reads it back. */
struct finding_meta {
    unsigned line;              /* finding_meta_read's error: the line (0: the file as a whole) */
    char     target[32];
    char     diff[32];          /* a difference between target and this one; "" if not */
    uint64_t bugs;
    bool     audit_each_op;
};
/* The meta file's text for a finding (like snprintf). */
size_t finding_meta_format(const struct prog *p, const struct finding *f,
                           const struct finding_info *info, char *buf, size_t cap);
/* Parse a meta file's text: 0, or -1 with the reason in why (and m->line). */
int finding_meta_parse(const char *text, struct finding_meta *m, char *why, size_t why_cap);

/*
 * Replay's view of a finding directory: the target options to replay prog_path with. A recorded
 * finding.meta beside the program supplies its --bug switches and --audit-each-op unless bugs_given
 * (the command line named --bug itself); then one line on out says so, as it does for a difference
 * between two targets (diff=, which hvfuzz diff replays). A meta file that cannot be
 * read or parsed is a one-line error on err and -1 (the program is not replayed: its switches are
 * unknown). 0 otherwise.
 */
int finding_replay_opts(const char *prog_path, const struct target_opts *given, bool bugs_given,
                        struct target_opts *use, FILE *out, FILE *err);
/* Names in a finding directory that replaying the directory passes over (the report, the meta
   file, the original of a minimized program: replay names them one by one if wanted). */
bool finding_skip_name(const char *name);

#endif
