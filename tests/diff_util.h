/* Targets for the differential tests: the native target with one planted change, and a guest-code stub. */
#ifndef HVFUZZ_TESTS_DIFF_UTIL_H
#define HVFUZZ_TESTS_DIFF_UTIL_H

#include "hvfuzz/diff.h"
#include "test.h"

/*
 * What dp_planted_ops changes in the native target's results: field (a PE_* bit; 0: nothing) of
 * op number op, or of every hypercall number nr (-1: none). own_op >= 0 also makes its oracles
 * report a finding "planted:own" at that op; no_code makes it answer guest_code ops
 * OPS_UNSUPPORTED, as the native target does.
 */
struct dp_plant {
    int     op;
    int     nr;
    uint8_t field;
    int     own_op;
    bool    no_code;
};
extern struct dp_plant dp_plant;
void dp_plant_none(void);

/*
 * Both wrap the native target (native_target_ops, targets/native/native.h) and also run
 * guest_code ops, which the native target does not: OPS_RAN with one exit (reason DP_EXIT).
 * "planted" applies dp_plant; "clean" never does.
 */
#define DP_EXIT 3U
extern const struct target_ops dp_planted_ops;
extern const struct target_ops dp_clean_ops;

/* A program of the text form (asserts that it parses). */
void dp_parse(struct prog *p, const char *text);

#endif
