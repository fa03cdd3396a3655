/* hvfuzz fuzz: run a campaign of generated and mutated programs against a target. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/fuzzer.h"
#include "hvfuzz/tools.h"

static void cmd_fuzz_usage(FILE *f)
{
    fprintf(f,
        "usage: hvfuzz fuzz [--target NAME] [--time S | --runs N] [--seed N] [--corpus DIR]\n"
        "                   [--out DIR] [--jobs N] [--bug LIST] [--audit-each-op] [--audit-full]\n"
        "                   [--shape FRAMES,DOMAINS,VCPUS,PAGES] [--minimize-time S] [--quiet]\n"
        "                   [--sanitized] [--json] [--corpus-max N] [--corpus-max-mb MB]\n"
        "                   [--diff A,B]\n"
        "\n"
        "Generate programs (structured random generator; with --corpus also mutate the corpus\n"
        "programs), run them on the target in forked workers and keep what the oracles report.\n"
        "\n"
        "  --target NAME  target to fuzz (default native)\n"
        "  --diff A,B     fuzz target A (its feedback guides the campaign) and run every program\n"
        "                 on target B too: an op whose results differ is a finding diff:A/B:<op>,\n"
        "                 minimized on both and replayed by hvfuzz diff --targets A,B; an op\n"
        "                 only one of them runs ends the comparison of its program, silently;\n"
        "                 --target may name either of A and B\n"
        "  --time S       stop after S seconds\n"
        "  --runs N       stop after N programs in all (default: until --time or Ctrl-C)\n"
        "  --seed N       seed of the generator (default 1); --jobs 1 --runs N is reproducible\n"
        "  --corpus DIR   seed programs (an existing directory); programs with new behaviour\n"
        "                 are saved here, in batches\n"
        "  --corpus-max N, --corpus-max-mb MB  programs (default %u) and megabytes (default\n"
        "                 %llu) each worker keeps; past them the programs whose rare behaviour\n"
        "                 others now show too are evicted, and their files removed (never a\n"
        "                 file the campaign did not write)\n"
        "  --out DIR      findings, one directory per signature (default findings): report.txt,\n"
        "                 repro.bin (minimized), repro-orig.bin (as found), finding.meta\n"
        "  --jobs N       worker processes (default 1)\n"
        "  --bug LIST     re-created bugs to switch on, by name, comma-separated (bugzoo --list)\n"
        "  --audit-each-op  audit after every operation, not only at the end of a program\n"
        "  --audit-full   always the full audit (default: incremental, what the program changed;\n"
        "                 the full one at findings and every 1024th program)\n"
        "  --shape F,D,V,P  machine of generated programs (default 256,3,2,64)\n"
        "  --minimize-time S  minimize each new finding for at most S seconds before it is\n"
        "                 stored (default 10; 0 stores it as found). Not counted in --time\n"
        "  --quiet        no status line\n"
        "  --sanitized    run the campaign from the ASan+UBSan build next to this binary\n"
        "                 (<dir>/asan/hvfuzz; make asan builds it)\n"
        "  --json         end with a summary object on stdout: programs, seconds,\n"
        "                 programs_per_s, findings, corpus, features, map_fill, ...\n"
        "\n"
        "Workers stop at --time by themselves and die with the campaign. A finding that cannot\n"
        "be stored (a full disk) is printed on stderr and ends the campaign with status 2.\n"
        "Exit status: 0 nothing found, 1 findings written, 2 usage or set-up error (also: the\n"
        "corpus or a finding could not be written).\n", FUZZ_CORPUS_MAX,
        (unsigned long long)(FUZZ_CORPUS_MAX_BYTES >> 20));
}

int cmd_fuzz_main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "target", required_argument, NULL, 't' }, { "time", required_argument, NULL, 'T' },
        { "runs", required_argument, NULL, 'n' },   { "seed", required_argument, NULL, 's' },
        { "corpus", required_argument, NULL, 'c' }, { "out", required_argument, NULL, 'o' },
        { "jobs", required_argument, NULL, 'j' },   { "bug", required_argument, NULL, 'b' },
        { "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
        { "audit-each-op", no_argument, NULL, 'A' }, { "shape", required_argument, NULL, 'S' },
        { "minimize-time", required_argument, NULL, 'm' },
        { "sanitized", no_argument, NULL, 'Z' },
        { "audit-full", no_argument, NULL, 'F' },
        { "json", no_argument, NULL, 'J' },
        { "corpus-max", required_argument, NULL, 'C' },
        { "corpus-max-mb", required_argument, NULL, 'M' },
        { "diff", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    struct fuzz_opts o = { .target = "native", .seed = 1, .jobs = 1, .out_dir = "findings",
                           .minimize_time = 10 };
    uint64_t mb;
    int c, bad = 0;
    bool sanitized = false, target_given = false;
    char diff_a[64] = "";

    optind = 1;
    while ((c = getopt_long(argc, argv, "hq", lo, NULL)) != -1) {
        switch (c) {
        case 't': o.target = optarg; target_given = true; break;
        case 'D': {
            const char *comma = strchr(optarg, ',');
            if (!comma || comma == optarg || !comma[1] || strchr(comma + 1, ',') ||
                (size_t)(comma - optarg) >= sizeof(diff_a)) {
                fprintf(stderr, "hvfuzz fuzz: --diff wants two target names, A,B (not '%s')\n",
                        optarg);
                return 2;
            }
            snprintf(diff_a, sizeof(diff_a), "%.*s", (int)(comma - optarg), optarg);
            o.diff_target = comma + 1;
            break;
        }
        case 'T': bad = tool_parse_secs("fuzz", "time", optarg, 0.001, 1e7, &o.time_s); break;
        case 'm':
            bad = tool_parse_secs("fuzz", "minimize-time", optarg, 0, 86400, &o.minimize_time);
            break;
        case 'n': bad = tool_parse_u64("fuzz", "runs", optarg, 1, UINT64_MAX / 2, &o.runs); break;
        case 's': bad = tool_parse_u64("fuzz", "seed", optarg, 0, UINT64_MAX, &o.seed); break;
        case 'c': o.corpus_dir = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'j': bad = tool_parse_unsigned("fuzz", "jobs", optarg, 1, FUZZ_MAX_JOBS, &o.jobs); break;
        case 'J': o.json = true; break;
        case 'C':
            bad = tool_parse_unsigned("fuzz", "corpus-max", optarg, 1, 1U << 20, &o.corpus_max);
            break;
        case 'M':
            bad = tool_parse_u64("fuzz", "corpus-max-mb", optarg, 1, 1U << 20, &mb);
            o.corpus_max_bytes = mb << 20;
            break;
        case 'b':
            if (tool_parse_bugs("fuzz", optarg, &o.bugs) < 0)
                return 2;
            break;
        case 'q': o.quiet = true; break;
        case 'Z': sanitized = true; break;
        case 'A': o.audit_each_op = true; break;
        case 'F': o.audit_full = true; break;
        case 'S': {
            unsigned f, d, v, pg;
            struct prog *p;
            bool ok;
            if (sscanf(optarg, "%u,%u,%u,%u", &f, &d, &v, &pg) != 4) {
                fprintf(stderr, "hvfuzz fuzz: --shape wants FRAMES,DOMAINS,VCPUS,PAGES\n");
                return 2;
            }
            o.shape = (struct prog_shape){ .nr_frames = (uint16_t)f, .nr_domains = (uint8_t)d,
                                           .nr_vcpus = (uint8_t)v, .dom_pages = (uint16_t)pg };
            /* the limits are prog_validate's: an empty program of that shape must be valid */
            p = calloc(1, sizeof(*p));
            if (!p)
                return 2;
            p->shape = o.shape;
            ok = f <= 65535 && d <= 255 && v <= 255 && pg <= 65535 && prog_validate(p) == PROG_OK;
            free(p);
            if (!ok) {
                fprintf(stderr, "hvfuzz fuzz: --shape %s is outside the program limits\n", optarg);
                return 2;
            }
            break;
        }
        case 'h': cmd_fuzz_usage(stdout); return 0;
        default: cmd_fuzz_usage(stderr); return 2;
        }
        if (bad)
            return 2;
    }
    if (optind != argc) {
        cmd_fuzz_usage(stderr);
        return 2;
    }
    if (diff_a[0]) {
        /* --target naming either side is the same campaign (fuzz --target xen --diff
           native,xen reads as "fuzz Xen against the model"): A guides, B is compared */
        if (target_given && strcmp(o.target, diff_a) && strcmp(o.target, o.diff_target)) {
            fprintf(stderr, "hvfuzz fuzz: --target %s is neither of --diff %s,%s\n", o.target,
                    diff_a, o.diff_target);
            return 2;
        }
        o.target = diff_a;
    }
    if (!target_find(o.target)) {
        fprintf(stderr, "hvfuzz fuzz: unknown target '%s'\n", o.target);
        return 2;
    }
    if (o.diff_target && !target_find(o.diff_target)) {
        fprintf(stderr, "hvfuzz fuzz: unknown target '%s'\n", o.diff_target);
        return 2;
    }
    if (sanitized && (c = tool_exec_sanitized("fuzz", argc, argv)) != 0)
        return c;
    return fuzz_run(&o);
}
