/* Log-dirty conformance (domctl shadow_op): every write path marks, clean resets, peek keeps, errors. */
#include <string.h>
#include "conformance.h"

/*
 * dom0 is the toolstack: it puts dom1 in log-dirty mode, cleans, lets dom1 (or the path's
 * writer) write one way, and peeks the bitmap into its own scratch page. A path that writes
 * dom1's memory must leave the written pfn's bit set; one that writes nothing must leave the
 * bitmap empty. The audit after every case (LOGDIRTY) also checks that no changed pfn is unmarked.
 */
#define LD_BITMAP_PAGES 128U    /* bits peeked: dom1's 64 pfns and a few past them */
#define LD_REQ_PAGE     0U      /* dom1's scratch page for hypercall arguments */

/* dom0 issues shadow_op op (mode, bitmap handle, pages) on domain dom from vCPU v; *out the reply. */
static long ld_shadow(struct conf_ctx *c, struct vcpu *v, domid_t dom, uint32_t op, uint32_t mode,
                      uint64_t handle, uint64_t pages, struct xen_domctl *out)
{
    struct domain *d = dom_get(c->hv, v->domid);
    struct xen_domctl dc;
    gva_t va = conf_scratch(c, d, 1);

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_shadow_op;
    dc.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    dc.domain = dom;
    dc.u.shadow_op.op = op;
    dc.u.shadow_op.mode = mode;
    dc.u.shadow_op.dirty_bitmap = handle;
    dc.u.shadow_op.pages = pages;
    if (conf_put(c, v, va, &dc, sizeof(dc)) < 0)
        return -XEN_EFAULT;
    long rc = conf_hc(c, v, HYPERVISOR_domctl, va, 0, 0, 0, 0);
    if (out && conf_get(c, v, va, out, sizeof(*out)) < 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* dom0 peeks (or cleans) dom1's bitmap into its scratch page 2; the bytes in bm. */
static long ld_read(struct conf_ctx *c, uint32_t op, uint8_t bm[LD_BITMAP_PAGES / 8U],
                    struct xen_domctl *out)
{
    gva_t va = conf_scratch(c, c->d0, 2);
    uint8_t fill[LD_BITMAP_PAGES / 8U];
    memset(fill, 0xA5, sizeof(fill));   /* the call must overwrite every byte */
    if (conf_put(c, c->v0, va, fill, sizeof(fill)) < 0)
        return -XEN_EFAULT;
    long rc = ld_shadow(c, c->v0, 1, op, 0, va, LD_BITMAP_PAGES, out);
    if (conf_get(c, c->v0, va, bm, LD_BITMAP_PAGES / 8U) < 0)
        memset(bm, 0xA5, LD_BITMAP_PAGES / 8U);
    return rc;
}

static bool ld_bit(const uint8_t *bm, uint64_t pfn)
{
    return (bm[pfn / 8U] >> (pfn % 8U)) & 1U;
}

static unsigned ld_bits(const uint8_t *bm)
{
    unsigned n = 0;
    for (unsigned i = 0; i < LD_BITMAP_PAGES / 8U; i++)
        n += (unsigned)__builtin_popcount(bm[i]);
    return n;
}

/* ---- write paths ------------------------------------------------------------------------------- */

enum ld_path {
    LD_GUEST_STORE, LD_MMU_UPDATE, LD_UPDATE_VA_MAPPING, LD_CLEAR_PAGE, LD_COPY_PAGE,
    LD_PIN_L1, LD_GNT_COPY, LD_POPULATE, LD_DECREASE, LD_HC_RESULT
};

struct ld_path_row {
    enum ld_path path;
    long         expect;        /* the write's result */
    bool         marks;         /* false: the path writes nothing, the bitmap stays empty */
};

/* The data page k of dom1 as a gfn. */
static uint64_t ld_gfn(unsigned k)
{
    return DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + k;
}

/* The entry mapping data page k of dom1, read-only. */
static uint64_t ld_pte_ro(struct conf_ctx *c, unsigned k)
{
    uint64_t ma = conf_l1e_maddr(c, c->d1, k);
    uint64_t e;
    memcpy(&e, frame_mem(c->hv, ma >> PAGE_SHIFT) + (ma & (PAGE_SIZE - 1U)), sizeof(e));
    return e & ~_PAGE_RW;
}

/* Arguments the path needs go to dom1's memory before the clean; returns the pfn it writes. */
static uint64_t ld_prepare(struct conf_ctx *c, enum ld_path path)
{
    gva_t req = conf_scratch(c, c->d1, LD_REQ_PAGE);
    uint8_t bytes[32];
    memset(bytes, 0x5C, sizeof(bytes));
    switch (path) {
    case LD_GUEST_STORE:
        return ld_gfn(3);
    case LD_MMU_UPDATE: {
        struct mmu_update u = { conf_l1e_maddr(c, c->d1, 5) | MMU_NORMAL_PT_UPDATE,
                                ld_pte_ro(c, 5) };
        conf_put(c, c->v1, req, &u, sizeof(u));
        return DOM_GFN_L1;
    }
    case LD_UPDATE_VA_MAPPING:
        return DOM_GFN_L1;
    case LD_CLEAR_PAGE:
    case LD_COPY_PAGE: {
        struct mmuext_op x = { .cmd = path == LD_CLEAR_PAGE ? MMUEXT_CLEAR_PAGE : MMUEXT_COPY_PAGE,
                               .arg1 = conf_scratch_mfn(c, c->d1, 7),
                               .arg2 = conf_scratch_mfn(c, c->d1, 6) };
        conf_put(c, c->v1, conf_scratch(c, c->d1, 6), bytes, sizeof(bytes));
        conf_put(c, c->v1, conf_scratch(c, c->d1, 7), bytes, 8);
        conf_put(c, c->v1, req, &x, sizeof(x));
        return ld_gfn(7);
    }
    case LD_PIN_L1: {
        /* a zero page mapped read-only can be typed L1: its validation writes nothing, but the
           pin marks it (Xen: "a page is dirtied when its pin status is set") */
        conf_hc(c, c->v1, HYPERVISOR_update_va_mapping, conf_scratch(c, c->d1, 8),
                ld_pte_ro(c, 8), UVMF_INVLPG, 0, 0);
        struct mmuext_op x = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = conf_scratch_mfn(c, c->d1, 8) };
        conf_put(c, c->v1, req, &x, sizeof(x));
        return ld_gfn(8);
    }
    case LD_GNT_COPY: {
        struct gnttab_copy g;
        memset(&g, 0, sizeof(g));
        g.source.u = conf_scratch_mfn(c, c->d1, 6);
        g.source.domid = DOMID_SELF;
        g.dest.u = conf_scratch_mfn(c, c->d1, 9);
        g.dest.domid = DOMID_SELF;
        g.dest.offset = 64;
        g.len = sizeof(bytes);
        conf_put(c, c->v1, conf_scratch(c, c->d1, 6), bytes, sizeof(bytes));
        conf_put(c, c->v1, req, &g, sizeof(g));
        return ld_gfn(9);
    }
    case LD_POPULATE:
    case LD_DECREASE: {
        uint64_t gfn = path == LD_POPULATE ? CONF_DOM_PAGES + 6U : ld_gfn(10);
        struct xen_memory_reservation r;
        memset(&r, 0, sizeof(r));
        r.extent_start = req + 64;
        r.nr_extents = 1;
        r.domid = DOMID_SELF;
        conf_put(c, c->v1, req, &r, sizeof(r));
        conf_put(c, c->v1, req + 64, &gfn, sizeof(gfn));
        return gfn;
    }
    case LD_HC_RESULT: {
        struct evtchn_alloc_unbound a = { DOMID_SELF, 0, 0 };
        conf_put(c, c->v1, req, &a, sizeof(a));
        return ld_gfn(LD_REQ_PAGE);
    }
    }
    return 0;
}

static long ld_write(struct conf_ctx *c, enum ld_path path)
{
    gva_t req = conf_scratch(c, c->d1, LD_REQ_PAGE);
    switch (path) {
    case LD_GUEST_STORE: {
        uint64_t tag = 0x7A6B5C4D3E2F1011ULL;
        return conf_put(c, c->v1, conf_scratch(c, c->d1, 3) + 16, &tag, sizeof(tag));
    }
    case LD_MMU_UPDATE:
        return conf_hc(c, c->v1, HYPERVISOR_mmu_update, req, 1, 0, DOMID_SELF, 0);
    case LD_UPDATE_VA_MAPPING:
        return conf_hc(c, c->v1, HYPERVISOR_update_va_mapping, conf_scratch(c, c->d1, 5),
                       ld_pte_ro(c, 5), UVMF_INVLPG, 0, 0);
    case LD_CLEAR_PAGE:
    case LD_COPY_PAGE:
    case LD_PIN_L1:
        return conf_hc(c, c->v1, HYPERVISOR_mmuext_op, req, 1, 0, DOMID_SELF, 0);
    case LD_GNT_COPY:
        return conf_hc(c, c->v1, HYPERVISOR_grant_table_op, GNTTABOP_copy, req, 1, 0, 0);
    case LD_POPULATE:
        return conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_populate_physmap, req, 0, 0, 0);
    case LD_DECREASE:
        return conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_decrease_reservation, req, 0, 0, 0);
    case LD_HC_RESULT:
        return conf_hc(c, c->v1, HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, req, 0, 0,
                       0);
    }
    return -1;
}

