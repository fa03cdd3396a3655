/* The program harnesses' shared part (native.c, unicorn.c): input -> program, one open target per shape, reports. */
#ifndef HVFUZZ_HARNESS_H
#define HVFUZZ_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/monitor.h"
#include "hvfuzz/exit.h"
#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"

#ifndef HARNESS_TARGET
#define HARNESS_TARGET "native"
#endif

/*
 * Included once per harness file, so every harness is one translation unit compiled as before
 * (the engines instrument it the same way; nothing is shared across binaries). fuzz/harness/
 * native.c describes the input and the choices made here.
 */
#define HARNESS_MAX_INPUT (256U * 1024U)
#define HARNESS_HDR       24U     /* every version's header: body length at 16, checksum at 20 */
#define HARNESS_TEXT_CAP  (512U * 1024U)

/*
 * One open target per shape, kept: fuzz bytes select one of eight machines (prog_from_fuzz) and
 * the seeds share the first, so after the first inputs nothing is built any more. Mutated program
 * files may name other shapes; their frame pools are rounded up to a power of two, and the least
 * recently used machines make room for them. Building one costs as much as a few hundred runs, and
 * a seeded libFuzzer run keeps two or three dozen shapes in its corpus (most differ in dom_pages),
 * so the cache holds up to HARNESS_SLOTS machines of HARNESS_FRAMES frames in all (two pages a
 * frame with the snapshot: 256 MiB), where 16 slots rebuilt one every few thousand runs.
 * HVFUZZ_HARNESS_STATS=1 counts the opens. A harness may define either first.
 */
#ifndef HARNESS_SLOTS
#define HARNESS_SLOTS 64U
#endif
#ifndef HARNESS_FRAMES
#define HARNESS_FRAMES 32768U
#endif

/* Programs a machine runs before it is rebuilt (a harness may define it first): 0, never. */
#ifndef HARNESS_REOPEN_RUNS
#define HARNESS_REOPEN_RUNS 0U
#endif

struct harness_slot {
    struct target t;
    bool open;
    uint64_t used;    /* run number of the last use, for eviction */
    uint32_t runs;    /* programs since it was opened (HARNESS_REOPEN_RUNS) */
};
static struct harness_slot harness_slots[HARNESS_SLOTS];
static struct harness_slot *harness_last;   /* most inputs run on the machine before theirs */
static uint32_t harness_frames;             /* frames of the open machines (HARNESS_FRAMES) */
static const struct target_ops *harness_ops;
static struct target_opts harness_opts;
static uint64_t harness_runs;
static uint64_t harness_opens;
static uint64_t harness_ops_run;
static struct prog harness_prog;
static uint8_t harness_copy[HARNESS_MAX_INPUT];
static char harness_text[HARNESS_TEXT_CAP];

/*
 * HVFUZZ_HARNESS_STATS=1: at exit, how many exit ops of each reason ran (the last count is the
 * reasons the monitor does not know). Replaying an engine's corpus through the replay driver with
 * it set shows what a campaign's inputs reached; off, the run costs nothing extra.
 */
static int harness_stats = -1;
static uint64_t harness_exits[EXIT_NR + 1];
static struct op_result harness_res[PROG_MAX_OPS];

static void harness_stats_print(void)
{
    fflush(stdout);
    fprintf(stderr, "==hvfuzz== exits run:");
    for (unsigned r = 0; r <= EXIT_NR; r++)
        fprintf(stderr, " %s %llu", r < EXIT_NR ? abi_exit_reason_name(r) : "other",
                (unsigned long long)harness_exits[r]);
    fprintf(stderr, "\n==hvfuzz== inputs run %llu, ops run %llu, machines opened %llu\n",
            (unsigned long long)harness_runs, (unsigned long long)harness_ops_run,
            (unsigned long long)harness_opens);
}

