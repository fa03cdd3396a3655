/*
 * The target replaces its Unicorn engine every UNI_ENGINE_PROGRAMS programs (2.0.1 asserts
 * after a few hundred thousand programs in one engine). A program run just before and just after
 * the replacement gives the same results op for op: the monitor and its snapshot stay, and the
 * aliases the old engine held are made again in the new one.
 */
#include <string.h>

#include "hvfuzz/target.h"
#include "targets/unicorn/uni.h"
#include "test.h"

TEST(unicorn_engine_renew)
{
    static struct prog p;
    static struct op_result a[PROG_MAX_OPS], b[PROG_MAX_OPS];
    const char *text =
        "shape frames=256 domains=3 vcpus=2 pages=64\n"
        "guest_write d1 v0 gva(d1,g5,+0) size=8\n"
        "guest_read d1 v0 gva(d1,g5,+0) size=8\n"
        "guest_code d1 v0 payload=hex:31c00fa2b9100000000f32c3\n"   /* cpuid; rdmsr TSC; ret */
        "hypercall d1 v0 xen_version(0, 0)\n"
        "guest_read d1 v0 0x40100000 size=4\n";
    unsigned line = 0;
    struct target t;
    struct finding f;

    CU_ASSERT_FATAL(prog_parse_text(&p, text, &line) == PROG_OK);
    CU_ASSERT_FATAL(target_open(&t, target_find("unicorn"), &p.shape, NULL) == 0);
    struct uni *u = t.priv;
    CU_ASSERT(!target_run(&t, &p, a, &f));
    u->engine_programs = UNI_ENGINE_PROGRAMS - 1U;   /* the next reset replaces the engine */
    CU_ASSERT(!target_run(&t, &p, b, &f));
    /* the count starts again at the new engine's making (this program's reset) */
    fprintf(stderr, "unicorn_engine_renew: expected 0 resets on the new engine, actual %u\n",
            u->engine_programs);
    TEST_EQ(0, u->engine_programs);
    for (uint32_t k = 0; k < p.nr_ops; k++) {
        bool same = a[k].status == b[k].status && a[k].rc == b[k].rc &&
                    a[k].value == b[k].value && a[k].fault == b[k].fault &&
                    a[k].pfec == b[k].pfec && a[k].nr_exits == b[k].nr_exits;
        if (!same)
            fprintf(stderr, "op %u: before status %u rc %lld value %#llx fault %u; after status %u "
                    "rc %lld value %#llx fault %u\n", k, a[k].status, (long long)a[k].rc,
                    (unsigned long long)a[k].value, a[k].fault, b[k].status, (long long)b[k].rc,
                    (unsigned long long)b[k].value, b[k].fault);
        CU_ASSERT(same);
    }
    TEST_EQ(2, a[2].nr_exits);   /* the code's exits ran on both engines */
    target_close(&t);
}
