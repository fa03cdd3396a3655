/* Text form of programs: one operation per line, for reports and hand-written regressions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/exit.h"
#include "ir/prog_internal.h"

static prog_disasm_fn prog_disasm;

/* Why the last prog_parse_text failed on an expectation, for prog_text_error_detail. */
static __thread char prog_text_detail[160];

const char *prog_text_error_detail(void)
{
    return prog_text_detail;
}

void prog_set_disasm(prog_disasm_fn fn)
{
    prog_disasm = fn;
}

/* ---- formatting ---- */

/* An snprintf-like sink: counts everything, stores what fits, always NUL-terminates. */
struct prog_out {
    char *buf;
    size_t cap, len;
};

static void prog_out_char(struct prog_out *o, char c)
{
    if (o->len + 1 < o->cap) {
        o->buf[o->len] = c;
        o->buf[o->len + 1] = '\0';
    }
    o->len++;
}

__attribute__((format(printf, 2, 3)))
static void prog_out_printf(struct prog_out *o, const char *fmt, ...)
{
    char tmp[96];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    /* Every caller's output is short; the bound only guards a future mistake. */
    for (int i = 0; i < n && i < (int)sizeof(tmp) - 1; i++)
        prog_out_char(o, tmp[i]);
}

static void prog_out_arg(struct prog_out *o, const struct prog_arg *a)
{
    switch (a->kind) {
    case ARG_IMM:
        /* Small values read best in decimal, addresses and masks in hex. */
        if (a->imm < 4096)
            prog_out_printf(o, "%llu", (unsigned long long)a->imm);
        else
            prog_out_printf(o, "0x%llx", (unsigned long long)a->imm);
        break;
    case ARG_DOMID:
        if (a->a == 1)
            prog_out_printf(o, "DOMID_SELF");
        else
            prog_out_printf(o, "domid(d%u)", a->dom);
        break;
    case ARG_MFN:
        prog_out_printf(o, "mfn(d%u,g%u)", a->dom, a->a);
        break;
    case ARG_GFN:
        prog_out_printf(o, "gfn(d%u,g%u)", a->dom, a->a);
        break;
    case ARG_MADDR:
        prog_out_printf(o, "maddr(d%u,g%u,+%u)", a->dom, a->a, a->b);
        break;
    case ARG_GVA:
        prog_out_printf(o, "gva(d%u,g%u,+%u)", a->dom, a->a, a->b);
        break;
    case ARG_PTE:
        prog_out_printf(o, "pte(d%u,g%u,0x%llx)", a->dom, a->a, (unsigned long long)a->imm);
        break;
    case ARG_PAYLOAD:
        prog_out_printf(o, "payload+%u", a->b);
        break;
    case ARG_GREF:
        prog_out_printf(o, "gref(d%u,%u)", a->dom, a->a);
        break;
    case ARG_PORT:
        prog_out_printf(o, "port(d%u,%u)", a->dom, a->a);
        break;
    case ARG_HANDLE:
        prog_out_printf(o, "handle(d%u,%u)", a->dom, a->a);
        break;
    case ARG_VCPUID:
        prog_out_printf(o, "vcpuid(%u)", a->a);
        break;
    case ARG_GPA:
        prog_out_printf(o, "gpa(g%u,+%u)", a->a, a->b);
        break;
    default:
        prog_out_printf(o, "badarg%u", a->kind);
        break;
    }
}

static const char prog_hex[] = "0123456789abcdef";

static void prog_out_payload(struct prog_out *o, const struct prog_op *op)
{
    if (op->payload_len) {
        prog_out_printf(o, " payload=hex:");
        for (unsigned i = 0; i < op->payload_len && i < PROG_MAX_PAYLOAD; i++) {
            prog_out_char(o, prog_hex[op->payload[i] >> 4]);
            prog_out_char(o, prog_hex[op->payload[i] & 0xf]);
        }
    }
    for (unsigned i = 0; i < op->nr_fixups && i < PROG_MAX_FIXUPS; i++) {
        prog_out_printf(o, " fixup@%u:%u=", op->fixups[i].off, op->fixups[i].width);
        prog_out_arg(o, &op->fixups[i].arg);
    }
}

