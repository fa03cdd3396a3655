/* Audit of the VM-exit layer's device state (INV_DEV) and of the frames device DMA touched (INV_DMA). */
#include <string.h>
#include "hvfuzz/exit.h"
#include "audit_priv.h"

/*
 * Reads only the raw device structures, the frame table and the grant books; the device code's
 * own checks are never called, so a device that skipped them is still caught. DMA log entries
 * carry the facts of the moment of access (the frame's owner, whether the domain held a grant of
 * it), because ownership may legally change afterwards.
 */

static void audit_dev_check(struct audit_ctx *c, const struct domain *d, int64_t limit,
                            int64_t actual, const char *what)
{
    if (actual > limit)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, limit, actual, "%s at most", what);
}

static void audit_dev_uart(struct audit_ctx *c, const struct domain *d)
{
    const struct dev_uart *u = &d->uart;
    /* with the FIFOs off the chip holds one byte each way */
    int64_t cap = (u->fcr & 0x01U) ? UART_FIFO_SIZE : 1;
    audit_dev_check(c, d, cap, u->tx_count, "uart tx fifo count");
    audit_dev_check(c, d, cap, u->rx_count, "uart rx fifo count");
    audit_dev_check(c, d, UART_FIFO_SIZE - 1, u->tx_head, "uart tx fifo head");
    audit_dev_check(c, d, UART_FIFO_SIZE - 1, u->rx_head, "uart rx fifo head");
    audit_dev_check(c, d, 0x0F, u->ier, "uart ier");
    audit_dev_check(c, d, 0x1F, u->mcr, "uart mcr");
}

/* Binary ranges of the RTC time registers: index, low, high. */
static const uint8_t audit_rtc_range[][3] = {
    { 0x00, 0, 59 }, { 0x02, 0, 59 }, { 0x04, 0, 23 }, { 0x06, 1, 7 }, { 0x07, 1, 31 },
    { 0x08, 1, 12 }, { 0x09, 0, 99 },
};

static void audit_dev_cmos(struct audit_ctx *c, const struct domain *d)
{
    const struct dev_cmos *m = &d->cmos;
    audit_dev_check(c, d, CMOS_SIZE - 1, m->index, "cmos index");
    for (unsigned i = 0; i < sizeof(audit_rtc_range) / sizeof(audit_rtc_range[0]); i++) {
        uint8_t v = m->ram[audit_rtc_range[i][0]];
        if (v < audit_rtc_range[i][1] || v > audit_rtc_range[i][2])
            audit_add(c, INV_DEV, MFN_INVALID, d->id, audit_rtc_range[i][2], v,
                      "cmos time register 0x%x in [%u, %u]: value", audit_rtc_range[i][0],
                      audit_rtc_range[i][1], audit_rtc_range[i][2]);
    }
    if (m->ram[0x0A] & 0x80U)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, 0, 1, "cmos register A UIP bit");
    if (m->ram[0x0D] != 0x80U)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, 0x80, m->ram[0x0D], "cmos register D flags");
}

static void audit_dev_dma_ring(struct audit_ctx *c, const struct domain *d)
{
    const struct dev_dma *dma = &d->dma;
    audit_dev_check(c, d, DMA_RING_MAX, dma->ring_size, "dma ring size");
    if (dma->ring_size == 0) {
        audit_dev_check(c, d, 0, dma->head, "dma head without a ring");
        audit_dev_check(c, d, 0, dma->tail, "dma tail without a ring");
        return;
    }
    audit_dev_check(c, d, (int64_t)dma->ring_size - 1, dma->head, "dma head");
    audit_dev_check(c, d, (int64_t)dma->ring_size - 1, dma->tail, "dma tail");
}

/* The breach: a logged access to a frame the domain neither owned nor had been granted. */
static void audit_dev_dma_log(struct audit_ctx *c, const struct domain *d)
{
    const struct dev_dma *dma = &d->dma;
    unsigned n = dma->log_total < DMA_LOG_SIZE ? dma->log_total : DMA_LOG_SIZE;
    for (unsigned i = 0; i < n; i++) {
        const struct dma_log_entry *e = &dma->log[i];
        if (!mfn_valid(c->hv, e->mfn)) {
            audit_add(c, INV_DMA, e->mfn, d->id, c->hv->nr_frames, e->mfn,
                      "dma log %u frame below nr_frames: mfn", i);
            continue;
        }
        if (e->owner != d->id && !(e->flags & DMA_LOG_GRANTED))
            audit_add(c, INV_DMA, e->mfn, d->id, d->id, e->owner,
                      "dma %s of a frame neither owned nor granted: owner",
                      (e->flags & DMA_LOG_WRITE) ? "write" : "read");
    }
}

void audit_dev_pass(struct audit_ctx *c)
{
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(c->hv, id);
        if (!d)
            continue;
        audit_dev_uart(c, d);
        audit_dev_cmos(c, d);
        audit_dev_dma_ring(c, d);
        audit_dev_dma_log(c, d);
    }
}

unsigned audit_run_devices(struct hv *hv, struct audit_report *report)
{
    memset(report, 0, sizeof(*report));
    struct audit_ctx ctx = { .hv = hv, .r = report, .sign = 1 };
    audit_dev_pass(&ctx);
    return report->total;
}
