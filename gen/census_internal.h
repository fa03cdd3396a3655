/* The census's walk over a program, shared by its files: the program's state as the IR shows it, the op being counted. */
#ifndef HVFUZZ_CENSUS_INTERNAL_H
#define HVFUZZ_CENSUS_INTERNAL_H

#include "gen/gen_internal.h"
#include "hvfuzz/census.h"
#include "hvfuzz/monitor.h"

#define CS_BIT(s) (1U << (s))
#define CC_SET(bm, c) ((bm)[(c) / 64] |= 1ULL << ((c) % 64))

/* ---- the program's state, as far as the IR shows it ---------------------------------------------- */

#define CM_DOMS GEN_MAX_DOMS
#define CM_GFNS 512U
#define CM_REFS 64U          /* refs a payload can fill (512 bytes of v1 entries) */
#define CM_PORTS 64U          /* ports a program can open: its first bucket (EVTCHN_BUCKET) */
#define CM_REMAPPED 16U

struct census_model {
    bool    preempt;
    uint8_t type[CM_DOMS][CM_GFNS];       /* enum census_state CS_TYPE_* */
    uint8_t pinned[CM_DOMS][CM_GFNS];
    uint8_t released[CM_DOMS][CM_GFNS];
    uint8_t granted_frame[CM_DOMS][CM_GFNS];   /* bit per grantee */
    uint8_t mapped_frame[CM_DOMS][CM_GFNS];    /* bit per mapping domain */
    uint8_t last_vcpu[CM_DOMS][CM_GFNS];       /* vCPU + 1 that last named it */
    uint8_t granted_ref[CM_DOMS][CM_REFS];     /* bit per grantee */
    uint8_t ref_used[CM_DOMS][CM_REFS];
    uint16_t ref_frame[CM_DOMS][CM_REFS];      /* dom << 12 | gfn + 1 that entry names, 0 none */
    uint8_t mapped_ref[CM_DOMS][CM_REFS];
    uint8_t ref_vcpu[CM_DOMS][CM_REFS];
    uint8_t port_state[CM_DOMS][CM_PORTS];     /* 0 free, 1 live, 2 closed */
    uint8_t port_vcpu[CM_DOMS][CM_PORTS];
    uint16_t live_handles[CM_DOMS], ever_handles[CM_DOMS];
    uint8_t row_vcpu[CM_DOMS][128];            /* by row index, for rows without a resource */
    /* guest code (census_code.c): a call from code that a preemption pattern may have stopped,
       by (domain, vCPU); pages an update_va_mapping of the program remapped */
    uint8_t code_pending[CM_DOMS][GEN_MAX_VCPUS];
    /* a migration: its domain + 1 (0: none), and the last kind of op the domain ran since the
       previous phase (enum census_mig_since) */
    uint8_t mig_dom, mig_since;
    unsigned nr_remapped;
    uint64_t remapped[CM_REMAPPED];
};

/* What the op being counted is: its caller, vCPU, record, and batch position. */
struct census_ctx {
    struct census *c;
    struct census_model *m;
    const struct prog_op *op;
    const struct prog_arg *args;   /* the call's arguments (a multicall entry's are synthetic) */
    unsigned nargs;
    unsigned caller, vcpu;
    int rec;                       /* payload offset of the record, -1 none */
    bool batch;
    /* the resource the record names, for its state */
    int res_dom, res_gfn, res_ref_dom, res_ref, res_port_dom, res_port;
    bool res_xen, res_free;
};

/* census.c: a hypercall (x->args, x->nargs; records in x->op's payload) and an exit (x->op). */
void census_hypercall(struct census_ctx *x, uint32_t nr, int depth);
void census_exit(struct census_ctx *x);

/* census_code.c: a guest_code op (its hypercalls and exits through the two above), the code
   fields of any op (races, remapped pages). */
void census_code(struct census_ctx *x);
void census_code_op_seen(struct census_ctx *x);

#endif
