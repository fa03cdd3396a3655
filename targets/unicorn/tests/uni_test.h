/* Helpers the unicorn target's tests share: run a text program on a target and keep its results. */
#ifndef HVFUZZ_UNI_TEST_H
#define HVFUZZ_UNI_TEST_H

#include <stdbool.h>
#include "hvfuzz/target.h"

struct uni_test_run {
    struct prog prog;
    struct op_result res[PROG_MAX_OPS];
    bool found;
    struct finding f;
};

/* Parse text (aborting the test on a syntax error), run it on the named target with the audit
   on, fill r; false if the target did not open. */
bool uni_test_run(const char *target, const char *text, struct uni_test_run *r);

#endif