/* Register i of an exit op: the 64-bit GPR names, rip, rflags. */
static const char *prog_exit_reg_name(unsigned i)
{
    if (i == PROG_EXIT_RIP)
        return "rip";
    if (i == PROG_EXIT_RFLAGS)
        return "rflags";
    return x86_reg_name((enum x86_reg)i, 8);
}

/* exit d1 v0 mmio qual=0xfeb00010 gla=0 rax=5 insn=8b03 payload=... fixup@... # disassembly */
static void prog_out_exit(struct prog_out *o, const struct prog_op *op)
{
    unsigned n = op->insn_len < PROG_MAX_INSN ? op->insn_len : PROG_MAX_INSN;

    if (op->exit_reason < EXIT_NR)
        prog_out_printf(o, "exit d%u v%u %s qual=", op->dom, op->vcpu,
                        exit_reason_name((enum exit_reason)op->exit_reason));
    else
        prog_out_printf(o, "exit d%u v%u reason%u qual=", op->dom, op->vcpu, op->exit_reason);
    prog_out_arg(o, &op->qual);
    prog_out_printf(o, " gla=");
    prog_out_arg(o, &op->gla);
    /* unset registers (ARG_IMM 0) are left out, as the binary form leaves them out */
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++) {
        if (op->regs[i].kind == ARG_IMM && op->regs[i].imm == 0)
            continue;
        prog_out_printf(o, " %s=", prog_exit_reg_name(i));
        prog_out_arg(o, &op->regs[i]);
    }
    if (n) {
        prog_out_printf(o, " insn=");
        for (unsigned i = 0; i < n; i++) {
            prog_out_char(o, prog_hex[op->insn[i] >> 4]);
            prog_out_char(o, prog_hex[op->insn[i] & 0xf]);
        }
    }
    prog_out_payload(o, op);
}

/* The disassembly of an exit's instruction: a comment, so it ends the line (after any `=>`). */
static void prog_out_disasm(struct prog_out *o, const struct prog_op *op)
{
    unsigned n = op->insn_len < PROG_MAX_INSN ? op->insn_len : PROG_MAX_INSN;
    char dis[96];

    if (n && prog_disasm && prog_disasm(op->insn, n, dis, sizeof(dis)))
        prog_out_printf(o, "  # %s", dis);
}

static void prog_out_hypercall(struct prog_out *o, const struct prog_op *op)
{
    const struct prog_hc *hc = prog_hc_by_nr(op->nr);

    if (hc)
        prog_out_printf(o, "hypercall d%u v%u %s(", op->dom, op->vcpu, hc->name);
    else
        prog_out_printf(o, "hypercall d%u v%u hc%u(", op->dom, op->vcpu, op->nr);
    /* Clamps keep formatting an invalid program (for a report) inside the arrays. */
    for (unsigned i = 0; i < op->nr_args && i < PROG_MAX_ARGS; i++) {
        if (i)
            prog_out_printf(o, ", ");
        prog_out_arg(o, &op->args[i]);
    }
    prog_out_char(o, ')');
    prog_out_payload(o, op);
}

