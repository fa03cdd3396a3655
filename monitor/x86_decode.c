/* The monitor's x86-64 instruction decoder: prefixes, REX, ModRM/SIB and the forms guests use on MMIO. */
#include <string.h>
#include "hvfuzz/x86.h"

/*
 * Everything the decoder knows about opcodes is in the tables below; the code only walks the
 * encoding (prefixes, opcode, ModRM, SIB, displacement, immediate) and fills operands from the
 * table row. An opcode with no row is X86_E_UNSUPPORTED: the exit handler injects #UD rather than
 * emulate an instruction it cannot describe exactly.
 */

/* Operand layouts, destination first (Intel order, as Capstone reports them). */
enum x86_form {
    XF_NONE = 0,    /* no row: unsupported */
    XF_E_G,         /* r/m, reg */
    XF_G_E,         /* reg, r/m */
    XF_E_I,         /* r/m, imm */
    XF_ACC_I,       /* al/ax/eax/rax, imm */
    XF_OREG_I,      /* register in the opcode's low 3 bits, imm */
    XF_ACC_MOFFS,   /* accumulator, [moffs] */
    XF_MOFFS_ACC,   /* [moffs], accumulator */
    XF_STOS,        /* [rdi], accumulator */
    XF_MOVS,        /* [rdi], [rsi] */
};

enum x86_imm_kind {
    XI_NONE = 0,
    XI_B,           /* imm8, sign-extended to the operand size */
    XI_Z,           /* imm16 with a 16-bit operand, else imm32 (sign-extended for 64-bit) */
    XI_V,           /* imm16/32/64 by operand size: only mov r, imm (B8+r) */
    XI_BITOFF,      /* imm8 bit offset of bt*: the CPU takes it modulo the width, unsigned */
};

#define XD_BYTE     0x01    /* byte operation: operand size 1 whatever 66 or REX.W say */
#define XD_GROUP    0x02    /* ModRM.reg selects the mnemonic; .mnemonic is an x86_group */
#define XD_SRC8     0x04    /* r/m source is a byte (movzx/movsx) */
#define XD_SRC16    0x08    /* r/m source is a word (movzx/movsx) */
#define XD_SRC32    0x10    /* r/m source is a dword (movsxd) */
#define XD_REXW     0x20    /* only with REX.W (movsxd: see the 63 row) */
#define XD_STRING   0x40    /* a string instruction: F2/F3 mean repeat */

struct x86_desc {
    uint8_t mnemonic;   /* enum x86_mnemonic, or enum x86_group with XD_GROUP */
    uint8_t form;       /* enum x86_form */
    uint8_t imm;        /* enum x86_imm_kind */
    uint8_t flags;      /* XD_* */
};

enum x86_group { XG_NONE = 0, XG_1, XG_3, XG_8, XG_11, XG_NR };

/* ModRM.reg -> mnemonic; 0 (X86_INVALID) = not supported. */
static const uint8_t x86_groups[XG_NR][8] = {
    /* 80/81/83: adc (/2) and sbb (/3) are outside the supported set */
    [XG_1] = { X86_ADD, X86_OR, 0, 0, X86_AND, X86_SUB, X86_XOR, X86_CMP },
    /* F6/F7: /1 is an undocumented alias of test that not every decoder agrees on; /2-/7 are
       not/neg/mul/imul/div/idiv */
    [XG_3] = { X86_TEST },
    /* 0F BA: /0-/3 are undefined */
    [XG_8] = { [4] = X86_BT, X86_BTS, X86_BTR, X86_BTC },
    /* C6/C7: /7 is xabort/xbegin, the rest undefined */
    [XG_11] = { X86_MOV },
};

/* The six binary ALU operations share one layout at 8-byte strides of the one-byte map. */
#define X86_ALU_ROWS(op, m)                                              \
    [(op) + 0] = { (m), XF_E_G, XI_NONE, XD_BYTE },                      \
    [(op) + 1] = { (m), XF_E_G, XI_NONE, 0 },                            \
    [(op) + 2] = { (m), XF_G_E, XI_NONE, XD_BYTE },                      \
    [(op) + 3] = { (m), XF_G_E, XI_NONE, 0 },                            \
    [(op) + 4] = { (m), XF_ACC_I, XI_B, XD_BYTE },                       \
    [(op) + 5] = { (m), XF_ACC_I, XI_Z, 0 }

