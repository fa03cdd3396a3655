/* Private interface of the page-table core (monitor/mm*.c), shared with hypercalls/mmu.c. */
#ifndef HVFUZZ_MM_PRIVATE_H
#define HVFUZZ_MM_PRIVATE_H

#include "hvfuzz/monitor.h"

#define PTE_FLAGS_MASK (~PTE_ADDR_MASK)

static inline mfn_t pte_mfn(uint64_t e) { return (e & PTE_ADDR_MASK) >> PAGE_SHIFT; }
static inline bool pte_present(uint64_t e) { return (e & _PAGE_PRESENT) != 0; }
static inline bool pt_xen_slot(unsigned level, unsigned idx)
{
    return level == 4 && idx >= XEN_L4_FIRST_SLOT && idx <= XEN_L4_LAST_SLOT;
}
/* The page-table level of a frame type, 0 for anything that is not a page table. */
static inline unsigned pgt_level(uint8_t type)
{
    return PGT_IS_PT(type) ? (unsigned)(type - PGT_l1 + 1) : 0U;
}
static inline enum pgt_type pgt_of_level(unsigned level) { return (enum pgt_type)(PGT_l1 + level - 1); }

/* monitor/mm_validate.c: entry references and whole-table (de)validation. */
/* Take the references entry e of table (at level) needs. pg_owner: whose frames it may name.
   0, -XEN_EINVAL (illegal entry), -XEN_ERESTART (a child's validation was preempted; the child
   keeps its own partial state and the entry holds nothing). */
int pt_get_entry(struct hv *hv, mfn_t table, unsigned level, uint64_t e, struct domain *pg_owner,
                 bool preemptible);
/* Drop what a ref-holding entry holds. 0, or -XEN_ERESTART when the child's devalidation was
   preempted (its partial state now holds its own refs; the entry's refs are gone either way). */
int pt_put_entry(struct hv *hv, mfn_t table, unsigned level, unsigned idx, uint64_t e,
                 bool preemptible);
/* Validate entries [nr_validated_ptes, 512); on success sets VALIDATED. On failure every entry
   ref taken (also by earlier partial runs) is dropped again. -XEN_ERESTART leaves
   nr_validated_ptes at the resume point; the caller owns the PARTIAL bookkeeping. */
int pt_validate(struct hv *hv, mfn_t mfn, unsigned level, bool preemptible);
/* Drop entries [0, nr_validated_ptes) from the top down; -XEN_ERESTART leaves nr_validated_ptes at
   the resume point. */
int pt_devalidate(struct hv *hv, mfn_t mfn, unsigned level, bool preemptible);

/* monitor/mm.c */
/* Resolve a frame's partial state by dropping it: finish the devalidation, then release the
   partial general and type refs. No-op for a frame that is not PARTIAL. 0 or -XEN_ERESTART. */
int pt_partial_put(struct hv *hv, mfn_t mfn, bool preemptible);
/* Finish v's deferred table put (old_guest_table). 0 or -XEN_ERESTART. */
int pt_finish_old(struct hv *hv, struct vcpu *v, bool preemptible);

#endif
