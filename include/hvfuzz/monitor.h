/* The reference monitor core: machine, frame table, domains, vCPUs, page tables, TLB, grants, events. */
#ifndef HVFUZZ_MONITOR_H
#define HVFUZZ_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hvfuzz/xen.h"

/* Separate types for separate address spaces. */
typedef uint64_t mfn_t;   /* machine frame number: index into the frame pool */
typedef uint64_t gfn_t;   /* guest (pseudo-physical) frame number */
typedef uint64_t gva_t;   /* guest virtual address */
#define MFN_INVALID (~0ULL)
struct mig_stream;        /* hvfuzz/migrate.h */
#define GFN_INVALID (~0ULL)

#define HV_MAX_FRAMES   65536U
#define HV_MAX_DOMAINS  8U      /* domain ids 0..7; 0 is the control domain (dom0) */
#define HV_MAX_VCPUS    4U
#define HV_MAX_GFNS     2048U   /* size of each domain's p2m */
#define HV_TLB_ENTRIES  16U
#define HV_CONSOLE_SIZE 4096U

/* ---- frames ---------------------------------------------------------------------------------- */

enum pgt_type {
    PGT_none = 0, PGT_l1, PGT_l2, PGT_l3, PGT_l4, PGT_seg_desc, PGT_shared, PGT_writable,
    PGT_NR_TYPES
};
#define PGT_IS_PT(t) ((t) >= PGT_l1 && (t) <= PGT_l4)

/* frame.flags */
#define FRAME_ALLOCATED  0x01U  /* PGC_allocated: holds one general ref for the owner */
#define FRAME_XEN_HEAP   0x02U  /* shared by the monitor with the owner (grant frames): not in tot_pages */
#define FRAME_NEED_SCRUB 0x04U  /* freed; must be zeroed before the next allocation */
#define FRAME_PINNED     0x08U  /* holds one general and one type ref */
#define FRAME_VALIDATED  0x10U  /* contents checked for the current type; all entries hold refs */
#define FRAME_PARTIAL    0x20U  /* (de)validation preempted: entries [0, nr_validated_ptes) hold
                                   refs; the partial state holds one general and one type ref */

/*
 * One 4 KiB machine frame. Reference counting contract (what the audit recomputes):
 *  count = [ALLOCATED] + [PINNED] + [PARTIAL]
 *        + ref-holding PT entries pointing at the frame (L1 entries, and L2..L4 entries that are not
 *          self-references; entries in Xen L4 slots never hold refs)
 *        + vCPUs whose guest_table or guest_table_user is the frame (one each)
 *        + active grant device mappings of the frame (one per maptrack entry with a device part)
 *  type_count, for type writable = ref-holding L1 entries with RW mapping it + writable grant device
 *        mappings + [XEN_HEAP] (the permanent share ref);
 *   for type Ln = ref-holding L(n+1) entries pointing at it + ref-holding linear (same-level)
 *        entries of other Ln tables pointing at it + [PINNED] + [PARTIAL] + (L4) CR3 uses.
 *  "Ref-holding entries" of a table: all present entries when VALIDATED, entries
 *  [0, nr_validated_ptes) when PARTIAL, none otherwise.
 *  linear_pt_count: -(number of ref-holding linear entries the table contains) or +(number of
 *  ref-holding linear entries elsewhere pointing at it); never both (depth <= 1).
 */
struct frame {
    uint32_t count;             /* general reference count */
    uint32_t type_count;        /* type reference count */
    uint8_t  type;              /* enum pgt_type; sticky when type_count is 0 */
    uint8_t  flags;             /* FRAME_* */
    domid_t  owner;             /* DOMID_INVALID when free */
    int16_t  linear_pt_count;
    uint16_t nr_validated_ptes; /* meaningful when FRAME_PARTIAL */
    uint32_t tlbflush_timestamp;/* hv->tlbclock when a mapping may last have been dropped */
    uint32_t list_next;         /* page list links (mfn), HV_LIST_END terminates */
    uint32_t list_prev;
    uint16_t list_id;           /* which list the frame is on: LIST_NONE, LIST_FREE, or owner lists */
    /* Type seg_desc with VALIDATED: the domain whose rules the contents were checked by (the owner
       then). Xen's criteria depend on the owner (32- or 64-bit), so a validation must not outlive
       an owner change (XSA-214); the model has 64-bit guests only, so the audit checks the rule
       through this record (docs/MODEL.md). */
    domid_t  seg_dom;
};
#define HV_LIST_END 0xFFFFFFFFU
#define LIST_NONE   0xFFFFU
#define LIST_FREE   0xFFFEU
#define LIST_PAGES(d)  ((uint16_t)(2U * (d)))       /* domain d's page list */
#define LIST_XEN(d)    ((uint16_t)(2U * (d) + 1U))  /* domain d's xen-heap (shared) list */

struct page_list {
    uint32_t head, tail;
    uint32_t count;
};

/* ---- TLB ------------------------------------------------------------------------------------- */

struct tlb_entry {
    gva_t    va;        /* page-aligned */
    mfn_t    mfn;
    uint64_t flags;     /* effective _PAGE_RW | _PAGE_USER | _PAGE_NX of the walk */
    uint32_t fill;      /* the vCPU's tlb_fills when inserted: orders entries against promises */
    bool     valid;
};

/*
 * What a flushing hypercall (update_va_mapping's UVMF_* flags, mmuext TLB_FLUSH_* / INVLPG_*)
 * promised one vCPU during the current op: every TLB entry filled up to the recorded fill number
 * (for all VAs, or for the listed ones) agrees with the page tables when the op returns. Recorded
 * from the request, apart from the code that flushes; the native target checks and clears it after
 * each op (monitor/audit_tlb.c, invariant FLUSH). VAs past TLB_PROMISE_VAS are counted, not kept.
 */
#define TLB_PROMISE_VAS 4U
struct tlb_promise {
    uint32_t all;                       /* fill number a full flush covers; 0 = none */
    uint32_t nr_va;                     /* single-VA flushes promised */
    uint32_t va_fill[TLB_PROMISE_VAS];
    gva_t    va[TLB_PROMISE_VAS];       /* page-aligned */
};

/* ---- event channels -------------------------------------------------------------------------- */

/* Ports per domain: the 2-level ABI's bound for 64-bit guests (port 0 is reserved, never
   allocated). The FIFO ABI would allow EVTCHN_FIFO_NR_CHANNELS; the model keeps this array. */
