/* The unicorn target's state: the reference monitor with guest code run at CPL3 in Unicorn. */
#ifndef HVFUZZ_UNI_H
#define HVFUZZ_UNI_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "hvfuzz/exit.h"
#include "targets/native/native.h"

extern const struct target_ops unicorn_target_ops;

/*
 * The emulated machine's address space (docs/TARGETS.md, "The unicorn target"). Debian 12's
 * Unicorn 2.0.1 walks the page tables CR3 names for permissions and faults, then uses the
 * virtual address as the physical one. So CR3 points at the target's own identity tables (every
 * page present, writable, user), and each guest page the CPU touches is an alias: a 4 KiB
 * mapping at the guest VA of the frame the monitor's TLB gives for it. Permissions and faults
 * come from the monitor (the alias's protection, its walker's error codes), never from Unicorn.
 *  - UNI_TABLES: the identity tables. Page-table reads are physical and Unicorn's CPU has 40
 *    address bits, so they sit just under 1 TiB; the identity tables leave that 2 MiB range not
 *    present, so a guest access there faults and is checked against the monitor.
 *  - UNI_OWN: the target's own pages in Xen's range (no guest can map it: the monitor's walker
 *    faults there): stubs, the sentinel every run stops at, the GDT, a stack per vCPU. The rest
 *    of Xen's range is not present in the identity tables.
 */
#define UNI_TABLES      0x000000FFFFE00000ULL
#define UNI_TABLE_PAGES 7U
#define UNI_OWN         (XEN_VIRT_END - 0x200000ULL)   /* Xen's last 2 MiB */
#define UNI_STUB        (UNI_OWN + 0x0000U)    /* hypercall, access and exit stubs */
#define UNI_SENTINEL    (UNI_OWN + 0x1000U)    /* every run ends when rip reaches it */
#define UNI_GDT         (UNI_OWN + 0x2000U)
#define UNI_BOOT        (UNI_OWN + 0x3000U)    /* the CPL0 code that drops to CPL3 once */
#define UNI_STACKS      (UNI_OWN + 0x4000U)    /* one page per (domain, vCPU) */
#define UNI_OWN_PAGES   (4U + HV_MAX_DOMAINS * HV_MAX_VCPUS)
#define UNI_STUB_EXIT   (UNI_STUB + 0x800U)    /* an exit op's instruction, then jmp sentinel */

/* Exception vectors the target raises or reports (the monitor's own list is private to it). */
enum uni_vec { UNI_VEC_DE = 0, UNI_VEC_DB = 1, UNI_VEC_BP = 3, UNI_VEC_UD = 6, UNI_VEC_GP = 13, UNI_VEC_PF = 14 };

/*
 * The device window: a PV guest reaches a device's registers through a mapping of its I/O
 * frame, which the model has no frames for, so on this target a load or store at a VA equal to
 * a device's gpa (the DMA device's page) that the guest's own tables do not map is an MMIO exit
 * with that gpa, decoded by the monitor as on hardware.
 */
static inline bool uni_mmio_window(uint64_t va, unsigned size)
{
    return va >= DMA_MMIO_BASE && va - DMA_MMIO_BASE + (size ? size : 1U) <= DMA_MMIO_SIZE;
}

/* Instructions a guest_code op may run when it states no budget. */
#define UNI_DEFAULT_BUDGET 10000U

/* Why a run stopped before the sentinel. */
enum uni_stop {
    UNI_STOP_NONE = 0,
    UNI_STOP_FAULT,        /* an exception the guest has no handler for (fault, pfec) */
    UNI_STOP_REENTER,      /* an exit changed rip: restore the clean context and go on */
    UNI_STOP_RESTART,      /* a hypercall was preempted: rip is back on the syscall */
    UNI_STOP_BLOCKED,      /* the vCPU cannot run on (halted, its domain crashed or shut down) */
    UNI_STOP_HANG,         /* the instruction budget ran out */
    UNI_STOP_UNSUPPORTED,  /* an address the scheme cannot serve (the target's own ranges) */
    UNI_STOP_RETRY,        /* an alias was enabled for a fetch: go on from where the CPU stopped */
};

/* The registers a run starts from and ends with (x86 encoding order, as struct vcpu_regs). */
struct uni_regs {
    uint64_t gpr[16];
    uint64_t rip, rflags;
};

/*
 * One alias: the guest page va, served from frame mfn. Mapping one, or adding or removing its
 * write permission, rebuilds Unicorn's address space (~14-20 us); switching read and execute
 * costs ~0.02 us. So aliases stay mapped across ops and resets and are switched on and off with
 * the monitor's TLB by read and execute alone: a data alias stays writable to Unicorn (every
 * store is checked by a write hook against the monitor instead, uni_mmu_write), a code alias
 * (one Unicorn runs code from: copy holds the page as it was translated) is never writable
 * (mmu.c says why).
 */
#define UNI_MAX_ALIASES 48U
/* Programs one engine runs before the target makes a fresh one (target.c says why). */
#define UNI_ENGINE_PROGRAMS 20000U

/* No page: not page-aligned, so never a page address. */
#define UNI_NO_PAGE (~(gva_t)0)

struct uni_alias {
    bool     valid;
    bool     on;                    /* a TLB entry of the monitor stands behind it */
    bool     code;
    gva_t    va;
    mfn_t    mfn;
    uint32_t prot;
    uint32_t used;                  /* uni.alias_clock at its last enabling (eviction order) */
    uint8_t *copy;                  /* PAGE_SIZE bytes once code */
};

