/* Text form of programs, the printer: one operation per line, with its expectations after "=>". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/xen.h"
#include "ir/prog_internal.h"

static prog_disasm_fn prog_disasm;

void prog_set_disasm(prog_disasm_fn fn)
{
    prog_disasm = fn;
}

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
    case ARG_GNTFRAME:
        prog_out_printf(o, "gntframe(d%u,%u)", a->dom, a->a);
        break;
    case ARG_STATUSFRAME:
        prog_out_printf(o, "statusframe(d%u,%u)", a->dom, a->a);
        break;
    case ARG_GNTPTE:
        prog_out_printf(o, "gntpte(d%u,%u,0x%llx)", a->dom, a->a, (unsigned long long)a->imm);
        break;
    case ARG_STATUSPTE:
        prog_out_printf(o, "statuspte(d%u,%u,0x%llx)", a->dom, a->a, (unsigned long long)a->imm);
        break;
    default:
        prog_out_printf(o, "badarg%u", a->kind);
        break;
    }
}

/* Flag words read best in hex whatever their value (update_va_mapping's flags, rflags). */
static void prog_out_flags(struct prog_out *o, const struct prog_arg *a)
{
    if (a->kind == ARG_IMM)
        prog_out_printf(o, "0x%llx", (unsigned long long)a->imm);
    else
        prog_out_arg(o, a);
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

/* exit d1 v0 mmio qual=0xfeb00010 gla=0 rax=5 insn=8b03 payload=... fixup@... # disassembly */
static void prog_out_exit(struct prog_out *o, const struct prog_op *op)
{
    unsigned n = op->insn_len < PROG_MAX_INSN ? op->insn_len : PROG_MAX_INSN;

    if (op->exit_reason < EXIT_NR)
        prog_out_printf(o, "exit d%u v%u %s qual=", op->dom, op->vcpu,
                        abi_exit_reason_name(op->exit_reason));
    else
        prog_out_printf(o, "exit d%u v%u reason%u qual=", op->dom, op->vcpu, op->exit_reason);
    prog_out_arg(o, &op->qual);
    prog_out_printf(o, " gla=");
    prog_out_arg(o, &op->gla);
    /* unset registers (ARG_IMM 0) are left out, as the binary form leaves them out */
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++) {
        if (op->regs[i].kind == ARG_IMM && op->regs[i].imm == 0)
            continue;
        prog_out_printf(o, " %s=", abi_reg_name(i));
        if (i == PROG_EXIT_RFLAGS)
            prog_out_flags(o, &op->regs[i]);
        else
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

/*
 * The first instructions of guest code as a comment: "  # mov eax, 0x11; syscall; ret". The hook
 * disassembles one instruction and does not say how long it is: its length is the shortest
 * prefix whose text begins the text for all the bytes left (prog.h). When that cannot tell an
 * instruction from bytes that do not decode (the same text for one byte as for all), the text
 * for all of them ends the comment, as an exit's does. A few instructions or a line's worth of
 * text, then "; ...".
 */
#define PROG_CODE_DIS_INSNS 6U
#define PROG_CODE_DIS_CHARS 72U

static void prog_out_code_disasm(struct prog_out *o, const struct prog_op *op)
{
    unsigned len = op->payload_len < PROG_MAX_PAYLOAD ? op->payload_len : PROG_MAX_PAYLOAD;
    unsigned off = 0, n = 0, k;
    size_t chars = 0;
    char all[96], one[96];

    while (prog_disasm && off < len) {
        const uint8_t *b = op->payload + off;
        unsigned left = len - off, max = left < PROG_MAX_INSN ? left : PROG_MAX_INSN;
        if (!prog_disasm(b, left, all, sizeof(all)))
            return;
        size_t an = strlen(all), on = 0;
        for (k = 1; k <= max; k++) {
            if (!prog_disasm(b, k, one, sizeof(one)))
                continue;
            on = strlen(one);
            if (on && on <= an && !memcmp(one, all, on) && (all[on] == '\0' || all[on] == ' '))
                break;
        }
        bool last = k > max || (k == 1 && left > 1 && on == an);
        const char *text = last ? all : one;
        if (n && (n == PROG_CODE_DIS_INSNS || chars + 2 + strlen(text) > PROG_CODE_DIS_CHARS)) {
            prog_out_printf(o, "; ...");
            return;
        }
        prog_out_printf(o, n ? "; " : "  # ");
        prog_out_printf(o, "%s", text);
        chars += (n ? 2 : 0) + strlen(text);
        n++;
        if (last)
            return;
        off += k;
    }
}

static void prog_out_hypercall(struct prog_out *o, const struct prog_op *op)
{
    const struct abi_hypercall *hc = abi_hypercall_by_nr(op->nr);

    if (hc)
        prog_out_printf(o, "hypercall d%u v%u %s(", op->dom, op->vcpu, hc->name);
    else
        prog_out_printf(o, "hypercall d%u v%u hc%u(", op->dom, op->vcpu, op->nr);
    /* Clamps keep formatting an invalid program (for a report) inside the arrays. */
    for (unsigned i = 0; i < op->nr_args && i < PROG_MAX_ARGS; i++) {
        if (i)
            prog_out_printf(o, ", ");
        if (hc && hc->hints[i] == ABI_H_FLAGS)
            prog_out_flags(o, &op->args[i]);
        else
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
                            prog_kind_name(op->kind),
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
        case OP_MIGRATE: {
            const char *ph = prog_migrate_phase_name(op->imm);
            prog_out_printf(&o, "migrate d%u %s", op->dom, ph ? ph : "?");
            break;
        }
        case OP_EXIT:
            prog_out_exit(&o, op);
            break;
        case OP_GUEST_CODE:
            /* guest_code d1 v0 budget=1000 payload=hex:... fixup@... */
            prog_out_printf(&o, "guest_code d%u v%u", op->dom, op->vcpu);
            if (op->imm)
                prog_out_printf(&o, " budget=%llu", (unsigned long long)op->imm);
            prog_out_payload(&o, op);
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
        else if (op->kind == OP_GUEST_CODE)
            prog_out_code_disasm(&o, op);
        prog_out_char(&o, '\n');
    }
    return o.len;
}

size_t prog_text_error_format(const struct prog_text_error *err, const char *file, char *buf,
                              size_t cap)
{
    struct prog_out o = { .buf = buf, .cap = cap, .len = 0 };
    const char *s;

    if (cap)
        buf[0] = '\0';
    /* the file name and the reason may be longer than prog_out_printf's chunk */
    for (s = file ? file : "<text>"; *s; s++)
        prog_out_char(&o, *s);
    if (err->line)
        prog_out_printf(&o, ":%u", err->line);
    if (err->line && err->col)
        prog_out_printf(&o, ":%u", err->col);
    prog_out_printf(&o, ": ");
    for (s = err->reason; *s; s++)
        prog_out_char(&o, *s);
    if (err->line && err->col)
        prog_out_printf(&o, err->token[0] ? " (near '%s')" : " (at the end of the line)",
                        err->token);
    return o.len;
}
