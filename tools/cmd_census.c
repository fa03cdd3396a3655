/* hvfuzz census: which value classes of every hypercall and exit field the generator produces, and in which states. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hvfuzz/census.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/target.h"
#include "hvfuzz/tools.h"

static void census_usage(FILE *f)
{
    fprintf(f,
        "usage: hvfuzz census [--target NAME] [--runs N] [--seed N] [--json] [--missing]\n"
        "                     [--floor PCT]\n"
        "\n"
        "Generate N programs (default 100000) with the random generator, as the fuzz loop does\n"
        "(after its probe of the target), without running them, and count per hypercall,\n"
        "sub-op and exit field which value classes they hold: 0, 1, max-1, max, max+1 of the\n"
        "field's real range, frame-end offsets and lengths and their sums, every defined flag\n"
        "bit alone and in pairs, resources of every owner (own, another domain's, dom0's, free,\n"
        "the hypervisor's, granted, stale); and per op the state of its resources when issued\n"
        "(page type, pinned, mapped, granted, in a batch, preempted, last used on another vCPU),\n"
        "estimated from the program itself. The field table is gen/census_fields.c;\n"
        "docs/FUZZING.md explains the classes. On a target that runs guest code the programs\n"
        "hold code too, and the code.* fields count what it does (gen/census_code.c).\n"
        "\n"
        "  --target NAME target the generator probes (default native; unicorn runs code)\n"
        "  --runs N      programs to generate\n"
        "  --seed N      generator seed (default 1)\n"
        "  --json        one JSON object on stdout\n"
        "  --missing     list every class and state not produced (text form)\n"
        "  --floor PCT   exit 1 when the coverage (classes and states) is below PCT\n"
        "\n"
        "Exit status: 0, 1 below --floor, 2 usage or set-up error.\n");
}

static bool census_parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *v = x;
    return true;
}

/* One field's line (text) or object (JSON): classes wanted, seen and the names of the missing. */
static void census_print_field(const struct census *c, unsigned r, unsigned i, bool json,
                               bool missing, bool *first)
{
    const struct census_field *f = &census_rows[r].f[i];
    uint64_t want[4];
    unsigned nw = 0, ns = 0;
    char nb[64];

    census_field_classes(f, &c->env.shape, want);
    for (unsigned k = 0; k < CC_MAX_CLASSES; k++)
        if (want[k / 64] >> (k % 64) & 1) {
            nw++;
            ns += c->seen[r][i][k / 64] >> (k % 64) & 1;
        }
    if (json) {
        printf("%s{\"field\":\"%s\",\"classes\":%u,\"seen\":%u,\"missing\":[", *first ? "" : ",",
               f->name, nw, ns);
        bool mf = true;
        for (unsigned k = 0; k < CC_MAX_CLASSES; k++)
            if ((want[k / 64] >> (k % 64) & 1) && !(c->seen[r][i][k / 64] >> (k % 64) & 1)) {
                printf("%s\"%s\"", mf ? "" : ",", census_class_name(k, f, nb, sizeof(nb)));
                mf = false;
            }
        printf("]");
        if (f->never) {
            printf(",\"never\":[");
            bool nf = true;
            for (unsigned k = 0; k < CC_NR_FIXED; k++)
                if (f->never >> k & 1) {
                    printf("%s\"%s\"", nf ? "" : ",", census_class_name(k, f, nb, sizeof(nb)));
                    nf = false;
                }
            printf("],\"why\":\"%s\"", f->why ? f->why : "");
        }
        printf("}");
        *first = false;
        return;
    }
    printf("    %-22s %3u/%-3u", f->name, ns, nw);
    if (missing && ns < nw) {
        printf("  missing:");
        for (unsigned k = 0; k < CC_MAX_CLASSES; k++)
            if ((want[k / 64] >> (k % 64) & 1) && !(c->seen[r][i][k / 64] >> (k % 64) & 1))
                printf(" %s", census_class_name(k, f, nb, sizeof(nb)));
    }
    if (f->never)
        printf("  (never:%s%s)", f->why ? " " : "", f->why ? f->why : "");
    printf("\n");
}

