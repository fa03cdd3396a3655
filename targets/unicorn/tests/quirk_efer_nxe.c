/* Unicorn 2.0.1 quirk: EFER.NXE cannot be set (no CPU model offers NX), so NX is not enforced. */
#include "targets/unicorn/tests/quirk.h"
#include "test.h"

TEST(unicorn_quirk_efer_nxe)
{
    struct quirk q;
    uc_x86_msr efer = { .rid = 0xC0000080U, .value = 0xD00 };   /* LME, LMA, NXE */

    CU_ASSERT_FATAL(quirk_open(&q, true));
    uc_reg_write(q.uc, UC_X86_REG_MSR, &efer);
    efer.value = 0;
    uc_reg_read(q.uc, UC_X86_REG_MSR, &efer);
    quirk_report("EFER.NXE does not stick", !(efer.value & 0x800));
    CU_ASSERT(!(efer.value & 0x800));
    quirk_close(&q);
}
