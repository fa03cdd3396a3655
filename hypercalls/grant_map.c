/* Grant mapping: map_grant_ref, unmap_grant_ref, unmap_and_replace and the release of a dying mapper. */
#include <string.h>
#include "grant_table.h"

#define GNT_PTE_IGNORED (_PAGE_ACCESSED | _PAGE_DIRTY)

/* The only PTE a grant host mapping ever has (modulo A/D, which the walker may set). */
static uint64_t gnt_pte(mfn_t mfn, bool readonly)
{
    uint64_t pte = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

    return readonly ? pte : pte | _PAGE_RW;
}

/* XSA-234: compare the whole entry, not just its frame, so presence and writability agree with
   the refs the mapping took. */
static bool gnt_pte_matches(uint64_t pte, mfn_t mfn, bool readonly)
{
    return ((pte ^ gnt_pte(mfn, readonly)) & ~GNT_PTE_IGNORED) == 0;
}

/*
 * The maptrack's host_addr is the one record of which PTEs are grant mappings. Only maptracks
 * that ever had an entry are scanned (most programs map nothing); an entry at an unaligned
 * address (HV_BUG_XSA227) holds both slots it overlaps. Whether any 8-byte entry overlaps
 * [start, end) of machine memory:
 */
static bool gnttab_range_held(const struct hv *hv, uint64_t start, uint64_t end)
{
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = &hv->dom[id];
        if (!d->exists)
            continue;
        for (uint32_t h = 0; h < d->gnt.maptrack_hi; h++) {
            const struct gnt_maptrack *mt = &d->gnt.maptrack[h];
            if (mt->in_use && (mt->flags & GNTMAP_host_map) && mt->host_addr < end &&
                start < mt->host_addr + 8U)
                return true;
        }
    }
    return false;
}

bool gnttab_pte_held(const struct hv *hv, mfn_t l1, unsigned idx)
{
    uint64_t slot = (l1 << PAGE_SHIFT) | (uint64_t)idx * 8U;

    return gnttab_range_held(hv, slot, slot + 8U);
}

/* Whether any of the frame's slots is held: one scan, before asking slot by slot. */
bool gnttab_frame_held(const struct hv *hv, mfn_t l1)
{
    return gnttab_range_held(hv, l1 << PAGE_SHIFT, (l1 << PAGE_SHIFT) + PAGE_SIZE);
}

/* The PTE a host mapping occupies, read at its byte offset in the L1 (always a slot boundary
   unless HV_BUG_XSA227 let a misaligned address through). */
static uint64_t gnt_pte_read(struct hv *hv, mfn_t l1, unsigned off)
{
    uint64_t pte;

    memcpy(&pte, frame_mem(hv, l1) + off, sizeof(pte));
    return pte;
}

static void gnt_pte_write(struct hv *hv, mfn_t l1, unsigned off, uint64_t pte)
{
    memcpy(frame_mem_wr(hv, l1, off, sizeof(pte)), &pte, sizeof(pte));
}

/* Find the L1 slot for va in the tables rooted at cr3 (Xen's guest_map_l1e): no superpages. */
static bool gnt_walk_to_l1(struct hv *hv, mfn_t cr3, uint64_t va, mfn_t *l1, unsigned *idx)
{
    mfn_t t = cr3;

    for (unsigned level = 4; level >= 2; level--) {
        unsigned shift = PAGE_SHIFT + 9U * (level - 1);
        uint64_t e;

        if (!mfn_valid(hv, t))
            return false;
        e = frame_ptes(hv, t)[(va >> shift) & (PTES_PER_TABLE - 1)];
        if (!(e & _PAGE_PRESENT) || (level == 2 && (e & _PAGE_PSE)))
            return false;
        t = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    }
    if (!mfn_valid(hv, t))
        return false;
    *l1 = t;
    *idx = (unsigned)((va >> PAGE_SHIFT) & (PTES_PER_TABLE - 1));
    return true;
}

/* Resolve a host address to a slot of a validated L1 table of ld: the machine address of the
   entry (GNTMAP_contains_pte) or a VA looked up through v's current tables. */