#define EVTCHN_MAX_PORTS EVTCHN_2L_NR_CHANNELS
enum evtchn_state {
    ECS_FREE = 0, ECS_RESERVED, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_VIRQ, ECS_IPI
};
struct evtchn {
    uint8_t  state;         /* enum evtchn_state */
    bool     pending;
    bool     masked;
    uint8_t  notify_vcpu;
    domid_t  remote_dom;    /* UNBOUND: who may bind; INTERDOMAIN: peer */
    uint8_t  priority;      /* FIFO ABI: its queue (EVTCHN_FIFO_PRIORITY_*) */
    uint8_t  pad;
    uint32_t remote_port;   /* INTERDOMAIN: peer port */
    uint32_t virq;          /* VIRQ */
};

/*
 * The FIFO ABI's guest pages, mapped by the monitor while the domain uses the ABI: each holds a
 * general and a writable type ref (the audit counts them). The event array's frames are the
 * last field of struct domain (fifo_array), so reset copies only its used part.
 */
struct evtchn_fifo {
    bool     on;                             /* init_control succeeded once: the FIFO ABI */
    uint32_t nr_array;                       /* event array pages (expand_array) */
    uint32_t control[HV_MAX_VCPUS];          /* control block frame + 1 per vCPU; 0: none */
    uint16_t control_off[HV_MAX_VCPUS];
};

/* ---- grant tables ---------------------------------------------------------------------------- */

#define GNT_MAX_FRAMES      4U   /* grant table frames per domain */
#define GNT_MAX_STATUS      2U   /* v2 status frames per domain */
#define GNT_MAX_MAPTRACK  256U   /* mappings a domain may hold */
#define GNT_V1_PER_FRAME  (PAGE_SIZE / sizeof(struct grant_entry_v1))
#define GNT_V2_PER_FRAME  (PAGE_SIZE / sizeof(struct grant_entry_v2))
#define GNT_MAX_REFS      (GNT_MAX_FRAMES * GNT_V1_PER_FRAME)
#define GNT_BATCH_MAX   512U   /* array grant ops continue after this many elements per call */

/* Per granted ref, in the granting domain: who maps it and how often (Xen's active entry). */
struct gnt_active {
    uint16_t host_ro, host_rw;   /* pin counts of host (PTE) mappings */
    uint16_t dev_ro, dev_rw;     /* pin counts of device mappings */
    domid_t  mapped_by;          /* the domain the entry was granted to when first pinned */
    mfn_t    mfn;                /* the frame pinned */
};
/* Per mapping, in the mapping domain (Xen's maptrack entry). */
struct gnt_maptrack {
    bool        in_use;
    uint8_t     flags;           /* GNTMAP_* as mapped */
    domid_t     dom;             /* granting domain */
    grant_ref_t ref;
    mfn_t       mfn;             /* the granted frame */
    uint64_t    host_addr;       /* machine address of the PTE for host maps (mfn<<12 | offset) */
};
struct grant_table {
    uint32_t version;            /* 1 or 2 */
    uint32_t nr_frames;          /* grant frames in use (grown by setup_table) */
    uint32_t max_frames;
    mfn_t    frames[GNT_MAX_FRAMES];
    uint32_t nr_status_frames;
    mfn_t    status[GNT_MAX_STATUS];
    /* The maptrack free list's one possible defect: handle + 1 of an entry released twice, which
       the list then hands out again and again (XSA-218's double put); 0 = the list is sound.
       Only HV_BUG_XSA218 sets it; the audit reports it (GNTTAB). */
    uint32_t maptrack_dup;
    /* Set by every write to active or maptrack entries (gnt_act_w, gnt_map_w, gnttab_init):
       untouched tables are as at the last reset, so neither the reset nor the incremental audit
       reads them. Before the pointers, so a reset of the header clears it. */
    bool     touched;
    /* When set, every active ref written since the native target's snapshot lies in [act_w_lo,
       act_w_end) (gnt_act_w widens it; the snapshot holds it set and empty for the domains it
       has, so reset restores that): the incremental audit compares only those. A header cleared
       otherwise (gnttab_init, dom_create) has it unset: any ref may have been written. */
    bool     act_w_set;
    uint32_t act_w_lo, act_w_end;
    /* One past the highest maptrack handle gnt_map_w handed out: entries from here up were never
       written since the domain was created, so the incremental audit's loops stop here. */
    uint32_t maptrack_hi;
    /* One past the highest active ref gnt_act_w handed out since the slot's table was last
       cleared (likewise): entries from here up are zero, so reset and gnttab_init stop here. */
    uint32_t active_hi;
    /* Indexed by guest-supplied refs and handles: each table is its own allocation (dom_tables),
       so an index one past the end leaves the allocation, where ASan sees it, instead of landing
       in the next field. */
    struct gnt_active *active;       /* GNT_MAX_REFS entries */
    struct gnt_maptrack *maptrack;   /* GNT_MAX_MAPTRACK entries */
};

/* ---- vCPUs and domains ----------------------------------------------------------------------- */

/* ---- VM-exit state: CPUID policy, MSRs, device models (monitor/exit*.c, monitor/dev_*.c) ------ */

/* The CPUID policy a domain's vCPUs see; exit_cpuid.c derives every leaf from these words. */
struct cpuid_policy {
    uint32_t max_leaf;              /* basic leaves 0..max_leaf */
    uint32_t max_ext_leaf;          /* extended leaves 0x80000000..max_ext_leaf */
    uint32_t l1_ecx, l1_edx;        /* leaf 1 feature words */
    uint32_t l7_ebx, l7_ecx, l7_edx;/* leaf 7 subleaf 0 feature words */
    uint32_t e1_ecx, e1_edx;        /* leaf 0x80000001 feature words */
};

/*
 * The PV trap table (set_trap_table): the handler of each exception vector. Xen keeps 256 entries;
 * the model keeps the 32 exception vectors, the ones the monitor delivers (software interrupts
 * with a vector of 32 or more are not modelled: their entries are accepted and dropped).
 */
#define PV_TRAP_VECTORS 32U
struct pv_trap {
    uint64_t address;           /* handler; 0 = none (a fault there crashes the domain) */
    uint16_t cs;                /* code selector, RPL forced to 3 (a 64-bit PV kernel's ring) */
    uint8_t  flags;             /* TI_* bits: DPL (0-1), mask events on entry (2) */
};
#define PV_TI_IF          0x4U

/*
 * The guest registers the PV entry points read and write (Xen's guest_cpu_user_regs): a target
 * with a CPU fills them before a hypercall and takes them back after (iret changes them); the
 * native target, which has none, states the payload's address as the stack (so an op's payload
 * can hold an iret frame).
 */
struct pv_uregs {
    uint64_t rax, rcx, r11, rsp, rip, rflags;
    uint16_t cs, ss;
};

/* The architectural MSRs a vCPU owns (docs/EXITS.md has the table and the #GP rules). */
struct vcpu_msrs {
    uint64_t efer, star, lstar, cstar, sfmask;
    uint64_t fs_base, gs_base, kernel_gs_base;
    uint64_t tsc, tsc_aux, apic_base, misc_enable, pat;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
};

