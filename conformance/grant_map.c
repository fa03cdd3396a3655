/* map_grant_ref / unmap_grant_ref / unmap_and_replace conformance: success paths and every status. */
#include <string.h>
#include "grant_conf.h"

/*
 * Scene (grant_conf.h): dom1 grants data page GC_PAGE (frame M) as GC_REF to dom2; dom2 maps it.
 * M starts with count 2 (allocation + dom1's RW PTE) and writable type count 1, so every row can
 * state what its mapping adds. After a successful map the row also proves the mapping works and
 * that unmapping restores every count, pin and flag.
 */
enum gm_addr { GM_VA = 0, GM_PTE, GM_PTE_MISALIGNED, GM_VA_NO_L1, GM_PTE_NOT_L1,
               GM_PTE_FOREIGN_L1, GM_VA_XEN };
enum gm_frame { GM_F_DATA = 0, GM_F_BAD_MFN, GM_F_DOM2_PAGE, GM_F_DOM1_L1 };
#define GM_GTF_NONE 0x8000U    /* write an invalid (flags 0) entry */

struct gm_row {
    uint32_t map_flags;
    enum gm_addr addr;
    uint16_t gflags;        /* 0: GTF_permit_access; GM_GTF_NONE: 0 */
    bool     to_dom0;       /* the entry names dom0 instead of dom2 */
    domid_t  dom;           /* 0: 1 */
    grant_ref_t ref;        /* 0: GC_REF */
    enum gm_frame frame;
    int16_t  status;
    int      dcount, dtype; /* change of M's general and type counts while mapped */
    uint16_t pins[4];       /* host_ro, host_rw, dev_ro, dev_rw */
};

static uint64_t gm_addr(struct conf_ctx *c, enum gm_addr a)
{
    switch (a) {
    case GM_VA:             return GC_FREE_VA(0);
    case GM_PTE:            return gc_l1e_maddr(c->d2, GC_FREE_GFN(0));
    case GM_PTE_MISALIGNED: return gc_l1e_maddr(c->d2, GC_FREE_GFN(0)) + 4;
    case GM_VA_NO_L1:       return DOM_VA(PTES_PER_TABLE + 88U);
    case GM_PTE_NOT_L1:     return conf_scratch_mfn(c, c->d2, 3) << PAGE_SHIFT;
    case GM_PTE_FOREIGN_L1: return gc_l1e_maddr(c->d1, GC_FREE_GFN(0));
    case GM_VA_XEN:         return XEN_VIRT_START + 0x5000;
    }
    return 0;
}

static uint64_t gm_frame(struct conf_ctx *c, enum gm_frame f, mfn_t m)
{
    switch (f) {
    case GM_F_DATA:      return m;
    case GM_F_BAD_MFN:   return c->hv->nr_frames + 7U;
    case GM_F_DOM2_PAGE: return conf_scratch_mfn(c, c->d2, GC_PAGE);
    case GM_F_DOM1_L1:   return c->d1->p2m[DOM_GFN_L1];
    }
    return m;
}

static void gm_expect_pins(struct conf_ctx *c, const uint16_t p[4])
{
    const struct gnt_active *a = gc_act(c->d1, GC_REF);

    CONF_EXPECT_EQ(c, p[0], a->host_ro);
    CONF_EXPECT_EQ(c, p[1], a->host_rw);
    CONF_EXPECT_EQ(c, p[2], a->dev_ro);
    CONF_EXPECT_EQ(c, p[3], a->dev_rw);
}

static unsigned gm_maps_in_use(struct domain *d)
{
    unsigned n = 0;

    for (unsigned h = 0; h < GNT_MAX_MAPTRACK; h++)
        n += d->gnt.maptrack[h].in_use;
    return n;
}

