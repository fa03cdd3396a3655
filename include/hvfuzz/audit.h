/* The audit oracle: recompute every count, type, owner and mapping from scratch and compare. */
#ifndef HVFUZZ_AUDIT_H
#define HVFUZZ_AUDIT_H

#include "hvfuzz/monitor.h"

/* Invariants of reference/xen-pv-model.md plus the monitor's other tables. */
enum audit_inv {
    INV_NONE = 0,
    INV_I1_COUNT,      /* general reference count */
    INV_I2_TYPE,       /* type reference count */
    INV_I3_WRITABLE,   /* no writable mapping (PTE or TLB) of PT/seg_desc/shared frames */
    INV_I4_TABLES,     /* validated tables hold only legal entries; Xen L4 slots intact */
    INV_I5_ISOLATION,  /* every L1 entry/TLB entry of D maps D's frame or an active grant to D */
    INV_I6_OWNER,      /* allocated => count >= 1; count > 0 => owner; free frames unreferenced */
    INV_I7_LISTS,      /* tot_pages == page list length; one list per frame; list matches owner */
    INV_I8_LINEAR,     /* linear_pt_count consistent; linear depth <= 1 */
    INV_I9_SCRUB,      /* allocated frames never need_scrub; free frames are scrubbed or marked */
    INV_EVTCHN,        /* event channel pairs consistent, ports in range */
    INV_GNTTAB,        /* active entries == maptrack, grant frames owned and shared */
    INV_VCPU,          /* vCPU base pointers name validated L4 frames of the domain */
    INV_BUG,           /* the monitor hit a BUG() */
    INV_DEV,           /* device state in range: FIFO counts, CMOS index and time, DMA ring indexes */
    INV_DMA,           /* device DMA touched a frame its domain neither owned nor was granted */
    INV_P2M,           /* p2m entries name distinct frames of the domain; free frames have no m2p */
    INV_TLB,           /* TLB entries well-formed and in their slot; flush times not in the future */
    INV_FLUSH,         /* a flush the last op promised left no covered TLB entry disagreeing */
    INV_DOM,           /* domain and vCPU scalars: ids, vCPU states, shutdown, console */
    INV_MSR,           /* vCPU MSRs hold only values their #GP rules let in */
    INV_LOGDIRTY,      /* log-dirty mode: every pfn changed since the last clean is marked */
    INV_NR
};

struct audit_violation {
    enum audit_inv inv;
    mfn_t    mfn;        /* MFN_INVALID when not about a frame */
    domid_t  dom;        /* DOMID_INVALID when not about a domain */
    int64_t  expected;
    int64_t  actual;
    char     what[96];   /* what was compared, e.g. "general count" */
};

#define AUDIT_MAX_REPORTED 16
struct audit_report {
    unsigned total;      /* violations found (may exceed the number kept) */
    unsigned n;          /* kept in v[] */
    struct audit_violation v[AUDIT_MAX_REPORTED];
};

/* Full audit of the machine; returns report->total. */
unsigned audit_run(struct hv *hv, struct audit_report *report);
/* Only the flush promises of the op run last (INV_FLUSH; monitor/audit_tlb.c): cheap enough to
   follow every op. Returns report->total; the caller clears the promises (tlb_promise_clear). */
unsigned audit_run_flush(struct hv *hv, struct audit_report *report);
/* Only the device part (INV_DEV, INV_DMA): cheap enough to follow every DMA doorbell, before the
   DMA log's last DMA_LOG_SIZE entries are overwritten. Returns report->total. */
unsigned audit_run_devices(struct hv *hv, struct audit_report *report);

/*
 * The incremental audit: the same recomputation restricted to what changed since a snapshot the
 * full audit found clean, plus everything whose expected values depend on it (docs/INVARIANTS.md,
 * "The incremental audit"). It needs write tracking (hv->dirty and hv->fdirty, cleared when the
 * machine is put back to the snapshot) and the snapshot itself, kept by its owner.
 */
struct audit_snap {
    const struct hv *hv;          /* domains and scalars as they were (its pointers are not used) */
    const struct frame *frames;   /* nr_frames entries */
    const uint8_t *mem;           /* nr_frames pages */
    /* each domain slot's separately allocated tables as they were (dom_tables_alloc): the
       snapshot's copies, never the live ones, or the audit would compare the machine with itself */
    struct {
        const struct gnt_active *active;
        const struct gnt_maptrack *maptrack;
        const struct evtchn *evtchn;
        const uint8_t *cmos_ram;
    } tab[HV_MAX_DOMAINS];
};
struct audit_base;
/* Take a baseline of hv, which must equal s now. NULL if hv tracks no writes, the full audit finds
   a violation, or memory runs out (audit_run_incr then runs the full audit). s must outlive it. */
struct audit_base *audit_base_new(struct hv *hv, const struct audit_snap *s);
void audit_base_free(struct audit_base *b);
/* Audit what changed since the snapshot; the full audit when b is NULL, the pool was resized or
   writes were not tracked. A domain that was destroyed or started dying has its tables redone
   whole (docs/INVARIANTS.md, "The incremental audit"). Returns report->total. Violations it reports
   are true ones, but the full audit's report is the one to show (it names them the same way every
   time). */
unsigned audit_run_incr(struct hv *hv, struct audit_base *b, struct audit_report *report);
const char *audit_inv_name(enum audit_inv inv);   /* "I1" .. "I9", "EVTCHN", ... */
/* One line: "I1 mfn 0x12 dom 1: general count expected 3, actual 2"; flag words and bits (a what
   ending in "flags", "flag" or "bit") in hex: "I4 mfn 0x40 dom 1: l1 entry 3 disallowed flags
   expected 0x0, actual 0x180". */
void audit_format(const struct audit_violation *v, char *buf, size_t len);
/* True if any kept violation is of this invariant. */
bool audit_has(const struct audit_report *report, enum audit_inv inv);

#endif