/* A guest-code field: its classes seen and, asked, the missing ones' names. */
static void census_print_code(const struct census *c, unsigned i, bool json, bool missing)
{
    const struct census_code_field *f = &census_code_fields[i];
    uint64_t want = (f->nr >= 64 ? ~0ULL : (1ULL << f->nr) - 1U) & ~f->never;
    uint64_t got = c->code_seen[i] & want;

    if (json) {
        printf("%s{\"field\":\"%s\",\"classes\":%d,\"seen\":%d,\"missing\":[", i ? "," : "",
               f->name, __builtin_popcountll(want), __builtin_popcountll(got));
        bool first = true;
        for (unsigned k = 0; k < f->nr; k++)
            if ((want >> k & 1) && !(got >> k & 1)) {
                printf("%s\"%s\"", first ? "" : ",", f->classes[k]);
                first = false;
            }
        printf("]");
        if (f->never)
            printf(",\"why\":\"%s\"", f->why);
        printf("}");
        return;
    }
    printf("    %-22s %3d/%-3d", f->name, __builtin_popcountll(got), __builtin_popcountll(want));
    if (missing && got != want) {
        printf("  missing:");
        for (unsigned k = 0; k < f->nr; k++)
            if ((want >> k & 1) && !(got >> k & 1))
                printf(" %s", f->classes[k]);
    }
    if (f->never)
        printf("  (never: %s)", f->why);
    printf("\n");
}

static void census_print_states(const struct census *c, unsigned r, bool json, bool missing)
{
    uint32_t want = census_row_states(&census_rows[r]), got = c->states[r] & want;

    if (json) {
        printf("],\"states\":%d,\"states_seen\":%d,\"states_missing\":[",
               __builtin_popcount(want), __builtin_popcount(got));
        bool f = true;
        for (unsigned s = 0; s < CS_NR; s++)
            if ((want >> s & 1) && !(got >> s & 1)) {
                printf("%s\"%s\"", f ? "" : ",", census_state_name(s));
                f = false;
            }
        printf("]");
        if (census_rows[r].never_states)
            printf(",\"states_never\":\"%s\"", census_rows[r].why_states);
        return;
    }
    printf("    %-22s %3d/%-3d", "(state)", __builtin_popcount(got), __builtin_popcount(want));
    if (missing && got != want) {
        printf("  missing:");
        for (unsigned s = 0; s < CS_NR; s++)
            if ((want >> s & 1) && !(got >> s & 1))
                printf(" %s", census_state_name(s));
    }
    printf("\n");
}

