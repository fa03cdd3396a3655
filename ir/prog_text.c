/* Text form of programs, the parser: lines to operations, errors with line, column and token. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/xen.h"
#include "ir/prog_internal.h"

/*
 * A cursor over one line, with comments and the line ending already cut off. The first failure
 * on a line records where (column, token) and why in err; the callers then only return an error.
 */
struct prog_lx {
    const char *s, *end;
    const char *line;                 /* the line's first byte: columns count from it */
    const struct prog_shape *shape;   /* domains, vCPUs and pages that exist */
    struct prog_text_error *err;
};

static bool prog_is_word(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Records why the line fails at 'at' (the innermost reason is the precise one: it is kept). */
__attribute__((format(printf, 3, 4)))
static bool prog_lx_fail(struct prog_lx *l, const char *at, const char *fmt, ...)
{
    struct prog_text_error *e = l->err;
    size_t n = 0;
    va_list ap;

    if (e->reason[0])
        return false;
    e->col = (unsigned)(at - l->line) + 1;
    /* the token: a word or number (with its sign or prefix), else one character */
    if (at < l->end) {
        n = 1;
        if (prog_is_word(*at) || *at == '+' || *at == '-')
            while (at + n < l->end && prog_is_word(at[n]))
                n++;
    }
    if (n > sizeof(e->token) - 1)
        n = sizeof(e->token) - 1;
    memcpy(e->token, at, n);
    e->token[n] = '\0';
    va_start(ap, fmt);
    vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
    va_end(ap);
    return false;
}

static void prog_lx_ws(struct prog_lx *l)
{
    while (l->s < l->end && (*l->s == ' ' || *l->s == '\t'))
        l->s++;
}

/* Takes lit if it comes next; records nothing (callers try alternatives). */
static bool prog_lx_eat(struct prog_lx *l, const char *lit)
{
    size_t n = strlen(lit);

    prog_lx_ws(l);
    if ((size_t)(l->end - l->s) < n || memcmp(l->s, lit, n) != 0)
        return false;
    l->s += n;
    return true;
}

static bool prog_lx_expect(struct prog_lx *l, const char *lit)
{
    return prog_lx_eat(l, lit) || prog_lx_fail(l, l->s, "expected '%s'", lit);
}

static bool prog_lx_starts_num(struct prog_lx *l)
{
    prog_lx_ws(l);
    return l->s < l->end && ((*l->s >= '0' && *l->s <= '9') || *l->s == '-');
}

/*
 * Decimal or 0x hex, at most max. With neg, -N is accepted for N up to 2^63 and stored as its
 * two's complement in 64 bits (2^64 - N): the value fields are all 64 bits wide, and a fixup of
 * width w writes the low w bytes, which are -N in w bytes. Own code so that overflow is an error.
 * Errors point at 'at': the number, or the prefix in front of it.
 */
static bool prog_lx_num_at(struct prog_lx *l, const char *at, uint64_t max, bool neg,
                           const char *what, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    bool minus = false, over = false;
    const char *digits;

    prog_lx_ws(l);
    if (!at)
        at = l->s;
    if (l->s < l->end && *l->s == '-') {
        minus = true;
        l->s++;
    }
    if (l->end - l->s > 2 && l->s[0] == '0' && (l->s[1] == 'x' || l->s[1] == 'X')) {
        base = 16;
        l->s += 2;
    }
    digits = l->s;
    for (; l->s < l->end; l->s++) {
        int d = prog_hexdigit(*l->s);
        if (d < 0 || (unsigned)d >= base)
            break;
        if (v > (UINT64_MAX - (unsigned)d) / base)
            over = true;
        v = v * base + (unsigned)d;
    }
    if (l->s == digits)
        return prog_lx_fail(l, at, "expected %s (a number)", what);
    if (l->s < l->end && prog_is_word(*l->s))
        return prog_lx_fail(l, at, "%s is not a decimal or 0x hex number", what);
    if (minus && !neg)
        return prog_lx_fail(l, at, "%s may not be negative", what);
    if (minus && (over || v > (1ULL << 63)))
        return prog_lx_fail(l, at, "%s is out of range (at least -0x8000000000000000)", what);
    if (!minus && (over || v > max)) {
        if (max < 65536)
            return prog_lx_fail(l, at, "%s is out of range (at most %llu)", what,
                                (unsigned long long)max);
        return prog_lx_fail(l, at, "%s is out of range (at most 0x%llx)", what,
                            (unsigned long long)max);
    }
    *out = minus ? 0 - v : v;
    return true;
}

static bool prog_lx_num(struct prog_lx *l, uint64_t max, bool neg, const char *what, uint64_t *out)
{
    return prog_lx_num_at(l, NULL, max, neg, what, out);
}

/* "<prefix><number>" such as d1, g40, +16. */
static bool prog_lx_pnum(struct prog_lx *l, const char *prefix, uint64_t max, const char *what,
                         uint64_t *out)
{
    prog_lx_ws(l);
    const char *at = l->s;
    if (!prog_lx_eat(l, prefix))
        return prog_lx_fail(l, at, "expected %s (%sN)", what, prefix);
    return prog_lx_num_at(l, at, max, false, what, out);
}

static bool prog_lx_word(struct prog_lx *l, const char **w, size_t *n)
{
    prog_lx_ws(l);
    *w = l->s;
    while (l->s < l->end && prog_is_word(*l->s))
        l->s++;
    *n = (size_t)(l->s - *w);
    return *n > 0;
}

static bool prog_lx_dom(struct prog_lx *l, uint8_t *dom)
{
    uint64_t v;
    const char *at;

    prog_lx_ws(l);
    at = l->s;
    if (!prog_lx_pnum(l, "d", UINT8_MAX, "a domain", &v))
        return false;
    if (v >= l->shape->nr_domains)
        return prog_lx_fail(l, at, "domain d%u does not exist (the shape has d0..d%u)",
                            (unsigned)v, l->shape->nr_domains - 1U);
    *dom = (uint8_t)v;
    return true;
}

static bool prog_lx_dom_vcpu(struct prog_lx *l, uint8_t *dom, uint8_t *vcpu)
{
    uint64_t v;
    const char *at;

    if (!prog_lx_dom(l, dom))
        return false;
    prog_lx_ws(l);
    at = l->s;
    if (!prog_lx_pnum(l, "v", UINT8_MAX, "a vCPU", &v))
        return false;
    if (v >= l->shape->nr_vcpus)
        return prog_lx_fail(l, at, "vCPU v%u does not exist (the shape has v0..v%u)",
                            (unsigned)v, l->shape->nr_vcpus - 1U);
    *vcpu = (uint8_t)v;
    return true;
}

/* Resource forms: name, then which of (dN, gN / N, +N / 0xflags) follow in parentheses. */
struct prog_arg_form {
    const char *open;
    uint8_t kind;
    bool dom, gfn, off, flags;
};

static const struct prog_arg_form prog_arg_forms[] = {
    { "domid(", ARG_DOMID, true, false, false, false },
    { "mfn(", ARG_MFN, true, true, false, false },
    { "gfn(", ARG_GFN, true, true, false, false },
    { "maddr(", ARG_MADDR, true, true, true, false },
    { "gva(", ARG_GVA, true, true, true, false },
    { "pte(", ARG_PTE, true, true, false, true },
    { "gref(", ARG_GREF, true, false, false, false },
    { "port(", ARG_PORT, true, false, false, false },
    { "handle(", ARG_HANDLE, true, false, false, false },
    { "vcpuid(", ARG_VCPUID, false, false, false, false },
    { "gpa(", ARG_GPA, false, true, true, false },
    { "gntframe(", ARG_GNTFRAME, true, false, false, false },
    { "statusframe(", ARG_STATUSFRAME, true, false, false, false },
    { "gntpte(", ARG_GNTPTE, true, false, false, true },
    { "statuspte(", ARG_STATUSPTE, true, false, false, true },
};

/* The fields inside a resource form's parentheses, after its name. */
static bool prog_lx_form(struct prog_lx *l, const struct prog_arg_form *f, struct prog_arg *a)
{
    uint64_t v;
    const char *at;

    a->kind = f->kind;
    if (f->dom) {
        if (!prog_lx_dom(l, &a->dom))
            return false;
        if (f->kind == ARG_DOMID)
            return prog_lx_expect(l, ")");
        if (!prog_lx_expect(l, ","))
            return false;
    }
    prog_lx_ws(l);
    at = l->s;
    if (!(f->gfn ? prog_lx_pnum(l, "g", UINT16_MAX, "a page", &v)
                 : prog_lx_num(l, UINT16_MAX, false, "an index", &v)))
        return false;
    a->a = (uint16_t)v;
    /* other page forms reach any frame of the domain; a gva past its pages would be a wrap */
    if (f->kind == ARG_GVA && a->a >= l->shape->dom_pages)
        return prog_lx_fail(l, at, "gva page g%u is past the domain's pages (g0..g%u)", a->a,
                            l->shape->dom_pages - 1U);
    if (f->off) {
        if (!prog_lx_expect(l, ",") || !prog_lx_pnum(l, "+", PROG_MAX_BYTE_OFF - 1U,
                                                     "a byte offset", &v))
            return false;
        a->b = (uint32_t)v;
    }
    if (f->flags) {
        if (!prog_lx_expect(l, ","))
            return false;
        prog_lx_ws(l);
        at = l->s;
        if (!prog_lx_num(l, UINT64_MAX, false, "PTE flags", &v))
            return false;
        if (v & PTE_ADDR_MASK)
            return prog_lx_fail(l, at, "PTE flags 0x%llx hold frame address bits (the resource "
                                "gives the frame)", (unsigned long long)v);
        a->imm = v;
    }
    return prog_lx_expect(l, ")");
}

static bool prog_lx_arg(struct prog_lx *l, struct prog_arg *a)
{
    uint64_t v;

    memset(a, 0, sizeof(*a));
    if (prog_lx_eat(l, "payload+")) {
        a->kind = ARG_PAYLOAD;
        if (!prog_lx_num(l, PROG_MAX_BYTE_OFF - 1U, false, "a payload offset", &v))
            return false;
        a->b = (uint32_t)v;
        return true;
    }
    if (prog_lx_eat(l, "DOMID_SELF")) {
        a->kind = ARG_DOMID;
        a->a = 1;
        return true;
    }
    for (size_t i = 0; i < sizeof(prog_arg_forms) / sizeof(prog_arg_forms[0]); i++)
        if (prog_lx_eat(l, prog_arg_forms[i].open))
            return prog_lx_form(l, &prog_arg_forms[i], a);
    a->kind = ARG_IMM;
    if (!prog_lx_starts_num(l))
        return prog_lx_fail(l, l->s, "expected an argument: a number, payload+N, DOMID_SELF "
                            "or a form such as mfn(d1,g2)");
    return prog_lx_num(l, UINT64_MAX, true, "a value", &a->imm);
}

/* A run of hex byte pairs (payload=hex:, insn=) into buf, at most max bytes. */
static enum prog_err prog_lx_hex(struct prog_lx *l, uint8_t *buf, unsigned max, const char *what,
                                 uint16_t *len)
{
    unsigned n = 0;

    while (l->end - l->s >= 2 && prog_hexdigit(l->s[0]) >= 0 && prog_hexdigit(l->s[1]) >= 0) {
        if (n == max) {
            prog_lx_fail(l, l->s, "%s longer than %u bytes", what, max);
            return PROG_E_TOO_BIG;
        }
        buf[n++] = (uint8_t)(prog_hexdigit(l->s[0]) << 4 | prog_hexdigit(l->s[1]));
        l->s += 2;
    }
    *len = (uint16_t)n;
    if (l->s < l->end && *l->s != ' ' && *l->s != '\t')
        return prog_lx_fail(l, l->s, "%s: expected pairs of hex digits", what), PROG_E_SYNTAX;
    return PROG_OK;
}

/* Where each fixup of the op being parsed starts, for errors found once the line is read. */
struct prog_lx_opts {
    bool have_payload;
    const char *fixup_at[PROG_MAX_FIXUPS];
    const char *expected;   /* what may come here, for the error when nothing fits */
};

/* "payload=hex:.." (once) or "fixup@off:width=arg", then a blank or the end of the line. */
static enum prog_err prog_lx_payload_opt(struct prog_lx *l, struct prog_op *op,
                                         struct prog_lx_opts *o)
{
    uint64_t off, width;
    const char *at;

    prog_lx_ws(l);
    at = l->s;
    if (prog_lx_eat(l, "payload=hex:")) {
        if (o->have_payload)
            return prog_lx_fail(l, at, "a second payload"), PROG_E_SYNTAX;
        o->have_payload = true;
        return prog_lx_hex(l, op->payload, PROG_MAX_PAYLOAD, "payload", &op->payload_len);
    }
    if (!prog_lx_eat(l, "fixup@"))
        return prog_lx_fail(l, at, "unexpected text (expected %s)", o->expected), PROG_E_SYNTAX;
    if (op->nr_fixups == PROG_MAX_FIXUPS) {
        prog_lx_fail(l, at, "more than %u fixups", PROG_MAX_FIXUPS);
        return PROG_E_TOO_BIG;
    }
    o->fixup_at[op->nr_fixups] = at;
    struct prog_fixup *f = &op->fixups[op->nr_fixups++];
    if (!prog_lx_num(l, UINT16_MAX, false, "a fixup offset", &off) || !prog_lx_expect(l, ":"))
        return PROG_E_SYNTAX;
    prog_lx_ws(l);
    const char *wat = l->s;
    if (!prog_lx_num(l, UINT8_MAX, false, "a fixup width", &width))
        return PROG_E_SYNTAX;
    if (width != 1 && width != 2 && width != 4 && width != 8)
        return prog_lx_fail(l, wat, "a fixup width is 1, 2, 4 or 8 bytes"), PROG_E_SYNTAX;
    if (!prog_lx_expect(l, "=") || !prog_lx_arg(l, &f->arg))
        return PROG_E_SYNTAX;
    f->off = (uint16_t)off;
    f->width = (uint8_t)width;
    /* Options are separated by blanks: "fixup@0:8=gfn(d0,g1)x" must not parse as junk. */
    if (l->s < l->end && *l->s != ' ' && *l->s != '\t')
        return prog_lx_fail(l, l->s, "expected a blank after the fixup"), PROG_E_SYNTAX;
    return PROG_OK;
}

/* Fixups must land inside the payload, wherever on the line the payload was given. */
static enum prog_err prog_lx_fixups_fit(struct prog_lx *l, const struct prog_op *op,
                                        const struct prog_lx_opts *o)
{
    for (unsigned i = 0; i < op->nr_fixups; i++) {
        const struct prog_fixup *f = &op->fixups[i];
        if ((unsigned)f->off + f->width > op->payload_len)
            return prog_lx_fail(l, o->fixup_at[i], "fixup@%u:%u writes past the %u-byte payload",
                                f->off, f->width, op->payload_len), PROG_E_SYNTAX;
    }
    return PROG_OK;
}

static enum prog_err prog_lx_hypercall(struct prog_lx *l, struct prog_op *op)
{
    struct prog_lx_opts o = { .expected = "payload=hex:... or fixup@OFF:WIDTH=ARG" };
    const char *w;
    size_t n;
    uint64_t v;
    enum prog_err e;

    op->kind = OP_HYPERCALL;
    if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu))
        return PROG_E_SYNTAX;
    if (!prog_lx_word(l, &w, &n))
        return prog_lx_fail(l, w, "expected a hypercall name or hcN"), PROG_E_SYNTAX;
    const struct abi_hypercall *hc = abi_hypercall_by_name(w, n);
    if (hc) {
        op->nr = hc->nr;
    } else if (n >= 3 && memcmp(w, "hc", 2) == 0 && w[2] >= '0' && w[2] <= '9') {
        /* hc<N>: a number without a name, e.g. one the monitor does not implement. */
        struct prog_lx num = *l;
        num.s = w + 2;
        num.end = w + n;
        if (!prog_lx_num(&num, UINT32_MAX, false, "a hypercall number", &v))
            return PROG_E_SYNTAX;
        op->nr = (uint32_t)v;
    } else {
        return prog_lx_fail(l, w, "unknown hypercall (a name such as mmu_update, or hcN)"),
               PROG_E_SYNTAX;
    }
    if (!prog_lx_expect(l, "("))
        return PROG_E_SYNTAX;
    if (!prog_lx_eat(l, ")")) {
        do {
            prog_lx_ws(l);
            if (op->nr_args == PROG_MAX_ARGS) {
                prog_lx_fail(l, l->s, "more than %u arguments", PROG_MAX_ARGS);
                return PROG_E_TOO_BIG;
            }
            if (!prog_lx_arg(l, &op->args[op->nr_args++]))
                return PROG_E_SYNTAX;
        } while (prog_lx_eat(l, ","));
        if (!prog_lx_eat(l, ")"))
            return prog_lx_fail(l, l->s, "expected ',' or ')' after an argument"), PROG_E_SYNTAX;
    }
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l))
        if ((e = prog_lx_payload_opt(l, op, &o)) != PROG_OK)
            return e;
    return prog_lx_fixups_fit(l, op, &o);
}