/* 16550-style UART at port 0x3f8 (dev_uart.c). FIFOs are rings: head + count. */
#define UART_FIFO_SIZE 16U
struct dev_uart {
    uint8_t tx[UART_FIFO_SIZE];
    uint8_t rx[UART_FIFO_SIZE];
    uint8_t tx_head, tx_count, rx_head, rx_count;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    uint8_t lsr_err;                /* sticky LSR error bits (overrun), cleared by reading LSR */
    bool    thre_pending;           /* THR-empty interrupt pending until IIR is read or THR written */
};

/* CMOS/RTC behind the index/data pair 0x70/0x71 (dev_cmos.c); time registers held in binary. */
#define CMOS_SIZE 128U
struct dev_cmos {
    uint8_t index;                  /* < CMOS_SIZE */
    bool    nmi_masked;             /* bit 7 of the last index write */
    uint8_t *ram;                   /* CMOS_SIZE bytes, indexed by the guest's index: own allocation */
};

/* The DMA-capable MMIO device (dev_dma.c) and the frames its DMA touched, for the audit. */
#define DMA_LOG_SIZE 16U
#define DMA_LOG_WRITE   0x01U       /* the device wrote the frame */
#define DMA_LOG_GRANTED 0x02U       /* the domain held a maptrack entry for it at the time */
struct dma_log_entry {
    uint32_t mfn;
    domid_t  owner;                 /* the frame's owner when the device touched it */
    uint8_t  flags;                 /* DMA_LOG_* */
    uint8_t  pad;
};
struct dev_dma {
    uint64_t ring_base;             /* gpa of the descriptor ring */
    uint32_t ring_size;             /* descriptors; 0 = no ring */
    uint32_t head, tail;            /* < ring_size (both 0 without a ring) */
    uint32_t status, error, ctrl, completed;
    uint32_t log_total;             /* accesses ever logged; the last DMA_LOG_SIZE are kept */
    struct dma_log_entry log[DMA_LOG_SIZE];
};

/* A preempted hypercall waiting to be re-issued by the guest. */
struct continuation {
    bool     pending;
    uint32_t nr;
    uint64_t args[6];
};

struct vcpu {
    uint8_t  id;
    domid_t  domid;
    bool     initialised;
    bool     up;
    bool     blocked;
    bool     polling;
    mfn_t    guest_table;       /* kernel CR3 (an L4 frame) or MFN_INVALID */
    mfn_t    guest_table_user;  /* user CR3 or MFN_INVALID */
    uint32_t tlb_flush_time;    /* hv->tlbclock at this vCPU's last full flush */
    struct tlb_entry tlb[HV_TLB_ENTRIES];
    uint32_t tlb_fills;         /* TLB entries ever inserted (tlb_entry.fill numbers them) */
    struct tlb_promise promise; /* flushes promised during the current op */
    struct continuation cont;
    /* a table whose put (devalidation) was preempted and must finish before the vCPU's next
       base-pointer operation (Xen's old_guest_table) */
    mfn_t    old_guest_table;
    struct vcpu_msrs msr;       /* VM-exit layer: MSRs (exit_msr.c) */
    /* PV entry and exit (hypercalls/traps.c): the trap table, the registers, the guest's CR2
       (set when a page fault is delivered) and vcpu_info's event upcall mask (1 at creation) */
    struct pv_trap traps[PV_TRAP_VECTORS];
    struct pv_uregs uregs;
    uint64_t cr2;
    uint8_t  upcall_mask;
    /* hypercalls/pv_misc.c: the kernel stack a user-mode fault would switch to (stack_switch),
       CR0.TS as fpu_taskswitch sets it, the IOPL iret keeps under the architectural_iopl assist */
    uint16_t kernel_ss;
    uint64_t kernel_sp;
    bool     fpu_ts;
    uint32_t iopl;              /* RFLAGS bits 12-13 */
    /* hypercalls/descriptor.c: the GDT set_gdt installed (gdt_ents entries in the first
       DIV_ROUND_UP(gdt_ents, 512) frames, each holding a general and a seg_desc type ref) and the
       LDT MMUEXT_SET_LDT named (a linear base and entries; its pages are not mapped, so it holds
       no refs: docs/MODEL.md) */
    uint32_t gdt_ents;
    mfn_t    gdt_frames[FIRST_RESERVED_GDT_PAGE];
    uint64_t ldt_base;
    uint32_t ldt_ents;
    /* hypercalls/callback.c: the callbacks callback_op and set_callbacks register, by
       CALLBACKTYPE_x (the NMI one is trap 2: its slot, and the unused types', stay 0), with
       CALLBACKF_mask_events per type */
    uint64_t cb[CALLBACKTYPE_NR];
    uint8_t  cb_mask;           /* bit CALLBACKTYPE_x: that callback masks events */
    /* hypercalls/debugreg.c: DR0-3, DR6 and DR7 as set_debugreg keeps them, the I/O breakpoint
       enables Xen keeps out of DR7 (dr7_emul), and the guest's CR4.DE (no path sets it: 0) */
    uint64_t dr[4];
    uint64_t dr6, dr7;
    uint32_t dr7_emul;
    bool     cr4_de;
    /* hypercalls/physdev.c: the I/O bitmap set_iobitmap names and its port count */
    uint64_t iobmp;
    uint32_t iobmp_limit;
    /* iret to user mode (Xen's toggle_guest_mode): the vCPU runs on guest_table_user, which it
       entered with (user_table_live); the next hypercall op is made by the kernel again */
    bool     user_mode;
    mfn_t    user_table_live;
};
/* GDT frames a vCPU holds (Xen's DIV_ROUND_UP(gdt_ents, 512)). */
static inline unsigned vcpu_gdt_frames(const struct vcpu *v)
{
    return (v->gdt_ents + GDT_ENTRIES_PER_PAGE - 1U) / GDT_ENTRIES_PER_PAGE;
}

/* The native target restores a domain by field ranges and the guest-indexed tables (gnt.active,
   gnt.maptrack, evtchn, cmos.ram: separate allocations made by hv_create, see dom_tables_alloc)
   by their contents (fuzz/target_native.c: native_restore_dom):
   everything before p2m, the used part of p2m and of gnt.active, the rest of gnt, and everything
   from max_evtchn_port on. New fields go before p2m or after max_evtchn_port. */
