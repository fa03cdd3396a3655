/* Page-table entry rules: per-entry references, table (de)validation, linear tables, mod_pt_entry. */
#include "hvfuzz/monitor.h"
#include "mm_private.h"

#define LINEAR_COUNT_LIMIT 32000  /* int16 linear_pt_count must never wrap */

static uint64_t pt_disallow_mask(const struct hv *hv, mfn_t table, unsigned level)
{
    switch (level) {
    case 1: return pt_l1_disallow(hv, hv->frames[table].owner);
    case 2:
        /* XSA-148 (bug switch): before the fix, PSE was dropped from the L2 mask unconditionally
           (PV superpages were meant to be optional); the fix keeps PSE disallowed unless
           superpages are enabled, which the model never does. The walker honours PSE like
           hardware, so such an entry is a 2 MiB mapping of whatever frames follow the target. */
        if (hv_bug_on(hv, HV_BUG_XSA148))
            return L2_DISALLOW_MASK & ~(uint64_t)_PAGE_PSE;
        return L2_DISALLOW_MASK;
    case 3: return L3_DISALLOW_MASK;
    default: return L4_DISALLOW_MASK;
    }
}

/*
 * A linear (same-level) entry of table pointing at target (XSA-240 rules): read-only, target a
 * validated table of the same level and the same owner, and depth at most 1: the target contains
 * no linear entries itself and the table containing the new entry is not used linearly.
 */
static int pt_get_linear(struct hv *hv, mfn_t table, unsigned level, uint64_t e)
{
    mfn_t target = pte_mfn(e);
    if (e & _PAGE_RW)
        return -XEN_EINVAL;
    /* a self-reference maps the table onto itself and holds no refs */
    if (target == table)
        return 0;
    struct frame *tf = frame_w(hv, table);
    struct frame *gf = frame_w(hv, target);
    struct domain *owner = dom_get(hv, tf->owner);
    if (!owner || gf->type != pgt_of_level(level) || !(gf->flags & FRAME_VALIDATED) ||
        gf->type_count == 0 || (gf->flags & FRAME_PARTIAL))
        return -XEN_EINVAL;
    if (gf->linear_pt_count >= LINEAR_COUNT_LIMIT || tf->linear_pt_count <= -LINEAR_COUNT_LIMIT)
        return -XEN_EINVAL;
    /* XSA-240 (bug switch): before the fix nothing bounded linear chains; the fix refuses a
       target that itself contains linear entries and a table that is itself used linearly, so
       chains stay at depth 1 and teardown cannot recurse without bound */
    if (!hv_bug_on(hv, HV_BUG_XSA240) &&
        (gf->linear_pt_count < 0 || tf->linear_pt_count > 0))
        return -XEN_EINVAL;
    if (!get_page(hv, target, owner))
        return -XEN_EINVAL;
    if (gf->type_count == UINT32_MAX) {
        put_page(hv, target);
        return -XEN_EINVAL;
    }
    gf->type_count++;
    gf->linear_pt_count++;
    tf->linear_pt_count--;
    return 0;
}

int pt_get_entry(struct hv *hv, mfn_t table, unsigned level, uint64_t e, struct domain *pg_owner,
                 bool preemptible)
{
    if (!pte_present(e))
        return 0;
    if (e & pt_disallow_mask(hv, table, level))
        return -XEN_EINVAL;
    mfn_t target = pte_mfn(e);
    if (!mfn_valid(hv, target))
        return -XEN_EINVAL;

    if (level == 1) {
        /* Xen's get_page_from_l1e: a frame of another owner (or of none) and a writable mapping
           of a frame that cannot be typed writable both end at could_not_pin: -EBUSY */
        if (!get_page(hv, target, pg_owner))
            return -XEN_EBUSY;
        if ((e & _PAGE_RW) && get_page_type(hv, target, PGT_writable, false) < 0) {
            put_page(hv, target);
            return -XEN_EBUSY;
        }
        return 0;
    }

    if (target == table)
        return pt_get_linear(hv, table, level, e);
    int rc = get_page_and_type(hv, target, pg_owner, pgt_of_level(level - 1), preemptible);
    if (rc == -XEN_EINVAL && hv->frames[target].type == pgt_of_level(level))
        rc = pt_get_linear(hv, table, level, e);
    return rc;
}

int pt_put_entry(struct hv *hv, mfn_t table, unsigned level, unsigned idx, uint64_t e,
                 bool preemptible)
{
    if (!pte_present(e))
        return 0;
    mfn_t target = pte_mfn(e);
    if (!mfn_valid(hv, target)) {
        hv_bug(hv, "ref-holding PT entry names no frame");
        return 0;
    }
    struct frame *gf = frame_w(hv, target);

    if (level == 1) {
        if (gnttab_pte_held(hv, table, idx)) {
            /* a grant mapping torn down behind the grant code's back: Xen drops the refs and
               crashes the domain that did it (its "implicit unmap") */
            dom_crash(dom_get(hv, hv->frames[table].owner));
        }
        if (e & _PAGE_RW)
            put_page_type(hv, target, false);
        put_page(hv, target);
        return 0;
    }

    if (target == table)
        return 0;
    if (gf->type == pgt_of_level(level)) {
        /* a linear entry */
        struct frame *tf = frame_w(hv, table);
        if (gf->linear_pt_count <= 0 || tf->linear_pt_count >= 0)
            hv_bug(hv, "linear PT counts out of step");
        else {
            gf->linear_pt_count--;
            tf->linear_pt_count++;
        }
    }
    int rc = put_page_type(hv, target, preemptible);
    put_page(hv, target);
    return rc == -XEN_ERESTART ? rc : 0;
}

