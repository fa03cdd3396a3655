/* The differential oracle: one program on two targets, compared op by op (hvfuzz diff, fuzz --diff). */
#ifndef HVFUZZ_DIFF_H
#define HVFUZZ_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "hvfuzz/target.h"

/*
 * What is compared: per op, the fields target_observe gives without an expectation (the ones that
 * carry meaning for the op's kind: rc and status, a read's value, faults and their error codes, an
 * exit's action and rax, guest code's exits, a hypercall's payload write-backs where both targets
 * captured the payload). Two ops that both did not run are equal. An op that one target runs and
 * the other answers OPS_UNSUPPORTED is not a difference: the machines have diverged from there, so
 * it and every later op are not compared. Between targets that number machine frames differently
 * (target_ops.frames), comparison also stops at an op that names a machine frame by its number
 * (abi_op_raw_frame), and a value read that a target flags OPR_VALUE_MACHINE is not compared. Comparison also stops at a target's own finding (its
 * op and the later ones are not compared) and after the first difference.
 */
enum diff_stop {
    DIFF_STOP_END = 0,      /* every op was compared and none differs */
    DIFF_STOP_DIFFERENCE,   /* op stop_op differs: the finding f */
    DIFF_STOP_ONLY_ONE,     /* op stop_op runs on one target only (only says which) */
    DIFF_STOP_FINDING,      /* a target's own oracle found something at op stop_op */
    DIFF_STOP_FRAME,        /* op stop_op names a machine frame by number (abi_op_raw_frame) */
};

struct diff_result {
    const char *name[2];        /* the targets, A and B */
    char     label[2][48];      /* their names in reports: "native (A)" when both are the same */
    uint32_t nr_ops;
    uint32_t compared;          /* ops compared: the equal ones and a differing one */
    enum diff_stop stop;
    int      stop_op;           /* where comparison stopped (-1: DIFF_STOP_END) */
    int      only;              /* DIFF_STOP_ONLY_ONE: the target that runs the op (0 A, 1 B) */
    bool     own[2];            /* a target's own oracles found something (own_f[]) */
    struct finding own_f[2];
    struct finding f;           /* DIFF_STOP_DIFFERENCE: oracle diff, signature diff:A/B:<op> */
    uint8_t  fields;            /* the PE_* bits of the fields that differ */
    struct prog_expect seen[2]; /* the differing op as A and as B did it */
    char     note[192];         /* what was not compared and why; "" when every op was */
};

/*
 * Compare two runs of p: ra and rb (p->nr_ops entries each, as target_run filled them) on the
 * targets a and b (NULL: unknown, named "?", numbering frames as the model does), whose own
 * findings are fa and fb (NULL: none). Returns true at a difference (r->f, r->seen, r->fields).
 * r is always filled.
 */
bool diff_compare(const struct prog *p, const struct target_ops *a, const struct op_result *ra,
                  const struct finding *fa, const struct target_ops *b,
                  const struct op_result *rb, const struct finding *fb, struct diff_result *r);

/*
 * Run p on target a, then on target b (target_run each), and compare (diff_compare). ra and rb
 * receive the results (PROG_MAX_OPS entries each). Payload write-backs are compared when both
 * targets were opened with opts.capture_out. Returns true at a difference.
 */
bool diff_run(struct target *a, struct target *b, const struct prog *p, struct op_result *ra,
              struct op_result *rb, struct diff_result *r);

/* The name signatures give op (its hypercall's or its kind's, as in expect:<op>). */
const char *diff_op_name(const struct prog_op *op);
/* What an op did, as a program states it without the " => ": "rc=0, value=0x1". Like snprintf. */
size_t diff_seen_format(const struct prog_op *op, const struct prog_expect *e, char *buf,
                        size_t cap);
/* The fields a difference is in: "rc, value". Like snprintf. */
size_t diff_fields_format(uint8_t fields, char *buf, size_t cap);

/* hvfuzz diff (fuzz/diff_paths.c): program files and directories, taken as replay takes them. */
#define DIFF_EXIT_SAME  0   /* no difference */
#define DIFF_EXIT_DIFF  1   /* at least one difference */
#define DIFF_EXIT_BAD   2   /* no difference, and a file could not be read or a target could not
                               build a program's machine (or usage) */

struct diff_opts {
    const struct target_ops *target[2];
    struct target_opts topts;   /* both targets' options (capture_out is set for them) */
    bool bugs_given;            /* --bug given: a finding's recorded switches are not used */
    bool verbose;               /* a line per program, and each difference's report */
    bool json;                  /* one JSON document on out instead of the text lines */
    const char *known;          /* --known FILE: differences explained there do not count */
};
/*
 * Diff every program under paths: a line per difference on out, a summary with the agreement
 * per hypercall and sub-command (the ops at least one target ran, and of them the ones whose
 * results are the same), bad files on err. A difference listed in the --known file (lines
 * "PROGRAM OP SIGNATURE  reason": the program's file name without its directories, the op's
 * index, the finding's signature) is reported as known and does not make the exit status 1.
 */
int diff_paths(const struct diff_opts *o, char *const *paths, int n, FILE *out, FILE *err);

#endif
