/* unmap_grant_ref and unmap_and_replace conformance, pin and maptrack limits, version and teardown. */
#include <string.h>
#include "grant_conf.h"

/*
 * Unmap rows: dom2 first maps dom1's GC_REF (as in grant_map.c) with map_flags at GC_FREE_VA(0),
 * then issues one unmap (or unmap_and_replace) variant and the row states the status and the pins
 * left. A failed unmap must leave the mapping exactly as it was.
 */
enum um_kind {
    UM_FULL = 0,        /* host_addr and dev_bus_addr of the mapping */
    UM_BAD_HANDLE,      /* handle beyond the maptrack */
    UM_FREE_HANDLE,     /* a handle not in use */
    UM_WRONG_HOST,      /* another VA */
    UM_WRONG_DEV,       /* dev_bus_addr of another frame */
    UM_DEV_ONLY,        /* host_addr 0 */
    UM_HOST_ONLY,       /* dev_bus_addr 0 */
    UM_NOTHING,         /* both 0 */
    RP_NEW_PRESENT,     /* replace: new_addr is dom2's data page GC_PAGE */
    RP_NEW_ZERO,        /* replace: new_addr 0 */
    RP_SAME_SLOT,       /* replace: new_addr == host_addr */
    RP_BAD_HANDLE,
    RP_NEW_IS_GRANT,    /* replace: new_addr holds another grant PTE */
};

struct um_row {
    uint32_t map_flags;
    enum um_kind kind;
    int16_t  status;
    uint16_t pins[4];   /* host_ro, host_rw, dev_ro, dev_rw afterwards */
    bool     handle_freed;
};

static void um_run(struct conf_ctx *c)
{
    const struct um_row *r = c->data;
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    const struct frame *f = &c->hv->frames[m];
    uint32_t count0 = f->count, type0 = f->type_count;
    bool pte = r->map_flags & GNTMAP_contains_pte;
    uint64_t host = pte ? gc_l1e_maddr(c->d2, GC_FREE_GFN(0)) : GC_FREE_VA(0);
    uint64_t dev = 0, slot0;
    grant_handle_t h = ~0U, h2 = ~0U;
    mfn_t l1 = c->d2->p2m[DOM_GFN_L1];
    uint64_t data_pte = gc_pte_of(c, c->d2, GC_PAGE);
    int st;

    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, r->map_flags, host, &h, &dev));
    if (r->kind == RP_NEW_IS_GRANT)
        CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_host_map, GC_FREE_VA(1), &h2, NULL));
    slot0 = frame_ptes(c->hv, l1)[GC_FREE_GFN(0)];

    if (r->kind >= RP_NEW_PRESENT) {
        struct gnttab_unmap_and_replace op = { .host_addr = host, .handle = h };
        if (r->kind == RP_NEW_PRESENT)
            op.new_addr = conf_scratch(c, c->d2, GC_PAGE);
        else if (r->kind == RP_SAME_SLOT)
            op.new_addr = host;
        else if (r->kind == RP_BAD_HANDLE)
            op.handle = GNT_MAX_MAPTRACK + 3U;
        else if (r->kind == RP_NEW_IS_GRANT)
            op.new_addr = GC_FREE_VA(1);
        CONF_SETUP(c, gc_op(c, c->v2, GNTTABOP_unmap_and_replace, &op, sizeof(op), 1));
        st = op.status;
    } else {
        struct gnttab_unmap_grant_ref op = { .host_addr = host, .dev_bus_addr = dev,
                                             .handle = h };
        if (r->kind == UM_BAD_HANDLE)
            op.handle = GNT_MAX_MAPTRACK;
        else if (r->kind == UM_FREE_HANDLE)
            op.handle = h + 9U;
        else if (r->kind == UM_WRONG_HOST)
            op.host_addr = pte ? host + 8U : GC_FREE_VA(2);
        else if (r->kind == UM_WRONG_DEV)
            op.dev_bus_addr = dev + PAGE_SIZE;
        if (r->kind == UM_DEV_ONLY || r->kind == UM_NOTHING)
            op.host_addr = 0;
        if (r->kind == UM_HOST_ONLY || r->kind == UM_NOTHING)
            op.dev_bus_addr = 0;
        CONF_SETUP(c, gc_op(c, c->v2, GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1));
        st = op.status;
    }
    CONF_EXPECT_EQ(c, r->status, st);
    const struct gnt_active *a = gc_act(c->d1, GC_REF);
    CONF_EXPECT_EQ(c, r->pins[0], a->host_ro);
    CONF_EXPECT_EQ(c, r->pins[1], a->host_rw);
    CONF_EXPECT_EQ(c, r->pins[2], a->dev_ro);
    CONF_EXPECT_EQ(c, r->pins[3], a->dev_rw);
    CONF_EXPECT_EQ(c, !r->handle_freed, c->d2->gnt.maptrack[h].in_use);
    if (st != GNTST_okay) {
        /* refused: the grant PTE is untouched */
        CONF_EXPECT_EQ(c, slot0, frame_ptes(c->hv, l1)[GC_FREE_GFN(0)]);
        return;
    }
    if (r->kind == RP_NEW_PRESENT) {
        /* the data page's entry moved into the grant's slot, with the refs it holds */
        CONF_EXPECT_EQ(c, data_pte, frame_ptes(c->hv, l1)[GC_FREE_GFN(0)]);
        CONF_EXPECT_EQ(c, 0, gc_pte_of(c, c->d2, GC_PAGE));
    }
    if (r->handle_freed && r->kind != RP_NEW_IS_GRANT) {
        CONF_EXPECT_EQ(c, count0, f->count);
        CONF_EXPECT_EQ(c, type0, f->type_count);
        CONF_EXPECT_EQ(c, 0, gc_status_bits(c, c->d1, GC_REF));
    }
}

