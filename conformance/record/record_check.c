/* Conformance recorder gate: a recorded program must replay on the native target as it was recorded. */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/record.h"
#include "hvfuzz/target.h"

/*
 * A seed that already breaks an oracle would only make every engine report the same finding, and
 * one whose results differ from what the case saw was lifted wrongly or depends on state the case
 * set behind the recorder's back (a direct write to a grant frame, a monitor call): both are
 * dropped. The driver compares every field an op states, as `hvfuzz replay` does, so a program
 * that passes here passes there.
 */
int record_replay_check(const struct recorder *r, char *why, size_t len)
{
    const struct target_ops *ops = target_find("native");
    struct target_opts opts = target_default_opts;
    struct finding f;
    struct target t;
    int rc = 0;

    if (!ops) {
        snprintf(why, len, "no native target in this build");
        return -1;
    }
    opts.capture_out = true;
    opts.check_expect = true;
    if (target_open(&t, ops, &r->prog.shape, &opts) < 0) {
        snprintf(why, len, "native target: open failed");
        return -1;
    }
    if (target_run(&t, &r->prog, NULL, &f)) {
        /* one line: the detail's "expected: ...\nactual: ..." side by side */
        char *nl = strchr(f.detail, '\n');
        if (nl)
            *nl = '\0';
        snprintf(why, len, "finding %s after op %d: %s%s%s", f.signature, f.op_index, f.detail,
                 nl ? " | " : "", nl ? nl + 1 : "");
        rc = -1;
    }
    target_close(&t);
    return rc;
}