/* The end of the run of empty entries that starts at i (not a Xen slot): the first index from i
   up that is present or a Xen slot, or PTES_PER_TABLE. */
static unsigned pt_absent_to(const uint64_t *pt, unsigned level, unsigned i)
{
    unsigned end = level == 4 && i < XEN_L4_FIRST_SLOT ? XEN_L4_FIRST_SLOT : PTES_PER_TABLE;

    /* four at a time: most of a table is empty */
    while (i + 4U <= end && !pte_present(pt[i] | pt[i + 1U] | pt[i + 2U] | pt[i + 3U]))
        i += 4U;
    while (i < end && !pte_present(pt[i]))
        i++;
    return i;
}

/* The start of the run of empty entries that ends at i (not a Xen slot, empty): the lowest index
   lo such that [lo, i] are all empty and none is a Xen slot. */
static unsigned pt_absent_from(const uint64_t *pt, unsigned level, unsigned i)
{
    unsigned floor = level == 4 && i > XEN_L4_LAST_SLOT ? XEN_L4_LAST_SLOT + 1U : 0U;

    while (i >= floor + 4U && !pte_present(pt[i - 1U] | pt[i - 2U] | pt[i - 3U] | pt[i - 4U]))
        i -= 4U;
    while (i > floor && !pte_present(pt[i - 1U]))
        i--;
    return i;
}

int pt_devalidate(struct hv *hv, mfn_t mfn, unsigned level, bool preemptible)
{
    struct frame *f = frame_w(hv, mfn);
    uint64_t *pt = frame_ptes(hv, mfn);
    unsigned i = f->nr_validated_ptes > PTES_PER_TABLE ? PTES_PER_TABLE : f->nr_validated_ptes;

    /* L1 tables hold no table refs, so their teardown is bounded: never preempted (as Xen) */
    if (level == 1)
        preemptible = false;
    /* The entry just past the ref-holding range may name a child whose own (de)validation was
       preempted on this table's behalf. Its partial state holds its own refs, so it is consistent
       alone, but nobody else would finish it: drop it before going on (Xen tracks the same child
       with PTF_partial_set). Dropping any partial state keeps the counts right. */
    if (level > 1 && i < PTES_PER_TABLE && !pt_xen_slot(level, i) && pte_present(pt[i])) {
        mfn_t child = pte_mfn(pt[i]);
        if (child != mfn && mfn_valid(hv, child) &&
            (hv->frames[child].flags & FRAME_PARTIAL) &&
            hv->frames[child].type == pgt_of_level(level - 1) &&
            hv->frames[child].owner == f->owner) {
            int rc = pt_partial_put(hv, child, preemptible);
            if (rc == -XEN_ERESTART)
                return rc;
        }
    }
    while (i > 0) {
        i--;
        if (pt_xen_slot(level, i))
            continue;
        if (!pte_present(pt[i])) {
            /* a run of empty entries puts nothing: only its preemption points count (entry 0
               has none), taken together so that teardown does not pay a call per entry */
            unsigned lo = pt_absent_from(pt, level, i);
            uint32_t checks = lo ? i - lo + 1U : i;
            if (preemptible && checks) {
                uint32_t quiet = hv_preempt_run(hv, checks);
                if (quiet < checks) {
                    f->nr_validated_ptes = (uint16_t)(i - quiet);
                    return -XEN_ERESTART;
                }
            }
            i = lo;
            continue;
        }
        int rc = pt_put_entry(hv, mfn, level, i, pt[i], preemptible);
        /* a preempted child stops this table too, even after its last entry, so that the
           resume point (entry i) leads back to the child */
        if (preemptible && (rc == -XEN_ERESTART || (i > 0 && hv_preempt_check(hv)))) {
            f->nr_validated_ptes = (uint16_t)i;
            return -XEN_ERESTART;
        }
    }
    f->nr_validated_ptes = 0;
    return 0;
}

