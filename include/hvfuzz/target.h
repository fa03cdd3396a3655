/* The target interface: an ops table that runs programs on a monitor and reports per-op results. */
#ifndef HVFUZZ_TARGET_H
#define HVFUZZ_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/prog.h"

/* What happened to one operation. */
enum op_status {
    OPS_RAN = 0,        /* executed; rc (and value/pfec) are meaningful */
    OPS_RESTART,        /* a hypercall was preempted; its continuation is pending on the vCPU */
    OPS_NOT_RUN,        /* the domain/vCPU cannot run (absent, down, dying, shut down) */
    OPS_UNSUPPORTED,    /* the target does not implement this kind of operation */
};

/*
 * What one operation did, in the same terms on every target (a program's `=> ...` expectations
 * state these fields: struct prog_expect).
 */
struct op_result {
    uint8_t  status;    /* enum op_status */
    uint8_t  fault;     /* vector of the exception the op raised or had injected, or
                           PROG_FAULT_NONE (guest accesses: 14 when they fault) */
    uint8_t  nr_exits;  /* exits the op took (guest code), reasons in exits[] */
    uint8_t  exits[PROG_MAX_EXPECT_EXITS];
    int64_t  rc;        /* hypercall return value; 0 or -EFAULT for guest accesses; an exit op's
                           enum exit_action */
    uint64_t value;     /* guest_read: the value read; an exit op: rax afterwards */
    uint32_t pfec;      /* error code of that exception (guest access: the page-fault code) */
    uint16_t out_len;   /* bytes of out[] filled */
    uint8_t  flags;     /* OPR_*: what the target knows about the result */
    /* The op's payload as guest memory holds it after the op (what a hypercall wrote back), when
       the driver asks for it (target_opts.capture_out): points at PROG_MAX_PAYLOAD bytes. */
    uint8_t *out;
};

/* The value a guest_read gave holds machine frame numbers (a page-table entry, a grant-table
   entry, a write tag, which names its frame): two targets differ there by design, so the
   differential oracle does not compare it (the read's rc and fault it does). The native
   target says so when the run captures payloads (opts.capture_out: diff, fuzz --diff). */
#define OPR_VALUE_MACHINE 0x01U

/* Oracles that can judge a run. */
enum oracle {
    ORACLE_NONE = 0,
    ORACLE_AUDIT,       /* an invariant of the audit broke (detail names it) */
    ORACLE_ISOLATION,   /* a guest observed memory it may not see */
    ORACLE_BUG,         /* the monitor reached a BUG() */
    ORACLE_CRASH,       /* a signal in the monitor */
    ORACLE_SANITIZER,   /* ASan/UBSan report */
    ORACLE_HANG,        /* the work bound per program was exceeded */
    ORACLE_DIFF,        /* two targets disagreed */
    ORACLE_EXPECT,      /* an op's result differs from what the program states (=> ...) */
    ORACLE_MIGRATE,     /* a migrated domain differs from its source as the guest saw it */
    ORACLE_NR
};
const char *oracle_name(enum oracle o);

/* Guest code that ran past its instruction budget: a hang the guest made, not the monitor (the
   finding is stored; campaigns waiting for a monitor bug and engine harnesses go on). */
#define FINDING_GUEST_HANG "hang:guest_code"

/* A finding: enough to deduplicate (signature) and to explain (detail, op). */
struct finding {
    enum oracle oracle;
    int      op_index;          /* the operation after which it was seen; -1 = at the end */
    char     signature[128];    /* e.g. "audit:I1", "isolation:foreign-tag", "crash:SIGSEGV:mm.c:120" */
    char     detail[512];       /* invariant, frame/domain, expected/actual, one or more lines */
};

/* Options a run takes from the command line or the harness. */
struct target_opts {
    bool     audit_each_op;     /* audit after every op (else only at the end) */
    bool     audit;             /* audit at all */
    /* The audit at a program's end is incremental (what the program changed, native target);
       the full audit runs at findings, at the end of every audit_full_every-th program (0:
       never) and, with audit_full, always. */
    bool     audit_full;
    uint32_t audit_full_every;
    uint64_t bugs;              /* re-created bugs to switch on (bit per enum hv_bug) */
    uint32_t max_steps;         /* work bound per program (continuation re-issues + ops) */
    bool     capture_out;       /* fill op_result.out (replay of programs that state out fields) */
    bool     check_expect;      /* an op whose result differs from its expectation is a finding */
};
extern const struct target_opts target_default_opts;