/* "name=" of an exit's qual, gla or register i: PROG_EXIT_REGS + 0/1 for qual/gla. */
static bool prog_lx_exit_key(struct prog_lx *l, unsigned *key)
{
    const char *save = l->s;
    const char *w;
    size_t n;

    if (!prog_lx_word(l, &w, &n) || l->s == l->end || *l->s != '=') {
        l->s = save;
        return false;
    }
    for (unsigned i = 0; i < PROG_EXIT_REGS + 2; i++) {
        const char *name = i < PROG_EXIT_REGS ? abi_reg_name(i) :
                           i == PROG_EXIT_REGS ? "qual" : "gla";
        if (strlen(name) == n && memcmp(name, w, n) == 0) {
            l->s++;
            *key = i;
            return true;
        }
    }
    l->s = save;
    return false;
}

static bool prog_lx_exit_reason(struct prog_lx *l, uint8_t *reason)
{
    const char *w;
    size_t n;
    uint64_t v;

    if (!prog_lx_word(l, &w, &n))
        return prog_lx_fail(l, w, "expected an exit reason");
    int r = abi_exit_reason_by_name(w, n);
    if (r >= 0) {
        *reason = (uint8_t)r;
        return true;
    }
    /* reason<N>: a number the monitor does not know */
    if (n < 7 || memcmp(w, "reason", 6) != 0 || w[6] < '0' || w[6] > '9')
        return prog_lx_fail(l, w, "unknown exit reason (a name such as cpuid, io, mmio, or "
                            "reasonN)");
    struct prog_lx num = *l;
    num.s = w + 6;
    num.end = w + n;
    if (!prog_lx_num(&num, UINT8_MAX, false, "an exit reason number", &v))
        return false;
    *reason = (uint8_t)v;
    return true;
}

