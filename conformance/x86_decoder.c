/* x86 decoder conformance: the encodings an MMIO emulator gets wrong, with the decode each must give. */
#include <stdlib.h>
#include <string.h>
#include "conformance.h"
#include "hvfuzz/x86.h"

/*
 * Each row is one instruction as the exit record would carry it and everything the decoder must
 * report: status, length, mnemonic, operand sizes and address size, direction, prefixes and each
 * operand. The cases are the classic decoder traps: redundant and reordered prefixes, the 15-byte
 * limit, RIP-relative (also under REX.B and 67), the r12/r13 and no-base/no-index SIB rules, REX
 * turning AH..BH into SPL..DIL, a REX that does not immediately precede the opcode, 66 against
 * REX.W, 32-bit addressing, segment overrides, moffs widths, immediate sign extension, LOCK and
 * REP legality. The expected values were checked against Capstone 4 and the SDM.
 */
struct x86c_opnd {
    uint8_t kind, size, reg;
    uint8_t seg, base, index, scale;
    int64_t disp;   /* memory displacement or immediate */
};

struct x86c_row {
    uint8_t bytes[20];
    uint8_t n;                  /* bytes handed to the decoder */
    uint8_t status;             /* enum x86_decode_status */
    uint8_t len, mnemonic, opsize, addrsize, rex;
    bool    rd, wr, rep, lock;
    struct x86c_opnd op[2];
};

#define R(r, sz)                     { X86_OPND_REG, (sz), (r), 0, 0, 0, 0, 0 }
#define M(sz, sg, b, i, sc, d)       { X86_OPND_MEM, (sz), X86_NOREG, (sg), (b), (i), (sc), (d) }
#define I(sz, v)                     { X86_OPND_IMM, (sz), 0, 0, 0, 0, 0, (v) }
#define NO X86_NOREG
#define BYTES(...) .bytes = { __VA_ARGS__ }, .n = sizeof((uint8_t[]){ __VA_ARGS__ })
#define OK(l, m, osz, asz) .status = X86_OK, .len = (l), .mnemonic = (m), .opsize = (osz), \
                           .addrsize = (asz)
#define FAILS(st) .status = (st)

/* REX: any REX (even a bare 40) makes byte registers 4..7 SPL..DIL instead of AH..BH. */
static const struct x86c_row x86c_rex_spl = {
    BYTES(0x40, 0x88, 0xE0), OK(3, X86_MOV, 1, 8), .rex = 0x40,
    .op = { R(X86_RAX, 1), R(X86_RSP, 1) } };
static const struct x86c_row x86c_norex_ah = {
    BYTES(0x88, 0xE0), OK(2, X86_MOV, 1, 8), .op = { R(X86_RAX, 1), R(X86_AH, 1) } };
/* A REX followed by a legacy prefix is ignored: this is mov al, ah again. */
static const struct x86c_row x86c_rex_then_legacy = {
    BYTES(0x40, 0x66, 0x88, 0xE0), OK(4, X86_MOV, 1, 8), .op = { R(X86_RAX, 1), R(X86_AH, 1) } };
static const struct x86c_row x86c_rexw_then_66 = {
    BYTES(0x48, 0x66, 0x8B, 0x00), OK(4, X86_MOV, 2, 8), .rd = true,
    .op = { R(X86_RAX, 2), M(2, 0, X86_RAX, NO, 1, 0) } };
static const struct x86c_row x86c_66_then_rexw = {
    BYTES(0x66, 0x48, 0x8B, 0x00), OK(4, X86_MOV, 8, 8), .rex = 0x48, .rd = true,
    .op = { R(X86_RAX, 8), M(8, 0, X86_RAX, NO, 1, 0) } };
/* Two REX bytes: only the one next to the opcode counts. */
static const struct x86c_row x86c_two_rex = {
    BYTES(0x41, 0x48, 0x8B, 0x00), OK(4, X86_MOV, 8, 8), .rex = 0x48, .rd = true,
    .op = { R(X86_RAX, 8), M(8, 0, X86_RAX, NO, 1, 0) } };
static const struct x86c_row x86c_rex_rb = {
    BYTES(0x4D, 0x89, 0x4F, 0x10), OK(4, X86_MOV, 8, 8), .rex = 0x4D, .wr = true,
    .op = { M(8, 0, X86_R15, NO, 1, 0x10), R(X86_R9, 8) } };

/* Prefixes and the 15-byte limit. */
static const struct x86c_row x86c_redundant_66 = {
    BYTES(0x66, 0x66, 0x66, 0x89, 0x00), OK(5, X86_MOV, 2, 8), .wr = true,
    .op = { M(2, 0, X86_RAX, NO, 1, 0), R(X86_RAX, 2) } };
