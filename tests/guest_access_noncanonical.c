/* A guest access at a non-canonical address raises #GP(0) on every target, as on hardware (not a page fault). */
#include "diff_util.h"

TEST(guest_access_noncanonical)
{
    static const char *const names[] = { "native", "unicorn" };
    static struct prog p;
    struct op_result res;
    struct target_opts o = target_default_opts;

    dp_parse(&p, "shape frames=256 domains=3 vcpus=2 pages=64\n"
                 "guest_read d1 v0 0x800000000000 size=2\n"
                 "guest_write d1 v0 0xffff7ffffffffff8 size=8\n"
                 "guest_read d1 v0 0x7ffffffffffc size=8\n"       /* runs over the top */
                 "guest_read d1 v0 gva(d1,g5,+0) size=8\n");
    for (unsigned t = 0; t < 2; t++) {
        const struct target_ops *ops = target_find(names[t]);
        struct target tg;
        if (!ops || target_open(&tg, ops, &p.shape, &o) < 0) {
            printf("\n  %s: not available here, skipped", names[t]);
            continue;
        }
        for (unsigned i = 0; i < p.nr_ops; i++) {
            CU_ASSERT(target_run_op(&tg, &p.ops[i], &res) == 0);
            unsigned want = i < 3 ? 13U : PROG_FAULT_NONE;
            printf("\n  %s op %u: expected fault %u, actual %u (pfec %u)", names[t], i, want,
                   res.fault, res.pfec);
            CU_ASSERT_EQUAL(want, res.fault);
            if (i < 3)
                CU_ASSERT_EQUAL(0, res.pfec);
        }
        target_close(&tg);
    }
    printf("\n");
}
