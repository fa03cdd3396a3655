/* Frame reference and type counting, pinning, base pointers and domain memory relinquish. */
#include "hvfuzz/monitor.h"
#include "mm_private.h"

/*
 * Error convention: a type conflict or an illegal entry is -XEN_EINVAL, as Xen's mod_lN_entry and
 * pin paths return it; Xen's get_page_from_l1e says -EBUSY for a frame that cannot become writable,
 * but that never reaches the guest from mmu_update/mmuext_op, so the model uses -EINVAL throughout.
 */

bool get_page(struct hv *hv, mfn_t mfn, const struct domain *d)
{
    if (!d || !mfn_valid(hv, mfn))
        return false;
    struct frame *f = frame_w(hv, mfn);
    /* a free frame has count 0 and no owner; a count at its limit must not wrap */
    if (f->count == 0 || f->owner != d->id || f->count == UINT32_MAX)
        return false;
    f->count++;
    return true;
}

void put_page(struct hv *hv, mfn_t mfn)
{
    if (!mfn_valid(hv, mfn)) {
        hv_bug(hv, "put_page: invalid frame");
        return;
    }
    struct frame *f = frame_w(hv, mfn);
    if (f->count == 0) {
        hv_bug(hv, "put_page: general count underflow");
        return;
    }
    if (--f->count == 0)
        frame_free(hv, mfn);
}

void frame_unallocate(struct hv *hv, mfn_t mfn)
{
    frame_w(hv, mfn)->flags &= (uint8_t)~FRAME_ALLOCATED;
    put_page(hv, mfn);
}

/* Take over a partial state for the caller: its type ref becomes the caller's, its general ref
   goes (the caller holds its own general ref, so the frame cannot be freed here). */
static void pt_partial_take(struct hv *hv, struct frame *f)
{
    f->flags &= (uint8_t)~FRAME_PARTIAL;
    if (f->count <= 1) {
        hv_bug(hv, "partial frame taken over without a general ref");
        return;
    }
    f->count--;
}

/* Preempted (de)validation: the state holds one general and one type ref (the type ref is the
   one the current operation was holding). */
static void pt_partial_leave(struct hv *hv, struct frame *f, bool validating)
{
    f->flags |= FRAME_PARTIAL;
    /* XSA-299 (bug switch): before the fix a preempted validation left the partial state without
       a general ref of its own (only some paths kept one, tracked by a separate flag); the fix
       makes every partial state hold one, so the caller's put cannot leave it unaccounted */
    if (validating && hv_bug_on(hv, HV_BUG_XSA299))
        return;
    f->count++;
}

/* The last type ref is gone: mappings of the frame may have been dropped now. */
static void pt_type_drop_stamp(struct hv *hv, mfn_t mfn)
{
    /* XSA-241 (bug switch): before the fix the stamp was a clock value read before a flush that
       overtook the store (an IPI between reading the clock and writing the stamp), so it predates
       that flush and a later type change's filter skips vCPUs that cached the mapping after it.
       The fix makes the read and the store one step. */
    if (hv_bug_on(hv, HV_BUG_XSA241) && hv->tlbclock > 0) {
        frame_w(hv, mfn)->tlbflush_timestamp = hv->tlbclock - 1U;
        return;
    }
    tlb_stamp_frame(hv, mfn);
}

/*
 * XSA-401 (bug switch): before the fix a type change flushed TLBs inside its cmpxchg loop, from a
 * snapshot of type_info, and committed the new type only afterwards; a writable mapping made and
 * dropped in between leaves type_info as it was (ABA), so the commit succeeds on a flush that
 * predates the new mapping. The fix flushes after the commit. The model runs operations
 * atomically, so the window is a preemption point between flush and commit (a preemptible type
 * change then gives up with -ERESTART and is re-issued by the guest), and the snapshot is kept in
 * hv->x401 across the continuation: a re-issue that finds the same type_info commits unflushed.
 * Returns true when the caller must give up with -ERESTART.
 */
