/* A small x86-64 assembler for generated guest code, and the scanner that reads its forms back. */
#ifndef HVFUZZ_GEN_ASM_H
#define HVFUZZ_GEN_ASM_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/prog.h"
#include "hvfuzz/x86.h"

/*
 * Guest code is an OP_GUEST_CODE payload: bytes plus fixups (an imm64 the target fills with a
 * resolved resource). The encoders below emit the handful of forms the code family uses; the
 * scanner (gen_asm_scan) recognises exactly those forms again, so the census and the mutators
 * read generated (and mutated) code without a full disassembler. A form the scanner does not
 * know ends its walk: code past it is opaque to them (the target still runs it).
 */

/* What an instruction is, as far as the family and the census care. */
enum gen_asm_class {
    GA_UNKNOWN = 0,
    GA_MOV_IMM,     /* mov r32, imm32 / mov r64, imm64 (reg, imm at imm_off) */
    GA_LOAD,        /* mov r, [base(+disp)] (size) */
    GA_STORE,       /* mov [base(+disp)], r (size) */
    GA_STORE_IMM,   /* mov [base or rip+disp], imm (size) */
    GA_CALL,        /* call reg: a fetch from where reg points */
    GA_SYSCALL,     /* a PV64 hypercall */
    GA_CPUID,
    GA_IN,          /* in al/ax/eax, imm8 or dx (port_imm) */
    GA_OUT,
    GA_INS,         /* ins/outs, rep when rep */
    GA_OUTS,
    GA_RDMSR,
    GA_WRMSR,
    GA_HLT,
    GA_RDTSC,
    GA_RDTSCP,
    GA_PRIV,        /* privileged at CPL3: #GP (invlpg, cli, sti, mov cr, lgdt, wbinvd, clts) */
    GA_UD,          /* ud2 and opcodes invalid in 64-bit mode: #UD */
    GA_DEC,         /* dec r32: a loop counter */
    GA_JNZ,         /* jnz rel8: a loop's back edge */
    GA_STD,
    GA_CLD,
    GA_NOP,
    GA_RET,
    GA_NR
};

/* Fixed forms by name (gen_asm_fixed): the instruction's bytes never vary. */
enum gen_asm_fixed {
    GF_SYSCALL = 0, GF_CPUID, GF_RDMSR, GF_WRMSR, GF_HLT, GF_RDTSC, GF_RDTSCP,
    GF_INVLPG, GF_CLI, GF_STI, GF_MOV_CR3, GF_MOV_FROM_CR0, GF_LGDT, GF_WBINVD, GF_CLTS,
    GF_UD2, GF_BAD_OPCODE, GF_STD, GF_CLD, GF_NOP, GF_RET,
    GF_NR
};
/* The privileged and invalid forms, for pickers. */
#define GF_FIRST_PRIV GF_INVLPG
#define GF_NR_PRIV    (GF_CLTS - GF_INVLPG + 1)

struct gen_asm_form {
    const char *name;
    uint8_t cls;            /* enum gen_asm_class */
    uint8_t len;
    uint8_t bytes[4];
};
extern const struct gen_asm_form gen_asm_forms[GF_NR];

/* Code under construction: bytes and fixups, as they go into an op's payload. */
struct gen_asm {
    uint8_t  b[PROG_MAX_PAYLOAD];
    unsigned len;
    unsigned cap;                           /* bytes the code may use (room left for data) */
    unsigned fix_cap;                       /* fixups it may use (room left for the data's) */
    struct prog_fixup fix[PROG_MAX_FIXUPS];
    bool     fix_data[PROG_MAX_FIXUPS];     /* an ARG_PAYLOAD that points into the data area */
    unsigned nfix;
    bool     full;                          /* an encoder did not fit: the code is cut */
};

void gen_asm_init(struct gen_asm *a, unsigned cap);
bool gen_asm_bytes(struct gen_asm *a, const uint8_t *bytes, unsigned n);
bool gen_asm_fixed(struct gen_asm *a, enum gen_asm_fixed f);
/* mov reg, v: the 32-bit form when v fits (zero-extended), else imm64. */
bool gen_asm_mov_imm(struct gen_asm *a, unsigned reg, uint64_t v);
/* mov reg, imm64 whose imm is the resolved arg (a fixup); an ARG_IMM is a plain mov. data: the
   arg is an ARG_PAYLOAD offset into the data area, made absolute when the code is placed.
   static_val: the value to use when no fixup is left (fix_cap; args that resolve the same on
   every machine), with have_static. */
bool gen_asm_mov_arg(struct gen_asm *a, unsigned reg, struct prog_arg arg, bool data,
                     bool have_static, uint64_t static_val);
/* mov reg, [base] (load) or mov [base], reg (store) of size 1, 2, 4 or 8 bytes. base is not
   rsp, rbp, r12 or r13 (those need other encodings). */
bool gen_asm_mem(struct gen_asm *a, bool store, unsigned reg, unsigned base, unsigned size);
/* mov size [rip+disp32], imm (size 1, 2 or 4): returns the instruction's offset (its target is
   set by gen_asm_rip_target once known), or -1. */
int  gen_asm_store_rip(struct gen_asm *a, unsigned size, uint32_t imm);
/* Point the rip-relative store at code offset at to code offset target. */
void gen_asm_rip_target(struct gen_asm *a, unsigned at, unsigned target);
bool gen_asm_call(struct gen_asm *a, unsigned reg);
bool gen_asm_dec(struct gen_asm *a, unsigned reg);
/* jnz back to code offset target (within rel8 reach). */
bool gen_asm_jnz(struct gen_asm *a, unsigned target);

/* One scanned instruction. */
struct gen_asm_insn {
    uint8_t  len;
    uint8_t  cls;           /* enum gen_asm_class; GA_UNKNOWN: not one of the family's forms */
    uint8_t  size;          /* access or I/O element size; mov imm: 4 or 8 */
    uint8_t  reg;           /* register operand, X86_NOREG if none */
    uint8_t  base;          /* memory base, X86_RIP for rip-relative, X86_NOREG if none */
    bool     rep;
    bool     a32;           /* 67: 32-bit addressing */
    bool     port_imm;      /* in/out with an imm8 port (port in imm) */
    uint8_t  imm_off, imm_len;   /* the immediate's bytes in the instruction (0 len: none) */
    uint8_t  rel_off, rel_len;   /* a disp32 (rip-relative) or rel8 (jnz) field */
    uint64_t imm;
    int64_t  rel;           /* rip-relative disp or jump displacement */
};
/* Decode the instruction at b (len bytes left). Returns its length, 0 if not a known form. */
unsigned gen_asm_scan(const uint8_t *b, unsigned len, struct gen_asm_insn *in);
/* The code part of a guest_code payload: the bytes up to and including the first `ret` the
   scanner reaches in order (or where it stops). */
unsigned gen_asm_code_len(const uint8_t *b, unsigned len);

#endif
