/* Fuzz harness for the unicorn target: a program and guest code from the input, the guest's block edges as coverage. */
#define HARNESS_TARGET "unicorn"
/*
 * Unicorn 2.0.1 gives each engine a 1 GiB buffer for translated code, which every new block
 * extends and which is only reused once full; flushing it costs 0.1 s to 13 s here. Each input's
 * code is new (about 12 KiB of translation per program, measured), so after 60,000 libFuzzer runs
 * the eight machines held 660 MB of it and were heading for libFuzzer's 2 GB limit. A machine is
 * rebuilt instead (about 0.1 s, most of it the native builder) after this many programs.
 */
#define HARNESS_REOPEN_RUNS 4096U
/* and each engine's buffer grows to hundreds of MB: no more machines than before */
#define HARNESS_SLOTS 16U
#include "fuzz/harness/harness.h"
#include "targets/unicorn/uni.h"

/* Unicorn 2.0.1 leaks the code bitmap of a page whose translations a guest store invalidated
   (tb_invalidate_phys_page_fast) when its engine closes: LeakSanitizer would report that library
   leak at exit, and in libFuzzer's per-input check, once a machine has been rebuilt. */
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:tb_invalidate_phys_page_fast\n";
}

/*
 * Input: a two-byte header, the program, then the guest code.
 *
 *     byte 0      n: the last n bytes of the input are the guest code (all there is, if fewer)
 *     byte 1      the domain that runs it (low nibble, modulo the shape's domains) and its vCPU
 *                 (high nibble, modulo the vCPUs): prog_from_fuzz's encoding
 *     bytes 2..   up to the code: the native harness's input (a program file, re-sealed, or fuzz
 *                 bytes for prog_from_fuzz), which builds the state the code runs in
 *
 * The code becomes one guest_code op appended to the program (over its 256th op if it is full),
 * padded with `ret` to the payload buffer's 512 bytes and run from the payload page at CPL3 with
 * zeroed registers and a budget of UH_BUDGET instructions; n = 0 adds none. At the end of the
 * input, the code keeps its bytes when a mutation grows or shrinks the program, and the program
 * keeps its own when the code changes length. The code runs last because a budget overrun ends
 * target_run at its op: ops after it would never run.
 *
 * A finding aborts, as in native.c, except hang:guest_code: the guest's own loop ran past its
 * budget, which says nothing about the monitor (any `jmp $` does it) and would bury the engines
 * in crashes. The final oracles that finding skipped (isolation, BUG(), the full audit) run then,
 * and what they find aborts. hang:max-steps, the monitor's work bound, still aborts.
 *
 * Coverage: the monitor's own code is instrumented as in native.c, and each translated block the
 * guest enters gives an edge (targets/unicorn/cov.c: hash(block) ^ hash(previous block) >> 1,
 * previous forgotten at each op) counted in UH_EDGES slots: libFuzzer reads them as extra
 * counters (they add features, "ft:", not "cov:", which counts instrumented PCs); AFL++ gets each
 * as a trace-pc-guard event on a private guard array. HVFUZZ_UNI_COV=0 in the environment turns
 * the edges off (no block hook at all), to measure what they add.
 */
#define UH_BUDGET 2000U
#define UH_HDR    2U
#define UH_EDGES  8192U   /* a multiple of 8, as libFuzzer's extra counters must be */

static uint8_t uh_counters[UH_EDGES]
    __attribute__((section("__libfuzzer_extra_counters"), aligned(64), used));

/*
 * AFL++ 4.04c (afl-clang-fast defines __AFL_COMPILER) has no extra counters: its runtime numbers
 * the guards of each module at __sanitizer_cov_trace_pc_guard_init and counts hits in its map
 * at __sanitizer_cov_trace_pc_guard, so the edges get guards of their own, numbered in a
 * constructor (before the fork server reports the map's size).
 */
#ifdef __AFL_COMPILER
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);
static uint32_t uh_guards[UH_EDGES];
#endif

