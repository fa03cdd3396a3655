/* Recording a conformance case as a program: its hypercalls and guest buffers, lifted into resources. */
#ifndef HVFUZZ_RECORD_H
#define HVFUZZ_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hvfuzz/monitor.h"
#include "hvfuzz/prog.h"

/* Domains a program may have (prog_validate's limit). */
#define RECORD_MAX_DOMAINS 4U

/* What the recorded machine answered to one operation, to compare a replay against. */
struct record_expect {
    bool    hypercall;   /* a hypercall or a continuation re-issue: rc and status are set */
    uint8_t status;      /* enum op_status (OPS_RAN or OPS_RESTART) */
    int64_t rc;
};

/*
 * Raw values become resource arguments where the recorded machine says what they are: a domain's
 * frame number -> ARG_MFN, a machine address inside a domain frame -> ARG_MADDR, a VA of the
 * caller's memory -> ARG_GVA, a VA of a buffer the case wrote -> ARG_PAYLOAD (the buffer becomes
 * the op's payload, pointers inside it fixups), domain ids -> ARG_DOMID. So mutated copies stay
 * meaningful and the program still replays where frames land elsewhere.
 */
struct recorder {
    struct prog prog;
    struct record_expect expect[PROG_MAX_OPS];
    uint64_t preempt;     /* the preemption pattern the program has set so far */
    bool     overflow;    /* more operations than a program holds: not replayable */
    unsigned lossy;       /* buffers cut short or left out of a payload */
    int      open_op;     /* hypercall between record_hc_begin and record_hc_end, or -1 */
    uint8_t *written[RECORD_MAX_DOMAINS];   /* bit per byte of DOM_VA(0..dom_pages) */
};

/* The machine the conformance suite builds (conformance.h): 512 frames, 3 domains of 64 pages. */
extern const struct prog_shape record_conf_shape;

struct recorder *record_new(const struct prog_shape *shape);
void record_free(struct recorder *r);
/* The case wrote len bytes at va through v's page tables. */
void record_put(struct recorder *r, const struct vcpu *v, gva_t va, size_t len);
/* Before the hypercall runs (its buffers are read now); returns a token for record_hc_end. */
int  record_hc_begin(struct recorder *r, struct hv *hv, const struct vcpu *v, unsigned nr,
                     const uint64_t args[6]);
/* After it ran: its final result and how many continuations it took. */
void record_hc_end(struct recorder *r, int token, long rc, unsigned restarts);

/* An exit the case delivers (conformance/exit_helpers.c), before hv_exit runs: an OP_EXIT with
   the record's values; rsi/rdi (and gla when it equals one) pointing into a buffer the case
   wrote are lifted like hypercall pointers, so the buffer becomes the op's payload. */
struct exit_record;
void record_exit(struct recorder *r, struct hv *hv, const struct vcpu *v,
                 const struct exit_record *x);

/* What became of a recorded case (hvfuzz conform --record counts them). */
enum record_outcome {
    RECORD_OFF = 0,      /* not recorded (the run did not get that far) */
    RECORD_SAVED,        /* written as DIR/NAME.bin and DIR/NAME.txt */
    RECORD_EMPTY,        /* no hypercall went through the recorder */
    RECORD_NOT_PASSED,   /* only passing cases are recorded */
    RECORD_TOO_LONG,     /* more operations than a program holds, or an unrecordable vCPU */
    RECORD_DROPPED,      /* did not replay cleanly on the native target */
    RECORD_IO,           /* could not be written */
    RECORD_NR
};

/*
 * Replay r's program on the native target: 0 when it runs with no finding and every hypercall
 * gives the recorded result, else -1 with the reason in why.
 */
int record_replay_check(const struct recorder *r, char *why, size_t len);
/* Check and write r as dir/name.bin and dir/name.txt (name's odd characters become '_'). */
enum record_outcome record_save(const struct recorder *r, const char *dir, const char *name,
                                char *why, size_t len);

#endif
