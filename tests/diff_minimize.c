/*
 * A difference is minimized on both targets (finding_minimize_diff, what fuzz --diff stores): a
 * planted wrong rc of every xen_version hypercall, inside a generated program, shrinks to the
 * xen_version alone with the same signature; finding_write records both targets, so the report
 * says how to replay it (hvfuzz diff --targets A,B) and finding.meta names the second target.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/xen.h"
#include "diff_util.h"

static bool dm_file_has(const char *dir, const char *name, const char *text)
{
    char path[4200], *buf = calloc(1, 1 << 16);
    FILE *f;
    bool has = false;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (buf && (f = fopen(path, "r"))) {
        size_t n = fread(buf, 1, (1 << 16) - 1, f);
        buf[n] = '\0';
        fclose(f);
        has = strstr(buf, text) != NULL;
        if (!has)
            fprintf(stderr, "%s: expected '%s' in\n%s\n", name, text, buf);
    }
    free(buf);
    return has;
}

TEST(diff_minimize)
{
    static struct prog p, orig;
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    struct target_opts o = target_default_opts;
    const char *sig = "diff:native/planted:xen_version";
    char tmpl[] = "/tmp/hvfuzz-diffmin-XXXXXX", dir[4096], note[160], cmd[4200];
    struct target a, b;
    bool have_res = false;
    struct gen g;

    dp_plant_none();
    dp_plant.nr = HYPERVISOR_xen_version;
    dp_plant.field = PE_RC;
    gen_init(&g, NULL, 3);
    gen_program(&g, &orig);
    /* a xen_version from dom0 in the middle of the generated ops */
    unsigned at = orig.nr_ops / 2;
    memmove(&orig.ops[at + 1], &orig.ops[at], (orig.nr_ops - at) * sizeof(orig.ops[0]));
    memset(&orig.ops[at], 0, sizeof(orig.ops[at]));
    orig.ops[at].kind = OP_HYPERCALL;
    orig.ops[at].nr = HYPERVISOR_xen_version;
    orig.ops[at].nr_args = 2;
    orig.nr_ops++;
    o.capture_out = true;
    CU_ASSERT_FATAL(target_open(&a, target_find("native"), &orig.shape, &o) == 0);
    CU_ASSERT_FATAL(target_open(&b, &dp_planted_ops, &orig.shape, &o) == 0);
    CU_ASSERT_FATAL(diff_run(&a, &b, &orig, ra, rb, &r));
    TEST_EQ(0, strcmp(r.f.signature, sig));

    p = orig;
    CU_ASSERT(finding_minimize_diff(target_find("native"), &dp_planted_ops, &target_default_opts,
                                    &p, &r.f, ra, &have_res, 20.0, note, sizeof(note)));
    fprintf(stderr, "  minimized %u -> %u ops (%s): %s\n", orig.nr_ops, p.nr_ops, note,
            r.f.signature);
    TEST_EQ(1, p.nr_ops);
    TEST_EQ(HYPERVISOR_xen_version, p.ops[0].nr);
    TEST_EQ(0, strcmp(r.f.signature, sig));
    CU_ASSERT(have_res);
    CU_ASSERT(diff_run(&a, &b, &p, ra, rb, &r) && !strcmp(r.f.signature, sig));

    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    struct finding_info info = { .target = "native", .diff_target = "planted", .orig = &orig,
                                 .minimized = note, .campaign = true };
    TEST_EQ(1, finding_write(tmpl, &p, &r.f, ra, &info, dir, sizeof(dir)));
    char replay[4400];
    snprintf(replay, sizeof(replay), "replay:    hvfuzz diff --targets native,planted %s/%s\n",
             dir, FINDING_REPRO);
    CU_ASSERT(dm_file_has(dir, FINDING_REPORT, replay));
    CU_ASSERT(dm_file_has(dir, FINDING_REPORT, "oracle:    diff\n"));
    CU_ASSERT(dm_file_has(dir, FINDING_REPORT, "native: rc=0x40011\n  planted: rc=-EINVAL\n"));
    CU_ASSERT(dm_file_has(dir, FINDING_META, "\ntarget=native\ndiff=planted\n"));
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
    dp_plant_none();
    target_close(&a);
    target_close(&b);
}
