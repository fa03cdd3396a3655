/* Grant-table internals shared by grant_table.c, grant_map.c and grant_copy.c (not a public API). */
#ifndef HVFUZZ_GRANT_TABLE_INTERNAL_H
#define HVFUZZ_GRANT_TABLE_INTERNAL_H

#include "hvfuzz/monitor.h"
#include "hvfuzz/hypercall.h"

/* Xen refuses a new pin once any of an active entry's four 8-bit pin counters has its top bit set;
   the model keeps the same bound so every counter stays <= 128. */
#define GNT_PIN_LIMIT 128U
/* Entries kept across a version switch (Xen's GNTTAB_NR_RESERVED_ENTRIES: console, xenstore). */
#define GNT_NR_RESERVED 8U
/* v2 status entries per status frame. */
#define GNT_STATUS_PER_FRAME (PAGE_SIZE / sizeof(grant_status_t))

/* A grant entry read in a version-independent form. */
struct gnt_entry {
    uint16_t flags;
    domid_t  domid;
    uint64_t frame;
};

uint32_t gnt_nr_entries(const struct grant_table *gt);
uint32_t gnt_status_frames_for(uint32_t nr_grant_frames, uint32_t version);
void gnt_entry_read(struct hv *hv, const struct grant_table *gt, grant_ref_t ref,
                    struct gnt_entry *e);
/* GTF_reading / GTF_writing live in the entry (v1) or the status frame (v2). */
void gnt_status_set(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint16_t bits);
void gnt_status_clear(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint16_t bits);
/* Write one entry's header flags (transfer completion); v1 and v2 headers share the layout. */
void gnt_entry_set_flags(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint16_t flags);
void gnt_entry_set_frame(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint64_t frame);

static inline bool gnt_act_pinned(const struct gnt_active *a)
{
    return a->host_ro || a->host_rw || a->dev_ro || a->dev_rw;
}
static inline bool gnt_act_write_pinned(const struct gnt_active *a)
{
    return a->host_rw || a->dev_rw;
}
/* Check entry ref of rd for a pin by domain ld (Xen's _set_status without the side effects).
   GNTST_okay or GNTST_general_error. */
int gnt_entry_check(struct hv *hv, struct domain *rd, grant_ref_t ref, domid_t ld,
                    bool readonly, struct gnt_entry *out);
/* Drop the GTF_ bits that no pin of act needs any more (after pins were decremented). */
void gnt_status_after_unpin(struct hv *hv, struct domain *rd, grant_ref_t ref, bool was_rw);

/* XSM_TARGET: a domain may operate on itself; the privileged domain on any domain. */
static inline bool gnt_may_control(const struct domain *caller, const struct domain *d)
{
    return caller == d || caller->privileged;
}

/* Per-element handlers: each returns the element's GNTST_* status. */
struct gnttab_map_grant_ref;
int gnt_map_one(struct hv *hv, struct vcpu *v, struct gnttab_map_grant_ref *op);
int gnt_unmap_one(struct hv *hv, struct vcpu *v, struct gnttab_unmap_grant_ref *op);
int gnt_replace_one(struct hv *hv, struct vcpu *v, struct gnttab_unmap_and_replace *op);
int gnt_copy_one(struct hv *hv, struct vcpu *v, struct gnttab_copy *op);
/* GNTTABOP_cache_flush (grant_cache.c); cur_ref is the continuation the cmd carried. */
long gnt_cache_flush(struct hv *hv, struct vcpu *v, uint64_t args[6], uint32_t cur_ref);
int gnt_transfer_one(struct hv *hv, struct vcpu *v, struct gnttab_transfer *op);
/* The end of an unmap batch (every return of the dispatcher): HV_BUG_XSA218's second pass. */
void gnt_unmap_batch_end(struct hv *hv, struct vcpu *v);
/* Release every mapping of maptrack entry h of domain d (dying): pins, device refs, maptrack. */
void gnt_release_handle(struct hv *hv, struct domain *d, grant_handle_t h);

#endif