#define UM(...) (&(const struct um_row){ __VA_ARGS__ })
#define HOST GNTMAP_host_map
#define DEV  GNTMAP_device_map
#define RO   GNTMAP_readonly
static const struct conf_case um_cases[] = {
    { "unmap_host_va", um_run, UM(.map_flags = HOST, .handle_freed = true) },
    { "unmap_host_pte", um_run, UM(.map_flags = HOST | GNTMAP_contains_pte,
      .handle_freed = true) },
    { "unmap_dev_ro", um_run, UM(.map_flags = DEV | RO, .handle_freed = true) },
    { "unmap_host_dev_both", um_run, UM(.map_flags = HOST | DEV, .handle_freed = true) },
    { "unmap_dev_part_keeps_host", um_run, UM(.map_flags = HOST | DEV, .kind = UM_DEV_ONLY,
      .pins = { 0, 1, 0, 0 }) },
    { "unmap_host_part_keeps_dev", um_run, UM(.map_flags = HOST | DEV, .kind = UM_HOST_ONLY,
      .pins = { 0, 0, 0, 1 }) },
    { "unmap_no_address_changes_nothing", um_run, UM(.map_flags = HOST | DEV,
      .kind = UM_NOTHING, .pins = { 0, 1, 0, 1 }) },
    { "unmap_handle_beyond_maptrack_bad_handle", um_run, UM(.map_flags = HOST,
      .kind = UM_BAD_HANDLE, .status = GNTST_bad_handle, .pins = { 0, 1, 0, 0 }) },
    { "unmap_unused_handle_bad_handle", um_run, UM(.map_flags = HOST, .kind = UM_FREE_HANDLE,
      .status = GNTST_bad_handle, .pins = { 0, 1, 0, 0 }) },
    { "unmap_wrong_va_general_error", um_run, UM(.map_flags = HOST | RO, .kind = UM_WRONG_HOST,
      .status = GNTST_general_error, .pins = { 1, 0, 0, 0 }) },
    { "unmap_wrong_pte_general_error", um_run, UM(.map_flags = HOST | GNTMAP_contains_pte,
      .kind = UM_WRONG_HOST, .status = GNTST_general_error, .pins = { 0, 1, 0, 0 }) },
    { "unmap_wrong_dev_addr_bad_dev_addr", um_run, UM(.map_flags = DEV, .kind = UM_WRONG_DEV,
      .status = GNTST_bad_dev_addr, .pins = { 0, 0, 0, 1 }) },
    { "replace_with_present_entry", um_run, UM(.map_flags = HOST, .kind = RP_NEW_PRESENT,
      .handle_freed = true) },
    { "replace_with_zero_new_addr", um_run, UM(.map_flags = HOST | RO, .kind = RP_NEW_ZERO,
      .handle_freed = true) },
    { "replace_same_slot_general_error", um_run, UM(.map_flags = HOST, .kind = RP_SAME_SLOT,
      .status = GNTST_general_error, .pins = { 0, 1, 0, 0 }) },
    { "replace_pte_mapping_with_new_addr_general_error", um_run,
      UM(.map_flags = HOST | GNTMAP_contains_pte, .kind = RP_NEW_PRESENT,
         .status = GNTST_general_error, .pins = { 0, 1, 0, 0 }) },
    { "replace_device_only_general_error", um_run, UM(.map_flags = DEV, .kind = RP_NEW_ZERO,
      .status = GNTST_general_error, .pins = { 0, 0, 0, 1 }) },
    { "replace_bad_handle", um_run, UM(.map_flags = HOST, .kind = RP_BAD_HANDLE,
      .status = GNTST_bad_handle, .pins = { 0, 1, 0, 0 }) },
    { "replace_new_addr_is_grant_general_error", um_run, UM(.map_flags = HOST,
      .kind = RP_NEW_IS_GRANT, .status = GNTST_general_error, .pins = { 0, 2, 0, 0 }) },
};
CONF_AREA("grant_unmap", um_cases)

