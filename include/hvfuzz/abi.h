/* The ABI written once: hypercalls, exit reasons, actions and registers, exit-layer values. */
#ifndef HVFUZZ_ABI_H
#define HVFUZZ_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * This header is the one place where a hypercall, an exit reason, an exit action or an exit
 * register gets its number and its name. The lists are X-macros: each user expands them into
 * what it needs (the enums here, the tables in ir/abi.c, the native target's report names, the
 * monitor's check that its register order is this one), so a new row reaches every user and no
 * copy can go stale. The monitor keeps only what is its own: handlers by number and by reason.
 * This header includes nothing of the monitor: ir/ (the codecs, and the freestanding guest agent
 * that compiles them) builds against it and xen.h alone (make check-ir).
 */

/* What a hypercall argument usually is: steers the fuzz decoder and the conformance recorder
   towards meaningful argument kinds. */
enum abi_hint {
    ABI_H_NONE = 0,   /* unused argument slot */
    ABI_H_ANY,
    ABI_H_PTR,        /* guest handle: the payload */
    ABI_H_COUNT,      /* small element count */
    ABI_H_CMD,        /* sub-command number */
    ABI_H_DOMID,
    ABI_H_VCPU,
    ABI_H_VA,         /* guest virtual address */
    ABI_H_PTE,        /* page-table entry value */
    ABI_H_FLAGS,
};

/* Where a hypercall's sub-command lives, so feedback can tell its paths apart. */
enum abi_cmd {
    ABI_CMD_NONE = 0,  /* one behaviour, or none worth telling apart */
    ABI_CMD_ARG0,      /* the first argument, hinted ABI_H_CMD (Xen's multiplexed calls) */
    ABI_CMD_BUF,       /* the first 32-bit word of the buffer arg 0 points to (a struct's cmd) */
    ABI_CMD_PTR,       /* the low bits of the first request's ptr word (mmu_update) */
};

/*
 * The hypercalls: X(name, number, where the sub-command is, the bits of that word that hold it,
 * one ABI_H_* hint per argument). The name is Xen's without HYPERVISOR_ and is what the text
 * form writes; the number is Xen's (public/xen.h); the hints' count is the argument count.
 * Rows stay in number order: the fuzz decoder picks a hypercall by row index, so a new row
 * changes what fuzz bytes decode to (canonical corpora are not affected).
 * To add a hypercall: one row here, its handler in hypercalls/ and one line in
 * hypercalls/hypercall.c (docs/MODEL.md, "Adding a hypercall").
 */
#define ABI_HYPERCALLS(X)                                                                          \
    X(set_trap_table,     0, ABI_CMD_NONE,    0, ABI_H_PTR)                                        \
    X(mmu_update,         1, ABI_CMD_PTR,   0x3, ABI_H_PTR, ABI_H_COUNT, ABI_H_PTR, ABI_H_DOMID)   \
    X(set_gdt,            2, ABI_CMD_NONE,    0, ABI_H_PTR, ABI_H_COUNT)                           \
    X(stack_switch,       3, ABI_CMD_NONE,    0, ABI_H_ANY, ABI_H_VA)                              \
    X(fpu_taskswitch,     5, ABI_CMD_NONE,    0, ABI_H_ANY)                                        \
    X(update_descriptor, 10, ABI_CMD_NONE,    0, ABI_H_PTE, ABI_H_ANY)   /* maddr, descriptor */   \
    X(memory_op,         12, ABI_CMD_ARG0, 0x3F, ABI_H_CMD, ABI_H_PTR)  /* MEMOP_CMD_MASK */       \
    X(multicall,         13, ABI_CMD_NONE,    0, ABI_H_PTR, ABI_H_COUNT)                           \
    X(update_va_mapping, 14, ABI_CMD_NONE,    0, ABI_H_VA, ABI_H_PTE, ABI_H_FLAGS)                 \
    X(set_timer_op,      15, ABI_CMD_NONE,    0, ABI_H_ANY)                                        \
    X(xen_version,       17, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_PTR)                             \
    X(console_io,        18, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_COUNT, ABI_H_PTR)                \
    X(grant_table_op,    20, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_PTR, ABI_H_COUNT)                \
    X(vm_assist,         21, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_ANY)                             \
    X(update_va_mapping_otherdomain,                                                               \
                         22, ABI_CMD_NONE,    0, ABI_H_VA, ABI_H_PTE, ABI_H_FLAGS, ABI_H_DOMID)    \
    X(iret,              23, ABI_CMD_NONE,    0)   /* no argument: the frame is at rsp */          \
    X(vcpu_op,           24, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_VCPU, ABI_H_PTR)                 \
    X(set_segment_base,  25, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_VA)                              \
    X(mmuext_op,         26, ABI_CMD_BUF,   ~0U, ABI_H_PTR, ABI_H_COUNT, ABI_H_PTR, ABI_H_DOMID)   \
    X(sched_op,          29, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_PTR)                             \
    X(event_channel_op,  32, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_PTR)                             \
    X(domctl,            36, ABI_CMD_BUF,   ~0U, ABI_H_PTR)

/* HYPERVISOR_<name>: Xen's hypercall numbers. */
#define ABI_X_HC_NR(name, nr, ...) HYPERVISOR_##name = (nr),
enum abi_hypercall_nr { ABI_HYPERCALLS(ABI_X_HC_NR) };
#undef ABI_X_HC_NR

/* ABI_ROW_<name>: a hypercall's row in abi_hypercalls[]; ABI_NR_HYPERCALLS rows in all. */
#define ABI_X_HC_ROW(name, ...) ABI_ROW_##name,
enum abi_hypercall_row { ABI_HYPERCALLS(ABI_X_HC_ROW) ABI_NR_HYPERCALLS };
#undef ABI_X_HC_ROW

#define ABI_MAX_ARGS 6U
struct abi_hypercall {
    uint32_t    nr;
    const char *name;
    uint8_t     nargs;
    uint8_t     cmd;                   /* enum abi_cmd */
    uint32_t    cmd_mask;
    uint8_t     hints[ABI_MAX_ARGS];   /* enum abi_hint; ABI_H_NONE past nargs */
};
/* The rows in number order (ir/abi.c). */
extern const struct abi_hypercall abi_hypercalls[ABI_NR_HYPERCALLS];
/* A hypercall by number or by its text-form name; NULL if the ABI has no such hypercall. */
const struct abi_hypercall *abi_hypercall_by_nr(uint32_t nr);
const struct abi_hypercall *abi_hypercall_by_name(const char *name, size_t len);
/* Its name, or "unknown" (report and signature text). */
const char *abi_hypercall_name(uint32_t nr);

/*
 * Domain ids in hypercall payloads: the fields of Xen's structs that name a domain (a domctl's
 * domain, a reservation's domid, a grant or event-channel op's dom/remote_dom, ...), by hypercall
 * and sub-command, so that a target can see which domains an op names beyond its arguments (the
 * xen target reports an op naming a domain it has not built as unsupported). Fills ids with the
 * raw values of the fields that lie in op's payload (not fixed up) and returns how many there
 * are (up to max are stored).
 */
struct prog_op;
unsigned abi_op_payload_domids(const struct prog_op *op, uint16_t *ids, unsigned max);
/*
 * Whether op names a machine frame by its number: an immediate where Xen's ABI takes a machine
 * frame or address (a present PTE argument; mmu_update's ptr and val; the mfn of mmuext's pins,
 * base pointers and page ops; a grant transfer's frame; a grant copy's gmfn). Frame numbers
 * name different things on two machines, so what such an op does cannot be compared between
 * targets (resources, mfn(d0,g3) and the like, name the same thing everywhere).
 */
bool abi_op_raw_frame(const struct prog_op *op);

/*
 * VM-exit reasons: X(enum name, text-form name). The enum's values are the program format's
 * exit_reason byte, so rows are only ever appended. Qualification layouts are on each row.
 */
#define ABI_EXIT_REASONS(X)                                                                        \
    X(EXIT_CPUID,         cpuid)                                                                   \
    X(EXIT_MSR_READ,      msr_read)                                                                \
    X(EXIT_MSR_WRITE,     msr_write)                                                               \
    /* port I/O: qual = port | size << 16 | in << 24 | string << 25 | rep << 26 */                 \
    X(EXIT_IO,            io)                                                                      \
    /* a guest access to an MMIO gpa: gpa in qual; the instruction is decoded */                   \
    X(EXIT_MMIO,          mmio)                                                                    \
    X(EXIT_HLT,           hlt)                                                                     \
    /* gpa in qual; access bits in gla's low 3 bits (r/w/x) */                                     \
    X(EXIT_EPT_VIOLATION, ept_violation)                                                           \
    /* vector in qual & 0xff, error code in qual >> 32 */                                          \
    X(EXIT_EXCEPTION,     exception)                                                               \
    X(EXIT_TRIPLE_FAULT,  triple_fault)

#define ABI_X_ENUM(id, name) id,
enum exit_reason { ABI_EXIT_REASONS(ABI_X_ENUM) EXIT_NR };

/* What the monitor did with an exit (an exit op's result code): X(enum name, name). */
#define ABI_EXIT_ACTIONS(X)                                                                        \
    X(EXIT_RESUME,       resume)        /* emulated; registers updated, rip advanced */            \
    X(EXIT_INJECT_GP,    inject_gp)     /* #GP(0) injected */                                      \
    X(EXIT_INJECT_UD,    inject_ud)     /* #UD injected (an instruction it will not emulate) */    \
    X(EXIT_INJECT_PF,    inject_pf)     /* #PF injected */                                         \
    X(EXIT_HALTED,       halted)        /* vCPU blocked until an event */                          \
    X(EXIT_DOMAIN_CRASH, domain_crash)  /* the domain was crashed cleanly */                       \
    X(EXIT_INVALID,      invalid)       /* the record was malformed (reason out of range, ...) */  \
    /* another exception reflected to the guest: vector (and error code) in the result */          \
    X(EXIT_INJECT_EXC,   inject_exc)

enum exit_action { ABI_EXIT_ACTIONS(ABI_X_ENUM) EXIT_NR_ACTIONS };
#undef ABI_X_ENUM

/* Their names, or "?" for a number the ABI does not know. */
const char *abi_exit_reason_name(unsigned reason);
const char *abi_exit_action_name(unsigned action);
/* The reason (action) a name gives, or -1. */
int abi_exit_reason_by_name(const char *name, size_t len);
int abi_exit_action_by_name(const char *name, size_t len);

/*
 * An exit op's registers, in the program format's order: the 16 GPRs in x86 encoding order,
 * then rip and rflags. X(enum suffix, text-form name).
 */
#define ABI_EXIT_GPRS(X)                                                                           \
    X(RAX, rax) X(RCX, rcx) X(RDX, rdx) X(RBX, rbx) X(RSP, rsp) X(RBP, rbp) X(RSI, rsi)            \
    X(RDI, rdi) X(R8, r8) X(R9, r9) X(R10, r10) X(R11, r11) X(R12, r12) X(R13, r13) X(R14, r14)    \
    X(R15, r15)
#define ABI_EXIT_REGS(X) ABI_EXIT_GPRS(X) X(RIP, rip) X(RFLAGS, rflags)

#define ABI_X_REG(id, name) ABI_REG_##id,
enum abi_reg { ABI_EXIT_REGS(ABI_X_REG) ABI_NR_REGS };
#undef ABI_X_REG
/* Register i's name, or "?" past ABI_NR_REGS. */
const char *abi_reg_name(unsigned reg);

/* ---- the VM-exit layer's guest-visible values (docs/EXITS.md) -------------------------------- */

/* EXIT_IO's qualification. */
#define EXIT_IO_PORT(q)    ((uint16_t)((q) & 0xFFFFU))
#define EXIT_IO_SIZE(q)    ((unsigned)(((q) >> 16) & 0xFFU))
#define EXIT_IO_IN(q)      ((((q) >> 24) & 1U) != 0)
#define EXIT_IO_STRING(q)  ((((q) >> 25) & 1U) != 0)
#define EXIT_IO_REP(q)     ((((q) >> 26) & 1U) != 0)
#define EXIT_IO_QUAL(port, size, in) ((uint64_t)(port) | ((uint64_t)(size) << 16) | \
                                      ((uint64_t)((in) ? 1 : 0) << 24))

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

#endif
