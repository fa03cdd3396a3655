/* The zoo's reproducers: where they are, and the check that each fires with its switch only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hvfuzz/bugzoo.h"
#include "hvfuzz/target.h"

/*
 * The Makefile sets HVFUZZ_SRCDIR for this file only, so the tools and the tests find the zoo of
 * the tree they were built from wherever they run; a build without it (the engine flavours)
 * needs HVFUZZ_CORPORA.
 */
int bz_repro_dir(char *buf, size_t cap)
{
    const char *root = getenv(BZ_CORPORA_ENV);
    const char *from = "$" BZ_CORPORA_ENV;
    struct stat st;

    if (!root || !root[0]) {
#ifdef HVFUZZ_SRCDIR
        root = HVFUZZ_SRCDIR "/corpora";
        from = "the source tree (set " BZ_CORPORA_ENV " to the corpora directory to use another)";
#else
        snprintf(buf, cap, "this build knows no source tree: set %s to the corpora directory "
                 "(the one holding zoo/)", BZ_CORPORA_ENV);
        return -1;
#endif
    }
    snprintf(buf, cap, "%s/zoo", root);
    int err = stat(buf, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    if (err) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, ": %s (the bug zoo's reproducers, taken from %s)",
                 strerror(err), from);
        return -1;
    }
    return 0;
}

/* "SIGNATURE at op N" of a finding, or "no finding". */
static void bz_repro_describe(bool found, const struct finding *f, char *buf, size_t cap)
{
    if (!found)
        snprintf(buf, cap, "no finding");
    else if (f->op_index < 0)
        snprintf(buf, cap, "%s at the end", f->signature);
    else
        snprintf(buf, cap, "%s at op %d", f->signature, f->op_index);
}

/* One run of p on a fresh native target; -1 if the target could not be opened. full: the full
   audit every time, else the incremental one alone (the full audit then only names what the
   incremental one found). */
static int bz_repro_run(const struct prog *p, uint64_t bugs, bool expect, bool full, bool *found,
                        struct finding *f)
{
    struct target_opts o = target_default_opts;
    struct target t;

    o.bugs = bugs;
    o.audit_full = full;
    o.audit_full_every = 0;
    o.check_expect = expect;
    o.capture_out = expect;   /* expectations may state fields a hypercall writes back */
    if (target_open(&t, target_find("native"), &p->shape, &o) < 0)
        return -1;
    *found = target_run(&t, p, NULL, f);
    target_close(&t);
    return 0;
}

void bz_repro_check(const struct hv_bug_desc *b, const char *path, struct bz_repro_result *r)
{
    struct prog *p = malloc(sizeof(*p));
    struct prog_text_error terr;
    struct finding f;
    bool found;

    memset(r, 0, sizeof(*r));
    if (!p) {
        r->verdict = BZ_REPRO_ERROR;
        snprintf(r->msg, sizeof(r->msg), "%s: out of memory", path);
        return;
    }
    enum prog_err e = prog_load_err(p, path, &terr, NULL);
    if (e != PROG_OK) {
        r->verdict = BZ_REPRO_ERROR;
        if (e == PROG_E_IO && errno == ENOENT)
            snprintf(r->msg, sizeof(r->msg), "%s: missing: every row of bugs.def needs its "
                     "reproducer (bug %s)", path, b->name);
        else
            prog_load_strerror(r->msg, sizeof(r->msg), "reproducer", path, e, &terr);
        goto out;
    }
    for (uint32_t i = 0; i < p->nr_ops; i++)
        r->expects += p->ops[i].expect.have != 0;

    /* both audits must catch it: the full one and the incremental one alone */
    for (int full = 1; full >= 0; full--) {
        memset(&f, 0, sizeof(f));
        if (bz_repro_run(p, 1ULL << b->id, false, full, &found, &f) < 0)
            goto no_target;
        bz_repro_describe(found, &f, r->on, sizeof(r->on));
        r->checks++;
        if (!found || !bz_sig_matches(f.signature, b->oracle)) {
            r->verdict = BZ_REPRO_FAILED;
            snprintf(r->msg, sizeof(r->msg), "%s: with --bug %s, %s audit: expected a finding "
                     "%s..., actual %s", path, b->name, full ? "full" : "incremental", b->oracle,
                     r->on);
            goto out;
        }
    }

    memset(&f, 0, sizeof(f));
    if (bz_repro_run(p, 0, true, false, &found, &f) < 0)
        goto no_target;
    bz_repro_describe(found, &f, r->off, sizeof(r->off));
    r->checks += found ? 1 : 1 + r->expects;
    if (found) {
        /* an expect: finding's detail is "expected: ...\nactual: ...": keep it on one line */
        char detail[256];
        size_t k = 0;
        for (const char *c = f.detail; *c && k + 3 < sizeof(detail); c++) {
            if (*c == '\n') {
                detail[k++] = ';';
                detail[k++] = ' ';
            } else {
                detail[k++] = *c;
            }
        }
        detail[k] = 0;
        r->verdict = BZ_REPRO_FAILED;
        snprintf(r->msg, sizeof(r->msg), "%s: without switches: expected no finding, actual "
                 "%s: %s", path, r->off, detail);
    }
    goto out;
no_target:
    r->verdict = BZ_REPRO_ERROR;
    snprintf(r->msg, sizeof(r->msg), "%s: the native target could not build the program's "
             "machine", path);
out:
    free(p);
}
