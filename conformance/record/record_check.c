/* Conformance recorder gate: a recorded program must replay on the native target as it was recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/record.h"
#include "hvfuzz/target.h"
#include "hvfuzz/xen.h"

/*
 * A seed that already breaks an oracle would only make every engine report the same finding, and
 * one whose results differ was lifted wrongly or depends on state the case set behind the
 * recorder's back (a direct write to a grant frame, a monitor call): both are dropped. A vCPU
 * that cannot run answers -ESRCH on the conformance machine and OPS_NOT_RUN on a target.
 */
static bool rec_same(const struct record_expect *e, const struct op_result *res)
{
    if (res->status == OPS_NOT_RUN)
        return e->rc == -XEN_ESRCH;
    return res->status == e->status && res->rc == e->rc;
}

int record_replay_check(const struct recorder *r, char *why, size_t len)
{
    const struct target_ops *ops = target_find("native");
    struct op_result *res;
    struct finding f;
    struct target t;
    int rc = 0;

    if (!ops) {
        snprintf(why, len, "no native target in this build");
        return -1;
    }
    res = calloc(PROG_MAX_OPS, sizeof(*res));
    if (!res || target_open(&t, ops, &r->prog.shape, &target_default_opts) < 0) {
        snprintf(why, len, "native target: %s", res ? "open failed" : "out of memory");
        free(res);
        return -1;
    }
    if (target_run(&t, &r->prog, res, &f)) {
        snprintf(why, len, "finding %s after op %d", f.signature, f.op_index);
        rc = -1;
    }
    for (uint32_t i = 0; rc == 0 && i < r->prog.nr_ops; i++) {
        const struct record_expect *e = &r->expect[i];
        if (e->hypercall && !rec_same(e, &res[i])) {
            snprintf(why, len, "op %u: recorded rc %lld, replay status %u rc %lld", i,
                     (long long)e->rc, res[i].status, (long long)res[i].rc);
            rc = -1;
        }
    }
    target_close(&t);
    free(res);
    return rc;
}
