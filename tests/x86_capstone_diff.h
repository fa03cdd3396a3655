/* Differential check of the monitor's x86 decoder against Capstone 4 (unit tests and fuzz harness). */
#ifndef HVFUZZ_X86_CAPSTONE_DIFF_H
#define HVFUZZ_X86_CAPSTONE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hvfuzz/x86.h"

/*
 * Capstone's headers and hvfuzz/x86.h cannot meet in one translation unit: both declare the tags
 * x86_reg and x86_insn (an enum in Capstone, our struct). So Capstone stays behind this opaque
 * handle and only x86_capstone_diff.c includes both, renaming ours.
 */
struct x86_cs;

/* NULL if Capstone cannot be opened in 64-bit mode with details. */
struct x86_cs *x86_cs_open(void);
void x86_cs_close(struct x86_cs *cs);

/*
 * ours is our X86_OK decode of bytes[0..len). Returns 0 if Capstone decodes the same bytes to
 * exactly the same instruction (length, mnemonic with its prefixes, address size, REX, operand
 * count, each operand's kind, size, register, segment, base, index, scale, displacement and
 * immediate, and the memory access direction), else -1 with the first difference in why.
 */
int x86_cs_compare(struct x86_cs *cs, const uint8_t *bytes, size_t len,
                   const struct x86_insn *ours, char *why, size_t why_len);

/* Capstone's decode as text ("(invalid)" if it has none), for messages; true if it decodes one
   with operands. */
bool x86_cs_describe(struct x86_cs *cs, const uint8_t *bytes, size_t len, char *buf, size_t n);
/* Our decode as text in Capstone's syntax, for messages. */
void x86_insn_describe(const struct x86_insn *in, char *buf, size_t n);

#endif
