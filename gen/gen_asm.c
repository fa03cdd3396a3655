/* A small x86-64 assembler for generated guest code (the forms the code family emits) and its scanner. */
#include <string.h>

#include "gen/gen_asm.h"

#define F(nm, c, ...) { .name = nm, .cls = c, .len = sizeof((uint8_t[]){ __VA_ARGS__ }), \
                        .bytes = { __VA_ARGS__ } }
const struct gen_asm_form gen_asm_forms[GF_NR] = {
    [GF_SYSCALL] = F("syscall", GA_SYSCALL, 0x0F, 0x05),
    [GF_CPUID] = F("cpuid", GA_CPUID, 0x0F, 0xA2),
    [GF_RDMSR] = F("rdmsr", GA_RDMSR, 0x0F, 0x32),
    [GF_WRMSR] = F("wrmsr", GA_WRMSR, 0x0F, 0x30),
    [GF_HLT] = F("hlt", GA_HLT, 0xF4),
    [GF_RDTSC] = F("rdtsc", GA_RDTSC, 0x0F, 0x31),
    [GF_RDTSCP] = F("rdtscp", GA_RDTSCP, 0x0F, 0x01, 0xF9),
    [GF_INVLPG] = F("invlpg [rbx]", GA_PRIV, 0x0F, 0x01, 0x3B),
    [GF_CLI] = F("cli", GA_PRIV, 0xFA),
    [GF_STI] = F("sti", GA_PRIV, 0xFB),
    [GF_MOV_CR3] = F("mov cr3, rax", GA_PRIV, 0x0F, 0x22, 0xD8),
    [GF_MOV_FROM_CR0] = F("mov rax, cr0", GA_PRIV, 0x0F, 0x20, 0xC0),
    [GF_LGDT] = F("lgdt [rbx]", GA_PRIV, 0x0F, 0x01, 0x13),
    [GF_WBINVD] = F("wbinvd", GA_PRIV, 0x0F, 0x09),
    [GF_CLTS] = F("clts", GA_PRIV, 0x0F, 0x06),
    [GF_UD2] = F("ud2", GA_UD, 0x0F, 0x0B),
    [GF_BAD_OPCODE] = F("(bad: push es)", GA_UD, 0x06),   /* invalid in 64-bit mode */
    [GF_STD] = F("std", GA_STD, 0xFD),
    [GF_CLD] = F("cld", GA_CLD, 0xFC),
    [GF_NOP] = F("nop", GA_NOP, 0x90),
    [GF_RET] = F("ret", GA_RET, 0xC3),
};
#undef F

void gen_asm_init(struct gen_asm *a, unsigned cap)
{
    a->len = 0;
    a->nfix = 0;
    a->full = false;
    a->cap = cap < PROG_MAX_PAYLOAD ? cap : PROG_MAX_PAYLOAD;
    a->fix_cap = PROG_MAX_FIXUPS;
}

/* Room for n more bytes; once something did not fit, nothing more goes in (no half pieces). */
static bool gen_asm_room(struct gen_asm *a, unsigned n)
{
    if (a->full || a->len + n > a->cap) {
        a->full = true;
        return false;
    }
    return true;
}

bool gen_asm_bytes(struct gen_asm *a, const uint8_t *bytes, unsigned n)
{
    if (!gen_asm_room(a, n))
        return false;
    memcpy(a->b + a->len, bytes, n);
    a->len += n;
    return true;
}

bool gen_asm_fixed(struct gen_asm *a, enum gen_asm_fixed f)
{
    return f < GF_NR && gen_asm_bytes(a, gen_asm_forms[f].bytes, gen_asm_forms[f].len);
}

static void gen_asm_put(struct gen_asm *a, unsigned off, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++)
        a->b[off + i] = (uint8_t)(v >> (8 * i));
}