size_t prog_format_text(const struct prog *p, char *buf, size_t cap)
{
    struct prog_out o = { .buf = buf, .cap = cap, .len = 0 };

    if (cap)
        buf[0] = '\0';
    prog_out_printf(&o, "# hvfuzz program v%u\n", prog_format_version(p));
    prog_out_printf(&o, "shape frames=%u domains=%u vcpus=%u pages=%u\n", p->shape.nr_frames,
                    p->shape.nr_domains, p->shape.nr_vcpus, p->shape.dom_pages);
    for (uint32_t i = 0; i < p->nr_ops && i < PROG_MAX_OPS; i++) {
        const struct prog_op *op = &p->ops[i];
        switch (op->kind) {
        case OP_HYPERCALL:
            prog_out_hypercall(&o, op);
            break;
        case OP_GUEST_READ:
        case OP_GUEST_WRITE:
            prog_out_printf(&o, "%s d%u v%u ",
                            op->kind == OP_GUEST_READ ? "guest_read" : "guest_write",
                            op->dom, op->vcpu);
            prog_out_arg(&o, &op->args[0]);
            prog_out_printf(&o, " size=%u", op->size);
            break;
        case OP_PREEMPT:
            prog_out_printf(&o, "preempt 0x%llx", (unsigned long long)op->imm);
            break;
        case OP_SWITCH_VCPU:
            prog_out_printf(&o, "switch_vcpu d%u v%u", op->dom, op->vcpu);
            break;
        case OP_EXIT:
            prog_out_exit(&o, op);
            break;
        default:
            prog_out_printf(&o, "# op %u: kind %u has no text form", i, op->kind);
            break;
        }
        if (op->expect.have) {
            char ex[1024];
            size_t n = prog_expect_format(op, ex, sizeof(ex));
            for (size_t k = 0; k < n && k + 1 < sizeof(ex); k++)
                prog_out_char(&o, ex[k]);
        }
        if (op->kind == OP_EXIT)
            prog_out_disasm(&o, op);
        prog_out_char(&o, '\n');
    }
    return o.len;
}

/* ---- parsing ---- */

/* A cursor over one line, with comments and the line ending already cut off. */
struct prog_lx {
    const char *s, *end;
    const char *line;     /* the line's first character, for columns */
};

static void prog_lx_ws(struct prog_lx *l)
{
    while (l->s < l->end && (*l->s == ' ' || *l->s == '\t'))
        l->s++;
}

static bool prog_lx_eat(struct prog_lx *l, const char *lit)
{
    size_t n = strlen(lit);

    prog_lx_ws(l);
    if ((size_t)(l->end - l->s) < n || memcmp(l->s, lit, n) != 0)
        return false;
    l->s += n;
    return true;
}

static int prog_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decimal or 0x hex, no sign, at most max; own code so that overflow is an error, not a clamp. */
static bool prog_lx_num(struct prog_lx *l, uint64_t max, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    const char *start;

    prog_lx_ws(l);
    if (l->end - l->s > 2 && l->s[0] == '0' && (l->s[1] == 'x' || l->s[1] == 'X')) {
        base = 16;
        l->s += 2;
    }
    start = l->s;
    for (; l->s < l->end; l->s++) {
        int d = prog_hexval(*l->s);
        if (d < 0 || (unsigned)d >= base)
            break;
        if (v > (UINT64_MAX - (unsigned)d) / base)
            return false;
        v = v * base + (unsigned)d;
    }
    if (l->s == start || v > max)
        return false;
    *out = v;
    return true;
}

static bool prog_lx_word(struct prog_lx *l, const char **w, size_t *n)
{
    prog_lx_ws(l);
    *w = l->s;
    while (l->s < l->end && (*l->s == '_' || (*l->s >= 'a' && *l->s <= 'z') ||
                             (*l->s >= 'A' && *l->s <= 'Z') || (*l->s >= '0' && *l->s <= '9')))
        l->s++;
    *n = (size_t)(l->s - *w);
    return *n > 0;
}

/* "<prefix><number>" such as d1, g40, +16. */
static bool prog_lx_pnum(struct prog_lx *l, const char *prefix, uint64_t max, uint64_t *out)
{
    return prog_lx_eat(l, prefix) && prog_lx_num(l, max, out);
}

static bool prog_lx_dom_vcpu(struct prog_lx *l, uint8_t *dom, uint8_t *vcpu)
{
    uint64_t d, v;

    if (!prog_lx_pnum(l, "d", UINT8_MAX, &d) || !prog_lx_pnum(l, "v", UINT8_MAX, &v))
        return false;
    *dom = (uint8_t)d;
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
};