#define X86_OREG_ROWS(op, imm, flags)                                    \
    [(op) + 0] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 1] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 2] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 3] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 4] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 5] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 6] = { X86_MOV, XF_OREG_I, (imm), (flags) },                 \
    [(op) + 7] = { X86_MOV, XF_OREG_I, (imm), (flags) }

static const struct x86_desc x86_map1[256] = {
    X86_ALU_ROWS(0x00, X86_ADD),
    X86_ALU_ROWS(0x08, X86_OR),
    X86_ALU_ROWS(0x20, X86_AND),
    X86_ALU_ROWS(0x28, X86_SUB),
    X86_ALU_ROWS(0x30, X86_XOR),
    X86_ALU_ROWS(0x38, X86_CMP),
    /* Without REX.W, 63 is a plain 32-bit move that decoders report inconsistently (Capstone 4
       calls 63 c0 "movsxd rax, eax"); guests only use movsxd with REX.W. */
    [0x63] = { X86_MOVSXD, XF_G_E, XI_NONE, XD_SRC32 | XD_REXW },
    [0x80] = { XG_1, XF_E_I, XI_B, XD_BYTE | XD_GROUP },
    [0x81] = { XG_1, XF_E_I, XI_Z, XD_GROUP },
    [0x83] = { XG_1, XF_E_I, XI_B, XD_GROUP },
    [0x84] = { X86_TEST, XF_E_G, XI_NONE, XD_BYTE },
    [0x85] = { X86_TEST, XF_E_G, XI_NONE, 0 },
    [0x86] = { X86_XCHG, XF_E_G, XI_NONE, XD_BYTE },
    [0x87] = { X86_XCHG, XF_E_G, XI_NONE, 0 },
    [0x88] = { X86_MOV, XF_E_G, XI_NONE, XD_BYTE },
    [0x89] = { X86_MOV, XF_E_G, XI_NONE, 0 },
    [0x8A] = { X86_MOV, XF_G_E, XI_NONE, XD_BYTE },
    [0x8B] = { X86_MOV, XF_G_E, XI_NONE, 0 },
    [0xA0] = { X86_MOV, XF_ACC_MOFFS, XI_NONE, XD_BYTE },
    [0xA1] = { X86_MOV, XF_ACC_MOFFS, XI_NONE, 0 },
    [0xA2] = { X86_MOV, XF_MOFFS_ACC, XI_NONE, XD_BYTE },
    [0xA3] = { X86_MOV, XF_MOFFS_ACC, XI_NONE, 0 },
    [0xA4] = { X86_MOVS, XF_MOVS, XI_NONE, XD_BYTE | XD_STRING },
    [0xA5] = { X86_MOVS, XF_MOVS, XI_NONE, XD_STRING },
    [0xA8] = { X86_TEST, XF_ACC_I, XI_B, XD_BYTE },
    [0xA9] = { X86_TEST, XF_ACC_I, XI_Z, 0 },
    [0xAA] = { X86_STOS, XF_STOS, XI_NONE, XD_BYTE | XD_STRING },
    [0xAB] = { X86_STOS, XF_STOS, XI_NONE, XD_STRING },
    X86_OREG_ROWS(0xB0, XI_B, XD_BYTE),
    X86_OREG_ROWS(0xB8, XI_V, 0),
    [0xC6] = { XG_11, XF_E_I, XI_B, XD_BYTE | XD_GROUP },
    [0xC7] = { XG_11, XF_E_I, XI_Z, XD_GROUP },
    [0xF6] = { XG_3, XF_E_I, XI_B, XD_BYTE | XD_GROUP },
    [0xF7] = { XG_3, XF_E_I, XI_Z, XD_GROUP },
};

static const struct x86_desc x86_map0f[256] = {
    [0xA3] = { X86_BT, XF_E_G, XI_NONE, 0 },
    [0xAB] = { X86_BTS, XF_E_G, XI_NONE, 0 },
    [0xB3] = { X86_BTR, XF_E_G, XI_NONE, 0 },
    [0xB6] = { X86_MOVZX, XF_G_E, XI_NONE, XD_SRC8 },
    [0xB7] = { X86_MOVZX, XF_G_E, XI_NONE, XD_SRC16 },
    [0xBA] = { XG_8, XF_E_I, XI_BITOFF, XD_GROUP },
    [0xBB] = { X86_BTC, XF_E_G, XI_NONE, 0 },
    [0xBE] = { X86_MOVSX, XF_G_E, XI_NONE, XD_SRC8 },
    [0xBF] = { X86_MOVSX, XF_G_E, XI_NONE, XD_SRC16 },
};