static void harness_stats_count(const struct prog *p)
{
    for (uint32_t i = 0; i < p->nr_ops; i++)
        harness_ops_run += harness_res[i].status != OPS_NOT_RUN;
    for (uint32_t i = 0; i < p->nr_ops; i++)
        if (p->ops[i].kind == OP_EXIT && harness_res[i].status == OPS_RAN)
            harness_exits[p->ops[i].exit_reason < EXIT_NR ? p->ops[i].exit_reason : EXIT_NR]++;
}

/*
 * A file may name a shape whose domains do not fit its frame pool, which no target can build:
 * that is a bad input, not a finding. The pool becomes the smallest power of two that holds it
 * and two frames per domain page (the room prog_from_fuzz gives); false if even the largest pool
 * is too small.
 */
static bool harness_fit_shape(struct prog_shape *s)
{
    const unsigned max_frames = 4096, need = 2U * s->nr_domains * s->dom_pages;
    unsigned frames = 64;

    while (frames < max_frames && (frames < s->nr_frames || frames < need))
        frames *= 2U;
    if (frames < need)
        return false;
    s->nr_frames = (uint16_t)frames;
    return true;
}

/* The header's body length, which the decoder wants to be all the bytes after the header. */
static uint32_t harness_body_len(const uint8_t *data)
{
    return (uint32_t)data[16] | (uint32_t)data[17] << 8 | (uint32_t)data[18] << 16 |
           (uint32_t)data[19] << 24;
}

/*
 * One decode per input: a program file is re-sealed in a copy first (a no-op for an intact one).
 * Most mutants of a program file were resized, and a body length that does not match the size
 * fails the decode whatever the checksum: those skip the copy and the checksum over all their
 * bytes (1,301 of the 1,490 files with the magic a seeded 200,000-run trial saved).
 */
static bool harness_program(struct prog *p, const uint8_t *data, size_t size)
{
    if (size >= HARNESS_HDR && memcmp(data, "HVFZ", 4) == 0 &&
        harness_body_len(data) == size - HARNESS_HDR) {
        memcpy(harness_copy, data, size);
        prog_reseal(harness_copy, size);
        if (prog_decode_reuse(p, harness_copy, size) == PROG_OK)
            return harness_fit_shape(&p->shape);
    }
    prog_from_fuzz(p, data, size);
    return true;
}

static bool harness_shape_eq(const struct prog_shape *a, const struct prog_shape *b)
{
    return a->nr_frames == b->nr_frames && a->nr_domains == b->nr_domains &&
           a->nr_vcpus == b->nr_vcpus && a->dom_pages == b->dom_pages;
}

static void harness_slot_close(struct harness_slot *s)
{
    if (!s->open)
        return;
    harness_frames -= s->t.shape.nr_frames;
    target_close(&s->t);
    s->open = false;
    if (harness_last == s)
        harness_last = NULL;
}

/* The least recently used open machine, or NULL when none is open. */
static struct harness_slot *harness_slot_lru(void)
{
    struct harness_slot *lru = NULL;

    for (unsigned i = 0; i < HARNESS_SLOTS; i++)
        if (harness_slots[i].open && (!lru || harness_slots[i].used < lru->used))
            lru = &harness_slots[i];
    return lru;
}

/*
 * The machine for shape, opened if need be. Its loops follow the cache's history (which slot a
 * shape landed in), not the input, so fuzz/harness/nocov.txt leaves it without coverage.
 * Re-created bugs come from the environment, read once, so a campaign can hunt a zoo bug.
 */
