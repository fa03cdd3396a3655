/*
 * A new finding is minimized before it is stored, and the original is kept beside it: the XSA-224
 * reproducer padded with operations that do nothing shrinks (finding_minimize, in a child, within
 * its time bound) to a program that still gives the signature; finding_write stores it as
 * repro.bin and the padded program, byte for byte, as repro-orig.bin, and the report says which
 * is which.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/monitor.h"
#include "test.h"

#define FKO_PAD 6U

TEST(finding_keeps_original)
{
    static struct prog orig, p, q;
    static struct op_result res[PROG_MAX_OPS];
    struct target_opts topts = target_default_opts;
    char tmpl[] = "/tmp/hvfuzz-orig-XXXXXX", dir[4096], path[4200], note[160];
    struct finding f;
    struct target t;
    bool have_res = false;

    topts.bugs = 1ULL << hv_bug_find("xsa224")->id;
    TEST_EQ(PROG_OK, prog_load(&orig, "corpora/zoo/xsa224.txt"));
    /* preemption patterns of 0 between the reproducer's ops: noise the minimizer must drop */
    CU_ASSERT_FATAL(orig.nr_ops + FKO_PAD <= PROG_MAX_OPS);
    memmove(&orig.ops[FKO_PAD], &orig.ops[0], orig.nr_ops * sizeof(orig.ops[0]));
    memset(orig.ops, 0, FKO_PAD * sizeof(orig.ops[0]));
    for (unsigned i = 0; i < FKO_PAD; i++)
        orig.ops[i].kind = OP_PREEMPT;
    orig.nr_ops += FKO_PAD;
    TEST_EQ(0, target_open(&t, target_find("native"), &orig.shape, &topts));
    CU_ASSERT_FATAL(target_run(&t, &orig, NULL, &f));
    target_close(&t);

    p = orig;
    char sig[128];
    snprintf(sig, sizeof(sig), "%s", f.signature);
    CU_ASSERT(finding_minimize(target_find("native"), &topts, &p, &f, res, &have_res, 20.0, note,
                               sizeof(note)));
    printf("\n  minimized %u -> %u ops: %s", orig.nr_ops, p.nr_ops, note);
    CU_ASSERT(p.nr_ops + FKO_PAD <= orig.nr_ops);
    CU_ASSERT(!strcmp(f.signature, sig));
    CU_ASSERT(have_res);

    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    struct finding_info info = { .target = "native", .bugs = topts.bugs, .orig = &orig,
                                 .minimized = note };
    TEST_EQ(1, finding_write(tmpl, &p, &f, res, &info, dir, sizeof(dir)));
    snprintf(path, sizeof(path), "%s/%s", dir, FINDING_ORIG);
    TEST_EQ(PROG_OK, prog_load(&q, path));
    CU_ASSERT(prog_equal(&orig, &q));
    snprintf(path, sizeof(path), "%s/%s", dir, FINDING_REPRO);
    TEST_EQ(PROG_OK, prog_load(&q, path));
    CU_ASSERT(prog_equal(&p, &q));

    /* the stored program still gives the finding */
    TEST_EQ(0, target_open(&t, target_find("native"), &q.shape, &topts));
    struct finding g;
    CU_ASSERT(target_run(&t, &q, NULL, &g) && !strcmp(g.signature, sig));
    target_close(&t);

    snprintf(path, sizeof(path), "%s/%s", dir, FINDING_REPORT);
    FILE *r = fopen(path, "r");
    char *report = calloc(1, 1 << 16);
    CU_ASSERT_FATAL(r && report);
    size_t n = fread(report, 1, (1 << 16) - 1, r);
    fclose(r);
    CU_ASSERT(n > 0);
    CU_ASSERT(strstr(report, "files:     repro.bin = minimized (") != NULL);
    CU_ASSERT(strstr(report, "repro-orig.bin = the program as found (") != NULL);
    free(report);

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
}