struct uni {
    struct target inner;            /* the native target: monitor, snapshot, oracles */
    struct native *n;               /* inner.priv */
    uc_engine *uc;
    uc_context *clean;              /* CPL3, no exception pending (re-entry after every fault) */
    uint8_t *own;                   /* UNI_OWN_PAGES pages */
    uint8_t *tables;                /* UNI_TABLE_PAGES pages */
    /* A store the monitor refused, or one through an alias whose frame changed: its bytes are
       put back when the run stops (the write hook runs before the store lands). */
    unsigned nr_undo;
    struct { uint8_t *at; uint8_t len; uint8_t bytes[16]; } undo[4];
    /* The bytes the current instruction's stores replaced, put back if it faults: Unicorn splits
       a page-crossing store into bytes and may store the first page's before it finds the
       second page's fault (hardware stores nothing). Dropped when the next instruction (or rep
       iteration) starts. */
    unsigned nr_ilog;
    struct { uint8_t *at; uint8_t len; uint8_t bytes[16]; } ilog[16];
    /* Pages the run needs handled outside the hooks, UNI_NO_PAGE when none (page 0 is a page a
       guest may map like any other). */
    gva_t    remap;                 /* page to map again before re-entry */
    gva_t    fill;                  /* page a fetch needs, mapped before re-entry */
    gva_t    uncode;                /* code page a store needs, made data before re-entry */
    gva_t    smc;                   /* code page the running code stores to: one step, writable */
    bool     smc_step;              /* that step is running */
    uint32_t insn_len;              /* length of the instruction running (the code hook's) */
    uint32_t smc_len;               /* ... of the one that stores into its own page */
    /* The enabled aliases mirror the running vCPU's TLB in the monitor, slot for slot. */
    struct vcpu *alias_v;
    struct uni_alias alias[UNI_MAX_ALIASES];
    int8_t   slot[HV_TLB_ENTRIES];  /* the alias enabled for each TLB slot, or -1 */
    uint32_t alias_clock;
    uint32_t engine_programs;       /* resets since the engine was made */
    /* The run in progress. */
    struct vcpu *v;
    struct uni_regs regs;           /* at a stop: where to go on from (REENTER) */
    enum uni_stop stop;
    uint8_t  fault;                 /* vector, PROG_FAULT_NONE */
    uint32_t pfec;
    /* Exceptions in guest code go to the vCPU's trap table (deliver: the run started in guest
       code, not in a stub): the registers and address at the fault, the running instruction. */
    bool     deliver;
    struct uni_regs fregs;
    uint64_t fault_addr;
    uint64_t insn_rip;
    uint64_t budget, icount;
    uint8_t  nr_exits;
    uint8_t  exits[PROG_MAX_EXPECT_EXITS];
    uint64_t mmio_expect;           /* an MMIO exit op's gpa: another address is not its exit */
    int64_t  exit_action;           /* the last exit's enum exit_action (-1: none) */
    /* A vCPU whose code was preempted in a hypercall resumes from these on switch_vcpu. */
    bool     susp_valid[HV_MAX_DOMAINS][HV_MAX_VCPUS];
    struct uni_regs susp[HV_MAX_DOMAINS][HV_MAX_VCPUS];
    uint32_t stacks_used;           /* bit per (domain, vCPU) stack guest code ran on */
    /* A budget overrun, reported by the next check as hang:guest_code. */
    bool     hang_pending;
    int      hang_op;
    uint32_t cov_prev;              /* the last block's hash >> 1 (cov.c), 0 at each run's start */
};

/* targets/unicorn/mmu.c: the shadow MMU. */
void uni_mmu_init(struct uni *u);
void uni_mmu_sync(struct uni *u);                /* enabled aliases := the running vCPU's TLB */
void uni_mmu_off(struct uni *u);                 /* disable every alias (a reset, a vCPU switch) */
void uni_mmu_code_check(struct uni *u);          /* drop code translated from changed frames */
void uni_mmu_free(struct uni *u);
bool uni_mmu_reserved(gva_t va, uint64_t len);   /* the target's own ranges */
bool uni_mmu_event(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                   void *arg);
void uni_mmu_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                   void *arg);
bool uni_mmu_entry_faults(struct uni *u, const struct uni_regs *r);   /* rip in the own range */
void uni_mmu_run_end(struct uni *u);             /* undo refused stores, remap changed frames */
bool uni_mmu_fill_fetch(struct uni *u);          /* map the page a stopped fetch needs */
void uni_mmu_smc_step(struct uni *u, struct uni_regs *r);   /* code storing to its own page */

/* targets/unicorn/exits.c: the hooks that turn instructions into the monitor's exits. */
int  uni_hooks_add(struct uni *u);
bool uni_mmio(struct uni *u, uint64_t va);       /* an access in the device window: the exit */
void uni_fault(struct uni *u, unsigned vector, uint32_t pfec);
void uni_fault_pf(struct uni *u, uint32_t pfec, uint64_t addr);   /* a page fault at addr */

/* targets/unicorn/run.c: one run from regs until the sentinel, a stop or the budget. */
void uni_regs_read(struct uni *u, struct uni_regs *r);
void uni_regs_write(struct uni *u, const struct uni_regs *r);   /* rflags kept to CPL3's */
int  uni_run(struct uni *u, struct vcpu *v, const struct uni_regs *start, uint64_t budget);

/* targets/unicorn/cov.c: block edges for a coverage-guided engine, hooked only once it asks. */
void uni_cov_enable(void (*edge)(uint32_t edge));   /* before the first open; NULL: off */
int  uni_cov_add(struct uni *u);

/* targets/unicorn/defuse.c: rewrite the instruction bytes Unicorn 2.0.1 aborts on (harnesses). */
void uni_defuse(uint8_t *b, size_t n);

/* targets/unicorn/op.c: the stubs (hypercall, loads, stores) and the ops. */
void uni_stubs_write(uint8_t *stub);
int uni_run_op(struct target *t, const struct prog_op *op, struct op_result *res);

#endif
