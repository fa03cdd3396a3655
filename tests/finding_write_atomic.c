/*
 * Findings are stored whole and once: finding_write leaves report.txt, repro.bin and
 * finding.meta in a signature-named directory, no temporary behind; the same signature again
 * writes nothing (a duplicate) and leaves the first files as they were; the report marks the
 * breaking op.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "hvfuzz/finding.h"
#include "test.h"

static char *fw_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;

    *len = 0;
    if (!f)
        return NULL;
    buf = calloc(1, 1 << 20);
    if (buf)
        *len = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    return buf;
}

static unsigned fw_count_entries(const char *dir, bool dot)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && (de->d_name[0] == '.') == dot)
            n++;
    closedir(d);
    return n;
}

TEST(finding_write_atomic)
{
    static struct prog p, q;
    struct finding f = { .oracle = ORACLE_AUDIT, .op_index = 1, .signature = "audit:I1:mmu_update",
                         .detail = "I1 mfn 0x12 dom 1: general count expected 3, actual 2" };
    struct op_result res[2] = { { .status = OPS_RAN, .rc = 0 }, { .status = OPS_RAN, .rc = -22 } };
    char tmpl[] = "/tmp/hvfuzz-finding-XXXXXX", dir[4096], path[4200];
    size_t len, len2;

    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    prog_init(&p, &prog_default_shape);
    p.nr_ops = 2;
    p.ops[0].kind = OP_PREEMPT;
    p.ops[1].kind = OP_PREEMPT;
    p.ops[1].imm = 5;

    TEST_EQ(1, finding_write(tmpl, &p, &f, res, NULL, dir, sizeof(dir)));
    TEST_EQ(1, fw_count_entries(tmpl, false));
    TEST_EQ(0, fw_count_entries(tmpl, true));   /* no temporary left */
    snprintf(path, sizeof(path), "%s/report.txt", dir);
    char *report = fw_slurp(path, &len);
    CU_ASSERT_FATAL(report != NULL);
    CU_ASSERT(strstr(report, "signature: audit:I1:mmu_update") != NULL);
    CU_ASSERT(strstr(report, ">>>   1 preempt 0x5") != NULL);
    CU_ASSERT(strstr(report, "general count expected 3, actual 2") != NULL);
    snprintf(path, sizeof(path), "%s/repro.bin", dir);
    CU_ASSERT(prog_load(&q, path) == PROG_OK);
    CU_ASSERT(prog_equal(&p, &q));

    /* a duplicate writes nothing; the first report stays byte for byte */
    p.ops[1].imm = 6;
    TEST_EQ(0, finding_write(tmpl, &p, &f, res, NULL, NULL, 0));
    snprintf(path, sizeof(path), "%s/report.txt", dir);
    char *again = fw_slurp(path, &len2);
    TEST_EQ(len, len2);
    CU_ASSERT(again && !memcmp(report, again, len));
    TEST_EQ(1, fw_count_entries(tmpl, false));

    /* another signature is another finding */
    snprintf(f.signature, sizeof(f.signature), "isolation:foreign-read");
    TEST_EQ(1, finding_write(tmpl, &p, &f, res, NULL, NULL, 0));
    TEST_EQ(2, fw_count_entries(tmpl, false));
    TEST_EQ(0, fw_count_entries(tmpl, true));
    free(report);
    free(again);
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
}