/* How an instruction treats its destination (its sources are read; xchg's are also written),
   and whether LOCK is legal with a memory destination (#UD otherwise). */
#define XA_R  1
#define XA_W  2
#define XA_RW (XA_R | XA_W)
static const struct x86_mnem_info {
    const char *name;
    uint8_t dst;
    uint8_t src;
    bool    lockable;
} x86_mnems[X86_NR_MNEMONICS] = {
    [X86_INVALID] = { "(invalid)", 0, 0, false },
    [X86_MOV]     = { "mov", XA_W, XA_R, false },
    [X86_MOVZX]   = { "movzx", XA_W, XA_R, false },
    [X86_MOVSX]   = { "movsx", XA_W, XA_R, false },
    [X86_MOVSXD]  = { "movsxd", XA_W, XA_R, false },
    [X86_STOS]    = { "stos", XA_W, XA_R, false },
    [X86_MOVS]    = { "movs", XA_W, XA_R, false },
    [X86_AND]     = { "and", XA_RW, XA_R, true },
    [X86_OR]      = { "or", XA_RW, XA_R, true },
    [X86_XOR]     = { "xor", XA_RW, XA_R, true },
    [X86_TEST]    = { "test", XA_R, XA_R, false },
    [X86_CMP]     = { "cmp", XA_R, XA_R, false },
    [X86_ADD]     = { "add", XA_RW, XA_R, true },
    [X86_SUB]     = { "sub", XA_RW, XA_R, true },
    [X86_XCHG]    = { "xchg", XA_RW, XA_RW, true },
    [X86_BT]      = { "bt", XA_R, XA_R, false },
    [X86_BTS]     = { "bts", XA_RW, XA_R, true },
    [X86_BTR]     = { "btr", XA_RW, XA_R, true },
    [X86_BTC]     = { "btc", XA_RW, XA_R, true },
};

/* Legacy prefixes by group; a byte with kind 0 is not a legacy prefix. */
enum x86_pfx_kind { XP_NONE = 0, XP_OPSIZE, XP_ADSIZE, XP_LOCK, XP_REP, XP_SEG };
static const uint8_t x86_pfx_kinds[256] = {
    [0x66] = XP_OPSIZE, [0x67] = XP_ADSIZE, [0xF0] = XP_LOCK,
    [0xF2] = XP_REP, [0xF3] = XP_REP,
    [0x26] = XP_SEG, [0x2E] = XP_SEG, [0x36] = XP_SEG, [0x3E] = XP_SEG,
    [0x64] = XP_SEG, [0x65] = XP_SEG,
};

#define REX_B(rex) ((unsigned)(rex) & 1U)
#define REX_X(rex) (((unsigned)(rex) >> 1) & 1U)
#define REX_R(rex) (((unsigned)(rex) >> 2) & 1U)
#define REX_W(rex) (((unsigned)(rex) >> 3) & 1U)

struct x86_dec {
    const uint8_t *bytes;
    size_t len;
    size_t pos;
};

/* The 15-byte limit comes first: past it the CPU faults whatever bytes would follow. */
static enum x86_decode_status x86_need(const struct x86_dec *d, size_t n)
{
    if (d->pos + n > X86_MAX_INSN_LEN)
        return X86_E_TOO_LONG;
    if (d->pos + n > d->len)
        return X86_E_TRUNCATED;
    return X86_OK;
}

static enum x86_decode_status x86_fetch(struct x86_dec *d, uint8_t *v)
{
    enum x86_decode_status st = x86_need(d, 1);
    if (st == X86_OK)
        *v = d->bytes[d->pos++];
    return st;
}

/* Little-endian n-byte field, already bounded by x86_need. */
static uint64_t x86_take(struct x86_dec *d, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)d->bytes[d->pos++] << (8 * i);
    return v;
}