bool gen_asm_mov_imm(struct gen_asm *a, unsigned reg, uint64_t v)
{
    uint8_t b[10];
    unsigned n = 0;

    if (v <= 0xFFFFFFFFULL) {
        if (reg >= 8)
            b[n++] = 0x41;
        b[n++] = (uint8_t)(0xB8 + (reg & 7U));
        for (unsigned i = 0; i < 4; i++)
            b[n++] = (uint8_t)(v >> (8 * i));
    } else {
        b[n++] = (uint8_t)(0x48 | (reg >= 8));
        b[n++] = (uint8_t)(0xB8 + (reg & 7U));
        for (unsigned i = 0; i < 8; i++)
            b[n++] = (uint8_t)(v >> (8 * i));
    }
    return gen_asm_bytes(a, b, n);
}

bool gen_asm_mov_arg(struct gen_asm *a, unsigned reg, struct prog_arg arg, bool data,
                     bool have_static, uint64_t static_val)
{
    if (arg.kind == ARG_IMM)
        return gen_asm_mov_imm(a, reg, arg.imm);
    if (a->nfix >= a->fix_cap || a->nfix >= PROG_MAX_FIXUPS) {
        if (!have_static) {
            a->full = true;
            return false;
        }
        return gen_asm_mov_imm(a, reg, static_val);
    }
    if (!gen_asm_room(a, 10))
        return false;
    a->b[a->len] = (uint8_t)(0x48 | (reg >= 8));
    a->b[a->len + 1] = (uint8_t)(0xB8 + (reg & 7U));
    gen_asm_put(a, a->len + 2, 8, 0);
    a->fix[a->nfix].off = (uint16_t)(a->len + 2);
    a->fix[a->nfix].width = 8;
    a->fix[a->nfix].arg = arg;
    a->fix_data[a->nfix] = data && arg.kind == ARG_PAYLOAD;
    a->nfix++;
    a->len += 10;
    return true;
}

bool gen_asm_mem(struct gen_asm *a, bool store, unsigned reg, unsigned base, unsigned size)
{
    uint8_t b[4];
    unsigned n = 0;
    uint8_t rex = (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg >= 8 ? 4 : 0) | (base >= 8 ? 1 : 0));

    if (size == 2)
        b[n++] = 0x66;
    /* a byte access names sil/dil/spl/bpl only with a REX prefix (else ah..bh) */
    if (rex != 0x40 || (size == 1 && reg >= 4))
        b[n++] = rex;
    b[n++] = (uint8_t)((store ? 0x88 : 0x8A) | (size != 1));
    b[n++] = (uint8_t)(((reg & 7U) << 3) | (base & 7U));
    return gen_asm_bytes(a, b, n);
}

int gen_asm_store_rip(struct gen_asm *a, unsigned size, uint32_t imm)
{
    uint8_t b[11];
    unsigned n = 0, w = size == 1 ? 1U : size == 2 ? 2U : 4U, at = a->len;

    if (size == 2)
        b[n++] = 0x66;
    b[n++] = size == 1 ? 0xC6 : 0xC7;
    b[n++] = 0x05;                         /* mod 00, rm 101: [rip+disp32] */
    memset(b + n, 0, 4);
    n += 4;
    for (unsigned i = 0; i < w; i++)
        b[n++] = (uint8_t)(imm >> (8 * i));
    return gen_asm_bytes(a, b, n) ? (int)at : -1;
}

void gen_asm_rip_target(struct gen_asm *a, unsigned at, unsigned target)
{
    struct gen_asm_insn in;

    if (at < a->len && gen_asm_scan(a->b + at, a->len - at, &in) && in.base == X86_RIP)
        gen_asm_put(a, at + in.rel_off, 4, (uint64_t)((int64_t)target - (int64_t)(at + in.len)));
}

bool gen_asm_call(struct gen_asm *a, unsigned reg)
{
    uint8_t b[3] = { 0x41, 0xFF, (uint8_t)(0xD0 + (reg & 7U)) };

    return reg >= 8 ? gen_asm_bytes(a, b, 3) : gen_asm_bytes(a, b + 1, 2);
}

