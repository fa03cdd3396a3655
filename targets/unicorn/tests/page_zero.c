/*
 * Page 0 is a guest page like any other. The target keeps the pages it must map outside
 * Unicorn's hooks in fields where 0 meant "none", so a load from VA 0 that needed an alias
 * remapped (every alias in use, as after a few dozen distinct pages) ran again without the
 * mapping and read 0 where native read the byte (a fuzz --diff campaign found it after 24,000
 * programs). Here: the domain maps VA 0 (L3[0] = its L2), touches more pages than there are
 * aliases, then reads VA 0 on both targets.
 */
#include <stdio.h>
#include <string.h>

#include "targets/unicorn/tests/uni_test.h"
#include "targets/unicorn/uni.h"
#include "test.h"

TEST(unicorn_page_zero)
{
    static struct uni_test_run a, b;
    static char text[16384];
    size_t n = 0;

    n += (size_t)snprintf(text + n, sizeof(text) - n,
        "shape frames=256 domains=3 vcpus=2 pages=64\n"
        /* L3[0] of dom1 names its L2, as L3[1] does: VA 0 maps gfn 0 (its L4, read-only) */
        "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:00000000000000000000000000000000 fixup@0:8=maddr(d1,g1,+0) fixup@8:8=pte(d1,g2,0x67)\n");
    for (unsigned g = 4; g < 4 + UNI_MAX_ALIASES + 4; g++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "guest_read d1 v0 gva(d1,g%u,+0) size=8\n",
                              g % 60 + 4);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "guest_read d1 v0 0 size=1\n"
                          "guest_read d1 v0 0 size=8\n");
    CU_ASSERT_FATAL(n < sizeof(text));
    if (!uni_test_run("native", text, &a) || !uni_test_run("unicorn", text, &b))
        return;
    TEST_EQ(a.found, b.found);
    for (uint32_t k = a.prog.nr_ops - 2; k < a.prog.nr_ops; k++) {
        const struct op_result *x = &a.res[k], *y = &b.res[k];
        fprintf(stderr, "read of VA 0, op %u: native rc %lld value %#llx fault %u; unicorn rc %lld "
                "value %#llx fault %u\n", k, (long long)x->rc, (unsigned long long)x->value,
                x->fault, (long long)y->rc, (unsigned long long)y->value, y->fault);
        TEST_EQ(0, x->rc);
        TEST_EQ(x->rc, y->rc);
        TEST_EQ(x->value, y->value);
        TEST_EQ(x->fault, y->fault);
    }
}
