/*
 * Programs without guest code give the same results on unicorn as on native, op by op: the
 * shadow MMU's rule (the CPU's TLB is the monitor's: a PTE changed without a flush stays stale
 * until the flush, on both), faults with their error codes, hypercalls by syscall and exits
 * raised by real instructions.
 */
#include <string.h>

#include "targets/unicorn/tests/uni_test.h"
#include "test.h"

static const struct {
    const char *name;
    const char *text;
} same_cases[] = {
    { "stale until flushed",
      "shape frames=256 domains=3 vcpus=2 pages=64\n"
      "guest_write d1 v0 gva(d1,g5,+0) size=8\n"
      "guest_write d1 v0 gva(d1,g6,+0) size=8\n"
      "guest_read d1 v0 gva(d1,g5,+0) size=8\n"
      /* g5's L1 entry now names g6's frame; no flush */
      "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:00000000000000000000000000000000 fixup@0:8=maddr(d1,g3,+40) fixup@8:8=pte(d1,g6,0x67)\n"
      "guest_read d1 v0 gva(d1,g5,+0) size=8\n"
      "hypercall d1 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) payload=hex:060000000000000000000000000000000000000000000000\n"
      "guest_read d1 v0 gva(d1,g5,+0) size=8\n" },
    { "faults and their codes",
      "shape frames=256 domains=3 vcpus=2 pages=64\n"
      "guest_read d1 v0 gva(d1,g3,+8) size=8\n"      /* its own L1: read-only to the guest */
      "guest_write d1 v0 gva(d1,g3,+8) size=8\n"
      "guest_read d1 v0 0x40100000 size=4\n"          /* not mapped */
      "guest_write d1 v0 0xffff800000001000 size=8\n" /* Xen's range */
      "guest_read d1 v0 0xffff8000001ff000 size=8\n"
      "guest_write d1 v0 gva(d1,g63,+4092) size=8\n"  /* runs off the last page */
      "guest_read d1 v0 gva(d1,g63,+4088) size=8\n" },
    { "exits from instructions",
      "shape frames=256 domains=3 vcpus=2 pages=64\n"
      "exit d1 v0 cpuid rax=1 insn=0fa2\n"
      "exit d1 v0 msr_read rcx=0x1b insn=0f32\n"
      "exit d1 v0 msr_write rcx=0x1b rax=0xfee00800 insn=0f30\n"
      "exit d1 v0 msr_read rcx=0x1b insn=0f32\n"
      "exit d1 v0 msr_read rcx=0x12345 insn=0f32\n"
      "exit d1 v0 io qual=0x103f8 rax=0x41 rdx=0x3f8 insn=ee\n"
      "exit d1 v0 io qual=0x10103fd rdx=0x3fd insn=ec\n"
      "exit d1 v0 hlt insn=f4\n"
      "exit d1 v0 cpuid insn=0fa2\n" },
    { "hypercalls and a preempted one",
      "shape frames=256 domains=3 vcpus=2 pages=64\n"
      "hypercall d1 v0 xen_version(0)\n"
      "hypercall d1 v0 xen_version(99)\n"
      "preempt 0xffffffffffffffff\n"
      "hypercall d1 v0 memory_op(0, payload+0) payload=hex:000000000000000010000000000000000000000000000000f0ff0100000000000000\n"
      "preempt 0\n"
      "switch_vcpu d1 v0\n" },
};

TEST(unicorn_same_as_native)
{
    static struct uni_test_run a, b;

    for (size_t i = 0; i < sizeof(same_cases) / sizeof(same_cases[0]); i++) {
        if (!uni_test_run("native", same_cases[i].text, &a) ||
            !uni_test_run("unicorn", same_cases[i].text, &b))
            return;
        TEST_EQ(a.found, b.found);
        for (uint32_t k = 0; k < a.prog.nr_ops; k++) {
            const struct op_result *x = &a.res[k], *y = &b.res[k];
            bool same = x->status == y->status && x->rc == y->rc && x->value == y->value &&
                        x->fault == y->fault && x->pfec == y->pfec;
            if (!same)
                fprintf(stderr, "%s, op %u: native status %u rc %lld value %#llx fault %u pfec %#x;"
                        " unicorn status %u rc %lld value %#llx fault %u pfec %#x\n",
                        same_cases[i].name, k, x->status, (long long)x->rc,
                        (unsigned long long)x->value, x->fault, x->pfec, y->status,
                        (long long)y->rc, (unsigned long long)y->value, y->fault, y->pfec);
            CU_ASSERT(same);
        }
    }
}

/* The rule itself, stated: the read after the unflushed change is stale, the one after the
   flush is fresh (both targets agree by the test above). */
TEST(unicorn_tlb_rule)
{
    static struct uni_test_run r;

    if (!uni_test_run("unicorn", same_cases[0].text, &r))
        return;
    TEST_EQ(r.res[2].value, r.res[4].value);
    CU_ASSERT(r.res[6].value != r.res[2].value);
    TEST_EQ(0, r.res[6].rc);
}
