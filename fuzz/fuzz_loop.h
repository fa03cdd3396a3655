/* Internals shared by the fuzz loop's parent and worker files: shared memory, messages. */
#ifndef HVFUZZ_FUZZ_LOOP_H
#define HVFUZZ_FUZZ_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/gen.h"

/* A worker whose program counter stands still this long is hung in the monitor. */
#define FUZZ_HANG_SECS 10
/* Exit reasons the campaign counts (enum exit_reason's 9, and one for the rest). */
#define FUZZ_EXIT_KINDS 10U
/* A worker's exit status when it could not set up (no target): the campaign cannot run. */
#define FUZZ_EXIT_SETUP 3

/* One worker's slot. The program it runs now is either fresh (regenerated from the campaign seed
   and cur_index) or a copy of the compact program in cur (header + cur's ops). */
enum fuzz_cur { FUZZ_CUR_NONE = 0, FUZZ_CUR_FRESH, FUZZ_CUR_COPY };
struct fuzz_worker_shm {
    volatile uint64_t execs;
    volatile uint64_t next_fresh;   /* fresh-program counter, kept across restarts */
    volatile uint64_t cur_index;
    volatile uint32_t cur_mode;     /* enum fuzz_cur */
    volatile uint32_t restarts;
    /* the worker's corpus: entries in memory (seeds among them), their bytes, files written */
    volatile uint64_t corpus_live, corpus_seeds, corpus_bytes, corpus_saved, corpus_evicted;
    struct gen_env env;             /* what the worker's generator learned (gen_probe) */
    struct prog cur;                /* only header and cur.nr_ops ops are used */
};

struct fuzz_shared {
    volatile uint64_t findings;
    volatile uint64_t features;                 /* bits set in map */
    volatile int      stop;
    volatile int      setup_failed;
    volatile int      corpus_errno;             /* a corpus file could not be written */
    volatile double   deadline;                 /* fuzz_now() at which workers stop (0: none) */
    volatile uint64_t exits[FUZZ_EXIT_KINDS];   /* exit ops run, per reason (last: unknown) */
    /* --diff: ops of the programs run on both targets, compared, and not compared because an
       op before them runs on one target only */
    volatile uint64_t diff_ops, diff_compared, diff_only;
    size_t   slot_size;
    size_t   map_off;                           /* the feature bitmap: FUZZ_MAP_WORDS words */
    uint8_t  slots[];
};

/* The feature bitmap, after the slots (large: the kernel maps its pages as they are touched). */
#define FUZZ_MAP_WORDS (FUZZ_MAP_BITS_N / 64U)
static inline uint64_t *fuzz_map(struct fuzz_shared *sh)
{
    return (uint64_t *)(void *)((uint8_t *)sh + sh->map_off);
}

static inline struct fuzz_worker_shm *fuzz_slot(struct fuzz_shared *sh, unsigned w)
{
    return (struct fuzz_worker_shm *)(void *)(sh->slots + (size_t)w * sh->slot_size);
}

/* Where a program came from, for its finding's report: the worker and its slot's program. */
struct fuzz_origin {
    uint32_t worker;
    uint32_t mode;             /* enum fuzz_cur */
    uint64_t index;            /* FUZZ_CUR_FRESH: the campaign's generated program number */
};

/* Whose finding a message carries: the target's, the --diff target's own, or their difference. */
enum fuzz_side { FUZZ_SIDE_A = 0, FUZZ_SIDE_B, FUZZ_SIDE_DIFF };

/* A finding message from a worker: this header, then len bytes of encoded program. */
struct fuzz_msg_hdr {
    uint32_t len;
    uint32_t side;             /* enum fuzz_side */
    struct fuzz_origin from;
    struct finding f;
};

size_t fuzz_prog_max(void);   /* the largest encoded program (messages) */
/* Rebuild the program a worker slot says it runs; false if there is none. */
bool fuzz_slot_prog(const struct fuzz_opts *o, const struct fuzz_worker_shm *ws, struct prog *p);
struct fuzz_shared *fuzz_shared_new(unsigned jobs, size_t *size);
#include "hvfuzz/io.h"
int fuzz_worker(const struct fuzz_opts *o, struct fuzz_shared *sh, unsigned w, int fd);
double fuzz_now(void);
/* The map index of a feature: an avalanche of all 32 bits, then the map's low bits. */
static inline uint32_t fuzz_map_index(uint32_t feature)
{
    feature ^= feature >> 16;
    feature *= 0x7FEB352DU;
    feature ^= feature >> 15;
    feature *= 0x846CA68BU;
    feature ^= feature >> 16;
    return feature & (FUZZ_MAP_BITS_N - 1U);
}

/* ---- the worker's corpus (fuzz_loop_corpus.c) ---- */

/* A corpus program, packed: the program's header, then per op its fields up to the payload, the
   payload_len bytes of payload and its nr_fixups fixups (a struct prog is 384 KiB, an op 1.5). */
enum fuzz_entry_state { FUZZ_E_SEED = 0, FUZZ_E_PENDING, FUZZ_E_SAVED };
struct fuzz_entry {
    uint8_t *data;
    uint8_t *enc;           /* FUZZ_E_PENDING: the encoded program, until it is written */
    uint32_t size, enc_len;
    uint32_t rare;          /* map index of a feature it brought (eviction keeps rare ones) */
    uint8_t  state;         /* enum fuzz_entry_state */
    uint64_t hash;          /* its file is DIR/<hash>.bin (PENDING, SAVED) */
};

struct fuzz_corpus {
    const struct fuzz_opts *o;
    struct fuzz_worker_shm *ws;
    unsigned w;
    struct fuzz_entry *e;
    unsigned nr, cap;       /* entries, and the most there may be */
    uint64_t bytes, max_bytes;
    unsigned *pending;      /* entries to write, in order */
    unsigned nr_pending;
    double next_flush;
    uint16_t *hits;         /* how often each feature was seen (sampled), by index & 0xFFFF */
    uint64_t rng;
    int err;                /* errno of the first failed write */
};

int  fuzz_corpus_init(struct fuzz_corpus *c, const struct fuzz_opts *o, struct fuzz_worker_shm *ws,
                      unsigned w);
void fuzz_corpus_free(struct fuzz_corpus *c);
/* Keep p (rare: a map index it set first); state FUZZ_E_SEED for programs read from the
   directory, else it is written there at the next flush. An entry may be evicted for it. */
void fuzz_corpus_add(struct fuzz_corpus *c, const struct prog *p, uint32_t rare, bool seed);
void fuzz_corpus_get(const struct fuzz_corpus *c, unsigned i, struct prog *p);
void fuzz_corpus_remove(struct fuzz_corpus *c, unsigned i);
/* Write the pending programs (now, or when due); -1 with c->err set when one could not be. */
int  fuzz_corpus_flush(struct fuzz_corpus *c, bool now);
/* Seeds: every program file of the directory that decodes (binary or text), up to the bounds. */
void fuzz_corpus_load(struct fuzz_corpus *c, struct prog *scratch);
/* The feature was seen in a sampled run. */
static inline void fuzz_corpus_hit(struct fuzz_corpus *c, uint32_t idx)
{
    uint16_t *h = &c->hits[idx & 0xFFFFU];
    if (*h != 0xFFFFU)
        (*h)++;
}

#endif
