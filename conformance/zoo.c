/* The bug zoo: one case per re-created bug (include/hvfuzz/bugs.def), each replaying its reproducer. */
#include "conformance.h"
#include "hvfuzz/bugzoo.h"

/*
 * Each bug's trigger is defined once, by its reproducer corpora/zoo/<name>.txt, whose ops state
 * what the fixed monitor does (=> rc=..., status, values read, fields written back). The case,
 * named after the bug, runs that program on the native target with only the bug's switch on and
 * expects a finding whose signature starts with the registry's oracle; then with every switch
 * off, and expects no finding and every stated result met (bz_repro_check says why the run with
 * the switch leaves the expectations aside). The directory comes from bz_repro_dir: a missing
 * one is an ERROR naming where it was looked for. The machine the runner builds for the case is
 * not used; the programs build their own.
 */
static void zoo_replay(struct conf_ctx *c)
{
    const struct hv_bug_desc *b = c->data;
    struct bz_repro_result r;
    char dir[512], path[600];

    if (bz_repro_dir(dir, sizeof(dir)) < 0) {
        CONF_ERROR(c, "%s", dir);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s.txt", dir, b->name);
    bz_repro_check(b, path, &r);
    c->checks += r.checks;
    if (r.verdict == BZ_REPRO_ERROR)
        CONF_ERROR(c, "%s", r.msg);
    else if (r.verdict == BZ_REPRO_FAILED)
        CONF_FAIL(c, "%s", r.msg);
    else
        conf_report(c, CONF_SUCCESS, __FILE__, __LINE__, "%s: with --bug %s: %s; without: %s, "
                    "%u expectation%s met", path, b->name, r.on, r.off, r.expects,
                    r.expects == 1 ? "" : "s");
}

static const struct conf_case zoo_cases[] = {
#define HV_BUG(id, name, advisory, cause, oracle) { name, zoo_replay, &hv_bug_table[HV_BUG_##id] },
#include "hvfuzz/bugs.def"
#undef HV_BUG
};
CONF_AREA("zoo", zoo_cases)
