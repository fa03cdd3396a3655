/* VM exits: synthesized exit records replayed straight into the monitor's exit handlers. */
#ifndef HVFUZZ_EXIT_H
#define HVFUZZ_EXIT_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/monitor.h"
#include "hvfuzz/x86.h"

enum exit_reason {
    EXIT_CPUID = 0,
    EXIT_MSR_READ,
    EXIT_MSR_WRITE,
    EXIT_IO,            /* port I/O: qual = port | size << 16 | in << 24 | string << 25 | rep << 26 */
    EXIT_MMIO,          /* a guest access to an MMIO gpa: gpa in qual; the instruction is decoded */
    EXIT_HLT,
    EXIT_EPT_VIOLATION, /* gpa in qual; access bits in gla's low 3 bits (r/w/x) */
    EXIT_EXCEPTION,     /* vector in qual & 0xff, error code in qual >> 32 */
    EXIT_TRIPLE_FAULT,
    EXIT_NR
};

#define EXIT_IO_PORT(q)    ((uint16_t)((q) & 0xFFFFU))
#define EXIT_IO_SIZE(q)    ((unsigned)(((q) >> 16) & 0xFFU))
#define EXIT_IO_IN(q)      ((((q) >> 24) & 1U) != 0)
#define EXIT_IO_STRING(q)  ((((q) >> 25) & 1U) != 0)
#define EXIT_IO_REP(q)     ((((q) >> 26) & 1U) != 0)
#define EXIT_IO_QUAL(port, size, in) ((uint64_t)(port) | ((uint64_t)(size) << 16) | \
                                      ((uint64_t)((in) ? 1 : 0) << 24))

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

/* What the monitor did with the exit. */
enum exit_action {
    EXIT_RESUME = 0,    /* emulated; registers updated, rip advanced */
    EXIT_INJECT_GP,     /* #GP(0) injected */
    EXIT_INJECT_UD,     /* #UD injected (an instruction the monitor will not emulate) */
    EXIT_INJECT_PF,     /* #PF injected */
    EXIT_HALTED,        /* vCPU blocked until an event */
    EXIT_DOMAIN_CRASH,  /* the domain was crashed cleanly */
    EXIT_INVALID,       /* the record itself was malformed (reason out of range, ...) */
};

struct exit_result {
    uint8_t  action;            /* enum exit_action */
    struct vcpu_regs regs;      /* registers after the exit */
    struct x86_insn insn;       /* the decoded instruction (MMIO and string I/O) */
    bool     insn_valid;
};

/* Handle one exit of vCPU v; never crashes on any record. Returns the action. */
enum exit_action hv_exit(struct hv *hv, struct vcpu *v, const struct exit_record *x,
                         struct exit_result *r);
const char *exit_reason_name(enum exit_reason r);
const char *exit_action_name(enum exit_action a);

#endif
