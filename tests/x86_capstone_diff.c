/* Differential check of the monitor's x86 decoder against Capstone 4: one decode, field by field. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* our tags under other names, so that Capstone's x86_reg and x86_insn can be declared too */
#define x86_reg  hvfuzz_x86_reg
#define x86_insn hvfuzz_x86_insn
#include "x86_capstone_diff.h"
#undef x86_reg
#undef x86_insn
#include <capstone/capstone.h>

struct x86_cs {
    csh      h;
    cs_insn *insn;      /* reused by every comparison: no allocation per instruction */
};

/* Our register numbers by width (1, 2, 4, 8 bytes) as Capstone's ids; 0 (X86_REG_INVALID) where
   the register has no such name. */
static const uint16_t x86_cs_regs[X86_RIP + 1][4] = {
    [X86_RAX] = { X86_REG_AL, X86_REG_AX, X86_REG_EAX, X86_REG_RAX },
    [X86_RCX] = { X86_REG_CL, X86_REG_CX, X86_REG_ECX, X86_REG_RCX },
    [X86_RDX] = { X86_REG_DL, X86_REG_DX, X86_REG_EDX, X86_REG_RDX },
    [X86_RBX] = { X86_REG_BL, X86_REG_BX, X86_REG_EBX, X86_REG_RBX },
    [X86_RSP] = { X86_REG_SPL, X86_REG_SP, X86_REG_ESP, X86_REG_RSP },
    [X86_RBP] = { X86_REG_BPL, X86_REG_BP, X86_REG_EBP, X86_REG_RBP },
    [X86_RSI] = { X86_REG_SIL, X86_REG_SI, X86_REG_ESI, X86_REG_RSI },
    [X86_RDI] = { X86_REG_DIL, X86_REG_DI, X86_REG_EDI, X86_REG_RDI },
    [X86_R8]  = { X86_REG_R8B, X86_REG_R8W, X86_REG_R8D, X86_REG_R8 },
    [X86_R9]  = { X86_REG_R9B, X86_REG_R9W, X86_REG_R9D, X86_REG_R9 },
    [X86_R10] = { X86_REG_R10B, X86_REG_R10W, X86_REG_R10D, X86_REG_R10 },
    [X86_R11] = { X86_REG_R11B, X86_REG_R11W, X86_REG_R11D, X86_REG_R11 },
    [X86_R12] = { X86_REG_R12B, X86_REG_R12W, X86_REG_R12D, X86_REG_R12 },
    [X86_R13] = { X86_REG_R13B, X86_REG_R13W, X86_REG_R13D, X86_REG_R13 },
    [X86_R14] = { X86_REG_R14B, X86_REG_R14W, X86_REG_R14D, X86_REG_R14 },
    [X86_R15] = { X86_REG_R15B, X86_REG_R15W, X86_REG_R15D, X86_REG_R15 },
    [X86_AH]  = { X86_REG_AH },
    [X86_CH]  = { X86_REG_CH },
    [X86_DH]  = { X86_REG_DH },
    [X86_BH]  = { X86_REG_BH },
    [X86_RIP] = { 0, X86_REG_IP, X86_REG_EIP, X86_REG_RIP },
};

static unsigned x86_cs_reg(unsigned reg, unsigned size)
{
    static const int8_t width_idx[9] = { -1, 0, 1, -1, 2, -1, -1, -1, 3 };
    if (reg == X86_NOREG)
        return X86_REG_INVALID;
    if (reg > X86_RIP || size > 8 || width_idx[size] < 0)
        return ~0U;     /* matches nothing Capstone can report */
    return x86_cs_regs[reg][width_idx[size]];
}

static unsigned x86_cs_seg(uint8_t prefix)
{
    switch (prefix) {
    case 0x26: return X86_REG_ES;
    case 0x2E: return X86_REG_CS;
    case 0x36: return X86_REG_SS;
    case 0x3E: return X86_REG_DS;
    case 0x64: return X86_REG_FS;
    case 0x65: return X86_REG_GS;
    default:   return X86_REG_INVALID;
    }
}

static const char *x86_cs_name(csh h, unsigned reg)
{
    const char *n = reg ? cs_reg_name(h, reg) : NULL;
    return n ? n : "none";
}