static void ld_path_run(struct conf_ctx *c)
{
    const struct ld_path_row *r = c->data;
    struct xen_domctl out;
    uint8_t bm[LD_BITMAP_PAGES / 8U];

    CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
    uint64_t pfn = ld_prepare(c, r->path);
    CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_CLEAN, 0, 0, 0, NULL));
    CONF_EXPECT_EQ(c, r->expect, ld_write(c, r->path));
    CONF_EXPECT_EQ(c, 0, ld_read(c, XEN_DOMCTL_SHADOW_OP_PEEK, bm, &out));
    if (r->marks) {
        CONF_EXPECT_EQ(c, 1, ld_bit(bm, pfn));
        CONF_EXPECT_EQ(c, ld_bits(bm), out.u.shadow_op.stats.dirty_count);
    } else {
        CONF_EXPECT_EQ(c, 0, ld_bits(bm));
        CONF_EXPECT_EQ(c, 0, out.u.shadow_op.stats.dirty_count);
    }
    CONF_EXPECT_EQ(c, 0, out.u.shadow_op.stats.fault_count);
    CONF_EXPECT_EQ(c, LD_BITMAP_PAGES, out.u.shadow_op.pages);
}

static const struct ld_path_row ld_path_rows[] = {
    { LD_GUEST_STORE, 0, true },
    { LD_MMU_UPDATE, 0, true },
    { LD_UPDATE_VA_MAPPING, 0, true },
    { LD_CLEAR_PAGE, 0, true },
    { LD_COPY_PAGE, 0, true },
    { LD_PIN_L1, 0, true },
    { LD_GNT_COPY, 0, true },
    { LD_POPULATE, 1, true },
    { LD_DECREASE, 1, true },
    { LD_HC_RESULT, 0, true },
};

