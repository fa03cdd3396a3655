/* Incremental audit, frames whose entry was written back as it was: compared only when free (their m2p and bytes are checked) or descriptor pages. */
#include "audit_util.h"

/*
 * A frame whose entry is marked written but equals the snapshot's (a page mapped and unmapped)
 * is compared like one whose memory alone changed: only if free or a descriptor page, as only
 * those per-frame checks read more than the entry (a free frame's m2p and bytes); an owned
 * frame's m2p is the guest's. au_audit_incr marks a frame whose m2p differs as written, so each
 * case changes one m2p entry after the snapshot and compares P2M in the incremental report
 * with the full one: a never-used free frame given a gfn (P2M), a dom1 data frame given
 * another gfn (clean). Leaving out free frames misses the first.
 */

static void incr_same_free_m2p(struct hv *hv)
{
    mfn_t m = au_never_used_frame(hv);
    if (m != MFN_INVALID)
        hv->m2p[m] = 5;
}

static void incr_same_owned_m2p(struct hv *hv)
{
    hv->m2p[au_mfn(hv, 1, AU_DATA_GFN + 5U)] = 7;
}

static const struct au_incr_case incr_same_cases[] = {
    { "free frame given a gfn, its entry as it was", incr_same_free_m2p, true, true },
    { "data frame given another gfn, its entry as it was", incr_same_owned_m2p, false, true },
};

TEST(audit_incr_same_entry)
{
    au_incr_cases(incr_same_cases, sizeof(incr_same_cases) / sizeof(incr_same_cases[0]),
                  INV_P2M, true);
}
