/* Incremental audit, page lists: a changed frame whose list inputs equal the snapshot's is skipped, and a list fault at a changed frame is still found. */
#include "audit_util.h"

/*
 * The incremental I7 checks skip a changed frame whose owner, xen-heap and allocated flags,
 * links, list id, neighbours' links and list ends equal the snapshot's (it passed the walk's
 * checks there). Each case changes one dom1 data frame after the snapshot and compares I7 in the
 * incremental report with I7 in the full one: a timestamp alone (clean: skipped), the xen-heap
 * flag of a page-list frame, the owner, the prev link. Comparing too little in the skip misses
 * the last three.
 */

static mfn_t incr_links_frame(struct hv *hv)
{
    return au_mfn(hv, 1, AU_DATA_GFN + 1U);
}

static void incr_links_stamp(struct hv *hv)
{
    hv->frames[incr_links_frame(hv)].tlbflush_timestamp++;
}

static void incr_links_heap(struct hv *hv)
{
    hv->frames[incr_links_frame(hv)].flags |= FRAME_XEN_HEAP;
}

static void incr_links_owner(struct hv *hv)
{
    hv->frames[incr_links_frame(hv)].owner = 2;
}

static void incr_links_prev(struct hv *hv)
{
    struct frame *f = &hv->frames[incr_links_frame(hv)];
    f->list_prev = f->list_next;
}

static const struct au_incr_case incr_links_cases[] = {
    { "timestamp only", incr_links_stamp, false, false },
    { "xen-heap flag on a page-list frame", incr_links_heap, true, false },
    { "owner of another domain", incr_links_owner, true, false },
    { "prev link to the next frame", incr_links_prev, true, false },
};

TEST(audit_incr_links)
{
    au_incr_cases(incr_links_cases, sizeof(incr_links_cases) / sizeof(incr_links_cases[0]),
                  INV_I7_LISTS, true);
}
