/* Fuzz harness for the x86 decoder: whatever it decodes, Capstone must decode identically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/x86.h"
#include "../../tests/x86_capstone_diff.h"

/*
 * The input is the instruction bytes, as an exit record would carry them. Our decoder is the code
 * under test and Capstone the oracle: X86_OK must mean Capstone decodes the same instruction field
 * by field; the length must not exceed the input or 15 bytes, exactly the decoded bytes must decode
 * the same, one byte fewer must be X86_E_TRUNCATED; X86_E_TOO_LONG must be an instruction Capstone
 * cannot fit in 15 bytes either. Reading past the input is left to ASan on the engine's buffer.
 * Any failure aborts, which every engine reports as a crash. The Capstone handle is opened once and
 * holds no state between inputs.
 */
static struct x86_cs *x86_harness_cs;

static void x86_harness_fail(const uint8_t *data, size_t size, const char *what,
                             const struct x86_insn *in)
{
    char ours[256] = "-", theirs[256];
    x86_cs_describe(x86_harness_cs, data, size, theirs, sizeof(theirs));
    if (in)
        x86_insn_describe(in, ours, sizeof(ours));
    fprintf(stderr, "decoder harness: %s\n  bytes:   ", what);
    for (size_t i = 0; i < size && i < 16; i++)
        fprintf(stderr, " %02x", data[i]);
    fprintf(stderr, "\n  ours:     %s\n  capstone: %s\n", ours, theirs);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_insn in, again;
    char why[256];

    if (!x86_harness_cs && !(x86_harness_cs = x86_cs_open())) {
        fprintf(stderr, "decoder harness: cannot open capstone\n");
        abort();
    }
    enum x86_decode_status st = x86_decode(data, size, &in);
    switch (st) {
    case X86_OK:
        if (in.len == 0 || in.len > size || in.len > X86_MAX_INSN_LEN)
            x86_harness_fail(data, size, "length out of bounds", &in);
        if (x86_cs_compare(x86_harness_cs, data, size, &in, why, sizeof(why)) != 0)
            x86_harness_fail(data, size, why, &in);
        if (x86_decode(data, in.len, &again) != X86_OK || memcmp(&in, &again, sizeof(in)) != 0)
            x86_harness_fail(data, size, "decodes differently from exactly its own bytes", &in);
        if (x86_decode(data, in.len - 1U, &again) != X86_E_TRUNCATED)
            x86_harness_fail(data, size, "one byte short is not TRUNCATED", &in);
        break;
    case X86_E_TOO_LONG:
        if (x86_cs_describe(x86_harness_cs, data, size, why, sizeof(why)))
            x86_harness_fail(data, size, "too long for us, capstone decodes it", NULL);
        break;
    case X86_E_TRUNCATED:
        if (size >= X86_MAX_INSN_LEN)
            x86_harness_fail(data, size, "TRUNCATED with 15 bytes available", NULL);
        break;
    case X86_E_UNSUPPORTED:
        break;
    default:
        x86_harness_fail(data, size, "unknown status", NULL);
    }
    return 0;
}
