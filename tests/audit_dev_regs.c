/* Audit DEV: DMA control bits and UART FCR bits that no register write keeps are reported, and undefined frame flags as I6. */
#include "audit_util.h"

/*
 * The DMA device keeps only ENABLE in ctrl (RESET self-clears) and the UART only the FCR bits
 * that persist; a stray bit is a register write that skipped its mask. A frame flag bit the
 * monitor does not define is counted by nobody (I6). Planted one at a time on dom1.
 */
TEST(audit_dev_regs)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct domain *d = &hv->dom[1];
    au_expect_clean(hv, "dev regs before");
    d->dma.ctrl = DMA_CTRL_RESET;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 1, "dma ctrl reset bit kept");
    d->dma.ctrl = 0;
    d->uart.fcr = 0x02U;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 1, "uart fcr clear bit kept");
    d->uart.fcr = 0;
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);
    hv->frames[m].flags |= 0x80U;
    au_expect_only(hv, INV_I6_OWNER, m, 1, "undefined frame flag");
    hv_destroy(hv);
}