/* ---- limits, versions, teardown ------------------------------------------------------------- */

/* Xen refuses a pin past its 8-bit counters' top bit: 128 device maps of one ref, not 129. */
static void gl_pin_limit(struct conf_ctx *c)
{
    struct gnttab_map_grant_ref ops[128];
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    uint32_t count0 = c->hv->frames[m].count;

    memset(ops, 0, sizeof(ops));
    for (unsigned i = 0; i < 128; i++) {
        ops[i].flags = GNTMAP_device_map | GNTMAP_readonly;
        ops[i].ref = GC_REF;
        ops[i].dom = 1;
    }
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), 128));
    for (unsigned i = 0; i < 128; i++)
        CONF_EXPECT_EQ(c, GNTST_okay, ops[i].status);
    CONF_EXPECT_EQ(c, GNTST_general_error, gc_map(c, c->v2, 1, GC_REF,
                   GNTMAP_device_map | GNTMAP_readonly, 0, NULL, NULL));
    CONF_EXPECT_EQ(c, 128, gc_act(c->d1, GC_REF)->dev_ro);
    CONF_EXPECT_EQ(c, count0 + 128, c->hv->frames[m].count);
}

/* 256 mappings fill dom2's maptrack; the next one has no handle. */
static void gl_maptrack_full(struct conf_ctx *c)
{
    struct gnttab_map_grant_ref ops[128];
    mfn_t m = gc_grant_std(c, GTF_permit_access);

    gc_grant(c, c->d1, GC_REF + 1, 2, m, GTF_permit_access);
    gc_grant(c, c->d1, GC_REF + 2, 2, m, GTF_permit_access);
    for (unsigned r = 0; r < 2; r++) {
        memset(ops, 0, sizeof(ops));
        for (unsigned i = 0; i < 128; i++) {
            ops[i].flags = GNTMAP_device_map | GNTMAP_readonly;
            ops[i].ref = GC_REF + r;
            ops[i].dom = 1;
        }
        CONF_SETUP(c, gc_op(c, c->v2, GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), 128));
        CONF_EXPECT_EQ(c, GNTST_okay, ops[127].status);
    }
    CONF_EXPECT_EQ(c, GNTST_no_space, gc_map(c, c->v2, 1, GC_REF + 2,
                   GNTMAP_device_map | GNTMAP_readonly, 0, NULL, NULL));
    CONF_EXPECT_EQ(c, 0, gc_act(c->d1, GC_REF + 2)->dev_ro);
}

/* A version switch while any grant is mapped would reinterpret live entries: -EBUSY. */
static void gl_version_busy(struct conf_ctx *c)
{
    struct gnttab_set_version sv = { .version = 2 };
    grant_handle_t h = 0;
    uint64_t dev = 0;

    gc_grant_std(c, GTF_permit_access);
    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, &h, &dev));
    CONF_EXPECT_EQ(c, -XEN_EBUSY, gc_op(c, c->v1, GNTTABOP_set_version, &sv, sizeof(sv), 1));
    CONF_EXPECT_EQ(c, 1, sv.version);
    CONF_EXPECT_EQ(c, 1, c->d1->gnt.version);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_unmap(c, c->v2, h, 0, dev));
    sv.version = 2;
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v1, GNTTABOP_set_version, &sv, sizeof(sv), 1));
    CONF_EXPECT_EQ(c, 2, c->d1->gnt.version);
}

/* v2: the grant's header is left alone, reading/writing go to the status frame. */
static void gl_map_v2(struct conf_ctx *c)
{
    struct gnttab_set_version sv = { .version = 2 };
    grant_handle_t h = 0;
    mfn_t m;

    CONF_SETUP(c, gc_op(c, c->v1, GNTTABOP_set_version, &sv, sizeof(sv), 1));
    m = gc_grant_std(c, GTF_permit_access);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v2, 1, GC_REF, GNTMAP_host_map, GC_FREE_VA(0),
                                         &h, NULL));
    CONF_EXPECT_EQ(c, GTF_permit_access, gc_entry_flags(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, GTF_reading | GTF_writing, gc_status_bits(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, m, gc_act(c->d1, GC_REF)->mfn);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_unmap(c, c->v2, h, GC_FREE_VA(0), 0));
    CONF_EXPECT_EQ(c, 0, gc_status_bits(c, c->d1, GC_REF));
}