static __attribute__((noinline)) struct target *harness_target(const struct prog_shape *shape)
{
    struct harness_slot *slot = NULL;

    if (harness_last && harness_shape_eq(&harness_last->t.shape, shape))
        slot = harness_last;
    for (unsigned i = 0; !slot && i < HARNESS_SLOTS; i++)
        if (harness_slots[i].open && harness_shape_eq(&harness_slots[i].t.shape, shape))
            slot = &harness_slots[i];
    if (slot) {
        slot->used = harness_runs;
        harness_last = slot;
        if (HARNESS_REOPEN_RUNS == 0 || ++slot->runs != HARNESS_REOPEN_RUNS)
            return &slot->t;
        harness_slot_close(slot);   /* worn out: rebuilt below */
    }
    if (!harness_ops) {
        const char *bugs = getenv("HVFUZZ_BUGS");

        harness_ops = target_find(HARNESS_TARGET);
        if (!harness_ops) {
            fprintf(stderr, "harness: no target '%s' in this build\n", HARNESS_TARGET);
            return NULL;
        }
        harness_opts = target_default_opts;
        /* names as hvfuzz bugzoo --list gives them ("xsa148,uart-fifo"), or a bit mask */
        if (bugs && hv_bugs_parse(bugs, &harness_opts.bugs, NULL, NULL) < 0)
            harness_opts.bugs = strtoull(bugs, NULL, 0);
    }
    /* room: a free slot and the frame budget (one machine may exceed it alone) */
    for (;;) {
        slot = NULL;
        for (unsigned i = 0; !slot && i < HARNESS_SLOTS; i++)
            if (!harness_slots[i].open)
                slot = &harness_slots[i];
        if (slot && harness_frames + shape->nr_frames <= HARNESS_FRAMES)
            break;
        struct harness_slot *lru = harness_slot_lru();
        if (!lru)
            break;
        harness_slot_close(lru);
    }
    if (target_open(&slot->t, harness_ops, shape, &harness_opts) < 0) {
        fprintf(stderr, "harness: opening target '%s' failed (%u frames, %u domains of %u pages)\n",
                HARNESS_TARGET, shape->nr_frames, shape->nr_domains, shape->dom_pages);
        return NULL;
    }
    slot->open = true;
    slot->used = harness_runs;
    slot->runs = 0;
    harness_frames += shape->nr_frames;
    harness_last = slot;
    harness_opens++;
    return &slot->t;
}

static void harness_report(const struct finding *f, const struct prog *p)
{
    size_t n = prog_format_text(p, harness_text, sizeof(harness_text));

    fprintf(stderr, "==hvfuzz== FINDING %s (oracle %s, after op %d)\n", f->signature,
            oracle_name(f->oracle), f->op_index);
    fprintf(stderr, "%s\n", f->detail);
    fprintf(stderr, "==hvfuzz== program (%u ops):\n%s%s", p->nr_ops, harness_text,
            n >= sizeof(harness_text) ? "...(cut)\n" : "");
}


/*
 * The eight machines fuzz bytes select, opened once from LLVMFuzzerInitialize: AFL++'s driver
 * calls it before its fork server starts and respawns the target every 1000 inputs, so every
 * respawned child inherits them instead of rebuilding (and the builder's coverage never shows up
 * as instability). Drivers that skip it open them at first use.
 */
static void harness_open_all(void)
{
    for (uint8_t b = 0; b < 8; b++) {
        prog_from_fuzz(&harness_prog, &b, 1);
        if (!harness_target(&harness_prog.shape))
            abort();
    }
}

/* The machine p runs on (target_run resets it); the stats switch is read at the first input. */
static struct target *harness_begin(const struct prog *p)
{
    struct target *t;

    harness_runs++;
    t = harness_target(&p->shape);
    if (!t)
        abort();
    if (harness_stats < 0) {
        const char *e = getenv("HVFUZZ_HARNESS_STATS");
        harness_stats = e && *e && *e != '0';
        if (harness_stats)
            atexit(harness_stats_print);
    }
    return t;
}

/* Where target_run puts the results: only the stats read them. */
static struct op_result *harness_results(void)
{
    return harness_stats ? harness_res : NULL;
}

static void harness_end(const struct prog *p)
{
    if (harness_stats)
        harness_stats_count(p);
}

#endif
