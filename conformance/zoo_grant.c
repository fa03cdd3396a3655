/* Bug zoo, grant tables: each re-created XSA on in its xsa_grant scenario, caught by the audit. */
#include <string.h>
#include "grant_conf.h"
#include "zoo_conf.h"

/*
 * The xsa_grant cases show the fixed rules hold with every switch off. These run the same
 * scenarios with one switch on, check that the bug's step now goes through, and that the oracle
 * reports the registry's signature first (zoo_conf_expect_caught). corpora/zoo/<name>.txt holds
 * the same trigger as a program for the native target.
 */

static long zg_set_version(struct conf_ctx *c, struct vcpu *v, uint32_t ver)
{
    struct gnttab_set_version sv = { .version = ver };

    return gc_op(c, v, GNTTABOP_set_version, &sv, sizeof(sv), 1);
}

/* XSA-218: one batch unmaps the host and then the device part of one handle; both release it. */
static void zoo_xsa218(struct conf_ctx *c)
{
    struct gnttab_unmap_grant_ref u[2];
    grant_handle_t h = 0;
    uint64_t dev = 0;

    gc_grant_std(c, GTF_permit_access);
    zoo_conf_switch(c, HV_BUG_XSA218);
    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_host_map | GNTMAP_device_map,
                         GC_FREE_VA(0), &h, &dev));
    memset(u, 0, sizeof(u));
    u[0].handle = u[1].handle = h;
    u[0].host_addr = GC_FREE_VA(0);
    u[1].dev_bus_addr = dev;
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_unmap_grant_ref, u, sizeof(u[0]), 2));
    CONF_EXPECT_EQ(c, GNTST_okay, u[0].status);
    CONF_EXPECT_EQ(c, GNTST_okay, u[1].status);
    CONF_EXPECT_EQ(c, h + 1U, c->d2->gnt.maptrack_dup);
    zoo_conf_expect_caught(c, HV_BUG_XSA218);
}

/* XSA-224: unmapping the host part of a host+device map drops the device part's refs too. */
static void zoo_xsa224(struct conf_ctx *c)
{
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    const struct frame *f = &c->hv->frames[m];
    grant_handle_t h = 0;
    uint64_t dev = 0;

    CONF_SETUP(c, gc_set_pte(c, c->v1, c->d1, GC_PAGE, gc_pte_of(c, c->d1, GC_PAGE) & ~_PAGE_RW));
    zoo_conf_switch(c, HV_BUG_XSA224);
    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_host_map | GNTMAP_device_map,
                         GC_FREE_VA(0), &h, &dev));
    CONF_EXPECT_EQ(c, 4, f->count);
    CONF_EXPECT_EQ(c, 2, f->type_count);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_unmap(c, c->v2, h, GC_FREE_VA(0), 0));
    /* the fixed monitor leaves 3 and 1: the device part still holds its refs */
    CONF_EXPECT_EQ(c, 2, f->count);
    CONF_EXPECT_EQ(c, 0, f->type_count);
    CONF_EXPECT_EQ(c, 1, gc_act(c->d1, GC_REF)->dev_rw);
    zoo_conf_expect_caught(c, HV_BUG_XSA224);
}

/* XSA-227: a PTE address 4 bytes into the slot of dom2's own data page GC_PAGE is accepted; the
   grant PTE's low half becomes the top of that present entry, which now names no frame. */
static void zoo_xsa227(struct conf_ctx *c)
{
    uint64_t ma = conf_l1e_maddr(c, c->d2, GC_PAGE);
    const uint64_t *l1 = frame_ptes(c->hv, ma >> PAGE_SHIFT);
    unsigned idx = (unsigned)((ma & (PAGE_SIZE - 1)) / sizeof(uint64_t));
    uint64_t own = l1[idx];
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    uint64_t pte = (m << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
                   _PAGE_GNTTAB | _PAGE_RW;

    zoo_conf_switch(c, HV_BUG_XSA227);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v2, 1, GC_REF,
                   GNTMAP_host_map | GNTMAP_contains_pte, ma + 4, NULL, NULL));
    CONF_EXPECT_EQ(c, (pte << 32) | (own & 0xFFFFFFFFULL), l1[idx]);
    zoo_conf_expect_caught(c, HV_BUG_XSA227);
}