static int gnt_l1_slot(struct hv *hv, struct vcpu *v, struct domain *ld, uint64_t addr,
                       bool is_pte, mfn_t *l1, unsigned *idx, unsigned *off)
{
    const struct frame *f;

    if (is_pte) {
        /*
         * XSA-227: an entry address between two slots would straddle two entries. The fix refuses
         * any address that is not 8-byte aligned. HV_BUG_XSA227 re-creates the pre-fix code,
         * which took the address as given and wrote the PTE there; the model still keeps the 8
         * bytes inside the L1 frame (a straddle past the page end is refused), so the damage
         * stays within two slots of one table and defined behaviour.
         */
        if (hv_bug_on(hv, HV_BUG_XSA227)) {
            if ((addr & (PAGE_SIZE - 1)) > PAGE_SIZE - sizeof(uint64_t))
                return GNTST_general_error;
        } else if (addr & (sizeof(uint64_t) - 1)) {
            return GNTST_general_error;
        }
        *l1 = addr >> PAGE_SHIFT;
        *idx = (unsigned)((addr & (PAGE_SIZE - 1)) / sizeof(uint64_t));
        *off = (unsigned)(addr & (PAGE_SIZE - 1));
    } else {
        if (!gva_canonical(addr) || gva_in_xen_range(addr) ||
            !gnt_walk_to_l1(hv, v->guest_table, addr, l1, idx))
            return GNTST_general_error;
        *off = *idx * (unsigned)sizeof(uint64_t);
    }
    if (!mfn_valid(hv, *l1))
        return GNTST_general_error;
    f = frame_w(hv, *l1);
    /* only a fully validated table holds refs for all its entries, which the PTE relies on */
    if (f->owner != ld->id || f->count == 0 || f->type != PGT_l1 || f->type_count == 0 ||
        !(f->flags & FRAME_VALIDATED) || (f->flags & FRAME_PARTIAL))
        return GNTST_general_error;
    return GNTST_okay;
}

