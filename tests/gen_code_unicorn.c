/* Generated guest code runs on the unicorn target: no target errors, every exit reason and fault, each access class as it should end. */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"
#include "hvfuzz/target.h"
#include "test.h"

/*
 * The code family is only worth its ops if its code reaches the monitor the ways it was meant
 * to. First, 2000 programs as a campaign makes them (the probe switches the family on) run on one
 * unicorn target: no op fails in the target (run_op < 0), no code op is refused as unsupported,
 * and the code ops together take every exit an instruction raises (I/O, CPUID, MSR read and
 * write, HLT) and end in every fault (#PF, #GP, #UD). Then each access class in each direction,
 * alone on a fresh machine (code the target translated for an earlier program must not stand
 * in), ends as the page it targets says: own pages and the code's page in no fault, a store to a
 * page table in a write #PF, another domain's frame, unmapped VAs and Xen's range in a #PF, a
 * fetch from them in an instruction-fetch #PF, the non-canonical hole in a fault (hardware's
 * #GP; the target reports a load or store there as a #PF).
 */
#define GCU_PROGRAMS 2000U

TEST(gen_code_unicorn_exits)
{
    struct prog *p = malloc(sizeof(*p));
    struct op_result *res = malloc(PROG_MAX_OPS * sizeof(*res));
    const struct target_ops *ops = target_find("unicorn");
    unsigned exits[EXIT_NR] = { 0 }, faults[32] = { 0 }, code = 0, ran = 0, unsupported = 0;
    unsigned failed = 0, found = 0;
    struct finding f;
    struct target t;
    struct gen g;

    CU_ASSERT_FATAL(p && res && ops);
    CU_ASSERT_FATAL(target_open(&t, ops, &gen_default_cfg.shape, NULL) == 0);
    gen_init(&g, NULL, 3);
    CU_ASSERT(gen_probe(&g, &t) == 0);
    CU_ASSERT_FATAL(g.env.guest_code);
    for (unsigned i = 0; i < GCU_PROGRAMS; i++) {
        gen_reseed(&g, 3, i);
        gen_program(&g, p);
        memset(res, 0, PROG_MAX_OPS * sizeof(*res));
        uint32_t n = p->nr_ops;
        if (target_run(&t, p, res, &f)) {
            found++;
            failed += !strcmp(f.signature, "target:run-op-failed");
            n = f.op_index >= 0 ? (uint32_t)f.op_index + 1U : n;
        }
        for (uint32_t k = 0; k < n && k < p->nr_ops; k++) {
            if (p->ops[k].kind != OP_GUEST_CODE)
                continue;
            code++;
            ran += res[k].status == OPS_RAN;
            unsupported += res[k].status == OPS_UNSUPPORTED;
            for (unsigned e = 0; e < res[k].nr_exits; e++)
                if (res[k].exits[e] < EXIT_NR)
                    exits[res[k].exits[e]]++;
            if (res[k].fault < 32)
                faults[res[k].fault]++;
        }
    }
    fprintf(stderr, "gen_code_unicorn: %u programs, %u code ops (%u ran), findings %u; exits io %u "
            "cpuid %u msr_read %u msr_write %u hlt %u; faults #PF %u #GP %u #UD %u\n",
            GCU_PROGRAMS, code, ran, found, exits[EXIT_IO], exits[EXIT_CPUID],
            exits[EXIT_MSR_READ], exits[EXIT_MSR_WRITE], exits[EXIT_HLT], faults[14], faults[13],
            faults[6]);
    TEST_EQ(0, failed);
    TEST_EQ(0, unsupported);
    CU_ASSERT(code > GCU_PROGRAMS);
    CU_ASSERT(exits[EXIT_IO] > 0);
    CU_ASSERT(exits[EXIT_CPUID] > 0);
    CU_ASSERT(exits[EXIT_MSR_READ] > 0);
    CU_ASSERT(exits[EXIT_MSR_WRITE] > 0);
    CU_ASSERT(exits[EXIT_HLT] > 0);
    CU_ASSERT(faults[14] > 0);
    CU_ASSERT(faults[13] > 0);
    CU_ASSERT(faults[6] > 0);
    target_close(&t);
    free(p);
    free(res);
}

