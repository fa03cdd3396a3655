/*
 * A stored difference replays where it shows: hvfuzz diff on the finding's directory finds it
 * again (the report and meta file passed over, repro.bin diffed), and hvfuzz replay, which runs
 * one target, says it is a difference and which command replays it rather than only "ok".
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/replay.h"
#include "diff_util.h"

static const char dfr_text[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n";

TEST(diff_finding_replay)
{
    static struct prog p;
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    struct target_opts o = target_default_opts;
    char tmpl[] = "/tmp/hvfuzz-difffind-XXXXXX", dir[4096], cmd[4200];
    struct target a, b;

    dp_parse(&p, dfr_text);
    dp_plant_none();
    dp_plant.op = 1;
    dp_plant.field = PE_RC;
    CU_ASSERT_FATAL(target_open(&a, target_find("native"), &p.shape, &o) == 0);
    CU_ASSERT_FATAL(target_open(&b, &dp_planted_ops, &p.shape, &o) == 0);
    CU_ASSERT_FATAL(diff_run(&a, &b, &p, ra, rb, &r));
    target_close(&a);
    target_close(&b);
    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    struct finding_info info = { .target = "native", .diff_target = "planted" };
    TEST_EQ(1, finding_write(tmpl, &p, &r.f, ra, &info, dir, sizeof(dir)));

    char *out = NULL, *err = NULL, *paths[1] = { dir };
    size_t ol, el;
    FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(&err, &el);
    struct diff_opts dop = { .target = { target_find("native"), &dp_planted_ops },
                             .topts = target_default_opts };
    int rc = diff_paths(&dop, paths, 1, fo, fe);
    fclose(fo);
    fclose(fe);
    fprintf(stderr, "  diff: expected exit 1 and the difference at op 1, actual exit %d:\n%s%s",
            rc, out, err);
    TEST_EQ(DIFF_EXIT_DIFF, rc);
    CU_ASSERT(strstr(out, "/repro.bin: DIFF diff:native/planted:xen_version at op 1 (rc)") != NULL);
    CU_ASSERT(strstr(out, "diffed 1 programs") != NULL);
    free(out);
    free(err);

    fo = open_memstream(&out, &ol);
    fe = open_memstream(&err, &el);
    struct replay_opts rop = { .target = target_find("native"), .topts = target_default_opts,
                               .fork = false };
    rc = replay_paths(&rop, paths, 1, fo, fe);
    fclose(fo);
    fclose(fe);
    const char *note = "a difference between native and planted (from finding.meta): hvfuzz diff "
                       "--targets native,planted replays it\n";
    fprintf(stderr, "  replay: expected exit 0 and the line '%s', actual exit %d:\n%s%s", note, rc,
            out, err);
    TEST_EQ(REPLAY_EXIT_OK, rc);
    CU_ASSERT(strstr(out, note) != NULL);
    free(out);
    free(err);
    dp_plant_none();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
}
