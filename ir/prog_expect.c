/* Expectations of an operation: validity, equality, the text form after `=>` and the binary record. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/io.h"
#include "hvfuzz/xen.h"
#include "ir/prog_internal.h"

/* ---- names ------------------------------------------------------------------------------------ */

/* Xen's errno values (xen.h), so `rc=-EINVAL` reads as the guest's headers spell it. */
static const struct { const char *name; int64_t value; } prog_errnos[] = {
    { "EPERM", XEN_EPERM },   { "ENOENT", XEN_ENOENT }, { "ESRCH", XEN_ESRCH },
    { "EINTR", XEN_EINTR },   { "ENXIO", XEN_ENXIO },   { "E2BIG", XEN_E2BIG },
    { "EAGAIN", XEN_EAGAIN }, { "ENOMEM", XEN_ENOMEM }, { "EACCES", XEN_EACCES },
    { "EFAULT", XEN_EFAULT }, { "EBUSY", XEN_EBUSY },   { "EEXIST", XEN_EEXIST },
    { "EINVAL", XEN_EINVAL }, { "ENOSPC", XEN_ENOSPC }, { "ERANGE", XEN_ERANGE },
    { "ENOSYS", XEN_ENOSYS }, { "ENOBUFS", XEN_ENOBUFS }, { "EOPNOTSUPP", XEN_EOPNOTSUPP },
    { "EILSEQ", XEN_EILSEQ }, { "ERESTART", XEN_ERESTART },
};
#define PROG_NR_ERRNOS (sizeof(prog_errnos) / sizeof(prog_errnos[0]))

const char *prog_errno_name(int64_t rc)
{
    for (size_t i = 0; i < PROG_NR_ERRNOS; i++)
        if (rc == -prog_errnos[i].value)
            return prog_errnos[i].name;
    return NULL;
}

/* enum op_status (hvfuzz/target.h), in its order. */
static const char *const prog_status_names[] = { "ran", "restart", "not_run", "unsupported" };
#define PROG_NR_STATUS (sizeof(prog_status_names) / sizeof(prog_status_names[0]))

/* x86 exception vectors by their mnemonic (the SDM's #DE .. #CP, lower case). */
static const char *const prog_vector_names[32] = {
    [0] = "de", [1] = "db", [2] = "nmi", [3] = "bp", [4] = "of", [5] = "br", [6] = "ud",
    [7] = "nm", [8] = "df", [10] = "ts", [11] = "np", [12] = "ss", [13] = "gp", [14] = "pf",
    [16] = "mf", [17] = "ac", [18] = "mc", [19] = "xm", [20] = "ve", [21] = "cp",
};

/* ---- validity and equality -------------------------------------------------------------------- */

/* One encoding per expectation: what have does not state must be zero. */
enum prog_err prog_expect_check(const struct prog_expect *e)
{
    if (e->have & ~PE_ALL)
        return PROG_E_CORRUPT;
    if (e->nr_out > PROG_MAX_EXPECT_OUT || e->nr_exits > PROG_MAX_EXPECT_EXITS)
        return PROG_E_TOO_BIG;
    if ((!(e->have & PE_STATUS) && e->status) || (!(e->have & PE_RC) && e->rc) ||
        (!(e->have & PE_VALUE) && e->value) || (!(e->have & PE_PFEC) && e->pfec) ||
        (!(e->have & PE_FAULT) && e->fault) || (!(e->have & PE_OUT) && e->nr_out) ||
        (!(e->have & PE_EXITS) && e->nr_exits))
        return PROG_E_CORRUPT;
    if ((e->have & PE_STATUS) && e->status >= PROG_NR_STATUS)
        return PROG_E_CORRUPT;
    if ((e->have & PE_OUT) && e->nr_out == 0)
        return PROG_E_CORRUPT;
    for (unsigned i = 0; i < e->nr_out; i++) {
        const struct prog_expect_out *o = &e->out[i];
        if (!prog_width_ok(o->width) || (unsigned)o->off + o->width > PROG_MAX_PAYLOAD)
            return PROG_E_CORRUPT;
        if (o->width < 8 && (o->value >> (8U * o->width)))
            return PROG_E_CORRUPT;
    }
    for (unsigned i = e->nr_exits; i < PROG_MAX_EXPECT_EXITS; i++)
        if (e->exits[i])
            return PROG_E_CORRUPT;
    for (unsigned i = e->nr_out; i < PROG_MAX_EXPECT_OUT; i++)
        if (e->out[i].off || e->out[i].width || e->out[i].value)
            return PROG_E_CORRUPT;
    return PROG_OK;
}