/* XSA-234: the read-only handle takes down the writable grant PTE of the same frame. */
static void zoo_xsa234(struct conf_ctx *c)
{
    mfn_t m = conf_scratch_mfn(c, c->d1, GC_PAGE);
    const uint64_t *l1 = frame_ptes(c->hv, c->d1->p2m[DOM_GFN_L1]);
    struct gnttab_unmap_and_replace op;
    grant_handle_t h_ro = 0, h_rw = 0;

    gc_grant(c, c->d1, GC_REF, 1, m, GTF_permit_access);
    zoo_conf_switch(c, HV_BUG_XSA234);
    CONF_SETUP(c, gc_map(c, c->v1, 1, GC_REF, GNTMAP_host_map | GNTMAP_readonly, GC_FREE_VA(0),
                         &h_ro, NULL));
    CONF_SETUP(c, gc_map(c, c->v1, 1, GC_REF, GNTMAP_host_map, GC_FREE_VA(1), &h_rw, NULL));
    memset(&op, 0, sizeof(op));
    op.host_addr = GC_FREE_VA(1);
    op.handle = h_ro;
    CONF_SETUP(c, gc_op(c, c->v1, GNTTABOP_unmap_and_replace, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, GNTST_okay, op.status);
    CONF_EXPECT_EQ(c, 0, l1[GC_FREE_GFN(1)]);
    CONF_EXPECT(c, l1[GC_FREE_GFN(0)] & _PAGE_PRESENT);
    CONF_EXPECT(c, c->d1->gnt.maptrack[h_rw].in_use);
    zoo_conf_expect_caught(c, HV_BUG_XSA234);
}

/* XSA-255: v2 -> v1 frees the status frame dom1 still maps. */
static void zoo_xsa255(struct conf_ctx *c)
{
    const unsigned k = GC_PAGE + 5;
    struct gnttab_get_status_frames op = { .nr_frames = 1, .dom = DOMID_SELF,
                                           .frame_list = conf_scratch(c, c->d1, 3) };
    uint64_t s = MFN_INVALID;

    zoo_conf_switch(c, HV_BUG_XSA255);
    CONF_SETUP(c, zg_set_version(c, c->v1, 2));
    CONF_SETUP(c, gc_op(c, c->v1, GNTTABOP_get_status_frames, &op, sizeof(op), 1));
    if (op.status != GNTST_okay || conf_get(c, c->v1, op.frame_list, &s, sizeof(s)) < 0 ||
        !mfn_valid(c->hv, s)) {
        CONF_ERROR(c, "no status frame after set_version(2)");
        return;
    }
    CONF_SETUP(c, gc_set_pte(c, c->v1, c->d1, k,
                             (s << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
    CONF_EXPECT_EQ(c, 0, zg_set_version(c, c->v1, 1));
    CONF_EXPECT_EQ(c, DOMID_INVALID, c->hv->frames[s].owner);
    CONF_EXPECT_EQ(c, s, (gc_pte_of(c, c->d1, k) & PTE_ADDR_MASK) >> PAGE_SHIFT);
    zoo_conf_expect_caught(c, HV_BUG_XSA255);
}

/* XSA-284: a frame whose allocation ref went (decrease_reservation) is transferred while mapped. */
static void zoo_xsa284(struct conf_ctx *c)
{
    gfn_t gfn = DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + GC_PAGE;
    mfn_t m = c->d2->p2m[gfn];
    const struct frame *f = &c->hv->frames[m];
    struct xen_memory_reservation res = { .extent_start = conf_scratch(c, c->d2, 3),
                                          .nr_extents = 1, .domid = DOMID_SELF };
    struct gnttab_transfer op = { .mfn = m, .domid = 1, .ref = GC_REF };
    uint64_t g = gfn;

    zoo_conf_switch(c, HV_BUG_XSA284);
    CONF_SETUP(c, gc_set_pte(c, c->v2, c->d2, GC_PAGE, gc_pte_of(c, c->d2, GC_PAGE) & ~_PAGE_RW));
    if (conf_put(c, c->v2, res.extent_start, &g, sizeof(g)) < 0 ||
        conf_put(c, c->v2, conf_scratch(c, c->d2, 4), &res, sizeof(res)) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v2, HYPERVISOR_memory_op, XENMEM_decrease_reservation,
                          conf_scratch(c, c->d2, 4), 0, 0, 0));
    gc_grant(c, c->d1, GC_REF, 2, GC_FREE_GFN(0), GTF_accept_transfer);
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_transfer, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, GNTST_okay, op.status);
    CONF_EXPECT_EQ(c, 1, f->owner);
    CONF_EXPECT(c, gc_pte_of(c, c->d2, GC_PAGE) & _PAGE_PRESENT);
    zoo_conf_expect_caught(c, HV_BUG_XSA284);
}

static const struct conf_case zg_cases[] = {
    { "xsa218_double_release_caught", zoo_xsa218, NULL },
    { "xsa224_host_unmap_drops_device_refs_caught", zoo_xsa224, NULL },
    { "xsa227_straddling_pte_caught", zoo_xsa227, NULL },
    { "xsa234_frame_only_check_caught", zoo_xsa234, NULL },
    { "xsa255_mapped_status_frame_freed_caught", zoo_xsa255, NULL },
    { "xsa284_unallocated_transfer_caught", zoo_xsa284, NULL },
};
CONF_AREA("zoo_grant", zg_cases)