/* Saturating without a branch: the sink's own instrumentation stays one constant counter. */
static void uh_edge(uint32_t edge)
{
    uint8_t *c = &uh_counters[edge % UH_EDGES];

    *c = (uint8_t)(*c + (*c != 255U));
#ifdef __AFL_COMPILER
    __sanitizer_cov_trace_pc_guard(&uh_guards[edge % UH_EDGES]);
#endif
}

/* Before any target opens (LLVMFuzzerInitialize, or the first input for drivers without it). */
__attribute__((constructor)) static void uh_cov_init(void)
{
    const char *e = getenv("HVFUZZ_UNI_COV");

    if (e && *e == '0')
        return;
#ifdef __AFL_COMPILER
    __sanitizer_cov_trace_pc_guard_init(uh_guards, uh_guards + UH_EDGES);
#endif
    uni_cov_enable(uh_edge);
}

/*
 * The code as the program's last op, padded with `ret` to the whole payload buffer: the page also
 * holds what earlier ops placed there, with the values their fixups resolved to, and code that
 * ran off its end into those met the bytes uni_defuse rewrites (below) within 150,000 runs. A
 * `ret` returns to the target when the code left the stack as it found it. Only the op's head is
 * cleared (its payload is written whole).
 */
static void uh_code_op(struct prog *p, uint8_t dv, const uint8_t *code, size_t len)
{
    struct prog_op *op;

    if (!len)
        return;
    if (p->nr_ops >= PROG_MAX_OPS)
        p->nr_ops = PROG_MAX_OPS - 1U;
    op = &p->ops[p->nr_ops++];
    memset(op, 0, offsetof(struct prog_op, payload));
    op->kind = OP_GUEST_CODE;
    op->dom = (uint8_t)((dv & 0xFU) % p->shape.nr_domains);
    op->vcpu = (uint8_t)((dv >> 4) % p->shape.nr_vcpus);
    op->imm = UH_BUDGET;
    op->payload_len = PROG_MAX_PAYLOAD;
    memcpy(op->payload, code, len);
    memset(op->payload + len, 0xC3, PROG_MAX_PAYLOAD - len);
}

/*
 * Unicorn 2.0.1 aborts the process while it translates some invalid instructions (targets/unicorn/
 * defuse.c lists them); an engine finds them within seconds and would then stop at a library
 * bug. So every payload the program places in guest memory has them rewritten (uni_defuse), not
 * only the code's: when an earlier op made the payload page read-only (a page table now), the
 * code cannot be placed and the guest runs what the page held. Code that builds those bytes at
 * run time, or meets them elsewhere in guest memory (a fixup's value, a data page), still aborts
 * the process (libFuzzer: deadly signal, "tcg fatal error" on stderr): the library's bug.
 */
static void uh_defuse_all(struct prog *p)
{
    for (uint32_t i = 0; i < p->nr_ops; i++)
        uni_defuse(p->ops[i].payload, p->ops[i].payload_len < PROG_MAX_PAYLOAD ?
                                      p->ops[i].payload_len : PROG_MAX_PAYLOAD);
}

static bool uh_guest_hang(const struct finding *f)
{
    return f->oracle == ORACLE_HANG && !strcmp(f->signature, FINDING_GUEST_HANG);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    harness_open_all();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct finding f;
    struct target *t;

    if (size > HARNESS_MAX_INPUT)
        return -1;
    size_t hdr = size < UH_HDR ? size : UH_HDR;
    size_t n = size ? data[0] : 0;
    if (n > size - hdr)
        n = size - hdr;
    if (!harness_program(&harness_prog, data + hdr, size - hdr - n))
        return -1;
    uh_code_op(&harness_prog, size > 1 ? data[1] : 0, data + size - n, n);
    uh_defuse_all(&harness_prog);
    t = harness_begin(&harness_prog);
    if (target_run(t, &harness_prog, harness_results(), &f) &&
        (!uh_guest_hang(&f) || t->ops->check(t, true, -1, &f))) {
        harness_report(&f, &harness_prog);
        abort();
    }
    harness_end(&harness_prog);
    return 0;
}
