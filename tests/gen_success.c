/* Generated programs reach most hypercall families with successful results on the native target. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/fuzzer.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/xen.h"
#include "test.h"

/*
 * A generator whose ops all fail only tests error paths. This prints, per hypercall and
 * sub-command, how many generated ops ran and the share that succeeded (rc >= 0), and requires
 * successes in the families that build state: page tables, mmuext, memory, event channels, vCPUs.
 */
#define GS_KEYS 1024U

struct gs_row {
    uint32_t nr, cmd;
    unsigned ran, ok;
};

static struct gs_row *gs_row(struct gs_row *rows, unsigned *n, uint32_t nr, uint32_t cmd)
{
    for (unsigned i = 0; i < *n; i++)
        if (rows[i].nr == nr && rows[i].cmd == cmd)
            return &rows[i];
    if (*n == GS_KEYS)
        return NULL;
    rows[*n].nr = nr;
    rows[*n].cmd = cmd;
    return &rows[(*n)++];
}

static unsigned gs_ok(const struct gs_row *rows, unsigned n, uint32_t nr)
{
    unsigned ok = 0;

    for (unsigned i = 0; i < n; i++)
        if (rows[i].nr == nr)
            ok += rows[i].ok;
    return ok;
}

TEST(gen_success)
{
    struct prog *p = malloc(sizeof(*p));
    struct op_result *res = malloc(PROG_MAX_OPS * sizeof(*res));
    struct gs_row *rows = calloc(GS_KEYS, sizeof(*rows));
    const struct target_ops *ops = target_find("native");
    struct target t;
    struct gen g;
    unsigned n = 0;

    CU_ASSERT_FATAL(p && res && rows && ops);
    CU_ASSERT_FATAL(target_open(&t, ops, &gen_default_cfg.shape, NULL) == 0);
    gen_init(&g, NULL, 11);
    CU_ASSERT(gen_probe(&g, &t) == 0);
    for (unsigned i = 0; i < 3000; i++) {
        gen_program(&g, p);
        target_run(&t, p, res, NULL);
        for (uint32_t k = 0; k < p->nr_ops; k++) {
            const struct prog_op *op = &p->ops[k];
            uint32_t cmd = fuzz_op_cmd(op);
            struct gs_row *r;
            if (op->kind != OP_HYPERCALL || res[k].status == OPS_NOT_RUN)
                continue;
            r = gs_row(rows, &n, op->nr, cmd < 64 ? cmd : 64);
            if (!r)
                continue;
            r->ran++;
            r->ok += res[k].rc >= 0;
        }
    }
    target_close(&t);
    if (getenv("HVFUZZ_GEN_REPORT")) {
        fprintf(stderr, "\n%-4s %-4s %8s %8s %6s\n", "nr", "cmd", "ran", "ok", "share");
        for (unsigned i = 0; i < n; i++)
            if (rows[i].ran >= 20)
                fprintf(stderr, "%-4u %-4u %8u %8u %5.1f%%\n", rows[i].nr, rows[i].cmd,
                        rows[i].ran, rows[i].ok, 100.0 * rows[i].ok / rows[i].ran);
    }
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_mmu_update) > 100);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_update_va_mapping) > 100);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_mmuext_op) > 100);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_memory_op) > 100);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_grant_table_op) > 100);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_event_channel_op) > 100);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_vcpu_op) > 50);
    CU_ASSERT(gs_ok(rows, n, HYPERVISOR_multicall) > 20);
    free(p);
    free(res);
    free(rows);
}