/* ---- the interface: errors, clean, peek, off ---------------------------------------------------- */

enum ld_call { LD_SELF, LD_UNPRIV, LD_ABSENT, LD_TWICE, LD_ENABLE_MODE, LD_ENABLE_NO_MODE,
               LD_BAD_MODE, LD_UNMAPPED, LD_OFF_PEEK, LD_CLEAN_RESETS, LD_PEEK_KEEPS,
               LD_OFF_ON };

struct ld_call_row {
    enum ld_call call;
    long         expect;        /* the last shadow_op's result */
};

static void ld_call_run(struct conf_ctx *c)
{
    const struct ld_call_row *r = c->data;
    struct xen_domctl out;
    uint8_t bm[LD_BITMAP_PAGES / 8U];
    uint64_t tag = 0x0102030405060708ULL;
    long rc = 0;

    switch (r->call) {
    case LD_SELF:
        rc = ld_shadow(c, c->v0, 0, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL);
        break;
    case LD_UNPRIV:
        rc = ld_shadow(c, c->v1, 2, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL);
        CONF_EXPECT(c, !c->d2->logdirty);
        break;
    case LD_ABSENT:
        rc = ld_shadow(c, c->v0, 5, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL);
        break;
    case LD_TWICE:
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
        rc = ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE, XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY,
                       0, 0, NULL);
        break;
    case LD_ENABLE_MODE:
        rc = ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE, XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY,
                       0, 0, NULL);
        CONF_EXPECT(c, c->d1->logdirty);
        break;
    case LD_ENABLE_NO_MODE:
        /* CLEAN's mode flag on its own: no log-dirty bit, so shadow paging, which the model
           does not have */
        rc = ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE, XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL,
                       0, 0, NULL);
        CONF_EXPECT(c, !c->d1->logdirty);
        break;
    case LD_BAD_MODE:
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
        rc = ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_CLEAN, 2, 0, 0, NULL);
        break;
    case LD_UNMAPPED:
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
        rc = ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_PEEK, 0, DOM_VA(CONF_DOM_PAGES + 8),
                       LD_BITMAP_PAGES, NULL);
        break;
    case LD_OFF_PEEK:
        /* without the mode there is no bitmap: the buffer is cleared */
        rc = ld_read(c, XEN_DOMCTL_SHADOW_OP_PEEK, bm, &out);
        CONF_EXPECT_EQ(c, 0, ld_bits(bm));
        CONF_EXPECT_EQ(c, 0, bm[LD_BITMAP_PAGES / 8U - 1U]);
        break;
    case LD_CLEAN_RESETS:
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_CLEAN, 0, 0, 0, NULL));
        conf_put(c, c->v1, conf_scratch(c, c->d1, 3), &tag, sizeof(tag));
        conf_put(c, c->v1, conf_scratch(c, c->d1, 4), &tag, sizeof(tag));
        conf_put(c, c->v1, conf_scratch(c, c->d1, 4) + 8, &tag, sizeof(tag));
        CONF_EXPECT_EQ(c, 0, ld_read(c, XEN_DOMCTL_SHADOW_OP_CLEAN, bm, &out));
        CONF_EXPECT_EQ(c, 2, ld_bits(bm));
        CONF_EXPECT_EQ(c, 2, out.u.shadow_op.stats.dirty_count);
        CONF_EXPECT(c, ld_bit(bm, ld_gfn(3)) && ld_bit(bm, ld_gfn(4)));
        rc = ld_read(c, XEN_DOMCTL_SHADOW_OP_PEEK, bm, &out);
        CONF_EXPECT_EQ(c, 0, ld_bits(bm));
        CONF_EXPECT_EQ(c, 0, out.u.shadow_op.stats.dirty_count);
        break;
    case LD_PEEK_KEEPS:
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_CLEAN, 0, 0, 0, NULL));
        conf_put(c, c->v1, conf_scratch(c, c->d1, 3), &tag, sizeof(tag));
        CONF_EXPECT_EQ(c, 0, ld_read(c, XEN_DOMCTL_SHADOW_OP_PEEK, bm, &out));
        CONF_EXPECT_EQ(c, 1, ld_bits(bm));
        rc = ld_read(c, XEN_DOMCTL_SHADOW_OP_PEEK, bm, &out);
        CONF_EXPECT_EQ(c, 1, ld_bits(bm));
        CONF_EXPECT(c, ld_bit(bm, ld_gfn(3)));
        CONF_EXPECT_EQ(c, 1, out.u.shadow_op.stats.dirty_count);
        break;
    case LD_OFF_ON:
        CONF_SETUP(c, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL));
        conf_put(c, c->v1, conf_scratch(c, c->d1, 3), &tag, sizeof(tag));
        CONF_EXPECT_EQ(c, 0, ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_OFF, 0, 0, 0, NULL));
        CONF_EXPECT(c, !c->d1->logdirty);
        CONF_EXPECT_EQ(c, 0, ld_read(c, XEN_DOMCTL_SHADOW_OP_PEEK, bm, &out));
        CONF_EXPECT_EQ(c, 0, ld_bits(bm));
        rc = ld_shadow(c, c->v0, 1, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, 0, 0, 0, NULL);
        break;
    }
    CONF_EXPECT_EQ(c, r->expect, rc);
}