struct domain {
    domid_t  id;
    bool     exists;
    bool     privileged;
    bool     dying;             /* destruction started: no new frames, relinquish in progress */
    uint8_t  paused;            /* the control domain's pause count: createdomain leaves 1 */
    bool     shutdown;
    bool     crashed;           /* the monitor crashed it (dom_crash), whatever reason came first */
    uint32_t shutdown_reason;   /* the first reason given (dom_shutdown) */
    uint32_t tot_pages;
    uint32_t max_pages;
    uint32_t nr_vcpus;
    uint64_t vm_assist;         /* VMASST_TYPE_* bits the domain enabled (vm_assist) */
    struct vcpu vcpu[HV_MAX_VCPUS];
    /* Log-dirty mode (XEN_DOMCTL_shadow_op; monitor/logdirty.c): on, the stats CLEAN and PEEK
       report, and the bitmap, bit n for pfn n (pfns from HV_MAX_GFNS up are not logged) */
    bool     logdirty;
    uint32_t ld_fault_count;    /* stays 0: the model takes no shadow write faults */
    /* pfns marked in sessions a disable (or an enable) ended with no clean since: Xen's
       dirty_count survives those, and CLEAN and PEEK report it with the bitmap's marks
       (logdirty_dirty_count) */
    uint32_t ld_dirty_carried;
    uint32_t ld_session;        /* bumped by every enable, disable and clean: a toolstack sees
                                   whether someone else cleaned its bitmap in between */
    /* The first pfn (+1, 0: none) a clean or disable found changed since the clean before it
       without its bit: the evidence the clean is about to erase, kept for the audit (LOGDIRTY) */
    uint32_t ld_missed;
    uint64_t ld_bitmap[HV_MAX_GFNS / 64U];
    struct page_list pages;     /* frames counted in tot_pages */
    struct page_list xenpages;  /* xen-heap frames shared with the domain */
    gfn_t    nr_gfns;           /* p2m entries in use: highest populated gfn + 1 */
    /* One past the highest gfn p2m_set ever wrote (never lowered; reset restores it): entries
       from here up are untouched, so the incremental audit checks the p2m's tail only below. */
    uint32_t p2m_top;
    mfn_t    p2m[HV_MAX_GFNS];  /* gfn -> mfn, MFN_INVALID if not populated */
    struct grant_table gnt;
    uint32_t max_evtchn_port;
    struct evtchn *evtchn;      /* EVTCHN_MAX_PORTS entries, indexed by guest ports: own allocation */
    /* Ports [0, evtchn_valid) are allocated buckets (Xen's valid_evtchns, never lowered while the
       domain exists); every entry from it on is all zero, so loops over ports stop here. */
    uint32_t evtchn_valid;
    uint32_t evtchn_hi;         /* one past the highest port written through evtchn_w */
    struct evtchn_fifo fifo;
    uint32_t relinquish_stage;  /* destroydomain continuation progress */
    /* VM-exit layer: CPUID policy and device models (snapshotted with the domain) */
    struct cpuid_policy cpuid;
    struct dev_uart uart;
    struct dev_cmos cmos;
    struct dev_dma dma;
    uint32_t fifo_array[EVTCHN_FIFO_MAX_ARRAY_PAGES];   /* [0, fifo.nr_array): frames; last */
};

/* ---- the machine ----------------------------------------------------------------------------- */

/* Re-created bugs, off by default (the bug zoo selects them at run time): one line each in
   hvfuzz/bugs.def, which makes this enum and the registry hv_bug_table (monitor/bugs.c). */
enum hv_bug {
    HV_BUG_NONE = 0,
#define HV_BUG(id, name, advisory, cause, oracle) HV_BUG_##id,
#include "hvfuzz/bugs.def"
#undef HV_BUG
    HV_BUG_NR
};
_Static_assert(HV_BUG_NR <= 64, "a bug switch is a bit of struct hv's uint64_t bugs");
_Static_assert(HV_MAX_DOMAINS * HV_MAX_VCPUS <= 32, "a vCPU slot is a bit of hv->promised_vcpus");

struct hv_bug_desc {
    enum hv_bug id;
    const char *name;       /* --bug NAME */
    const char *advisory;   /* "XSA-148", "VENOM-style" */
    const char *cause;      /* one line */
    const char *oracle;     /* the finding signature prefix expected to catch it, e.g. "audit:I4" */
};
/* monitor/bugs.c: one row per enum hv_bug, indexed by it (row 0 is the clean control run). */
extern const struct hv_bug_desc hv_bug_table[HV_BUG_NR];
const struct hv_bug_desc *hv_bug_find(const char *name);
/* Parse "a,b,c" into a bit set; returns -1 and names the bad one in *bad on an unknown name. */
int hv_bugs_parse(const char *list, uint64_t *bits, const char **bad, size_t *bad_len);

struct hv_config {
    uint32_t nr_frames;         /* size of the frame pool */
    uint32_t dom0_pages;        /* memory built for dom0 at start-up (0: dom0 exists but is empty) */
    uint32_t dom0_vcpus;
};

