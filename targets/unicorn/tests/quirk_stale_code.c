/* Unicorn 2.0.1 quirk: code written behind its back keeps running until its blocks are dropped. */
#include "targets/unicorn/tests/quirk.h"
#include "test.h"

/* mov eax, N; jmp QUIRK_DATA (the run ends there, on another page: Unicorn drops the blocks
   at the until address itself on every start) */
#define QS_CODE(n) { 0xB8, n, 0, 0, 0, 0xE9, 0xF6, 0xFF, 0x3E, 0x00 }

TEST(unicorn_quirk_stale_code)
{
    static const uint8_t one[] = QS_CODE(1), two[] = QS_CODE(2);
    struct quirk q;
    uint64_t rax = 0;

    CU_ASSERT_FATAL(quirk_open(&q, true));
    quirk_run(&q, one, sizeof(one), QUIRK_DATA);
    uc_reg_read(q.uc, UC_X86_REG_RAX, &rax);
    TEST_EQ(1, rax);
    quirk_run(&q, two, sizeof(two), QUIRK_DATA);
    uc_reg_read(q.uc, UC_X86_REG_RAX, &rax);
    quirk_report("code written behind Unicorn's back runs stale", rax == 1);
    TEST_EQ(1, rax);
    /* the remedy: drop the page's blocks */
    uc_ctl_remove_cache(q.uc, QUIRK_CODE, QUIRK_CODE + 4096);
    quirk_run(&q, two, sizeof(two), QUIRK_DATA);
    uc_reg_read(q.uc, UC_X86_REG_RAX, &rax);
    TEST_EQ(2, rax);
    quirk_close(&q);
}
