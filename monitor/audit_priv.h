/* Internal state shared by the audit passes (audit.c, audit_pt.c, audit_tables.c). */
#ifndef HVFUZZ_AUDIT_PRIV_H
#define HVFUZZ_AUDIT_PRIV_H

#include "hvfuzz/audit.h"

/* What the audit recomputes for one frame from the structures that hold references to it. */
struct audit_fexp {
    uint32_t count;       /* expected general count */
    uint32_t type_count;  /* expected type count */
    uint16_t lin_in;      /* ref-holding linear entries of other tables pointing here */
    uint16_t lin_out;     /* ref-holding linear entries this table contains */
    uint8_t  on_list;     /* seen while walking the page lists */
    uint8_t  granted_to;  /* bit d: domain d holds a maptrack entry for this frame */
    uint8_t  pad[2];
};
_Static_assert(HV_MAX_DOMAINS <= 8, "audit_fexp.granted_to holds one bit per domain");

/* Expected pin counts of one active grant entry, recomputed from every domain's maptrack. */
struct audit_pins {
    uint16_t host_ro, host_rw, dev_ro, dev_rw;
};

/* The incremental audit's baseline (audit_incr.c builds it from a snapshot the full audit found
   clean) and the state of one run. */
struct audit_base {
    struct audit_snap s;
    struct hv view;           /* the snapshot as a machine: its scalars, frames and memory */
    uint32_t nr_frames;
    uint32_t *rev_start;      /* nr_frames + 1: entries of rev_ent mapping each frame */
    uint32_t *rev_ent;        /* table mfn << 9 | index, of the snapshot's ref-holding entries */
    /* the snapshot's p2m entries by frame: p2m_start (nr_frames + 1) into p2m_ent (domain << 11
       | gfn), and per frame how many of them the injectivity check counts (at most 1: clean) */
    uint32_t *p2m_start;
    uint16_t *p2m_ent;
    uint8_t *p2m_names;
    /* bit d: the snapshot held pins exempt from their check because domain d (their mapped_by)
       was crashed or gone */
    uint8_t exempt_by;
};

struct audit_incr {
    struct audit_base *b;
    struct hv *now;           /* the machine audited (c->hv is the snapshot's view at times) */
    uint32_t *list;           /* frames loaded this run */
    uint32_t n;
    uint64_t *whole;          /* tables whose every entry was redone */
    uint64_t *seen;           /* targets whose reverse entries were redone */
    /* audit_incr_dom.c: grant refs whose pins may have moved (-1: not looked for yet, 0: no
       restriction possible, 1: refs_of/nrefs hold them) */
    int gnt_refs;
    uint16_t nrefs[HV_MAX_DOMAINS];
    /* audit_incr_dom.c: event channel ports to check, as gnt_refs (-1, 0, 1) */
    int evtchn_ports;
    uint16_t nports[HV_MAX_DOMAINS];
    /* audit_incr.c: bit k, list k (LIST_PAGES/LIST_XEN ids; the free list 16) compared with
       the snapshot's owner and ends (known) and equal */
    uint32_t lists_known, lists_same;
    /* audit_pt.c: bit i, vCPU i's references compared with the snapshot's (known) and equal */
    uint8_t vcpu_known[HV_MAX_DOMAINS], vcpu_same[HV_MAX_DOMAINS];
};
_Static_assert(HV_MAX_VCPUS <= 8, "audit_incr.vcpu_same holds one bit per vCPU");

struct audit_ctx {
    struct hv *hv;
    struct audit_report *r;
    struct audit_fexp *fx;                        /* nr_frames entries */
    /* +1 adds what the state in hv holds; -1 takes back what a snapshot held (audit_incr.c runs
       the same passes over a view of the snapshot to undo its contributions). */
    int32_t sign;
    bool quiet;                                   /* checks report nothing (the snapshot view) */
    struct audit_incr *inc;                       /* NULL: the full audit (fx zeroed up front) */
    struct audit_pins (*pins)[GNT_MAX_REFS];      /* HV_MAX_DOMAINS rows */
    uint32_t nents[HV_MAX_DOMAINS];               /* grant refs in use per granting domain */
    /* the pins the grant pass wrote: zeroed again when it ends, so the next one starts clean
       without clearing every ref */
    struct audit_pins **pins_used;
    uint32_t npins;
};

