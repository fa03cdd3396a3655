/* Audit DMA: a device DMA that touched another domain's frame without a grant is the breach the audit reports. */
#include "audit_util.h"

/*
 * dom1's device log gets the entry a device without its ownership check would record after
 * writing dom2's data page: the frame's owner at the time was dom2 and dom1 held no grant. The
 * same entry marked as granted, and an entry for dom1's own page, are legal.
 */
TEST(audit_dev_dma_breach)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct dev_dma *dma = &hv->dom[1].dma;
    mfn_t own = au_mfn(hv, 1, AU_DATA_GFN), other = au_mfn(hv, 2, AU_DATA_GFN);
    dma->log[0] = (struct dma_log_entry){ .mfn = (uint32_t)own, .owner = 1,
                                          .flags = DMA_LOG_WRITE };
    dma->log[1] = (struct dma_log_entry){ .mfn = (uint32_t)other, .owner = 2,
                                          .flags = DMA_LOG_WRITE | DMA_LOG_GRANTED };
    dma->log_total = 2;
    au_expect_clean(hv, "dma own and granted");
    dma->log[1].flags = DMA_LOG_WRITE;
    au_expect_only(hv, INV_DMA, other, 1, "dma write to dom2's frame");
    hv_destroy(hv);
}
