/*
 * report.txt stands on its own: it names the hvfuzz version, the target, the --bug switches, the
 * machine, the seed and worker that found it, which file is which, every op's result with the
 * breaking op marked, and the one command that replays it (with the switches spelled out);
 * finding.meta records the same facts for replay and parses back.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/version.h"
#include "test.h"

static char *frf_slurp(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 16);

    size_t n = f && buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    if (buf)
        buf[n] = '\0';
    if (f)
        fclose(f);
    return buf;
}

/* Each line the report must hold, checked one by one so a failure names the missing one. */
static void frf_expect(const char *report, const char *line)
{
    if (!strstr(report, line))
        fprintf(stderr, "%s:%d: report.txt lacks '%s'\n", __FILE__, __LINE__, line);
    CU_ASSERT(strstr(report, line) != NULL);
}

TEST(finding_report_fields)
{
    static struct prog p;
    struct finding f = { .oracle = ORACLE_AUDIT, .op_index = 1, .signature = "audit:I1:mmu_update",
                         .detail = "I1 mfn 0x12 dom 1: general count expected 3, actual 2" };
    struct op_result res[3] = { { .status = OPS_RAN, .rc = 0 }, { .status = OPS_RAN, .rc = -22 },
                                { .status = OPS_NOT_RUN } };
    char tmpl[] = "/tmp/hvfuzz-report-XXXXXX", dir[4096], want[4400], why[128];
    uint64_t bugs = 1ULL << hv_bug_find("xsa148")->id | 1ULL << hv_bug_find("xsa224")->id;

    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    prog_init(&p, &prog_default_shape);
    p.nr_ops = 3;
    for (unsigned i = 0; i < 3; i++)
        p.ops[i].kind = OP_PREEMPT;
    struct finding_info info = { .target = "native", .bugs = bugs, .audit_each_op = true,
                                 .campaign = true, .seed = 7, .worker = 2, .fresh = true,
                                 .index = 1234, .minimized = "--minimize-time 0" };
    TEST_EQ(1, finding_write(tmpl, &p, &f, res, &info, dir, sizeof(dir)));
    char *report = frf_slurp(dir, FINDING_REPORT);
    CU_ASSERT_FATAL(report != NULL);

    snprintf(want, sizeof(want), "replay:    hvfuzz replay --bug xsa148,xsa224 --audit-each-op "
             "%s/repro.bin\n", dir);
    frf_expect(report, want);
    frf_expect(report, "version:   hvfuzz " HVFUZZ_VERSION "\n");
    frf_expect(report, "target:    native\n");
    frf_expect(report, "bugs:      --bug xsa148,xsa224\n");
    frf_expect(report, "audit:     after every op (--audit-each-op)\n");
    frf_expect(report, "machine:   256 frames, 3 domains, 2 vCPUs and 64 pages per domain\n");
    frf_expect(report, "found by:  hvfuzz fuzz --seed 7, worker 2, generated program 1234\n");
    frf_expect(report, "files:     repro.bin = the program as found (not minimized: "
                       "--minimize-time 0)\n");
    frf_expect(report, "signature: audit:I1:mmu_update\n");
    frf_expect(report, "general count expected 3, actual 2");
    frf_expect(report, "      0 preempt 0x0  # result: rc=0\n");
    frf_expect(report, ">>>   1 preempt 0x0  # result: rc=-EINVAL\n");
    frf_expect(report, "      2 preempt 0x0  # not run\n");

    char *meta = frf_slurp(dir, FINDING_META);
    struct finding_meta m;
    CU_ASSERT_FATAL(meta != NULL);
    frf_expect(meta, "seed=7\n");
    frf_expect(meta, "worker=2\n");
    frf_expect(meta, "program=generated:1234\n");
    TEST_EQ(0, finding_meta_parse(meta, &m, why, sizeof(why)));
    TEST_EQ(bugs, m.bugs);
    TEST_EQ(1, m.audit_each_op);
    CU_ASSERT(!strcmp(m.target, "native"));
    free(report);
    free(meta);

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
}
