/* Bug zoo, devices: the VENOM-style UART FIFO overflow and the DMA escape, caught by the audit. */
#include <string.h>
#include "exit_conf.h"
#include "zoo_conf.h"

/*
 * The dev_uart and dev_dma areas show the fixed device models; these drive each re-created bug
 * through real exits with its switch on and check that the device audit reports it first
 * (corpora/zoo/uart-fifo.txt and dma-escape.txt are the same triggers as programs).
 */

#define ZD_UART_THR 0x3F8U
#define ZD_UART_FCR 0x3FAU

/* Twenty bytes into the 16-byte transmit FIFO: the 17th lands in the receive FIFO after it. */
static void zoo_uart_fifo(struct conf_ctx *c)
{
    const struct dev_uart *u = &c->d1->uart;

    zoo_conf_switch(c, HV_BUG_UART_FIFO);
    xc_out(c, c->v1, ZD_UART_FCR, 1, 0x01);
    for (unsigned k = 0; k < 20; k++)
        xc_out(c, c->v1, ZD_UART_THR, 1, 'A' + k);
    CONF_EXPECT_EQ(c, 20, u->tx_count);
    CONF_EXPECT_EQ(c, 'A' + UART_FIFO_SIZE, u->rx[0]);
    CONF_EXPECT_EQ(c, 0, u->rx_count);
    zoo_conf_expect_caught(c, HV_BUG_UART_FIFO);
}

/* A zero-fill across the end of dom1's last built page runs into the machine frame after it. */
static void zoo_dma_escape(struct conf_ctx *c)
{
    const gfn_t last = CONF_DOM_PAGES - 1;
    mfn_t next = c->d1->p2m[last] + 1;
    uint64_t ring = conf_scratch(c, c->d1, 0) - DOM_VA(0);   /* the gpa: gfn << PAGE_SHIFT */
    struct dma_desc d = { .dst = (last << PAGE_SHIFT) + PAGE_SIZE - 16, .len = 32,
                          .flags = DMA_DESC_FILL };

    if (!mfn_valid(c->hv, next) || c->hv->frames[next].owner == 1) {
        CONF_ERROR(c, "the frame after dom1's last page is not another domain's");
        return;
    }
    zoo_conf_switch(c, HV_BUG_DMA_ESCAPE);
    if (conf_put(c, c->v1, conf_scratch(c, c->d1, 0), &d, sizeof(d)) < 0)
        return;
    xc_mmio_write(c, c->v1, DMA_MMIO_BASE + DMA_REG_RING_BASE, 8, ring);
    xc_mmio_write(c, c->v1, DMA_MMIO_BASE + DMA_REG_RING_SIZE, 4, 2);
    xc_mmio_write(c, c->v1, DMA_MMIO_BASE + DMA_REG_CTRL, 4, DMA_CTRL_ENABLE);
    xc_mmio_write(c, c->v1, DMA_MMIO_BASE + DMA_REG_TAIL, 4, 1);
    CONF_EXPECT_EQ(c, 1, c->d1->dma.completed);
    CONF_EXPECT_EQ(c, 0, c->d1->dma.error);
    zoo_conf_expect_caught(c, HV_BUG_DMA_ESCAPE);
}

static const struct conf_case zd_cases[] = {
    { "uart_fifo_index_unbounded_caught", zoo_uart_fifo, NULL },
    { "dma_escape_next_frame_caught", zoo_dma_escape, NULL },
};
CONF_AREA("zoo_devices", zd_cases)
