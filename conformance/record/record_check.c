/* Conformance recorder gate: a recorded program must replay on the native target as it was recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/record.h"
#include "hvfuzz/target.h"

/*
 * A seed that already breaks an oracle would only make every engine report the same finding, and
 * one whose results differ from what the case saw was lifted wrongly or depends on state the case
 * set behind the recorder's back (a direct write to a grant frame, a monitor call): both are
 * dropped. Every field an op's expect states is compared; the first difference is the reason.
 */
static bool rec_check_op(uint32_t i, const struct prog_expect *e, const struct op_result *res,
                         char *why, size_t len)
{
    if ((e->have & PE_STATUS) && res->status != e->status) {
        snprintf(why, len, "op %u: status %u recorded, %u replayed", i, e->status, res->status);
        return false;
    }
    if ((e->have & PE_RC) && res->rc != e->rc) {
        snprintf(why, len, "op %u: rc %lld recorded, %lld replayed", i, (long long)e->rc,
                 (long long)res->rc);
        return false;
    }
    if ((e->have & PE_VALUE) && res->value != e->value) {
        snprintf(why, len, "op %u: value 0x%llx recorded, 0x%llx replayed", i,
                 (unsigned long long)e->value, (unsigned long long)res->value);
        return false;
    }
    if ((e->have & PE_FAULT) && res->fault != e->fault) {
        snprintf(why, len, "op %u: fault %u recorded, %u replayed", i, e->fault, res->fault);
        return false;
    }
    if ((e->have & PE_PFEC) && res->pfec != e->pfec) {
        snprintf(why, len, "op %u: pfec 0x%x recorded, 0x%x replayed", i, e->pfec, res->pfec);
        return false;
    }
    for (unsigned k = 0; (e->have & PE_OUT) && k < e->nr_out; k++) {
        const struct prog_expect_out *o = &e->out[k];
        uint64_t v = 0;

        if (!res->out || o->off + o->width > res->out_len) {
            snprintf(why, len, "op %u: out@%u not captured on replay", i, o->off);
            return false;
        }
        for (unsigned b = 0; b < o->width; b++)
            v |= (uint64_t)res->out[o->off + b] << (8U * b);
        if (v != o->value) {
            snprintf(why, len, "op %u: out@%u:%u 0x%llx recorded, 0x%llx replayed", i, o->off,
                     o->width, (unsigned long long)o->value, (unsigned long long)v);
            return false;
        }
    }
    return true;
}

int record_replay_check(const struct recorder *r, char *why, size_t len)
{
    const struct target_ops *ops = target_find("native");
    struct target_opts opts = target_default_opts;
    struct op_result *res;
    uint8_t *out;
    struct finding f;
    struct target t;
    int rc = 0;

    if (!ops) {
        snprintf(why, len, "no native target in this build");
        return -1;
    }
    res = calloc(PROG_MAX_OPS, sizeof(*res));
    out = calloc(PROG_MAX_OPS, PROG_MAX_PAYLOAD);
    opts.capture_out = true;
    if (!res || !out || target_open(&t, ops, &r->prog.shape, &opts) < 0) {
        snprintf(why, len, "native target: %s", res && out ? "open failed" : "out of memory");
        free(res);
        free(out);
        return -1;
    }
    for (uint32_t i = 0; i < PROG_MAX_OPS; i++)
        res[i].out = out + (size_t)i * PROG_MAX_PAYLOAD;
    if (target_run(&t, &r->prog, res, &f)) {
        snprintf(why, len, "finding %s after op %d", f.signature, f.op_index);
        rc = -1;
    }
    for (uint32_t i = 0; rc == 0 && i < r->prog.nr_ops; i++)
        if (!rec_check_op(i, &r->prog.ops[i].expect, &res[i], why, len))
            rc = -1;
    target_close(&t);
    free(res);
    free(out);
    return rc;
}
