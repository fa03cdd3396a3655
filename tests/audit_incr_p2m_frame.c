/* Incremental audit, P2M: an unchanged entry is rechecked when its frame's owner (or a free frame's being referenced) moved, and only then. */
#include "audit_util.h"

/*
 * The incremental P2M pass rechecks the unchanged entries naming a changed frame only where the
 * frame's owner, or for a free frame whether it is still referenced, differs from the snapshot's
 * (the owner check reads nothing else of the frame). Each case changes the frame dom1's data gfn
 * names after the snapshot and compares P2M in the incremental report with P2M in the full one:
 * its count alone (skipped: no P2M), another owner, freed and unreferenced, freed while still
 * referenced (I6's to report, not P2M's).
 */

static struct frame *incr_p2m_frame(struct hv *hv)
{
    return &hv->frames[au_mfn(hv, 1, AU_DATA_GFN + 2)];
}

static void incr_p2m_count(struct hv *hv)
{
    incr_p2m_frame(hv)->count++;
}

static void incr_p2m_owner(struct hv *hv)
{
    incr_p2m_frame(hv)->owner = 2;
}

static void incr_p2m_freed(struct hv *hv)
{
    incr_p2m_frame(hv)->owner = DOMID_INVALID;
    incr_p2m_frame(hv)->count = 0;
}

static void incr_p2m_freed_held(struct hv *hv)
{
    incr_p2m_frame(hv)->owner = DOMID_INVALID;
}

static const struct au_incr_case incr_p2m_frame_cases[] = {
    { "frame's count alone", incr_p2m_count, false, false },
    { "frame now another domain's", incr_p2m_owner, true, false },
    { "frame freed, unreferenced", incr_p2m_freed, true, false },
    { "frame freed, still referenced", incr_p2m_freed_held, false, false },
};

TEST(audit_incr_p2m_frame)
{
    unsigned n = sizeof(incr_p2m_frame_cases) / sizeof(incr_p2m_frame_cases[0]);

    /* a freed frame still referenced is I6's (and I7's) to report, so not a clean machine */
    au_incr_cases(incr_p2m_frame_cases, n, INV_P2M, false);
}
