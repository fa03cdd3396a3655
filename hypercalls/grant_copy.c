/* Grant copy and transfer, and the page stealing a transfer needs. */
#include <string.h>
#include "grant_table.h"

/* ---- copy -------------------------------------------------------------------------------------- */

/*
 * Resolve and reference one side of a copy: a grant of another (or the same) domain, or a frame
 * of the caller. The refs are held only for the copy itself; pins are not taken because nothing
 * else can run between claim and release in the model, so a transient pin would be invisible.
 */
static int gnt_copy_claim(struct hv *hv, struct vcpu *v, struct domain *ld,
                          const struct gnttab_copy_ptr *p, bool is_gref, bool write, mfn_t *out)
{
    struct domain *d, *owner;
    mfn_t mfn;

    /* only the caller's own frames may be named by frame number */
    if (!is_gref && p->domid != DOMID_SELF)
        return GNTST_permission_denied;
    d = dom_lookup(hv, v, p->domid);
    if (!d || d->dying)
        return GNTST_bad_domain;
    if (is_gref) {
        grant_ref_t ref = (grant_ref_t)p->u;
        struct gnt_active *act;
        bool pinned;
        struct gnt_entry e;

        if (ref >= gnt_nr_entries(&d->gnt))
            return GNTST_bad_gntref;
        act = gnt_act_w(&d->gnt, ref);
        pinned = gnt_act_pinned(act);
        if (pinned && act->mapped_by != ld->id)
            return GNTST_general_error;
        mfn = act->mfn;
        if (!pinned || (write && !gnt_act_write_pinned(act))) {
            int st = gnt_entry_check(hv, d, ref, ld->id, true, &e);
            if (st != GNTST_okay)
                return st;
            if (write && (e.flags & GTF_readonly))
                return GNTST_permission_denied;
            if (!pinned)
                mfn = e.frame;
        }
        owner = d;
    } else {
        mfn = p->u;
        owner = ld;
    }
    if (!mfn_valid(hv, mfn) || !get_page(hv, mfn, owner))
        return GNTST_bad_page;
    if (write && get_page_type(hv, mfn, PGT_writable, false)) {
        put_page(hv, mfn);
        return GNTST_general_error;
    }
    *out = mfn;
    return GNTST_okay;
}

