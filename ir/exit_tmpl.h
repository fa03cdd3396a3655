/* Exit templates shared by the random generator and the fuzz decoder: the exit ABI's values and real instruction encodings. */
#ifndef HVFUZZ_EXIT_TMPL_H
#define HVFUZZ_EXIT_TMPL_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/abi.h"
#include "hvfuzz/prog.h"

/* An instruction that can cause an MMIO exit, as real guests encode it. */
#define EXIT_TMPL_RD   0x01U   /* reads the memory operand */
#define EXIT_TMPL_WR   0x02U   /* writes it */
#define EXIT_TMPL_STR  0x04U   /* stos/movs: rcx, rdi, rsi and DF matter */
#define EXIT_TMPL_BAD  0x08U   /* the monitor must refuse it (#UD, #GP or an invalid record) */
struct exit_tmpl_insn {
    uint8_t len;
    uint8_t size;              /* bytes of the memory access (0: none) */
    uint8_t flags;             /* EXIT_TMPL_* */
    uint8_t bytes[PROG_MAX_INSN];
};
extern const struct exit_tmpl_insn exit_tmpl_mmio[];
extern const unsigned exit_tmpl_nr_mmio;

/* CPUID leaves worth asking: every implemented one, the limits either side, the hypervisor range. */
extern const uint32_t exit_tmpl_leaves[];
extern const unsigned exit_tmpl_nr_leaves;
/* The MSRs the model implements and their neighbours. */
extern const uint32_t exit_tmpl_msrs[];
extern const unsigned exit_tmpl_nr_msrs;
/* Every device port and a few nobody claims. */
extern const uint16_t exit_tmpl_ports[];
extern const unsigned exit_tmpl_nr_ports;
/* DMA register offsets, plus unaligned and unclaimed ones. */
extern const uint16_t exit_tmpl_dma_regs[];
extern const unsigned exit_tmpl_nr_dma_regs;
/* MSR values: canonical and non-canonical addresses, reserved bits, legal PAT/EFER values. */
extern const uint64_t exit_tmpl_msr_vals[];
extern const unsigned exit_tmpl_nr_msr_vals;

/* Start op as an exit of (dom, vcpu) with the reason and no fields set. */
void exit_tmpl_start(struct prog_op *op, unsigned dom, unsigned vcpu, unsigned reason);
void exit_tmpl_insn(struct prog_op *op, const uint8_t *bytes, unsigned len);
void exit_tmpl_imm(struct prog_arg *a, uint64_t v);
/* The instruction bytes of the simple exits: cpuid, rdmsr/wrmsr, hlt. */
void exit_tmpl_simple_insn(struct prog_op *op);
/* IN/OUT (imm8 form for ports below 0x100 when imm8), or INS/OUTS with rep and 67 as asked;
   qual says the same. */
void exit_tmpl_io(struct prog_op *op, uint16_t port, unsigned size, bool in, bool string,
                  bool rep, bool a32, bool imm8);
/* An MMIO access of the DMA page at offset off with instruction k of exit_tmpl_mmio. */
void exit_tmpl_mmio_access(struct prog_op *op, uint32_t off, unsigned k);
/* A DMA register write: mov [rbx], eax/rax of size 4 or 8, value in rax (an arg). */
void exit_tmpl_dma_write(struct prog_op *op, unsigned dom, unsigned vcpu, uint32_t reg,
                         unsigned size, struct prog_arg val);

#endif