bool prog_expect_equal(const struct prog_expect *a, const struct prog_expect *b)
{
    if (a->have != b->have || a->status != b->status || a->fault != b->fault ||
        a->pfec != b->pfec || a->rc != b->rc || a->value != b->value ||
        a->nr_out != b->nr_out || a->nr_exits != b->nr_exits)
        return false;
    for (unsigned i = 0; i < a->nr_out && i < PROG_MAX_EXPECT_OUT; i++)
        if (a->out[i].off != b->out[i].off || a->out[i].width != b->out[i].width ||
            a->out[i].value != b->out[i].value)
            return false;
    return memcmp(a->exits, b->exits, sizeof(a->exits)) == 0;
}

/* ---- text ------------------------------------------------------------------------------------- */

static void prog_eprint_rc(struct io_buf *o, int64_t rc)
{
    const char *name = rc < 0 ? prog_errno_name(rc) : NULL;

    if (name)
        io_printf(o, "-%s", name);
    else if (rc > 0xFFFF)
        io_printf(o, "0x%llx", (unsigned long long)rc);
    else
        io_printf(o, "%lld", (long long)rc);
}

static void prog_eprint_vector(struct io_buf *o, uint8_t v)
{
    if (v == PROG_FAULT_NONE)
        io_printf(o, "none");
    else if (v < 32 && prog_vector_names[v])
        io_printf(o, "%s", prog_vector_names[v]);
    else
        io_printf(o, "%u", v);
}

/* An out field's value as the signed number a status field is (GNTST_* are negative). */
static void prog_eprint_out(struct io_buf *o, const struct prog_expect_out *f)
{
    unsigned bits = 8U * f->width;
    uint64_t v = f->value;

    io_printf(o, "out@%u:%u=", f->off, f->width);
    if (bits < 64 && (v >> (bits - 1)) & 1U)
        io_printf(o, "%lld", (long long)(v | ~((1ULL << bits) - 1U)));
    else if (v < 0x10000U)
        io_printf(o, "%llu", (unsigned long long)v);
    else
        io_printf(o, "0x%llx", (unsigned long long)v);
}

size_t prog_expect_format(const struct prog_op *op, char *buf, size_t cap)
{
    const struct prog_expect *e = &op->expect;
    struct io_buf o = { .buf = buf, .cap = cap, .len = 0 };
    const char *sep = " => ";

    if (cap)
        buf[0] = '\0';
    if (!e->have)
        return 0;
    if (e->have & PE_STATUS) {
        io_printf(&o, "%sstatus=%s", sep, prog_status_names[e->status % PROG_NR_STATUS]);
        sep = ", ";
    }
    if (e->have & PE_RC) {
        /* an exit's result is the monitor's action: its name says more than its number */
        const char *act = op->kind == OP_EXIT && e->rc >= 0 && e->rc < EXIT_NR_ACTIONS ?
                          abi_exit_action_name((unsigned)e->rc) : NULL;
        if (act)
            io_printf(&o, "%saction=%s", sep, act);
        else {
            io_printf(&o, "%src=", sep);
            prog_eprint_rc(&o, e->rc);
        }
        sep = ", ";
    }
    if (e->have & PE_VALUE) {
        io_printf(&o, "%svalue=0x%llx", sep, (unsigned long long)e->value);
        sep = ", ";
    }
    if (e->have & PE_FAULT) {
        io_printf(&o, "%sfault=", sep);
        prog_eprint_vector(&o, e->fault);
        sep = ", ";
    }
    if (e->have & PE_PFEC) {
        io_printf(&o, "%spfec=0x%x", sep, e->pfec);
        sep = ", ";
    }
    for (unsigned i = 0; (e->have & PE_OUT) && i < e->nr_out && i < PROG_MAX_EXPECT_OUT; i++) {
        io_printf(&o, "%s", sep);
        prog_eprint_out(&o, &e->out[i]);
        sep = ", ";
    }
    if (e->have & PE_EXITS) {
        io_printf(&o, "%sexits=", sep);
        if (!e->nr_exits)
            io_printf(&o, "none");
        for (unsigned i = 0; i < e->nr_exits && i < PROG_MAX_EXPECT_EXITS; i++) {
            if (e->exits[i] < EXIT_NR)
                io_printf(&o, i ? "+%s" : "%s", abi_exit_reason_name(e->exits[i]));
            else
                io_printf(&o, i ? "+reason%u" : "reason%u", e->exits[i]);
        }
    }
    return o.len;
}

