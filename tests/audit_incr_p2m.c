/* Incremental audit, P2M: what it redoes (changed entries, entries under a changed frame, domains whose scalars moved) still finds what the full audit finds. */
#include "audit_util.h"

/*
 * The incremental P2M pass skips every p2m entry that equals the snapshot's, unless the frame it
 * names changed (found through the baseline's reverse map) or its domain's dying state or
 * existence moved; injectivity starts from the baseline's per-frame counts and moves by the
 * redone entries; of a domain whose nr_gfns alone moved, the entries between the old and the new
 * value are redone too. Each case plants one state after the snapshot on a fresh machine and
 * compares P2M in the incremental report with P2M in the full one: a changed entry naming the
 * frame an unchanged entry names, two entries swapped (no double count on the way), an unchanged
 * entry whose frame changed owner, nr_gfns lowered under a populated entry, nr_gfns lowered over
 * an emptied entry (clean), and that with an unchanged entry below both values whose frame
 * changed owner (found through its frame).
 */

static void incr_p2m_dup(struct hv *hv)
{
    hv->dom[1].p2m[AU_DATA_GFN] = hv->dom[1].p2m[AU_DATA_GFN + 1];
}

static void incr_p2m_swap(struct hv *hv)
{
    mfn_t a = hv->dom[1].p2m[AU_DATA_GFN];
    hv->dom[1].p2m[AU_DATA_GFN] = hv->dom[1].p2m[AU_DATA_GFN + 1];
    hv->dom[1].p2m[AU_DATA_GFN + 1] = a;
}

static void incr_p2m_owner(struct hv *hv)
{
    hv->frames[au_mfn(hv, 1, AU_DATA_GFN + 2)].owner = 2;
}

static void incr_p2m_nr_gfns(struct hv *hv)
{
    hv->dom[2].nr_gfns--;
}

/* The last entry emptied and nr_gfns lowered over it: a consistent shrink. */
static void incr_p2m_shrink(struct hv *hv)
{
    struct domain *d = &hv->dom[2];
    d->p2m[d->nr_gfns - 1U] = MFN_INVALID;
    d->nr_gfns--;
}

static void incr_p2m_shrink_owner(struct hv *hv)
{
    incr_p2m_shrink(hv);
    hv->frames[au_mfn(hv, 2, AU_DATA_GFN + 2)].owner = 1;
}

static const struct au_incr_case incr_p2m_cases[] = {
    { "changed entry names a frame an unchanged one names", incr_p2m_dup, true, false },
    { "two entries swapped", incr_p2m_swap, false, false },
    { "unchanged entry, its frame now another domain's", incr_p2m_owner, true, false },
    { "nr_gfns lowered under a populated entry", incr_p2m_nr_gfns, true, false },
    { "nr_gfns lowered over an emptied entry", incr_p2m_shrink, false, false },
    { "nr_gfns lowered, an unchanged entry's frame now another domain's", incr_p2m_shrink_owner,
      true, false },
};

TEST(audit_incr_p2m)
{
    au_incr_cases(incr_p2m_cases, sizeof(incr_p2m_cases) / sizeof(incr_p2m_cases[0]),
                  INV_P2M, true);
}
