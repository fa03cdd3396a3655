/* Program generators: the structured random generator and corpus mutation, deterministic per seed. */
#ifndef HVFUZZ_GEN_H
#define HVFUZZ_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/prog.h"

/* Operation families the generator weighs against each other (gen_family_names for reports). */
enum gen_family {
    GEN_F_MMU_UPDATE = 0,   /* mmu_update request arrays on the domains' page-table frames */
    GEN_F_UVA,              /* update_va_mapping (+ _otherdomain) */
    GEN_F_MMUEXT,           /* pin/unpin, base pointers, flushes, clear/copy page */
    GEN_F_MEMORY,           /* reservations, populate, exchange, queries */
    GEN_F_GRANT,            /* grant map/unmap/copy/transfer/setup/version ops */
    GEN_F_EVTCHN,           /* event channel ops */
    GEN_F_MULTICALL,        /* multicall lists of the above */
    GEN_F_VCPU,             /* vcpu_op */
    GEN_F_SCHED,            /* sched_op */
    GEN_F_DOMCTL,           /* domctl (dom0 only succeeds) */
    GEN_F_MISC,             /* xen_version, console_io, set_gdt, unknown numbers */
    GEN_F_GUEST,            /* guest reads and writes of own, foreign, page-table and Xen VAs */
    GEN_F_SCHEDULE,         /* preemption patterns and vCPU switches that resume continuations */
    GEN_F_EXIT,             /* VM exits: CPUID, MSRs, port/string I/O, MMIO and DMA rings, EPT, ... */
    GEN_F_MIGRATE,          /* live migration: begin, pre-copy rounds, finish (toolstack ops) */
    GEN_F_CODE,             /* guest code: hypercalls, exits and accesses as instructions (only when
                               the target runs guest code: gen_env.guest_code) */
    GEN_F_NR
};
extern const char *const gen_family_names[GEN_F_NR];

struct gen_cfg {
    uint16_t weight[GEN_F_NR];  /* relative weights; 0 switches a family off */
    uint16_t nr_ops;            /* operations per generated program (1..PROG_MAX_OPS) */
    struct prog_shape shape;    /* machine every generated program runs on */
};
extern const struct gen_cfg gen_default_cfg;   /* 32 ops on prog_default_shape */

#define GEN_MAX_DOMS  4U   /* prog_shape limits: nr_domains and nr_vcpus are 1..4 */
#define GEN_MAX_VCPUS 4U

/*
 * Machine facts the generator learns by probing a target through the guest's eyes, the way a
 * guest learns them (gen_probe): the frames of each domain's grant table, from setup_table's
 * frame list read back by a guest read. Without them, templates that need them stay unused.
 */
#define GEN_ENV_MFNS 8U
struct gen_env {
    bool     valid;
    uint64_t gnt_frame[GEN_MAX_DOMS];   /* machine frame of grant-table frame 0 */
    /* machine frames of each domain's first data gfns, read from its own L1 table (0: unknown).
       A PV guest knows its frame numbers and can keep using one after the frame left it. */
    uint64_t mfn[GEN_MAX_DOMS][GEN_ENV_MFNS];
    /* machine frame of v2 status frame 0 after set_version(2) (0: unknown) */
    uint64_t status_frame[GEN_MAX_DOMS];
    /* the target runs guest_code ops (a `ret` ran): GEN_F_CODE's weight counts only then, so a
       target without a CPU gets exactly the programs it got before the family existed */
    bool     guest_code;
};

/* The generator's state: its random stream and a light guess of the machine it writes for. */
struct gen {
    uint64_t rng[2];
    struct gen_cfg cfg;
    uint32_t total_weight;      /* of the families other than GEN_F_CODE */
    /* what the program built so far probably did (a bias, never a requirement) */
    uint8_t  vcpu_up[GEN_MAX_DOMS][GEN_MAX_VCPUS];
    uint8_t  maybe_pending[GEN_MAX_DOMS][GEN_MAX_VCPUS];
    uint8_t  user_table[GEN_MAX_DOMS][GEN_MAX_VCPUS];   /* its L4 set as the user table */
    bool     preempting;
    uint8_t  mig_dom;           /* the domain this program began migrating, + 1 (0: none) */
    /* a data frame the current group works on (gfn + 1, 0 = none): made read-only first so that
       it can become a page table, then preferred as the target of pins and table entries */
    uint16_t focus;
    struct gen_env env;
};

void gen_init(struct gen *g, const struct gen_cfg *cfg, uint64_t seed);
/* Reseed the stream (same cfg): program i of seed s is gen_reseed(g, s, i) + gen_program. */
void gen_reseed(struct gen *g, uint64_t seed, uint64_t index);
/* A fresh program of cfg.nr_ops operations; always valid (prog_validate). */
void gen_program(struct gen *g, struct prog *p);
/* Append one generated operation group (one op, or a few that belong together) to p. */
void gen_append(struct gen *g, struct prog *p);
/* Mutate p in place: 1..n structural or value mutations; p stays valid. other may be NULL (splice). */
void gen_mutate(struct gen *g, struct prog *p, const struct prog *other);
/* The same, with the splice's other program fetched only if a splice is drawn (one mutation in
   seven or so): a campaign's corpus programs are tens of KB, mostly out of cache. get may return
   NULL; it is called at most once. gen_mutate(g, p, o) draws exactly what this does. */
void gen_mutate_lazy(struct gen *g, struct prog *p, const struct prog *(*get)(void *ctx), void *ctx);

/* Learn g->env from target t on g's machine shape (a few probe programs). 0, or -1 (env unset). */
struct target;
int gen_probe(struct gen *g, struct target *t);

uint64_t gen_rand(struct gen *g);
static inline uint32_t gen_below(struct gen *g, uint32_t n)
{
    return n ? (uint32_t)(((gen_rand(g) >> 32) * (uint64_t)n) >> 32) : 0;
}

#endif
