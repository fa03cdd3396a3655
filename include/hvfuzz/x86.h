/* The monitor's x86-64 instruction decoder, as real monitors have for MMIO emulation. */
#ifndef HVFUZZ_X86_H
#define HVFUZZ_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN_LEN 15
/* Capstone's headers declare the tags x86_reg and x86_insn too: a file cannot include both
   (tests/x86_capstone_diff.c renames ours before including this header). */

/* General-purpose registers in encoding order; AH..BH are the legacy high-byte registers that a
   byte operand names with numbers 4..7 when there is no REX prefix. */
enum x86_reg {
    X86_RAX = 0, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
    X86_AH = 16, X86_CH, X86_DH, X86_BH,
    X86_RIP = 20,       /* a RIP-relative memory operand's base */
    X86_NOREG = 0xFF
};

enum x86_mnemonic {
    X86_INVALID = 0,
    X86_MOV, X86_MOVZX, X86_MOVSX, X86_MOVSXD,
    X86_STOS, X86_MOVS,
    X86_AND, X86_OR, X86_XOR, X86_TEST, X86_CMP, X86_ADD, X86_SUB,
    X86_XCHG, X86_BT, X86_BTS, X86_BTR, X86_BTC,
    X86_NR_MNEMONICS
};

enum x86_operand_kind { X86_OPND_NONE = 0, X86_OPND_REG, X86_OPND_MEM, X86_OPND_IMM };

struct x86_mem {
    uint8_t  seg;       /* segment override prefix byte (0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65) or 0 */
    uint8_t  base;      /* enum x86_reg or X86_NOREG; X86_RIP for RIP-relative */
    uint8_t  index;     /* enum x86_reg or X86_NOREG */
    uint8_t  scale;     /* 1, 2, 4, 8 */
    int64_t  disp;
};
/* (monitor/x86_decode.c) disp is the ModRM displacement sign-extended, or a moffs address
   zero-extended; with addrsize 4 base/index name eax.. (eip for X86_RIP) and the effective
   address wraps at 32 bits. scale is the encoded SIB scale even when there is no index. */

struct x86_operand {
    uint8_t  kind;      /* enum x86_operand_kind */
    uint8_t  size;      /* bytes: 1, 2, 4, 8 */
    uint8_t  reg;       /* X86_OPND_REG */
    struct x86_mem mem; /* X86_OPND_MEM */
    int64_t  imm;       /* X86_OPND_IMM, sign-extended to 64 bits as the CPU uses it */
};
/* Immediates are sign-extended from their encoded width; the exception is bt*'s imm8 bit offset
   (0F BA), which the CPU takes unsigned modulo the width: 0..255, size 1. */

/* Decoded instruction: operands in Intel order (destination first), as Capstone reports them. */
struct x86_insn {
    uint8_t  len;
    uint8_t  mnemonic;          /* enum x86_mnemonic */
    uint8_t  nr_operands;
    struct x86_operand op[3];
    uint8_t  opsize;            /* effective operand size of the memory access, bytes */
    uint8_t  addrsize;          /* 4 or 8 */
    bool     rep, repne, lock;  /* repne stays false: F2 on movs/stos is X86_E_UNSUPPORTED */
    bool     mem_write;         /* the memory operand is written (store direction) */
    bool     mem_read;          /* the memory operand is read */
    uint8_t  rex;               /* the REX byte or 0 */
    uint16_t opcode;            /* the opcode byte, or 0x0F00 | the second byte of a 0F opcode */
};

enum x86_decode_status {
    X86_OK = 0,
    X86_E_TRUNCATED,    /* the bytes end before the instruction does */
    X86_E_TOO_LONG,     /* longer than 15 bytes (#GP on hardware) */
    X86_E_UNSUPPORTED,  /* a valid instruction outside the supported set, or an invalid one */
};

/* Decode one 64-bit-mode instruction. Never reads past len. */
enum x86_decode_status x86_decode(const uint8_t *bytes, size_t len, struct x86_insn *out);
const char *x86_mnemonic_name(enum x86_mnemonic m);
const char *x86_reg_name(enum x86_reg r, unsigned size);

#endif