/* Incremental audit: fx[m] is loaded from the baseline on its first use in a run (audit_incr.c). */
void audit_incr_load(struct audit_ctx *c, mfn_t m);
extern uint32_t *audit_incr_stamp;
extern uint32_t audit_incr_gen;
static inline struct audit_fexp *audit_fx(struct audit_ctx *c, mfn_t m)
{
    if (c->inc && audit_incr_stamp[m] != audit_incr_gen)
        audit_incr_load(c, m);
    return &c->fx[m];
}

void audit_add(struct audit_ctx *c, enum audit_inv inv, mfn_t mfn, domid_t dom, int64_t expected,
               int64_t actual, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Number of entries [0, n) of a frame that hold references (0 for frames that are not tables). */
static inline unsigned audit_ref_entries(const struct frame *f)
{
    if (!PGT_IS_PT(f->type))
        return 0;
    /* a PARTIAL table holds refs only for the prefix it got through, whatever else is set */
    if (f->flags & FRAME_PARTIAL)
        return f->nr_validated_ptes < PTES_PER_TABLE ? f->nr_validated_ptes : PTES_PER_TABLE;
    if (f->flags & FRAME_VALIDATED)
        return PTES_PER_TABLE;
    return 0;
}
/* The domain if it exists, else NULL; never trusts id. */
static inline const struct domain *audit_dom(const struct hv *hv, domid_t id)
{
    return (id < HV_MAX_DOMAINS && hv->dom[id].exists) ? &hv->dom[id] : NULL;
}
/* The maptrack entries a pass reads: all (full audit), or those below the domain's high-water
   mark (incremental: gnt_map_w keeps it, the full audit every audit_full_every programs checks
   the rest). */
static inline unsigned audit_maptrack_end(const struct audit_ctx *c, const struct domain *d)
{
    return c->inc && d->gnt.maptrack_hi < GNT_MAX_MAPTRACK ? d->gnt.maptrack_hi
                                                           : GNT_MAX_MAPTRACK;
}
/* Mapped grants are exempt from host-PTE checks once the mapping domain crashed or is dying. */
static inline bool audit_dom_crashed(const struct domain *d)
{
    /* a guest's own SHUTDOWN_crash counts as before: the audit stays as lenient as it was */
    return !d || d->dying || d->crashed || (d->shutdown && d->shutdown_reason == SHUTDOWN_crash);
}
/* True if domain id holds an in-use maptrack entry for mfn (an active grant to it); valid after
   audit_gnt_mark. */
static inline bool audit_granted(struct audit_ctx *c, domid_t id, mfn_t mfn)
{
    return id < HV_MAX_DOMAINS && (audit_fx(c, mfn)->granted_to >> id) & 1U;
}
/* A writable reference of some kind to frame t: count its writable type ref or report it. */
void audit_writable_ref(struct audit_ctx *c, mfn_t t, domid_t by, const char *what, unsigned idx);
const char *audit_type_name(unsigned type);

/* Context of a table whose entries are scanned (audit_pt.c). */
struct audit_tbl {
    mfn_t    mfn;
    unsigned level;
    domid_t  owner;
    /* I5 applies: the owner exists, is not dying and is not privileged (a privileged domain
       maps other domains' frames, as Xen lets a toolstack: update_va_mapping_otherdomain) */
    bool     isolated;
    uint64_t l1_disallow;   /* flags its L1 entries may not set (pt_l1_disallow of the owner) */
};
/* Fill tb for table m; false if m holds no refs. Table-level checks are made here. */
bool audit_tbl_begin(struct audit_ctx *c, mfn_t m, struct audit_tbl *tb);
/* One entry i (value e) of a ref-holding table: its contributions and checks. */
void audit_entry(struct audit_ctx *c, const struct audit_tbl *tb, unsigned i, uint64_t e);
void audit_table(struct audit_ctx *c, mfn_t m);
/* Refs a frame holds on itself through its own flags. */
void audit_self_refs(struct audit_ctx *c, mfn_t m);
/* A typed reference d holds on frame t (a base pointer, a GDT frame, a FIFO page): its general
   and type ref counted by c->sign, then checked: t below nr_frames, of the type (and validated,
   if asked), d's own. Reports (under inv) name the reference by fmt, formatted only for them. */
void audit_typed_ref(struct audit_ctx *c, enum audit_inv inv, const struct domain *d, mfn_t t,
                     uint8_t type, bool validated, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* vCPU base pointers' contributions (and checks), without the TLB checks. */
void audit_vcpu_bases(struct audit_ctx *c);
/* Device grant mappings' contributions only (no pins, no checks). */
void audit_gnt_dev_refs(struct audit_ctx *c);
/* Grant refs the audit reads of d's table (audit_tables.c). */
uint32_t audit_gnt_nents(const struct domain *d);
/* Incremental audit (audit_incr_dom.c): the refs below *from of granter id whose pins can differ
   from the clean snapshot's, n of them (c->nents must be set); refs from *from up may all have
   moved. NULL (and *from 0): any may, check them all. */
const uint16_t *audit_incr_gnt_refs(struct audit_ctx *c, domid_t id, uint32_t *n, uint32_t *from);
/* Point c->fx and c->pins at the shared scratch for c->hv's size; zero: clear fx. */
bool audit_scratch_get(struct audit_ctx *c, bool zero);
/* The per-frame comparisons of audit.c, for each of n frames. */
void audit_frame_list(struct audit_ctx *c, const uint32_t *list, uint32_t n);
void audit_dev_pass(struct audit_ctx *c);     /* audit_dev.c: INV_DEV, INV_DMA */
/* audit_state.c: P2M TLB DOM MSR, more DEV and I6, domain-sized (full and incremental alike) */
void audit_state_pass(struct audit_ctx *c);
void audit_logdirty_pass(struct audit_ctx *c);         /* audit_logdirty.c: LOGDIRTY */
/* P2M's checks, shared by the full and the incremental pass: nr_gfns and the entry below it
   (returns nr_gfns within the p2m); an entry's frame below nr_frames (false if not), owned by d;
   a frame named by more than one live entry (names of them); an entry at or above nr_gfns. */
uint64_t audit_p2m_head(struct audit_ctx *c, const struct domain *d);
bool audit_p2m_valid(struct audit_ctx *c, const struct domain *d, uint64_t g, mfn_t m);
void audit_p2m_owner(struct audit_ctx *c, const struct domain *d, uint64_t g, mfn_t m);
void audit_p2m_injective(struct audit_ctx *c, const struct domain *d, uint64_t g, mfn_t m,
                         unsigned names);
void audit_p2m_tail(struct audit_ctx *c, const struct domain *d, uint64_t g, uint64_t n);
/* Incremental audit (audit_incr_dom.c): P2M over the entries that moved since the snapshot and
   those naming frames whose entry changed; the snapshot's domain id if it existed, else NULL. */
void audit_incr_p2m(struct audit_ctx *c);
const struct domain *audit_incr_then(const struct audit_ctx *c, domid_t id);
/* Incremental audit (audit_incr_dom.c): the ports of domain id whose checks can have moved since
   the snapshot, n of them (some may lie past evtchn_valid); NULL: any may, check them all. */
const uint16_t *audit_incr_evtchn_ports(struct audit_ctx *c, domid_t id, uint32_t *n);

/* audit_tlb.c: TLB's checks of one valid entry (slot k of vCPU i of domain id) and of a vCPU's
   flush time; audit_tlb_state runs them over every vCPU, the incremental vCPU pass within its own
   scan of the TLBs. */
void audit_tlb_slot(struct audit_ctx *c, domid_t id, unsigned i, const struct vcpu *v, unsigned k);
static inline void audit_tlb_clock(struct audit_ctx *c, domid_t id, unsigned i,
                                   const struct vcpu *v)
{
    if (v->tlb_flush_time > c->hv->tlbclock)
        audit_add(c, INV_TLB, MFN_INVALID, id, c->hv->tlbclock, v->tlb_flush_time,
                  "vcpu %u tlb_flush_time at most the clock", i);
}
void audit_tlb_state(struct audit_ctx *c);

/* audit_desc.c: a vCPU's GDT refs and LDT bounds (part of the vCPU pass, contributions signed);
   one frame's descriptor-page checks (part of the per-frame comparisons). */
void audit_vcpu_desc(struct audit_ctx *c, const struct domain *d, const struct vcpu *v);
void audit_frame_desc(struct audit_ctx *c, mfn_t m);

/* The passes, in the order audit_run calls them. */
void audit_gnt_mark(struct audit_ctx *c);     /* which domains hold grants of which frames */
void audit_pt_pass(struct audit_ctx *c);      /* every ref-holding PT entry: I3 I4 I5 and counts */
void audit_vcpu_pass(struct audit_ctx *c);    /* base pointers and TLBs: VCPU I3 I5 and counts */
void audit_gnttab_pass(struct audit_ctx *c);  /* grant frames, maptrack, pins: GNTTAB, counts */
void audit_evtchn_pass(struct audit_ctx *c);  /* EVTCHN */
void audit_list_pass(struct audit_ctx *c);    /* page lists: I7 */

#endif
