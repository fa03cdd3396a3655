/* hvfuzz minimize: shrink a finding's program while it keeps giving the same signature. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/fuzzer.h"
#include "hvfuzz/tools.h"

static void cmd_minimize_usage(FILE *f)
{
    fprintf(f,
        "usage: hvfuzz minimize FILE -o OUT [--target NAME] [--signature SIG] [--bug LIST]\n"
        "\n"
        "Shrink the program in FILE (binary or text): delta debugging over its operations, then\n"
        "simplification of preemption patterns, payloads, fixups and arguments. A candidate is\n"
        "kept only if the target still reports the same finding signature (by default the one\n"
        "FILE gives now). Crash and sanitizer findings are re-run in a forked child.\n"
        "Deterministic. OUT ending in .txt gets the text form.\n");
}

int cmd_minimize_main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "output", required_argument, NULL, 'o' }, { "target", required_argument, NULL, 't' },
        { "signature", required_argument, NULL, 's' }, { "bug", required_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *tname = "native", *want = NULL;
    struct target_opts topts = target_default_opts;
    struct prog *p = malloc(sizeof(*p));
    struct finding f;
    struct target t;
    unsigned runs = 0, before;
    enum prog_err e;
    int c, rc = 2, done;

    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't': tname = optarg; break;
        case 's': want = optarg; break;
        case 'b':
            if (tool_parse_bugs("minimize", optarg, &topts.bugs) < 0) {
                free(p);
                return 2;
            }
            break;
        case 'h': cmd_minimize_usage(stdout); free(p); return 0;
        default: cmd_minimize_usage(stderr); free(p); return 2;
        }
    }
    if (!p || optind + 1 != argc || !out) {
        cmd_minimize_usage(stderr);
        free(p);
        return 2;
    }
    struct prog_text_error terr;
    if ((e = prog_load_err(p, argv[optind], &terr, NULL)) != PROG_OK) {
        char msg[4400];
        prog_load_strerror(msg, sizeof(msg), "hvfuzz minimize", argv[optind], e, &terr);
        fprintf(stderr, "%s\n", msg);
        goto out;
    }
    if (!target_find(tname) || target_open(&t, target_find(tname), &p->shape, &topts) < 0) {
        fprintf(stderr, "hvfuzz minimize: cannot open target '%s'\n", tname);
        goto out;
    }
    char sig[128];
    if (want) {
        snprintf(sig, sizeof(sig), "%s", want);
    } else if (target_run(&t, p, NULL, &f)) {
        snprintf(sig, sizeof(sig), "%s", f.signature);
    } else if (fuzz_run_isolated(&t, p, NULL, 10000, &f)) {
        /* no oracle finding in-process: the program kills its process (crash, sanitizer, hang) */
        snprintf(sig, sizeof(sig), "%s", f.signature);
    } else {
        fprintf(stderr, "hvfuzz minimize: %s gives no finding on target %s\n", argv[optind], tname);
        target_close(&t);
        rc = 1;
        goto out;
    }
    bool use_fork = min_needs_fork(sig);
    before = p->nr_ops;
    done = min_program(&t, p, sig, use_fork, &runs);
    target_close(&t);
    if (done < 0) {
        fprintf(stderr, "hvfuzz minimize: %s does not give a finding with signature %s\n",
                argv[optind], sig);
        rc = 1;
        goto out;
    }
    if ((e = prog_save(p, out)) != PROG_OK) {
        fprintf(stderr, "hvfuzz minimize: %s: %s\n", out, prog_strerror(e));
        goto out;
    }
    printf("%s: %u -> %u ops, signature %s kept (%d reductions, %u runs)\n", out, before,
           p->nr_ops, sig, done, runs);
    rc = 0;
out:
    free(p);
    return rc;
}
