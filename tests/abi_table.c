/*
 * The ABI table (hvfuzz/abi.h) is consistent with itself and with the lists it cannot generate:
 * rows in number order with unique names, hints that agree with the argument count and the
 * sub-command's place, a row for every hypercall the monitor handles, exit names that parse
 * back, register names the decoder agrees with, and the fuzz dictionary's hypercall numbers.
 */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/x86.h"
#include "test.h"

#define ABI_DICT "fuzz/harness/native.dict"

/* A row the codecs rely on: a wrong one silently mis-steers the fuzz decoder and feedback. */
static void abi_check_row(const struct abi_hypercall *hc)
{
    unsigned cmd_hints = 0;

    for (unsigned i = 0; i < ABI_MAX_ARGS; i++) {
        if (i < hc->nargs && hc->hints[i] == ABI_H_NONE)
            fprintf(stderr, "%s: argument %u has no hint\n", hc->name, i);
        CU_ASSERT((i < hc->nargs) == (hc->hints[i] != ABI_H_NONE));
        cmd_hints += hc->hints[i] == ABI_H_CMD;
    }
    /* a sub-command hint is the first argument, exactly where ABI_CMD_ARG0 says it is */
    TEST_EQ(hc->cmd == ABI_CMD_ARG0, cmd_hints);
    if (hc->cmd == ABI_CMD_ARG0)
        TEST_EQ(ABI_H_CMD, hc->hints[0]);
    TEST_EQ(hc->cmd != ABI_CMD_NONE, hc->cmd_mask != 0);
    CU_ASSERT_PTR_EQUAL(abi_hypercall_by_nr(hc->nr), hc);
    CU_ASSERT_PTR_EQUAL(abi_hypercall_by_name(hc->name, strlen(hc->name)), hc);
    CU_ASSERT_STRING_EQUAL(abi_hypercall_name(hc->nr), hc->name);
}

TEST(abi_table_hypercalls)
{
    for (unsigned i = 0; i < ABI_NR_HYPERCALLS; i++) {
        const struct abi_hypercall *hc = &abi_hypercalls[i];
        CU_ASSERT(hc->nr < NR_HYPERCALLS);
        /* number order keeps the fuzz decoder's row choice stable */
        if (i > 0)
            CU_ASSERT(hc->nr > abi_hypercalls[i - 1].nr);
        abi_check_row(hc);
    }
    TEST_EQ(HYPERVISOR_grant_table_op, abi_hypercalls[ABI_ROW_grant_table_op].nr);
    /* every handler can be named by the text form and is steered by hints */
    for (unsigned nr = 0; nr < NR_HYPERCALLS; nr++) {
        if (hypercall_table[nr] && !abi_hypercall_by_nr(nr))
            fprintf(stderr, "hypercall %u has a handler but no ABI row\n", nr);
        CU_ASSERT(!hypercall_table[nr] || abi_hypercall_by_nr(nr));
    }
    CU_ASSERT_PTR_NULL(abi_hypercall_by_nr(NR_HYPERCALLS));
    CU_ASSERT_PTR_NULL(abi_hypercall_by_nr(6));   /* sched_op_compat: not in the model */
    CU_ASSERT_PTR_NULL(abi_hypercall_by_name("mmu_updat", 9));
    CU_ASSERT_STRING_EQUAL(abi_hypercall_name(63), "unknown");
}

TEST(abi_table_exits)
{
    for (unsigned r = 0; r < EXIT_NR; r++) {
        const char *n = abi_exit_reason_name(r);
        TEST_EQ(r, abi_exit_reason_by_name(n, strlen(n)));
    }
    TEST_EQ(-1, abi_exit_reason_by_name("mmi", 3));
    CU_ASSERT_STRING_EQUAL(abi_exit_reason_name(EXIT_NR), "?");
    CU_ASSERT_STRING_EQUAL(abi_exit_reason_name(EXIT_EPT_VIOLATION), "ept_violation");
    for (unsigned a = 0; a < EXIT_NR_ACTIONS; a++)
        CU_ASSERT(strcmp(abi_exit_action_name(a), "?") != 0);
    CU_ASSERT_STRING_EQUAL(abi_exit_action_name(EXIT_INJECT_EXC), "inject_exc");
    CU_ASSERT_STRING_EQUAL(abi_exit_action_name(EXIT_NR_ACTIONS), "?");
    /* the text form's register names are the decoder's 64-bit ones */
    for (unsigned i = 0; i < ABI_REG_RIP; i++)
        CU_ASSERT_STRING_EQUAL(abi_reg_name(i), x86_reg_name((enum x86_reg)i, 8));
    CU_ASSERT_STRING_EQUAL(abi_reg_name(ABI_REG_RFLAGS), "rflags");
    CU_ASSERT_STRING_EQUAL(abi_reg_name(ABI_NR_REGS), "?");
}

/* The dictionary is a hand-kept list: each row has its hc_<name> entry with its number, and the
   dictionary names no hypercall the table lacks. */
TEST(abi_table_dict)
{
    FILE *f = fopen(ABI_DICT, "r");
    char line[256], name[64];
    unsigned seen = 0, b[4];

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "hc_%63[a-z_]=\"\\x%2x\\x%2x\\x%2x\\x%2x\"", name, &b[0], &b[1], &b[2],
                   &b[3]) != 5)
            continue;
        const struct abi_hypercall *hc = abi_hypercall_by_name(name, strlen(name));
        if (!hc) {
            fprintf(stderr, "%s: hc_%s is no hypercall of the ABI table\n", ABI_DICT, name);
            CU_FAIL("dictionary entry without an ABI row");
            continue;
        }
        TEST_EQ(hc->nr, b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24);
        seen++;
    }
    fclose(f);
    TEST_EQ(ABI_NR_HYPERCALLS, seen);
}
