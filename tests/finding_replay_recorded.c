/*
 * A finding made with --bug replays as a finding without repeating the switch (issue 8's "done
 * when"): finding_write records the switches in finding.meta, and replay of the finding's program
 * or of its directory uses them and says so in one line. --bug (here: bugs_given with none) wins
 * over the record; a corrupt meta file is one clear line and a bad file (exit 2), never a replay
 * with switches guessed. The program is the bug zoo's XSA-224 reproducer.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/replay.h"
#include "test.h"

static int frr_replay(const struct replay_opts *o, const char *path, char **out, char **err)
{
    size_t ol, el;
    FILE *fo = open_memstream(out, &ol), *fe = open_memstream(err, &el);
    char *paths[1] = { (char *)path };
    int rc = replay_paths(o, paths, 1, fo, fe);
    fclose(fo);
    fclose(fe);
    return rc;
}

TEST(finding_replay_recorded)
{
    static struct prog p;
    const struct hv_bug_desc *b = hv_bug_find("xsa224");
    struct replay_opts o = { .target = target_find("native"), .topts = target_default_opts };
    struct finding f = { .oracle = ORACLE_AUDIT, .op_index = -1, .signature = "audit:I1:test" };
    char tmpl[] = "/tmp/hvfuzz-recorded-XXXXXX", dir[4096], path[4200], *out, *err;

    CU_ASSERT_FATAL(b != NULL);
    TEST_EQ(PROG_OK, prog_load(&p, "corpora/zoo/xsa224.txt"));
    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    struct finding_info info = { .target = "native", .bugs = 1ULL << b->id };
    TEST_EQ(1, finding_write(tmpl, &p, &f, NULL, &info, dir, sizeof(dir)));

    /* the program file and the findings directory: both a finding, both say what they used */
    snprintf(path, sizeof(path), "%s/%s", dir, FINDING_REPRO);
    TEST_EQ(REPLAY_EXIT_FINDING, frr_replay(&o, path, &out, &err));
    CU_ASSERT(strstr(out, "using the recorded --bug xsa224") != NULL);
    CU_ASSERT(strstr(out, "FINDING audit:I1") != NULL);
    free(out);
    free(err);
    TEST_EQ(REPLAY_EXIT_FINDING, frr_replay(&o, tmpl, &out, &err));
    CU_ASSERT(strstr(out, "using the recorded --bug xsa224") != NULL);
    /* the meta file and the report are not programs: nothing bad in the directory */
    CU_ASSERT(strstr(out, "replayed 1: 0 clean, 1 findings, 0 bad files") != NULL);
    free(out);
    free(err);

    /* --bug none: the record is not used */
    o.bugs_given = true;
    TEST_EQ(REPLAY_EXIT_OK, frr_replay(&o, tmpl, &out, &err));
    CU_ASSERT(strstr(out, "using the recorded") == NULL);
    free(out);
    free(err);
    o.bugs_given = false;

    /* a meta file naming a bug this build does not know: one line naming file, line and bug */
    snprintf(path, sizeof(path), "%s/%s", dir, FINDING_META);
    FILE *m = fopen(path, "w");
    CU_ASSERT_FATAL(m != NULL);
    fputs("format=1\nbugs=xsa224,xsa999\n", m);
    fclose(m);
    TEST_EQ(REPLAY_EXIT_BAD, frr_replay(&o, tmpl, &out, &err));
    if (!strstr(err, "line 2: no bug named 'xsa999'"))
        fprintf(stderr, "%s:%d: expected the bad line named, actual: %s\n", __FILE__, __LINE__, err);
    CU_ASSERT(strstr(err, "line 2: no bug named 'xsa999'") != NULL);
    free(out);
    free(err);

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
}