int pt_validate(struct hv *hv, mfn_t mfn, unsigned level, bool preemptible)
{
    struct frame *f = frame_w(hv, mfn);
    /* read only: validation writes the table only where a Xen slot holds something (a pin
       that writes nothing leaves the frame clean for the snapshot and log-dirty mode) */
    uint64_t *pt = frame_ptes(hv, mfn);
    struct domain *owner = dom_get(hv, f->owner);
    unsigned i = f->nr_validated_ptes;

    if (level == 1)
        preemptible = false;
    for (; i < PTES_PER_TABLE; i++) {
        if (pt_xen_slot(level, i)) {
            /* Xen's slots are the monitor's: a guest table never supplies them */
            if (pt[i])
                *frame_pte_w(hv, mfn, i) = 0;
            continue;
        }
        if (!pte_present(pt[i])) {
            /* a run of empty entries takes nothing: only its preemption points count (the last
               entry has none), taken together so that a pin does not pay a call per entry */
            unsigned end = pt_absent_to(pt, level, i);
            uint32_t checks = (end < PTES_PER_TABLE ? end : PTES_PER_TABLE - 1U) - i;
            if (preemptible && checks) {
                uint32_t quiet = hv_preempt_run(hv, checks);
                if (quiet < checks) {
                    f->nr_validated_ptes = (uint16_t)(i + quiet + 1U);
                    return -XEN_ERESTART;
                }
            }
            i = end - 1U;
            continue;
        }
        int rc = pt_get_entry(hv, mfn, level, pt[i], owner, preemptible);
        if (rc == -XEN_ERESTART) {
            f->nr_validated_ptes = (uint16_t)i;
            return rc;
        }
        if (rc < 0) {
            f->nr_validated_ptes = (uint16_t)i;
            pt_devalidate(hv, mfn, level, false);
            return -XEN_EINVAL;
        }
        if (preemptible && i + 1 < PTES_PER_TABLE && hv_preempt_check(hv)) {
            f->nr_validated_ptes = (uint16_t)(i + 1);
            return -XEN_ERESTART;
        }
    }
    f->nr_validated_ptes = 0;
    f->flags |= FRAME_VALIDATED;
    return 0;
}

/* Only whitelisted flag bits differ and the frame is the same: nothing to revalidate. */
static bool pt_fast_path(const struct hv *hv, unsigned level, uint64_t o, uint64_t n)
{
    uint64_t whitelist = FASTPATH_FLAG_WHITELIST;
    /* XSA-182 (bug switch): before the fix the L3/L4 fast path also let RW change, assuming an
       upper-level entry's RW bit is harmless; with linear page tables it is not (RW on a linear
       entry maps a live table writable). The fix revalidates any RW change above L1. */
    if (level > 1 && hv_bug_on(hv, HV_BUG_XSA182))
        whitelist |= _PAGE_RW;
    return pte_present(o) && pte_present(n) && ((o ^ n) & ~whitelist) == 0;
}

int mod_pt_entry(struct hv *hv, struct vcpu *v, mfn_t table, unsigned level, unsigned idx,
                 uint64_t nval, struct domain *pg_owner, bool preserve_ad, bool preemptible)
{
    if (level < 1 || level > 4 || idx >= PTES_PER_TABLE || !mfn_valid(hv, table) || !pg_owner)
        return -XEN_EINVAL;
    struct frame *f = frame_w(hv, table);
    /* only a live, fully validated table of this level can be edited (Xen's page_lock) */
    if (f->type != pgt_of_level(level) || f->type_count == 0 || !(f->flags & FRAME_VALIDATED) ||
        (f->flags & FRAME_PARTIAL))
        return -XEN_EINVAL;
    if (pt_xen_slot(level, idx))
        return -XEN_EINVAL;

    uint64_t *slot = frame_pte_w(hv, table, idx);
    uint64_t oval = *slot;
    if (preserve_ad)
        nval |= oval & (_PAGE_ACCESSED | _PAGE_DIRTY);
    /* grant PTEs belong to the grant code: never removed here (a release Xen would drop their
       refs and leave the grant active; a debug one crashes the domain). Bit 62 in a new value is
       the guest's own (a release Xen's _PAGE_GNTTAB is 0). */
    if (level == 1 && pte_present(oval) && gnttab_pte_held(hv, table, idx))
        return -XEN_EINVAL;
    if (pte_present(nval) && (nval & pt_disallow_mask(hv, table, level)))
        return -XEN_EINVAL;

    if (pt_fast_path(hv, level, oval, nval)) {
        *slot = nval;
    } else {
        int rc = pt_get_entry(hv, table, level, nval, pg_owner, preemptible);
        if (rc < 0)
            return rc;
        *slot = nval;
        rc = pt_put_entry(hv, table, level, idx, oval, preemptible);
        /* the old child's devalidation was preempted: its partial state is complete on its own;
           let the vCPU finish it before its next MMU operation if it has no other pending */
        if (rc == -XEN_ERESTART && v && v->old_guest_table == MFN_INVALID)
            v->old_guest_table = pte_mfn(oval);
    }

    /* a changed upper-level entry may leave translations (also linear ones) cached anywhere the
       table is in use: flush the owner's vCPUs so walks see the current tables (XSA-286) */
    /* XSA-286 (bug switch): before the fix an upper-level update flushed nothing, so other vCPUs
       (and the monitor's own accesses through them) kept translating through tables the guest
       had already unhooked */
    if (level > 1 && oval != nval && !hv_bug_on(hv, HV_BUG_XSA286)) {
        struct domain *owner = dom_get(hv, f->owner);
        if (owner)
            tlb_flush_domain(hv, owner);
    }
    return 0;
}
