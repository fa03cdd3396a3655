/* VM exits: synthesized exit records replayed straight into the monitor's exit handlers. */
#ifndef HVFUZZ_EXIT_H
#define HVFUZZ_EXIT_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/abi.h"     /* enum exit_reason, enum exit_action, the exit-layer values */
#include "hvfuzz/monitor.h"
#include "hvfuzz/x86.h"

struct vcpu_regs {
    uint64_t gpr[16];   /* enum x86_reg order */
    uint64_t rip;
    uint64_t rflags;
};

struct exit_record {
    uint8_t  reason;            /* enum exit_reason */
    uint64_t qual;
    uint64_t gla;
    struct vcpu_regs regs;
    uint8_t  insn_len;
    uint8_t  insn[X86_MAX_INSN_LEN];
};

struct exit_result {
    uint8_t  action;            /* enum exit_action */
    struct vcpu_regs regs;      /* registers after the exit */
    struct x86_insn insn;       /* the decoded instruction (MMIO and string I/O) */
    bool     insn_valid;
    /* for every EXIT_INJECT_*: the vector, its error code (0 if it has none) and, for #PF, the
       faulting linear address */
    uint8_t  vector;
    uint32_t error_code;
    uint64_t cr2;
};

/* Handle one exit of vCPU v; never crashes on any record. Returns the action. */
enum exit_action hv_exit(struct hv *hv, struct vcpu *v, const struct exit_record *x,
                         struct exit_result *r);

/* ---- the monitor's side of the exit layer's ABI (values in abi.h, docs/EXITS.md) ----------- */

/* Replace d's policy; bits whose dependencies are absent are cleared and the maximum leaves
   clamped to what the model implements. 0 or -XEN_EINVAL (max_leaf or max_ext_leaf too small). */
int cpuid_policy_set(struct domain *d, const struct cpuid_policy *p);
/* The values CPUID(leaf, subleaf) gives on v (its MISC_ENABLE included). */
void cpuid_query(const struct domain *d, const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                 uint32_t out[4]);
/* 0 and the value, or -XEN_EPERM where the guest would take #GP. */
int msr_read(struct domain *d, struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_write(struct domain *d, struct vcpu *v, uint32_t msr, uint64_t val);
/* The far end of the UART's line: bytes arriving at the receiver (false: RX FIFO full, the byte
   is lost and LSR.OE set) and bytes taken from the transmitter (returns how many). */
bool uart_host_rx(struct domain *d, uint8_t byte);
unsigned uart_host_tx(struct domain *d, uint8_t *buf, unsigned max);

#endif