static bool prog_lx_arg(struct prog_lx *l, struct prog_arg *a)
{
    uint64_t v;

    memset(a, 0, sizeof(*a));
    if (prog_lx_eat(l, "payload+")) {
        a->kind = ARG_PAYLOAD;
        if (!prog_lx_num(l, UINT32_MAX, &v))
            return false;
        a->b = (uint32_t)v;
        return true;
    }
    if (prog_lx_eat(l, "DOMID_SELF")) {
        a->kind = ARG_DOMID;
        a->a = 1;
        return true;
    }
    for (size_t i = 0; i < sizeof(prog_arg_forms) / sizeof(prog_arg_forms[0]); i++) {
        const struct prog_arg_form *f = &prog_arg_forms[i];
        if (!prog_lx_eat(l, f->open))
            continue;
        a->kind = f->kind;
        if (f->dom) {
            if (!prog_lx_pnum(l, "d", UINT8_MAX, &v))
                return false;
            a->dom = (uint8_t)v;
            if (f->kind != ARG_DOMID && !prog_lx_eat(l, ","))
                return false;
        }
        if (f->kind != ARG_DOMID) {
            if (!(f->gfn ? prog_lx_pnum(l, "g", UINT16_MAX, &v) : prog_lx_num(l, UINT16_MAX, &v)))
                return false;
            a->a = (uint16_t)v;
        }
        if (f->off) {
            if (!prog_lx_eat(l, ",") || !prog_lx_pnum(l, "+", UINT32_MAX, &v))
                return false;
            a->b = (uint32_t)v;
        }
        if (f->flags) {
            if (!prog_lx_eat(l, ",") || !prog_lx_num(l, UINT64_MAX, &v))
                return false;
            a->imm = v;
        }
        return prog_lx_eat(l, ")");
    }
    a->kind = ARG_IMM;
    return prog_lx_num(l, UINT64_MAX, &a->imm);
}

static enum prog_err prog_lx_payload_opt(struct prog_lx *l, struct prog_op *op, bool *have_payload);

static enum prog_err prog_lx_hypercall(struct prog_lx *l, struct prog_op *op)
{
    const char *w;
    size_t n;
    uint64_t v;

    op->kind = OP_HYPERCALL;
    if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) || !prog_lx_word(l, &w, &n))
        return PROG_E_SYNTAX;
    const struct prog_hc *hc = prog_hc_by_name(w, n);
    if (hc) {
        op->nr = hc->nr;
    } else {
        /* hc<N>: a number without a name, e.g. one the monitor does not implement. */
        struct prog_lx num = { w + 2, w + n, l->line };
        if (n < 3 || memcmp(w, "hc", 2) != 0 || !prog_lx_num(&num, UINT32_MAX, &v) ||
            num.s != num.end)
            return PROG_E_SYNTAX;
        op->nr = (uint32_t)v;
    }
    if (!prog_lx_eat(l, "("))
        return PROG_E_SYNTAX;
    if (!prog_lx_eat(l, ")")) {
        do {
            if (op->nr_args == PROG_MAX_ARGS)
                return PROG_E_TOO_BIG;
            if (!prog_lx_arg(l, &op->args[op->nr_args++]))
                return PROG_E_SYNTAX;
        } while (prog_lx_eat(l, ","));
        if (!prog_lx_eat(l, ")"))
            return PROG_E_SYNTAX;
    }

    bool have_payload = false;
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l)) {
        enum prog_err e = prog_lx_payload_opt(l, op, &have_payload);
        if (e != PROG_OK)
            return e;
    }
    return PROG_OK;
}

