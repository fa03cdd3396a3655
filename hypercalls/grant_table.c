/* Grant tables: per-domain set-up and teardown, table sizing and versions, the grant_table_op entry. */
#include <stddef.h>
#include <string.h>
#include "grant_table.h"

/* ---- grant entries in guest-shared memory ------------------------------------------------------ */

/*
 * Grant entries live in frames the guest writes at any time, so every access goes through memcpy
 * on a computed byte offset: no pointer into guest memory outlives one access, and the offset is
 * always derived from a ref already checked against gnt_nr_entries().
 */
uint32_t gnt_nr_entries(const struct grant_table *gt)
{
    uint32_t per = gt->version == 2 ? (uint32_t)GNT_V2_PER_FRAME : (uint32_t)GNT_V1_PER_FRAME;

    return gt->nr_frames * per;
}

uint32_t gnt_status_frames_for(uint32_t nr_grant_frames, uint32_t version)
{
    uint32_t entries = nr_grant_frames * (uint32_t)GNT_V2_PER_FRAME;

    if (version != 2)
        return 0;
    return (entries + (uint32_t)GNT_STATUS_PER_FRAME - 1) / (uint32_t)GNT_STATUS_PER_FRAME;
}

static uint8_t *gnt_entry_ptr(struct hv *hv, const struct grant_table *gt, grant_ref_t ref)
{
    size_t esz = gt->version == 2 ? sizeof(struct grant_entry_v2) : sizeof(struct grant_entry_v1);
    size_t per = PAGE_SIZE / esz;

    /* callers touch the entry only (a v2 entry's 16 bytes at most) */
    return frame_mem_wr(hv, gt->frames[ref / per], (ref % per) * esz, esz);
}

void gnt_entry_read(struct hv *hv, const struct grant_table *gt, grant_ref_t ref,
                    struct gnt_entry *e)
{
    uint8_t *p = gnt_entry_ptr(hv, gt, ref);

    if (gt->version == 2) {
        struct grant_entry_v2 g;
        memcpy(&g, p, sizeof(g));
        e->flags = g.flags;
        e->domid = g.domid;
        e->frame = g.frame;
    } else {
        struct grant_entry_v1 g;
        memcpy(&g, p, sizeof(g));
        e->flags = g.flags;
        e->domid = g.domid;
        e->frame = g.frame;
    }
}

void gnt_entry_set_flags(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint16_t flags)
{
    /* flags is the first field of both entry layouts */
    memcpy(gnt_entry_ptr(hv, gt, ref), &flags, sizeof(flags));
}

void gnt_entry_set_frame(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint64_t frame)
{
    uint8_t *p = gnt_entry_ptr(hv, gt, ref);

    if (gt->version == 2) {
        memcpy(p + offsetof(struct grant_entry_v2, frame), &frame, sizeof(frame));
    } else {
        uint32_t f = (uint32_t)frame;
        memcpy(p + offsetof(struct grant_entry_v1, frame), &f, sizeof(f));
    }
}

static uint8_t *gnt_status_ptr(struct hv *hv, const struct grant_table *gt, grant_ref_t ref)
{
    uint32_t idx = ref / (uint32_t)GNT_STATUS_PER_FRAME;

    if (idx >= gt->nr_status_frames || idx >= GNT_MAX_STATUS)
        return NULL;
    return frame_mem_wr(hv, gt->status[idx], (ref % GNT_STATUS_PER_FRAME) * sizeof(grant_status_t),
                        sizeof(grant_status_t));
}

static void gnt_status_update(struct hv *hv, struct grant_table *gt, grant_ref_t ref,
                              uint16_t set, uint16_t clear)
{
    uint8_t *p;
    uint16_t val;

    if (ref >= gnt_nr_entries(gt))
        return;     /* the table was freed or shrank under a zombie's mappings */
    p = gt->version == 2 ? gnt_status_ptr(hv, gt, ref) : gnt_entry_ptr(hv, gt, ref);
    if (!p)
        return;
    memcpy(&val, p, sizeof(val));
    val = (uint16_t)((val | set) & ~clear);
    memcpy(p, &val, sizeof(val));
}

void gnt_status_set(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint16_t bits)
{
    gnt_status_update(hv, gt, ref, bits, 0);
}