static const struct ld_call_row ld_call_rows[] = {
    { LD_SELF, -XEN_EINVAL },
    { LD_UNPRIV, -XEN_EPERM },
    { LD_ABSENT, -XEN_ESRCH },
    { LD_TWICE, -XEN_EINVAL },
    { LD_ENABLE_MODE, 0 },
    { LD_ENABLE_NO_MODE, -XEN_EINVAL },
    { LD_BAD_MODE, -XEN_EINVAL },
    { LD_UNMAPPED, -XEN_EFAULT },
    { LD_OFF_PEEK, 0 },
    { LD_CLEAN_RESETS, 0 },
    { LD_PEEK_KEEPS, 0 },
    { LD_OFF_ON, 0 },
};

static const struct conf_case ld_cases[] = {
    { "guest_store_marks", ld_path_run, &ld_path_rows[0] },
    { "mmu_update_marks_l1", ld_path_run, &ld_path_rows[1] },
    { "update_va_mapping_marks_l1", ld_path_run, &ld_path_rows[2] },
    { "clear_page_marks", ld_path_run, &ld_path_rows[3] },
    { "copy_page_marks_dest", ld_path_run, &ld_path_rows[4] },
    { "pin_l1_marks_table", ld_path_run, &ld_path_rows[5] },
    { "grant_copy_marks_dest", ld_path_run, &ld_path_rows[6] },
    { "populate_marks_pfn", ld_path_run, &ld_path_rows[7] },
    { "decrease_marks_pfn", ld_path_run, &ld_path_rows[8] },
    { "hypercall_result_marks", ld_path_run, &ld_path_rows[9] },
    { "self_einval", ld_call_run, &ld_call_rows[0] },
    { "unprivileged_eperm", ld_call_run, &ld_call_rows[1] },
    { "absent_esrch", ld_call_run, &ld_call_rows[2] },
    { "enable_twice_einval", ld_call_run, &ld_call_rows[3] },
    { "enable_mode_log_dirty", ld_call_run, &ld_call_rows[4] },
    { "enable_without_log_dirty_einval", ld_call_run, &ld_call_rows[5] },
    { "clean_bad_mode_einval", ld_call_run, &ld_call_rows[6] },
    { "peek_unmapped_efault", ld_call_run, &ld_call_rows[7] },
    { "peek_while_off_clears", ld_call_run, &ld_call_rows[8] },
    { "clean_resets", ld_call_run, &ld_call_rows[9] },
    { "peek_keeps", ld_call_run, &ld_call_rows[10] },
    { "off_then_on", ld_call_run, &ld_call_rows[11] },
};
CONF_AREA("log_dirty", ld_cases)