static bool pt_x401_window(struct hv *hv, mfn_t mfn, enum pgt_type type, bool preemptible)
{
    struct frame *f = frame_w(hv, mfn);
    bool same = hv->x401.armed && hv->x401.mfn == mfn && hv->x401.type == f->type &&
                hv->x401.flags == f->flags && hv->x401.type_count == f->type_count;
    hv->x401.armed = false;
    if (same)
        return false;   /* the snapshot matches: the earlier flush is taken to cover it */
    tlb_flush_filtered(hv, f->tlbflush_timestamp);
    if (!preemptible || !PGT_IS_PT(type) || !hv_preempt_check(hv))
        return false;
    hv->x401.armed = true;
    hv->x401.mfn = mfn;
    hv->x401.type = f->type;
    hv->x401.flags = f->flags;
    hv->x401.type_count = f->type_count;
    return true;
}

int get_page_type(struct hv *hv, mfn_t mfn, enum pgt_type type, bool preemptible)
{
    if (!mfn_valid(hv, mfn) || type <= PGT_none || type >= PGT_NR_TYPES)
        return -XEN_EINVAL;
    struct frame *f = frame_w(hv, mfn);
    if (f->count == 0)
        return -XEN_EINVAL;

    if (f->type_count == 0) {
        if (f->type != type) {
            /* a type change: nothing may still cache a mapping made under the old type (XSA-241,
               XSA-401), so flush every vCPU that has not flushed since the frame was last
               unmapped */
            if (hv_bug_on(hv, HV_BUG_XSA401)) {
                if (pt_x401_window(hv, mfn, type, preemptible))
                    return -XEN_ERESTART;
                f->type = (uint8_t)type;
                f->flags &= (uint8_t)~FRAME_VALIDATED;
            } else {
                f->type = (uint8_t)type;
                f->flags &= (uint8_t)~FRAME_VALIDATED;
                tlb_flush_filtered(hv, f->tlbflush_timestamp);
            }
        }
        f->type_count = 1;
        if (!PGT_IS_PT(type)) {
            /* a descriptor page is checked once per type change; at type count 0 it stays
               validated (Xen keeps PGT_validated), so a later use of the same type trusts it */
            if (type == PGT_seg_desc && !(f->flags & FRAME_VALIDATED) &&
                seg_desc_page_validate(hv, mfn) < 0) {
                /* Xen's validate_page failure: type_info becomes 0 */
                f->type_count = 0;
                f->type = PGT_none;
                return -XEN_EINVAL;
            }
            f->flags |= FRAME_VALIDATED;
            return 0;
        }
        if (f->flags & FRAME_VALIDATED)
            return 0;
        f->nr_validated_ptes = 0;
    } else {
        if (f->type != type)
            return -XEN_EINVAL;
        if (f->flags & FRAME_PARTIAL) {
            pt_partial_take(hv, f);
        } else if (PGT_IS_PT(type) && !(f->flags & FRAME_VALIDATED)) {
            /* only reachable while this frame's own validation is running further up the stack:
               a table cannot be used before it is valid */
            return -XEN_EINVAL;
        } else {
            if (f->type_count == UINT32_MAX)
                return -XEN_EINVAL;
            f->type_count++;
            return 0;
        }
    }

    /* a PT type that needs (the rest of) its validation; the caller's type ref is counted */
    frame_mark_type_change(hv, mfn);
    int rc = pt_validate(hv, mfn, pgt_level(type), preemptible);
    if (rc == -XEN_ERESTART) {
        pt_partial_leave(hv, f, true);
        return rc;
    }
    if (rc < 0) {
        f->type_count--;
        f->flags &= (uint8_t)~FRAME_VALIDATED;
        if (f->type_count == 0)
            tlb_stamp_frame(hv, mfn);
        return -XEN_EINVAL;
    }
    return 0;
}

int put_page_type(struct hv *hv, mfn_t mfn, bool preemptible)
{
    if (!mfn_valid(hv, mfn)) {
        hv_bug(hv, "put_page_type: invalid frame");
        return -XEN_EINVAL;
    }
    struct frame *f = frame_w(hv, mfn);
    if (f->type_count == 0) {
        hv_bug(hv, "put_page_type: type count underflow");
        return -XEN_EINVAL;
    }
    if (f->flags & FRAME_PARTIAL) {
        /* the only type ref of a partial frame is the partial state's own */
        hv_bug(hv, "put_page_type: caller holds no type ref on a partial frame");
        return -XEN_EINVAL;
    }
    if (f->type_count > 1 || !PGT_IS_PT(f->type) || !(f->flags & FRAME_VALIDATED)) {
        if (--f->type_count == 0)
            pt_type_drop_stamp(hv, mfn);
        return 0;
    }

    /* last ref of a validated table: its entries give up what they hold */
    frame_mark_type_change(hv, mfn);
    f->flags &= (uint8_t)~FRAME_VALIDATED;
    f->nr_validated_ptes = PTES_PER_TABLE;
    int rc = pt_devalidate(hv, mfn, pgt_level(f->type), preemptible);
    if (rc == -XEN_ERESTART) {
        pt_partial_leave(hv, f, false);
        return rc;
    }
    f->type_count = 0;
    pt_type_drop_stamp(hv, mfn);
    return 0;
}