void gnt_status_clear(struct hv *hv, struct grant_table *gt, grant_ref_t ref, uint16_t bits)
{
    gnt_status_update(hv, gt, ref, 0, bits);
}

int gnt_entry_check(struct hv *hv, struct domain *rd, grant_ref_t ref, domid_t ld,
                    bool readonly, struct gnt_entry *out)
{
    struct grant_table *gt = &rd->gnt;
    uint16_t mask = GTF_type_mask;

    if (ref >= gnt_nr_entries(gt))
        return GNTST_bad_gntref;
    gnt_entry_read(hv, gt, ref, out);
    /* sub-page and transitive grants are not modelled: only whole-page access grants pin */
    if (gt->version == 2)
        mask |= GTF_sub_page;
    if ((out->flags & mask) != GTF_permit_access)
        return GNTST_general_error;
    if (out->domid != ld)
        return GNTST_general_error;
    if (!readonly && (out->flags & GTF_readonly))
        return GNTST_general_error;
    return GNTST_okay;
}

void gnt_status_after_unpin(struct hv *hv, struct domain *rd, grant_ref_t ref, bool was_rw)
{
    struct gnt_active *act = gnt_act_w(&rd->gnt, ref);

    if (was_rw && !gnt_act_write_pinned(act))
        gnt_status_clear(hv, &rd->gnt, ref, GTF_writing);
    if (!gnt_act_pinned(act))
        gnt_status_clear(hv, &rd->gnt, ref, GTF_reading);
}

/* ---- shared frames ----------------------------------------------------------------------------- */

/* A grant or status frame: xen-heap, owned by d, with the permanent writable share ref. */
static mfn_t gnt_frame_alloc(struct hv *hv, struct domain *d, int *err)
{
    mfn_t mfn = frame_alloc(hv, d, true, err);
    struct frame *f;

    if (mfn == MFN_INVALID)
        return MFN_INVALID;
    f = frame_w(hv, mfn);
    f->flags |= FRAME_XEN_HEAP | FRAME_VALIDATED;
    f->type = PGT_writable;
    f->type_count = 1;
    return mfn;
}

/*
 * Drop the allocation ref: the frame is freed once nobody else references it. The share ref stays
 * with the frame while it lives (the xen-heap flag, the xenpages list and the type count agree on
 * it) and goes when frame_free releases the frame.
 */
static void gnt_frame_release(struct hv *hv, mfn_t mfn)
{
    struct frame *f;

    if (!mfn_valid(hv, mfn))
        return;
    f = frame_w(hv, mfn);
    if (f->flags & FRAME_ALLOCATED)
        frame_unallocate(hv, mfn);
}

/* Only slots below the in-use count are trusted to name our frames; the rest are reset. */
static void gnt_free_status(struct hv *hv, struct grant_table *gt)
{
    for (uint32_t i = 0; i < GNT_MAX_STATUS; i++) {
        if (i < gt->nr_status_frames && gt->status[i] != MFN_INVALID)
            gnt_frame_release(hv, gt->status[i]);
        gt->status[i] = MFN_INVALID;
    }
    gt->nr_status_frames = 0;
}

/*
 * HV_BUG_XSA255 only: the pre-fix release of the status frames, a free that never looks at the
 * frame's references. A mapping of the frame keeps naming it after it is back in the pool; the
 * refs it holds are discarded with the frame (the model's free needs counts at rest).
 */
static void gnt_free_status_now(struct hv *hv, struct grant_table *gt)
{
    for (uint32_t i = 0; i < gt->nr_status_frames && i < GNT_MAX_STATUS; i++) {
        mfn_t mfn = gt->status[i];
        struct frame *f;

        if (!mfn_valid(hv, mfn))
            continue;
        f = frame_w(hv, mfn);
        if (!(f->flags & FRAME_ALLOCATED) || f->count <= 1)
            continue;   /* unmapped: the ordinary release frees it */
        f->flags &= (uint8_t)~FRAME_ALLOCATED;
        f->count = 0;
        f->type_count = (f->flags & FRAME_XEN_HEAP) ? 1U : 0U;
        frame_free(hv, mfn);
        gt->status[i] = MFN_INVALID;
    }
}

