/* CMOS/RTC (0x70/0x71) conformance: index and NMI bit, NVRAM, time registers in BCD/binary/12h, status A-D. */
#include "exit_conf.h"

/*
 * A row is a script of index writes, data writes and data reads (compared) on dom1 through I/O
 * exits. The clock is the model's fixed reset time, Thursday 2026-01-01 00:00:00; it does not
 * tick, so reads are exact.
 */
enum cr_op { CR_END = 0, CR_IDX, CR_WR, CR_RD, CR_RD_INDEX, CR_NMI };

struct cr_step {
    uint8_t op;
    uint8_t val;    /* IDX/WR value; RD/RD_INDEX expected value; NMI expected flag */
};

struct cr_row {
    struct cr_step s[16];
};

static void cr_run(struct conf_ctx *c)
{
    const struct cr_row *row = c->data;
    for (unsigned i = 0; i < 16 && row->s[i].op != CR_END; i++) {
        const struct cr_step *s = &row->s[i];
        uint32_t got;
        switch (s->op) {
        case CR_IDX:
            xc_out(c, c->v1, CMOS_PORT_INDEX, 1, s->val);
            break;
        case CR_WR:
            xc_out(c, c->v1, CMOS_PORT_DATA, 1, s->val);
            break;
        case CR_RD:
        case CR_RD_INDEX:
            got = xc_in(c, c->v1, s->op == CR_RD ? CMOS_PORT_DATA : CMOS_PORT_INDEX, 1);
            if (got != s->val)
                CONF_FAIL(c, "step %u: read 0x%x of index 0x%x: expected 0x%x, actual 0x%x", i,
                          s->op == CR_RD ? CMOS_PORT_DATA : CMOS_PORT_INDEX,
                          c->d1->cmos.index, s->val, got);
            c->checks++;
            break;
        case CR_NMI:
            CONF_EXPECT_EQ(c, s->val, c->d1->cmos.nmi_masked);
            break;
        default:
            break;
        }
    }
}

#define IDX(v) { CR_IDX, (v) }
#define WR(v)  { CR_WR, (v) }
#define RD(v)  { CR_RD, (v) }
#define AT(i, v) IDX(i), RD(v)
#define SET(i, v) IDX(i), WR(v)
#define SEC 0x00
#define MIN 0x02
#define HOUR 0x04
#define DOW 0x06
#define DAY 0x07
#define MON 0x08
#define YEAR 0x09
#define REG_A 0x0A
#define REG_B 0x0B
#define REG_C 0x0C
#define REG_D 0x0D
#define CR(...) (&(const struct cr_row){ { __VA_ARGS__ } })
static const struct conf_case cr_cases[] = {
    { "index_register_reads_float", cr_run, CR(IDX(0x0E), { CR_RD_INDEX, 0xFF }) },
    { "reset_time_bcd_24h", cr_run, CR(AT(SEC, 0), AT(MIN, 0), AT(HOUR, 0), AT(DOW, 5),
      AT(DAY, 1), AT(MON, 1), AT(YEAR, 0x26)) },
    { "reset_status_registers", cr_run, CR(AT(REG_A, 0x26), AT(REG_B, 0x02), AT(REG_C, 0),
      AT(REG_D, 0x80)) },
    { "century_is_nvram", cr_run, CR(AT(0x32, 0x20)) },
    { "binary_mode_presents_binary", cr_run, CR(SET(REG_B, 0x06), AT(YEAR, 26),
      AT(DOW, 5)) },
    { "bcd_write_read_both_modes", cr_run, CR(SET(SEC, 0x59), AT(SEC, 0x59),
      SET(REG_B, 0x06), AT(SEC, 59)) },
    { "binary_write_then_bcd_read", cr_run, CR(SET(REG_B, 0x06), SET(HOUR, 23),
      AT(HOUR, 23), SET(REG_B, 0x02), AT(HOUR, 0x23)) },
    { "invalid_bcd_digit_ignored", cr_run, CR(SET(SEC, 0x5A), AT(SEC, 0x00)) },
    { "month_out_of_range_ignored", cr_run, CR(SET(MON, 0x13), AT(MON, 0x01)) },
    { "day_zero_ignored", cr_run, CR(SET(DAY, 0x00), AT(DAY, 0x01)) },
    { "binary_minute_60_ignored", cr_run, CR(SET(REG_B, 0x06), SET(MIN, 60), AT(MIN, 0)) },
    { "hour_12h_mode_pm_flag", cr_run, CR(SET(HOUR, 0x15), SET(REG_B, 0x00),
      AT(HOUR, 0x83)) },
    { "hour_12h_write_12am_is_midnight", cr_run, CR(SET(HOUR, 0x05), SET(REG_B, 0x00),
      SET(HOUR, 0x12), SET(REG_B, 0x02), AT(HOUR, 0x00)) },
    { "hour_12h_write_12pm_is_noon", cr_run, CR(SET(REG_B, 0x00), SET(HOUR, 0x92),
      SET(REG_B, 0x02), AT(HOUR, 0x12)) },
    { "hour_12h_zero_ignored", cr_run, CR(SET(HOUR, 0x07), SET(REG_B, 0x00), SET(HOUR, 0x00),
      AT(HOUR, 0x07)) },
    { "index_nmi_bit_masked_off", cr_run, CR(IDX(0x8E), { CR_NMI, 1 }, WR(0x77), IDX(0x0E),
      { CR_NMI, 0 }, RD(0x77)) },
    { "index_ff_selects_last_byte", cr_run, CR(IDX(0xFF), WR(0x3C), IDX(0x7F), RD(0x3C)) },
    { "nvram_byte_read_write", cr_run, CR(SET(0x50, 0xA5), AT(0x50, 0xA5), AT(0x51, 0x00)) },
    { "reg_a_uip_read_only", cr_run, CR(SET(REG_A, 0xA6), AT(REG_A, 0x26)) },
    { "reg_b_set_clears_uie", cr_run, CR(SET(REG_B, 0x92), AT(REG_B, 0x82)) },
    { "reg_c_read_only_reads_zero", cr_run, CR(SET(REG_C, 0xF0), AT(REG_C, 0x00)) },
    { "reg_d_read_only", cr_run, CR(SET(REG_D, 0x00), AT(REG_D, 0x80)) },
};
CONF_AREA("dev_cmos", cr_cases)
