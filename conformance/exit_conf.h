/* Helpers shared by the VM-exit and device conformance areas: records, port and MMIO accesses. */
#ifndef HVFUZZ_EXIT_CONF_H
#define HVFUZZ_EXIT_CONF_H

#include "conformance.h"
#include "hvfuzz/exit.h"

/* Where every synthesized exit happened; cases compare rip against it. */
#define XC_RIP 0x40001000ULL

/* A record of reason with qual, rip XC_RIP and a 2-byte instruction (CPUID's length). */
void xc_record(struct exit_record *x, enum exit_reason reason, uint64_t qual);
/* Replace the record's instruction bytes (and insn_len). */
void xc_insn(struct exit_record *x, const uint8_t *bytes, unsigned len);
/* The recorder's view of an exit (conform --record), before and after hv_exit: helpers.c holds
   the recorder. */
int  conf_record_exit(struct conf_ctx *c, struct vcpu *v, const struct exit_record *x);
void conf_record_exit_end(int token, const struct exit_result *r);
/* Run the record on v (recorded as an exit op); the result goes to *r (may be NULL). */
enum exit_action xc_run(struct conf_ctx *c, struct vcpu *v, const struct exit_record *x,
                        struct exit_result *r);
/* IN / OUT of size 1, 2 or 4 through EXIT_IO; a FAILURE unless the exit resumes. */
uint32_t xc_in(struct conf_ctx *c, struct vcpu *v, uint16_t port, unsigned size);
void xc_out(struct conf_ctx *c, struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
/* 4- or 8-byte MMIO accesses through EXIT_MMIO with real mov instructions. */
uint64_t xc_mmio_read(struct conf_ctx *c, struct vcpu *v, uint64_t gpa, unsigned size);
void xc_mmio_write(struct conf_ctx *c, struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);

#endif
