/* Audit DEV: a UART FIFO holding more bytes than it can (a lost bound check on the receive path) is reported. */
#include "audit_util.h"

/*
 * With FIFOs on the receiver holds 16 bytes; a count of 17 is the shape of an overflow that writes
 * past the ring. With FIFOs off the chip holds one byte, so a count of 2 is already too many.
 */
TEST(audit_dev_uart)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct dev_uart *u = &hv->dom[1].uart;
    u->fcr = 0x01;
    u->rx_count = UART_FIFO_SIZE;
    au_expect_clean(hv, "uart full fifo");
    u->rx_count = UART_FIFO_SIZE + 1;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 1, "uart rx overflow");
    u->rx_count = 0;
    u->fcr = 0;
    u->tx_count = 2;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 1, "uart tx over one byte without fifos");
    hv_destroy(hv);
}
