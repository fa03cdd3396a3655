/* Helpers shared by the grant-table conformance cases: writing grants, issuing ops, reading state. */
#ifndef HVFUZZ_GRANT_CONF_H
#define HVFUZZ_GRANT_CONF_H

#include "conformance.h"

/*
 * The usual scene: dom1 grants its data page GC_PAGE (frame gc_mfn) as ref GC_REF to dom2, which
 * maps it. Op arrays go in the caller's scratch page 0, frame lists in scratch page 1. Host maps
 * use VAs in the caller's first L1 table beyond its built memory (slots present in no PTE yet).
 */
#define GC_PAGE   10U
#define GC_REF    5U
#define GC_FREE_GFN(k) (CONF_DOM_PAGES + 100U + (k))
#define GC_FREE_VA(k)  DOM_VA(GC_FREE_GFN(k))

struct domain *gc_dom(struct conf_ctx *c, unsigned id);
struct vcpu *gc_vcpu(struct conf_ctx *c, unsigned id);
/* Write entry ref of d's table (in d's current version) as the guest would. */
void gc_grant(struct conf_ctx *c, struct domain *d, grant_ref_t ref, domid_t to, uint64_t frame,
              uint16_t flags);
uint16_t gc_entry_flags(struct conf_ctx *c, struct domain *d, grant_ref_t ref);
uint64_t gc_entry_frame(struct conf_ctx *c, struct domain *d, grant_ref_t ref);
/* GTF_reading | GTF_writing of ref: in the entry (v1) or the status frame (v2). */
uint16_t gc_status_bits(struct conf_ctx *c, struct domain *d, grant_ref_t ref);
/* Issue grant_table_op cmd with count elements of size bytes from v's scratch page 0 and read
   the elements back. Returns the hypercall result. */
long gc_op(struct conf_ctx *c, struct vcpu *v, unsigned cmd, void *ops, size_t size,
           unsigned count);
/* One map / unmap; returns the element status (or the hypercall's error if it was not 0). */
int gc_map(struct conf_ctx *c, struct vcpu *v, domid_t dom, grant_ref_t ref, uint32_t flags,
           uint64_t host_addr, grant_handle_t *handle, uint64_t *dev_bus_addr);
int gc_unmap(struct conf_ctx *c, struct vcpu *v, grant_handle_t handle, uint64_t host_addr,
             uint64_t dev_bus_addr);
/* Machine address of the L1 entry for gfn (< 512) in d's first L1 table. */
uint64_t gc_l1e_maddr(struct domain *d, gfn_t gfn);
/* Replace d's PTE for its data page k with val through mmu_update; returns the hypercall result. */
long gc_set_pte(struct conf_ctx *c, struct vcpu *v, struct domain *d, unsigned k, uint64_t val);
/* The builder's PTE value for data page k of d (to restore it). */
uint64_t gc_pte_of(struct conf_ctx *c, struct domain *d, unsigned k);
/* The standard scene's grant: dom1 data page GC_PAGE to dom2 as GC_REF with flags. */
mfn_t gc_grant_std(struct conf_ctx *c, uint16_t flags);
struct gnt_active *gc_act(struct domain *d, grant_ref_t ref);

#endif