/* How an access of a class and direction must end: no fault, a #PF (pfec bits all set), any fault. */
enum { GCU_NONE, GCU_PF, GCU_FAULT };
static const struct {
    unsigned cls, dir, size, want;
    uint32_t pfec;
} gcu_cases[] = {
    { GEN_CT_OWN, 0, 8, GCU_NONE, 0 },
    { GEN_CT_OWN, 1, 4, GCU_NONE, 0 },
    { GEN_CT_OWN, 2, 1, GCU_NONE, 0 },
    { GEN_CT_PT, 0, 8, GCU_NONE, 0 },
    { GEN_CT_PT, 1, 8, GCU_PF, PFEC_WRITE | PFEC_PRESENT },
    { GEN_CT_CODE, 0, 2, GCU_NONE, 0 },
    { GEN_CT_FOREIGN, 0, 8, GCU_PF, 0 },
    { GEN_CT_FOREIGN, 1, 8, GCU_PF, PFEC_WRITE },
    { GEN_CT_FOREIGN, 2, 1, GCU_PF, PFEC_INSN },
    { GEN_CT_UNMAPPED, 0, 4, GCU_PF, 0 },
    { GEN_CT_UNMAPPED, 1, 2, GCU_PF, PFEC_WRITE },
    { GEN_CT_UNMAPPED, 2, 1, GCU_PF, PFEC_INSN },
    { GEN_CT_XEN, 0, 8, GCU_PF, 0 },
    { GEN_CT_XEN, 1, 1, GCU_PF, PFEC_WRITE },
    { GEN_CT_XEN, 2, 1, GCU_PF, 0 },   /* the target's error code has no fetch bit here */
    { GEN_CT_NONCANON, 0, 8, GCU_FAULT, 0 },
    { GEN_CT_NONCANON, 1, 8, GCU_FAULT, 0 },
    { GEN_CT_REMAP, 0, 8, GCU_FAULT, 0 },   /* ran; its end depends on the mapping drawn */
};

TEST(gen_code_unicorn_classes)
{
    struct prog *p = malloc(sizeof(*p));
    struct op_result *res = malloc(PROG_MAX_OPS * sizeof(*res));
    const struct target_ops *ops = target_find("unicorn");
    struct gen g;

    CU_ASSERT_FATAL(p && res && ops);
    gen_init(&g, NULL, 5);
    for (size_t i = 0; i < sizeof(gcu_cases) / sizeof(gcu_cases[0]); i++) {
        struct target t;
        gen_reseed(&g, 5, i);
        prog_init(p, &g.cfg.shape);
        gen_code_access_op(&g, p, 1, 0, gcu_cases[i].cls, gcu_cases[i].dir, gcu_cases[i].size);
        CU_ASSERT_FATAL(p->nr_ops > 0 && prog_validate(p) == PROG_OK);
        CU_ASSERT_FATAL(target_open(&t, ops, &p->shape, NULL) == 0);
        target_run(&t, p, res, NULL);
        target_close(&t);
        const struct op_result *r = &res[p->nr_ops - 1];
        bool ok = r->status == OPS_RAN;
        if (gcu_cases[i].want == GCU_NONE)
            ok = ok && r->fault == PROG_FAULT_NONE;
        else if (gcu_cases[i].want == GCU_PF)
            ok = ok && r->fault == 14 && (r->pfec & gcu_cases[i].pfec) == gcu_cases[i].pfec;
        if (!ok || getenv("GCU_VERBOSE"))
            fprintf(stderr, "case %zu (class %u, dir %u, size %u): status %u, fault %u, pfec %#x\n",
                    i, gcu_cases[i].cls, gcu_cases[i].dir, gcu_cases[i].size, r->status,
                    r->fault, r->pfec);
        CU_ASSERT(ok);
    }
    free(p);
    free(res);
}