static const struct x86c_row x86c_fifteen_bytes = {
    BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
          0x89, 0x00), OK(15, X86_MOV, 2, 8), .wr = true,
    .op = { M(2, 0, X86_RAX, NO, 1, 0), R(X86_RAX, 2) } };
static const struct x86c_row x86c_sixteen_bytes = {
    BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
          0x89, 0x00), FAILS(X86_E_TOO_LONG) };
/* 14 prefixes + opcode fill 15 bytes and the ModRM would be the 16th: too long, not truncated. */
static const struct x86c_row x86c_fourteen_prefixes_opcode = {
    BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
          0x89), FAILS(X86_E_TOO_LONG) };
static const struct x86c_row x86c_imm_past_15 = {
    BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xC7, 0x80, 0x00, 0x00, 0x00, 0x00,
          0x01, 0x00, 0x00, 0x00), FAILS(X86_E_TOO_LONG) };
static const struct x86c_row x86c_truncated_disp = {
    BYTES(0x8B, 0x80, 0x00, 0x00), FAILS(X86_E_TRUNCATED) };
static const struct x86c_row x86c_truncated_prefix = { BYTES(0x66), FAILS(X86_E_TRUNCATED) };
static const struct x86c_row x86c_truncated_empty = { .n = 0, FAILS(X86_E_TRUNCATED) };

/* ModRM/SIB special cases. */
static const struct x86c_row x86c_rip = {
    BYTES(0x8B, 0x05, 0xF0, 0xFF, 0xFF, 0xFF), OK(6, X86_MOV, 4, 8), .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_RIP, NO, 1, -16) } };
static const struct x86c_row x86c_rip_rex_b = {
    BYTES(0x41, 0x8B, 0x05, 0x00, 0x01, 0x00, 0x00), OK(7, X86_MOV, 4, 8), .rex = 0x41,
    .rd = true, .op = { R(X86_RAX, 4), M(4, 0, X86_RIP, NO, 1, 0x100) } };
static const struct x86c_row x86c_r13_disp8 = {
    BYTES(0x41, 0x8B, 0x45, 0xF8), OK(4, X86_MOV, 4, 8), .rex = 0x41, .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_R13, NO, 1, -8) } };
static const struct x86c_row x86c_r12_sib = {
    BYTES(0x41, 0x8B, 0x04, 0x24), OK(4, X86_MOV, 4, 8), .rex = 0x41, .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_R12, NO, 1, 0) } };
static const struct x86c_row x86c_sib_no_base = {
    BYTES(0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12), OK(7, X86_MOV, 4, 8), .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, NO, NO, 1, 0x12345678) } };
/* base=101 with mod=00 means no base whatever REX.B says (r13 is not implied). */
static const struct x86c_row x86c_sib_no_base_rex_b = {
    BYTES(0x41, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80), OK(8, X86_MOV, 4, 8), .rex = 0x41,
    .rd = true, .op = { R(X86_RAX, 4), M(4, 0, NO, NO, 1, -0x80000000LL) } };
static const struct x86c_row x86c_sib_index_r12 = {
    BYTES(0x42, 0x8B, 0x04, 0xA0), OK(4, X86_MOV, 4, 8), .rex = 0x42, .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_RAX, X86_R12, 4, 0) } };
/* index=100 is "no index"; the encoded scale is kept, as Capstone reports it. */
static const struct x86c_row x86c_sib_no_index_scale = {
    BYTES(0x8B, 0x44, 0x63, 0x10), OK(4, X86_MOV, 4, 8), .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_RBX, NO, 2, 0x10) } };

/* 67: 32-bit addressing; registers are reported by number, addrsize says they are eax.. */
static const struct x86c_row x86c_addr32 = {
    BYTES(0x67, 0x89, 0x48, 0x04), OK(4, X86_MOV, 4, 4), .wr = true,
    .op = { M(4, 0, X86_RAX, NO, 1, 4), R(X86_RCX, 4) } };
static const struct x86c_row x86c_addr32_rip = {
    BYTES(0x67, 0x8B, 0x05, 0xFF, 0xFF, 0xFF, 0xFF), OK(7, X86_MOV, 4, 4), .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_RIP, NO, 1, -1) } };

/* moffs: as wide as the address size, unsigned. */
static const struct x86c_row x86c_moffs64 = {
    BYTES(0x48, 0xA1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), OK(10, X86_MOV, 8, 8),
    .rex = 0x48, .rd = true, .op = { R(X86_RAX, 8), M(8, 0, NO, NO, 1, 0x1122334455667788LL) } };