int get_page_and_type(struct hv *hv, mfn_t mfn, const struct domain *d, enum pgt_type type,
                      bool preemptible)
{
    if (!get_page(hv, mfn, d))
        return -XEN_EINVAL;
    int rc = get_page_type(hv, mfn, type, preemptible);
    if (rc < 0)
        put_page(hv, mfn);  /* never the last: a partial state keeps its own general ref */
    return rc;
}

void put_page_and_type(struct hv *hv, mfn_t mfn)
{
    put_page_type(hv, mfn, false);
    put_page(hv, mfn);
}

int pt_partial_put(struct hv *hv, mfn_t mfn, bool preemptible)
{
    if (!mfn_valid(hv, mfn))
        return 0;
    struct frame *f = frame_w(hv, mfn);
    if (!(f->flags & FRAME_PARTIAL))
        return 0;
    if (!PGT_IS_PT(f->type) || f->type_count != 1) {
        hv_bug(hv, "partial frame is not a page table holding one type ref");
        return 0;
    }
    /* entries [0, nr_validated_ptes) still hold refs: drop them while the partial refs stay */
    int rc = pt_devalidate(hv, mfn, pgt_level(f->type), preemptible);
    if (rc == -XEN_ERESTART)
        return rc;
    f->flags &= (uint8_t)~(FRAME_PARTIAL | FRAME_VALIDATED);
    f->type_count = 0;
    tlb_stamp_frame(hv, mfn);
    put_page(hv, mfn);
    return 0;
}

int pt_finish_old(struct hv *hv, struct vcpu *v, bool preemptible)
{
    mfn_t m = v->old_guest_table;
    if (m == MFN_INVALID)
        return 0;
    /* the pointer holds no refs: if someone took the partial state over (or it is gone), there
       is nothing left to finish */
    if (mfn_valid(hv, m) && (hv->frames[m].flags & FRAME_PARTIAL) &&
        hv->frames[m].owner == v->domid) {
        int rc = pt_partial_put(hv, m, preemptible);
        if (rc < 0)
            return rc;
    }
    v->old_guest_table = MFN_INVALID;
    return 0;
}

int pt_pin(struct hv *hv, struct domain *d, mfn_t mfn, unsigned level, bool preemptible)
{
    if (!d || level < 1 || level > 4 || !mfn_valid(hv, mfn))
        return -XEN_EINVAL;
    /* a dying domain's relinquish must not race new pins */
    if (d->dying)
        return -XEN_EINVAL;
    struct frame *f = frame_w(hv, mfn);
    if (f->owner != d->id || (f->flags & FRAME_PINNED))
        return -XEN_EINVAL;
    int rc = get_page_and_type(hv, mfn, d, pgt_of_level(level), preemptible);
    if (rc < 0)
        return rc;
    /* the refs just taken are the pin's */
    f->flags |= FRAME_PINNED;
    frame_mark_type_change(hv, mfn);
    return 0;
}

/* Returns -XEN_ERESTART when the unpin is done but the table's devalidation was preempted: the
   frame is left PARTIAL (holding its own refs) for the caller to record as old_guest_table. */
int pt_unpin(struct hv *hv, struct domain *d, mfn_t mfn, bool preemptible)
{
    if (!d || !mfn_valid(hv, mfn))
        return -XEN_EINVAL;
    struct frame *f = frame_w(hv, mfn);
    if (f->owner != d->id || !(f->flags & FRAME_PINNED))
        return -XEN_EINVAL;
    f->flags &= (uint8_t)~FRAME_PINNED;
    frame_mark_type_change(hv, mfn);
    int rc = put_page_type(hv, mfn, preemptible);
    put_page(hv, mfn);
    return rc == -XEN_ERESTART ? rc : 0;
}