bool gen_asm_dec(struct gen_asm *a, unsigned reg)
{
    uint8_t b[3] = { 0x41, 0xFF, (uint8_t)(0xC8 + (reg & 7U)) };

    return reg >= 8 ? gen_asm_bytes(a, b, 3) : gen_asm_bytes(a, b + 1, 2);
}

bool gen_asm_jnz(struct gen_asm *a, unsigned target)
{
    int64_t rel = (int64_t)target - (int64_t)(a->len + 2U);
    uint8_t b[2] = { 0x75, (uint8_t)rel };

    if (rel < -128 || rel > 127) {
        a->full = true;
        return false;
    }
    return gen_asm_bytes(a, b, 2);
}

/* ---- the scanner ---------------------------------------------------------------------------- */

/* A ModRM memory operand at b[0] (mod 00/01/10, no SIB): its length with displacement, base. */
static unsigned gen_asm_modrm_mem(const uint8_t *b, unsigned len, uint8_t rex,
                                  struct gen_asm_insn *in, unsigned at)
{
    unsigned mod, rm;

    if (!len)
        return 0;
    mod = b[0] >> 6;
    rm = b[0] & 7U;
    if (mod == 3 || rm == 4)
        return 0;
    if (mod == 0 && rm == 5) {
        if (len < 5)
            return 0;
        in->base = X86_RIP;
        in->rel_off = (uint8_t)(at + 1);
        in->rel_len = 4;
        in->rel = (int32_t)((uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 |
                            (uint32_t)b[4] << 24);
        return 5;
    }
    in->base = (uint8_t)(rm | ((rex & 1U) << 3));
    if (mod == 1)
        return len >= 2 ? 2 : 0;
    if (mod == 2)
        return len >= 5 ? 5 : 0;
    return 1;
}

static uint64_t gen_asm_get(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Fixed forms other than those the switch below decodes with operands. */
static unsigned gen_asm_scan_fixed(const uint8_t *b, unsigned len, struct gen_asm_insn *in)
{
    for (unsigned f = 0; f < GF_NR; f++) {
        const struct gen_asm_form *x = &gen_asm_forms[f];
        if (x->len <= len && !memcmp(b, x->bytes, x->len)) {
            in->cls = x->cls;
            return x->len;
        }
    }
    return 0;
}

unsigned gen_asm_scan(const uint8_t *b, unsigned len, struct gen_asm_insn *in)
{
    unsigned i = 0, n;
    bool o16 = false;
    uint8_t rex = 0;

    memset(in, 0, sizeof(*in));
    in->reg = in->base = X86_NOREG;
    for (; i < len && i < 4; i++) {
        if (b[i] == 0x66)
            o16 = true;
        else if (b[i] == 0xF3)
            in->rep = true;
        else if (b[i] == 0x67)
            in->a32 = true;   /* the exit templates' 32-bit string addressing */
        else
            break;
    }
    if (i < len && (b[i] & 0xF0) == 0x40)
        rex = b[i++];
    if (i >= len)
        return 0;
    uint8_t op = b[i];
    unsigned left = len - i;
    unsigned esize = (op & 1U) ? (o16 ? 2U : 4U) : 1U;
    switch (op) {
    case 0x88: case 0x89: case 0x8A: case 0x8B:
        if (!(n = gen_asm_modrm_mem(b + i + 1, left - 1, rex, in, i + 1)))
            return 0;
        in->cls = op & 2 ? GA_LOAD : GA_STORE;
        in->size = (uint8_t)((rex & 8) && (op & 1) ? 8U : esize);
        in->reg = (uint8_t)(((b[i + 1] >> 3) & 7U) | ((rex & 4U) << 1));
        in->len = (uint8_t)(i + 1 + n);
        return in->len;
    case 0xC6: case 0xC7: {
        unsigned w = op == 0xC6 ? 1U : o16 ? 2U : 4U;
        if (left < 2 || ((b[i + 1] >> 3) & 7U) ||
            !(n = gen_asm_modrm_mem(b + i + 1, left - 1, rex, in, i + 1)) || left < 1 + n + w)
            return 0;
        in->cls = GA_STORE_IMM;
        in->size = (uint8_t)((rex & 8) && op == 0xC7 ? 8U : w);
        in->imm_off = (uint8_t)(i + 1 + n);
        in->imm_len = (uint8_t)w;
        in->imm = gen_asm_get(b + i + 1 + n, w);
        in->len = (uint8_t)(i + 1 + n + w);
        return in->len;
    }
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        if (left < 2)
            return 0;
        in->cls = op & 2 ? GA_OUT : GA_IN;
        in->size = (uint8_t)esize;
        in->port_imm = true;
        in->imm_off = (uint8_t)(i + 1);
        in->imm_len = 1;
        in->imm = b[i + 1];
        in->len = (uint8_t)(i + 2);
        return in->len;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        in->cls = op & 2 ? GA_OUT : GA_IN;
        in->size = (uint8_t)esize;
        in->len = (uint8_t)(i + 1);
        return in->len;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
        in->cls = op & 2 ? GA_OUTS : GA_INS;
        in->size = (uint8_t)esize;
        in->len = (uint8_t)(i + 1);
        return in->len;
    case 0xFF:
        if (left < 2 || (b[i + 1] >> 6) != 3)
            return 0;
        if (((b[i + 1] >> 3) & 7U) == 2)
            in->cls = GA_CALL;
        else if (((b[i + 1] >> 3) & 7U) == 1)
            in->cls = GA_DEC;
        else
            return 0;
        in->reg = (uint8_t)((b[i + 1] & 7U) | ((rex & 1U) << 3));
        in->len = (uint8_t)(i + 2);
        return in->len;
    case 0x75:
        if (left < 2)
            return 0;
        in->cls = GA_JNZ;
        in->rel_off = (uint8_t)(i + 1);
        in->rel_len = 1;
        in->rel = (int8_t)b[i + 1];
        in->len = (uint8_t)(i + 2);
        return in->len;
    default:
        break;
    }
    if (op >= 0xB8 && op <= 0xBF) {
        unsigned w = (rex & 8) ? 8U : 4U;
        if (left < 1 + w)
            return 0;
        in->cls = GA_MOV_IMM;
        in->size = (uint8_t)w;
        in->reg = (uint8_t)((op & 7U) | ((rex & 1U) << 3));
        in->imm_off = (uint8_t)(i + 1);
        in->imm_len = (uint8_t)w;
        in->imm = gen_asm_get(b + i + 1, w);
        in->len = (uint8_t)(i + 1 + w);
        return in->len;
    }
    /* invlpg, lgdt with other memory operands than the fixed forms' [rbx] */
    if (op == 0x0F && left >= 3 && b[i + 1] == 0x01 && (b[i + 2] >> 6) != 3 &&
        (((b[i + 2] >> 3) & 7U) == 7 || ((b[i + 2] >> 3) & 7U) == 2)) {
        if (!(n = gen_asm_modrm_mem(b + i + 2, left - 2, rex, in, i + 2)))
            return 0;
        in->cls = GA_PRIV;
        in->len = (uint8_t)(i + 2 + n);
        return in->len;
    }
    if (op == 0x0F && left >= 3 && (b[i + 1] == 0x20 || b[i + 1] == 0x22) && (b[i + 2] >> 6) == 3) {
        in->cls = GA_PRIV;
        in->len = (uint8_t)(i + 3);
        return in->len;
    }
    if (!(n = gen_asm_scan_fixed(b + i, left, in)))
        return 0;
    in->len = (uint8_t)(i + n);
    return in->len;
}

unsigned gen_asm_code_len(const uint8_t *b, unsigned len)
{
    struct gen_asm_insn in;
    unsigned off = 0, n;

    while (off < len && (n = gen_asm_scan(b + off, len - off, &in))) {
        off += n;
        if (in.cls == GA_RET)
            break;
    }
    return off;
}
