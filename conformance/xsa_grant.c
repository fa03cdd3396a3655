/* Grant-table XSA cases: each re-creates an advisory's trigger and checks the fixed rule holds. */
#include <string.h>
#include "grant_conf.h"

/* mmuext_op with one op from v (pin/unpin), through v's scratch page 2. */
static long xg_mmuext(struct conf_ctx *c, struct vcpu *v, unsigned cmd, mfn_t mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1 = mfn };
    struct domain *d = dom_get(c->hv, v->domid);
    gva_t va = conf_scratch(c, d, 2);

    if (conf_put(c, v, va, &op, sizeof(op)) < 0)
        return -XEN_EFAULT;
    return conf_hc(c, v, HYPERVISOR_mmuext_op, va, 1, 0, DOMID_SELF, 0);
}

/* mmu_update of d's L1 entry for gfn (< 512) from v. */
static long xg_set_l1e(struct conf_ctx *c, struct vcpu *v, struct domain *d, gfn_t gfn,
                       uint64_t val)
{
    struct mmu_update u = { .ptr = gc_l1e_maddr(d, gfn), .val = val };
    gva_t va = conf_scratch(c, d, 1);

    if (conf_put(c, v, va, &u, sizeof(u)) < 0)
        return -XEN_EFAULT;
    return conf_hc(c, v, HYPERVISOR_mmu_update, va, 1, 0, DOMID_SELF, 0);
}

static long xg_set_version(struct conf_ctx *c, struct vcpu *v, uint32_t ver)
{
    struct gnttab_set_version sv = { .version = ver };

    return gc_op(c, v, GNTTABOP_set_version, &sv, sizeof(sv), 1);
}

static mfn_t xg_status_frame(struct conf_ctx *c, struct vcpu *v)
{
    struct domain *d = dom_get(c->hv, v->domid);
    struct gnttab_get_status_frames op = { .nr_frames = 1, .dom = DOMID_SELF,
                                           .frame_list = conf_scratch(c, d, 3) };
    uint64_t mfn = MFN_INVALID;

    if (gc_op(c, v, GNTTABOP_get_status_frames, &op, sizeof(op), 1) || op.status != GNTST_okay)
        return MFN_INVALID;
    if (conf_get(c, v, op.frame_list, &mfn, sizeof(mfn)) < 0)
        return MFN_INVALID;
    return mfn;
}

/*
 * XSA-218: unmap paths could free one maptrack handle twice. The same handle unmapped twice in
 * one batch and once more: the first succeeds, every later one is GNTST_bad_handle, and no count
 * moves after the first.
 */
static void xsa218(struct conf_ctx *c)
{
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    const struct frame *f = &c->hv->frames[m];
    uint32_t count0 = f->count, type0 = f->type_count;
    struct gnttab_unmap_grant_ref u[2];
    grant_handle_t h = 0;
    uint64_t dev = 0;

    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, &h, &dev));
    memset(u, 0, sizeof(u));
    u[0].handle = u[1].handle = h;
    u[0].dev_bus_addr = u[1].dev_bus_addr = dev;
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_unmap_grant_ref, u, sizeof(u[0]), 2));
    CONF_EXPECT_EQ(c, GNTST_okay, u[0].status);
    CONF_EXPECT_EQ(c, GNTST_bad_handle, u[1].status);
    CONF_EXPECT_EQ(c, GNTST_bad_handle, gc_unmap(c, c->v2, h, 0, dev));
    CONF_EXPECT_EQ(c, count0, f->count);
    CONF_EXPECT_EQ(c, type0, f->type_count);
    CONF_EXPECT_EQ(c, 0, gc_act(c->d1, GC_REF)->dev_rw);
    CONF_EXPECT(c, !c->d2->gnt.maptrack[h].in_use);
}

/*
 * XSA-224: a combined host+device writable map and its two separate unmaps must leave the frame
 * with no writable type ref, so the granter can then use it as a page table.
 */