int cmd_census_main(int argc, char **argv)
{
    static struct gen g;
    static struct prog p;
    static struct census_env env;
    static struct census c;
    uint64_t runs = 100000, seed = 1, floor_pct = 0;
    bool json = false, missing = false, have_floor = false;
    const char *target = "native";
    struct target t;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            census_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--missing")) {
            missing = true;
        } else if (!strcmp(a, "--target") && i + 1 < argc) {
            target = argv[++i];
        } else if (!strcmp(a, "--runs") && i + 1 < argc) {
            if (!census_parse_u64(argv[++i], &runs) || !runs) {
                fprintf(stderr, "hvfuzz census: --runs takes a positive number\n");
                return 2;
            }
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (!census_parse_u64(argv[++i], &seed)) {
                fprintf(stderr, "hvfuzz census: --seed takes a number\n");
                return 2;
            }
        } else if (!strcmp(a, "--floor") && i + 1 < argc) {
            if (!census_parse_u64(argv[++i], &floor_pct) || floor_pct > 100) {
                fprintf(stderr, "hvfuzz census: --floor takes a percentage 0..100\n");
                return 2;
            }
            have_floor = true;
        } else {
            fprintf(stderr, "hvfuzz census: unknown or incomplete option '%s'\n", a);
            census_usage(stderr);
            return 2;
        }
    }

    gen_init(&g, &gen_default_cfg, seed);
    if (!target_find(target)) {
        fprintf(stderr, "hvfuzz census: no target named '%s'\n", target);
        return 2;
    }
    if (target_open(&t, target_find(target), &g.cfg.shape, &target_default_opts)) {
        fprintf(stderr, "hvfuzz census: cannot open the %s target\n", target);
        return 2;
    }
    /* the fuzz loop's generator learns the machine first: so does the census's */
    gen_probe(&g, &t);
    int rc = census_probe(&env, &t, &g);
    target_close(&t);
    if (rc || census_init(&c, &env)) {
        fprintf(stderr, "hvfuzz census: cannot learn the machine's frames\n");
        return 2;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; i < runs; i++) {
        gen_reseed(&g, seed, i);
        gen_program(&g, &p);
        census_add(&c, &p);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    uint64_t nc, sc, ns, ss;
    census_totals(&c, &nc, &sc, &ns, &ss);
    double pct = nc + ns ? 100.0 * (double)(sc + ss) / (double)(nc + ns) : 100.0;

    if (json) {
        printf("{\"format\":1,\"programs\":%llu,\"ops\":%llu,\"seconds\":%.3f,\"seed\":%llu,"
               "\"classes\":%llu,\"classes_seen\":%llu,\"states\":%llu,\"states_seen\":%llu,"
               "\"coverage_pct\":%.2f,\"rows\":[",
               (unsigned long long)c.programs, (unsigned long long)c.ops, secs,
               (unsigned long long)seed, (unsigned long long)nc, (unsigned long long)sc,
               (unsigned long long)ns, (unsigned long long)ss, pct);
        for (unsigned r = 0; r < census_nr_rows; r++) {
            bool first = true;
            printf("%s{\"row\":\"%s\",\"hits\":%llu,\"fields\":[", r ? "," : "",
                   census_rows[r].name, (unsigned long long)c.hits[r]);
            for (unsigned i = 0; i < census_rows[r].nf; i++)
                census_print_field(&c, r, i, true, true, &first);
            census_print_states(&c, r, true, true);
            printf("}");
        }
        printf("]");
        if (c.env.code) {
            printf(",\"code_ops\":%llu,\"code\":[", (unsigned long long)c.code_ops);
            for (unsigned i = 0; i < CENSUS_CODE_FIELDS; i++)
                census_print_code(&c, i, true, true);
            printf("]");
        }
        printf("}\n");
    } else {
        for (unsigned r = 0; r < census_nr_rows; r++) {
            printf("%s  (%llu)\n", census_rows[r].name, (unsigned long long)c.hits[r]);
            bool first = true;
            for (unsigned i = 0; i < census_rows[r].nf; i++)
                census_print_field(&c, r, i, false, missing, &first);
            census_print_states(&c, r, false, missing);
        }
        if (c.env.code) {
            printf("guest code  (%llu)\n", (unsigned long long)c.code_ops);
            for (unsigned i = 0; i < CENSUS_CODE_FIELDS; i++)
                census_print_code(&c, i, false, missing);
        }
        printf("census: %llu programs in %.1f s: classes %llu/%llu, states %llu/%llu: %.2f%%\n",
               (unsigned long long)c.programs, secs, (unsigned long long)sc,
               (unsigned long long)nc, (unsigned long long)ss, (unsigned long long)ns, pct);
    }
    census_free(&c);
    if (have_floor && pct < (double)floor_pct) {
        fprintf(stderr, "hvfuzz census: coverage %.2f%% is below the floor of %llu%%\n", pct,
                (unsigned long long)floor_pct);
        return 1;
    }
    return 0;
}
