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

/*
 * Raw values become resource arguments where the recorded machine says what they are: a domain's
 * frame number -> ARG_MFN, a machine address inside a domain frame -> ARG_MADDR, a VA of the
 * caller's memory -> ARG_GVA, a VA of a buffer the case wrote -> ARG_PAYLOAD (the buffer becomes
 * the op's payload, pointers inside it fixups), domain ids -> ARG_DOMID. So mutated copies stay
 * meaningful and the program still replays where frames land elsewhere.
 */
struct recorder {
    struct prog prog;     /* each op's expect holds what the recorded machine answered */
    uint64_t preempt;     /* the preemption pattern the program has set so far */
    bool     overflow;    /* more operations than a program holds: not replayable */
    unsigned lossy;       /* buffers cut short or left out of a payload */
    int      open_op;     /* hypercall between record_hc_begin and record_hc_end, or -1 */
    bool     open_ran;    /* its vCPU could run when it was issued */
    int      last_hc;     /* the last hypercall, finished without a continuation, whose payload
                             the case may read back (record_get), or -1 */
    uint64_t last_args[6];
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

/* The case read len bytes at va back into buf after a hypercall: the status fields the hypercall
   wrote back there become the op's out expectations (record_expect.c says which). */
void record_get(struct recorder *r, const struct vcpu *v, gva_t va, const void *buf, size_t len);

/* An exit the case delivers (conformance/exit_helpers.c), before hv_exit runs: an OP_EXIT with
   the record's values; rsi/rdi (and gla when it equals one) pointing into a buffer the case
   wrote are lifted like hypercall pointers, so the buffer becomes the op's payload. Returns a
   token for record_exit_end, which takes what hv_exit answered. */
struct exit_record;
struct exit_result;
int  record_exit(struct recorder *r, struct hv *hv, const struct vcpu *v,
                 const struct exit_record *x);
void record_exit_end(struct recorder *r, int token, const struct exit_result *res);

/* A store the case made through v's page tables that no hypercall reads (a guest's own write
   between migration phases): a guest_write op of size bytes at va (a target writes its own
   value there), with the result the store had. */
void record_guest_write(struct recorder *r, struct hv *hv, const struct vcpu *v, gva_t va,
                        unsigned size, long rc);
/* A migrate op the case ran (the toolstack's phase on dom) and what it returned. */
void record_migrate(struct recorder *r, domid_t dom, unsigned phase, long rc);

/* Expectations of one op, counted by kind (PE_OUT counts each field), for the recorder's and the
   corpus's tallies. */
struct record_tally {
    unsigned programs;
    unsigned status, rc, value, fault, pfec, out;
};
void record_tally_prog(struct record_tally *t, const struct prog *p);
unsigned record_tally_total(const struct record_tally *t);

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
 * Replay r's program on the native target: 0 when it runs with no finding and every op gives the
 * results its expect states, else -1 with the reason in why.
 */
int record_replay_check(const struct recorder *r, char *why, size_t len);
/* Check and write r as dir/name.bin and dir/name.txt (name's odd characters become '_'). */
enum record_outcome record_save(const struct recorder *r, const char *dir, const char *name,
                                char *why, size_t len);

#endif