/* An entry re-granted to someone else while pinned does not let that domain join the pin. */
static void gl_active_for_other(struct conf_ctx *c)
{
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    uint32_t count0;

    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, NULL, NULL));
    count0 = c->hv->frames[m].count;
    gc_grant(c, c->d1, GC_REF, 0, m, GTF_permit_access);
    CONF_EXPECT_EQ(c, GNTST_general_error, gc_map(c, c->v0, 1, GC_REF,
                   GNTMAP_device_map | GNTMAP_readonly, 0, NULL, NULL));
    CONF_EXPECT_EQ(c, count0, c->hv->frames[m].count);
    CONF_EXPECT_EQ(c, 2, gc_act(c->d1, GC_REF)->mapped_by);
}

/* A read-only pin does not let a later writable map skip the entry's readonly flag. */
static void gl_rw_after_ro_rechecks(struct conf_ctx *c)
{
    gc_grant_std(c, GTF_permit_access | GTF_readonly);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v2, 1, GC_REF,
                   GNTMAP_device_map | GNTMAP_readonly, 0, NULL, NULL));
    CONF_EXPECT_EQ(c, GNTST_general_error, gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0,
                   NULL, NULL));
    CONF_EXPECT_EQ(c, 1, gc_act(c->d1, GC_REF)->dev_ro);
    CONF_EXPECT_EQ(c, 0, gc_act(c->d1, GC_REF)->dev_rw);
    CONF_EXPECT_EQ(c, GTF_reading, gc_status_bits(c, c->d1, GC_REF));
}

/* A domain maps its own grant by its own id. */
static void gl_map_own_grant(struct conf_ctx *c)
{
    mfn_t m = conf_scratch_mfn(c, c->d1, GC_PAGE);
    grant_handle_t h = 0;

    gc_grant(c, c->d1, GC_REF, 1, m, GTF_permit_access);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v1, 1, GC_REF, GNTMAP_host_map | GNTMAP_readonly,
                                         GC_FREE_VA(0), &h, NULL));
    CONF_EXPECT_EQ(c, 1, gc_act(c->d1, GC_REF)->host_ro);
    CONF_EXPECT_EQ(c, GNTST_okay, gc_unmap(c, c->v1, h, GC_FREE_VA(0), 0));
}

/* A dying mapper's grants are released: pins and device refs now, PTE refs with its tables. */
static void gl_release_on_destroy(struct conf_ctx *c)
{
    mfn_t m = gc_grant_std(c, GTF_permit_access);
    const struct frame *f = &c->hv->frames[m];
    uint32_t count0 = f->count, type0 = f->type_count;
    int rc;

    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_host_map, GC_FREE_VA(0), NULL, NULL));
    CONF_SETUP(c, gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, NULL, NULL));
    CONF_EXPECT_EQ(c, count0 + 2, f->count);
    for (unsigned i = 0; (rc = dom_destroy(c->hv, c->d2)) == -XEN_ERESTART && i < 10000; i++)
        ;
    CONF_EXPECT_EQ(c, 0, rc);
    const struct gnt_active *a = gc_act(c->d1, GC_REF);
    CONF_EXPECT_EQ(c, 0, a->host_rw + a->dev_rw + a->host_ro + a->dev_ro);
    CONF_EXPECT_EQ(c, count0, f->count);
    CONF_EXPECT_EQ(c, type0, f->type_count);
    CONF_EXPECT_EQ(c, 0, gc_status_bits(c, c->d1, GC_REF));
    CONF_EXPECT(c, !c->hv->dom[2].exists);
}

static const struct conf_case gl_cases[] = {
    { "map_pin_limit_128", gl_pin_limit, NULL },
    { "map_maptrack_full_no_space", gl_maptrack_full, NULL },
    { "set_version_while_mapped_ebusy", gl_version_busy, NULL },
    { "map_v2_status_frame_flags", gl_map_v2, NULL },
    { "map_active_for_other_domain_general_error", gl_active_for_other, NULL },
    { "map_rw_after_ro_rechecks_entry", gl_rw_after_ro_rechecks, NULL },
    { "map_own_grant", gl_map_own_grant, NULL },
    { "release_on_destroy", gl_release_on_destroy, NULL },
};
CONF_AREA("grant_limits", gl_cases)