struct hv {
    uint32_t nr_frames;
    struct frame *frames;       /* frame table */
    uint8_t *mem;               /* nr_frames * PAGE_SIZE bytes of machine memory */
    uint64_t *m2p;              /* machine-to-phys: mfn -> gfn (MMU_MACHPHYS_UPDATE) */
    struct page_list free;
    struct domain dom[HV_MAX_DOMAINS];
    uint32_t tlbclock;          /* global TLB flush clock */
    uint32_t flush_promised;    /* tlb_promise calls since tlb_promise_clear (0: nothing to check) */
    /* Bit domid * HV_MAX_VCPUS + index: the vCPUs tlb_promise wrote to since then (all bits when
       it could not place one), so tlb_promise_clear zeroes those instead of all 32 slots. */
    uint32_t promised_vcpus;
    domid_t  domid_rover;       /* the last id createdomain picked itself (Xen's rover) */
    /* Preemption control: check number i fires if bit (i % 64) of pattern is set. */
    uint64_t preempt_pattern;
    uint32_t preempt_idx;
    uint64_t bugs;              /* bit per enum hv_bug */
    /* HV_BUG_XSA401 only: the type_info a preempted type change saw when it flushed (the pre-fix
       code's loop-local snapshot, carried across the continuation that models the race window;
       monitor/mm.c). Unused with the switch off. */
    struct {
        bool     armed;
        uint8_t  type, flags;
        uint32_t type_count;
        mfn_t    mfn;
    } x401;
    char     console[HV_CONSOLE_SIZE];
    uint32_t console_len;
    /* Set when a state is reached that would let a guest escape (Xen's BUG()): */
    const char *bug_msg;
    /* Log-dirty mode (XEN_DOMCTL_shadow_op; monitor/logdirty.c). Bit d: domain d may have it on
       (a hint that keeps frame_mem_w cheap; the domain's own flag decides). */
    uint8_t   logdirty_doms;
    /* The migration in progress (monitor/migrate.c; one at a time). */
    struct {
        bool     active;
        domid_t  src;
        uint8_t  round;         /* rounds sent so far (begin sends round 0) */
        uint32_t session;       /* the source's ld_session after the toolstack's last call */
    } mig;
    /* Optional bit per frame, set by every write to frame memory (frame_mem_w): whoever sets the
       pointer owns the bitmap (a snapshot restores only the frames marked). NULL: not tracked. */
    uint64_t *dirty;
    /* Optional counter per frame, bumped by frame_alloc and frame_free: a frame whose counter moved
       went through the free pool (isolation oracles date guest data by it). Owned like dirty. */
    uint32_t *frame_gen;
    /* Optional bit per frame, set by every write to the frame's struct frame or its m2p entry
       (frame_w, m2p_set): with dirty, what a snapshot owner restores and what the incremental
       audit (audit_run_incr) and feedback start from. Owned like dirty; NULL: not tracked. */
    uint64_t *fdirty;
    /* Optional mask per frame of the FRAME_CHUNK-byte chunks written since the owner last cleared
       it, set with each hv->dirty bit: ranged writes (frame_mem_wr) mark their chunks, every other
       write all of them, so a snapshot restore copies back only the chunks a program wrote. A
       frame with its dirty bit set and a zero mask counts as written all over. Owned like dirty. */
    uint16_t *dchunk;
    /* Allocations made by hv_create and freed by hv_destroy, their contents meaningful only while
       in use (pointers last: a snapshot restore keeps them, the reset test compares up to dirty):
       the audit's log-dirty baseline of each domain slot, a hash of every pfn's contents at the
       last enable or clean; the migration stream. */
    uint64_t *ld_hash;          /* HV_MAX_DOMAINS rows of HV_MAX_GFNS hashes */
    /* Per row: entries from here up are LOGDIRTY_HASH_NONE, so a baseline writes only up to the
       larger of its domain's p2m_top and this (kept with the rows: a restore leaves both). */
    uint32_t *ld_hash_top;
    struct mig_stream *mig_stream;
    /* Bit per frame: the migration stream holds a page of it by reference (monitor/migrate.c),
       to be copied in before the frame's next write (frame_mem_w_nolog). Inside mig_stream. */
    uint64_t *mig_lazy;
};

static inline bool hv_bug_on(const struct hv *hv, enum hv_bug b) { return (hv->bugs >> b) & 1; }

/* monitor/hv.c: the machine. */
struct hv *hv_create(const struct hv_config *cfg);
void hv_destroy(struct hv *hv);
/* One preemption point: true if it fires (the caller must then create a continuation).
   Callers only ask after making at least one unit of progress, so continuations always advance. */
static inline bool hv_preempt_check(struct hv *hv)
{
    uint32_t i = hv->preempt_idx++;
    return (hv->preempt_pattern >> (i % 64U)) & 1U;
}
/* n preemption points in a row where no work happens between them (a run of empty entries):
   the same as up to n hv_preempt_check calls, stopping at the first that fires. Returns how many
   did not fire: n if none did, else the fired one is number ret (0-based) and the index moved
   past it, exactly as the single checks would have left it. */
static inline uint32_t hv_preempt_run(struct hv *hv, uint32_t n)
{
    uint32_t r = hv->preempt_idx % 64U;
    /* bit j of the rotated pattern is what check number j reads (the index wraps at 2^32, a
       multiple of 64, so the rotation stays in step across the wrap) */
    uint64_t bits = r ? (hv->preempt_pattern >> r) | (hv->preempt_pattern << (64U - r))
                      : hv->preempt_pattern;
    uint32_t tz = bits ? (uint32_t)__builtin_ctzll(bits) : UINT32_MAX;

    if (tz >= n) {
        hv->preempt_idx += n;
        return n;
    }
    hv->preempt_idx += tz + 1U;
    return tz;
}
/* Record a monitor BUG(): a state that would let a guest escape. Sticky until reset. */
void hv_bug(struct hv *hv, const char *msg);
static inline uint8_t *frame_mem(struct hv *hv, mfn_t mfn) { return hv->mem + (size_t)mfn * PAGE_SIZE; }
static inline uint64_t *frame_ptes(struct hv *hv, mfn_t mfn) { return (uint64_t *)frame_mem(hv, mfn); }
/* monitor/logdirty.c: the marks of log-dirty mode. A write to frame mfn marks the pfn the m2p
   gives it in its owner's bitmap (Xen's paging_mark_dirty); a p2m change marks the pfn. */
void logdirty_mark_frame(struct hv *hv, mfn_t mfn);
void logdirty_mark_pfn(struct domain *d, uint64_t pfn);
/* Write sites use these: they mark the frame in hv->dirty so a snapshot restore stays cheap, and
   in its owner's log-dirty bitmap: the one choke point every write to a frame goes through. */
void mig_lazy_fill(struct hv *hv, mfn_t mfn);
#define FRAME_CHUNK_SHIFT 8U
#define FRAME_CHUNK       (1U << FRAME_CHUNK_SHIFT)
#define FRAME_CHUNKS_ALL  0xFFFFU   /* PAGE_SIZE / FRAME_CHUNK = 16 chunks */
/* The chunks bytes [off, off + len) of a frame touch; the whole frame when the range is empty or
   leaves the frame, so a caller's slip costs a copy rather than a missed mark. */
static inline uint16_t frame_chunk_mask(size_t off, size_t len)
{
    if (len == 0 || off >= PAGE_SIZE || len > PAGE_SIZE - off)
        return FRAME_CHUNKS_ALL;
    unsigned first = (unsigned)(off >> FRAME_CHUNK_SHIFT);
    unsigned last = (unsigned)((off + len - 1U) >> FRAME_CHUNK_SHIFT);
    return (uint16_t)((2U << last) - (1U << first));
}
/* The ranged choke point: the caller writes only bytes [off, off + len) through the pointer it
   returns (the frame's byte off). */
static inline uint8_t *frame_mem_wr_nolog(struct hv *hv, mfn_t mfn, size_t off, size_t len)
{
    if (hv->mig_lazy && (hv->mig_lazy[mfn / 64U] >> (mfn % 64U)) & 1U)
        mig_lazy_fill(hv, mfn);
    if (hv->dirty)
        hv->dirty[mfn / 64U] |= 1ULL << (mfn % 64U);
    if (hv->dchunk)
        hv->dchunk[mfn] |= frame_chunk_mask(off, len);
    return frame_mem(hv, mfn) + off;
}
static inline uint8_t *frame_mem_wr(struct hv *hv, mfn_t mfn, size_t off, size_t len)
{
    if (hv->logdirty_doms)
        logdirty_mark_frame(hv, mfn);
    return frame_mem_wr_nolog(hv, mfn, off, len);
}
/* A bare pointer may write anywhere in the frame: all of it is marked. */
static inline uint8_t *frame_mem_w_nolog(struct hv *hv, mfn_t mfn)
{
    return frame_mem_wr_nolog(hv, mfn, 0, PAGE_SIZE);
}
static inline uint8_t *frame_mem_w(struct hv *hv, mfn_t mfn)
{
    return frame_mem_wr(hv, mfn, 0, PAGE_SIZE);
}
/* A page table's type count leaving or reaching 0 and its pin being set or cleared mark it in
   log-dirty mode without a write (Xen's validate_page, free_page_type, PIN and UNPIN): the
   stream carries each page's type, so a change of it must be sent again. */
