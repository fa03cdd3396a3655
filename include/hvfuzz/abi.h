/* The ABI written once: each hypercall's number, name, argument hints and sub-command. */
#ifndef HVFUZZ_ABI_H
#define HVFUZZ_ABI_H

#include <stddef.h>
#include <stdint.h>

/*
 * This header is the one place where a hypercall gets its number and its name. The list is an
 * X-macro: each user expands it into what it needs (the enums here, the tables in ir/abi.c), so
 * a new row reaches every user and no copy can go stale. The monitor keeps only what is its own:
 * its handlers by number. This header includes nothing of the monitor: ir/ (the codecs, and the
 * freestanding guest agent that compiles them) can build against it and xen.h alone.
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
 * hypercalls/hypercall.c.
 */
#define ABI_HYPERCALLS(X)                                                                          \
    X(mmu_update,         1, ABI_CMD_PTR,   0x3, ABI_H_PTR, ABI_H_COUNT, ABI_H_PTR, ABI_H_DOMID)   \
    X(set_gdt,            2, ABI_CMD_NONE,    0, ABI_H_PTR, ABI_H_COUNT)                           \
    X(memory_op,         12, ABI_CMD_ARG0, 0x3F, ABI_H_CMD, ABI_H_PTR)  /* MEMOP_CMD_MASK */       \
    X(multicall,         13, ABI_CMD_NONE,    0, ABI_H_PTR, ABI_H_COUNT)                           \
    X(update_va_mapping, 14, ABI_CMD_NONE,    0, ABI_H_VA, ABI_H_PTE, ABI_H_FLAGS)                 \
    X(xen_version,       17, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_PTR)                             \
    X(console_io,        18, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_COUNT, ABI_H_PTR)                \
    X(grant_table_op,    20, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_PTR, ABI_H_COUNT)                \
    X(update_va_mapping_otherdomain,                                                               \
                         22, ABI_CMD_NONE,    0, ABI_H_VA, ABI_H_PTE, ABI_H_FLAGS, ABI_H_DOMID)    \
    X(vcpu_op,           24, ABI_CMD_ARG0,  ~0U, ABI_H_CMD, ABI_H_VCPU, ABI_H_PTR)                 \
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

#endif
