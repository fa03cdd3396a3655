/* hvfuzz bugzoo: option parsing, signature matching, medians with misses, the table and the JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/bugzoo.h"
#include "test.h"

/*
 * The benchmark's numbers are only as good as their aggregation: a miss must count as infinite
 * in the median (so 1 find in 3 trials is no finite median), the reported signature is the one
 * most trials found, and "matches" compares at a ':' boundary. A 1 s control run with no bug
 * switched on checks the campaign pipeline itself: it runs, counts programs and finds nothing.
 */

static int bz_parse(const char *line, struct bz_opts *o)
{
    char buf[512], *argv[32];
    int argc = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return bz_parse_args(argc, argv, o);
}

TEST(bugzoo_parse_args)
{
    struct bz_opts o;
    FILE *saved = stderr;

    TEST_EQ(0, bz_parse("bugzoo", &o));
    TEST_EQ(((1ULL << HV_BUG_NR) - 1ULL) & ~1ULL, o.bugs);
    TEST_EQ(1U << BZ_GEN_RANDOM, o.gens);
    TEST_EQ(3, o.trials);
    CU_ASSERT(o.time_s == 60);
    TEST_EQ(0, bz_parse("bugzoo --bugs xsa148,uart-fifo --generator libfuzzer,afl --time 20 "
                        "--trials 5 --jobs 2 --seed 7 --json", &o));
    TEST_EQ((1ULL << HV_BUG_XSA148) | (1ULL << HV_BUG_UART_FIFO), o.bugs);
    TEST_EQ((1U << BZ_GEN_LIBFUZZER) | (1U << BZ_GEN_AFL), o.gens);
    CU_ASSERT(o.time_s == 20);
    TEST_EQ(5, o.trials);
    TEST_EQ(2, o.jobs);
    TEST_EQ(7, o.seed);
    CU_ASSERT(o.json);
    TEST_EQ(0, bz_parse("bugzoo --bugs none --generator all", &o));
    TEST_EQ(1, o.bugs);
    TEST_EQ((1U << BZ_GEN_NR) - 1U, o.gens);
    TEST_EQ(0, bz_parse("bugzoo --list", &o));
    CU_ASSERT(o.list);

    /* errors are usage errors, with a message (kept off the test log) */
    stderr = fopen("/dev/null", "w");
    TEST_EQ(2, bz_parse("bugzoo --bugs xsa999", &o));
    TEST_EQ(2, bz_parse("bugzoo --generator honggfuzz", &o));
    TEST_EQ(2, bz_parse("bugzoo --time 0", &o));
    TEST_EQ(2, bz_parse("bugzoo --trials 0", &o));
    TEST_EQ(2, bz_parse("bugzoo --jobs 99", &o));
    TEST_EQ(2, bz_parse("bugzoo --time 5s", &o));
    TEST_EQ(2, bz_parse("bugzoo --seeds corpora/zoo", &o));
    TEST_EQ(2, bz_parse("bugzoo stray", &o));
    fclose(stderr);
    stderr = saved;
}

TEST(bugzoo_sig_matches)
{
    CU_ASSERT(bz_sig_matches("audit:I4", "audit:I4"));
    CU_ASSERT(bz_sig_matches("audit:I4:mmu_update", "audit:I4"));
    CU_ASSERT(bz_sig_matches("bug:exchange wrote hypervisor memory", "bug"));
    CU_ASSERT(!bz_sig_matches("audit:I10", "audit:I1"));
    CU_ASSERT(!bz_sig_matches("audit:I3", "audit:I4"));
    CU_ASSERT(!bz_sig_matches("bugfix", "bug"));
    CU_ASSERT(!bz_sig_matches("anything", "-"));
    CU_ASSERT(bz_sig_matches("audit:I5:grant_table_op", "audit:I5|audit:I1"));
    CU_ASSERT(bz_sig_matches("audit:I1:grant_table_op", "audit:I5|audit:I1"));
    CU_ASSERT(!bz_sig_matches("audit:I2:grant_table_op", "audit:I5|audit:I1"));
    CU_ASSERT(!bz_sig_matches("audit:I10", "audit:I5|audit:I1"));
    CU_ASSERT(!bz_sig_matches("audit", "audit:I5|"));
}

TEST(bugzoo_median)
{
    double a[] = { 5, 1, 3 }, b[] = { 4, 2 }, c[] = { 2, INFINITY, INFINITY },
           d[] = { 1, INFINITY, 3 }, e[] = { 1, INFINITY };

    CU_ASSERT(bz_median(a, 3) == 3);
    CU_ASSERT(bz_median(b, 2) == 3);
    CU_ASSERT(isinf(bz_median(c, 3)));
    CU_ASSERT(bz_median(d, 3) == 3);
    CU_ASSERT(isinf(bz_median(e, 2)));
    CU_ASSERT(isinf(bz_median(NULL, 0)));
}

static struct bz_trial bz_t(enum hv_bug b, enum bz_gen g, unsigned i, bool found, double s,
                            uint64_t progs, const char *sig)
{
    struct bz_trial t;

    memset(&t, 0, sizeof(t));
    t.bug = b;
    t.gen = g;
    t.trial = i;
    t.seed = 1 + i;
    t.found = found;
    t.time_s = s;
    t.programs = progs;
    snprintf(t.signature, sizeof(t.signature), "%s", sig);
    return t;
}

