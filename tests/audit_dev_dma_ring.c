/* Audit DEV: DMA ring indexes at or past the ring size (the device would read a descriptor past its ring) are reported. */
#include "audit_util.h"

/* A ring of 8 with head 7 and tail 0 is legal; head 8 is one descriptor past the ring, and a
   tail without any ring is a doorbell the device should have refused. */
TEST(audit_dev_dma_ring)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct dev_dma *dma = &hv->dom[1].dma;
    dma->ring_size = 8;
    dma->head = 7;
    au_expect_clean(hv, "dma ring last slot");
    dma->head = 8;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 1, "dma head past ring");
    dma->head = 0;
    dma->ring_size = 0;
    dma->tail = 3;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 1, "dma tail without ring");
    hv_destroy(hv);
}
