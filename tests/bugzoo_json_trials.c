/*
 * bugzoo's JSON carries a format_version and numbers trials as the text does (1-based: the
 * progress line's "#1" is the JSON's "trial": 1); a trial cut short by Ctrl-C is "interrupted",
 * not a miss: it counts in no median, so an interrupted benchmark never reports a bug as missed
 * at the time limit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/bugzoo.h"
#include "test.h"

TEST(bugzoo_json_trials)
{
    struct bz_opts o;
    struct bz_trial t[3];
    struct bz_summary s;
    char *argv[] = { (char *)"bugzoo", (char *)"--bugs", (char *)"xsa148", NULL };
    char *json = NULL;
    size_t len = 0;

    TEST_EQ(0, bz_parse_args(3, argv, &o));
    memset(t, 0, sizeof(t));
    for (unsigned i = 0; i < 3; i++) {
        t[i].bug = HV_BUG_XSA148;
        t[i].gen = BZ_GEN_RANDOM;
        t[i].trial = i;
        t[i].seed = 1 + i;
        t[i].time_s = 3.0;
        t[i].programs = 300;
    }
    t[0].found = true;
    snprintf(t[0].signature, sizeof(t[0].signature), "audit:I4");
    t[1].found = true;
    snprintf(t[1].signature, sizeof(t[1].signature), "audit:I4");
    t[2].status = BZ_INTERRUPTED;

    bz_summarize(t, 3, HV_BUG_XSA148, BZ_GEN_RANDOM, &s);
    TEST_EQ(1, s.interrupted);
    TEST_EQ(2, s.found);
    CU_ASSERT(s.median_s == 3.0);   /* two finds; the interrupted trial is no infinite miss */

    FILE *f = open_memstream(&json, &len);
    bz_print_json(f, &o, t, 3);
    fclose(f);
    CU_ASSERT(strstr(json, "\"format_version\": ") != NULL);
    CU_ASSERT(strstr(json, "{\"trial\": 1, \"seed\": 1,") != NULL);
    CU_ASSERT(strstr(json, "{\"trial\": 3, \"seed\": 3, \"status\": \"interrupted\"") != NULL);
    CU_ASSERT(strstr(json, "\"trial\": 0") == NULL);
    CU_ASSERT(strstr(json, "\"interrupted\": 1") != NULL);
    if (!strstr(json, "{\"trial\": 1, \"seed\": 1,"))
        fprintf(stderr, "bugzoo json: expected 1-based trials, actual:\n%s", json);
    free(json);
}
