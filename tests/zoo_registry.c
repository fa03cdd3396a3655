/*
 * Every re-created bug in the registry (hv_bug_table) has its hand-written reproducer,
 * corpora/zoo/<name>.txt, which tests/zoo_replay.c runs. Missing files are named. Run from the
 * repository root.
 */
#include <string.h>
#include <unistd.h>

#include "hvfuzz/monitor.h"
#include "test.h"

TEST(zoo_registry)
{
    char missing[1024] = "";
    size_t len = 0;
    unsigned nr_missing = 0;

    for (unsigned i = 1; i < HV_BUG_NR; i++) {
        char path[128];
        snprintf(path, sizeof(path), "corpora/zoo/%s.txt", hv_bug_table[i].name);
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
