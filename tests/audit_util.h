/* Helpers for the audit tests: a three-domain machine, builder geometry, audit expectations. */
#ifndef HVFUZZ_TESTS_AUDIT_UTIL_H
#define HVFUZZ_TESTS_AUDIT_UTIL_H

#include "hvfuzz/audit.h"
#include "test.h"

#define AU_FRAMES    512U
#define AU_DOM_PAGES 64U
/* The first data gfn of a built domain (gfn 0..3 are the builder's L4, L3, L2 and L1). */
#define AU_DATA_GFN  DOM_FIRST_DATA_GFN(AU_DOM_PAGES)
/* An L1 slot of the first L1 table that the builder leaves empty. */
#define AU_FREE_SLOT 300U

/* dom0, dom1 and dom2, each built with AU_DOM_PAGES pages and 2 vCPUs. NULL (and a failed
   assertion) if the monitor could not build it. */
struct hv *au_machine(void);
mfn_t au_mfn(struct hv *hv, domid_t d, gfn_t gfn);
/* The L1 table and index the builder uses to map gfn of domain d. */
mfn_t au_l1_of(struct hv *hv, domid_t d, gfn_t gfn);
unsigned au_l1_idx(gfn_t gfn);
/* A free frame never allocated since boot (not need_scrub): it must be all zero (I9). */
mfn_t au_never_used_frame(struct hv *hv);
/* The incremental audit of hv against the snapshot au_machine kept when it built hv: its total,
   or -1 if hv is not that machine. The frames and 256-byte chunks that differ from the
   snapshot are marked, as the monitor's write tracking would. */
long au_audit_incr(struct hv *hv, struct audit_report *r);
/* Take hv's snapshot again (after a test's own setup, which the full audit must find clean). */
void au_resnap(struct hv *hv);
/* A state planted after the snapshot, and whether the full audit reports the case's invariant. */
struct au_incr_case {
    const char *name;
    void (*plant)(struct hv *hv);
    bool fires;
    bool alone;   /* the full audit reports no other invariant either */
};
/*
 * Each case on a fresh au_machine: the full and the incremental audit both report inv exactly
 * when the case fires (printing expected and actual); with others_clean, a case that does not
 * fire leaves the full audit clean too.
 */
void au_incr_cases(const struct au_incr_case *cases, unsigned n, enum audit_inv inv,
                   bool others_clean);
/* The same, each case's machine first given setup's state and snapshotted again (after a clean
   full audit), so that a case changes something the snapshot holds. */
void au_incr_cases_from(void (*setup)(struct hv *hv), const struct au_incr_case *cases,
                        unsigned n, enum audit_inv inv, bool others_clean);
/* Run the audit and print every kept violation under the label. Returns the total. */
unsigned au_audit(struct hv *hv, struct audit_report *r, const char *label);
/* Assert a clean audit. */
void au_expect_clean(struct hv *hv, const char *label);
/*
 * Assert the audit reports inv, and nothing else, and that one violation of inv names mfn (unless
 * MFN_INVALID) and dom (unless DOMID_INVALID). Prints what was expected and what was reported.
 */
void au_expect_only(struct hv *hv, enum audit_inv inv, mfn_t mfn, domid_t dom, const char *label);

#endif
