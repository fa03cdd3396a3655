/* CMOS/RTC at 0x70/0x71: index register (NMI mask bit), 128 bytes of NVRAM, RTC time and status A-D. */
#include <string.h>
#include "devices.h"

#define REG_A_UIP   0x80U   /* update in progress: never, the model's clock does not tick */
#define REG_B_SET   0x80U
#define REG_B_UIE   0x10U
#define REG_B_DM    0x04U   /* 1: binary, 0: BCD */
#define REG_B_24H   0x02U
#define REG_D_VRT   0x80U   /* RAM and time valid */
#define HOUR_PM     0x80U

void cmos_init(struct dev_cmos *c)
{
    uint8_t *ram = c->ram;   /* its own allocation (dom_tables_alloc): kept, cleared */
    *c = (struct dev_cmos){ .ram = ram };
    memset(ram, 0, CMOS_SIZE);
    /* Thursday 2026-01-01 00:00:00, in the binary form the model keeps */
    c->ram[CMOS_DOW] = 5;
    c->ram[CMOS_DAY] = 1;
    c->ram[CMOS_MON] = 1;
    c->ram[CMOS_YEAR] = 26;
    c->ram[0x32] = 0x20;                    /* century, BCD */
    c->ram[CMOS_REG_A] = 0x26;              /* 32.768 kHz divider, 1024 Hz rate */
    c->ram[CMOS_REG_B] = REG_B_24H;         /* BCD, 24-hour */
    c->ram[CMOS_REG_D] = REG_D_VRT;
}

static bool cmos_is_time(uint8_t idx)
{
    return idx == CMOS_SEC || idx == CMOS_MIN || idx == CMOS_HOUR || idx == CMOS_DOW ||
           idx == CMOS_DAY || idx == CMOS_MON || idx == CMOS_YEAR;
}

/* Binary range of each time register. */
static void cmos_range(uint8_t idx, unsigned *lo, unsigned *hi)
{
    *lo = 0;
    switch (idx) {
    case CMOS_SEC: case CMOS_MIN: *hi = 59; break;
    case CMOS_HOUR: *hi = 23; break;
    case CMOS_DOW: *lo = 1; *hi = 7; break;
    case CMOS_DAY: *lo = 1; *hi = 31; break;
    case CMOS_MON: *lo = 1; *hi = 12; break;
    default: *hi = 99; break;
    }
}

static uint8_t cmos_enc(const struct dev_cmos *c, unsigned v)
{
    if (c->ram[CMOS_REG_B] & REG_B_DM)
        return (uint8_t)v;
    return (uint8_t)(((v / 10U) << 4) | (v % 10U));
}

/* Decode per the current mode; false for a BCD digit above 9. */
static bool cmos_dec(const struct dev_cmos *c, uint8_t v, unsigned *out)
{
    if (c->ram[CMOS_REG_B] & REG_B_DM) {
        *out = v;
        return true;
    }
    if ((v & 0x0FU) > 9 || (v >> 4) > 9)
        return false;
    *out = (v >> 4) * 10U + (v & 0x0FU);
    return true;
}

/* The model keeps the time in binary and 24-hour form and presents it per register B. */
static uint8_t cmos_time_read(const struct dev_cmos *c, uint8_t idx)
{
    unsigned v = c->ram[idx];
    if (idx == CMOS_HOUR && !(c->ram[CMOS_REG_B] & REG_B_24H)) {
        unsigned h = v % 12U;
        return (uint8_t)(cmos_enc(c, h ? h : 12U) | (v >= 12 ? HOUR_PM : 0));
    }
    return cmos_enc(c, v);
}

/* A value that does not decode or is out of the register's range is ignored: the time stays a
   valid date, which the audit checks. */
static void cmos_time_write(struct dev_cmos *c, uint8_t idx, uint8_t val)
{
    unsigned v, lo, hi;
    if (idx == CMOS_HOUR && !(c->ram[CMOS_REG_B] & REG_B_24H)) {
        if (!cmos_dec(c, val & (uint8_t)~HOUR_PM, &v) || v < 1 || v > 12)
            return;
        v = (v % 12U) + ((val & HOUR_PM) ? 12U : 0U);
    } else if (!cmos_dec(c, val, &v)) {
        return;
    }
    cmos_range(idx, &lo, &hi);
    if (v < lo || v > hi)
        return;
    c->ram[idx] = (uint8_t)v;
}

static uint8_t cmos_data_read(struct dev_cmos *c)
{
    uint8_t idx = c->index & (CMOS_SIZE - 1U);
    if (cmos_is_time(idx))
        return cmos_time_read(c, idx);
    if (idx == CMOS_REG_C) {
        /* interrupt flags clear on read; the model raises none, so this reads 0 */
        uint8_t v = c->ram[idx];
        c->ram[idx] = 0;
        return v;
    }
    return c->ram[idx];
}

static void cmos_data_write(struct dev_cmos *c, uint8_t val)
{
    uint8_t idx = c->index & (CMOS_SIZE - 1U);
    if (cmos_is_time(idx)) {
        cmos_time_write(c, idx, val);
        return;
    }
    switch (idx) {
    case CMOS_REG_A:
        c->ram[idx] = val & (uint8_t)~REG_A_UIP;
        break;
    case CMOS_REG_B:
        /* SET stops updates and with them the update-ended interrupt */
        if (val & REG_B_SET)
            val &= (uint8_t)~REG_B_UIE;
        c->ram[idx] = val;
        break;
    case CMOS_REG_C:
    case CMOS_REG_D:
        break;      /* read-only */
    default:
        c->ram[idx] = val;
        break;
    }
}

static uint8_t cmos_read(struct hv *hv, struct domain *d, uint16_t port)
{
    /* the index register is write-only: reading it floats */
    if (port == CMOS_PORT_INDEX)
        return 0xFF;
    return cmos_data_read(&d->cmos);
}

static void cmos_write(struct hv *hv, struct domain *d, uint16_t port, uint8_t val)
{
    struct dev_cmos *c = &d->cmos;
    if (port == CMOS_PORT_INDEX) {
        c->index = val & 0x7FU;
        c->nmi_masked = (val & 0x80U) != 0;
        return;
    }
    cmos_data_write(c, val);
}

const struct port_dev cmos_port_dev = {
    .name = "cmos",
    .first = CMOS_PORT_INDEX,
    .last = CMOS_PORT_DATA,
    .read = cmos_read,
    .write = cmos_write,
};
