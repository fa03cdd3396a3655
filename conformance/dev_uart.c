/* UART (16550 at 0x3f8) conformance: each register, DLAB, FIFO full/empty, overrun, loopback, IIR. */
#include "exit_conf.h"

/*
 * A row is a short script on dom1: port writes and reads through I/O exits (reads compare the
 * value), and the far end of the line sending bytes or taking what was transmitted. Offsets are
 * from 0x3f8. A RXN step sends n bytes 'a', 'b', ... and expects the last to be accepted or not.
 */
enum cu_op { CU_END = 0, CU_OUT, CU_IN, CU_OUTW, CU_RX, CU_RXN, CU_TX };

struct cu_step {
    uint8_t  op;
    uint8_t  reg;
    uint16_t val;       /* OUT value; IN expected value; RX byte; RXN/TX count */
    int      expect;    /* RX/RXN: accepted (1/0); TX: bytes taken */
};

struct cu_row {
    struct cu_step s[24];
};

static void cu_run(struct conf_ctx *c)
{
    const struct cu_row *row = c->data;
    for (unsigned i = 0; i < 24 && row->s[i].op != CU_END; i++) {
        const struct cu_step *s = &row->s[i];
        uint16_t port = (uint16_t)(UART_PORT_BASE + s->reg);
        uint8_t buf[32];
        switch (s->op) {
        case CU_OUT:
            xc_out(c, c->v1, port, 1, s->val);
            break;
        case CU_OUTW:
            xc_out(c, c->v1, port, 2, s->val);
            break;
        case CU_IN: {
            uint32_t got = xc_in(c, c->v1, port, 1);
            if (got != s->val)
                CONF_FAIL(c, "step %u: in 0x%x: expected 0x%x, actual 0x%x", i, port, s->val, got);
            c->checks++;
            break;
        }
        case CU_RX:
            CONF_EXPECT_EQ(c, s->expect, uart_host_rx(c->d1, (uint8_t)s->val));
            break;
        case CU_RXN: {
            bool ok = true;
            for (unsigned k = 0; k < s->val; k++)
                ok = uart_host_rx(c->d1, (uint8_t)('a' + k));
            CONF_EXPECT_EQ(c, s->expect, ok);
            break;
        }
        case CU_TX: {
            unsigned n = uart_host_tx(c->d1, buf, s->val);
            CONF_EXPECT_EQ(c, s->expect, n);
            /* bytes come out in the order they were written: 'A', 'B', ... */
            for (unsigned k = 0; k < n; k++)
                CONF_EXPECT_EQ(c, 'A' + k, buf[k]);
            break;
        }
        default:
            break;
        }
    }
}