/* The refs one host or device mapping holds: general, plus writable type unless read-only. */
static int gnt_get_refs(struct hv *hv, mfn_t mfn, struct domain *rd, bool readonly)
{
    if (!get_page(hv, mfn, rd))
        return GNTST_bad_page;
    if (!readonly && get_page_type(hv, mfn, PGT_writable, false)) {
        put_page(hv, mfn);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

static void gnt_put_refs(struct hv *hv, mfn_t mfn, bool readonly)
{
    if (!readonly)
        put_page_type(hv, mfn, false);
    put_page(hv, mfn);
}

/* Drop the refs of a normal L1 entry replaced by a grant mapping (Xen's put_page_from_l1e). */
static void gnt_drop_l1e(struct hv *hv, uint64_t pte)
{
    mfn_t mfn = (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;

    if (!(pte & _PAGE_PRESENT) || !mfn_valid(hv, mfn))
        return;
    tlb_stamp_frame(hv, mfn);
    gnt_put_refs(hv, mfn, !(pte & _PAGE_RW));
}

static int gnt_alloc_handle(const struct grant_table *lgt)
{
    /* a handle released twice (HV_BUG_XSA218) heads the free list for good: Xen's list loops on
       it, so every later allocation hands it out again, in use or not */
    if (lgt->maptrack_dup && lgt->maptrack_dup <= GNT_MAX_MAPTRACK)
        return (int)lgt->maptrack_dup - 1;
    for (int h = 0; h < (int)GNT_MAX_MAPTRACK; h++)
        if (!lgt->maptrack[h].in_use)
            return h;
    return -1;
}

/* Decrement one pin counter; a counter already at zero means the books are wrong, never wrap. */
static void gnt_unpin(struct hv *hv, uint16_t *ctr)
{
    if (*ctr == 0) {
        hv_bug(hv, "grant pin underflow");
        return;
    }
    (*ctr)--;
}

int gnt_map_one(struct hv *hv, struct vcpu *v, struct gnttab_map_grant_ref *op)
{
    struct domain *ld = dom_get(hv, v->domid), *rd;
    bool ro = op->flags & GNTMAP_readonly;
    bool host = op->flags & GNTMAP_host_map, dev = op->flags & GNTMAP_device_map;
    struct gnt_active *act;
    struct gnt_maptrack *map;
    struct gnt_entry e = { 0 };
    mfn_t mfn, l1 = MFN_INVALID;
    unsigned idx = 0, off = 0;
    uint64_t old = 0;
    int h, st;

    if (!host && !dev)
        return GNTST_bad_gntref;
    rd = dom_get(hv, op->dom);
    if (!ld || !rd || rd->dying)
        return GNTST_bad_domain;
    h = gnt_alloc_handle(&ld->gnt);
    if (h < 0)
        return GNTST_no_space;
    if (op->ref >= gnt_nr_entries(&rd->gnt))
        return GNTST_bad_gntref;
    act = gnt_act_w(&rd->gnt, op->ref);
    if (gnt_act_pinned(act) &&
        (act->mapped_by != ld->id || act->host_ro >= GNT_PIN_LIMIT ||
         act->host_rw >= GNT_PIN_LIMIT || act->dev_ro >= GNT_PIN_LIMIT ||
         act->dev_rw >= GNT_PIN_LIMIT))
        return GNTST_general_error;
    /* the entry is (re)checked on the first pin and on the first writable pin */
    if (!gnt_act_pinned(act) || (!ro && !gnt_act_write_pinned(act))) {
        st = gnt_entry_check(hv, rd, op->ref, ld->id, ro, &e);
        if (st != GNTST_okay)
            return st;
    }
    mfn = gnt_act_pinned(act) ? act->mfn : e.frame;
    if (!mfn_valid(hv, mfn))
        return GNTST_bad_page;
    if (host) {
        st = gnt_l1_slot(hv, v, ld, op->host_addr, op->flags & GNTMAP_contains_pte, &l1, &idx,
                         &off);
        if (st != GNTST_okay)
            return st;
        old = gnt_pte_read(hv, l1, off);
        /* replacing another grant's PTE would drop refs its maptrack entry still counts */
        if ((old & _PAGE_PRESENT) && gnttab_pte_held(hv, l1, off / 8U))
            return GNTST_general_error;
    }
    if (dev) {
        st = gnt_get_refs(hv, mfn, rd, ro);
        if (st != GNTST_okay)
            return st;
    }
    if (host) {
        st = gnt_get_refs(hv, mfn, rd, ro);
        if (st != GNTST_okay) {
            if (dev)
                gnt_put_refs(hv, mfn, ro);
            return st;
        }
        gnt_pte_write(hv, l1, off, gnt_pte(mfn, ro));
        if (old & _PAGE_PRESENT) {
            gnt_drop_l1e(hv, old);
            tlb_flush_domain(hv, ld);
        }
    }

    if (!gnt_act_pinned(act)) {
        act->mfn = mfn;
        act->mapped_by = ld->id;
    }
    if (host)
        (*(ro ? &act->host_ro : &act->host_rw))++;
    if (dev)
        (*(ro ? &act->dev_ro : &act->dev_rw))++;
    gnt_status_set(hv, &rd->gnt, op->ref, ro ? GTF_reading : (GTF_reading | GTF_writing));

    map = gnt_map_w(&ld->gnt, (uint32_t)h);
    memset(map, 0, sizeof(*map));
    map->in_use = true;
    map->flags = (uint8_t)(op->flags & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly |
                                        GNTMAP_application_map | GNTMAP_contains_pte));
    map->dom = rd->id;
    map->ref = op->ref;
    map->mfn = mfn;
    map->host_addr = host ? (l1 << PAGE_SHIFT) | off : 0;
    op->handle = (grant_handle_t)h;
    op->dev_bus_addr = dev ? mfn << PAGE_SHIFT : 0;
    return GNTST_okay;
}

/*
 * HV_BUG_XSA218's second pass: the handles of the batch's successful unmaps, in order, released
 * when the batch ends (every return of the array dispatcher). Nothing survives a hypercall.
 */
static struct {
    domid_t dom;
    unsigned nr;
    grant_handle_t h[GNT_BATCH_MAX];
} gnt_pass2;

static void gnt_pass2_queue(const struct domain *ld, grant_handle_t handle)
{
    if (gnt_pass2.nr && gnt_pass2.dom != ld->id)
        gnt_pass2.nr = 0;
    gnt_pass2.dom = ld->id;
    if (gnt_pass2.nr < GNT_BATCH_MAX)
        gnt_pass2.h[gnt_pass2.nr++] = handle;
}

void gnt_unmap_batch_end(struct hv *hv, struct vcpu *v)
{
    struct domain *ld = dom_get(hv, gnt_pass2.dom);

    for (unsigned i = 0; ld && i < gnt_pass2.nr; i++) {
        struct gnt_maptrack *map = gnt_map_w(&ld->gnt, gnt_pass2.h[i]);

        if (map->flags & (GNTMAP_host_map | GNTMAP_device_map))
            continue;
        /* the pre-fix test "no part left" holds for a handle an earlier op already released:
           it goes on the free list a second time */
        if (!map->in_use)
            ld->gnt.maptrack_dup = gnt_pass2.h[i] + 1U;
        memset(map, 0, sizeof(*map));
    }
    gnt_pass2.nr = 0;
}

/*
 * Unmap (new_addr unused) or unmap-and-replace (replace: the host part only; a non-zero new_addr
 * names a slot whose entry moves into the grant's slot and is zeroed). All checks come before any
 * change, so a failed element leaves the mapping intact.
 */
static int gnt_unmap_common(struct hv *hv, struct vcpu *v, grant_handle_t handle,
                            uint64_t host_addr, uint64_t dev_addr, bool replace,
                            uint64_t new_addr)
{
    struct domain *ld = dom_get(hv, v->domid), *rd;
    struct gnt_maptrack *map;
    struct gnt_active *act;
    mfn_t l1 = MFN_INVALID, nl1 = MFN_INVALID, mfn;
    unsigned idx = 0, nidx = 0, off = 0, noff = 0;
    uint64_t nval = 0;
    bool ro, do_host, do_dev;
    int st;

    if (!ld || handle >= GNT_MAX_MAPTRACK || !ld->gnt.maptrack[handle].in_use)
        return GNTST_bad_handle;
    map = gnt_map_w(&ld->gnt, handle);
    /* HV_BUG_XSA218 leaves emptied entries for the batch's second pass: Xen's "zero flags" */
    if (hv_bug_on(hv, HV_BUG_XSA218) && !(map->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        return GNTST_bad_handle;
    rd = dom_get(hv, map->dom);
    if (!rd || map->ref >= GNT_MAX_REFS)
        return GNTST_bad_domain;
    act = gnt_act_w(&rd->gnt, map->ref);
    ro = map->flags & GNTMAP_readonly;
    mfn = map->mfn;
    do_host = host_addr && (map->flags & GNTMAP_host_map);
    do_dev = !replace && dev_addr && (map->flags & GNTMAP_device_map);
    if (replace && !do_host)
        return GNTST_general_error;
    if (do_dev && dev_addr != (mfn << PAGE_SHIFT))
        return GNTST_bad_dev_addr;
    if (do_host) {
        st = gnt_l1_slot(hv, v, ld, host_addr, map->flags & GNTMAP_contains_pte, &l1, &idx,
                         &off);
        if (st != GNTST_okay)
            return st;
        if (hv_bug_on(hv, HV_BUG_XSA234)) {
            /*
             * XSA-234 re-created: the pre-fix check compared only the frame of the entry at
             * host_addr (Xen keeps no record of where a mapping's PTE is), neither its presence
             * nor its writability, so a read-only handle could remove a writable grant PTE (or
             * any entry of the frame) and drop the wrong refs. The fix compares the whole entry
             * with the one the mapping wrote; the model also pins the slot.
             */
            if (((gnt_pte_read(hv, l1, off) & PTE_ADDR_MASK) >> PAGE_SHIFT) != mfn)
                return GNTST_general_error;
        } else if (((l1 << PAGE_SHIFT) | off) != map->host_addr ||
                   !gnt_pte_matches(gnt_pte_read(hv, l1, off), mfn, ro)) {
            return GNTST_general_error;
        }
    }
    if (replace && new_addr) {
        /* a PTE-addressed mapping has no VA to take a replacement from (as in Xen) */
        if (map->flags & GNTMAP_contains_pte)
            return GNTST_general_error;
        st = gnt_l1_slot(hv, v, ld, new_addr, false, &nl1, &nidx, &noff);
        if (st != GNTST_okay)
            return st;
        nval = gnt_pte_read(hv, nl1, noff);
        /* moving a grant PTE would detach it from its maptrack entry */
        if ((nl1 == l1 && nidx == idx) || gnttab_pte_held(hv, nl1, nidx))
            return GNTST_general_error;
    }

    if (do_host) {
        if (replace && new_addr) {
            /* the entry keeps its refs: it moves between two validated L1s of ld */
            gnt_pte_write(hv, nl1, noff, 0);
            gnt_pte_write(hv, l1, off, nval);
        } else {
            gnt_pte_write(hv, l1, off, 0);
        }
        tlb_flush_domain(hv, ld);
        tlb_stamp_frame(hv, mfn);
        gnt_unpin(hv, ro ? &act->host_ro : &act->host_rw);
        map->flags &= (uint8_t)~(GNTMAP_host_map | GNTMAP_contains_pte);
        gnt_put_refs(hv, mfn, ro);
    }
    if (do_dev) {
        gnt_unpin(hv, ro ? &act->dev_ro : &act->dev_rw);
        map->flags &= (uint8_t)~GNTMAP_device_map;
        gnt_put_refs(hv, mfn, ro);
    }
    /*
     * XSA-224 re-created: pre-fix Xen dropped a device part's page refs whenever the mapping had
     * one, keyed on the maptrack flags instead of on the dev_bus_addr this op names, so an unmap
     * of the host part (or of nothing) also dropped the device part's refs, which stay mapped.
     * The fix drops them only together with the device part it removes (do_dev above).
     */
    if (hv_bug_on(hv, HV_BUG_XSA224) && !do_dev && (map->flags & GNTMAP_device_map))
        gnt_put_refs(hv, mfn, ro);
    if (do_host || do_dev)
        gnt_status_after_unpin(hv, rd, map->ref, !ro);
    /*
     * XSA-218: the handle is freed exactly once, when its last part goes, by the op that removed
     * it. HV_BUG_XSA218 re-creates the pre-fix batch: the first pass only clears flags and every
     * op releases "its" handle in a second pass if no part is left then, so two ops of one batch
     * that removed the two parts of one mapping both release it (gnt_unmap_batch_end).
     */
    if (hv_bug_on(hv, HV_BUG_XSA218))
        gnt_pass2_queue(ld, handle);
    else if (!(map->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        memset(map, 0, sizeof(*map));
    return GNTST_okay;
}

int gnt_unmap_one(struct hv *hv, struct vcpu *v, struct gnttab_unmap_grant_ref *op)
{
    return gnt_unmap_common(hv, v, op->handle, op->host_addr, op->dev_bus_addr, false, 0);
}

int gnt_replace_one(struct hv *hv, struct vcpu *v, struct gnttab_unmap_and_replace *op)
{
    return gnt_unmap_common(hv, v, op->handle, op->host_addr, 0, true, op->new_addr);
}

/*
 * A dying domain's mapping: unpin it in the granting domain and drop a device part's refs. A host
 * part's PTE stays; tearing down the dying domain's L1 tables drops the refs it holds.
 */
void gnt_release_handle(struct hv *hv, struct domain *d, grant_handle_t h)
{
    struct gnt_maptrack *map = gnt_map_w(&d->gnt, h);
    struct domain *rd = dom_get(hv, map->dom);
    bool ro = map->flags & GNTMAP_readonly;

    if (rd && map->ref < GNT_MAX_REFS) {
        struct gnt_active *act = gnt_act_w(&rd->gnt, map->ref);
        if (map->flags & GNTMAP_host_map)
            gnt_unpin(hv, ro ? &act->host_ro : &act->host_rw);
        if (map->flags & GNTMAP_device_map)
            gnt_unpin(hv, ro ? &act->dev_ro : &act->dev_rw);
        gnt_status_after_unpin(hv, rd, map->ref, !ro);
    }
    if (map->flags & GNTMAP_device_map)
        gnt_put_refs(hv, map->mfn, ro);
    memset(map, 0, sizeof(*map));
}