static const struct x86c_row x86c_moffs32 = {
    BYTES(0x67, 0xA0, 0xFF, 0xFF, 0xFF, 0xFF), OK(6, X86_MOV, 1, 4), .rd = true,
    .op = { R(X86_RAX, 1), M(1, 0, NO, NO, 1, 0xFFFFFFFFLL) } };
static const struct x86c_row x86c_moffs_fs_store = {
    BYTES(0x64, 0xA3, 0x00, 0x10, 0, 0, 0, 0, 0, 0), OK(10, X86_MOV, 4, 8), .wr = true,
    .op = { M(4, 0x64, NO, NO, 1, 0x1000), R(X86_RAX, 4) } };

/* Segment overrides: recorded (fs/gs bases apply); within the group the last one wins. */
static const struct x86c_row x86c_gs = {
    BYTES(0x65, 0x48, 0x8B, 0x04, 0x25, 0x28, 0, 0, 0), OK(9, X86_MOV, 8, 8), .rex = 0x48,
    .rd = true, .op = { R(X86_RAX, 8), M(8, 0x65, NO, NO, 1, 0x28) } };
static const struct x86c_row x86c_seg_last_wins = {
    BYTES(0x2E, 0x64, 0x89, 0x00), OK(4, X86_MOV, 4, 8), .wr = true,
    .op = { M(4, 0x64, X86_RAX, NO, 1, 0), R(X86_RAX, 4) } };

/* Widening loads: opsize is the memory access, the register is wider. */
static const struct x86c_row x86c_movzx_b = {
    BYTES(0x0F, 0xB6, 0x00), OK(3, X86_MOVZX, 1, 8), .rd = true,
    .op = { R(X86_RAX, 4), M(1, 0, X86_RAX, NO, 1, 0) } };
static const struct x86c_row x86c_movsx_w64 = {
    BYTES(0x48, 0x0F, 0xBF, 0x0E), OK(4, X86_MOVSX, 2, 8), .rex = 0x48, .rd = true,
    .op = { R(X86_RCX, 8), M(2, 0, X86_RSI, NO, 1, 0) } };
static const struct x86c_row x86c_movsxd = {
    BYTES(0x48, 0x63, 0x00), OK(3, X86_MOVSXD, 4, 8), .rex = 0x48, .rd = true,
    .op = { R(X86_RAX, 8), M(4, 0, X86_RAX, NO, 1, 0) } };
static const struct x86c_row x86c_movsxd_no_rexw = { BYTES(0x63, 0x00), FAILS(X86_E_UNSUPPORTED) };

/* Strings: fixed operands; the destination segment cannot be overridden, the source's can. */
static const struct x86c_row x86c_rep_stosq = {
    BYTES(0xF3, 0x48, 0xAB), OK(3, X86_STOS, 8, 8), .rex = 0x48, .wr = true, .rep = true,
    .op = { M(8, 0, X86_RDI, NO, 1, 0), R(X86_RAX, 8) } };
static const struct x86c_row x86c_rep_movsb_fs = {
    BYTES(0xF3, 0x64, 0xA4), OK(3, X86_MOVS, 1, 8), .rd = true, .wr = true, .rep = true,
    .op = { M(1, 0, X86_RDI, NO, 1, 0), M(1, 0x64, X86_RSI, NO, 1, 0) } };
static const struct x86c_row x86c_stos_addr32 = {
    BYTES(0x67, 0x66, 0xAB), OK(3, X86_STOS, 2, 4), .wr = true,
    .op = { M(2, 0, X86_RDI, NO, 1, 0), R(X86_RAX, 2) } };
static const struct x86c_row x86c_repne_stos = { BYTES(0xF2, 0xAA), FAILS(X86_E_UNSUPPORTED) };
static const struct x86c_row x86c_rep_mov = { BYTES(0xF3, 0x89, 0x00), FAILS(X86_E_UNSUPPORTED) };

/* LOCK: only on a read-modify-write memory destination. */
static const struct x86c_row x86c_lock_add = {
    BYTES(0xF0, 0x01, 0x00), OK(3, X86_ADD, 4, 8), .rd = true, .wr = true, .lock = true,
    .op = { M(4, 0, X86_RAX, NO, 1, 0), R(X86_RAX, 4) } };