#define OUTB(r, v) { CU_OUT, (r), (v), 0 }
#define INB(r, v)  { CU_IN, (r), (v), 0 }
#define RXN(n, ok) { CU_RXN, 0, (n), (ok) }
#define TX(max, n) { CU_TX, 0, (max), (n) }
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define W5() OUTB(THR, 'A'), OUTB(THR, 'B'), OUTB(THR, 'C'), OUTB(THR, 'D'), OUTB(THR, 'E')
#define W5B() OUTB(THR, 'F'), OUTB(THR, 'G'), OUTB(THR, 'H'), OUTB(THR, 'I'), OUTB(THR, 'J')
#define W5C() OUTB(THR, 'K'), OUTB(THR, 'L'), OUTB(THR, 'M'), OUTB(THR, 'N'), OUTB(THR, 'O')
#define CU(...) (&(const struct cu_row){ { __VA_ARGS__ } })
static const struct conf_case cu_cases[] = {
    { "reset_lsr_transmitter_empty", cu_run, CU(INB(LSR, 0x60)) },
    { "reset_lcr_8n1_ier_mcr_zero", cu_run, CU(INB(LCR, 0x03), INB(IER, 0), INB(MCR, 0)) },
    { "reset_iir_no_interrupt", cu_run, CU(INB(IIR, 0x01)) },
    { "scratch_register", cu_run, CU(OUTB(SCR, 0x5A), INB(SCR, 0x5A)) },
    { "dlab_selects_divisor_latch", cu_run, CU(OUTB(LCR, 0x83), OUTB(THR, 0x01),
      OUTB(IER, 0x02), INB(THR, 0x01), INB(IER, 0x02), OUTB(LCR, 0x03), INB(IER, 0),
      INB(LSR, 0x60)) },
    { "ier_upper_bits_read_zero", cu_run, CU(OUTB(IER, 0xF0), INB(IER, 0x00)) },
    { "mcr_upper_bits_read_zero", cu_run, CU(OUTB(MCR, 0xEF), INB(MCR, 0x0F)) },
    { "lsr_and_msr_ignore_writes", cu_run, CU(OUTB(LSR, 0xFF), OUTB(MSR, 0x00),
      INB(LSR, 0x60), INB(MSR, 0xB0)) },
    { "fifo_off_holds_one_byte", cu_run, CU(OUTB(THR, 'A'), OUTB(THR, 'B'), INB(LSR, 0x00),
      TX(8, 1), INB(LSR, 0x60)) },
    { "fifo_on_tx_full_at_16", cu_run, CU(OUTB(FCR, 0x01), W5(), W5B(), W5C(),
      OUTB(THR, 'P'), OUTB(THR, 'Q'), OUTB(THR, 'R'), INB(LSR, 0x00), TX(32, 16)) },
    { "rx_fifo_full_at_16_then_overrun", cu_run, CU(OUTB(FCR, 0x01), RXN(16, 1),
      { CU_RX, 0, 'z', 0 }, INB(LSR, 0x63), INB(LSR, 0x61)) },
    { "fifo_off_rx_overrun_at_second_byte", cu_run, CU(RXN(2, 0), INB(LSR, 0x63),
      INB(THR, 'a'), INB(LSR, 0x60)) },
    { "rbr_in_order_then_empty_reads_zero", cu_run, CU(OUTB(FCR, 0x01), RXN(2, 1),
      INB(THR, 'a'), INB(THR, 'b'), INB(THR, 0), INB(LSR, 0x60)) },
    { "fcr_clears_rx_fifo", cu_run, CU(OUTB(FCR, 0x01), RXN(5, 1), OUTB(FCR, 0x03),
      INB(LSR, 0x60)) },
    { "fcr_disable_empties_tx_fifo", cu_run, CU(OUTB(FCR, 0x01), W5(), OUTB(FCR, 0x00),
      TX(32, 0), INB(LSR, 0x60)) },
    { "loopback_thr_to_rbr", cu_run, CU(OUTB(MCR, 0x10), OUTB(THR, 'x'), INB(LSR, 0x61),
      INB(THR, 'x'), TX(8, 0)) },
    { "loopback_ignores_the_line", cu_run, CU(OUTB(MCR, 0x10), { CU_RX, 0, 'q', 0 },
      INB(LSR, 0x60)) },
    { "loopback_msr_mirrors_mcr", cu_run, CU(OUTB(MCR, 0x1F), INB(MSR, 0xF0),
      OUTB(MCR, 0x12), INB(MSR, 0x10), OUTB(MCR, 0x11), INB(MSR, 0x20)) },
    { "iir_rx_data_at_trigger", cu_run, CU(OUTB(FCR, 0x01), OUTB(IER, 0x01), RXN(1, 1),
      INB(IIR, 0xC4)) },
    { "iir_rx_timeout_below_trigger", cu_run, CU(OUTB(FCR, 0xC1), OUTB(IER, 0x01),
      RXN(2, 1), INB(IIR, 0xCC)) },
    { "iir_thre_raised_on_enable_cleared_by_read", cu_run, CU(OUTB(IER, 0x02),
      INB(IIR, 0x02), INB(IIR, 0x01)) },
    { "iir_thre_again_after_drain", cu_run, CU(OUTB(IER, 0x02), INB(IIR, 0x02),
      OUTB(THR, 'A'), INB(IIR, 0x01), TX(4, 1), INB(IIR, 0x02)) },
    { "iir_line_status_before_rx_data", cu_run, CU(OUTB(IER, 0x07), RXN(2, 0),
      INB(IIR, 0x06), INB(LSR, 0x63), INB(IIR, 0x04)) },
    { "word_out_reaches_thr_and_ier", cu_run, CU({ CU_OUTW, THR, 0x0541, 0 },
      INB(IER, 0x05), TX(4, 1)) },
};
CONF_AREA("dev_uart", cu_cases)