/* A cursor over the text after `=>`; the error names the offending token. */
struct prog_ecur {
    const char *s, *end;
    struct prog_expect_err *err;
};

static void prog_ews(struct prog_ecur *c)
{
    while (c->s < c->end && (*c->s == ' ' || *c->s == '\t'))
        c->s++;
}

static enum prog_err prog_efail(struct prog_ecur *c, const char *tok, size_t n, const char *why)
{
    if (c->err && !c->err->reason[0]) {
        c->err->at = tok;
        snprintf(c->err->token, sizeof(c->err->token), "%.*s", (int)(n < 31 ? n : 31), tok);
        snprintf(c->err->reason, sizeof(c->err->reason), "%s", why);
    }
    return PROG_E_SYNTAX;
}

/* The token up to the next ',' (or the end), blanks trimmed. */
static void prog_etoken(struct prog_ecur *c, const char **t, size_t *n)
{
    prog_ews(c);
    const char *s = c->s;
    while (c->s < c->end && *c->s != ',')
        c->s++;
    const char *e = c->s;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *t = s;
    *n = (size_t)(e - s);
}

static bool prog_eword(const char *t, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(t, w, n) == 0;
}

/* A number: decimal (a leading '-' allowed) or 0x hex; the whole token must be used. */
static bool prog_enum(const char *t, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0;
    size_t i = 0;

    if (n && t[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= n)
        return false;
    if (n - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
        if (n - i - 2 > 16)
            return false;
        for (i += 2; i < n; i++) {
            int d = prog_hexdigit(t[i]);
            if (d < 0)
                return false;
            v = v << 4 | (unsigned)d;
        }
    } else {
        for (; i < n; i++) {
            if (t[i] < '0' || t[i] > '9' || v > (UINT64_MAX - 9) / 10)
                return false;
            v = v * 10 + (unsigned)(t[i] - '0');
        }
    }
    /* two's complement without signed overflow: -2^63 is v == 2^63 */
    *out = (int64_t)(neg ? 0 - v : v);
    return true;
}

/* rc: a number or -ENAME. */
static bool prog_erc(const char *t, size_t n, int64_t *rc)
{
    if (n > 2 && t[0] == '-' && t[1] == 'E')
        for (size_t i = 0; i < PROG_NR_ERRNOS; i++)
            if (prog_eword(t + 1, n - 1, prog_errnos[i].name)) {
                *rc = -prog_errnos[i].value;
                return true;
            }
    return prog_enum(t, n, rc);
}

static bool prog_evector(const char *t, size_t n, uint8_t *v)
{
    int64_t x;

    if (prog_eword(t, n, "none")) {
        *v = PROG_FAULT_NONE;
        return true;
    }
    for (unsigned i = 0; i < 32; i++)
        if (prog_vector_names[i] && prog_eword(t, n, prog_vector_names[i])) {
            *v = (uint8_t)i;
            return true;
        }
    if (!prog_enum(t, n, &x) || x < 0 || x > 255)
        return false;
    *v = (uint8_t)x;
    return true;
}

/* out@OFF:WIDTH=VALUE; VALUE may be negative (two's complement in WIDTH bytes). */
static enum prog_err prog_eout(struct prog_ecur *c, struct prog_expect *e, const char *t,
                               size_t n, const char *v, size_t vn, unsigned op_payload_len)
{
    const char *colon = memchr(t, ':', n);
    int64_t off, width, value;

    if (!colon || !prog_enum(t + 4, (size_t)(colon - t - 4), &off) ||
        !prog_enum(colon + 1, (size_t)(t + n - colon - 1), &width))
        return prog_efail(c, t, n, "expected out@OFFSET:WIDTH=VALUE");
    if (width != 1 && width != 2 && width != 4 && width != 8)
        return prog_efail(c, t, n, "out field width must be 1, 2, 4 or 8");
    if (off < 0 || off + width > (int64_t)PROG_MAX_PAYLOAD ||
        off + width > (int64_t)op_payload_len)
        return prog_efail(c, t, n, "out field lies outside the op's payload");
    if (!prog_enum(v, vn, &value))
        return prog_efail(c, v, vn, "out field value is not a number");
    if (e->nr_out >= PROG_MAX_EXPECT_OUT)
        return prog_efail(c, t, n, "too many out fields (at most 8)");
    uint64_t mask = width == 8 ? ~0ULL : (1ULL << (8 * width)) - 1U;
    if (width < 8 && (value < -(int64_t)(mask >> 1) - 1 || (value > 0 && (uint64_t)value > mask)))
        return prog_efail(c, v, vn, "out field value does not fit its width");
    struct prog_expect_out *f = &e->out[e->nr_out++];
    f->off = (uint16_t)off;
    f->width = (uint8_t)width;
    f->value = (uint64_t)value & mask;
    e->have |= PE_OUT;
    return PROG_OK;
}

static enum prog_err prog_eexits(struct prog_ecur *c, struct prog_expect *e, const char *v,
                                 size_t vn)
{
    e->have |= PE_EXITS;
    e->nr_exits = 0;
    if (prog_eword(v, vn, "none"))
        return PROG_OK;
    for (const char *s = v, *end = v + vn; s < end;) {
        const char *plus = memchr(s, '+', (size_t)(end - s));
        const char *w_end = plus ? plus : end;
        size_t wn = (size_t)(w_end - s);
        int r = abi_exit_reason_by_name(s, wn);
        int64_t x;
        if (r < 0 && wn > 6 && !memcmp(s, "reason", 6) && prog_enum(s + 6, wn - 6, &x) &&
            x >= 0 && x < 256)
            r = (int)x;
        if (r < 0)
            return prog_efail(c, s, (size_t)(w_end - s), "unknown exit reason");
        if (e->nr_exits >= PROG_MAX_EXPECT_EXITS)
            return prog_efail(c, s, (size_t)(w_end - s), "too many exits (at most 8)");
        e->exits[e->nr_exits++] = (uint8_t)r;
        s = plus ? plus + 1 : end;
    }
    return PROG_OK;
}

static enum prog_err prog_eitem(struct prog_ecur *c, const struct prog_op *op,
                                struct prog_expect *e, const char *t, size_t n)
{
    const char *eq = memchr(t, '=', n);
    if (!eq)
        return prog_efail(c, t, n, "expected KEY=VALUE");
    size_t kn = (size_t)(eq - t), vn = n - kn - 1;
    const char *v = eq + 1;
    int64_t x;

    if (prog_eword(t, kn, "rc")) {
        if (!prog_erc(v, vn, &e->rc))
            return prog_efail(c, v, vn, "rc is not a number or -ENAME");
        e->have |= PE_RC;
    } else if (prog_eword(t, kn, "action") && op->kind == OP_EXIT) {
        int a = abi_exit_action_by_name(v, vn);
        if (a < 0 && !(prog_enum(v, vn, &x) && x >= 0 && x < 256))
            return prog_efail(c, v, vn, "unknown exit action");
        e->rc = a >= 0 ? a : x;
        e->have |= PE_RC;
    } else if (prog_eword(t, kn, "status")) {
        unsigned s;
        for (s = 0; s < PROG_NR_STATUS && !prog_eword(v, vn, prog_status_names[s]); s++)
            ;
        if (s == PROG_NR_STATUS)
            return prog_efail(c, v, vn, "status must be ran, restart, not_run or unsupported");
        e->status = (uint8_t)s;
        e->have |= PE_STATUS;
    } else if (prog_eword(t, kn, "value")) {
        if (!prog_enum(v, vn, &x))
            return prog_efail(c, v, vn, "value is not a number");
        e->value = (uint64_t)x;
        e->have |= PE_VALUE;
    } else if (prog_eword(t, kn, "fault")) {
        if (!prog_evector(v, vn, &e->fault))
            return prog_efail(c, v, vn, "fault must be none, a vector name (pf, gp, ud, ...) or number");
        e->have |= PE_FAULT;
    } else if (prog_eword(t, kn, "pfec") || prog_eword(t, kn, "err")) {
        if (!prog_enum(v, vn, &x) || x < 0 || x > UINT32_MAX)
            return prog_efail(c, v, vn, "pfec is not a 32-bit number");
        e->pfec = (uint32_t)x;
        e->have |= PE_PFEC;
    } else if (kn > 4 && memcmp(t, "out@", 4) == 0) {
        return prog_eout(c, e, t, kn, v, vn, op->payload_len);
    } else if (prog_eword(t, kn, "exits")) {
        return prog_eexits(c, e, v, vn);
    } else {
        return prog_efail(c, t, kn, "unknown expectation (rc, action, status, value, fault, pfec, out@OFF:W, exits)");
    }
    return PROG_OK;
}

enum prog_err prog_expect_parse(struct prog_op *op, const char *s, const char *end,
                                struct prog_expect_err *err)
{
    struct prog_ecur c = { s, end, err };
    struct prog_expect e;

    memset(&e, 0, sizeof(e));
    prog_ews(&c);
    if (c.s == c.end)
        return prog_efail(&c, s, 0, "nothing after '=>'");
    while (c.s < c.end) {
        const char *t;
        size_t n;
        prog_etoken(&c, &t, &n);
        if (!n)
            return prog_efail(&c, t, 1, "empty expectation");
        enum prog_err r = prog_eitem(&c, op, &e, t, n);
        if (r != PROG_OK)
            return r;
        if (c.s < c.end)
            c.s++;   /* the ',' */
    }
    op->expect = e;
    return prog_expect_check(&op->expect);
}

/* ---- binary (format version 3) ---------------------------------------------------------------- */

/*
 * The expectation record follows its op's record in version 3, as a record of its own kind so
 * that the op records keep their version 1 and 2 layout:
 *   {u8 PROG_REC_EXPECT, u8 0, u16 len} then u8 have, u8 status, u8 fault, u8 nr_out,
 *   u8 nr_exits, u8 0, u16 0, u32 pfec, u32 0, i64 rc, u64 value, exits[8],
 *   nr_out fields of {u16 off, u8 width, u8 0, u32 0, u64 value}
 */
#define PROG_EXPECT_FIXED 40U
#define PROG_EXPECT_OUT   16U

size_t prog_expect_size(const struct prog_expect *e)
{
    return e->have ? PROG_EXPECT_FIXED + (size_t)e->nr_out * PROG_EXPECT_OUT : 0;
}

uint8_t *prog_expect_put(uint8_t *w, const struct prog_expect *e)
{
    memset(w, 0, prog_expect_size(e));
    w[0] = e->have;
    w[1] = e->status;
    w[2] = e->fault;
    w[3] = e->nr_out;
    w[4] = e->nr_exits;
    prog_put32(w + 8, e->pfec);
    prog_put64(w + 16, (uint64_t)e->rc);
    prog_put64(w + 24, e->value);
    memcpy(w + 32, e->exits, PROG_MAX_EXPECT_EXITS);
    w += PROG_EXPECT_FIXED;
    for (unsigned i = 0; i < e->nr_out; i++, w += PROG_EXPECT_OUT) {
        prog_put16(w, e->out[i].off);
        w[2] = e->out[i].width;
        prog_put64(w + 8, e->out[i].value);
    }
    return w;
}

enum prog_err prog_expect_get(struct prog_expect *e, const uint8_t *r, size_t len)
{
    memset(e, 0, sizeof(*e));
    if (len < PROG_EXPECT_FIXED)
        return PROG_E_CORRUPT;
    e->have = r[0];
    e->status = r[1];
    e->fault = r[2];
    e->nr_out = r[3];
    e->nr_exits = r[4];
    if (r[5] || prog_get16(r + 6) || prog_get32(r + 12) || !e->have)
        return PROG_E_CORRUPT;
    if (e->nr_out > PROG_MAX_EXPECT_OUT || e->nr_exits > PROG_MAX_EXPECT_EXITS)
        return PROG_E_TOO_BIG;
    if (len != PROG_EXPECT_FIXED + (size_t)e->nr_out * PROG_EXPECT_OUT)
        return PROG_E_CORRUPT;
    e->pfec = prog_get32(r + 8);
    e->rc = (int64_t)prog_get64(r + 16);
    e->value = prog_get64(r + 24);
    memcpy(e->exits, r + 32, PROG_MAX_EXPECT_EXITS);
    r += PROG_EXPECT_FIXED;
    for (unsigned i = 0; i < e->nr_out; i++, r += PROG_EXPECT_OUT) {
        if (r[3] || prog_get32(r + 4))
            return PROG_E_CORRUPT;
        e->out[i].off = prog_get16(r);
        e->out[i].width = r[2];
        e->out[i].value = prog_get64(r + 8);
    }
    return prog_expect_check(e);
}