static enum prog_err prog_lx_exit(struct prog_lx *l, struct prog_op *op)
{
    struct prog_lx_opts o = {
        .expected = "qual=, gla=, a register=, insn=, payload=hex:... or fixup@OFF:WIDTH=ARG",
    };
    uint32_t seen = 0;
    bool have_insn = false;
    unsigned key;
    uint16_t len;
    enum prog_err e;

    op->kind = OP_EXIT;
    if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) || !prog_lx_exit_reason(l, &op->exit_reason))
        return PROG_E_SYNTAX;
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l)) {
        const char *at = l->s;
        if (prog_lx_exit_key(l, &key)) {
            if (seen & (1U << key))
                return prog_lx_fail(l, at, "given twice"), PROG_E_SYNTAX;
            seen |= 1U << key;
            struct prog_arg *a = key < PROG_EXIT_REGS ? &op->regs[key] :
                                 key == PROG_EXIT_REGS ? &op->qual : &op->gla;
            if (!prog_lx_arg(l, a))
                return PROG_E_SYNTAX;
        } else if (prog_lx_eat(l, "insn=")) {
            if (have_insn)
                return prog_lx_fail(l, at, "given twice"), PROG_E_SYNTAX;
            have_insn = true;
            if ((e = prog_lx_hex(l, op->insn, PROG_MAX_INSN, "insn", &len)) != PROG_OK)
                return e;
            op->insn_len = (uint8_t)len;
        } else {
            if ((e = prog_lx_payload_opt(l, op, &o)) != PROG_OK)
                return e;
            continue;
        }
        if (l->s < l->end && *l->s != ' ' && *l->s != '\t')
            return prog_lx_fail(l, l->s, "expected a blank"), PROG_E_SYNTAX;
    }
    return prog_lx_fixups_fit(l, op, &o);
}

