/* Incremental audit, P2M: what it redoes (changed entries, entries under a changed frame, domains whose scalars moved) still finds what the full audit finds. */
#include "audit_util.h"

/*
 * The incremental P2M pass skips every p2m entry that equals the snapshot's, unless the frame it
 * names changed (found through the baseline's reverse map) or its domain's nr_gfns, dying state
 * or existence moved; injectivity starts from the baseline's per-frame counts and moves by the
 * redone entries. Each case plants one state after the snapshot on a fresh machine and compares
 * P2M in the incremental report with P2M in the full one: a changed entry naming the frame an
 * unchanged entry names, two entries swapped (no double count on the way), an unchanged entry
 * whose frame changed owner, and nr_gfns lowered under a populated entry.
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

static const struct au_incr_case incr_p2m_cases[] = {
    { "changed entry names a frame an unchanged one names", incr_p2m_dup, true, false },
    { "two entries swapped", incr_p2m_swap, false, false },
    { "unchanged entry, its frame now another domain's", incr_p2m_owner, true, false },
    { "nr_gfns lowered under a populated entry", incr_p2m_nr_gfns, true, false },
};

TEST(audit_incr_p2m)
{
    au_incr_cases(incr_p2m_cases, sizeof(incr_p2m_cases) / sizeof(incr_p2m_cases[0]),
                  INV_P2M, true);
}
