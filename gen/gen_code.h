/* The guest-code family's builder, shared by its files: the op under construction, where a piece began, the folding pieces. */
#ifndef HVFUZZ_GEN_CODE_H
#define HVFUZZ_GEN_CODE_H

#include "gen/gen_asm.h"
#include "gen/gen_internal.h"

/* The loop counter: no other piece touches it. */
#define GEN_CODE_COUNTER X86_R15

/* One guest_code op under construction: code, and data that goes after it (payloads). */
struct gen_code {
    struct gen *g;
    struct prog *p;
    unsigned dom, vcpu;
    struct gen_asm a;
    uint8_t  data[PROG_MAX_PAYLOAD];
    unsigned dlen;
    struct prog_fixup dfix[PROG_MAX_FIXUPS];  /* off and ARG_PAYLOAD b relative to the data */
    unsigned ndfix;
    int      slot;          /* where the op goes in p (a folded hypercall's place), -1: append */
    bool     in_loop;       /* a loop body: nothing may end the run or touch the counter */
    bool     ended;         /* a piece that ends the run (a fault, hlt) was emitted */
    uint64_t remap_va;      /* a page this group remapped (0: none) */
    bool     remap_faults;  /* every access to it faults (so a fetch runs nothing unknown) */
};

static inline unsigned gen_code_pick(struct gen *g, const uint8_t *t, unsigned n)
{
    return t[gen_below(g, n)];
}
#define GEN_PICK(g, t) gen_code_pick((g), (t), sizeof(t) / sizeof((t)[0]))

/* Room for data shrinks the code's: both share the payload (the data 8-aligned after it), and
   the fixups. */
static inline void gen_code_caps(struct gen_code *c)
{
    unsigned used = c->dlen ? ((c->dlen + 7U) & ~7U) + 8U : 0U;

    c->a.cap = PROG_MAX_PAYLOAD - 1U - used;   /* 1: the final ret */
    c->a.fix_cap = PROG_MAX_FIXUPS - c->ndfix;
}

/* Where a piece started: going back to it drops the piece (bytes and fixups past the counts
   mean nothing). */
struct gen_code_mark {
    unsigned len, nfix, dlen, ndfix;
    int slot;
    bool ended, remap_faults;
    uint64_t remap_va;
};

static inline void gen_code_mark(const struct gen_code *c, struct gen_code_mark *m)
{
    *m = (struct gen_code_mark){ .len = c->a.len, .nfix = c->a.nfix, .dlen = c->dlen,
                                 .ndfix = c->ndfix, .slot = c->slot, .ended = c->ended,
                                 .remap_faults = c->remap_faults, .remap_va = c->remap_va };
}

static inline void gen_code_back(struct gen_code *c, const struct gen_code_mark *m)
{
    c->a.len = m->len;
    c->a.nfix = m->nfix;
    c->a.full = false;
    c->dlen = m->dlen;
    c->ndfix = m->ndfix;
    c->slot = m->slot;
    c->ended = m->ended;
    c->remap_faults = m->remap_faults;
    c->remap_va = m->remap_va;
    gen_code_caps(c);
}

/* gen_code.c: mov reg, a resolved argument (data: an offset into the data area). */
bool gen_code_mov(struct gen_code *c, unsigned reg, struct prog_arg a, bool data);

/* gen_code_fold.c: pieces made of another family's op. A hypercall of a family (one that checks
   for preemption, with preemptible) becomes the code's syscall and the code takes its place; an
   exit an instruction raises becomes that instruction. */
unsigned gen_code_hc_family(struct gen *g, bool preemptible);
void gen_code_hc_piece(struct gen_code *c, bool preemptible);
void gen_code_exit_piece(struct gen_code *c);

#endif