/* guest_code dD vV [budget=N] payload=hex:CODE [fixup@OFF:W=ARG ...], options in any order. */
static enum prog_err prog_lx_guest_code(struct prog_lx *l, struct prog_op *op)
{
    struct prog_lx_opts o = { .expected = "budget=, payload=hex:... or fixup@OFF:WIDTH=ARG" };
    const char *budget_at = NULL, *payload_at = NULL;
    enum prog_err e;

    op->kind = OP_GUEST_CODE;
    if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu))
        return PROG_E_SYNTAX;
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l)) {
        const char *at = l->s;
        if (prog_lx_eat(l, "budget=")) {
            if (budget_at)
                return prog_lx_fail(l, at, "given twice"), PROG_E_SYNTAX;
            budget_at = at;
            if (!prog_lx_num(l, UINT64_MAX, false, "the instruction budget", &op->imm))
                return PROG_E_SYNTAX;
            continue;
        }
        bool had_payload = o.have_payload;
        if ((e = prog_lx_payload_opt(l, op, &o)) != PROG_OK)
            return e;
        if (!had_payload && o.have_payload)
            payload_at = at;
    }
    if (!o.have_payload)
        return prog_lx_fail(l, l->s, "guest_code needs its code (payload=hex:...)"), PROG_E_SYNTAX;
    /* the code runs from its first byte: there must be one */
    if (op->payload_len == 0)
        return prog_lx_fail(l, payload_at, "guest_code needs at least one byte of code"),
               PROG_E_SYNTAX;
    return prog_lx_fixups_fit(l, op, &o);
}

