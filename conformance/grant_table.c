/* grant_table_op conformance: setup_table, query_size, versions, status frames, argument errors. */
#include <string.h>
#include "grant_conf.h"

/*
 * Each row issues one single-struct op (or an argument-level error) from the caller's vCPU 0 and
 * checks the hypercall result, the status written back, and the table it names. Frame lists go in
 * scratch page 1; an unmapped or Xen-range handle replaces the op or the list where asked.
 */
enum gt_handle { GT_OK = 0, GT_UNMAPPED, GT_XEN_RANGE };

struct gt_row {
    unsigned cmd;
    unsigned caller;        /* 0, 1 or 2 */
    domid_t  dom;           /* the op's domain field */
    uint32_t nr;            /* nr_frames, or the version to set */
    unsigned count;         /* 0: 1 (unless zero_count) */
    bool     zero_count;
    bool     pre_v2;        /* the caller switches to v2 first */
    enum gt_handle uop, list;
    long     expect;
    int16_t  status;
    bool     check_nr;      /* compare the target's nr_frames with nr_after */
    uint32_t nr_after;
    uint32_t version_after; /* the caller's version afterwards, 0: not checked */
};

static gva_t gt_handle_va(struct conf_ctx *c, struct domain *d, unsigned k, enum gt_handle h)
{
    if (h == GT_UNMAPPED)
        return DOM_VA(GC_FREE_GFN(k));
    if (h == GT_XEN_RANGE)
        return XEN_VIRT_START + 0x2000;
    return conf_scratch(c, d, k);
}

/* The frame list written back must be exactly the target's frames. */
static void gt_check_list(struct conf_ctx *c, struct vcpu *v, gva_t list, const mfn_t *want,
                          uint32_t nr)
{
    uint64_t got[GNT_MAX_FRAMES] = { 0 };

    if (nr > GNT_MAX_FRAMES || conf_get(c, v, list, got, nr * sizeof(got[0])) < 0)
        return;
    for (uint32_t i = 0; i < nr; i++)
        CONF_EXPECT_EQ(c, want[i], got[i]);
}

static void gt_run(struct conf_ctx *c)
{
    const struct gt_row *r = c->data;
    struct domain *d = gc_dom(c, r->caller);
    struct vcpu *v = gc_vcpu(c, r->caller);
    struct domain *t = r->dom == DOMID_SELF ? d : dom_get(c->hv, r->dom);
    gva_t uop = gt_handle_va(c, d, 0, r->uop), list = gt_handle_va(c, d, 1, r->list);
    union {
        struct gnttab_setup_table st;
        struct gnttab_query_size qs;
        struct gnttab_set_version sv;
        struct gnttab_get_status_frames gs;
        struct gnttab_get_version gv;
        uint8_t raw[64];
    } op;
    long rc;

    if (r->pre_v2) {
        struct gnttab_set_version sv = { .version = 2 };
        CONF_SETUP(c, gc_op(c, v, GNTTABOP_set_version, &sv, sizeof(sv), 1));
    }
    memset(&op, 0, sizeof(op));
    switch (r->cmd) {
    case GNTTABOP_setup_table:
        op.st.dom = r->dom;
        op.st.nr_frames = r->nr;
        op.st.frame_list = list;
        op.st.status = 77;
        break;
    case GNTTABOP_query_size:
        op.qs.dom = r->dom;
        op.qs.status = 77;
        break;
    case GNTTABOP_set_version:
        op.sv.version = r->nr;
        break;
    case GNTTABOP_get_status_frames:
        op.gs.dom = r->dom;
        op.gs.nr_frames = r->nr;
        op.gs.frame_list = list;
        op.gs.status = 77;
        break;
    case GNTTABOP_get_version:
        op.gv.dom = r->dom;
        op.gv.version = 77;
        break;
    default:
        break;
    }
    if (r->uop == GT_OK && conf_put(c, v, uop, &op, sizeof(op)) < 0)
        return;
    rc = conf_hc(c, v, HYPERVISOR_grant_table_op, r->cmd, uop, r->zero_count ? 0 : r->count ? r->count : 1, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->uop == GT_OK && conf_get(c, v, uop, &op, sizeof(op)) < 0)
        return;

    switch (r->cmd) {
    case GNTTABOP_setup_table:
        if (rc == 0)
            CONF_EXPECT_EQ(c, r->status, op.st.status);
        if (rc == 0 && op.st.status == GNTST_okay && t)
            gt_check_list(c, v, list, t->gnt.frames, r->nr);
        break;
    case GNTTABOP_query_size:
        if (rc == 0)
            CONF_EXPECT_EQ(c, r->status, op.qs.status);
        if (rc == 0 && op.qs.status == GNTST_okay && t) {
            CONF_EXPECT_EQ(c, t->gnt.nr_frames, op.qs.nr_frames);
            CONF_EXPECT_EQ(c, GNT_MAX_FRAMES, op.qs.max_nr_frames);
        }
        break;
    case GNTTABOP_set_version:
        /* the version in force is written back whatever the outcome */
        if (r->expect != -XEN_EFAULT && r->uop == GT_OK && !r->zero_count)
            CONF_EXPECT_EQ(c, d->gnt.version, op.sv.version);
        break;
    case GNTTABOP_get_status_frames:
        if (rc == 0)
            CONF_EXPECT_EQ(c, r->status, op.gs.status);
        if (rc == 0 && op.gs.status == GNTST_okay && t)
            gt_check_list(c, v, list, t->gnt.status, r->nr);
        break;
    case GNTTABOP_get_version:
        if (rc == 0 && t)
            CONF_EXPECT_EQ(c, t->gnt.version, op.gv.version);
        break;
    default:
        break;
    }
    if (r->check_nr && t)
        CONF_EXPECT_EQ(c, r->nr_after, t->gnt.nr_frames);
    if (r->version_after)
        CONF_EXPECT_EQ(c, r->version_after, d->gnt.version);
    /* v2 has exactly the status frames its grant frames need; v1 has none */
    if (d->gnt.version == 2)
        CONF_EXPECT_EQ(c, 1, d->gnt.nr_status_frames);
    else
        CONF_EXPECT_EQ(c, 0, d->gnt.nr_status_frames);
}