/* "payload=hex:.." (once) or "fixup@off:width=arg", then a blank or the end of the line. */
static enum prog_err prog_lx_payload_opt(struct prog_lx *l, struct prog_op *op, bool *have_payload)
{
    if (prog_lx_eat(l, "payload=hex:")) {
        if (*have_payload)
            return PROG_E_SYNTAX;
        *have_payload = true;
        while (l->end - l->s >= 2 && prog_hexval(l->s[0]) >= 0 && prog_hexval(l->s[1]) >= 0) {
            if (op->payload_len == PROG_MAX_PAYLOAD)
                return PROG_E_TOO_BIG;
            op->payload[op->payload_len++] =
                (uint8_t)(prog_hexval(l->s[0]) << 4 | prog_hexval(l->s[1]));
            l->s += 2;
        }
    } else if (prog_lx_eat(l, "fixup@")) {
        if (op->nr_fixups == PROG_MAX_FIXUPS)
            return PROG_E_TOO_BIG;
        struct prog_fixup *f = &op->fixups[op->nr_fixups++];
        uint64_t off, width;
        if (!prog_lx_num(l, UINT16_MAX, &off) || !prog_lx_pnum(l, ":", UINT8_MAX, &width) ||
            !prog_lx_eat(l, "=") || !prog_lx_arg(l, &f->arg))
            return PROG_E_SYNTAX;
        f->off = (uint16_t)off;
        f->width = (uint8_t)width;
    } else {
        return PROG_E_SYNTAX;
    }
    /* Options are separated by blanks: "payload=hex:00zz" must not parse as "00" + junk. */
    if (l->s < l->end && *l->s != ' ' && *l->s != '\t')
        return PROG_E_SYNTAX;
    return PROG_OK;
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
        const char *name = i < PROG_EXIT_REGS ? prog_exit_reg_name(i) :
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
        return false;
    for (unsigned r = 0; r < EXIT_NR; r++) {
        const char *name = exit_reason_name((enum exit_reason)r);
        if (strlen(name) == n && memcmp(name, w, n) == 0) {
            *reason = (uint8_t)r;
            return true;
        }
    }
    /* reason<N>: a number the monitor does not know */
    struct prog_lx num = { w + 6, w + n, l->line };
    if (n < 7 || memcmp(w, "reason", 6) != 0 || !prog_lx_num(&num, UINT8_MAX, &v) ||
        num.s != num.end)
        return false;
    *reason = (uint8_t)v;
    return true;
}

static enum prog_err prog_lx_exit(struct prog_lx *l, struct prog_op *op)
{
    uint32_t seen = 0;
    bool have_payload = false, have_insn = false;
    unsigned key;

    op->kind = OP_EXIT;
    if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) || !prog_lx_exit_reason(l, &op->exit_reason))
        return PROG_E_SYNTAX;
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l)) {
        if (prog_lx_exit_key(l, &key)) {
            if (seen & (1U << key))
                return PROG_E_SYNTAX;
            seen |= 1U << key;
            struct prog_arg *a = key < PROG_EXIT_REGS ? &op->regs[key] :
                                 key == PROG_EXIT_REGS ? &op->qual : &op->gla;
            if (!prog_lx_arg(l, a))
                return PROG_E_SYNTAX;
        } else if (prog_lx_eat(l, "insn=")) {
            if (have_insn)
                return PROG_E_SYNTAX;
            have_insn = true;
            while (l->end - l->s >= 2 && prog_hexval(l->s[0]) >= 0 && prog_hexval(l->s[1]) >= 0) {
                if (op->insn_len == PROG_MAX_INSN)
                    return PROG_E_TOO_BIG;
                op->insn[op->insn_len++] =
                    (uint8_t)(prog_hexval(l->s[0]) << 4 | prog_hexval(l->s[1]));
                l->s += 2;
            }
        } else {
            enum prog_err e = prog_lx_payload_opt(l, op, &have_payload);
            if (e != PROG_OK)
                return e;
            continue;
        }
        if (l->s < l->end && *l->s != ' ' && *l->s != '\t')
            return PROG_E_SYNTAX;
    }
    return PROG_OK;
}

static enum prog_err prog_lx_op(struct prog_lx *l, const char *w, size_t n, struct prog_op *op)
{
    uint64_t v;

#define IS(kw) (n == sizeof(kw) - 1 && memcmp(w, kw, n) == 0)
    if (IS("hypercall"))
        return prog_lx_hypercall(l, op);
    if (IS("guest_read") || IS("guest_write")) {
        op->kind = IS("guest_read") ? OP_GUEST_READ : OP_GUEST_WRITE;
        op->nr_args = 1;
        if (!prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) || !prog_lx_arg(l, &op->args[0]) ||
            !prog_lx_pnum(l, "size=", UINT32_MAX, &v))
            return PROG_E_SYNTAX;
        op->size = (uint32_t)v;
        return PROG_OK;
    }
    if (IS("preempt")) {
        op->kind = OP_PREEMPT;
        return prog_lx_num(l, UINT64_MAX, &op->imm) ? PROG_OK : PROG_E_SYNTAX;
    }
    if (IS("switch_vcpu")) {
        op->kind = OP_SWITCH_VCPU;
        return prog_lx_dom_vcpu(l, &op->dom, &op->vcpu) ? PROG_OK : PROG_E_SYNTAX;
    }
    if (IS("exit"))
        return prog_lx_exit(l, op);