int pt_new_baseptr(struct hv *hv, struct vcpu *v, mfn_t mfn, bool user)
{
    if (!v)
        return -XEN_EINVAL;
    struct domain *d = dom_get(hv, v->domid);
    if (!d)
        return -XEN_EINVAL;
    /* a deferred put from an earlier switch finishes first (Xen's old_guest_table rule); done
       here without preemption so that callers never see a continuation */
    pt_finish_old(hv, v, false);

    mfn_t nmfn = MFN_INVALID;
    /* Xen: NEW_USER_BASEPTR with 0 clears the user table */
    if (!(user && mfn == 0)) {
        if (!mfn_valid(hv, mfn))
            return -XEN_EINVAL;
        int rc = get_page_and_type(hv, mfn, d, PGT_l4, false);
        if (rc < 0)
            return -XEN_EINVAL;
        nmfn = mfn;
    }
    mfn_t *slot = user ? &v->guest_table_user : &v->guest_table;
    mfn_t old = *slot;
    *slot = nmfn;
    /* a CR3 write drops the non-global TLB */
    tlb_flush_vcpu(hv, v);
    if (old != MFN_INVALID) {
        int rc = put_page_type(hv, old, true);
        put_page(hv, old);
        if (rc == -XEN_ERESTART)
            v->old_guest_table = old;
    }
    return 0;
}

/* Preemption is asked for before a unit of work and only after an earlier one, so a
   continuation never comes back to find nothing left to do. */
static bool mm_relinquish_yield(struct hv *hv, bool *progress)
{
    bool stop = *progress && hv_preempt_check(hv);
    *progress = true;
    return stop;
}

int mm_relinquish(struct hv *hv, struct domain *d)
{
    if (!d)
        return -XEN_EINVAL;
    bool progress = false;
    int rc;

    /* vCPU base pointers; deferred puts become plain partial states handled below */
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        struct vcpu *v = &d->vcpu[i];
        v->old_guest_table = MFN_INVALID;
        /* the GDT's refs (a few frames, none of them a table: no preemption needed) */
        vcpu_gdt_destroy(hv, v);
        v->user_mode = false;
        v->user_table_live = MFN_INVALID;
        mfn_t *slots[2] = { &v->guest_table, &v->guest_table_user };
        for (unsigned s = 0; s < 2; s++) {
            mfn_t m = *slots[s];
            if (m == MFN_INVALID)
                continue;
            if (mm_relinquish_yield(hv, &progress))
                return -XEN_ERESTART;
            *slots[s] = MFN_INVALID;
            if (!mfn_valid(hv, m))
                continue;
            rc = put_page_type(hv, m, true);
            put_page(hv, m);
            if (rc == -XEN_ERESTART)
                return rc;
        }
    }

    /* pins and partial states, until a pass finds none: resolving one may leave a child partial
       at an mfn the pass has already visited */
    bool again;
    do {
        again = false;
        for (mfn_t m = 0; m < hv->nr_frames; m++) {
            const struct frame *rf = &hv->frames[m];
            if (rf->owner != d->id || rf->count == 0 ||
                !(rf->flags & (FRAME_PINNED | FRAME_PARTIAL)))
                continue;
            struct frame *f = frame_w(hv, m);   /* only frames written are marked */
            if (mm_relinquish_yield(hv, &progress))
                return -XEN_ERESTART;
            again = true;
            if (f->flags & FRAME_PINNED) {
                f->flags &= (uint8_t)~FRAME_PINNED;
                rc = put_page_type(hv, m, true);
                put_page(hv, m);
            } else {
                rc = pt_partial_put(hv, m, true);
            }
            if (rc == -XEN_ERESTART)
                return rc;
        }
    } while (again);

    /* the owner's ALLOCATED refs: frames nobody else holds are freed */
    for (mfn_t m = 0; m < hv->nr_frames; m++) {
        const struct frame *rf = &hv->frames[m];
        if (rf->owner != d->id || rf->list_id != LIST_PAGES(d->id) ||
            !(rf->flags & FRAME_ALLOCATED))
            continue;
        if (mm_relinquish_yield(hv, &progress))
            return -XEN_ERESTART;
        frame_unallocate(hv, m);
    }
    return 0;
}
