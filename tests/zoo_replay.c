/*
 * Every bug-zoo reproducer (corpora/zoo/<name>.txt) fires with its switch, and only with it: run on
 * the native target with only bug <name> on, the finding's signature starts with the registry's
 * oracle; with every switch off the same program gives no finding. Both audits catch each: the
 * full one (audit_full) and the incremental one alone (the full audit then only names what it
 * found). Run from the repository root.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/monitor.h"
#include "hvfuzz/target.h"
#include "test.h"

#define ZOO_DIR "corpora/zoo"

static int zoo_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run p with the given switches and audit; true and *f on a finding. */
static bool zoo_run(const struct prog *p, uint64_t bugs, bool audit_full, struct finding *f)
{
    struct target_opts o = target_default_opts;
    struct target t;

    o.bugs = bugs;
    o.audit_full = audit_full;
    o.audit_full_every = 0;
    if (target_open(&t, target_find("native"), &p->shape, &o) != 0) {
        strcpy(f->signature, "(target_open failed)");
        return true;
    }
    bool found = target_run(&t, p, NULL, f);
    target_close(&t);
    return found;
}

static void zoo_check_file(const char *file)
{
    static struct prog p;
    char name[64], path[300];
    size_t n = strlen(file) - 4;
    struct finding f;

    snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), file);
    snprintf(path, sizeof(path), "%s/%s", ZOO_DIR, file);
    const struct hv_bug_desc *b = hv_bug_find(name);
    if (!b) {
        fprintf(stderr, "%s: no bug named '%s' in hv_bug_table\n", path, name);
        CU_FAIL("reproducer without a registry row");
        return;
    }
    enum prog_err e = prog_load(&p, path);
    if (e != PROG_OK) {
        fprintf(stderr, "%s: %s\n", path, prog_strerror(e));
        CU_FAIL("reproducer does not load");
        return;
    }
    for (int full = 1; full >= 0; full--) {
        memset(&f, 0, sizeof(f));
        bool on = zoo_run(&p, 1ULL << b->id, full, &f);
        bool hit = on && !strncmp(f.signature, b->oracle, strlen(b->oracle));
        printf("\n  zoo %-12s with switch, %s audit: expected %s..., actual %s", name,
               full ? "full" : "incremental", b->oracle, on ? f.signature : "no finding");
        CU_ASSERT(hit);
    }
    memset(&f, 0, sizeof(f));
    bool off = zoo_run(&p, 0, false, &f);
    printf("\n  zoo %-12s no switch:   expected no finding, actual %s", name,
           off ? f.signature : "no finding");
    CU_ASSERT(!off);
}

TEST(zoo_replay)
{
    DIR *dir = opendir(ZOO_DIR);
    char *names[128];
    unsigned nr = 0;

    if (!dir) {
        fprintf(stderr, "%s: cannot open (the unit tests run from the repository root)\n", ZOO_DIR);
        CU_FAIL_FATAL("no bug zoo directory");
    }
    for (struct dirent *de; (de = readdir(dir)) && nr < 128;) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] != '.' && n > 4 && !strcmp(de->d_name + n - 4, ".txt"))
            names[nr++] = strdup(de->d_name);
    }
    closedir(dir);
    CU_ASSERT(nr > 0);
    qsort(names, nr, sizeof(names[0]), zoo_name_cmp);
    for (unsigned i = 0; i < nr; i++) {
        if (names[i])
            zoo_check_file(names[i]);
        free(names[i]);
    }
    printf("\n");
}
