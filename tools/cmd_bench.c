/* hvfuzz bench: programs/s and hypercalls/s of a target, median of several runs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/fuzzer.h"
#include "hvfuzz/tools.h"
#include "targets/xen/xen.h"

static void cmd_bench_usage(FILE *f)
{
    fprintf(f,
        "usage: hvfuzz bench [--json] [--target NAME] [--runs N] [--secs S] [--progress]\n"
        "                   [--shape FRAMES,DOMAINS,VCPUS,PAGES]\n"
        "\n"
        "Measure the target on the default machine (256 frames, 3 domains, 2 vCPUs, 64 pages)\n"
        "or the one --shape gives (e.g. --shape 4096,3,2,64):\n"
        "32-op generated programs/s with the audit at the end of each program and without it,\n"
        "single hypercalls/s without audit or reset (xen_version; a one-entry mmu_update), and\n"
        "the generator's and the reset's own rates. Each figure is the median of N runs\n"
        "(default 5) of S seconds (default 0.5). Progress goes to stderr when it is a terminal,\n"
        "or always with --progress (--quiet: never).\n");
}

/* "FRAMES,DOMAINS,VCPUS,PAGES" into *s; false if malformed or outside what programs allow (the
   text codec's shape line judges, so the limits are the IR's own). */
static bool cmd_bench_shape(const char *arg, struct prog_shape *s)
{
    unsigned long v[4];
    char *end = NULL, text[96];
    const char *p = arg;
    struct prog *prog;
    bool ok;

    for (unsigned i = 0; i < 4; i++) {
        if (*p < '0' || *p > '9')
            return false;
        v[i] = strtoul(p, &end, 10);
        if (*end != (i < 3 ? ',' : '\0') || v[i] > 65535)
            return false;
        p = end + 1;
    }
    snprintf(text, sizeof(text), "shape frames=%lu domains=%lu vcpus=%lu pages=%lu\n", v[0], v[1],
             v[2], v[3]);
    prog = malloc(sizeof(*prog));
    ok = prog && prog_parse_text(prog, text, NULL) == PROG_OK;
    if (ok)
        *s = prog->shape;
    free(prog);
    return ok;
}

int cmd_bench_main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "json", no_argument, NULL, 'J' },        { "target", required_argument, NULL, 't' },
        { "runs", required_argument, NULL, 'n' },  { "secs", required_argument, NULL, 's' },
        { "shape", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
        { "progress", no_argument, NULL, 'P' },   { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 },
    };
    const char *target = "native";
    unsigned runs = 5;
    double secs = 0.5;
    bool json = false;
    struct prog_shape shape = prog_default_shape;
    int progress = isatty(STDERR_FILENO);
    struct bench_result r;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'J': json = true; break;
        case 'P': progress = 1; break;
        case 'q': progress = 0; break;
        case 't': target = optarg; break;
        case 'n':
            if (tool_parse_unsigned("bench", "runs", optarg, 1, 1000, &runs) < 0)
                return 2;
            break;
        case 's':
            if (tool_parse_secs("bench", "secs", optarg, 0.001, 3600, &secs) < 0)
                return 2;
            break;
        case 'S':
            if (!cmd_bench_shape(optarg, &shape)) {
                fprintf(stderr, "hvfuzz bench: bad --shape '%s' (FRAMES,DOMAINS,VCPUS,PAGES)\n",
                        optarg);
                return 2;
            }
            break;
        case 'h': cmd_bench_usage(stdout); return 0;
        default: cmd_bench_usage(stderr); return 2;
        }
    }
    if (optind != argc || secs <= 0) {
        cmd_bench_usage(stderr);
        return 2;
    }
    /* a real hypervisor behind a VM: its own figures (boot time, programs/s within a boot) */
    if (!strcmp(target, "xen")) {
        if (xen_bench(stdout, secs < 2 ? 2 : secs, json) < 0) {
            fprintf(stderr, "hvfuzz bench: target 'xen' could not be benchmarked\n");
            return 2;
        }
        return 0;
    }
    bench_progress(progress ? stderr : NULL);
    if (bench_run_shape(target, &shape, runs, secs, &r) < 0) {
        fprintf(stderr, "hvfuzz bench: target '%s' could not be benchmarked\n", target);
        return 2;
    }
    if (json) {
        printf("{\"format_version\": %d, \"target\": \"%s\", \"runs\": %u, \"secs_per_run\": %.3f,\n"
               " \"shape\": [%u, %u, %u, %u],\n"
               " \"programs_per_s_audit\": %.0f, \"programs_per_s_no_audit\": %.0f,\n"
               " \"audit_cost_ratio\": %.3f,\n"
               " \"hypercalls_per_s_xen_version\": %.0f, \"hypercalls_per_s_mmu_update\": %.0f,\n"
               " \"generator_programs_per_s\": %.0f, \"resets_per_s\": %.0f,\n"
               " \"exit_share_default\": %.3f, \"programs_per_s_no_exits\": %.0f,\n"
               " \"exit_share_mix\": %.3f, \"programs_per_s_exit_mix\": %.0f,\n"
               " \"short_programs_per_s\": %.0f, \"short_programs_per_s_native\": %.0f,\n"
               " \"guest_code_programs_per_s\": %.0f,\n"
               " \"target_programs_per_s\": 50000, \"ratio_to_target\": %.3f}\n",
               BENCH_JSON_FORMAT, target, r.runs, secs, r.shape.nr_frames, r.shape.nr_domains,
               r.shape.nr_vcpus, r.shape.dom_pages, r.progs_audit, r.progs_noaudit,
               r.progs_audit > 0 ? r.progs_noaudit / r.progs_audit : 0.0, r.hc_version, r.hc_mmu,
               r.gen_only, r.reset_only, r.exit_share_default, r.progs_noexit, r.exit_share,
               r.progs_exits, r.short_progs, r.short_progs_native, r.code_progs,
               r.progs_audit / 50000.0);
        return 0;
    }
    printf("target %s, median of %u runs of %.2f s, 32-op programs, %u frames, %u domains, "
           "%u vCPUs, %u pages\n", target, r.runs, secs, r.shape.nr_frames, r.shape.nr_domains,
           r.shape.nr_vcpus, r.shape.dom_pages);
    printf("  programs/s, audit on       %12.0f  (%.2fx the 50,000/s target)\n", r.progs_audit,
           r.progs_audit / 50000.0);
    printf("  programs/s, audit off      %12.0f  (audit costs %.2fx)\n", r.progs_noaudit,
           r.progs_audit > 0 ? r.progs_noaudit / r.progs_audit : 0.0);
    printf("    (default mix: %.0f%% of ops are exits)\n", 100.0 * r.exit_share_default);
    printf("  programs/s, no exits       %12.0f  (audit on)\n", r.progs_noexit);
    printf("  programs/s, %2.0f%% exits     %12.0f  (audit on)\n", 100.0 * r.exit_share,
           r.progs_exits);
    printf("  hypercalls/s, xen_version  %12.0f\n", r.hc_version);
    printf("  hypercalls/s, mmu_update   %12.0f\n", r.hc_mmu);
    printf("  generator programs/s       %12.0f\n", r.gen_only);
    printf("  resets/s                   %12.0f\n", r.reset_only);
    printf("  short programs/s           %12.0f  (4 ops, 2 exits; native %.0f in this run)\n",
           r.short_progs, r.short_progs_native);
    if (r.code_progs > 0)
        printf("  guest-code programs/s      %12.0f  (8 instructions: a syscall, a cpuid, a load; "
               "and a guest write)\n", r.code_progs);
    return 0;
}