struct x86_cs *x86_cs_open(void)
{
    struct x86_cs *cs = calloc(1, sizeof(*cs));
    if (!cs)
        return NULL;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs->h) != CS_ERR_OK) {
        free(cs);
        return NULL;
    }
    if (cs_option(cs->h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK ||
        !(cs->insn = cs_malloc(cs->h))) {
        x86_cs_close(cs);
        return NULL;
    }
    return cs;
}

void x86_cs_close(struct x86_cs *cs)
{
    if (!cs)
        return;
    if (cs->insn)
        cs_free(cs->insn, 1);
    cs_close(&cs->h);
    free(cs);
}

static bool x86_cs_decode(struct x86_cs *cs, const uint8_t *bytes, size_t len)
{
    const uint8_t *p = bytes;
    size_t n = len;
    uint64_t addr = 0x1000;
    return cs_disasm_iter(cs->h, &p, &n, &addr, cs->insn);
}

/* Capstone spells the operand size into string mnemonics and says movabs for the 64-bit moffs
   and imm64 forms of mov; the rep/repne/lock prefix is part of its mnemonic. */
static void x86_cs_expected_mnemonic(const struct hvfuzz_x86_insn *in, char *buf, size_t n)
{
    const char *pfx = in->lock ? "lock " : in->rep ? "rep " : in->repne ? "repne " : "";
    const char *name = x86_mnemonic_name(in->mnemonic);
    const char *suffix = "";
    if (in->mnemonic == X86_STOS || in->mnemonic == X86_MOVS)
        suffix = in->opsize == 1 ? "b" : in->opsize == 2 ? "w" : in->opsize == 4 ? "d" : "q";
    if (in->mnemonic == X86_MOV &&
        ((in->opcode >= 0xA0 && in->opcode <= 0xA3 && in->addrsize == 8) ||
         (in->opcode >= 0xB8 && in->opcode <= 0xBF && in->op[0].size == 8)))
        name = "movabs";
    snprintf(buf, n, "%s%s%s", pfx, name, suffix);
}

