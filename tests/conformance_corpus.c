/*
 * The recorded conformance corpus (corpora/conformance/AREA.CASE.txt, tools/record-seeds.sh) is
 * the suite every target runs, so it must not shrink silently: every file loads, and there are at
 * least CC_MIN_PROGRAMS programs stating CC_MIN_EXPECT results (each stated field counts: status,
 * rc, value, fault, pfec, each out@ field). `make check` replays them (hvfuzz replay); this test
 * counts. Run from the repository root.
 */
#include <dirent.h>
#include <string.h>

#include "hvfuzz/record.h"
#include "test.h"

#define CC_DIR          "corpora/conformance"
#define CC_MIN_PROGRAMS 500U
#define CC_MIN_EXPECT   3000U

TEST(conformance_corpus)
{
    static struct prog p;
    struct record_tally t = { 0 };
    unsigned ops = 0, bad = 0;
    DIR *dir = opendir(CC_DIR);

    if (!dir) {
        fprintf(stderr, "%s: cannot open (the unit tests run from the repository root)\n", CC_DIR);
        CU_FAIL_FATAL("no conformance corpus");
    }
    for (struct dirent *de; (de = readdir(dir)) != NULL;) {
        char path[512];
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n < 5 || strcmp(de->d_name + n - 4, ".txt"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", CC_DIR, de->d_name);
        enum prog_err e = prog_load(&p, path);
        if (e != PROG_OK) {
            fprintf(stderr, "%s: %s\n", path, prog_strerror(e));
            bad++;
            continue;
        }
        record_tally_prog(&t, &p);
        for (uint32_t i = 0; i < p.nr_ops; i++)
            ops += p.ops[i].expect.have != 0;
    }
    closedir(dir);
    printf("\n  %s: %u programs, %u ops with expectations, %u expectations (status %u, rc %u, value %u, fault %u, pfec %u, out %u)\n",
           CC_DIR, t.programs, ops, record_tally_total(&t), t.status, t.rc, t.value, t.fault,
           t.pfec, t.out);
    TEST_EQ(0, bad);
    if (t.programs < CC_MIN_PROGRAMS || record_tally_total(&t) < CC_MIN_EXPECT)
        fprintf(stderr, "%s: below the floor of %u programs and %u expectations: regenerate it with tools/record-seeds.sh --conformance-only and see what the recorder dropped (hvfuzz conform -v --record DIR)\n",
                CC_DIR, CC_MIN_PROGRAMS, CC_MIN_EXPECT);
    CU_ASSERT(t.programs >= CC_MIN_PROGRAMS);
    CU_ASSERT(record_tally_total(&t) >= CC_MIN_EXPECT);
}