static void xsa224(struct conf_ctx *c)
{
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    const struct frame *f = &c->hv->frames[m];
    grant_handle_t h = 0;
    uint64_t dev = 0;

    /* the granter's own mapping becomes read-only so that only the grant holds type refs */
    CONF_SETUP(c, gc_set_pte(c, c->v1, c->d1, GC_PAGE, gc_pte_of(c, c->d1, GC_PAGE) & ~_PAGE_RW));
    CONF_EXPECT_EQ(c, 2, f->count);
    CONF_EXPECT_EQ(c, 0, f->type_count);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v2, 1, GC_REF,
                   GNTMAP_host_map | GNTMAP_device_map, GC_FREE_VA(0), &h, &dev));
    CONF_EXPECT_EQ(c, 4, f->count);
    CONF_EXPECT_EQ(c, 2, f->type_count);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_unmap(c, c->v2, h, GC_FREE_VA(0), 0));
    CONF_EXPECT_EQ(c, 3, f->count);
    CONF_EXPECT_EQ(c, 1, f->type_count);
    CONF_EXPECT_EQ(c, GTF_reading | GTF_writing, gc_status_bits(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, GNTST_okay, gc_unmap(c, c->v2, h, 0, dev));
    CONF_EXPECT_EQ(c, 2, f->count);
    CONF_EXPECT_EQ(c, 0, f->type_count);
    CONF_EXPECT_EQ(c, 0, gc_status_bits(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, 0, xg_mmuext(c, c->v1, MMUEXT_PIN_L1_TABLE, m));
    CONF_EXPECT_EQ(c, PGT_l1, f->type);
    CONF_EXPECT_EQ(c, 1, f->type_count);
    CONF_EXPECT_EQ(c, 3, f->count);
}

/* XSA-227: a PTE address between two 8-byte slots is refused and writes nothing anywhere. */
static void xsa227(struct conf_ctx *c)
{
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    uint32_t count0 = c->hv->frames[m].count;
    const uint64_t *l1 = frame_ptes(c->hv, c->d2->p2m[DOM_GFN_L1]);
    uint64_t base = gc_l1e_maddr(c->d2, GC_FREE_GFN(0));

    for (unsigned off = 1; off < 8; off++) {
        CONF_EXPECT_EQ(c, GNTST_general_error, gc_map(c, c->v2, 1, GC_REF,
                       GNTMAP_host_map | GNTMAP_contains_pte, base + off, NULL, NULL));
        CONF_EXPECT_EQ(c, 0, l1[GC_FREE_GFN(0)]);
        CONF_EXPECT_EQ(c, 0, l1[GC_FREE_GFN(0) + 1]);
    }
    CONF_EXPECT_EQ(c, count0, c->hv->frames[m].count);
    CONF_EXPECT_EQ(c, 0, gc_act(c->d1, GC_REF)->host_rw);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v2, 1, GC_REF,
                   GNTMAP_host_map | GNTMAP_contains_pte, base, NULL, NULL));
}

/*
 * XSA-234: unmap_and_replace checked only the frame of the PTE it removes. dom1 maps its own
 * grant read-only at GC_FREE_VA(0) and read-write at GC_FREE_VA(1); removing the read-only
 * mapping through the writable grant PTE, or through dom1's ordinary PTE of the same frame, is
 * refused and nothing changes.
 */
