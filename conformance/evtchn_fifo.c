/* Conformance: the FIFO event channel ABI's init_control, expand_array and set_priority, and reset back to 2-level. */
#include <string.h>
#include "conformance.h"

/*
 * Each row starts from the standard machine, runs a prep (the FIFO ABI set up on dom1's vCPU 0,
 * event array pages added, a port bound), then issues one op from dom1's vCPU 0 with its struct in
 * scratch page 0, and checks the result and the refs the op leaves on the page it names. A PV
 * guest names the pages by machine frame (Xen's get_page_from_gfn is 1:1 for it). Xen 4.17's
 * checks, in its order: init_control the vCPU (-ENOENT), the offset within the page and 8-byte
 * aligned, the vCPU's block not set yet, the frame the caller's and typable writable (-EINVAL);
 * expand_array the ABI in use (-EOPNOTSUPP), 128 pages at most (-ENOSPC), the frame; set_priority
 * the port valid (-EINVAL), the ABI's priorities (-ENOSYS on 2-level), the port in use (-EACCES),
 * the priority at most 15 (-EINVAL).
 */
enum ff_prep {
    FFP_NONE = 0,
    FFP_INIT,          /* init_control on vCPU 0 with scratch page 1 */
    FFP_INIT_PORT,     /* FFP_INIT, then bind_ipi: port 1 */
    FFP_PORT,          /* bind_ipi only: port 1 on the 2-level ABI */
    FFP_FULL_ARRAY,    /* FFP_INIT, then the 128 event array pages (all scratch page 2) */
};
enum ff_frame {
    FFF_NONE = 0, FFF_OWN1, FFF_OWN2, FFF_OWN3, FFF_FOREIGN, FFF_PAST_POOL, FFF_L2, FFF_HUGE,
};

struct ff_row {
    enum ff_prep prep;
    unsigned     cmd;
    enum ff_frame frame;     /* init_control's control_gfn, expand_array's array_gfn */
    uint32_t     offset, vcpu, port, priority;
    bool         bad_ptr;    /* the argument pointer is not mapped */
    long         expect;
    int          refs;       /* type refs the op adds to its frame (success rows) */
};

#define FF(...) (&(const struct ff_row){ __VA_ARGS__ })

static mfn_t ff_frame(struct conf_ctx *c, enum ff_frame f)
{
    switch (f) {
    case FFF_NONE:      return 0;
    case FFF_OWN1:      return conf_scratch_mfn(c, c->d1, 1);
    case FFF_OWN2:      return conf_scratch_mfn(c, c->d1, 2);
    case FFF_OWN3:      return conf_scratch_mfn(c, c->d1, 3);
    case FFF_FOREIGN:   return conf_scratch_mfn(c, c->d2, 1);
    case FFF_PAST_POOL: return c->hv->nr_frames + 5U;
    case FFF_L2:        return c->d1->p2m[DOM_GFN_L2];
    case FFF_HUGE:      return 1ULL << 40;
    }
    return MFN_INVALID;
}

/* One event_channel_op from dom1's vCPU 0 with the struct in its scratch page 0, read back. */
static long ff_op(struct conf_ctx *c, unsigned cmd, void *arg, size_t len)
{
    gva_t va = conf_scratch(c, c->d1, 0);
    long rc;

    if (conf_put(c, c->v1, va, arg, len) < 0)
        return -XEN_EFAULT;
    rc = conf_hc(c, c->v1, HYPERVISOR_event_channel_op, cmd, va, 0, 0, 0);
    if (conf_get(c, c->v1, va, arg, len) < 0)
        return -XEN_EFAULT;
    return rc;
}