static enum prog_err prog_lx_guest(struct prog_lx *l, struct prog_op *op)
{
    uint64_t v;
    const char *at;

    op->nr_args = 1;
    if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) || !prog_lx_arg(l, &op->args[0]))
        return PROG_E_SYNTAX;
    prog_lx_ws(l);
    at = l->s;
    if (!prog_lx_pnum(l, "size=", UINT32_MAX, "the access size", &v))
        return PROG_E_SYNTAX;
    if (v != 1 && v != 2 && v != 4 && v != 8)
        return prog_lx_fail(l, at, "a guest access is 1, 2, 4 or 8 bytes"), PROG_E_SYNTAX;
    op->size = (uint32_t)v;
    return PROG_OK;
}

/* migrate dN begin|round|finish */
static enum prog_err prog_lx_migrate(struct prog_lx *l, struct prog_op *op)
{
    const char *w;
    size_t n;

    op->kind = OP_MIGRATE;
    op->vcpu = 0;
    if (!prog_lx_dom(l, &op->dom))
        return PROG_E_SYNTAX;
    prog_lx_ws(l);
    const char *at = l->s;
    if (!prog_lx_word(l, &w, &n))
        return prog_lx_fail(l, at, "a migration phase (begin, round or finish)"), PROG_E_SYNTAX;
    for (uint64_t ph = 0; ph < MIGRATE_NR_PHASES; ph++) {
        const char *name = prog_migrate_phase_name(ph);
        if (strlen(name) == n && memcmp(name, w, n) == 0) {
            op->imm = ph;
            return PROG_OK;
        }
    }
    prog_lx_fail(l, at, "unknown migration phase (begin, round or finish)");
    return PROG_E_SYNTAX;
}

