/* hvfuzz replay: run program files or corpus directories on a target and report findings. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hvfuzz/replay.h"
#include "hvfuzz/tools.h"

static void cmd_replay_usage(FILE *f)
{
    fprintf(f, "usage: hvfuzz replay [OPTIONS] FILE|DIR...\n"
               "\n"
               "Replay programs (binary or text; directories recursively, in name order) and print\n"
               "a report for each finding. The same file always gives the same report.\n"
               "\n"
               "  --target T        run on target T (default: native)\n"
               "  --audit-each-op   full audit after every operation (default: at the end; a\n"
               "                    finding is then located by re-running)\n"
               "  --bug LIST        re-created bugs to switch on, by name (bugzoo --list), or\n"
               "                    'none'. A finding's program (beside its finding.meta)\n"
               "                    replays with the switches it was found with unless --bug\n"
               "                    is given\n"
               "  --no-audit        no audit (isolation, BUG() and the work bound stay on)\n"
               "  --max-steps N     work bound per program (default %u)\n"
               "  --no-fork         run in this process (a crash then ends the replay)\n"
               "  --timeout MS      per-program time limit with fork (default 10000)\n"
               "  -o DIR            also store findings in DIR (report.txt + repro.bin)\n"
               "  -q, --quiet       no line for programs without a finding\n"
               "  -v, --verbose     print each program with what every op did (`=> rc=...`):\n"
               "                    the output is itself a program that states those results\n"
               "  --results FILE    write that program to FILE (.txt: text, else binary; one\n"
               "                    input program only)\n"
               "  --no-expect       do not check the results programs state (`=> ...`)\n"
               "\n"
               "Ops that state results (`=> rc=-EINVAL, value=0x1, ...`, docs/PROGRAMS.md) are\n"
               "checked: a difference is a finding `expect:<op>` showing expected and actual.\n"
               "Exit status: 0 no finding, 1 a finding, 2 a bad file (and no finding) or usage.\n",
            target_default_opts.max_steps);
}

int cmd_replay_main(int argc, char **argv)
{
    struct replay_opts o = {
        .target = target_find("native"), .topts = target_default_opts, .fork = true,
        .timeout_ms = 10000,
    };
    char **paths = calloc((size_t)argc + 1, sizeof(*paths));
    int n = 0, rc;

    if (!paths)
        return REPLAY_EXIT_BAD;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_replay_usage(stdout);
            free(paths);
            return 0;
        } else if (!strcmp(a, "--target") && has_val) {
            o.target = target_find(argv[++i]);
            if (!o.target) {
                fprintf(stderr, "hvfuzz replay: unknown target '%s'\n", argv[i]);
                free(paths);
                return REPLAY_EXIT_BAD;
            }
        } else if (!strcmp(a, "--audit-each-op")) {
            o.topts.audit_each_op = true;
        } else if (!strcmp(a, "--bug") && has_val) {
            if (tool_parse_bugs("replay", argv[++i], &o.topts.bugs) < 0) {
                free(paths);
                return REPLAY_EXIT_BAD;
            }
            o.bugs_given = true;
        } else if (!strcmp(a, "--no-audit")) {
            o.topts.audit = false;
        } else if (!strcmp(a, "--max-steps") && has_val) {
            unsigned v;
            if (tool_parse_unsigned("replay", "max-steps", argv[++i], 1, UINT32_MAX, &v) < 0) {
                free(paths);
                return REPLAY_EXIT_BAD;
            }
            o.topts.max_steps = v;
        } else if (!strcmp(a, "--no-fork")) {
            o.fork = false;
        } else if (!strcmp(a, "--timeout") && has_val) {
            if (tool_parse_unsigned("replay", "timeout", argv[++i], 1, 86400000U,
                                    &o.timeout_ms) < 0) {
                free(paths);
                return REPLAY_EXIT_BAD;
            }
        } else if (!strcmp(a, "-o") && has_val) {
            o.out_dir = argv[++i];
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose = true;
        } else if (!strcmp(a, "--results") && has_val) {
            o.results_path = argv[++i];
        } else if (!strcmp(a, "--no-expect")) {
            o.no_expect = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "hvfuzz replay: unknown or incomplete option '%s'\n", a);
            cmd_replay_usage(stderr);
            free(paths);
            return REPLAY_EXIT_BAD;
        } else {
            paths[n++] = argv[i];
        }
    }
    if (!n) {
        cmd_replay_usage(stderr);
        free(paths);
        return REPLAY_EXIT_BAD;
    }
    struct stat st;
    if (o.results_path && (n > 1 || (stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode)))) {
        fprintf(stderr, "hvfuzz replay: --results takes one program file\n");
        free(paths);
        return REPLAY_EXIT_BAD;
    }
    /* a results file that cannot be written is said before the replay, not after it */
    if (o.results_path) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", o.results_path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        else
            snprintf(dir, sizeof(dir), ".");
        if (access(dir, W_OK) != 0) {
            fprintf(stderr, "hvfuzz replay: --results %s: cannot write in %s: %s\n",
                    o.results_path, dir, strerror(errno));
            free(paths);
            return REPLAY_EXIT_BAD;
        }
    }
    rc = replay_paths(&o, paths, n, stdout, stderr);
    free(paths);
    return rc;
}