/* Grow to nr grant frames (and the status frames the version needs); all or nothing. */
static int gnt_grow(struct hv *hv, struct domain *d, uint32_t nr)
{
    struct grant_table *gt = &d->gnt;
    uint32_t old_nr = gt->nr_frames, old_st = gt->nr_status_frames;
    uint32_t want_st = gnt_status_frames_for(nr, gt->version);
    int err = 0;

    if (nr > gt->max_frames || nr > GNT_MAX_FRAMES || want_st > GNT_MAX_STATUS)
        return -XEN_EINVAL;
    for (uint32_t i = old_nr; i < nr; i++) {
        gt->frames[i] = gnt_frame_alloc(hv, d, &err);
        if (gt->frames[i] == MFN_INVALID)
            goto undo;
        gt->nr_frames = i + 1;
    }
    for (uint32_t i = old_st; i < want_st; i++) {
        gt->status[i] = gnt_frame_alloc(hv, d, &err);
        if (gt->status[i] == MFN_INVALID)
            goto undo;
        gt->nr_status_frames = i + 1;
    }
    return 0;

undo:
    for (uint32_t i = old_st; i < gt->nr_status_frames; i++) {
        gnt_frame_release(hv, gt->status[i]);
        gt->status[i] = MFN_INVALID;
    }
    gt->nr_status_frames = old_st;
    for (uint32_t i = old_nr; i < gt->nr_frames; i++) {
        gnt_frame_release(hv, gt->frames[i]);
        gt->frames[i] = MFN_INVALID;
    }
    gt->nr_frames = old_nr;
    return err ? err : -XEN_ENOMEM;
}

int gnttab_init(struct hv *hv, struct domain *d)
{
    struct grant_table *gt = &d->gnt;
    uint32_t max = gt->max_frames;

    struct gnt_active *active = gt->active;
    struct gnt_maptrack *maptrack = gt->maptrack;
    /* entries from the high-water marks up are zero (never written since the slot's tables were
       last cleared, by calloc or here), so clearing below them clears the whole table */
    uint32_t act_hi = gt->active_hi < GNT_MAX_REFS ? gt->active_hi : GNT_MAX_REFS;
    uint32_t map_hi = gt->maptrack_hi < GNT_MAX_MAPTRACK ? gt->maptrack_hi : GNT_MAX_MAPTRACK;

    /* a limit preset by the domain creator (max_grant_frames) is kept; the tables stay */
    memset(gt, 0, sizeof(*gt));
    gt->active = active;
    gt->maptrack = maptrack;
    memset(active, 0, act_hi * sizeof(*active));
    memset(maptrack, 0, map_hi * sizeof(*maptrack));
    gt->touched = true;
    gt->max_frames = (max == 0 || max > GNT_MAX_FRAMES) ? GNT_MAX_FRAMES : max;
    for (uint32_t i = 0; i < GNT_MAX_FRAMES; i++)
        gt->frames[i] = MFN_INVALID;
    for (uint32_t i = 0; i < GNT_MAX_STATUS; i++)
        gt->status[i] = MFN_INVALID;
    gt->version = 1;
    return gnt_grow(hv, d, 1);
}

int gnttab_release(struct hv *hv, struct domain *d)
{
    bool progress = false;

    for (grant_handle_t h = 0; h < GNT_MAX_MAPTRACK; h++) {
        if (!d->gnt.maptrack[h].in_use)
            continue;
        /* the handle is gone once released, so a restart resumes where this call stopped */
        if (progress && hv_preempt_check(hv))
            return -XEN_ERESTART;
        gnt_release_handle(hv, d, h);
        progress = true;
    }
    return 0;
}

void gnttab_free(struct hv *hv, struct domain *d)
{
    struct grant_table *gt = &d->gnt;

    gnt_free_status(hv, gt);
    for (uint32_t i = 0; i < GNT_MAX_FRAMES; i++) {
        if (i < gt->nr_frames && gt->frames[i] != MFN_INVALID)
            gnt_frame_release(hv, gt->frames[i]);
        gt->frames[i] = MFN_INVALID;
    }
    gt->nr_frames = 0;
}

/* ---- single-struct ops ------------------------------------------------------------------------- */

static struct domain *gnt_caller(struct hv *hv, struct vcpu *v)
{
    return dom_get(hv, v->domid);
}