static inline void frame_mark_type_change(struct hv *hv, mfn_t mfn)
{
    if (hv->logdirty_doms)
        logdirty_mark_frame(hv, mfn);
}
static inline uint64_t *frame_ptes_w(struct hv *hv, mfn_t mfn) { return (uint64_t *)frame_mem_w(hv, mfn); }
/* The ranged form for one entry: the caller writes only entry idx through the pointer. */
static inline uint64_t *frame_pte_w(struct hv *hv, mfn_t mfn, unsigned idx)
{
    return (uint64_t *)frame_mem_wr(hv, mfn, (size_t)idx * sizeof(uint64_t), sizeof(uint64_t));
}
/* Every write to a struct frame or an m2p entry goes through these: they mark hv->fdirty. */
static inline struct frame *frame_w(struct hv *hv, mfn_t mfn)
{
    if (hv->fdirty)
        hv->fdirty[mfn / 64U] |= 1ULL << (mfn % 64U);
    return &hv->frames[mfn];
}
static inline void m2p_set(struct hv *hv, mfn_t mfn, uint64_t gfn)
{
    if (hv->fdirty)
        hv->fdirty[mfn / 64U] |= 1ULL << (mfn % 64U);
    hv->m2p[mfn] = gfn;
}
/* Every write to a p2m entry goes through this (p2m_top follows the highest gfn written). */
static inline void p2m_set(struct domain *d, uint64_t gfn, mfn_t mfn)
{
    if (d->logdirty)
        logdirty_mark_pfn(d, gfn);
    if (gfn + 1 > d->p2m_top)
        d->p2m_top = (uint32_t)(gfn + 1);
    d->p2m[gfn] = mfn;
}
/* Every write to a grant active or maptrack entry takes its pointer from these. */
static inline struct gnt_active *gnt_act_w(struct grant_table *gt, uint32_t ref)
{
    gt->touched = true;
    if (ref + 1 > gt->active_hi)
        gt->active_hi = ref + 1;
    if (ref < gt->act_w_lo)
        gt->act_w_lo = ref;
    if (ref + 1 > gt->act_w_end)
        gt->act_w_end = ref + 1;
    return &gt->active[ref];
}
/* A new baseline of active writes (gnt_act_w's range set and empty): the native target's snapshot. */
static inline void gnt_act_w_clear(struct grant_table *gt)
{
    gt->act_w_set = true;
    gt->act_w_lo = GNT_MAX_REFS;
    gt->act_w_end = 0;
}
static inline struct gnt_maptrack *gnt_map_w(struct grant_table *gt, uint32_t h)
{
    gt->touched = true;
    if (h + 1 > gt->maptrack_hi)
        gt->maptrack_hi = h + 1;
    return &gt->maptrack[h];
}
/* Every write to a port goes through here, so the incremental audit and reset know how far the
   table may differ from its snapshot (evtchn_hi) without reading its 4096 entries. */
static inline struct evtchn *evtchn_w(struct domain *d, uint32_t port)
{
    if (port >= d->evtchn_hi)
        d->evtchn_hi = port + 1U;
    return &d->evtchn[port];
}
/* Flags an L1 entry of a table owned by owner may not set (l1_disallow_mask: I/O rights,
   which only the privileged domain has here, allow the cache attributes). */
static inline uint64_t pt_l1_disallow(const struct hv *hv, domid_t owner)
{
    bool io = owner < HV_MAX_DOMAINS && hv->dom[owner].exists && hv->dom[owner].privileged;
    return L1_DISALLOW_MASK | (io ? 0 : PAGE_CACHE_ATTRS);
}

static inline struct domain *dom_get(struct hv *hv, domid_t id)
{
    return (id < HV_MAX_DOMAINS && hv->dom[id].exists) ? &hv->dom[id] : NULL;
}
static inline bool mfn_valid(const struct hv *hv, mfn_t mfn) { return mfn < hv->nr_frames; }

/* monitor/logdirty.c: log-dirty mode on and off, clean, and the audit's baseline (the hash of
   every pfn's contents, LOGDIRTY_HASH_NONE for a pfn without a frame), taken at enable and clean. */
#define LOGDIRTY_HASH_NONE 0ULL
#define LOGDIRTY_HASH_UNTOUCHED 1ULL   /* the frame was not written since the snapshot (hv->dirty) */
void logdirty_enable(struct hv *hv, struct domain *d);
void logdirty_disable(struct hv *hv, struct domain *d);
void logdirty_clean(struct hv *hv, struct domain *d);
/* pfns newly marked since the last clean (the stats' dirty_count): carried plus the bitmap's. */
uint32_t logdirty_dirty_count(const struct domain *d);
void logdirty_baseline(struct hv *hv, struct domain *d);
uint64_t logdirty_hash(const uint8_t *page);
uint64_t logdirty_pfn_hash(const struct hv *hv, const struct domain *d, uint64_t pfn);
/* The LOGDIRTY rule for one pfn of d in log-dirty mode: its contents (hashed now: *now) differ
   from the baseline while its bit is clear. Frames whose m2p names another pfn are left out
   (their marks go where the guest's m2p says); with hv->dirty, frames not written since the
   snapshot are not read (the baseline came after it). */
bool logdirty_pfn_unmarked(const struct hv *hv, const struct domain *d, uint32_t pfn,
                           uint64_t *now);

/* monitor/frame.c: allocator and page lists. */
void page_list_init(struct page_list *l);
void page_list_add(struct hv *hv, struct page_list *l, uint16_t list_id, mfn_t mfn);
void page_list_del(struct hv *hv, struct page_list *l, mfn_t mfn);
/* Allocate a frame for d (counted in tot_pages unless xen_heap). Scrubs need_scrub frames, flushes
   TLBs whose flush time predates the frame's timestamp. Sets ALLOCATED and count 1.
   Returns MFN_INVALID and *err: -EINVAL dying, -EPERM over max_pages, -ENOMEM pool empty.
   A xen_heap frame comes back already shared: XEN_HEAP, type writable, type_count 1 (the
   permanent share ref, which frame_free drops with the frame); it goes on d->xenpages. */