static void xsa234(struct conf_ctx *c)
{
    mfn_t m = conf_scratch_mfn(c, c->d1, GC_PAGE);
    const struct frame *f = &c->hv->frames[m];
    const uint64_t *l1 = frame_ptes(c->hv, c->d1->p2m[DOM_GFN_L1]);
    struct gnttab_unmap_and_replace op;
    grant_handle_t h_ro = 0, h_rw = 0;
    uint32_t count0, type0;
    uint64_t own_pte = gc_pte_of(c, c->d1, GC_PAGE), pte0, pte1;

    gc_grant(c, c->d1, GC_REF, 1, m, GTF_permit_access);
    CONF_SETUP(c, gc_map(c, c->v1, 1, GC_REF, GNTMAP_host_map | GNTMAP_readonly, GC_FREE_VA(0),
                         &h_ro, NULL));
    CONF_SETUP(c, gc_map(c, c->v1, 1, GC_REF, GNTMAP_host_map, GC_FREE_VA(1), &h_rw, NULL));
    count0 = f->count;
    type0 = f->type_count;
    pte0 = l1[GC_FREE_GFN(0)];
    pte1 = l1[GC_FREE_GFN(1)];

    const uint64_t wrong[2] = { GC_FREE_VA(1), conf_scratch(c, c->d1, GC_PAGE) };
    for (unsigned i = 0; i < 2; i++) {
        memset(&op, 0, sizeof(op));
        op.host_addr = wrong[i];
        op.handle = h_ro;
        CONF_SETUP(c, gc_op(c, c->v1, GNTTABOP_unmap_and_replace, &op, sizeof(op), 1));
        CONF_EXPECT_EQ(c, GNTST_general_error, op.status);
        CONF_EXPECT_EQ(c, GNTST_general_error, gc_unmap(c, c->v1, h_ro, wrong[i], 0));
    }
    CONF_EXPECT_EQ(c, count0, f->count);
    CONF_EXPECT_EQ(c, type0, f->type_count);
    CONF_EXPECT_EQ(c, pte0, l1[GC_FREE_GFN(0)]);
    CONF_EXPECT_EQ(c, pte1, l1[GC_FREE_GFN(1)]);
    CONF_EXPECT_EQ(c, own_pte, gc_pte_of(c, c->d1, GC_PAGE));
    CONF_EXPECT_EQ(c, 1, gc_act(c->d1, GC_REF)->host_ro);
    CONF_EXPECT_EQ(c, 1, gc_act(c->d1, GC_REF)->host_rw);
}

/*
 * XSA-255: switching v2 -> v1 freed status frames the guest still mapped. While dom1 maps its
 * status frame the switch is -EBUSY and the frame stays allocated; after the mapping goes the
 * switch frees it.
 */