static const struct x86c_row x86c_lock_mov = { BYTES(0xF0, 0x89, 0x00), FAILS(X86_E_UNSUPPORTED) };
static const struct x86c_row x86c_lock_reg_dst = { BYTES(0xF0, 0x03, 0x00), FAILS(X86_E_UNSUPPORTED) };
static const struct x86c_row x86c_lock_cmp = { BYTES(0xF0, 0x39, 0x00), FAILS(X86_E_UNSUPPORTED) };
static const struct x86c_row x86c_lock_bt = { BYTES(0xF0, 0x0F, 0xA3, 0x00), FAILS(X86_E_UNSUPPORTED) };

/* Immediates: sign-extended from their encoded width to the operation's. */
static const struct x86c_row x86c_imm8_sext = {
    BYTES(0x48, 0x83, 0x00, 0xFF), OK(4, X86_ADD, 8, 8), .rex = 0x48, .rd = true, .wr = true,
    .op = { M(8, 0, X86_RAX, NO, 1, 0), I(8, -1) } };
static const struct x86c_row x86c_imm32_sext = {
    BYTES(0x48, 0xC7, 0x00, 0x00, 0x00, 0x00, 0x80), OK(7, X86_MOV, 8, 8), .rex = 0x48,
    .wr = true, .op = { M(8, 0, X86_RAX, NO, 1, 0), I(8, -0x80000000LL) } };
static const struct x86c_row x86c_imm64 = {
    BYTES(0x49, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), OK(10, X86_MOV, 8, 8),
    .rex = 0x49, .op = { R(X86_R8, 8), I(8, 0x1122334455667788LL) } };
static const struct x86c_row x86c_imm16 = {
    BYTES(0x66, 0xC7, 0x00, 0x34, 0x12), OK(5, X86_MOV, 2, 8), .wr = true,
    .op = { M(2, 0, X86_RAX, NO, 1, 0), I(2, 0x1234) } };
static const struct x86c_row x86c_test_imm = {
    BYTES(0xF7, 0x00, 0x78, 0x56, 0x34, 0x12), OK(6, X86_TEST, 4, 8), .rd = true,
    .op = { M(4, 0, X86_RAX, NO, 1, 0), I(4, 0x12345678) } };
static const struct x86c_row x86c_test_slash1 = { BYTES(0xF6, 0x08, 0x01), FAILS(X86_E_UNSUPPORTED) };

/* xchg and the bit tests. */
static const struct x86c_row x86c_xchg = {
    BYTES(0x87, 0x08), OK(2, X86_XCHG, 4, 8), .rd = true, .wr = true,
    .op = { M(4, 0, X86_RAX, NO, 1, 0), R(X86_RCX, 4) } };
static const struct x86c_row x86c_bt_imm = {
    BYTES(0x0F, 0xBA, 0x20, 0x05), OK(4, X86_BT, 4, 8), .rd = true,
    .op = { M(4, 0, X86_RAX, NO, 1, 0), I(1, 5) } };
/* the bit offset is unsigned: 0xff is bit 255 (modulo the width), not -1 */
static const struct x86c_row x86c_btc_imm_ff = {
    BYTES(0xF0, 0x0F, 0xBA, 0x38, 0xFF), OK(5, X86_BTC, 4, 8), .rd = true, .wr = true,
    .lock = true, .op = { M(4, 0, X86_RAX, NO, 1, 0), I(1, 0xFF) } };
static const struct x86c_row x86c_bts_reg = {
    BYTES(0x48, 0x0F, 0xAB, 0x08), OK(4, X86_BTS, 8, 8), .rex = 0x48, .rd = true, .wr = true,
    .op = { M(8, 0, X86_RAX, NO, 1, 0), R(X86_RCX, 8) } };
static const struct x86c_row x86c_bt_slash0 = { BYTES(0x0F, 0xBA, 0x00, 0x01), FAILS(X86_E_UNSUPPORTED) };

/* ALU direction: a memory destination is read and written, a memory source only read. */
static const struct x86c_row x86c_cmp_mem = {
    BYTES(0x38, 0x00), OK(2, X86_CMP, 1, 8), .rd = true,
    .op = { M(1, 0, X86_RAX, NO, 1, 0), R(X86_RAX, 1) } };
static const struct x86c_row x86c_or_load = {
    BYTES(0x0B, 0x00), OK(2, X86_OR, 4, 8), .rd = true,
    .op = { R(X86_RAX, 4), M(4, 0, X86_RAX, NO, 1, 0) } };
static const struct x86c_row x86c_adc = { BYTES(0x11, 0x00), FAILS(X86_E_UNSUPPORTED) };
static const struct x86c_row x86c_xabort = { BYTES(0xC6, 0xF8, 0x01), FAILS(X86_E_UNSUPPORTED) };