mfn_t frame_alloc(struct hv *hv, struct domain *d, bool xen_heap, int *err);
/* 2^order contiguous frames aligned to their size, each as frame_alloc gives one (not xen_heap);
   the first, or MFN_INVALID and *err as frame_alloc (-EPERM when all would not fit max_pages). */
mfn_t frame_alloc_order(struct hv *hv, struct domain *d, unsigned order, int *err);
/* Take a frame off its owner and back to the free list (count must already be 0). */
void frame_free(struct hv *hv, mfn_t mfn);

/* monitor/mm.c: reference counts, types, validation (Xen's get_page / get_page_type family). */
bool get_page(struct hv *hv, mfn_t mfn, const struct domain *d);  /* general ref; owner must be d */
void put_page(struct hv *hv, mfn_t mfn);                           /* frees at 0 */
/* The owner's allocation ref (PGC_allocated) goes: freed when nothing else holds the frame. */
void frame_unallocate(struct hv *hv, mfn_t mfn);
/* Type ref; validates a PT type (preemptible: may return -ERESTART leaving the frame PARTIAL).
   0, -EINVAL (type conflict or invalid contents), -EBUSY, -ERESTART. */
int get_page_type(struct hv *hv, mfn_t mfn, enum pgt_type type, bool preemptible);
/* Drop a type ref; the last ref of a PT type devalidates (preemptible: may return -ERESTART). */
int put_page_type(struct hv *hv, mfn_t mfn, bool preemptible);
int get_page_and_type(struct hv *hv, mfn_t mfn, const struct domain *d, enum pgt_type type,
                      bool preemptible);
void put_page_and_type(struct hv *hv, mfn_t mfn);
/* Change one entry of a PT frame as a PV guest update: validate new, release old, fast path.
   level 1..4; idx 0..511; pg_owner is the domain whose frames the new entry may reference;
   preserve_ad keeps the accessed/dirty bits of the old entry. 0 or -errno. */
int mod_pt_entry(struct hv *hv, struct vcpu *v, mfn_t table, unsigned level, unsigned idx,
                 uint64_t nval, struct domain *pg_owner, bool preserve_ad, bool preemptible);
/* Pin / unpin a table of the given level (mmuext PIN_Ln / UNPIN). */
int pt_pin(struct hv *hv, struct domain *d, mfn_t mfn, unsigned level, bool preemptible);
int pt_unpin(struct hv *hv, struct domain *d, mfn_t mfn, bool preemptible);
/* pt_unpin's -ERESTART means: unpinned, but the table's devalidation was preempted and the frame
   is left PARTIAL (holding its own refs); the caller records it as v->old_guest_table. */
/* Switch a vCPU's kernel or user base pointer (mmuext NEW_BASEPTR / NEW_USER_BASEPTR). */
int pt_new_baseptr(struct hv *hv, struct vcpu *v, mfn_t mfn, bool user);
/* Release everything a dying domain's frames hold (preemptible); 0 or -ERESTART. */
int mm_relinquish(struct hv *hv, struct domain *d);

/* monitor/walk.c: the page walker (hardware model). */
struct walk_result {
    mfn_t    mfn;        /* leaf frame */
    uint64_t flags;      /* effective permissions: _PAGE_RW | _PAGE_USER | _PAGE_NX (AND of levels) */
    uint32_t pfec;       /* page-fault error code on fault */
    unsigned fault_level;/* level at which the walk failed (0 = no fault) */
    mfn_t    l1_table;   /* the L1 frame and index used (for update_va_mapping), or MFN_INVALID */
    unsigned l1_idx;
};
/* Walk cr3's tables for va. access: PFEC_WRITE / PFEC_INSN bits requested. 0 or -EFAULT. */
int pt_walk(struct hv *hv, mfn_t cr3, gva_t va, uint32_t access, struct walk_result *r);
bool gva_in_xen_range(gva_t va);
/* bits 63..47 all equal (inline: every guest access asks, at both ends of its range) */
static inline bool gva_canonical(gva_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1FFFFULL;
}

/* monitor/tlb.c: per-vCPU TLB with flush timestamps. */
static inline unsigned tlb_slot(gva_t va)
{
    return (unsigned)((va >> PAGE_SHIFT) % HV_TLB_ENTRIES);
}
/* The valid entry for va's page, in place (inline: every guest access asks); NULL: a miss. */
static inline const struct tlb_entry *tlb_find(const struct vcpu *v, gva_t va)
{
    const struct tlb_entry *e = &v->tlb[tlb_slot(va)];
    return e->valid && e->va == (va & ~(gva_t)(PAGE_SIZE - 1)) ? e : NULL;
}
bool tlb_lookup(struct vcpu *v, gva_t va, struct tlb_entry *out);
void tlb_insert(struct vcpu *v, gva_t va, mfn_t mfn, uint64_t flags);
void tlb_flush_vcpu(struct hv *hv, struct vcpu *v);
void tlb_flush_va(struct vcpu *v, gva_t va);
void tlb_flush_domain(struct hv *hv, struct domain *d);
void tlb_flush_all(struct hv *hv);
/* Flush every vCPU whose last flush predates the timestamp (Xen's tlbflush_filter). */
void tlb_flush_filtered(struct hv *hv, uint32_t timestamp);
/* Record that mappings of a frame may have been dropped now. */
void tlb_stamp_frame(struct hv *hv, mfn_t mfn);
/* Record a flush promised to v (one_va: only va's page; else all): see struct tlb_promise. */
void tlb_promise(struct hv *hv, struct vcpu *v, bool one_va, gva_t va);
/* Forget every promise (the native target does so at the start of each op). */
void tlb_promise_clear(struct hv *hv);

/* monitor/guest.c: guest memory through the vCPU's page tables (TLB first, then walk). */
/* access_ok: no overflow, canonical, not Xen's; with len 1, Xen's __addr_ok (below the
   non-canonical hole or above Xen's range). */
bool guest_range_ok(gva_t va, uint64_t len);
/* Accesses go through v's current guest_table. 0, or -EFAULT (fault details in *pfec if non-NULL). */
int guest_read(struct hv *hv, struct vcpu *v, gva_t va, void *buf, size_t len, uint32_t *pfec);
int guest_write(struct hv *hv, struct vcpu *v, gva_t va, const void *buf, size_t len,
                uint32_t *pfec);
/* The frame of va's page an access (PFEC_WRITE or 0) goes to, as guest_read/guest_write find it:
   the TLB first (a permission miss drops the entry), then a walk that fills the TLB. 0 and *mfn
   (possibly a stale frame: the caller checks mfn_valid), or -EFAULT with *pfec if non-NULL. */
int guest_translate(struct hv *hv, struct vcpu *v, gva_t va, uint32_t access, mfn_t *mfn,
                    uint32_t *pfec);
