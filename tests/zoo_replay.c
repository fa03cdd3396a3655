/*
 * Every bug-zoo reproducer (corpora/zoo/<name>.txt) fires with its switch, and only with it: with
 * only bug <name> on, the finding's signature starts with the registry's oracle; with every
 * switch off the same program gives no finding and meets every result it states (=> ...); with
 * the switch, both the full audit and the incremental one alone catch it. The
 * check is bz_repro_check, the one the conformance area `zoo` runs per registry row; this test
 * walks the directory instead, so a file without a registry row is named too.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/bugzoo.h"
#include "test.h"

static int zoo_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void zoo_check_file(const char *dir, const char *file)
{
    char name[64], path[600];
    size_t n = strlen(file) - 4;
    struct bz_repro_result r;

    snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), file);
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    const struct hv_bug_desc *b = hv_bug_find(name);
    if (!b || b->id == HV_BUG_NONE) {
        fprintf(stderr, "%s: no bug named '%s' in hv_bug_table\n", path, name);
        CU_FAIL("reproducer without a registry row");
        return;
    }
    bz_repro_check(b, path, &r);
    printf("\n  zoo %-12s with switch: expected %s..., actual %s", name, b->oracle,
           r.on[0] ? r.on : "(not run)");
    printf("\n  zoo %-12s no switch:   expected no finding, %u expectations met, actual %s", name,
           r.expects, r.off[0] ? r.off : "(not run)");
    if (r.verdict != BZ_REPRO_OK)
        fprintf(stderr, "\n%s\n", r.msg);
    TEST_EQ(BZ_REPRO_OK, r.verdict);
}

TEST(zoo_replay)
{
    char dir[512], *names[128];
    unsigned nr = 0;
    DIR *d;

    if (bz_repro_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir))) {
        fprintf(stderr, "zoo_replay: %s\n", dir);
        CU_FAIL_FATAL("no bug zoo directory");
        return;
    }
    for (struct dirent *de; (de = readdir(d)) && nr < 128;) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] != '.' && n > 4 && !strcmp(de->d_name + n - 4, ".txt"))
            names[nr++] = strdup(de->d_name);
    }
    closedir(d);
    CU_ASSERT(nr > 0);
    qsort(names, nr, sizeof(names[0]), zoo_name_cmp);
    for (unsigned i = 0; i < nr; i++) {
        if (names[i])
            zoo_check_file(dir, names[i]);
        free(names[i]);
    }
    printf("\n");
}
