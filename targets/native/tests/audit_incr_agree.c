/*
 * The incremental audit agrees with the full one: after each of 100,000 generated programs (half
 * with one re-created bug switched on, in turn, so that broken states occur), audit_run_incr and
 * audit_run give the same verdict, and the write tracking the incremental audit relies on is
 * complete (every frame whose entry or memory differs from the snapshot is marked). A further
 * 5,000 programs compare the verdicts after every op.
 */
#include <string.h>

#include "hvfuzz/audit.h"
#include "hvfuzz/gen.h"
#include "targets/native/native.h"
#include "test.h"

#define AGREE_PROGRAMS 100000U
#define AGREE_EACH_OP  5000U

struct agree_counts {
    unsigned clean, broken, disagree, untracked;
};

/* Frames that differ from the snapshot without their tracking bit. */
static unsigned agree_untracked(const struct native *n)
{
    const struct hv *hv = n->hv;
    unsigned bad = 0;

    for (size_t m = 0; m < hv->nr_frames; m++) {
        bool fd = (n->fdirty[m / 64U] >> (m % 64U)) & 1U, md = (n->dirty[m / 64U] >> (m % 64U)) & 1U;
        if (!fd && memcmp(&hv->frames[m], &n->snap.frames[m], sizeof(hv->frames[m])))
            bad++;
        if (!md && memcmp(hv->mem + m * PAGE_SIZE, n->snap.mem + m * PAGE_SIZE, PAGE_SIZE))
            bad++;
    }
    return bad;
}

static void agree_compare(struct native *n, struct agree_counts *k, uint64_t seed, int op)
{
    struct audit_report ri, rf;
    unsigned incr = audit_run_incr(n->hv, n->abase, &ri);
    unsigned full = audit_run(n->hv, &rf);

    if (full)
        k->broken++;
    else
        k->clean++;
    if ((incr > 0) != (full > 0)) {
        char line[192] = "";
        if (k->disagree++ < 5) {
            audit_format(full ? &rf.v[0] : &ri.v[0], line, sizeof(line));
            fprintf(stderr, "audit_incr_agree: seed %llu op %d: expected %u violations (full), "
                    "actual %u (incremental): %s\n", (unsigned long long)seed, op, full, incr,
                    line);
        }
    }
}

static void agree_run(unsigned programs, bool each_op, struct agree_counts *k)
{
    static struct prog p;
    struct target_opts o = target_default_opts;
    struct target t;
    struct gen g;

    o.audit = false;   /* the test audits itself */
    if (target_open(&t, target_find("native"), &gen_default_cfg.shape, &o) != 0) {
        CU_FAIL("target_open");
        return;
    }
    struct native *n = t.priv;
    CU_ASSERT_PTR_NOT_NULL_FATAL(n->abase);
    gen_init(&g, NULL, 1);
    gen_probe(&g, &t);
    for (unsigned i = 0; i < programs; i++) {
        uint64_t seed = each_op ? 1000000U + i : i;
        gen_reseed(&g, seed, 0);
        gen_program(&g, &p);
        /* odd programs run with one bug of the zoo on, in turn */
        t.opts.bugs = (i & 1U) ? 1ULL << (1U + (i / 2U) % (HV_BUG_NR - 1U)) : 0;
        t.ops->reset(&t);
        for (uint32_t j = 0; j < p.nr_ops; j++) {
            struct op_result r = { .fault = PROG_FAULT_NONE };
            t.ops->run_op(&t, &p.ops[j], &r);
            if (each_op)
                agree_compare(n, k, seed, (int)j);
        }
        if (!each_op) {
            agree_compare(n, k, seed, -1);
            if (i % 64U == 0)
                k->untracked += agree_untracked(n);
        }
    }
    target_close(&t);
}

TEST(audit_incr_agree)
{
    struct agree_counts end = { 0 }, ops = { 0 };

    agree_run(AGREE_PROGRAMS, false, &end);
    agree_run(AGREE_EACH_OP, true, &ops);
    printf("\n  audit_incr_agree: %u programs: %u clean, %u broken, %u disagreements; "
           "untracked frame changes %u\n  audit_incr_agree: %u programs audited after every op: "
           "%u clean, %u broken states, %u disagreements\n", AGREE_PROGRAMS, end.clean,
           end.broken, end.disagree, end.untracked, AGREE_EACH_OP, ops.clean, ops.broken,
           ops.disagree);
    CU_ASSERT(end.broken > 0);
    CU_ASSERT(ops.broken > 0);
    TEST_EQ(0, end.disagree);
    TEST_EQ(0, end.untracked);
    TEST_EQ(0, ops.disagree);
}