static int ff_prep(struct conf_ctx *c, enum ff_prep p)
{
    struct evtchn_init_control ic = { .control_gfn = ff_frame(c, FFF_OWN1) };
    struct evtchn_expand_array ea = { .array_gfn = ff_frame(c, FFF_OWN2) };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    long rc;

    if (p == FFP_NONE)
        return 0;
    if (p != FFP_PORT && (rc = ff_op(c, EVTCHNOP_init_control, &ic, sizeof(ic))) != 0) {
        CONF_ERROR(c, "prep: init_control gave %ld", rc);
        return -1;
    }
    if (p == FFP_INIT_PORT || p == FFP_PORT) {
        rc = ff_op(c, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi));
        if (rc != 0 || ipi.port != 1) {
            CONF_ERROR(c, "prep: bind_ipi gave %ld, port %u", rc, ipi.port);
            return -1;
        }
    }
    if (p == FFP_FULL_ARRAY)
        for (uint32_t i = 0; i < EVTCHN_FIFO_MAX_ARRAY_PAGES; i++)
            if ((rc = ff_op(c, EVTCHNOP_expand_array, &ea, sizeof(ea))) != 0) {
                CONF_ERROR(c, "prep: expand_array %u gave %ld", i, rc);
                return -1;
            }
    return 0;
}

static void ff_run(struct conf_ctx *c)
{
    const struct ff_row *r = c->data;
    union {
        struct evtchn_init_control ic;
        struct evtchn_expand_array ea;
        struct evtchn_set_priority sp;
    } a;
    mfn_t m = ff_frame(c, r->frame);
    uint32_t before = 0;
    long rc;

    if (ff_prep(c, r->prep) < 0)
        return;
    memset(&a, 0, sizeof(a));
    switch (r->cmd) {
    case EVTCHNOP_init_control:
        a.ic = (struct evtchn_init_control){ .control_gfn = m, .offset = r->offset,
                                             .vcpu = r->vcpu };
        break;
    case EVTCHNOP_expand_array:
        a.ea.array_gfn = m;
        break;
    default:
        a.sp = (struct evtchn_set_priority){ .port = r->port, .priority = r->priority };
        break;
    }
    if (mfn_valid(c->hv, m))
        before = c->hv->frames[m].type_count;
    if (r->bad_ptr)
        rc = conf_hc(c, c->v1, HYPERVISOR_event_channel_op, r->cmd, DOM_VA(CONF_DOM_PAGES),
                     0, 0, 0);
    else
        rc = ff_op(c, r->cmd, &a, sizeof(a));
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (mfn_valid(c->hv, m))
        CONF_EXPECT_EQ(c, before + (rc == 0 ? r->refs : 0), c->hv->frames[m].type_count);
    if (rc != 0 || r->bad_ptr)
        return;
    if (r->cmd == EVTCHNOP_init_control)
        CONF_EXPECT_EQ(c, EVTCHN_FIFO_LINK_BITS, a.ic.link_bits);
    if (r->cmd == EVTCHNOP_set_priority)
        CONF_EXPECT_EQ(c, r->priority, c->d1->evtchn[r->port].priority);
}

/*
 * EVTCHNOP_reset of the domain by itself ends the FIFO ABI: the control block and array pages
 * are given back (their type refs dropped), set_priority is the 2-level ABI's -ENOSYS again, and
 * init_control may start over.
 */
static void ff_reset_releases(struct conf_ctx *c)
{
    mfn_t cb = ff_frame(c, FFF_OWN1), arr = ff_frame(c, FFF_OWN2);
    uint32_t cb0 = c->hv->frames[cb].type_count, arr0 = c->hv->frames[arr].type_count;
    struct evtchn_expand_array ea = { .array_gfn = arr };
    struct evtchn_set_priority sp = { .port = 1, .priority = 3 };
    struct evtchn_init_control ic = { .control_gfn = cb };
    domid_t self = DOMID_SELF;

    if (ff_prep(c, FFP_INIT_PORT) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, ff_op(c, EVTCHNOP_expand_array, &ea, sizeof(ea)));
    CONF_EXPECT_EQ(c, cb0 + 1, c->hv->frames[cb].type_count);
    CONF_EXPECT_EQ(c, arr0 + 1, c->hv->frames[arr].type_count);
    CONF_EXPECT_EQ(c, 0, ff_op(c, EVTCHNOP_reset, &self, sizeof(self)));
    CONF_EXPECT_EQ(c, cb0, c->hv->frames[cb].type_count);
    CONF_EXPECT_EQ(c, arr0, c->hv->frames[arr].type_count);
    /* port 1 is closed but its bucket stays valid: the 2-level ABI's answer */
    CONF_EXPECT_EQ(c, -XEN_ENOSYS, ff_op(c, EVTCHNOP_set_priority, &sp, sizeof(sp)));
    CONF_EXPECT_EQ(c, -XEN_EOPNOTSUPP, ff_op(c, EVTCHNOP_expand_array, &ea, sizeof(ea)));
    CONF_EXPECT_EQ(c, 0, ff_op(c, EVTCHNOP_init_control, &ic, sizeof(ic)));
}

