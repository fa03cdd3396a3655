/* Fuzz harness for the program codec: decoders never fail badly and every round trip holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"

/*
 * One input feeds all three readers: the canonical binary decoder, the text parser and the lenient
 * fuzz decoder. Whatever one of them accepts must be valid, and must survive binary and text round
 * trips; a binary file that decodes must re-encode to exactly its own bytes (one encoding per
 * program). A mismatch aborts, which every engine reports as a crash. State is static but fully
 * rewritten by each reader, so nothing leaks between runs.
 */
#define CODEC_MAX_INPUT (1U << 20)
#define CODEC_TEXT_CAP  (1U << 20)
#define CODEC_BIN_CAP   (1U << 18)

static struct prog prog_harness_p, prog_harness_q;
static uint8_t prog_harness_bin[CODEC_BIN_CAP];
static char prog_harness_text[CODEC_TEXT_CAP];

static void prog_harness_fail(const char *reader, const char *what, enum prog_err e)
{
    if (e != PROG_OK)
        fprintf(stderr, "codec harness: %s: %s (%s)\n", reader, what, prog_strerror(e));
    else
        fprintf(stderr, "codec harness: %s: %s\n", reader, what);
    abort();
}

/* Binary and text round trips of a program some reader accepted. */
static void prog_harness_roundtrip(const char *reader, const struct prog *p)
{
    enum prog_err e = prog_validate(p);
    if (e != PROG_OK)
        prog_harness_fail(reader, "accepted an invalid program", e);

    size_t n = prog_encode(p, prog_harness_bin, sizeof(prog_harness_bin));
    if (n == 0 || n != prog_encoded_size(p))
        prog_harness_fail(reader, "encode failed or disagrees with prog_encoded_size", PROG_OK);
    if ((e = prog_decode(&prog_harness_q, prog_harness_bin, n)) != PROG_OK)
        prog_harness_fail(reader, "own encoding does not decode", e);
    if (!prog_equal(p, &prog_harness_q))
        prog_harness_fail(reader, "binary round trip changed the program", PROG_OK);

    size_t t = prog_format_text(p, prog_harness_text, sizeof(prog_harness_text));
    if (t >= sizeof(prog_harness_text))
        prog_harness_fail(reader, "text form larger than the harness buffer", PROG_OK);
    unsigned line = 0;
    if ((e = prog_parse_text(&prog_harness_q, prog_harness_text, &line)) != PROG_OK) {
        fprintf(stderr, "codec harness: line %u of:\n%s", line, prog_harness_text);
        prog_harness_fail(reader, "own text form does not parse", e);
    }
    if (!prog_equal(p, &prog_harness_q))
        prog_harness_fail(reader, "text round trip changed the program", PROG_OK);
}

/* A decoded file is checked in full and must re-encode to exactly its own bytes. */
static void prog_harness_binary(const uint8_t *data, size_t size)
{
    if (prog_decode(&prog_harness_p, data, size) != PROG_OK)
        return;
    prog_harness_roundtrip("prog_decode", &prog_harness_p);
    size_t n = prog_encode(&prog_harness_p, prog_harness_bin, sizeof(prog_harness_bin));
    if (n != size || memcmp(prog_harness_bin, data, size) != 0)
        prog_harness_fail("prog_decode", "re-encoding gives other bytes than the input", PROG_OK);
}

/*
 * Mutated files almost never carry a matching checksum, which would leave every field check
 * behind it unexplored. So a v1-looking input is also decoded with its checksum recomputed (prog_reseal).
 */
static void prog_harness_binary_resealed(const uint8_t *data, size_t size)
{
    static uint8_t copy[CODEC_BIN_CAP];

    if (size < 24 || size > sizeof(copy) || memcmp(data, "HVFZ", 4) != 0 || data[4] != 1 ||
        data[5] != 0)
        return;
    memcpy(copy, data, size);
    prog_reseal(copy, size);
    if (memcmp(copy, data, size) != 0)
        prog_harness_binary(copy, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Bigger inputs only slow the engine down: every limit is far below this. */
    if (size > CODEC_MAX_INPUT)
        return -1;

    prog_harness_binary(data, size);
    prog_harness_binary_resealed(data, size);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    if (prog_parse_text(&prog_harness_p, text, NULL) == PROG_OK)
        prog_harness_roundtrip("prog_parse_text", &prog_harness_p);
    free(text);

    prog_from_fuzz(&prog_harness_p, data, size);
    prog_harness_roundtrip("prog_from_fuzz", &prog_harness_p);
    return 0;
}
