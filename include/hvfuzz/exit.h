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
    EXIT_INJECT_EXC,    /* another exception reflected to the guest: vector (and error code) in
                           the result */
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
const char *exit_reason_name(enum exit_reason r);
const char *exit_action_name(enum exit_action a);

/* ---- the VM-exit layer's guest-visible ABI (docs/EXITS.md) ------------------------------------ */

/* Work bound per exit: rep string instructions stop after this many elements without advancing
   rip (the guest re-executes and exits again), as real emulators split long reps. */
#define EXIT_REP_MAX 64U

/* CPUID: the hypervisor leaves' signature ("hvfuzzhvfuzz") and the highest hypervisor leaf. */
#define CPUID_HV_BASE      0x40000000U
#define CPUID_HV_MAX       0x40000001U
#define CPUID_HV_SIG_EBX   0x7a757668U  /* "hvfu" */
#define CPUID_HV_SIG_ECX   0x76687a7aU  /* "zzhv" */
#define CPUID_HV_SIG_EDX   0x7a7a7566U  /* "fuzz" */
#define CPUID_HV_VERSION   0x00010000U  /* leaf 0x40000001 eax: major 1, minor 0 */
/* Replace d's policy; bits whose dependencies are absent are cleared and the maximum leaves
   clamped to what the model implements. 0 or -XEN_EINVAL (max_leaf or max_ext_leaf too small). */
int cpuid_policy_set(struct domain *d, const struct cpuid_policy *p);
/* The values CPUID(leaf, subleaf) gives on v (its MISC_ENABLE included). */
void cpuid_query(const struct domain *d, const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                 uint32_t out[4]);

/* MSRs the model implements; every other index is #GP. */
#define MSR_TSC             0x00000010U
#define MSR_APIC_BASE       0x0000001BU
#define MSR_SYSENTER_CS     0x00000174U
#define MSR_SYSENTER_ESP    0x00000175U
#define MSR_SYSENTER_EIP    0x00000176U
#define MSR_MISC_ENABLE     0x000001A0U
#define MSR_PAT             0x00000277U
#define MSR_EFER            0xC0000080U
#define MSR_STAR            0xC0000081U
#define MSR_LSTAR           0xC0000082U
#define MSR_CSTAR           0xC0000083U
#define MSR_SFMASK          0xC0000084U
#define MSR_FS_BASE         0xC0000100U
#define MSR_GS_BASE         0xC0000101U
#define MSR_KERNEL_GS_BASE  0xC0000102U
#define MSR_TSC_AUX         0xC0000103U
/* 0 and the value, or -XEN_EPERM where the guest would take #GP. */
int msr_read(struct domain *d, struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_write(struct domain *d, struct vcpu *v, uint32_t msr, uint64_t val);

/* Devices. */
#define UART_PORT_BASE  0x3F8U          /* 8 ports */
#define CMOS_PORT_INDEX 0x70U
#define CMOS_PORT_DATA  0x71U
#define DMA_MMIO_BASE   0xFEB00000ULL   /* one 4 KiB page of registers */
#define DMA_MMIO_SIZE   0x1000U
/* DMA device registers (offsets; 4- or 8-byte aligned accesses of their size only). */
#define DMA_REG_ID        0x00U   /* ro32: DMA_ID */
#define DMA_REG_RING_BASE 0x08U   /* rw64: gpa of the ring, DMA_DESC_SIZE aligned */
#define DMA_REG_RING_SIZE 0x10U   /* rw32: descriptors, 1..DMA_RING_MAX (0: no ring) */
#define DMA_REG_HEAD      0x14U   /* ro32: next descriptor the device takes */
#define DMA_REG_TAIL      0x18U   /* rw32: doorbell: the driver's producer index */
#define DMA_REG_STATUS    0x1CU   /* r/w1c32: DMA_STATUS_* */
#define DMA_REG_ERROR     0x20U   /* ro32: DMA_ERR_* of the last refusal */
#define DMA_REG_CTRL      0x24U   /* rw32: DMA_CTRL_* */
#define DMA_REG_COMPLETED 0x28U   /* ro32: descriptors completed since reset */
#define DMA_ID            0x414D4448U   /* "HDMA" */
#define DMA_RING_MAX      256U
#define DMA_BATCH_MAX     16U     /* descriptors processed per doorbell */
#define DMA_LEN_MAX       8192U   /* bytes per descriptor */
#define DMA_STATUS_ERROR  0x1U    /* a refusal happened (write 1 to clear) */
#define DMA_STATUS_IDLE   0x2U    /* head == tail */
#define DMA_CTRL_ENABLE   0x1U
#define DMA_CTRL_RESET    0x2U    /* self-clearing: ring registers, status, error, counters */
#define DMA_DESC_FILL     0x1U    /* descriptor flag: zero-fill dst (src unused) */
enum dma_error {
    DMA_ERR_NONE = 0,
    DMA_ERR_RING,       /* ring base/size unusable, or the ring runs past guest memory */
    DMA_ERR_INDEX,      /* tail written >= ring size */
    DMA_ERR_DESC,       /* the descriptor itself is not in the domain's memory */
    DMA_ERR_ACCESS,     /* src or dst touches a frame the domain neither owns nor was granted */
    DMA_ERR_LEN,        /* len 0, over DMA_LEN_MAX, or src/dst runs past guest memory */
    DMA_ERR_FLAGS,      /* unknown descriptor flags */
    DMA_ERR_DISABLED,   /* doorbell while not enabled */
};
/* A descriptor in guest memory; result is written back by the device (0 or enum dma_error). */
struct dma_desc {
    uint64_t src, dst;
    uint32_t len, flags;
    uint64_t result;
};
#define DMA_DESC_SIZE 32U

/* The far end of the UART's line: bytes arriving at the receiver (false: RX FIFO full, the byte
   is lost and LSR.OE set) and bytes taken from the transmitter (returns how many). */
bool uart_host_rx(struct domain *d, uint8_t byte);
unsigned uart_host_tx(struct domain *d, uint8_t *buf, unsigned max);

#endif