/* The domain's destruction gives the pages back too: the frames end free, with no refs left. */
static void ff_destroy_releases(struct conf_ctx *c)
{
    struct xen_domctl dc;
    gva_t va = conf_scratch(c, c->d0, 0);
    mfn_t cb = ff_frame(c, FFF_OWN1);

    if (ff_prep(c, FFP_FULL_ARRAY) < 0)
        return;
    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_destroydomain;
    dc.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    dc.domain = 1;
    if (conf_put(c, c->v0, va, &dc, sizeof(dc)) < 0)
        return;
    long rc;
    while ((rc = conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0)) == -XEN_ERESTART)
        ;
    CONF_EXPECT_EQ(c, 0, rc);
    CONF_EXPECT_EQ(c, DOMID_INVALID, c->hv->frames[cb].owner);
    CONF_EXPECT_EQ(c, 0, c->hv->frames[cb].type_count);
}

static const struct conf_case ff_cases[] = {
    { "init_control", ff_run, FF(.cmd = EVTCHNOP_init_control, .frame = FFF_OWN1, .refs = 1) },
    { "init_control_last_offset", ff_run, FF(.cmd = EVTCHNOP_init_control, .frame = FFF_OWN1,
      .offset = PAGE_SIZE - EVTCHN_FIFO_CONTROL_SIZE, .refs = 1) },
    { "init_control_offset_crosses_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN1, .offset = PAGE_SIZE - EVTCHN_FIFO_CONTROL_SIZE + 8,
      .expect = -XEN_EINVAL) },
    { "init_control_offset_huge_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN1, .offset = 0xFFFFFFF8U, .expect = -XEN_EINVAL) },
    { "init_control_offset_unaligned_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN1, .offset = 4, .expect = -XEN_EINVAL) },
    { "init_control_vcpu1", ff_run, FF(.prep = FFP_INIT, .cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN3, .vcpu = 1, .refs = 1) },
    { "init_control_bad_vcpu_enoent", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN1, .vcpu = 2, .expect = -XEN_ENOENT) },
    { "init_control_huge_vcpu_enoent", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN1, .vcpu = 0xFFFFFFFFU, .offset = 4, .expect = -XEN_ENOENT) },
    { "init_control_twice_einval", ff_run, FF(.prep = FFP_INIT, .cmd = EVTCHNOP_init_control,
      .frame = FFF_OWN3, .expect = -XEN_EINVAL) },
    { "init_control_foreign_frame_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_FOREIGN, .expect = -XEN_EINVAL) },
    { "init_control_frame_past_pool_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_PAST_POOL, .expect = -XEN_EINVAL) },
    { "init_control_frame_huge_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_HUGE, .expect = -XEN_EINVAL) },
    { "init_control_page_table_einval", ff_run, FF(.cmd = EVTCHNOP_init_control,
      .frame = FFF_L2, .expect = -XEN_EINVAL) },
    { "init_control_bad_arg_efault", ff_run, FF(.cmd = EVTCHNOP_init_control, .bad_ptr = true,
      .expect = -XEN_EFAULT) },
    { "expand_array", ff_run, FF(.prep = FFP_INIT, .cmd = EVTCHNOP_expand_array,
      .frame = FFF_OWN2, .refs = 1) },
    { "expand_array_control_page_too", ff_run, FF(.prep = FFP_INIT, .cmd = EVTCHNOP_expand_array,
      .frame = FFF_OWN1, .refs = 1) },
    { "expand_array_2level_eopnotsupp", ff_run, FF(.cmd = EVTCHNOP_expand_array,
      .frame = FFF_OWN2, .expect = -XEN_EOPNOTSUPP) },
    { "expand_array_foreign_frame_einval", ff_run, FF(.prep = FFP_INIT,
      .cmd = EVTCHNOP_expand_array, .frame = FFF_FOREIGN, .expect = -XEN_EINVAL) },
    { "expand_array_frame_past_pool_einval", ff_run, FF(.prep = FFP_INIT,
      .cmd = EVTCHNOP_expand_array, .frame = FFF_PAST_POOL, .expect = -XEN_EINVAL) },
    { "expand_array_page_table_einval", ff_run, FF(.prep = FFP_INIT,
      .cmd = EVTCHNOP_expand_array, .frame = FFF_L2, .expect = -XEN_EINVAL) },
    { "expand_array_full_enospc", ff_run, FF(.prep = FFP_FULL_ARRAY,
      .cmd = EVTCHNOP_expand_array, .frame = FFF_OWN3, .expect = -XEN_ENOSPC) },
    { "expand_array_bad_arg_efault", ff_run, FF(.prep = FFP_INIT, .cmd = EVTCHNOP_expand_array,
      .bad_ptr = true, .expect = -XEN_EFAULT) },
    { "set_priority_highest", ff_run, FF(.prep = FFP_INIT_PORT, .cmd = EVTCHNOP_set_priority,
      .port = 1, .priority = EVTCHN_FIFO_PRIORITY_MAX) },
    { "set_priority_lowest", ff_run, FF(.prep = FFP_INIT_PORT, .cmd = EVTCHNOP_set_priority,
      .port = 1, .priority = EVTCHN_FIFO_PRIORITY_MIN) },
    { "set_priority_past_lowest_einval", ff_run, FF(.prep = FFP_INIT_PORT,
      .cmd = EVTCHNOP_set_priority, .port = 1, .priority = EVTCHN_FIFO_PRIORITY_MIN + 1,
      .expect = -XEN_EINVAL) },
    { "set_priority_huge_einval", ff_run, FF(.prep = FFP_INIT_PORT, .cmd = EVTCHNOP_set_priority,
      .port = 1, .priority = 0xFFFFFFFFU, .expect = -XEN_EINVAL) },
    { "set_priority_free_port_eacces", ff_run, FF(.prep = FFP_INIT_PORT,
      .cmd = EVTCHNOP_set_priority, .port = 5, .expect = -XEN_EACCES) },
    { "set_priority_port0_eacces", ff_run, FF(.prep = FFP_INIT, .cmd = EVTCHNOP_set_priority,
      .port = 0, .expect = -XEN_EACCES) },
    { "set_priority_past_bucket_einval", ff_run, FF(.prep = FFP_INIT_PORT,
      .cmd = EVTCHNOP_set_priority, .port = EVTCHN_BUCKET, .priority = 3,
      .expect = -XEN_EINVAL) },
    { "set_priority_port_limit_einval", ff_run, FF(.prep = FFP_INIT_PORT,
      .cmd = EVTCHNOP_set_priority, .port = EVTCHN_2L_NR_CHANNELS, .expect = -XEN_EINVAL) },
    { "set_priority_2level_enosys", ff_run, FF(.prep = FFP_PORT, .cmd = EVTCHNOP_set_priority,
      .port = 1, .priority = 20, .expect = -XEN_ENOSYS) },
    { "set_priority_2level_past_bucket_einval", ff_run, FF(.prep = FFP_PORT,
      .cmd = EVTCHNOP_set_priority, .port = EVTCHN_BUCKET, .expect = -XEN_EINVAL) },
    { "set_priority_bad_arg_efault", ff_run, FF(.prep = FFP_INIT_PORT,
      .cmd = EVTCHNOP_set_priority, .bad_ptr = true, .expect = -XEN_EFAULT) },
    { "reset_releases_pages", ff_reset_releases, NULL },
    { "destroy_releases_pages", ff_destroy_releases, NULL },
};
CONF_AREA("evtchn_fifo", ff_cases)