static enum prog_err prog_lx_op(struct prog_lx *l, const char *w, size_t n, struct prog_op *op)
{
#define IS(kw) (n == sizeof(kw) - 1 && memcmp(w, kw, n) == 0)
    if (IS("hypercall"))
        return prog_lx_hypercall(l, op);
    if (IS("guest_read") || IS("guest_write")) {
        op->kind = IS("guest_read") ? OP_GUEST_READ : OP_GUEST_WRITE;
        return prog_lx_guest(l, op);
    }
    if (IS("preempt")) {
        op->kind = OP_PREEMPT;
        return prog_lx_num(l, UINT64_MAX, true, "a preemption pattern", &op->imm) ? PROG_OK
                                                                                   : PROG_E_SYNTAX;
    }
    if (IS("switch_vcpu")) {
        op->kind = OP_SWITCH_VCPU;
        return prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) ? PROG_OK : PROG_E_SYNTAX;
    }
    if (IS("exit"))
        return prog_lx_exit(l, op);
    if (IS("guest_code"))
        return prog_lx_guest_code(l, op);
    if (IS("migrate"))
        return prog_lx_migrate(l, op);
#undef IS
    prog_lx_fail(l, w, "unknown operation (hypercall, guest_read, guest_write, preempt, "
                 "switch_vcpu, exit, guest_code, migrate or shape)");
    return PROG_E_SYNTAX;
}

