/* Fuzz harness for a target (native unless built with -DHARNESS_TARGET=...): bytes -> program -> oracles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"

#ifndef HARNESS_TARGET
#define HARNESS_TARGET "native"
#endif

/*
 * Input: a canonical program file (what corpora/native/ holds, recorded from the conformance
 * cases) or any other bytes, which prog_from_fuzz turns into a program. Mutations of a program
 * file almost never keep its checksum, which would send every one of them down the fuzz-bytes
 * path, so a file with the program magic is re-sealed before decoding: a mutated field then
 * reaches the target as the field's new value. The target is opened once and reset by target_run
 * for every input (re-opened when the shape changes), so nothing leaks between inputs; work is
 * bounded by the op limit and the target's step bound. A finding prints its signature, report and
 * program and aborts, which every engine saves as a crash.
 */
#define HARNESS_MAX_INPUT (256U * 1024U)
#define HARNESS_HDR       24U     /* canonical v1 header; checksum at byte 20 */
#define HARNESS_CSUM_OFF  20U
#define HARNESS_TEXT_CAP  (512U * 1024U)

static struct target harness_target;
static bool harness_ready;
static struct prog harness_prog;
static uint8_t harness_copy[HARNESS_MAX_INPUT];
static char harness_text[HARNESS_TEXT_CAP];

/* The v1 checksum: FNV-1a over the header before the checksum field and the whole body. */
static void harness_reseal(uint8_t *d, size_t n)
{
    uint32_t h = 2166136261U;

    for (size_t i = 0; i < n; i++) {
        if (i >= HARNESS_CSUM_OFF && i < HARNESS_HDR)
            continue;
        h = (h ^ d[i]) * 16777619U;
    }
    for (unsigned i = 0; i < 4; i++)
        d[HARNESS_CSUM_OFF + i] = (uint8_t)(h >> (8 * i));
}

/*
 * A file may name a shape whose domains do not fit its frame pool, which no target can build:
 * that is a bad input, not a finding. The pool grows the way prog_from_fuzz sizes it (two frames
 * per domain page); false if even the largest pool is too small.
 */
static bool harness_fit_shape(struct prog_shape *s)
{
    const unsigned max_frames = 4096, need = 2U * s->nr_domains * s->dom_pages;

    while (s->nr_frames < need && s->nr_frames < max_frames)
        s->nr_frames = (uint16_t)(s->nr_frames * 2U > max_frames ? max_frames : s->nr_frames * 2U);
    return s->nr_frames >= need;
}

static bool harness_program(struct prog *p, const uint8_t *data, size_t size)
{
    if (size >= HARNESS_HDR && memcmp(data, "HVFZ", 4) == 0) {
        if (prog_decode(p, data, size) == PROG_OK)
            return harness_fit_shape(&p->shape);
        memcpy(harness_copy, data, size);
        harness_reseal(harness_copy, size);
        if (prog_decode(p, harness_copy, size) == PROG_OK)
            return harness_fit_shape(&p->shape);
    }
    prog_from_fuzz(p, data, size);
    return true;
}

/* Re-created bugs come from the environment, read once, so a campaign can hunt a zoo bug. */
static int harness_open(void)
{
    const struct target_ops *ops = target_find(HARNESS_TARGET);
    struct target_opts o = target_default_opts;
    const char *bugs = getenv("HVFUZZ_BUGS");

    if (!ops) {
        fprintf(stderr, "harness: no target '%s' in this build\n", HARNESS_TARGET);
        return -1;
    }
    if (bugs)
        o.bugs = strtoull(bugs, NULL, 0);
    if (target_open(&harness_target, ops, &prog_default_shape, &o) < 0) {
        fprintf(stderr, "harness: opening target '%s' failed\n", HARNESS_TARGET);
        return -1;
    }
    harness_ready = true;
    return 0;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct finding f;

    /* every limit is far below this; bigger inputs only slow the engine down */
    if (size > HARNESS_MAX_INPUT)
        return -1;
    if (!harness_ready && harness_open() < 0)
        abort();
    if (!harness_program(&harness_prog, data, size))
        return -1;
    if (target_run(&harness_target, &harness_prog, NULL, &f)) {
        harness_report(&f, &harness_prog);
        abort();
    }
    return 0;
}