static void xsa255(struct conf_ctx *c)
{
    const unsigned k = GC_PAGE + 5;
    uint64_t saved = gc_pte_of(c, c->d1, k);
    mfn_t s;

    CONF_SETUP(c, xg_set_version(c, c->v1, 2));
    s = xg_status_frame(c, c->v1);
    if (!mfn_valid(c->hv, s)) {
        CONF_ERROR(c, "no status frame after set_version(2)");
        return;
    }
    const struct frame *f = &c->hv->frames[s];
    CONF_SETUP(c, gc_set_pte(c, c->v1, c->d1, k,
                             (s << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
    CONF_EXPECT_EQ(c, 2, f->count);
    CONF_EXPECT_EQ(c, -XEN_EBUSY, xg_set_version(c, c->v1, 1));
    CONF_EXPECT_EQ(c, 2, c->d1->gnt.version);
    CONF_EXPECT_EQ(c, 1, c->d1->gnt.nr_status_frames);
    CONF_EXPECT_EQ(c, 1, f->owner);
    CONF_EXPECT_EQ(c, 2, f->count);
    CONF_EXPECT(c, f->flags & FRAME_ALLOCATED);

    CONF_SETUP(c, gc_set_pte(c, c->v1, c->d1, k, saved));
    CONF_EXPECT_EQ(c, 0, xg_set_version(c, c->v1, 1));
    CONF_EXPECT_EQ(c, 0, c->d1->gnt.nr_status_frames);
    CONF_EXPECT_EQ(c, 0, f->count);
    CONF_EXPECT_EQ(c, DOMID_INVALID, f->owner);
}

/*
 * XSA-284: a frame whose allocation ref is gone (decrease_reservation while still mapped) is not
 * the domain's to transfer, even though its count looks like "allocated + one temporary ref".
 */
static void xsa284(struct conf_ctx *c)
{
    gfn_t gfn = DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + GC_PAGE;
    mfn_t m = c->d2->p2m[gfn];
    const struct frame *f = &c->hv->frames[m];
    struct xen_memory_reservation res = { .extent_start = conf_scratch(c, c->d2, 3),
                                          .nr_extents = 1, .domid = DOMID_SELF };
    struct gnttab_transfer op = { .mfn = m, .domid = 1, .ref = GC_REF };
    uint64_t g = gfn;
    uint32_t tot1 = c->d1->tot_pages;

    /* read-only, so the frame holds no type ref and only the allocation check can refuse it */
    CONF_SETUP(c, gc_set_pte(c, c->v2, c->d2, GC_PAGE, gc_pte_of(c, c->d2, GC_PAGE) & ~_PAGE_RW));
    if (conf_put(c, c->v2, res.extent_start, &g, sizeof(g)) < 0 ||
        conf_put(c, c->v2, conf_scratch(c, c->d2, 4), &res, sizeof(res)) < 0)
        return;
    CONF_EXPECT_EQ(c, 1, conf_hc(c, c->v2, HYPERVISOR_memory_op, XENMEM_decrease_reservation,
                                 conf_scratch(c, c->d2, 4), 0, 0, 0));
    CONF_EXPECT_EQ(c, 1, f->count);
    CONF_EXPECT_EQ(c, 0, f->type_count);
    CONF_EXPECT(c, !(f->flags & FRAME_ALLOCATED));
    gc_grant(c, c->d1, GC_REF, 2, GC_FREE_GFN(0), GTF_accept_transfer);
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_transfer, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, GNTST_bad_page, op.status);
    CONF_EXPECT_EQ(c, 2, f->owner);
    CONF_EXPECT_EQ(c, 1, f->count);
    CONF_EXPECT_EQ(c, tot1, c->d1->tot_pages);
    CONF_EXPECT_EQ(c, GTF_accept_transfer, gc_entry_flags(c, c->d1, GC_REF));
}

/*
 * XSA-214: a transferred frame kept the type (and validation) its old owner gave it. dom2 pins
 * its page as an L1, unpins and unmaps it, and transfers it: dom1 receives a frame of no type,
 * not validated, which it may map writable.
 */
static void xsa214(struct conf_ctx *c)
{
    mfn_t m = conf_scratch_mfn(c, c->d2, GC_PAGE);
    const struct frame *f = &c->hv->frames[m];
    struct gnttab_transfer op = { .mfn = m, .domid = 1, .ref = GC_REF };

    CONF_SETUP(c, gc_set_pte(c, c->v2, c->d2, GC_PAGE, gc_pte_of(c, c->d2, GC_PAGE) & ~_PAGE_RW));
    CONF_SETUP(c, xg_mmuext(c, c->v2, MMUEXT_PIN_L1_TABLE, m));
    CONF_EXPECT_EQ(c, PGT_l1, f->type);
    CONF_SETUP(c, xg_mmuext(c, c->v2, MMUEXT_UNPIN_TABLE, m));
    CONF_SETUP(c, gc_set_pte(c, c->v2, c->d2, GC_PAGE, 0));
    gc_grant(c, c->d1, GC_REF, 2, GC_FREE_GFN(0), GTF_accept_transfer);
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_transfer, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, GNTST_okay, op.status);
    CONF_EXPECT_EQ(c, 1, f->owner);
    CONF_EXPECT_EQ(c, PGT_none, f->type);
    CONF_EXPECT(c, !(f->flags & (FRAME_VALIDATED | FRAME_PARTIAL | FRAME_PINNED)));
    CONF_EXPECT_EQ(c, 0, xg_set_l1e(c, c->v1, c->d1, GC_FREE_GFN(0),
                                    (m << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
    CONF_EXPECT_EQ(c, PGT_writable, f->type);
}

/*
 * XSA-379/387: status frames handed out twice, or counted twice. Asking for them again hands out
 * the same frames without a new ref; growing the table or cycling versions never leaves an extra
 * or a stale status frame behind.
 */
static void xsa379_387(struct conf_ctx *c)
{
    struct domain *d = c->d1;
    uint32_t free0 = c->hv->free.count, xen0 = d->xenpages.count;
    mfn_t s1, s2;

    CONF_SETUP(c, xg_set_version(c, c->v1, 2));
    s1 = xg_status_frame(c, c->v1);
    s2 = xg_status_frame(c, c->v1);
    CONF_EXPECT_EQ(c, s1, s2);
    CONF_EXPECT(c, mfn_valid(c->hv, s1));
    if (!mfn_valid(c->hv, s1))
        return;
    CONF_EXPECT_EQ(c, 1, c->hv->frames[s1].count);
    CONF_EXPECT_EQ(c, 1, c->hv->frames[s1].type_count);
    CONF_EXPECT_EQ(c, xen0 + 1, d->xenpages.count);

    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2,
                                     .frame_list = conf_scratch(c, d, 3) };
    CONF_SETUP(c, gc_op(c, c->v1, GNTTABOP_setup_table, &st, sizeof(st), 1));
    CONF_EXPECT_EQ(c, GNTST_okay, st.status);
    CONF_EXPECT_EQ(c, 1, d->gnt.nr_status_frames);
    CONF_EXPECT_EQ(c, xen0 + 2, d->xenpages.count);
    CONF_EXPECT_EQ(c, s1, xg_status_frame(c, c->v1));

    for (unsigned i = 0; i < 3; i++) {
        CONF_EXPECT_EQ(c, 0, xg_set_version(c, c->v1, 1));
        CONF_EXPECT_EQ(c, 0, d->gnt.nr_status_frames);
        CONF_EXPECT_EQ(c, xen0 + 1, d->xenpages.count);
        CONF_EXPECT_EQ(c, 0, xg_set_version(c, c->v1, 2));
        CONF_EXPECT_EQ(c, 1, d->gnt.nr_status_frames);
        CONF_EXPECT_EQ(c, xen0 + 2, d->xenpages.count);
    }
    CONF_EXPECT_EQ(c, 0, xg_set_version(c, c->v1, 1));
    /* one grant frame more than at the start, nothing else left allocated */
    CONF_EXPECT_EQ(c, free0 - 1, c->hv->free.count);
    CONF_EXPECT_EQ(c, 0, c->hv->frames[s1].count);
}

/*
 * XSA-380/394: unbounded loops in grant ops, and refcount underflow on repeated unmaps. With every
 * preemption check firing, a batch of 4 maps does one element per call and continues where it
 * stopped; a batch unmapping each handle twice frees each once and never underflows a count; a
 * dying domain's release is preemptible too.
 */
static void xsa380_394(struct conf_ctx *c)
{
    struct gnttab_map_grant_ref maps[4];
    struct gnttab_unmap_grant_ref u[8];
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    const struct frame *f = &c->hv->frames[m];
    uint32_t count0 = f->count, type0 = f->type_count;
    gva_t va = conf_scratch(c, c->d2, 0);
    unsigned calls = 1;
    long rc;

    memset(maps, 0, sizeof(maps));
    for (unsigned i = 0; i < 4; i++) {
        maps[i].flags = GNTMAP_device_map | (i & 1 ? GNTMAP_readonly : 0);
        maps[i].ref = GC_REF;
        maps[i].dom = 1;
    }
    if (conf_put(c, c->v2, va, maps, sizeof(maps)) < 0)
        return;
    c->hv->preempt_pattern = ~0ULL;
    uint64_t args[6] = { GNTTABOP_map_grant_ref, va, 4, 0, 0, 0 };
    rc = hv_hypercall(c->hv, c->v2, HYPERVISOR_grant_table_op, args);
    CONF_EXPECT_EQ(c, -XEN_ERESTART, rc);
    CONF_EXPECT_EQ(c, va + sizeof(maps[0]), c->v2->cont.args[1]);
    CONF_EXPECT_EQ(c, 3, c->v2->cont.args[2]);
    CONF_EXPECT_EQ(c, 1, gc_act(c->d1, GC_REF)->dev_rw);
    while (rc == -XEN_ERESTART && calls < 100) {
        rc = hv_continue(c->hv, c->v2);
        calls++;
    }
    CONF_EXPECT_EQ(c, 0, rc);
    CONF_EXPECT_EQ(c, 4, calls);
    if (conf_get(c, c->v2, va, maps, sizeof(maps)) < 0)
        return;

    memset(u, 0, sizeof(u));
    for (unsigned i = 0; i < 8; i++) {
        u[i].handle = maps[i / 2].handle;
        u[i].dev_bus_addr = maps[i / 2].dev_bus_addr;
    }
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_unmap_grant_ref, u, sizeof(u[0]), 8));
    for (unsigned i = 0; i < 8; i++)
        CONF_EXPECT_EQ(c, i & 1 ? GNTST_bad_handle : GNTST_okay, u[i].status);
    CONF_EXPECT_EQ(c, count0, f->count);
    CONF_EXPECT_EQ(c, type0, f->type_count);
    CONF_EXPECT(c, c->hv->bug_msg == NULL);

    /* three mappings left to a dying domain: its release yields between them */
    for (unsigned i = 0; i < 3; i++)
        CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, NULL, NULL));
    calls = 0;
    while ((rc = dom_destroy(c->hv, c->d2)) == -XEN_ERESTART && calls < 10000)
        calls++;
    CONF_EXPECT_EQ(c, 0, rc);
    CONF_EXPECT(c, calls >= 2);
    CONF_EXPECT_EQ(c, 0, gc_act(c->d1, GC_REF)->dev_rw);
    CONF_EXPECT_EQ(c, count0, f->count);
    c->hv->preempt_pattern = 0;
}