#define GT(...) (&(const struct gt_row){ __VA_ARGS__ })
static const struct conf_case gt_cases[] = {
    { "setup_table_self_one_frame", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = 1, .status = GNTST_okay, .check_nr = true, .nr_after = 1) },
    { "setup_table_grow_to_max", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = GNT_MAX_FRAMES, .status = GNTST_okay, .check_nr = true,
      .nr_after = GNT_MAX_FRAMES) },
    { "setup_table_zero_frames", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = 0, .status = GNTST_okay, .check_nr = true, .nr_after = 1) },
    { "setup_table_over_max_general_error", gt_run, GT(.cmd = GNTTABOP_setup_table,
      .caller = 1, .dom = DOMID_SELF, .nr = GNT_MAX_FRAMES + 1, .status = GNTST_general_error,
      .check_nr = true, .nr_after = 1) },
    { "setup_table_v2_grows_status", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = 3, .pre_v2 = true, .status = GNTST_okay, .check_nr = true,
      .nr_after = 3, .version_after = 2) },
    { "setup_table_other_unprivileged_denied", gt_run, GT(.cmd = GNTTABOP_setup_table,
      .caller = 1, .dom = 2, .nr = 2, .status = GNTST_permission_denied, .check_nr = true,
      .nr_after = 1) },
    { "setup_table_dom0_over_dom1", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 0,
      .dom = 1, .nr = 2, .status = GNTST_okay, .check_nr = true, .nr_after = 2) },
    { "setup_table_no_domain_bad_domain", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 0,
      .dom = 6, .nr = 1, .status = GNTST_bad_domain) },
    { "setup_table_unmapped_list_bad_virt_addr", gt_run, GT(.cmd = GNTTABOP_setup_table,
      .caller = 1, .dom = DOMID_SELF, .nr = 1, .list = GT_UNMAPPED,
      .status = GNTST_bad_virt_addr) },
    { "setup_table_xen_range_list_efault", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = 1, .list = GT_XEN_RANGE, .expect = -XEN_EFAULT) },
    { "setup_table_unmapped_op_efault", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = 1, .uop = GT_UNMAPPED, .expect = -XEN_EFAULT) },
    { "setup_table_count_two_einval", gt_run, GT(.cmd = GNTTABOP_setup_table, .caller = 1,
      .dom = DOMID_SELF, .nr = 1, .count = 2, .expect = -XEN_EINVAL) },
    { "query_size_self", gt_run, GT(.cmd = GNTTABOP_query_size, .caller = 1, .dom = DOMID_SELF,
      .status = GNTST_okay) },
    { "query_size_dom0_over_dom2", gt_run, GT(.cmd = GNTTABOP_query_size, .caller = 0, .dom = 2,
      .status = GNTST_okay) },
    { "query_size_other_unprivileged_denied", gt_run, GT(.cmd = GNTTABOP_query_size,
      .caller = 2, .dom = 1, .status = GNTST_permission_denied) },
    { "query_size_no_domain_bad_domain", gt_run, GT(.cmd = GNTTABOP_query_size, .caller = 1,
      .dom = 7, .status = GNTST_bad_domain) },
    { "get_version_default_v1", gt_run, GT(.cmd = GNTTABOP_get_version, .caller = 1,
      .dom = DOMID_SELF, .version_after = 1) },
    { "get_version_after_v2", gt_run, GT(.cmd = GNTTABOP_get_version, .caller = 1,
      .dom = DOMID_SELF, .pre_v2 = true, .version_after = 2) },
    { "get_version_no_domain_esrch", gt_run, GT(.cmd = GNTTABOP_get_version, .caller = 1,
      .dom = 6, .expect = -XEN_ESRCH) },
    { "get_version_other_unprivileged_eperm", gt_run, GT(.cmd = GNTTABOP_get_version,
      .caller = 1, .dom = 2, .expect = -XEN_EPERM) },
    { "set_version_2", gt_run, GT(.cmd = GNTTABOP_set_version, .caller = 1, .nr = 2,
      .version_after = 2) },
    { "set_version_same_is_noop", gt_run, GT(.cmd = GNTTABOP_set_version, .caller = 1, .nr = 1,
      .version_after = 1) },
    { "set_version_back_to_1", gt_run, GT(.cmd = GNTTABOP_set_version, .caller = 1, .nr = 1,
      .pre_v2 = true, .version_after = 1) },
    { "set_version_3_einval", gt_run, GT(.cmd = GNTTABOP_set_version, .caller = 1, .nr = 3,
      .expect = -XEN_EINVAL, .version_after = 1) },
    /* Xen passes set_version no count: 0 is as good as 1 */
    { "set_version_count_zero_ignored", gt_run, GT(.cmd = GNTTABOP_set_version, .caller = 1,
      .nr = 2, .zero_count = true, .version_after = 2) },
    { "get_status_frames_v2", gt_run, GT(.cmd = GNTTABOP_get_status_frames, .caller = 1,
      .dom = DOMID_SELF, .nr = 1, .pre_v2 = true, .status = GNTST_okay) },
    { "get_status_frames_v1_general_error", gt_run, GT(.cmd = GNTTABOP_get_status_frames,
      .caller = 1, .dom = DOMID_SELF, .nr = 1, .status = GNTST_general_error) },
    { "get_status_frames_too_many_general_error", gt_run,
      GT(.cmd = GNTTABOP_get_status_frames, .caller = 1, .dom = DOMID_SELF, .nr = 2,
         .pre_v2 = true, .status = GNTST_general_error) },
    { "get_status_frames_other_unprivileged_denied", gt_run,
      GT(.cmd = GNTTABOP_get_status_frames, .caller = 2, .dom = 1, .nr = 1,
         .status = GNTST_permission_denied) },
    { "dump_table_enosys", gt_run, GT(.cmd = GNTTABOP_dump_table, .caller = 1,
      .expect = -XEN_ENOSYS) },
    { "unknown_cmd_enosys", gt_run, GT(.cmd = 42, .caller = 1, .expect = -XEN_ENOSYS) },
    { "negative_count_einval", gt_run, GT(.cmd = GNTTABOP_map_grant_ref, .caller = 1,
      .count = 0x80000000U, .expect = -XEN_EINVAL) },
};
CONF_AREA("grant_table", gt_cases)
