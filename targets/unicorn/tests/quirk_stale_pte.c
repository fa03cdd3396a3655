/* Unicorn 2.0.1 quirk: a PTE changed in memory keeps its old permission in Unicorn's TLB. */
#include "targets/unicorn/tests/quirk.h"
#include "test.h"

TEST(unicorn_quirk_stale_pte)
{
    /* mov rax, [QUIRK_DATA]; nop */
    static const uint8_t load[] = { 0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00, 0x90 };
    struct quirk q;

    CU_ASSERT_FATAL(quirk_open(&q, true));
    TEST_EQ(UC_ERR_OK, quirk_run(&q, load, sizeof(load), QUIRK_CODE + 8));
    *q.data_pte &= ~1ULL;   /* not present, and no flush */
    uc_err e = quirk_run(&q, load, sizeof(load), QUIRK_CODE + 8);
    quirk_report("a PTE cleared without a flush stays usable", e == UC_ERR_OK);
    TEST_EQ(UC_ERR_OK, e);
    quirk_close(&q);
}