#undef IS
    return PROG_E_SYNTAX;
}

static bool prog_lx_shape(struct prog_lx *l, struct prog_shape *s)
{
    static const struct { const char *key; uint64_t max; } keys[4] = {
        { "frames=", UINT16_MAX }, { "domains=", UINT8_MAX },
        { "vcpus=", UINT8_MAX }, { "pages=", UINT16_MAX },
    };
    bool seen[4] = { false };
    uint64_t v;

    /* Keys in any order, each at most once; missing ones keep the default. */
    for (prog_lx_ws(l); l->s < l->end; prog_lx_ws(l)) {
        unsigned k;
        for (k = 0; k < 4 && !prog_lx_eat(l, keys[k].key); k++)
            ;
        if (k == 4 || seen[k] || !prog_lx_num(l, keys[k].max, &v))
            return false;
        seen[k] = true;
        if (k == 0)
            s->nr_frames = (uint16_t)v;
        else if (k == 1)
            s->nr_domains = (uint8_t)v;
        else if (k == 2)
            s->nr_vcpus = (uint8_t)v;
        else
            s->dom_pages = (uint16_t)v;
    }
    return prog_shape_check(s) == PROG_OK;
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
        return PROG_E_SYNTAX;
    if (n == 5 && memcmp(w, "shape", 5) == 0) {
        if (*have_shape || p->nr_ops)
            return PROG_E_SYNTAX;
        *have_shape = true;
        return prog_lx_shape(l, &p->shape) ? PROG_OK : PROG_E_SYNTAX;
    }
    if (p->nr_ops == PROG_MAX_OPS)
        return PROG_E_TOO_BIG;
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
            return PROG_E_SYNTAX;
        if (prog_expect_parse(op, arrow + 2, line_end, &xe) != PROG_OK) {
            snprintf(prog_text_detail, sizeof(prog_text_detail), "column %u, near '%s': %s",
                     (unsigned)(xe.at ? xe.at - l->line + 1 : 0), xe.token, xe.reason);
            return PROG_E_SYNTAX;
        }
        l->s = l->end = line_end;
    }
    prog_lx_ws(l);
    if (l->s != l->end)
        return PROG_E_SYNTAX;
    e = prog_op_check(op, &p->shape);
    if (e != PROG_OK)
        /* Out-of-range values are this line's fault, whatever the binary codec calls them. */
        return e == PROG_E_TOO_BIG ? e : PROG_E_SYNTAX;
    p->nr_ops++;
    return PROG_OK;
}

enum prog_err prog_parse_text(struct prog *p, const char *text, unsigned *line)
{
    bool have_shape = false;
    unsigned lineno = 0;
    enum prog_err e = PROG_OK;

    prog_init(p, NULL);
    prog_text_detail[0] = '\0';
    if (line)
        *line = 0;
    if (!text || !*text)
        return PROG_E_EMPTY;
    for (const char *s = text; *s && e == PROG_OK;) {
        const char *nl = strchr(s, '\n');
        const char *eol = nl ? nl : s + strlen(s);
        const char *hash = memchr(s, '#', (size_t)(eol - s));
        struct prog_lx l = { s, hash ? hash : eol, s };

        lineno++;
        if (l.end > l.s && l.end[-1] == '\r')
            l.end--;
        e = prog_parse_line(p, &l, &have_shape);
        s = nl ? nl + 1 : eol;
    }
    if (e != PROG_OK) {
        if (line)
            *line = lineno;
        prog_init(p, NULL);
    }
    return e;
}
