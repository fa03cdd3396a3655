/* 16550-style UART at 0x3f8: registers, DLAB, 16-byte TX/RX FIFOs, loopback, interrupt identification. */
#include <stddef.h>
#include "devices.h"

enum {
    UART_RBR_THR_DLL = 0, UART_IER_DLM = 1, UART_IIR_FCR = 2, UART_LCR = 3, UART_MCR = 4,
    UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};
#define LCR_DLAB   0x80U
#define MCR_MASK   0x1FU
#define MCR_LOOP   0x10U
#define IER_MASK   0x0FU
#define IER_RDI    0x01U
#define IER_THRI   0x02U
#define IER_RLSI   0x04U
#define FCR_ENABLE 0x01U
#define FCR_CLR_RX 0x02U
#define FCR_CLR_TX 0x04U
#define FCR_KEEP   0xC9U    /* enable, DMA mode, trigger level: the bits that persist */
#define LSR_DR     0x01U
#define LSR_OE     0x02U
#define LSR_THRE   0x20U
#define LSR_TEMT   0x40U
#define IIR_NONE   0x01U
#define IIR_FIFO   0xC0U

void uart_init(struct dev_uart *u)
{
    *u = (struct dev_uart){ 0 };
    u->lcr = 0x03;          /* 8 data bits, no parity, 1 stop bit */
    u->dll = 0x0C;          /* 9600 baud from the 1.8432 MHz clock */
}