/*
 * XSA-380/394, the bound itself: even with preemption never firing, one call works through at
 * most GNT_BATCH_MAX elements of an array and continues with the rest. The array of stale
 * handles spans several scratch pages (data pages are contiguous in VA).
 */
static void xsa380_batch_bound(struct conf_ctx *c)
{
    enum { N = GNT_BATCH_MAX + 88 };
    static struct gnttab_unmap_grant_ref u[N];
    gva_t va = conf_scratch(c, c->d2, 20);
    long rc;

    memset(u, 0, sizeof(u));
    for (unsigned i = 0; i < N; i++)
        u[i].handle = GNT_MAX_MAPTRACK + i;
    if (conf_put(c, c->v2, va, u, sizeof(u)) < 0)
        return;
    uint64_t args[6] = { GNTTABOP_unmap_grant_ref, va, N, 0, 0, 0 };
    rc = hv_hypercall(c->hv, c->v2, HYPERVISOR_grant_table_op, args);
    CONF_EXPECT_EQ(c, -XEN_ERESTART, rc);
    CONF_EXPECT_EQ(c, va + GNT_BATCH_MAX * sizeof(u[0]), c->v2->cont.args[1]);
    CONF_EXPECT_EQ(c, N - GNT_BATCH_MAX, c->v2->cont.args[2]);
    CONF_EXPECT_EQ(c, 0, hv_continue(c->hv, c->v2));
    if (conf_get(c, c->v2, va, u, sizeof(u)) < 0)
        return;
    CONF_EXPECT_EQ(c, GNTST_bad_handle, u[0].status);
    CONF_EXPECT_EQ(c, GNTST_bad_handle, u[N - 1].status);
}

static const struct conf_case xg_cases[] = {
    { "xsa218_handle_freed_once", xsa218, NULL },
    { "xsa224_host_dev_unmap_then_pin_l1", xsa224, NULL },
    { "xsa227_misaligned_pte_address", xsa227, NULL },
    { "xsa234_replace_checks_whole_entry", xsa234, NULL },
    { "xsa255_mapped_status_frame_not_freed", xsa255, NULL },
    { "xsa284_transfer_needs_allocated", xsa284, NULL },
    { "xsa214_transfer_resets_type", xsa214, NULL },
    { "xsa379_387_status_frames_counted_once", xsa379_387, NULL },
    { "xsa380_394_bounded_work_no_underflow", xsa380_394, NULL },
    { "xsa380_394_batch_bound_without_preemption", xsa380_batch_bound, NULL },
};
CONF_AREA("xsa_grant", xg_cases)