static bool prog_lx_shape(struct prog_lx *l, struct prog_shape *out)
{
    static const struct { const char *key; uint64_t min, max; } keys[4] = {
        { "frames=", PROG_MIN_FRAMES, PROG_MAX_FRAMES }, { "domains=", 1, PROG_MAX_DOMAINS },
        { "vcpus=", 1, PROG_MAX_VCPUS }, { "pages=", PROG_MIN_PAGES, PROG_MAX_PAGES },
    };
    struct prog_shape s = *out;
    bool seen[4] = { false };
    uint64_t v;

    /* Keys in any order, each at most once; missing ones keep the default. */
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l)) {
        const char *at = l->s;
        unsigned k;
        for (k = 0; k < 4 && !prog_lx_eat(l, keys[k].key); k++)
            ;
        if (k == 4)
            return prog_lx_fail(l, at, "unknown shape key (frames=, domains=, vcpus=, pages=)");
        if (seen[k])
            return prog_lx_fail(l, at, "given twice");
        seen[k] = true;
        const char *nat = l->s;
        if (!prog_lx_num(l, UINT16_MAX, false, "a count", &v))
            return false;
        if (v < keys[k].min || v > keys[k].max)
            return prog_lx_fail(l, nat, "%.*s must be %u..%u", (int)strlen(keys[k].key) - 1,
                                keys[k].key, (unsigned)keys[k].min, (unsigned)keys[k].max);
        if (k == 0)
            s.nr_frames = (uint16_t)v;
        else if (k == 1)
            s.nr_domains = (uint8_t)v;
        else if (k == 2)
            s.nr_vcpus = (uint8_t)v;
        else
            s.dom_pages = (uint16_t)v;
    }
    if (prog_shape_check(&s) != PROG_OK)
        return prog_lx_fail(l, l->line, "the shape is not valid");
    *out = s;
    return true;
}

/* One line: blank, comment, the shape (once, before any operation) or an operation. */
static enum prog_err prog_parse_line(struct prog *p, struct prog_lx *l, bool *have_shape)
{
    const char *w;
    size_t n;