int copy_from_guest(struct hv *hv, struct vcpu *v, void *dst, gva_t src, size_t len);
int copy_to_guest(struct hv *hv, struct vcpu *v, gva_t dst, const void *src, size_t len);

/* monitor/domain.c: domains and vCPUs. */
/* Create an empty domain (no memory, vCPUs down and uninitialised). 0, -EEXIST, -EINVAL. */
int dom_create(struct hv *hv, domid_t id, bool privileged, uint32_t max_pages, uint32_t nr_vcpus);
/* Domain builder: populate nr_pages frames (gfn 0..nr_pages-1) and build PV page tables: gfn 0 is
   the L4, then one L3, one L2 and the L1s; every gfn is mapped at DOM_VA(gfn), the page-table
   frames read-only. Pins the L4, points every vCPU's guest_table at it, brings vCPU 0 up. */
int dom_build(struct hv *hv, struct domain *d, uint32_t nr_pages);
/* The tables of a domain slot that guest-supplied indexes reach (grant active entries, maptrack,
   event channel ports, CMOS RAM), each allocated on its own so that ASan reports an index one past
   the end. hv_create allocates them for every slot and hv_destroy frees them; dom_create and the
   init functions zero their contents and keep the pointers. 0 or -ENOMEM. */
int dom_tables_alloc(struct domain *d);
void dom_tables_free(struct domain *d);
/* Destroy: mark dying, relinquish (preemptible: -ERESTART), free everything. */
int dom_destroy(struct hv *hv, struct domain *d);
/* A dying domain with no frame left goes away (dom_destroy, or frame_free of its last frame). */
void dom_gone(struct hv *hv, struct domain *d);
struct vcpu *dom_vcpu(struct domain *d, unsigned id);  /* NULL if out of range */
/* Shut d down for reason, the one rule every path follows (SCHEDOP_shutdown and remote_shutdown,
   the last vCPU going down, a crash): as in Xen's domain_shutdown, the first reason sticks and a
   later one leaves it; the reason is kept as a u8, as Xen keeps it. */
void dom_shutdown(struct domain *d, uint32_t reason);
/* Crash d the way Xen's domain_crash does: dom_shutdown(d, SHUTDOWN_crash); no-op while dying. */
void dom_crash(struct domain *d);
/* A vCPU as creation leaves it: down, no tables, reset MSRs, events masked, no trap table. */
void vcpu_init(struct hv *hv, struct domain *d, unsigned i);
/* hypercalls/traps.c: deliver exception vector (error code ec when has_ec; cr2 for a page fault)
   to v's trap table as Xen's bounce frame does, on v->uregs: 0, or -1 when the domain was
   crashed (no handler, a stack Xen refuses or one the frame cannot be written to). */
int pv_inject_exception(struct hv *hv, struct vcpu *v, unsigned vector, bool has_ec, uint32_t ec,
                        uint64_t cr2);
/* Exceptions that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
static inline bool pv_exc_has_ec(unsigned vector)
{
    return vector < 32 && ((0x60227D00U >> vector) & 1U);
}
/* monitor/desc.c: check_descriptor for a 64-bit PV guest: true if desc may be installed, with
   *desc fixed up as Xen stores it (DPL raised to the kernel's 3; a call gate's DPL moved into its
   selector's RPL). seg_desc_page_validate checks and fixes every descriptor of a frame: 0 or
   -EINVAL (the first bad one stops it, the ones before stay fixed up, as in Xen). */
bool seg_desc_check(const struct hv *hv, uint64_t *desc);
int seg_desc_page_validate(struct hv *hv, mfn_t mfn);
/* hypercalls/descriptor.c: drop v's GDT frames' refs and forget its GDT (set_gdt's teardown, domain
   destruction). */
void vcpu_gdt_destroy(struct hv *hv, struct vcpu *v);
/* monitor/exit.c: reset d's VM-exit state (CPUID policy, vCPU MSRs, devices) at creation. */
void exit_domain_init(struct domain *d);
/* monitor/exit.c: reset one vCPU's VM-exit state (its MSRs), for a vCPU created later. */
void exit_vcpu_init(struct vcpu *v);
#define DOM_VA_BASE 0x40000000ULL
#define DOM_VA(gfn) (DOM_VA_BASE + ((uint64_t)(gfn) << PAGE_SHIFT))
/* Page-table frames the builder uses: gfn 0 = L4, 1 = L3, 2 = L2, 3.. = L1s. */
#define DOM_GFN_L4 0U
#define DOM_GFN_L3 1U
#define DOM_GFN_L2 2U
#define DOM_GFN_L1 3U
/* The first gfn after the builder's page tables for a domain of n pages. */
#define DOM_FIRST_DATA_GFN(n) (DOM_GFN_L1 + (((n) + PTES_PER_TABLE - 1) / PTES_PER_TABLE))

/* hypercalls/grant_table.c and hypercalls/event_channel.c: state set-up and teardown. */
int gnttab_init(struct hv *hv, struct domain *d);       /* version 1, one frame */
int gnttab_release(struct hv *hv, struct domain *d);    /* release all mappings (dying domain);
                                                           0 or -ERESTART (preemptible) */
void gnttab_free(struct hv *hv, struct domain *d);      /* free grant and status frames */
/* Take a frame off d for a transfer: needs exactly ALLOCATED + the ref taken here, no type refs, not
   xen-heap. On success the frame has no owner, type none, not validated, and count 1 (the
   caller's ref). 0 or -EINVAL. */
int gnttab_steal_page(struct hv *hv, struct domain *d, mfn_t mfn);
/* Whether entry idx of L1 table l1 is a grant host mapping's PTE: an in-use host maptrack entry
   of some domain names it. The PTE itself carries no mark (a release Xen's _PAGE_GNTTAB is 0). */
bool gnttab_pte_held(const struct hv *hv, mfn_t l1, unsigned idx);
/* Whether some in-use host maptrack entry's PTE may lie in frame l1: false means no entry of l1
   is gnttab_pte_held, so a loop over the table's entries can skip asking for each. */
bool gnttab_frame_held(const struct hv *hv, mfn_t l1);
void evtchn_init(struct domain *d);
void evtchn_release(struct hv *hv, struct domain *d);   /* close every port, leave the FIFO ABI */
/* The usable port range of d is [0, evtchn_limit(d)); every guest-supplied port goes through
   evtchn_port_ok() before it indexes anything (XSA-342). */
uint32_t evtchn_limit(const struct domain *d);
bool evtchn_port_ok(const struct domain *d, uint64_t port);
/* Raise a virq for a vCPU (used by other parts of the monitor). */
void evtchn_send_virq(struct hv *hv, struct domain *d, unsigned vcpu, uint32_t virq);

#endif