/* The mixing step of feedback features, shared by the fuzz loop and targets' state features. */
static inline uint32_t feature_mix(uint32_t h, uint32_t v)
{
    h ^= v + 0x9E3779B9U + (h << 6) + (h >> 2);
    h *= 0x85EBCA6BU;
    return h ^ (h >> 15);
}

struct target;
/*
 * A monitor behind hvfuzz. NULL members are unsupported. run_op gets res initialised by the
 * driver (zeroes, fault PROG_FAULT_NONE, out pointing at a buffer or NULL) and fills what the op
 * did; it returns 0, or -1 when the target itself failed (the driver reports target:run-op-failed). A user's own monitor implements these
 * (see docs/TARGETS.md): open builds the machine the shape describes; reset returns it to that state
 * cheaply (snapshot, not rebuild); run_op executes one operation and returns 0, or < 0 when the
 * target itself could not run it (the driver ends the run with the finding target:run-op-failed);
 * check runs the oracles (full = the end of a program); close frees everything.
 */
struct target_ops {
    const char *name;
    const char *description;
    /* Who numbers the machine frames; NULL: the model's pool (the native monitor's, which every
       target built on it shares). Between two numberings frame numbers name different frames,
       and the differential oracle leaves them out (fuzz/diff.c). */
    const char *frames;
    int  (*open)(struct target *t, const struct prog_shape *shape, const struct target_opts *o);
    int  (*reset)(struct target *t);
    int  (*run_op)(struct target *t, const struct prog_op *op, struct op_result *res);
    bool (*check)(struct target *t, bool full, int op_index, struct finding *f);
    void (*close)(struct target *t);
    /* Optional: classes of the target's state after a run, each passed to f, for the fuzz loop's
       feedback (native: frame types and counts, grant, port, device and vCPU states). */
    void (*state_features)(const struct target *t, void (*f)(uint32_t feature, void *arg),
                           void *arg);
    /* Optional: a whole program at once, for targets where a round trip per op costs too much
       (xen: the ops go to an agent inside a virtual machine). results[] has nr_ops entries,
       initialised as for run_op; it returns 0, 1 with a finding in *f (f->op_index the op it
       broke at, or -1), or -1 when the target itself failed. target_run then checks the
       expectations op by op as it does after run_op, and calls check once, in full. */
    int  (*run_prog)(struct target *t, const struct prog *p, struct op_result *results,
                     struct finding *f);
};

struct target {
    const struct target_ops *ops;
    struct prog_shape shape;
    struct target_opts opts;
    void *priv;
    uint64_t steps;     /* work of the current program: ops, continuation re-issues, and the units
                           of work the target reports (native: the monitor's preemption checks) */
    uint8_t *out_buf;   /* PROG_MAX_OPS payloads for op_result.out, when opts.capture_out */
};

/* The registered targets ("native", later "unicorn", "kvm", ...). */
const struct target_ops *target_find(const char *name);
void target_list(void (*fn)(const struct target_ops *ops, void *arg), void *arg);

int  target_open(struct target *t, const struct target_ops *ops, const struct prog_shape *shape,
                 const struct target_opts *o);
void target_close(struct target *t);
/* One op outside a program run (benchmarks, tests): res initialised as the driver does (no
   payload capture), then ops->run_op; returns its value. */
int target_run_op(struct target *t, const struct prog_op *op, struct op_result *res);

/*
 * Run a whole program: reset (re-opening if the shape differs), each op in order, the oracles after
 * each op as opts say and in full at the end. results[] (nr_ops entries) may be NULL. Returns true
 * and fills *f at the first finding (the run stops there).
 */
bool target_run(struct target *t, const struct prog *p, struct op_result *results,
                struct finding *f);

/*
 * Expectations (targets/expect.c). target_observe states what op did: with want, exactly the
 * fields want states (so the two compare field by field); without, the fields that carry
 * meaning for the op's kind (what `replay -v` prints), payload write-backs of grant and event
 * channel ops included when res->out holds the payload. target_expect_diff returns true when
 * op states an expectation res does not meet, with "expected: ...\nactual: ..." in buf.
 */
void target_observe(const struct prog_op *op, const struct op_result *res,
                    const struct prog_expect *want, struct prog_expect *got);
bool target_expect_diff(const struct prog_op *op, const struct op_result *res, char *buf,
                        size_t cap);

#endif