static int64_t x86_sext(uint64_t v, unsigned bytes)
{
    if (bytes >= 8)
        return (int64_t)v;
    unsigned shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

/* Byte registers 4..7 are AH..BH unless any REX is present, which makes them SPL..DIL. */
static uint8_t x86_gpr(unsigned num, unsigned size, uint8_t rex)
{
    if (size == 1 && rex == 0 && num >= 4 && num <= 7)
        return (uint8_t)(X86_AH + (num - 4));
    return (uint8_t)num;
}

static void x86_set_reg(struct x86_operand *o, unsigned num, unsigned size, uint8_t rex)
{
    o->kind = X86_OPND_REG;
    o->size = (uint8_t)size;
    o->reg = x86_gpr(num, size, rex);
}

static void x86_set_imm(struct x86_operand *o, int64_t v, unsigned size)
{
    o->kind = X86_OPND_IMM;
    o->size = (uint8_t)size;
    o->imm = v;
}

static void x86_mem_init(struct x86_operand *o, unsigned size, uint8_t seg)
{
    o->kind = X86_OPND_MEM;
    o->size = (uint8_t)size;
    o->reg = X86_NOREG;
    o->mem.seg = seg;
    o->mem.base = X86_NOREG;
    o->mem.index = X86_NOREG;
    o->mem.scale = 1;
    o->mem.disp = 0;
}

/*
 * ModRM memory operand up to (not including) its displacement, whose size goes to *disp_size.
 * The special cases are the encoding's, not the register's: rm=100 means "a SIB follows" and
 * mod=00 rm=101 means RIP-relative whatever REX.B says (so [r12] needs a SIB and [r13] a disp8);
 * in a SIB, index=100 without REX.X means no index, and base=101 with mod=00 means no base and a
 * disp32, again whatever REX.B says.
 */
static enum x86_decode_status x86_modrm_mem(struct x86_dec *d, uint8_t modrm, uint8_t rex,
                                            struct x86_mem *m, unsigned *disp_size)
{
    unsigned mod = modrm >> 6, rm = modrm & 7U;

    *disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {
        uint8_t sib;
        enum x86_decode_status st = x86_fetch(d, &sib);
        if (st != X86_OK)
            return st;
        unsigned index = ((sib >> 3) & 7U) | REX_X(rex) << 3;
        unsigned base = sib & 7U;
        /* Capstone and the encoding keep the scale even with no index; so do we. */
        m->scale = (uint8_t)(1U << (sib >> 6));
        m->index = index == 4 ? X86_NOREG : (uint8_t)index;
        if (base == 5 && mod == 0) {
            m->base = X86_NOREG;
            *disp_size = 4;
        } else {
            m->base = (uint8_t)(base | REX_B(rex) << 3);
        }
    } else if (rm == 5 && mod == 0) {
        m->base = X86_RIP;
        *disp_size = 4;
    } else {
        m->base = (uint8_t)(rm | REX_B(rex) << 3);
    }
    return X86_OK;
}

static unsigned x86_imm_size(enum x86_imm_kind k, unsigned osz)
{
    switch (k) {
    case XI_B:
    case XI_BITOFF:
        return 1;
    case XI_Z:
        return osz == 2 ? 2 : 4;
    case XI_V:
        return osz;
    default:
        return 0;
    }
}

/* Legacy prefixes seen before the opcode; within a group the last one counts, as on hardware. */
struct x86_prefixes {
    uint8_t rex;        /* only if it immediately precedes the opcode */
    uint8_t seg;
    uint8_t rep;        /* 0xF2, 0xF3 or 0 */
    bool    opsize, adsize, lock;
};

static enum x86_decode_status x86_prefixes(struct x86_dec *d, struct x86_prefixes *p,
                                           uint8_t *opcode)
{
    for (;;) {
        uint8_t b;
        enum x86_decode_status st = x86_fetch(d, &b);
        if (st != X86_OK)
            return st;
        switch (x86_pfx_kinds[b]) {
        case XP_OPSIZE: p->opsize = true; break;
        case XP_ADSIZE: p->adsize = true; break;
        case XP_LOCK:   p->lock = true; break;
        case XP_REP:    p->rep = b; break;
        case XP_SEG:    p->seg = b; break;
        default:
            if ((b & 0xF0U) == 0x40) {
                p->rex = b;     /* a second REX replaces the first, which no longer precedes */
                continue;
            }
            *opcode = b;
            return X86_OK;
        }
        /* A REX followed by a legacy prefix is ignored, as the CPU does. */
        p->rex = 0;
    }
}

/* Which operand is memory decides direction: the destination's access, or the source's. */
static void x86_direction(struct x86_insn *out)
{
    const struct x86_mnem_info *mi = &x86_mnems[out->mnemonic];
    for (unsigned i = 0; i < out->nr_operands; i++) {
        if (out->op[i].kind != X86_OPND_MEM)
            continue;
        uint8_t acc = i == 0 ? mi->dst : mi->src;
        out->mem_read |= (acc & XA_R) != 0;
        out->mem_write |= (acc & XA_W) != 0;
        if (out->opsize == 0)
            out->opsize = out->op[i].size;
    }
    if (out->opsize == 0)
        out->opsize = out->op[0].size;
}

enum x86_decode_status x86_decode(const uint8_t *bytes, size_t len, struct x86_insn *out)
{
    struct x86_dec d = { .bytes = bytes, .len = len, .pos = 0 };
    struct x86_prefixes p = { 0 };
    enum x86_decode_status st;
    uint8_t b, modrm = 0;

    memset(out, 0, sizeof(*out));
    if ((st = x86_prefixes(&d, &p, &b)) != X86_OK)
        return st;
    const struct x86_desc *desc = &x86_map1[b];
    uint16_t opcode = b;
    if (b == 0x0F) {
        if ((st = x86_fetch(&d, &b)) != X86_OK)
            return st;
        desc = &x86_map0f[b];
        opcode = 0x0F00 | b;
    }
    if (desc->form == XF_NONE)
        return X86_E_UNSUPPORTED;
    if ((desc->flags & XD_REXW) && !REX_W(p.rex))
        return X86_E_UNSUPPORTED;
    /* F2/F3 on anything but a string instruction is a different instruction (popcnt, ...) or an
       HLE hint; neither belongs in an MMIO emulator. F2 on movs/stos is left undefined by AMD
       (Intel CPUs repeat as with F3) and decoders disagree on it (Capstone 4 drops it from f2 a5
       but keeps it on f2 48 a5): only F3 repeats. */
    if (p.rep && !((desc->flags & XD_STRING) && p.rep == 0xF3))
        return X86_E_UNSUPPORTED;

    bool has_modrm = desc->form == XF_E_G || desc->form == XF_G_E || desc->form == XF_E_I;
    uint8_t mnemonic = desc->mnemonic;
    if (has_modrm) {
        if ((st = x86_fetch(&d, &modrm)) != X86_OK)
            return st;
        if (desc->flags & XD_GROUP)
            mnemonic = x86_groups[desc->mnemonic][(modrm >> 3) & 7U];
        if (mnemonic == X86_INVALID)
            return X86_E_UNSUPPORTED;
    }
    bool e_is_mem = has_modrm && (modrm >> 6) != 3;
    bool e_is_dst = desc->form == XF_E_G || desc->form == XF_E_I;
    /* LOCK is legal only on a read-modify-write memory destination; anything else is #UD. */
    if (p.lock && !(x86_mnems[mnemonic].lockable && e_is_mem && e_is_dst))
        return X86_E_UNSUPPORTED;

    /* REX.W wins over 66; byte operations ignore both. */
    unsigned osz = (desc->flags & XD_BYTE) ? 1 : REX_W(p.rex) ? 8 : p.opsize ? 2 : 4;
    unsigned asz = p.adsize ? 4 : 8;
    unsigned esz = (desc->flags & XD_SRC8) ? 1 : (desc->flags & XD_SRC16) ? 2
                 : (desc->flags & XD_SRC32) ? 4 : osz;

    struct x86_operand e = { 0 };
    unsigned disp_size = 0;
    if (e_is_mem) {
        x86_mem_init(&e, esz, p.seg);
        if ((st = x86_modrm_mem(&d, modrm, p.rex, &e.mem, &disp_size)) != X86_OK)
            return st;
    } else if (has_modrm) {
        x86_set_reg(&e, (modrm & 7U) | REX_B(p.rex) << 3, esz, p.rex);
    }
    if (desc->form == XF_ACC_MOFFS || desc->form == XF_MOFFS_ACC)
        disp_size = asz;    /* moffs: an absolute address as wide as the address size */

    /* Displacement and immediate together: one bound check, so the 15-byte limit wins over a
       short buffer exactly as it would on hardware. */
    unsigned imm_size = x86_imm_size(desc->imm, osz);
    if ((st = x86_need(&d, disp_size + imm_size)) != X86_OK)
        return st;
    if (desc->form == XF_ACC_MOFFS || desc->form == XF_MOFFS_ACC) {
        x86_mem_init(&e, osz, p.seg);
        e.mem.disp = (int64_t)x86_take(&d, disp_size);     /* unsigned, zero-extended */
    } else if (disp_size) {
        e.mem.disp = x86_sext(x86_take(&d, disp_size), disp_size);
    }
    struct x86_operand imm = { 0 };
    if (imm_size) {
        uint64_t raw = x86_take(&d, imm_size);
        if (desc->imm == XI_BITOFF)
            x86_set_imm(&imm, (int64_t)raw, 1);
        else
            x86_set_imm(&imm, x86_sext(raw, imm_size), osz);
    }

    struct x86_operand g = { 0 }, acc = { 0 };
    x86_set_reg(&g, ((modrm >> 3) & 7U) | REX_R(p.rex) << 3, osz, p.rex);
    x86_set_reg(&acc, X86_RAX, osz, p.rex);

    switch (desc->form) {
    case XF_E_G:
        out->op[0] = e;
        out->op[1] = g;
        break;
    case XF_G_E:
        out->op[0] = g;
        out->op[1] = e;
        break;
    case XF_E_I:
        out->op[0] = e;
        out->op[1] = imm;
        break;
    case XF_ACC_I:
        out->op[0] = acc;
        out->op[1] = imm;
        break;
    case XF_OREG_I:
        x86_set_reg(&out->op[0], (b & 7U) | REX_B(p.rex) << 3, osz, p.rex);
        out->op[1] = imm;
        break;
    case XF_ACC_MOFFS:
        out->op[0] = acc;
        out->op[1] = e;
        break;
    case XF_MOFFS_ACC:
        out->op[0] = e;
        out->op[1] = acc;
        break;
    case XF_STOS:
        /* the destination is always es:[rdi]; a segment override cannot apply to it */
        x86_mem_init(&out->op[0], osz, 0);
        out->op[0].mem.base = X86_RDI;
        out->op[1] = acc;
        break;
    case XF_MOVS:
        x86_mem_init(&out->op[0], osz, 0);
        out->op[0].mem.base = X86_RDI;
        x86_mem_init(&out->op[1], osz, p.seg);
        out->op[1].mem.base = X86_RSI;
        break;
    default:
        return X86_E_UNSUPPORTED;
    }

    out->len = (uint8_t)d.pos;
    out->mnemonic = mnemonic;
    out->opcode = opcode;
    out->nr_operands = 2;
    out->addrsize = (uint8_t)asz;
    out->rex = p.rex;
    out->lock = p.lock;
    out->rep = p.rep == 0xF3;
    out->repne = p.rep == 0xF2;
    x86_direction(out);
    return X86_OK;
}

const char *x86_mnemonic_name(enum x86_mnemonic m)
{
    if ((unsigned)m >= X86_NR_MNEMONICS)
        return "(invalid)";
    return x86_mnems[m].name;
}

/* Names by register and width (1, 2, 4, 8 bytes); "?" where a register has no such name. */
static const char *const x86_reg_names[X86_RIP + 1][4] = {
    [X86_RAX] = { "al", "ax", "eax", "rax" },     [X86_RCX] = { "cl", "cx", "ecx", "rcx" },
    [X86_RDX] = { "dl", "dx", "edx", "rdx" },     [X86_RBX] = { "bl", "bx", "ebx", "rbx" },
    [X86_RSP] = { "spl", "sp", "esp", "rsp" },    [X86_RBP] = { "bpl", "bp", "ebp", "rbp" },
    [X86_RSI] = { "sil", "si", "esi", "rsi" },    [X86_RDI] = { "dil", "di", "edi", "rdi" },
    [X86_R8] = { "r8b", "r8w", "r8d", "r8" },     [X86_R9] = { "r9b", "r9w", "r9d", "r9" },
    [X86_R10] = { "r10b", "r10w", "r10d", "r10" }, [X86_R11] = { "r11b", "r11w", "r11d", "r11" },
    [X86_R12] = { "r12b", "r12w", "r12d", "r12" }, [X86_R13] = { "r13b", "r13w", "r13d", "r13" },
    [X86_R14] = { "r14b", "r14w", "r14d", "r14" }, [X86_R15] = { "r15b", "r15w", "r15d", "r15" },
    [X86_AH] = { "ah" }, [X86_CH] = { "ch" }, [X86_DH] = { "dh" }, [X86_BH] = { "bh" },
    [X86_RIP] = { NULL, "ip", "eip", "rip" },
};

const char *x86_reg_name(enum x86_reg r, unsigned size)
{
    static const int8_t width_idx[9] = { -1, 0, 1, -1, 2, -1, -1, -1, 3 };
    if ((unsigned)r > X86_RIP || size > 8 || width_idx[size] < 0)
        return "?";
    const char *n = x86_reg_names[r][width_idx[size]];
    return n ? n : "?";
}
