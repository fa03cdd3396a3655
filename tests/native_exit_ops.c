/* The native target runs exit ops through hv_exit: action in rc, rax in value, and DMA rings built from payloads. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/target.h"
#include "test.h"

/*
 * One program, each op with the result it must give: CPUID's hypervisor signature, the DMA
 * device's ID register, a whole DMA ring (base = the payload page's gpa, size, enable, doorbell
 * carrying one descriptor (tail 1 of a 2-entry ring) that copies between two of the domain's data pages) and the completed
 * count read back, an unknown reason (invalid record), HLT and then an exit of the halted vCPU
 * (not run). Expected and actual are printed per op.
 */
static const char nx_text[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "exit d1 v0 cpuid qual=0 gla=0 rax=0x40000000 insn=0fa2\n"
    "exit d1 v0 mmio qual=0xfeb00000 gla=0 insn=8b03\n"
    "exit d1 v0 mmio qual=0xfeb00008 gla=0 rax=gpa(g63,+0) insn=488903\n"
    "exit d1 v0 mmio qual=0xfeb00010 gla=0 rax=2 insn=8903\n"
    "exit d1 v0 mmio qual=0xfeb00024 gla=0 rax=1 insn=8903\n"
    "exit d1 v0 mmio qual=0xfeb00018 gla=0 rax=1 insn=8903 payload=hex:"
    "0000000000000000000000000000000040000000000000000000000000000000"
    " fixup@0:8=gpa(g10,+0) fixup@8:8=gpa(g11,+0)\n"
    "exit d1 v0 mmio qual=0xfeb00028 gla=0 insn=8b03\n"
    "exit d1 v0 mmio qual=0xfeb0001c gla=0 insn=8b03\n"
    "exit d2 v0 reason77 qual=0 gla=0\n"
    "exit d2 v0 hlt qual=0 gla=0 insn=f4\n"
    "exit d2 v0 cpuid qual=0 gla=0 insn=0fa2\n";

static const struct {
    uint8_t status;
    int64_t rc;
    bool check_value;
    uint64_t value;
} nx_expect[] = {
    { OPS_RAN, EXIT_RESUME, true, CPUID_HV_MAX },
    { OPS_RAN, EXIT_RESUME, true, DMA_ID },
    { OPS_RAN, EXIT_RESUME, false, 0 },
    { OPS_RAN, EXIT_RESUME, false, 0 },
    { OPS_RAN, EXIT_RESUME, false, 0 },
    { OPS_RAN, EXIT_RESUME, false, 0 },
    { OPS_RAN, EXIT_RESUME, true, 1 },                /* COMPLETED */
    { OPS_RAN, EXIT_RESUME, true, DMA_STATUS_IDLE },  /* no error, head == tail */
    { OPS_RAN, EXIT_INVALID, false, 0 },
    { OPS_RAN, EXIT_HALTED, false, 0 },
    { OPS_NOT_RUN, 0, false, 0 },
};

TEST(native_exit_ops)
{
    struct prog *p = malloc(sizeof(*p));
    struct op_result res[PROG_MAX_OPS];
    struct finding f;
    struct target t;
    unsigned line = 0;

    CU_ASSERT_FATAL(p != NULL);
    TEST_EQ(PROG_OK, prog_parse_text(p, nx_text, &line));
    TEST_EQ(sizeof(nx_expect) / sizeof(nx_expect[0]), p->nr_ops);
    CU_ASSERT_FATAL(target_open(&t, target_find("native"), &p->shape, NULL) == 0);
    CU_ASSERT(!target_run(&t, p, res, &f));
    for (uint32_t i = 0; i < p->nr_ops && i < sizeof(nx_expect) / sizeof(nx_expect[0]); i++) {
        bool ok = res[i].status == nx_expect[i].status &&
                  (nx_expect[i].status != OPS_RAN || res[i].rc == nx_expect[i].rc) &&
                  (!nx_expect[i].check_value || res[i].value == nx_expect[i].value);
        if (!ok)
            fprintf(stderr, "  op %u: expected status %u rc %lld value 0x%llx, actual status %u "
                    "rc %lld value 0x%llx\n", i, nx_expect[i].status,
                    (long long)nx_expect[i].rc, (unsigned long long)nx_expect[i].value,
                    res[i].status, (long long)res[i].rc, (unsigned long long)res[i].value);
        CU_ASSERT(ok);
    }
    target_close(&t);
    free(p);
}