/* The domain a table op names, as a GNTST status: okay, bad_domain, or permission_denied. */
static int16_t gnt_target(struct hv *hv, struct vcpu *v, domid_t id, struct domain **out)
{
    *out = dom_lookup(hv, v, id);
    if (!*out)
        return GNTST_bad_domain;
    if (!gnt_may_control(gnt_caller(hv, v), *out))
        return GNTST_permission_denied;
    return GNTST_okay;
}

/* Write nr frame numbers to a guest array; GNTST_bad_virt_addr if any write faults. */
static int gnt_put_frames(struct hv *hv, struct vcpu *v, uint64_t list, const mfn_t *mfns,
                          uint32_t nr)
{
    int st = GNTST_okay;

    for (uint32_t i = 0; i < nr; i++) {
        uint64_t val = mfns[i];
        if (copy_to_guest(hv, v, list + (uint64_t)i * sizeof(val), &val, sizeof(val)))
            st = GNTST_bad_virt_addr;
    }
    return st;
}

static long gnt_setup_table(struct hv *hv, struct vcpu *v, uint64_t uop)
{
    struct gnttab_setup_table op;
    struct domain *d;

    if (copy_from_guest(hv, v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!guest_range_ok(op.frame_list, (uint64_t)op.nr_frames * sizeof(uint64_t)))
        return -XEN_EFAULT;
    op.status = gnt_target(hv, v, op.dom, &d);
    if (op.status == GNTST_okay) {
        if (op.nr_frames > d->gnt.max_frames ||
            (op.nr_frames > d->gnt.nr_frames && gnt_grow(hv, d, op.nr_frames)))
            op.status = GNTST_general_error;
        else
            op.status = (int16_t)gnt_put_frames(hv, v, op.frame_list, d->gnt.frames,
                                                op.nr_frames);
    }
    if (copy_to_guest(hv, v, uop + offsetof(struct gnttab_setup_table, status), &op.status,
                      sizeof(op.status)))
        return -XEN_EFAULT;
    return 0;
}

static long gnt_query_size(struct hv *hv, struct vcpu *v, uint64_t uop)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (copy_from_guest(hv, v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    op.status = gnt_target(hv, v, op.dom, &d);
    if (op.status == GNTST_okay) {
        op.nr_frames = d->gnt.nr_frames;
        op.max_nr_frames = d->gnt.max_frames;
    }
    if (copy_to_guest(hv, v, uop, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

static long gnt_get_status_frames(struct hv *hv, struct vcpu *v, uint64_t uop)
{
    struct gnttab_get_status_frames op;
    struct domain *d;

    if (copy_from_guest(hv, v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!guest_range_ok(op.frame_list, (uint64_t)op.nr_frames * sizeof(uint64_t)))
        return -XEN_EFAULT;
    op.status = gnt_target(hv, v, op.dom, &d);
    if (op.status == GNTST_okay) {
        if (d->gnt.version != 2 || op.nr_frames > d->gnt.nr_status_frames)
            op.status = GNTST_general_error;
        else
            /* the same frames every time: handing them out again creates no new frame or ref */
            op.status = (int16_t)gnt_put_frames(hv, v, op.frame_list, d->gnt.status,
                                                op.nr_frames);
    }
    if (copy_to_guest(hv, v, uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                      sizeof(op.status)))
        return -XEN_EFAULT;
    return 0;
}

static long gnt_get_version(struct hv *hv, struct vcpu *v, uint64_t uop)
{
    struct gnttab_get_version op;
    struct domain *d;

    if (copy_from_guest(hv, v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    d = dom_lookup(hv, v, op.dom);
    if (!d)
        return -XEN_ESRCH;
    if (!gnt_may_control(gnt_caller(hv, v), d))
        return -XEN_EPERM;
    op.version = d->gnt.version;
    if (copy_to_guest(hv, v, uop, &op, sizeof(op)))
        return -XEN_EFAULT;
    return 0;
}

static bool gnt_any_active(const struct grant_table *gt)
{
    for (uint32_t i = 0; i < GNT_MAX_REFS; i++)
        if (gnt_act_pinned(&gt->active[i]))
            return true;
    return false;
}

/* Switch d's table to version nv; the reserved entries survive, every other entry is cleared. */
static long gnt_switch_version(struct hv *hv, struct domain *d, uint32_t nv)
{
    struct grant_table *gt = &d->gnt;
    struct gnt_entry keep[GNT_NR_RESERVED];
    uint32_t nkeep = gnt_nr_entries(gt) < GNT_NR_RESERVED ? gnt_nr_entries(gt) : GNT_NR_RESERVED;

    /* a mapped or active grant would be reinterpreted under the other layout */
    if (gnt_any_active(gt))
        return -XEN_EBUSY;
    /*
     * XSA-255: a status frame the guest still maps must not be freed under it; the fix refuses
     * the switch (-EBUSY) while anything but the allocation holds a status frame. HV_BUG_XSA255
     * re-creates the pre-fix code: no such check, and the frames are freed outright below, as
     * free_xenheap_page() did, whatever still references them.
     */
    if (nv == 1 && !hv_bug_on(hv, HV_BUG_XSA255)) {
        for (uint32_t i = 0; i < gt->nr_status_frames; i++)
            if (hv->frames[gt->status[i]].count > 1)
                return -XEN_EBUSY;
    }
    for (uint32_t i = 0; i < nkeep; i++) {
        gnt_entry_read(hv, gt, i, &keep[i]);
        if (nv == 1 && keep[i].frame > UINT32_MAX &&
            (keep[i].flags & GTF_type_mask) == GTF_permit_access)
            return -XEN_EINVAL;
    }
    if (nv == 2) {
        uint32_t want = gnt_status_frames_for(gt->nr_frames, 2);
        int err = 0;
        for (uint32_t i = 0; i < want; i++) {
            gt->status[i] = gnt_frame_alloc(hv, d, &err);
            if (gt->status[i] == MFN_INVALID) {
                gnt_free_status(hv, gt);
                return err ? err : -XEN_ENOMEM;
            }
            gt->nr_status_frames = i + 1;
        }
    } else {
        if (hv_bug_on(hv, HV_BUG_XSA255))
            gnt_free_status_now(hv, gt);
        gnt_free_status(hv, gt);
    }
    for (uint32_t i = 0; i < gt->nr_frames; i++)
        memset(frame_mem_w(hv, gt->frames[i]), 0, PAGE_SIZE);
    gt->version = nv;
    for (uint32_t i = 0; i < nkeep; i++) {
        uint16_t st = keep[i].flags & (GTF_reading | GTF_writing);
        uint16_t fl = keep[i].flags;
        if (nv == 2)
            fl = (uint16_t)(fl & ~(GTF_reading | GTF_writing));
        gnt_entry_set_frame(hv, gt, i, keep[i].frame);
        memcpy(gnt_entry_ptr(hv, gt, i) + sizeof(uint16_t), &keep[i].domid, sizeof(domid_t));
        gnt_entry_set_flags(hv, gt, i, fl);
        if (nv == 2)
            gnt_status_set(hv, gt, i, st);
    }
    return 0;
}

static long gnt_set_version(struct hv *hv, struct vcpu *v, uint64_t uop)
{
    struct gnttab_set_version op;
    struct domain *d = gnt_caller(hv, v);
    long rc = 0;

    if (!d)
        return -XEN_ESRCH;
    if (copy_from_guest(hv, v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -XEN_EINVAL;
    else if (op.version != d->gnt.version)
        rc = gnt_switch_version(hv, d, op.version);
    /* the guest learns the version in force whatever happened */
    op.version = d->gnt.version;
    if (copy_to_guest(hv, v, uop, &op, sizeof(op)))
        return -XEN_EFAULT;
    return rc;
}

/* ---- array ops and the hypercall ---------------------------------------------------------------- */

/* Adapters from the generic element buffer; the status lands in the element's own field. */
static int gnt_map_elem(struct hv *hv, struct vcpu *v, void *op)
{
    struct gnttab_map_grant_ref *m = op;
    return m->status = (int16_t)gnt_map_one(hv, v, m);
}
static int gnt_unmap_elem(struct hv *hv, struct vcpu *v, void *op)
{
    struct gnttab_unmap_grant_ref *u = op;
    return u->status = (int16_t)gnt_unmap_one(hv, v, u);
}
static int gnt_replace_elem(struct hv *hv, struct vcpu *v, void *op)
{
    struct gnttab_unmap_and_replace *r = op;
    return r->status = (int16_t)gnt_replace_one(hv, v, r);
}
static int gnt_copy_elem(struct hv *hv, struct vcpu *v, void *op)
{
    struct gnttab_copy *cp = op;
    return cp->status = (int16_t)gnt_copy_one(hv, v, cp);
}
static int gnt_transfer_elem(struct hv *hv, struct vcpu *v, void *op)
{
    struct gnttab_transfer *t = op;
    return t->status = (int16_t)gnt_transfer_one(hv, v, t);
}

/*
 * GNTTABOP_swap_grant_ref: two of the caller's own entries exchange places, shared entry and (v2)
 * status alike, while neither is pinned; a ref with itself is a no-op (Xen's swap_grant_ref).
 */
static int16_t gnt_swap_one(struct hv *hv, struct vcpu *v, grant_ref_t a, grant_ref_t b)
{
    struct grant_table *gt = &hv->dom[v->domid].gnt;
    uint32_t n = gnt_nr_entries(gt);

    if (a >= n || b >= n)
        return GNTST_bad_gntref;
    if (a == b)
        return GNTST_okay;
    if (gnt_act_pinned(&gt->active[a]) || gnt_act_pinned(&gt->active[b]))
        return GNTST_eagain;
    size_t esz = gt->version == 2 ? sizeof(struct grant_entry_v2) : sizeof(struct grant_entry_v1);
    uint8_t ea[sizeof(struct grant_entry_v2)], eb[sizeof(struct grant_entry_v2)];
    memcpy(ea, gnt_entry_ptr(hv, gt, a), esz);
    memcpy(eb, gnt_entry_ptr(hv, gt, b), esz);
    memcpy(gnt_entry_ptr(hv, gt, a), eb, esz);
    memcpy(gnt_entry_ptr(hv, gt, b), ea, esz);
    uint8_t *sa = gt->version == 2 ? gnt_status_ptr(hv, gt, a) : NULL;
    uint8_t *sb = gt->version == 2 ? gnt_status_ptr(hv, gt, b) : NULL;
    if (sa && sb) {
        grant_status_t t;
        memcpy(&t, sa, sizeof(t));
        memcpy(sa, sb, sizeof(t));
        memcpy(sb, &t, sizeof(t));
    }
    return GNTST_okay;
}
static int gnt_swap_elem(struct hv *hv, struct vcpu *v, void *op)
{
    struct gnttab_swap_grant_ref *s = op;
    return s->status = gnt_swap_one(hv, v, s->ref_a, s->ref_b);
}

struct gnt_op_desc {
    /* array op: element size, the part copied back, the per-element handler */
    size_t size, out_off, out_len;
    int  (*elem)(struct hv *hv, struct vcpu *v, void *op);
    /* single-struct op (count must be 1, unless any_count: Xen passes set_version and
       get_version no count at all) */
    long (*single)(struct hv *hv, struct vcpu *v, uint64_t uop);
    bool any_count;
    /* array op: run whenever a call ends, however it ends (NULL: nothing to do) */
    void (*batch_end)(struct hv *hv, struct vcpu *v);
};

#define GNT_ARRAY_OP(type, fn, off, len) \
    { .size = sizeof(struct type), .out_off = (off), .out_len = (len), .elem = (fn) }
/* most array ops copy back only the element's status */
#define GNT_STATUS_OP(type, fn) \
    GNT_ARRAY_OP(type, fn, offsetof(struct type, status), sizeof(int16_t))

static const struct gnt_op_desc gnt_ops[] = {
    [GNTTABOP_map_grant_ref] = GNT_ARRAY_OP(gnttab_map_grant_ref, gnt_map_elem, 0,
                                            sizeof(struct gnttab_map_grant_ref)),
    [GNTTABOP_unmap_grant_ref] = { .size = sizeof(struct gnttab_unmap_grant_ref),
                                   .out_off = offsetof(struct gnttab_unmap_grant_ref, status),
                                   .out_len = sizeof(int16_t), .elem = gnt_unmap_elem,
                                   .batch_end = gnt_unmap_batch_end },
    [GNTTABOP_setup_table] = { .single = gnt_setup_table },
    [GNTTABOP_transfer] = GNT_STATUS_OP(gnttab_transfer, gnt_transfer_elem),
    [GNTTABOP_copy] = GNT_STATUS_OP(gnttab_copy, gnt_copy_elem),
    [GNTTABOP_query_size] = { .single = gnt_query_size },
    [GNTTABOP_unmap_and_replace] = { .size = sizeof(struct gnttab_unmap_and_replace),
                                     .out_off = offsetof(struct gnttab_unmap_and_replace, status),
                                     .out_len = sizeof(int16_t), .elem = gnt_replace_elem,
                                     .batch_end = gnt_unmap_batch_end },
    [GNTTABOP_set_version] = { .single = gnt_set_version, .any_count = true },
    [GNTTABOP_get_status_frames] = { .single = gnt_get_status_frames },
    [GNTTABOP_get_version] = { .single = gnt_get_version, .any_count = true },
    [GNTTABOP_swap_grant_ref] = GNT_STATUS_OP(gnttab_swap_grant_ref, gnt_swap_elem),
};
#define GNT_NR_OPS (sizeof(gnt_ops) / sizeof(gnt_ops[0]))

/* The largest element the dispatcher copies in. */
union gnt_any_op {
    struct gnttab_map_grant_ref map;
    struct gnttab_unmap_grant_ref unmap;
    struct gnttab_unmap_and_replace replace;
    struct gnttab_copy copy;
    struct gnttab_transfer transfer;
    struct gnttab_swap_grant_ref swap;
};

static long gnt_run_elems(struct hv *hv, struct vcpu *v, const struct gnt_op_desc *op,
                          uint64_t args[6])
{
    uint64_t uop = args[1], count = args[2];
    union gnt_any_op buf;

    for (uint64_t i = 0; i < count; i++) {
        uint64_t addr = uop + i * op->size;

        if (copy_from_guest(hv, v, &buf, addr, op->size))
            return -XEN_EFAULT;
        /* the adapter stores the GNTST_* status in the element itself */
        op->elem(hv, v, &buf);
        if (copy_to_guest(hv, v, addr + op->out_off, (uint8_t *)&buf + op->out_off, op->out_len))
            return -XEN_EFAULT;
        /*
         * XSA-380/394 class: batches yield between elements and the rest becomes a continuation.
         * The model's preemption is driven by hv_preempt_check alone, which may never fire, and a
         * guest can alias one page over a huge array; Xen's time-based check always fires
         * eventually, so a batch also yields after GNT_BATCH_MAX elements.
         */
        if (i + 1 < count && (hv_preempt_check(hv) || (i + 1) % GNT_BATCH_MAX == 0)) {
            args[1] = uop + (i + 1) * op->size;
            args[2] = count - (i + 1);
            return -XEN_ERESTART;
        }
    }
    return 0;
}

static long gnt_run_array(struct hv *hv, struct vcpu *v, const struct gnt_op_desc *op,
                          uint64_t args[6])
{
    long rc = gnt_run_elems(hv, v, op, args);

    if (op->batch_end)
        op->batch_end(hv, v);
    return rc;
}

long do_grant_table_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint64_t cmd = args[0], count = args[2];
    const struct gnt_op_desc *op;
    /* Xen takes cmd as an unsigned int: the bits above the command are cache_flush's own */
    uint32_t opaque = (uint32_t)cmd & ~GNTTABOP_CMD_MASK;

    if (((uint32_t)cmd & GNTTABOP_CMD_MASK) == GNTTABOP_cache_flush) {
        if (count > INT32_MAX)
            return -XEN_EINVAL;
        if (!gnt_caller(hv, v))
            return -XEN_ESRCH;
        return gnt_cache_flush(hv, v, args, opaque >> GNTTABOP_CONTINUATION_ARG_SHIFT);
    }
    if (opaque)
        return -XEN_EINVAL;
    if (cmd >= GNT_NR_OPS || (!gnt_ops[cmd].elem && !gnt_ops[cmd].single))
        return -XEN_ENOSYS;
    op = &gnt_ops[cmd];
    /* Xen takes count as a signed int and refuses negative values */
    if (count > INT32_MAX)
        return -XEN_EINVAL;
    if (!gnt_caller(hv, v))
        return -XEN_ESRCH;
    if (op->single)
        return count == 1 || op->any_count ? op->single(hv, v, args[1]) : -XEN_EINVAL;
    /* guest_handle_okay: Xen's access_ok looks at the array's first address only */
    if (!guest_range_ok(args[1], 1))
        return -XEN_EFAULT;
    return gnt_run_array(hv, v, op, args);
}
