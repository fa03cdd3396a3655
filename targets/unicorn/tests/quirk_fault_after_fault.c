/* Unicorn 2.0.1 quirk: after one hooked fault the next is #DF unless the context is restored. */
#include <string.h>

#include "targets/unicorn/tests/quirk.h"
#include "test.h"

static unsigned qf_vec[4], qf_nr;

static void qf_intr(uc_engine *uc, uint32_t intno, void *arg)
{
    uint64_t rip;

    (void)arg;
    if (qf_nr < 4)
        qf_vec[qf_nr++] = intno;
    uc_reg_read(uc, UC_X86_REG_RIP, &rip);
    rip += 2;   /* past div ecx */
    uc_reg_write(uc, UC_X86_REG_RIP, &rip);
}

TEST(unicorn_quirk_fault_after_fault)
{
    /* xor ecx, ecx; div ecx; div ecx; nop */
    static const uint8_t code[] = { 0x31, 0xC9, 0xF7, 0xF1, 0xF7, 0xF1, 0x90 };
    struct quirk q;
    uc_hook h;
    uc_context *clean = NULL;

    CU_ASSERT_FATAL(quirk_open(&q, false));
    uc_hook_add(q.uc, &h, UC_HOOK_INTR, (void *)qf_intr, NULL, 1, 0);
    uc_context_alloc(q.uc, &clean);
    uc_context_save(q.uc, clean);
    qf_nr = 0;
    quirk_run(&q, code, sizeof(code), QUIRK_CODE + sizeof(code) - 1);
    TEST_EQ(2, qf_nr);
    TEST_EQ(0, qf_vec[0]);
    quirk_report("a fault after a hooked fault is #DF", qf_vec[1] == 8);
    TEST_EQ(8, qf_vec[1]);
    /* the remedy the target uses: every entry starts from a context saved without a fault */
    qf_nr = 0;
    uc_context_restore(q.uc, clean);
    quirk_run(&q, code, 4, QUIRK_CODE + 4);
    uc_context_restore(q.uc, clean);
    uint64_t rip = QUIRK_CODE + 4;
    uc_reg_write(q.uc, UC_X86_REG_RIP, &rip);
    uc_emu_start(q.uc, QUIRK_CODE + 4, QUIRK_CODE + 6, 0, 0);
    TEST_EQ(2, qf_nr);
    TEST_EQ(0, qf_vec[1]);
    uc_context_free(clean);
    quirk_close(&q);
}
