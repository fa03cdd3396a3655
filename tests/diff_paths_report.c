/*
 * hvfuzz diff's report over files (diff_paths): one line per difference naming the file, the
 * signature, the op, the fields and both sides; a summary of what was compared and why the rest
 * was not; exit status 1 at a difference, 0 without, 2 for a bad file when nothing differs.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff_util.h"

static const char dpr_text[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "hypercall d1 v0 xen_version(0, 0)\n";

struct dpr_row {
    const char *what;
    int plant_op, own_op;
    bool bad_file;          /* a second path that does not exist */
    int rc;
    const char *lines[3];   /* each must be a line of the output (%s: the program's path) */
};

static const struct dpr_row dpr_rows[] = {
    { "clean", -1, -1, false, DIFF_EXIT_SAME,
      { "diffed 1 programs on native and planted: 3 ops compared, 0 not compared, 0 differences, "
        "0 bad files" } },
    { "rc of op 1", 1, -1, false, DIFF_EXIT_DIFF,
      { "%s: DIFF diff:native/planted:xen_version at op 1 (rc): native: rc=0x40011 | planted: "
        "rc=-EINVAL",
        "diffed 1 programs on native and planted: 2 ops compared, 1 not compared, 1 differences, "
        "0 bad files",
        "  1 ops not compared: after a difference" } },
    { "own finding at op 2", -1, 2, false, DIFF_EXIT_SAME,
      { "%s: planted's own oracles: finding planted:own at op 2 (hvfuzz replay --target planted "
        "shows it)",
        "  1 ops not compared: from a target's own finding on",
        "  1 findings of the targets' own oracles (not differences: hvfuzz replay checks those)" } },
    { "bad file, no difference", -1, -1, true, DIFF_EXIT_BAD,
      { "diffed 1 programs on native and planted: 3 ops compared, 0 not compared, 0 differences, "
        "1 bad files" } },
    { "bad file and a difference", 0, -1, true, DIFF_EXIT_DIFF, { NULL } },
};

TEST(diff_paths_report)
{
    char dir[] = "/tmp/hvfuzz-diff-XXXXXX", path[64], missing[80], line[256];
    struct diff_opts o = { .target = { target_find("native"), &dp_planted_ops },
                           .topts = target_default_opts };

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/p.txt", dir);
    snprintf(missing, sizeof(missing), "%s/missing.bin", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(dpr_text, f);
    fclose(f);
    for (size_t i = 0; i < sizeof(dpr_rows) / sizeof(dpr_rows[0]); i++) {
        const struct dpr_row *row = &dpr_rows[i];
        char *out = NULL, *err = NULL, *paths[2] = { path, missing };
        size_t ol, el;
        FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(&err, &el);
        dp_plant_none();
        dp_plant.op = row->plant_op;
        dp_plant.field = PE_RC;
        dp_plant.own_op = row->own_op;
        int rc = diff_paths(&o, paths, row->bad_file ? 2 : 1, fo, fe);
        fclose(fo);
        fclose(fe);
        bool ok = rc == row->rc;
        for (unsigned k = 0; k < 3 && row->lines[k]; k++) {
            char want[300];
            snprintf(line, sizeof(line), row->lines[k], path);
            snprintf(want, sizeof(want), "\n%s\n", line);
            /* a leading newline so that the first line matches too */
            size_t wl = strlen(out) + 2;
            char *all = malloc(wl);
            snprintf(all, wl, "\n%s", out);
            if (!strstr(all, want)) {
                fprintf(stderr, "  %s: expected the line\n%s\nin\n%s", row->what, line, out);
                ok = false;
            }
            free(all);
        }
        if (row->bad_file && !strstr(err, "missing.bin: No such file or directory")) {
            fprintf(stderr, "  %s: expected the missing file named, stderr:\n%s", row->what, err);
            ok = false;
        }
        fprintf(stderr, "  %-26s expected exit %d, actual %d\n", row->what, row->rc, rc);
        CU_ASSERT(ok);
        free(out);
        free(err);
    }
    dp_plant_none();
    unlink(path);
    rmdir(dir);
}