/* FIFO mode holds 16 bytes; 16450 mode (FIFOs off) one, in the holding register. */
static unsigned uart_cap(const struct dev_uart *u)
{
    return (u->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1U;
}

static bool uart_rx_push(struct dev_uart *u, uint8_t b)
{
    if (u->rx_count >= uart_cap(u)) {
        u->lsr_err |= LSR_OE;
        return false;
    }
    u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = b;
    u->rx_count++;
    return true;
}

static uint8_t uart_rx_pop(struct dev_uart *u)
{
    /* an empty receiver reads 0: there is no stale holding-register byte in the model */
    if (u->rx_count == 0)
        return 0;
    uint8_t b = u->rx[u->rx_head % UART_FIFO_SIZE];
    u->rx_head = (uint8_t)((u->rx_head + 1U) % UART_FIFO_SIZE);
    u->rx_count--;
    return b;
}

/*
 * HV_BUG_UART_FIFO only, VENOM-style (CVE-2015-3456 let the floppy FIFO index run past its
 * buffer): the transmit FIFO's write index is head + count, neither bounded by the FIFO's
 * capacity nor wrapped, so past UART_FIFO_SIZE bytes the guest's data lands in the fields that
 * follow tx (the receive FIFO, then the indexes themselves). The store goes through the struct's
 * own bytes and a byte that would fall on thre_pending or beyond is dropped, which keeps the
 * overflow inside the device struct and inside defined behaviour; the count keeps growing, which
 * is what the device audit (INV_DEV) sees.
 */
static void uart_tx_push_unbounded(struct dev_uart *u, uint8_t b)
{
    size_t at = offsetof(struct dev_uart, tx) + (size_t)u->tx_head + u->tx_count;

    if (at < offsetof(struct dev_uart, thre_pending))
        ((uint8_t *)u)[at] = b;
    u->tx_count++;
}

static void uart_thr_write(struct dev_uart *u, uint8_t b, bool unbounded)
{
    u->thre_pending = false;
    if (u->mcr & MCR_LOOP) {
        /* loopback: the transmitter feeds the receiver and is at once empty again */
        uart_rx_push(u, b);
        u->thre_pending = true;
        return;
    }
    /* the fix: a byte written to a full transmitter is lost, as on the chip, and the index
       wraps inside the FIFO */
    if (unbounded) {
        uart_tx_push_unbounded(u, b);
        return;
    }
    if (u->tx_count >= uart_cap(u))
        return;
    u->tx[(u->tx_head + u->tx_count) % UART_FIFO_SIZE] = b;
    u->tx_count++;
}

/* Receive trigger level of FCR bits 7:6 in FIFO mode; one byte otherwise. */
static unsigned uart_trigger(const struct dev_uart *u)
{
    static const uint8_t level[4] = { 1, 4, 8, 14 };
    return (u->fcr & FCR_ENABLE) ? level[u->fcr >> 6] : 1U;
}

/* The highest-priority pending source; reading it as THR-empty acknowledges that source. */
static uint8_t uart_iir(struct dev_uart *u)
{
    uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;
    if ((u->ier & IER_RLSI) && (u->lsr_err & LSR_OE))
        return fifo | 0x06;
    if ((u->ier & IER_RDI) && u->rx_count) {
        /* below the trigger level the model has no clock: the character timeout has passed */
        return fifo | (u->rx_count >= uart_trigger(u) ? 0x04 : 0x0C);
    }
    if ((u->ier & IER_THRI) && u->thre_pending) {
        u->thre_pending = false;
        return fifo | 0x02;
    }
    return fifo | IIR_NONE;
}

static void uart_fcr_write(struct dev_uart *u, uint8_t v)
{
    /* switching the FIFOs on or off empties both */
    if ((v ^ u->fcr) & FCR_ENABLE)
        v |= FCR_CLR_RX | FCR_CLR_TX;
    if (v & FCR_CLR_RX)
        u->rx_head = u->rx_count = 0;
    if (v & FCR_CLR_TX) {
        u->tx_head = u->tx_count = 0;
        u->thre_pending = true;
    }
    u->fcr = v & FCR_KEEP;
}

/* Loopback wires MCR's outputs to MSR's inputs; otherwise a terminal is connected and ready. */
static uint8_t uart_msr(const struct dev_uart *u)
{
    if (!(u->mcr & MCR_LOOP))
        return 0xB0;
    uint8_t m = 0;
    if (u->mcr & 0x02) m |= 0x10;   /* RTS -> CTS */
    if (u->mcr & 0x01) m |= 0x20;   /* DTR -> DSR */
    if (u->mcr & 0x04) m |= 0x40;   /* OUT1 -> RI */
    if (u->mcr & 0x08) m |= 0x80;   /* OUT2 -> DCD */
    return m;
}

static uint8_t uart_read(struct hv *hv, struct domain *d, uint16_t port)
{
    struct dev_uart *u = &d->uart;
    bool dlab = u->lcr & LCR_DLAB;
    switch (port - UART_PORT_BASE) {
    case UART_RBR_THR_DLL: return dlab ? u->dll : uart_rx_pop(u);
    case UART_IER_DLM:     return dlab ? u->dlm : u->ier;
    case UART_IIR_FCR:     return uart_iir(u);
    case UART_LCR:         return u->lcr;
    case UART_MCR:         return u->mcr;
    case UART_LSR: {
        uint8_t lsr = u->lsr_err;
        if (u->rx_count)
            lsr |= LSR_DR;
        if (u->tx_count == 0)
            lsr |= LSR_THRE | LSR_TEMT;
        u->lsr_err = 0;
        return lsr;
    }
    case UART_MSR:         return uart_msr(u);
    case UART_SCR:         return u->scr;
    default:               return 0xFF;
    }
}

static void uart_write(struct hv *hv, struct domain *d, uint16_t port, uint8_t v)
{
    struct dev_uart *u = &d->uart;
    bool dlab = u->lcr & LCR_DLAB;
    switch (port - UART_PORT_BASE) {
    case UART_RBR_THR_DLL:
        if (dlab)
            u->dll = v;
        else
            uart_thr_write(u, v, hv_bug_on(hv, HV_BUG_UART_FIFO));
        break;
    case UART_IER_DLM:
        if (dlab) {
            u->dlm = v;
            break;
        }
        /* enabling the THR-empty interrupt with the transmitter empty raises it at once */
        if ((v & IER_THRI) && !(u->ier & IER_THRI) && u->tx_count == 0)
            u->thre_pending = true;
        u->ier = v & IER_MASK;
        break;
    case UART_IIR_FCR: uart_fcr_write(u, v); break;
    case UART_LCR:     u->lcr = v; break;
    case UART_MCR:     u->mcr = v & MCR_MASK; break;
    case UART_SCR:     u->scr = v; break;
    default:           break;   /* LSR and MSR are read-only */
    }
}

const struct port_dev uart_port_dev = {
    .name = "uart",
    .first = UART_PORT_BASE,
    .last = UART_PORT_BASE + 7,
    .read = uart_read,
    .write = uart_write,
};

bool uart_host_rx(struct domain *d, uint8_t byte)
{
    /* in loopback the receiver listens to the transmitter, not to the line */
    if (!d || (d->uart.mcr & MCR_LOOP))
        return false;
    return uart_rx_push(&d->uart, byte);
}

unsigned uart_host_tx(struct domain *d, uint8_t *buf, unsigned max)
{
    if (!d)
        return 0;
    struct dev_uart *u = &d->uart;
    unsigned n = 0;
    while (n < max && u->tx_count) {
        if (buf)
            buf[n] = u->tx[u->tx_head % UART_FIFO_SIZE];
        u->tx_head = (uint8_t)((u->tx_head + 1U) % UART_FIFO_SIZE);
        u->tx_count--;
        n++;
    }
    if (n && u->tx_count == 0)
        u->thre_pending = true;
    return n;
}