static int x86_cs_diff(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int x86_cs_diff(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return -1;
}

/* Immediates: Capstone sign-extends some to 64 bits and not others (80 c0 ff is 0xff, 83 c0 ff
   is -1 at 32 bits); the CPU uses the value at the operand's width, so that is what we compare. */
static uint64_t x86_cs_trunc(int64_t v, unsigned size)
{
    return size >= 8 ? (uint64_t)v : (uint64_t)v & ((1ULL << (8 * size)) - 1);
}

static int x86_cs_operand(csh h, const struct hvfuzz_x86_insn *in, unsigned i, const cs_x86_op *c,
                          char *why, size_t why_len)
{
    const struct x86_operand *o = &in->op[i];
    static const int kinds[] = { [X86_OPND_REG] = X86_OP_REG, [X86_OPND_MEM] = X86_OP_MEM,
                                 [X86_OPND_IMM] = X86_OP_IMM };
    if (o->kind == X86_OPND_NONE || o->kind > X86_OPND_IMM || (int)c->type != kinds[o->kind])
        return x86_cs_diff(why, why_len, "op%u kind %u, capstone type %d", i, o->kind, c->type);
    if (o->size != c->size)
        return x86_cs_diff(why, why_len, "op%u size %u, capstone %u", i, o->size, c->size);
    switch (o->kind) {
    case X86_OPND_REG:
        if (x86_cs_reg(o->reg, o->size) != (unsigned)c->reg)
            return x86_cs_diff(why, why_len, "op%u reg %s, capstone %s", i,
                               x86_reg_name(o->reg, o->size), x86_cs_name(h, c->reg));
        break;
    case X86_OPND_IMM:
        if (x86_cs_trunc(o->imm, o->size) != x86_cs_trunc(c->imm, c->size))
            return x86_cs_diff(why, why_len, "op%u imm %#" PRIx64 ", capstone %#" PRIx64, i,
                               (uint64_t)o->imm, (uint64_t)c->imm);
        break;
    case X86_OPND_MEM:
        if (x86_cs_seg(o->mem.seg) != (unsigned)c->mem.segment)
            return x86_cs_diff(why, why_len, "op%u segment %#x, capstone %u", i, o->mem.seg,
                               c->mem.segment);
        if (x86_cs_reg(o->mem.base, in->addrsize) != (unsigned)c->mem.base)
            return x86_cs_diff(why, why_len, "op%u base %s, capstone %s", i,
                               x86_reg_name(o->mem.base, in->addrsize),
                               x86_cs_name(h, c->mem.base));
        if (x86_cs_reg(o->mem.index, in->addrsize) != (unsigned)c->mem.index)
            return x86_cs_diff(why, why_len, "op%u index %s, capstone %s", i,
                               x86_reg_name(o->mem.index, in->addrsize),
                               x86_cs_name(h, c->mem.index));
        if (o->mem.scale != c->mem.scale)
            return x86_cs_diff(why, why_len, "op%u scale %u, capstone %d", i, o->mem.scale,
                               c->mem.scale);
        if (o->mem.disp != c->mem.disp)
            return x86_cs_diff(why, why_len, "op%u disp %#" PRIx64 ", capstone %#" PRIx64, i,
                               (uint64_t)o->mem.disp, (uint64_t)c->mem.disp);
        break;
    }
    return 0;
}

/*
 * Capstone 4 misdecode: when the byte before the opcode (or before a single REX in front of it)
 * is F3 and a 66 came earlier, Capstone treats the pair like an SSE mandatory prefix and drops the
 * operand-size override of stos/movs: 66 f3 ab is rep stosw on the CPU (and how GAS encodes rep
 * stosw) but Capstone says rep stosd; f3 66 ab and 66 f3 40 40 ab (two REX) it gets right. For
 * these bytes we compare against our decode with the override dropped, which is what Capstone
 * reports; everything else is still compared.
 */
static bool x86_cs_66_rep_quirk(const uint8_t *b, const struct hvfuzz_x86_insn *in)
{
    if (!in->rep || in->opsize != 2 || (in->mnemonic != X86_STOS && in->mnemonic != X86_MOVS))
        return false;
    size_t op = 0;      /* stos/movs are one-byte opcodes: the first byte that is no prefix */
    while (op < in->len && b[op] != 0xAA && b[op] != 0xAB && b[op] != 0xA4 && b[op] != 0xA5)
        op++;
    size_t k = op;
    if (k > 0 && (b[k - 1] & 0xF0U) == 0x40)
        k--;
    if (k == 0 || b[k - 1] != 0xF3)
        return false;
    return memchr(b, 0x66, k - 1) != NULL;
}

int x86_cs_compare(struct x86_cs *cs, const uint8_t *bytes, size_t len,
                   const struct hvfuzz_x86_insn *in, char *why, size_t why_len)
{
    struct hvfuzz_x86_insn as_capstone;
    if (x86_cs_66_rep_quirk(bytes, in)) {
        as_capstone = *in;
        as_capstone.opsize = 4;
        for (unsigned i = 0; i < as_capstone.nr_operands; i++)
            as_capstone.op[i].size = 4;
        in = &as_capstone;
    }
    if (!x86_cs_decode(cs, bytes, len))
        return x86_cs_diff(why, why_len, "capstone: invalid instruction");
    const cs_insn *ci = cs->insn;
    const cs_x86 *cx = &ci->detail->x86;
    char mn[32];

    if (ci->size != in->len)
        return x86_cs_diff(why, why_len, "length %u, capstone %u", in->len, ci->size);
    x86_cs_expected_mnemonic(in, mn, sizeof(mn));
    /* Capstone 4 quirk: moffs forms with 32-bit addresses are spelled movabs when 66 or REX.W
       is also present (67 48 a0 11 22 33 44, 66 67 a2 11 22 33 44, 66 67 48 a1 11 22 33 44), mov
       otherwise; the length and operands still agree and are compared below. */
    bool moffs32_quirk = in->opcode >= 0xA0 && in->opcode <= 0xA3 && in->addrsize == 4 &&
                         !strcmp(ci->mnemonic, "movabs");
    if (strcmp(mn, ci->mnemonic) != 0 && !moffs32_quirk)
        return x86_cs_diff(why, why_len, "mnemonic %s, capstone %s", mn, ci->mnemonic);
    unsigned op0 = in->opcode > 0xFF ? 0x0F : in->opcode;
    if (cx->opcode[0] != op0 || (in->opcode > 0xFF && cx->opcode[1] != (in->opcode & 0xFF)))
        return x86_cs_diff(why, why_len, "opcode %#x, capstone %02x %02x", in->opcode,
                           cx->opcode[0], cx->opcode[1]);
    if (cx->addr_size != in->addrsize)
        return x86_cs_diff(why, why_len, "address size %u, capstone %u", in->addrsize,
                           cx->addr_size);
    if (cx->rex != in->rex)
        return x86_cs_diff(why, why_len, "rex %#x, capstone %#x", in->rex, cx->rex);
    if (cx->op_count != in->nr_operands)
        return x86_cs_diff(why, why_len, "%u operands, capstone %u", in->nr_operands,
                           cx->op_count);
    unsigned cs_access = 0;
    for (unsigned i = 0; i < in->nr_operands; i++) {
        if (x86_cs_operand(cs->h, in, i, &cx->operands[i], why, why_len) != 0)
            return -1;
        if (cx->operands[i].type == X86_OP_MEM)
            cs_access |= cx->operands[i].access;
    }
    unsigned access = (in->mem_read ? CS_AC_READ : 0U) | (in->mem_write ? CS_AC_WRITE : 0U);
    /* Capstone 4 quirk: test with an immediate (f6 /0, f7 /0) reports its memory operand as
       read and written (f6 00 00: access 3); test only reads, as Capstone says for 84/85. */
    if ((in->opcode == 0xF6 || in->opcode == 0xF7) && in->mnemonic == X86_TEST &&
        access == CS_AC_READ && cs_access == (CS_AC_READ | CS_AC_WRITE))
        cs_access = CS_AC_READ;
    if (access != cs_access)
        return x86_cs_diff(why, why_len, "memory access %u, capstone %u", access, cs_access);
    return 0;
}

bool x86_cs_describe(struct x86_cs *cs, const uint8_t *bytes, size_t len, char *buf, size_t n)
{
    if (!x86_cs_decode(cs, bytes, len)) {
        snprintf(buf, n, "(invalid)");
        return false;
    }
    snprintf(buf, n, "%s %s (len %u)", cs->insn->mnemonic, cs->insn->op_str, cs->insn->size);
    return cs->insn->detail->x86.op_count > 0;
}

static size_t x86_operand_describe(const struct hvfuzz_x86_insn *in, const struct x86_operand *o,
                                   char *buf, size_t n)
{
    switch (o->kind) {
    case X86_OPND_REG:
        return (size_t)snprintf(buf, n, "%s", x86_reg_name(o->reg, o->size));
    case X86_OPND_IMM:
        return (size_t)snprintf(buf, n, "%#" PRIx64, (uint64_t)o->imm);
    case X86_OPND_MEM:
        return (size_t)snprintf(buf, n, "m%u seg %02x [%s + %s*%u + %#" PRIx64 "]", o->size,
                                o->mem.seg,
                                o->mem.base == X86_NOREG ? "-" : x86_reg_name(o->mem.base, in->addrsize),
                                o->mem.index == X86_NOREG ? "-" : x86_reg_name(o->mem.index, in->addrsize),
                                o->mem.scale, (uint64_t)o->mem.disp);
    default:
        return (size_t)snprintf(buf, n, "?");
    }
}

void x86_insn_describe(const struct hvfuzz_x86_insn *in, char *buf, size_t n)
{
    char mn[32];
    x86_cs_expected_mnemonic(in, mn, sizeof(mn));
    size_t k = (size_t)snprintf(buf, n, "%s", mn);
    for (unsigned i = 0; i < in->nr_operands && k < n; i++) {
        k += (size_t)snprintf(buf + k, n - k, "%s", i ? ", " : " ");
        if (k < n)
            k += x86_operand_describe(in, &in->op[i], buf + k, n - k);
    }
    if (k < n)
        snprintf(buf + k, n - k, " (len %u, r%d w%d)", in->len, in->mem_read, in->mem_write);
}
