/* Incremental audit, list ends: a list whose ends, count and end frames equal the snapshot's is skipped, and a change to any of them is still found. */
#include "audit_util.h"

/*
 * The incremental I7 pass skips a list's end checks when its head, tail and count equal the
 * snapshot's, its end frames' entries did not change and no frame joined or left it. Each case
 * changes one of those after the snapshot and compares I7 in the incremental report with I7 in
 * the full one: dom1's page list count (tot_pages kept: only the ends see it), its head moved
 * to the second frame, the head frame's prev link, the tail frame's list id, the free list's
 * count. Leaving any input out of the skip misses its case.
 */

static void incr_ends_count(struct hv *hv)
{
    hv->dom[1].pages.count++;
}

static void incr_ends_head(struct hv *hv)
{
    struct page_list *l = &hv->dom[1].pages;
    l->head = hv->frames[l->head].list_next;
}

static void incr_ends_head_prev(struct hv *hv)
{
    const struct page_list *l = &hv->dom[1].pages;
    hv->frames[l->head].list_prev = l->tail;
}

static void incr_ends_tail_id(struct hv *hv)
{
    hv->frames[hv->dom[1].pages.tail].list_id = LIST_XEN(1);
}

static void incr_ends_free_count(struct hv *hv)
{
    hv->free.count--;
}

static const struct au_incr_case incr_ends_cases[] = {
    { "page list count one more", incr_ends_count, true, true },
    { "page list head moved to the second frame", incr_ends_head, true, false },
    { "head frame's prev link", incr_ends_head_prev, true, false },
    { "tail frame's list id", incr_ends_tail_id, true, false },
    { "free list count one less", incr_ends_free_count, true, true },
};

TEST(audit_incr_list_ends)
{
    au_incr_cases(incr_ends_cases, sizeof(incr_ends_cases) / sizeof(incr_ends_cases[0]),
                  INV_I7_LISTS, true);
}