static void x86c_opnd(struct conf_ctx *c, const struct x86_insn *in, unsigned i)
{
    const struct x86c_opnd *e = &((const struct x86c_row *)c->data)->op[i];
    const struct x86_operand *a = &in->op[i];
    CONF_EXPECT_EQ(c, e->kind, a->kind);
    CONF_EXPECT_EQ(c, e->size, a->size);
    if (e->kind == X86_OPND_REG)
        CONF_EXPECT_EQ(c, e->reg, a->reg);
    if (e->kind == X86_OPND_IMM)
        CONF_EXPECT_EQ(c, e->disp, a->imm);
    if (e->kind == X86_OPND_MEM) {
        CONF_EXPECT_EQ(c, e->seg, a->mem.seg);
        CONF_EXPECT_EQ(c, e->base, a->mem.base);
        CONF_EXPECT_EQ(c, e->index, a->mem.index);
        CONF_EXPECT_EQ(c, e->scale, a->mem.scale);
        CONF_EXPECT_EQ(c, e->disp, a->mem.disp);
    }
}

static void x86c_run(struct conf_ctx *c)
{
    const struct x86c_row *r = c->data;
    struct x86_insn in;
    /* an exact-size copy, so a read past n is an overflow the sanitizers see */
    uint8_t *copy = malloc(r->n ? r->n : 1);
    if (!copy) {
        CONF_ERROR(c, "out of memory");
        return;
    }
    memcpy(copy, r->bytes, r->n);
    enum x86_decode_status st = x86_decode(copy, r->n, &in);
    free(copy);

    CONF_EXPECT_EQ(c, r->status, st);
    if (st != X86_OK || r->status != X86_OK)
        return;
    CONF_EXPECT_EQ(c, r->len, in.len);
    CONF_EXPECT_EQ(c, r->mnemonic, in.mnemonic);
    CONF_EXPECT_EQ(c, 2, in.nr_operands);
    CONF_EXPECT_EQ(c, r->opsize, in.opsize);
    CONF_EXPECT_EQ(c, r->addrsize, in.addrsize);
    CONF_EXPECT_EQ(c, r->rex, in.rex);
    CONF_EXPECT_EQ(c, r->rd, in.mem_read);
    CONF_EXPECT_EQ(c, r->wr, in.mem_write);
    CONF_EXPECT_EQ(c, r->rep, in.rep);
    CONF_EXPECT_EQ(c, false, in.repne);
    CONF_EXPECT_EQ(c, r->lock, in.lock);
    x86c_opnd(c, &in, 0);
    x86c_opnd(c, &in, 1);
}

#define X86C(name) { #name, x86c_run, &x86c_##name }
static const struct conf_case x86c_cases[] = {
    X86C(rex_spl), X86C(norex_ah), X86C(rex_then_legacy), X86C(rexw_then_66),
    X86C(66_then_rexw), X86C(two_rex), X86C(rex_rb),
    X86C(redundant_66), X86C(fifteen_bytes), X86C(sixteen_bytes),
    X86C(fourteen_prefixes_opcode), X86C(imm_past_15), X86C(truncated_disp),
    X86C(truncated_prefix), X86C(truncated_empty),
    X86C(rip), X86C(rip_rex_b), X86C(r13_disp8), X86C(r12_sib), X86C(sib_no_base),
    X86C(sib_no_base_rex_b), X86C(sib_index_r12), X86C(sib_no_index_scale),
    X86C(addr32), X86C(addr32_rip),
    X86C(moffs64), X86C(moffs32), X86C(moffs_fs_store), X86C(gs), X86C(seg_last_wins),
    X86C(movzx_b), X86C(movsx_w64), X86C(movsxd), X86C(movsxd_no_rexw),
    X86C(rep_stosq), X86C(rep_movsb_fs), X86C(stos_addr32), X86C(repne_stos), X86C(rep_mov),
    X86C(lock_add), X86C(lock_mov), X86C(lock_reg_dst), X86C(lock_cmp), X86C(lock_bt),
    X86C(imm8_sext), X86C(imm32_sext), X86C(imm64), X86C(imm16), X86C(test_imm),
    X86C(test_slash1),
    X86C(xchg), X86C(bt_imm), X86C(btc_imm_ff), X86C(bts_reg), X86C(bt_slash0),
    X86C(cmp_mem), X86C(or_load), X86C(adc), X86C(xabort),
};
CONF_AREA("x86_decoder", x86c_cases)
