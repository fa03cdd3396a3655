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
    struct gen_env env;             /* what the worker's generator learned (gen_probe) */
    struct prog cur;                /* only header and cur.nr_ops ops are used */
};

struct fuzz_shared {
    volatile uint64_t findings;
    volatile uint64_t corpus;
    volatile uint64_t features;
    volatile int      stop;
    volatile int      setup_failed;
    volatile uint64_t exits[FUZZ_EXIT_KINDS];   /* exit ops run, per reason (last: unknown) */
    size_t   slot_size;
    uint8_t  map[FUZZ_MAP_SIZE];
    uint8_t  slots[];
};

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

/* A finding message from a worker: this header, then len bytes of encoded program. */
struct fuzz_msg_hdr {
    uint32_t len;
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

#endif