    prog_lx_ws(l);
    if (l->s == l->end)
        return PROG_OK;
    if (!prog_lx_word(l, &w, &n))
        return prog_lx_fail(l, w, "expected an operation or shape"), PROG_E_SYNTAX;
    if (n == 5 && memcmp(w, "shape", 5) == 0) {
        if (*have_shape)
            return prog_lx_fail(l, w, "a second shape line"), PROG_E_SYNTAX;
        if (p->nr_ops)
            return prog_lx_fail(l, w, "the shape must come before the first operation"),
                   PROG_E_SYNTAX;
        *have_shape = true;
        return prog_lx_shape(l, &p->shape) ? PROG_OK : PROG_E_SYNTAX;
    }
    if (p->nr_ops == PROG_MAX_OPS) {
        prog_lx_fail(l, w, "more than %u operations", PROG_MAX_OPS);
        return PROG_E_TOO_BIG;
    }
    struct prog_op *op = &p->ops[p->nr_ops];
    /* "op ... => expectations": the op's own tokens never contain "=>" */
    const char *arrow = NULL;
    for (const char *c = l->s; c + 1 < l->end && !arrow; c++)
        if (c[0] == '=' && c[1] == '>')
            arrow = c;
    const char *line_end = l->end;
    if (arrow)
        l->end = arrow;
    enum prog_err e = prog_lx_op(l, w, n, op);
    if (e != PROG_OK)
        return e;
    if (arrow) {
        struct prog_expect_err xe = { 0 };
        prog_lx_ws(l);
        if (l->s != l->end)
            return prog_lx_fail(l, l->s, "unexpected text after the operation"), PROG_E_SYNTAX;
        if (prog_expect_parse(op, arrow + 2, line_end, &xe) != PROG_OK) {
            if (!l->err->reason[0]) {
                l->err->col = (unsigned)((xe.at ? xe.at : arrow) - l->line) + 1;
                snprintf(l->err->token, sizeof(l->err->token), "%s", xe.token);
                snprintf(l->err->reason, sizeof(l->err->reason), "%s", xe.reason);
            }
            return PROG_E_SYNTAX;
        }
        l->s = l->end = line_end;
    }
    prog_lx_ws(l);
    if (l->s != l->end)
        return prog_lx_fail(l, l->s, "unexpected text after the operation"), PROG_E_SYNTAX;
    e = prog_op_check(op, &p->shape);
    if (e != PROG_OK) {
        /* The checks above should have named the field; this is the backstop. */
        prog_lx_fail(l, w, "the operation is not valid: %s", prog_strerror(e));
        return e == PROG_E_TOO_BIG ? e : PROG_E_SYNTAX;
    }
    p->nr_ops++;
    return PROG_OK;
}

enum prog_err prog_parse_text_err(struct prog *p, const char *text, struct prog_text_error *err)
{
    struct prog_text_error local;
    bool have_shape = false;
    unsigned lineno = 0;
    enum prog_err e = PROG_OK;

    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    prog_init(p, NULL);
    if (!text || !*text) {
        snprintf(err->reason, sizeof(err->reason), "%s", prog_strerror(PROG_E_EMPTY));
        return PROG_E_EMPTY;
    }
    for (const char *s = text; *s && e == PROG_OK;) {
        const char *nl = strchr(s, '\n');
        const char *eol = nl ? nl : s + strlen(s);
        const char *hash = memchr(s, '#', (size_t)(eol - s));
        struct prog_lx l = { s, hash ? hash : eol, s, &p->shape, err };

        lineno++;
        if (l.end > l.s && l.end[-1] == '\r')
            l.end--;
        e = prog_parse_line(p, &l, &have_shape);
        s = nl ? nl + 1 : eol;
    }
    if (e != PROG_OK) {
        err->line = lineno;
        if (!err->reason[0])
            snprintf(err->reason, sizeof(err->reason), "%s", prog_strerror(e));
        prog_init(p, NULL);
    }
    return e;
}

enum prog_err prog_parse_text(struct prog *p, const char *text, unsigned *line)
{
    struct prog_text_error err;
    enum prog_err e = prog_parse_text_err(p, text, &err);

    if (line)
        *line = err.line;
    return e;
}
