/*
 * Unicorn 2.0.1 and `until`: the target stops every run at one fixed sentinel (uni.h) because
 * shared/reference/targets.md reports the address baked into translated blocks. On this
 * library a block already translated past a new, earlier until is dropped at uc_emu_start and
 * the new address is honoured; this test pins that down, so a change either way is noticed.
 */
#include "targets/unicorn/tests/quirk.h"
#include "test.h"

TEST(unicorn_quirk_sentinel)
{
    static const uint8_t nops[] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
    struct quirk q;
    uint64_t rip = 0;

    CU_ASSERT_FATAL(quirk_open(&q, true));
    quirk_run(&q, nops, sizeof(nops), QUIRK_CODE + 8);
    uc_reg_read(q.uc, UC_X86_REG_RIP, &rip);
    TEST_EQ(QUIRK_CODE + 8, rip);
    quirk_run(&q, nops, sizeof(nops), QUIRK_CODE + 4);
    uc_reg_read(q.uc, UC_X86_REG_RIP, &rip);
    quirk_report("an earlier until inside a translated block is honoured", rip == QUIRK_CODE + 4);
    TEST_EQ(QUIRK_CODE + 4, rip);
    quirk_run(&q, nops, sizeof(nops), QUIRK_CODE + 8);
    uc_reg_read(q.uc, UC_X86_REG_RIP, &rip);
    TEST_EQ(QUIRK_CODE + 8, rip);
    quirk_close(&q);
}
