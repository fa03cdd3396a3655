/* Fuzz harness for a target (native unless built with -DHARNESS_TARGET=...): bytes -> program -> oracles. */
#include "fuzz/harness/harness.h"

/*
 * Input: a canonical program file (what corpora/native/ holds, recorded from the conformance
 * cases) or any other bytes, which prog_from_fuzz turns into a program. Mutations of a program
 * file almost never keep its checksum, which would send every one of them down the fuzz-bytes
 * path, so a file with the program magic is re-sealed before decoding: a mutated field then
 * reaches the target as the field's new value. Each input is decoded once, into one struct that
 * is never cleared whole (prog_decode_reuse, prog_from_fuzz), and costs one reset (target_run's);
 * work is bounded by the op limit and the target's step bound. A finding prints its signature,
 * report and program and aborts, which every engine saves as a crash.
 *
 * The engines' coverage comes from the monitor's hypercall, exit and device code. The audit and
 * the native target's build and reset (monitor/audit*.c, targets/native/target.c) are compiled
 * without coverage (fuzz/harness/nocov.txt): their loops walk every frame, so their counters
 * measured the machine's size and the previous input's dirty frames rather than new behaviour,
 * and the audit's verdict reaches the engine as a crash anyway. The IR decoders, the generic runner
 * and the native target's op dispatch, argument resolution and oracles have none either: their
 * edges said again which ops and arguments the monitor then ran (or how long the input was), and
 * each edge an input hits costs libFuzzer a feature update.
 */
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

    /* every limit is far below this; bigger inputs only slow the engine down */
    if (size > HARNESS_MAX_INPUT)
        return -1;
    if (!harness_program(&harness_prog, data, size))
        return -1;
    t = harness_begin(&harness_prog);
    if (target_run(t, &harness_prog, harness_results(), &f)) {
        harness_report(&f, &harness_prog);
        abort();
    }
    harness_end(&harness_prog);
    return 0;
}