TEST(bugzoo_summarize)
{
    struct bz_trial t[8];
    struct bz_summary s;

    t[0] = bz_t(HV_BUG_XSA148, BZ_GEN_RANDOM, 0, true, 9.0, 900, "audit:I1:mmu_update");
    t[1] = bz_t(HV_BUG_XSA148, BZ_GEN_RANDOM, 1, true, 2.0, 200, "audit:I4:mmu_update");
    t[2] = bz_t(HV_BUG_XSA148, BZ_GEN_RANDOM, 2, true, 4.0, 400, "audit:I4:mmu_update");
    t[3] = bz_t(HV_BUG_XSA148, BZ_GEN_AFL, 0, true, 1.0, 100, "audit:I4");
    t[4] = bz_t(HV_BUG_XSA148, BZ_GEN_AFL, 1, false, 60.0, 6000, "");
    t[5] = bz_t(HV_BUG_XSA148, BZ_GEN_AFL, 2, false, 60.0, 6000, "");
    t[6] = bz_t(HV_BUG_XSA182, BZ_GEN_LIBFUZZER, 0, false, 0, 0, "");
    t[6].status = BZ_SKIPPED;
    snprintf(t[6].note, sizeof(t[6].note), "no engine");
    t[7] = bz_t(HV_BUG_XSA182, BZ_GEN_RANDOM, 0, true, 5.0, 50, "audit:I1");

    bz_summarize(t, 8, HV_BUG_XSA148, BZ_GEN_RANDOM, &s);
    TEST_EQ(3, s.trials);
    TEST_EQ(3, s.found);
    CU_ASSERT(s.median_s == 4.0);
    TEST_EQ(400, s.median_programs);
    CU_ASSERT(!strcmp(s.signature, "audit:I4:mmu_update"));   /* two of three trials */
    CU_ASSERT(s.matches);

    bz_summarize(t, 8, HV_BUG_XSA148, BZ_GEN_AFL, &s);
    TEST_EQ(1, s.found);
    CU_ASSERT(isinf(s.median_s));                               /* 1 of 3: no finite median */
    CU_ASSERT(s.median_programs == UINT64_MAX);
    CU_ASSERT(!strcmp(s.signature, "audit:I4"));

    bz_summarize(t, 8, HV_BUG_XSA182, BZ_GEN_LIBFUZZER, &s);
    TEST_EQ(1, s.skipped);
    CU_ASSERT(!strcmp(s.note, "no engine"));

    bz_summarize(t, 8, HV_BUG_XSA182, BZ_GEN_RANDOM, &s);
    CU_ASSERT(!s.matches);                                      /* I1 where I3 was expected */
}

/* The table and the JSON name every bug and generator asked for, with the figures above. */
TEST(bugzoo_table_and_json)
{
    struct bz_opts o;
    struct bz_trial t[4];
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    TEST_EQ(0, bz_parse("bugzoo --bugs xsa148,xsa182 --generator random,afl --trials 2 --time 10",
                        &o));
    t[0] = bz_t(HV_BUG_XSA148, BZ_GEN_RANDOM, 0, true, 1.5, 150, "audit:I4:mmu_update");
    t[1] = bz_t(HV_BUG_XSA148, BZ_GEN_RANDOM, 1, true, 2.5, 250, "audit:I4:mmu_update");
    t[2] = bz_t(HV_BUG_XSA182, BZ_GEN_RANDOM, 0, false, 10, 1000, "");
    t[3] = bz_t(HV_BUG_XSA182, BZ_GEN_RANDOM, 1, false, 10, 1000, "");

    f = open_memstream(&buf, &len);
    bz_print_table(f, &o, t, 4);
    fclose(f);
    CU_ASSERT(strstr(buf, "xsa148      random     2/2        2.0       200  audit:I4:mmu_update")
              != NULL);
    CU_ASSERT(strstr(buf, "xsa182      random     0/2        >10") != NULL);
    CU_ASSERT(strstr(buf, "1 of 2 bugs found") != NULL);
    CU_ASSERT(strstr(buf, "xsa148      afl") != NULL);
    free(buf);
    CU_ASSERT(bz_bug_found(&o, t, 4, HV_BUG_XSA148));
    CU_ASSERT(!bz_bug_found(&o, t, 4, HV_BUG_XSA182));

    buf = NULL;
    f = open_memstream(&buf, &len);
    bz_print_json(f, &o, t, 4);
    fclose(f);
    CU_ASSERT(strstr(buf, "\"bug\": \"xsa148\", \"advisory\": \"XSA-148\", \"generator\": \"random\", "
                          "\"expected\": \"audit:I4\"") != NULL);
    CU_ASSERT(strstr(buf, "\"found\": 2, \"skipped\": 0, \"failed\": 0, \"interrupted\": 0, "
                          "\"median_time_s\": 2.000, "
                          "\"median_programs\": 200, \"signature\": \"audit:I4:mmu_update\", "
                          "\"matches\": true") != NULL);
    CU_ASSERT(strstr(buf, "\"median_time_s\": null") != NULL);
    /* trials are numbered from 1, as the text's "#2" */
    CU_ASSERT(strstr(buf, "{\"trial\": 2, \"seed\": 2, \"status\": \"ran\", \"found\": true, "
                          "\"time_s\": 2.500, \"programs\": 250") != NULL);
    free(buf);
}

/* The control run: a real 1 s random campaign on the clean monitor finds nothing. */
TEST(bugzoo_control_run)
{
    struct bz_opts o;
    struct bz_trial *t = NULL;
    size_t n = 0;

    TEST_EQ(0, bz_parse("bugzoo --bugs none --time 1 --trials 1 --quiet", &o));
    TEST_EQ(0, bz_run(&o, &t, &n));
    TEST_EQ(1, n);
    if (n == 1) {
        TEST_EQ(BZ_RAN, t[0].status);
        CU_ASSERT(!t[0].found);
        CU_ASSERT(t[0].programs > 0);
        CU_ASSERT(t[0].time_s >= 0.9);
    }
    free(t);
}