/* The mapping works: dom2 reads what dom1 wrote, and writes through a writable mapping. */
static void gm_check_access(struct conf_ctx *c, uint32_t flags)
{
    const char pat[] = "granted page";
    char buf[sizeof(pat)] = { 0 };
    gva_t own = conf_scratch(c, c->d1, GC_PAGE);

    if (!(flags & GNTMAP_host_map) || (flags & GNTMAP_contains_pte))
        return;
    if (conf_put(c, c->v1, own, pat, sizeof(pat)) < 0 ||
        conf_get(c, c->v2, GC_FREE_VA(0), buf, sizeof(buf)) < 0)
        return;
    CONF_EXPECT(c, memcmp(buf, pat, sizeof(pat)) == 0);
    if (!(flags & GNTMAP_readonly)) {
        const char back[] = "written back";
        if (conf_put(c, c->v2, GC_FREE_VA(0), back, sizeof(back)) < 0 ||
            conf_get(c, c->v1, own, buf, sizeof(back)) < 0)
            return;
        CONF_EXPECT(c, memcmp(buf, back, sizeof(back)) == 0);
    } else {
        /* a read-only grant mapping must fault on write */
        CONF_EXPECT(c, guest_write(c->hv, c->v2, GC_FREE_VA(0), pat, 1, NULL) < 0);
    }
}

