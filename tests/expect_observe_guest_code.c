/* target_observe states what guest code did: rc (rax at the end), fault, pfec only with a fault, exits; never value. */
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/target.h"
#include "test.h"

/*
 * What `replay -v` writes after a guest_code op, for results an emulated or hardware target
 * gives: the code returned 0x11 with no exit, it died of a page fault after two exits, more
 * exits than an expectation holds (the first eight), a value the target left set (not stated),
 * and the native target's unsupported op. Each row prints expected and actual.
 */
static const struct {
    const char *what;
    struct op_result res;
    const char *want;
} ogc_rows[] = {
    { "returned 0x11", { .status = OPS_RAN, .fault = PROG_FAULT_NONE, .rc = 0x11 },
      " => rc=17, fault=none, exits=none" },
    { "page fault after two exits",
      { .status = OPS_RAN, .fault = 14, .pfec = 0x6, .nr_exits = 2,
        .exits = { EXIT_IO, EXIT_CPUID }, .rc = -14 },
      " => rc=-EFAULT, fault=pf, pfec=0x6, exits=io+cpuid" },
    { "nine exits: the first eight",
      { .status = OPS_RAN, .fault = PROG_FAULT_NONE, .nr_exits = 9,
        .exits = { EXIT_HLT, EXIT_HLT, EXIT_HLT, EXIT_HLT, EXIT_HLT, EXIT_HLT, EXIT_HLT,
                   EXIT_MMIO } },
      " => rc=0, fault=none, exits=hlt+hlt+hlt+hlt+hlt+hlt+hlt+mmio" },
    { "a value is not stated",
      { .status = OPS_RAN, .fault = PROG_FAULT_NONE, .rc = 5, .value = 5 },
      " => rc=5, fault=none, exits=none" },
    { "unsupported (native)", { .status = OPS_UNSUPPORTED }, " => status=unsupported, rc=0" },
};

TEST(expect_observe_guest_code)
{
    struct prog_op op;
    char got[512];

    memset(&op, 0, sizeof(op));
    op.kind = OP_GUEST_CODE;
    op.payload_len = 1;
    op.payload[0] = 0xc3;
    for (size_t i = 0; i < sizeof(ogc_rows) / sizeof(ogc_rows[0]); i++) {
        target_observe(&op, &ogc_rows[i].res, NULL, &op.expect);
        prog_expect_format(&op, got, sizeof(got));
        fprintf(stderr, "  %-30s expected%s\n  %-30s actual  %s\n", ogc_rows[i].what,
                ogc_rows[i].want, "", got);
        CU_ASSERT(!strcmp(got, ogc_rows[i].want));
    }
}