int gnt_copy_one(struct hv *hv, struct vcpu *v, struct gnttab_copy *op)
{
    struct domain *ld = dom_get(hv, v->domid);
    mfn_t src, dst;
    int st;

    if (!ld)
        return GNTST_bad_domain;
    if ((unsigned)op->source.offset + op->len > PAGE_SIZE ||
        (unsigned)op->dest.offset + op->len > PAGE_SIZE)
        return GNTST_bad_copy_arg;
    st = gnt_copy_claim(hv, v, ld, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
    if (st != GNTST_okay)
        return st;
    st = gnt_copy_claim(hv, v, ld, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
    if (st != GNTST_okay) {
        put_page(hv, src);
        return st;
    }
    /* source and destination may be the same frame */
    memmove(frame_mem_wr(hv, dst, op->dest.offset, op->len), frame_mem(hv, src) + op->source.offset,
            op->len);
    put_page_type(hv, dst, false);
    put_page(hv, dst);
    put_page(hv, src);
    return GNTST_okay;
}

/* ---- transfer ---------------------------------------------------------------------------------- */

static void gnt_p2m_trim(struct domain *d)
{
    while (d->nr_gfns > 0 && d->p2m[d->nr_gfns - 1] == MFN_INVALID)
        d->nr_gfns--;
}

/* Whether d may give mfn away (gnttab_steal_page's test, which the transfer asks first). */
static bool gnt_stealable(struct hv *hv, const struct domain *d, mfn_t mfn)
{
    const struct frame *f = &hv->frames[mfn];

    /*
     * XSA-284: a frame without its allocation ref (being freed) or a xen-heap frame is not the
     * domain's to give away. HV_BUG_XSA284 re-creates the pre-fix check, which lacked the
     * PGC_allocated test: a frame whose allocation ref went while a mapping still holds it then
     * looks like "allocation ref + ours" below and is handed to the new owner still mapped.
     */
    if ((!(f->flags & FRAME_ALLOCATED) && !hv_bug_on(hv, HV_BUG_XSA284)) ||
        (f->flags & FRAME_XEN_HEAP))
        return false;
    /* get_page's owner test, then "allocation ref + ours": one ref before ours */
    if (f->owner != d->id || f->count != 1U)
        return false;
    return f->type_count == 0 && !(f->flags & (FRAME_PINNED | FRAME_PARTIAL));
}

int gnttab_steal_page(struct hv *hv, struct domain *d, mfn_t mfn)
{
    struct frame *f;
    uint64_t gfn;

    if (!mfn_valid(hv, mfn) || !gnt_stealable(hv, d, mfn) || !get_page(hv, mfn, d))
        return -XEN_EINVAL;
    f = frame_w(hv, mfn);
    page_list_del(hv, &d->pages, mfn);
    d->tot_pages--;
    frame_unallocate(hv, mfn);   /* 2 -> 1: ours remains */
    /* XSA-214: the new owner must not inherit a type (or validation) the old owner set up: a
       seg_desc page stays validated at type count 0, and its next use would trust checks made
       under the old owner's rules. The bug switch keeps type_info as it was (before the fix
       steal_page left it alone). */
    if (!hv_bug_on(hv, HV_BUG_XSA214)) {
        f->flags &= (uint8_t)~(FRAME_VALIDATED | FRAME_PARTIAL);
        f->type = PGT_none;
    }
    f->linear_pt_count = 0;
    f->owner = DOMID_INVALID;
    /* the model's p2m slot of the frame: the m2p says where, unless the guest rewrote its m2p
       entry (MMU_MACHPHYS_UPDATE), when the p2m is searched (the model's own bookkeeping must
       not follow the guest's) */
    gfn = hv->m2p[mfn];
    if (gfn >= HV_MAX_GFNS || d->p2m[gfn] != mfn)
        for (gfn = 0; gfn < d->nr_gfns && d->p2m[gfn] != mfn; gfn++)
            ;
    if (gfn < HV_MAX_GFNS && gfn < d->nr_gfns && d->p2m[gfn] == mfn) {
        p2m_set(d, gfn, MFN_INVALID);
        gnt_p2m_trim(d);
    }
    m2p_set(hv, mfn, GFN_INVALID);
    /* stale translations of the old owner must not reach the new owner's frame */
    tlb_flush_domain(hv, d);
    tlb_flush_filtered(hv, f->tlbflush_timestamp);
    return 0;
}

/* Give a stolen frame (count 1: the stealer's ref) to e; that ref becomes the allocation ref. */
static void gnt_assign_page(struct hv *hv, struct domain *e, mfn_t mfn, uint64_t gfn)
{
    struct frame *f = frame_w(hv, mfn);

    f->owner = e->id;
    f->flags |= FRAME_ALLOCATED;
    page_list_add(hv, &e->pages, LIST_PAGES(e->id), mfn);
    e->tot_pages++;
    if (gfn < HV_MAX_GFNS && e->p2m[gfn] == MFN_INVALID) {
        p2m_set(e, gfn, mfn);
        m2p_set(hv, mfn, gfn);
        if (gfn >= e->nr_gfns)
            e->nr_gfns = gfn + 1;
    }
}

/*
 * Xen 4.17's order and statuses: the frame (invalid or not stealable: bad_page), the transferee
 * (absent: bad_domain; dying or without headroom: general_error), then the grant entry (a ref past
 * the table or an entry that does not accept a transfer from the caller: general_error, as
 * gnttab_prepare_for_transfer refuses both). Every check is made before the frame is stolen, so
 * a failed transfer leaves the frame with its owner, where Xen has already stolen it and frees it
 * (docs/MODEL.md: a deliberate difference in state, not in status).
 */
int gnt_transfer_one(struct hv *hv, struct vcpu *v, struct gnttab_transfer *op)
{
    struct domain *ld = dom_get(hv, v->domid), *e;
    struct gnt_entry ge;
    uint32_t room;

    if (!ld)
        return GNTST_bad_domain;
    if (!mfn_valid(hv, op->mfn) || !gnt_stealable(hv, ld, op->mfn))
        return GNTST_bad_page;
    e = dom_get(hv, op->domid);
    if (!e)
        return GNTST_bad_domain;
    /* a transfer to oneself gives back the frame it takes */
    room = e->max_pages + (e == ld ? 1U : 0U);
    if (e->dying || e->tot_pages >= room)
        return GNTST_general_error;
    if (op->ref >= gnt_nr_entries(&e->gnt))
        return GNTST_general_error;
    gnt_entry_read(hv, &e->gnt, op->ref, &ge);
    if ((ge.flags & GTF_type_mask) != GTF_accept_transfer || ge.domid != ld->id)
        return GNTST_general_error;
    if (gnttab_steal_page(hv, ld, op->mfn))
        return GNTST_bad_page;
    gnt_assign_page(hv, e, op->mfn, ge.frame);
    gnt_entry_set_frame(hv, &e->gnt, op->ref, op->mfn);
    gnt_entry_set_flags(hv, &e->gnt, op->ref,
                        (uint16_t)(ge.flags | GTF_transfer_committed | GTF_transfer_completed));
    return GNTST_okay;
}
