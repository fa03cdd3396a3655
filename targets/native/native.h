/* The native target's state: the reference monitor in-process, its snapshot and the oracles' books. */
#ifndef HVFUZZ_NATIVE_H
#define HVFUZZ_NATIVE_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/audit.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/target.h"

extern const struct target_ops native_target_ops;

/*
 * Guest-visible tags: every 8-byte value a guest_write op stores. The fields are mixed by an
 * invertible function so that a fuzzer cannot forge a tag from the magic alone (its comparison
 * tracing sees only the mixed value): a tag must be the result of a real write.
 */
#define NATIVE_TAG_MAGIC 0xC0FFEEU   /* 24 bits */
struct native_tag {
    domid_t  dom;     /* the writing domain (8 bits in the tag) */
    uint16_t gen;     /* the frame's allocation generation when written (low 16 bits) */
    mfn_t    mfn;     /* the frame written (16 bits) */
};
uint64_t native_tag_encode(const struct native_tag *t);
bool native_tag_decode(uint64_t v, struct native_tag *t);   /* false: not a tag */

/*
 * The payload area: each domain's hypercall buffer is its last built page, gfn dom_pages - 1,
 * at DOM_VA(dom_pages - 1); a payload starts at the page's first byte.
 */
#define NATIVE_PAYLOAD_GFN(shape) ((uint32_t)(shape)->dom_pages - 1U)

/* A domain slot's separately allocated tables (dom_tables_alloc), as the snapshot holds them. */
struct native_tables {
    struct gnt_active active[GNT_MAX_REFS];
    struct gnt_maptrack maptrack[GNT_MAX_MAPTRACK];
    struct evtchn evtchn[EVTCHN_MAX_PORTS];
    uint8_t cmos_ram[CMOS_SIZE];
};

/* The snapshot of everything a program can change, taken once after the build. */
struct native_snap {
    struct hv hv;                 /* scalars, console, and the domains (pointers are not used) */
    struct native_tables *tab;    /* HV_MAX_DOMAINS: the contents behind the domains' pointers */
    struct frame *frames;
    uint8_t *mem;
    uint64_t *m2p;
};

struct native {
    struct hv *hv;
    struct native_snap snap;
    struct audit_base *abase;     /* the incremental audit's baseline of snap (NULL: full only) */
    uint32_t programs;            /* final checks so far (every audit_full_every-th is full) */
    uint64_t *dirty;              /* hv->dirty: frames written since the last reset */
    uint64_t *fdirty;             /* hv->fdirty: frame table and m2p entries written since then */
    uint16_t *dchunk;             /* hv->dchunk: chunks of the dirty frames written */
    uint32_t dirty_words;
    uint32_t *frame_gen;          /* hv->frame_gen, zero at reset */
    /* An isolation breach seen by a guest read, or the migration oracle's mismatch, reported by
       the next check. */
    bool iso_pending;
    struct finding iso;
    int last_op;                  /* index of the op run last (for names in signatures) */
    bool last_changed;            /* that op may have changed state the audit checks */
    bool dma_moved;               /* that op was an exit whose device DMA logged accesses */
    const char *last_name;        /* hypercall name (or op kind) of the op run last: static */
    /* a hypercall op leaves its number here instead (-1: none), named only when a signature
       needs it (native_last_name): the lookup is a cache miss per op otherwise */
    int64_t last_hc;
    int op_index;                 /* ops run since reset */
};

/* Helpers the native files share (the files of targets/native); not part of the target contract. */
int  native_snapshot(struct native *n);
/* The name signatures give the op run last: last_name, or last_hc's hypercall; NULL if none. */
const char *native_last_name(const struct native *n);
void native_restore(struct native *n);
void native_note_op(struct native *n);             /* after each op: counts it */
int  native_run_op(struct target *t, const struct prog_op *op, struct op_result *res);
/* What every op does around its work (native_run_op's, and another CPU's running the same
   monitor): before, the per-op oracle state (changes: the op may change what the audit checks);
   after, the work bound's steps since work (hv->preempt_idx before) and the high-water marks. */
void native_op_begin(struct native *n, bool changes);
void native_op_end(struct target *t, struct native *n, uint32_t work);
bool native_check(struct target *t, bool full, int op_index, struct finding *f);
void native_state_features(const struct target *t, void (*f)(uint32_t, void *), void *arg);
/* Argument resolution and the payload, shared with the unicorn target (the same monitor, another
   CPU): an argument's value when the op runs; the payload (fixups applied) written at payload_va
   by an ordinary guest write (0, or the monitor's error with the page-fault code in *pfec when
   the guest's tables refuse it; pfec may be NULL); the payload read back after the op into
   res->out (if set). */
uint64_t native_arg_resolve(struct hv *hv, const struct prog_shape *s, const struct prog_arg *a,
                            gva_t payload_va);
/* Most arguments (an exit's unset registers above all) are immediates: those skip the call and
   the kind switch (an indirect jump that mispredicts across mixed kinds). */
static inline uint64_t native_arg(struct hv *hv, const struct prog_shape *s,
                                  const struct prog_arg *a, gva_t payload_va)
{
    return a->kind == ARG_IMM ? a->imm : native_arg_resolve(hv, s, a, payload_va);
}
/* The registers a hypercall op's call is made with (no CPU: the stack is the payload, so an op's
   payload can hold iret's frame); the unicorn target's stub states the same. */
void native_uregs_stub(struct vcpu *v, uint32_t nr, gva_t payload_va);
int native_place_payload(struct target *t, struct vcpu *v, const struct prog_op *op,
                         gva_t payload_va, uint32_t *pfec);
void native_capture_out(struct target *t, struct vcpu *v, const struct prog_op *op,
                        gva_t payload_va, struct op_result *res);
/* The isolation oracle for one completed 8-byte aligned read of frame mfn by domain reader. */
void native_iso_read(struct native *n, domid_t reader, mfn_t mfn, uint64_t value, gva_t va);

#endif
