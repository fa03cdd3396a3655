/* Helpers the unicorn target's tests share: run a text program on a target and keep its results. */
#include <string.h>

#include "targets/unicorn/tests/uni_test.h"
#include "test.h"

bool uni_test_run(const char *target, const char *text, struct uni_test_run *r)
{
    struct target t;
    unsigned line = 0;

    memset(r, 0, sizeof(*r));
    if (prog_parse_text(&r->prog, text, &line) != PROG_OK) {
        fprintf(stderr, "uni_test_run: line %u of the test's program does not parse\n", line);
        CU_FAIL("program does not parse");
        return false;
    }
    if (target_open(&t, target_find(target), &r->prog.shape, NULL) < 0) {
        CU_FAIL("target does not open");
        return false;
    }
    r->found = target_run(&t, &r->prog, r->res, &r->f);
    target_close(&t);
    return true;
}