static void gm_run(struct conf_ctx *c)
{
    const struct gm_row *r = c->data;
    mfn_t m = conf_scratch_mfn(c, c->d1, GC_PAGE);
    const struct frame *f = &c->hv->frames[m];
    uint32_t count0 = f->count, type0 = f->type_count;
    uint16_t gflags = r->gflags == GM_GTF_NONE ? 0 : r->gflags ? r->gflags : GTF_permit_access;
    uint64_t addr = gm_addr(c, r->addr), dev = 0;
    grant_handle_t h = ~0U;
    int st;

    uint64_t granted = gm_frame(c, r->frame, m);

    gc_grant(c, c->d1, GC_REF, r->to_dom0 ? 0 : 2, granted, gflags);
    st = gc_map(c, c->v2, r->dom ? r->dom : 1, r->ref ? r->ref : GC_REF, r->map_flags, addr, &h,
                &dev);
    CONF_EXPECT_EQ(c, r->status, st);
    CONF_EXPECT_EQ(c, count0 + r->dcount, f->count);
    CONF_EXPECT_EQ(c, type0 + r->dtype, f->type_count);
    gm_expect_pins(c, r->pins);
    if (st != GNTST_okay) {
        /* a refused map leaves no trace: no handle, no flag, no PTE */
        CONF_EXPECT_EQ(c, 0, gm_maps_in_use(c->d2));
        CONF_EXPECT_EQ(c, 0, gc_status_bits(c, c->d1, GC_REF));
        CONF_EXPECT_EQ(c, 0, frame_ptes(c->hv, c->d2->p2m[DOM_GFN_L1])[GC_FREE_GFN(0)]);
        return;
    }
    CONF_EXPECT_EQ(c, (r->map_flags & GNTMAP_readonly) ? GTF_reading : GTF_reading | GTF_writing,
                   gc_status_bits(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, (r->map_flags & GNTMAP_device_map) ? granted << PAGE_SHIFT : 0, dev);
    gm_check_access(c, r->map_flags);

    st = gc_unmap(c, c->v2, h, (r->map_flags & GNTMAP_host_map) ? addr : 0,
                  (r->map_flags & GNTMAP_device_map) ? dev : 0);
    CONF_EXPECT_EQ(c, GNTST_okay, st);
    CONF_EXPECT_EQ(c, count0, f->count);
    CONF_EXPECT_EQ(c, type0, f->type_count);
    CONF_EXPECT_EQ(c, 0, gc_status_bits(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, 0, gm_maps_in_use(c->d2));
    CONF_EXPECT_EQ(c, 0, frame_ptes(c->hv, c->d2->p2m[DOM_GFN_L1])[GC_FREE_GFN(0)]);
}

#define GM(...) (&(const struct gm_row){ __VA_ARGS__ })
#define HOST GNTMAP_host_map
#define DEV  GNTMAP_device_map
#define RO   GNTMAP_readonly
static const struct conf_case gm_cases[] = {
    { "map_host_va_rw", gm_run, GM(.map_flags = HOST, .dcount = 1, .dtype = 1,
      .pins = { 0, 1, 0, 0 }) },
    { "map_host_va_ro", gm_run, GM(.map_flags = HOST | RO, .dcount = 1, .pins = { 1, 0, 0, 0 }) },
    { "map_host_pte_rw", gm_run, GM(.map_flags = HOST | GNTMAP_contains_pte, .addr = GM_PTE,
      .dcount = 1, .dtype = 1, .pins = { 0, 1, 0, 0 }) },
    { "map_dev_rw", gm_run, GM(.map_flags = DEV, .dcount = 1, .dtype = 1,
      .pins = { 0, 0, 0, 1 }) },
    { "map_dev_ro", gm_run, GM(.map_flags = DEV | RO, .dcount = 1, .pins = { 0, 0, 1, 0 }) },
    { "map_host_dev_rw", gm_run, GM(.map_flags = HOST | DEV, .dcount = 2, .dtype = 2,
      .pins = { 0, 1, 0, 1 }) },
    { "map_ro_of_readonly_grant", gm_run, GM(.map_flags = HOST | RO,
      .gflags = GTF_permit_access | GTF_readonly, .dcount = 1, .pins = { 1, 0, 0, 0 }) },
    { "map_ro_of_l1_frame", gm_run, GM(.map_flags = DEV | RO, .frame = GM_F_DOM1_L1,
      .status = GNTST_okay, .pins = { 0, 0, 1, 0 }) },
    { "map_no_kind_bad_gntref", gm_run, GM(.map_flags = RO, .status = GNTST_bad_gntref) },
    { "map_no_domain_bad_domain", gm_run, GM(.map_flags = DEV, .dom = 6,
      .status = GNTST_bad_domain) },
    { "map_domid_self_bad_domain", gm_run, GM(.map_flags = DEV, .dom = DOMID_SELF,
      .status = GNTST_bad_domain) },
    { "map_ref_out_of_range_bad_gntref", gm_run, GM(.map_flags = DEV, .ref = GNT_V1_PER_FRAME,
      .status = GNTST_bad_gntref) },
    { "map_granted_to_other_general_error", gm_run, GM(.map_flags = DEV, .to_dom0 = true,
      .status = GNTST_general_error) },
    { "map_invalid_entry_general_error", gm_run, GM(.map_flags = DEV, .gflags = GM_GTF_NONE,
      .status = GNTST_general_error) },
    { "map_accept_transfer_entry_general_error", gm_run, GM(.map_flags = DEV,
      .gflags = GTF_accept_transfer, .status = GNTST_general_error) },
    { "map_rw_of_readonly_grant_general_error", gm_run, GM(.map_flags = HOST,
      .gflags = GTF_permit_access | GTF_readonly, .status = GNTST_general_error) },
    { "map_bad_frame_bad_page", gm_run, GM(.map_flags = DEV, .frame = GM_F_BAD_MFN,
      .status = GNTST_bad_page) },
    { "map_frame_not_granters_bad_page", gm_run, GM(.map_flags = DEV, .frame = GM_F_DOM2_PAGE,
      .status = GNTST_bad_page) },
    { "map_rw_of_l1_frame_general_error", gm_run, GM(.map_flags = DEV, .frame = GM_F_DOM1_L1,
      .status = GNTST_general_error) },
    { "map_pte_not_an_l1_general_error", gm_run, GM(.map_flags = HOST | GNTMAP_contains_pte,
      .addr = GM_PTE_NOT_L1, .status = GNTST_general_error) },
    { "map_pte_in_foreign_l1_general_error", gm_run,
      GM(.map_flags = HOST | GNTMAP_contains_pte, .addr = GM_PTE_FOREIGN_L1,
         .status = GNTST_general_error) },
    { "map_va_without_l1_general_error", gm_run, GM(.map_flags = HOST, .addr = GM_VA_NO_L1,
      .status = GNTST_general_error) },
    { "map_va_in_xen_range_general_error", gm_run, GM(.map_flags = HOST, .addr = GM_VA_XEN,
      .status = GNTST_general_error) },
};
CONF_AREA("grant_map", gm_cases)
