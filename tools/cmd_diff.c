/* hvfuzz diff: run program files on two targets and report every op whose results differ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/diff.h"
#include "hvfuzz/tools.h"

static void cmd_diff_usage(FILE *f)
{
    fprintf(f, "usage: hvfuzz diff --targets A,B [--bug LIST] [--known FILE] [--json] [-v] "
               "FILE|DIR...\n"
               "\n"
               "Run each program (binary or text; directories recursively, in name order, as\n"
               "replay takes them) on target A and on target B and compare every op's results:\n"
               "status, rc, values read, faults and error codes, exits taken and the payload\n"
               "fields hypercalls write back. A difference is a finding diff:A/B:<op>.\n"
               "\n"
               "  --targets A,B   the two targets (hvfuzz replay --target names them; the same\n"
               "                  one twice checks that a target is deterministic)\n"
               "  --bug LIST      re-created bugs to switch on in both, by name (bugzoo --list), or\n"
               "                  'none'. A finding's program (beside its finding.meta) runs with\n"
               "                  the switches it was found with unless --bug is given\n"
               "  --known FILE    differences explained elsewhere, one per line: PROGRAM OP\n"
               "                  SIGNATURE and the reason (PROGRAM is the file name, OP the\n"
               "                  op's index); they are shown as KNOWN and do not count\n"
               "  --json          one JSON document: the agreement per hypercall and sub-command,\n"
               "                  the counts, and every difference (format 1)\n"
               "  -v, --verbose   a line for every program, each difference's report (the\n"
               "                  program with A's results, both sides of the op that differs)\n"
               "                  and the agreement per hypercall and sub-command\n"
               "\n"
               "An op that only one target runs (the other does not support it) is not a\n"
               "difference: from it on the machines differ, so it and the later ops are not\n"
               "compared; nor are the ops from a target's own finding on (that finding is named;\n"
               "hvfuzz replay reports it). The results programs state (=> ...) are not checked.\n"
               "Programs run in this process: a crash of a target ends the command.\n"
               "Agreement is over the ops compared that at least one target ran: the share\n"
               "with the same results.\n"
               "Exit status: 0 no difference (but known ones), 1 a difference, 2 a bad file or a\n"
               "machine a target cannot build (and no difference), or usage.\n");
}

/* "A,B": two registered targets. 0, or -1 after saying what is wrong. */
static int cmd_diff_targets(const char *list, const struct target_ops *ops[2])
{
    const char *comma = strchr(list, ',');
    char name[2][64];

    if (!comma || strchr(comma + 1, ',') || comma == list || !comma[1] ||
        (size_t)(comma - list) >= sizeof(name[0]) || strlen(comma + 1) >= sizeof(name[1])) {
        fprintf(stderr, "hvfuzz diff: --targets wants two target names, A,B (not '%s')\n", list);
        return -1;
    }
    snprintf(name[0], sizeof(name[0]), "%.*s", (int)(comma - list), list);
    snprintf(name[1], sizeof(name[1]), "%s", comma + 1);
    for (unsigned i = 0; i < 2; i++) {
        ops[i] = target_find(name[i]);
        if (!ops[i]) {
            fprintf(stderr, "hvfuzz diff: unknown target '%s'\n", name[i]);
            return -1;
        }
    }
    return 0;
}

int cmd_diff_main(int argc, char **argv)
{
    struct diff_opts o = { .topts = target_default_opts };
    char **paths = calloc((size_t)argc + 1, sizeof(*paths));
    bool have_targets = false;
    int n = 0, rc = DIFF_EXIT_BAD;

    if (!paths)
        return DIFF_EXIT_BAD;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_diff_usage(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(a, "--targets") && has_val) {
            if (cmd_diff_targets(argv[++i], o.target) < 0)
                goto out;
            have_targets = true;
        } else if (!strcmp(a, "--bug") && has_val) {
            if (tool_parse_bugs("diff", argv[++i], &o.topts.bugs) < 0)
                goto out;
            o.bugs_given = true;
        } else if (!strcmp(a, "--known") && has_val) {
            o.known = argv[++i];
        } else if (!strcmp(a, "--json")) {
            o.json = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "hvfuzz diff: unknown or incomplete option '%s'\n", a);
            cmd_diff_usage(stderr);
            goto out;
        } else {
            paths[n++] = argv[i];
        }
    }
    if (!have_targets) {
        fprintf(stderr, "hvfuzz diff: --targets A,B is required\n");
        cmd_diff_usage(stderr);
        goto out;
    }
    if (!n) {
        cmd_diff_usage(stderr);
        goto out;
    }
    rc = diff_paths(&o, paths, n, stdout, stderr);
out:
    free(paths);
    return rc;
}
