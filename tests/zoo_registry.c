/*
 * Every re-created bug in the registry (hv_bug_table) has its hand-written reproducer,
 * corpora/zoo/<name>.txt (in bz_repro_dir), which tests/zoo_replay.c and the conformance area
 * `zoo` run. Missing files are named.
 */
#include <string.h>
#include <unistd.h>

#include "hvfuzz/bugzoo.h"
#include "test.h"

TEST(zoo_registry)
{
    char missing[1024] = "", dir[512];
    size_t len = 0;
    unsigned nr_missing = 0;

    if (bz_repro_dir(dir, sizeof(dir)) < 0) {
        fprintf(stderr, "zoo_registry: %s\n", dir);
        CU_FAIL_FATAL("no bug zoo directory");
        return;
    }
    for (unsigned i = 1; i < HV_BUG_NR; i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/%s.txt", dir, hv_bug_table[i].name);
        if (access(path, R_OK) == 0)
            continue;
        nr_missing++;
        int w = snprintf(missing + len, sizeof(missing) - len, " %s", path);
        if (w > 0 && (size_t)w < sizeof(missing) - len)
            len += (size_t)w;
    }
    if (nr_missing)
        fprintf(stderr, "zoo_registry: %u of %u registry rows have no reproducer:%s\n",
                nr_missing, HV_BUG_NR - 1U, missing);
    TEST_EQ(0, nr_missing);
}
