/* domctl conformance: privilege, interface version, create/destroy/pause/info/limits and errors. */
#include <string.h>
#include "conformance.h"

/*
 * Each row issues one domctl from dom0 (or dom1 when unprivileged) with the struct placed in the
 * caller's scratch page, compares the return value, then runs the row's own check on the state.
 */
enum dc_handle { DC_HANDLE_OK = 0, DC_HANDLE_UNMAPPED, DC_HANDLE_NONCANON };

struct dc_row {
    uint32_t cmd;
    bool     unprivileged;      /* issue from dom1 instead of dom0 */
    uint32_t version;           /* 0: XEN_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;
    uint64_t arg;               /* createdomain max_vcpus, max_memkb or max_vcpus.max */
    /* createdomain's configuration beyond max_vcpus: changed from a toolstack's usual one */
    void   (*config)(struct xen_domctl_createdomain *cd);
    enum dc_handle handle;
    long     expect;
    void   (*check)(struct conf_ctx *c, const struct xen_domctl *out);
};

static void dc_fill(struct xen_domctl *op, const struct dc_row *r)
{
    memset(op, 0, sizeof(*op));
    op->cmd = r->cmd;
    op->interface_version = r->version ? r->version : XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = r->domain;
    switch (r->cmd) {
    case XEN_DOMCTL_createdomain:
        /* what a toolstack asks for: grant v2 allowed, the default table sizes, 1023 ports */
        op->u.createdomain.max_vcpus = (uint32_t)r->arg;
        op->u.createdomain.grant_opts = 2;
        op->u.createdomain.max_grant_frames = -1;
        op->u.createdomain.max_maptrack_frames = -1;
        op->u.createdomain.max_evtchn_port = 1023;
        if (r->config)
            r->config(&op->u.createdomain);
        break;
    case XEN_DOMCTL_max_mem:
        op->u.max_mem.max_memkb = r->arg;
        break;
    case XEN_DOMCTL_max_vcpus:
        op->u.max_vcpus.max = (uint32_t)r->arg;
        break;
    default:
        break;
    }
}

static void dc_run(struct conf_ctx *c)
{
    const struct dc_row *r = c->data;
    struct vcpu *v = r->unprivileged ? c->v1 : c->v0;
    struct domain *d = r->unprivileged ? c->d1 : c->d0;
    struct xen_domctl op, out;
    gva_t va = conf_scratch(c, d, 0);

    dc_fill(&op, r);
    if (conf_put(c, v, va, &op, sizeof(op)) < 0)
        return;
    if (r->handle == DC_HANDLE_UNMAPPED)
        va = DOM_VA(CONF_DOM_PAGES + 8);
    else if (r->handle == DC_HANDLE_NONCANON)
        va = 0x0000800000000000ULL;
    long rc = conf_hc(c, v, HYPERVISOR_domctl, va, 0, 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->handle != DC_HANDLE_OK || conf_get(c, v, va, &out, sizeof(out)) < 0)
        return;
    if (r->check)
        r->check(c, &out);
}

static void dc_check_created3(struct conf_ctx *c, const struct xen_domctl *out)
{
    /* dom1 and dom2 exist: the first free id after the rover (0 on a new machine) is 3 */
    CONF_EXPECT_EQ(c, 3, out->domain);
    struct domain *d = dom_get(c->hv, 3);
    CONF_EXPECT(c, d != NULL);
    if (!d)
        return;
    CONF_EXPECT(c, !d->privileged);
    CONF_EXPECT_EQ(c, 0, d->tot_pages);
    CONF_EXPECT_EQ(c, 0, d->max_pages);     /* max_mem gives it memory */
    CONF_EXPECT_EQ(c, 1, d->paused);        /* until the toolstack unpauses it */
    CONF_EXPECT_EQ(c, 2, d->nr_vcpus);
    CONF_EXPECT(c, !d->vcpu[0].up && !d->vcpu[0].initialised);
}

static void dc_check_created5(struct conf_ctx *c, const struct xen_domctl *out)
{
    CONF_EXPECT_EQ(c, 5, out->domain);
    CONF_EXPECT(c, dom_get(c->hv, 5) != NULL);
    CONF_EXPECT(c, dom_get(c->hv, 3) == NULL);
}

static void dc_check_gone2(struct conf_ctx *c, const struct xen_domctl *out)
{
    (void)out;
    CONF_EXPECT(c, dom_get(c->hv, 2) == NULL);
    /* nothing referenced dom2's memory: every one of its frames is back on the free list */
    CONF_EXPECT_EQ(c, CONF_FRAMES - c->d0->tot_pages - c->d0->xenpages.count -
                      c->d1->tot_pages - c->d1->xenpages.count, c->hv->free.count);
}

static void dc_check_paused1(struct conf_ctx *c, const struct xen_domctl *out)
{
    (void)out;
    CONF_EXPECT(c, c->d1->paused);
    CONF_EXPECT(c, !vcpu_runnable(c->hv, c->v1));
    CONF_EXPECT_EQ(c, -XEN_ESRCH, conf_hc(c, c->v1, HYPERVISOR_xen_version, XENVER_version,
                                          0, 0, 0, 0));
}

static void dc_check_info1(struct conf_ctx *c, const struct xen_domctl *out)
{
    const struct xen_domctl_getdomaininfo *i = &out->u.getdomaininfo;
    CONF_EXPECT_EQ(c, 1, i->domain);
    CONF_EXPECT_EQ(c, CONF_DOM_PAGES, i->tot_pages);
    CONF_EXPECT_EQ(c, c->d1->max_pages, i->max_pages);
    CONF_EXPECT_EQ(c, 1, i->nr_online_vcpus);
    CONF_EXPECT_EQ(c, 1, i->max_vcpu_id);
    /* its vCPU can run but is not on the (one) CPU: dom0's is */
    CONF_EXPECT_EQ(c, 0, i->flags);
}

static void dc_check_info0(struct conf_ctx *c, const struct xen_domctl *out)
{
    CONF_EXPECT_EQ(c, XEN_DOMINF_running, out->u.getdomaininfo.flags);
    CONF_EXPECT_EQ(c, 0, out->u.getdomaininfo.domain);
}

static void dc_check_maxmem(struct conf_ctx *c, const struct xen_domctl *out)
{
    (void)out;
    CONF_EXPECT_EQ(c, 256, c->d1->max_pages);   /* 1024 KiB of 4 KiB pages */
}

static void dc_check_untouched(struct conf_ctx *c, const struct xen_domctl *out)
{
    (void)out;
    CONF_EXPECT(c, dom_get(c->hv, 3) == NULL);
    CONF_EXPECT(c, !c->d1->paused && !c->d1->dying);
    CONF_EXPECT_EQ(c, 2 * CONF_DOM_PAGES, c->d1->max_pages);
}

/* Pause then unpause: the domain's vCPU runs again (kept apart: two hypercalls, one row). */
static void dc_pause_unpause(struct conf_ctx *c)
{
    struct xen_domctl op;
    gva_t va = conf_scratch(c, c->d0, 0);
    const uint32_t cmds[] = { XEN_DOMCTL_pausedomain, XEN_DOMCTL_unpausedomain };
    for (unsigned i = 0; i < 2; i++) {
        memset(&op, 0, sizeof(op));
        op.cmd = cmds[i];
        op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
        op.domain = 1;
        if (conf_put(c, c->v0, va, &op, sizeof(op)) < 0)
            return;
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
    }
    CONF_EXPECT(c, !c->d1->paused);
    CONF_EXPECT_EQ(c, 0x40011, conf_hc(c, c->v1, HYPERVISOR_xen_version, XENVER_version,
                                        0, 0, 0, 0));
}

/* Issue one domctl from dom0; its return value. */
static long dc_issue(struct conf_ctx *c, uint32_t cmd, domid_t domain, struct xen_domctl *out)
{
    struct xen_domctl op;
    gva_t va = conf_scratch(c, c->d0, 0);
    const struct dc_row r = { .cmd = cmd, .domain = domain, .arg = 1 };

    dc_fill(&op, &r);
    if (conf_put(c, c->v0, va, &op, sizeof(op)) < 0)
        return -XEN_EFAULT;
    long rc = conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0);
    if (out && conf_get(c, c->v0, va, out, sizeof(*out)) < 0)
        return -XEN_EFAULT;
    return rc;
}

/* Two pauses need two unpauses (Xen counts the control domain's pauses). */
static void dc_pause_counted(struct conf_ctx *c)
{
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_pausedomain, 1, NULL));
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_pausedomain, 1, NULL));
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_unpausedomain, 1, NULL));
    CONF_EXPECT(c, c->d1->paused);
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_unpausedomain, 1, NULL));
    CONF_EXPECT(c, !c->d1->paused);
    CONF_EXPECT_EQ(c, -XEN_EINVAL, dc_issue(c, XEN_DOMCTL_unpausedomain, 1, NULL));
}

/* getdomaininfo of an id no domain has reports the next domain up. */
static void dc_info_next(struct conf_ctx *c)
{
    struct xen_domctl out;
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_createdomain, 5, NULL));
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_getdomaininfo, 3, &out));
    CONF_EXPECT_EQ(c, 5, out.domain);
    CONF_EXPECT_EQ(c, 5, out.u.getdomaininfo.domain);
    CONF_EXPECT_EQ(c, XEN_DOMINF_paused, out.u.getdomaininfo.flags);
    CONF_EXPECT_EQ(c, 0, out.u.getdomaininfo.tot_pages);
}

/* The rover: after 3 is made and destroyed, the next domain is 4, not 3 again. */
static void dc_create_rover(struct conf_ctx *c)
{
    struct xen_domctl out;
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_createdomain, 0, &out));
    CONF_EXPECT_EQ(c, 3, out.domain);
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_destroydomain, 3, NULL));
    CONF_EXPECT_EQ(c, 0, dc_issue(c, XEN_DOMCTL_createdomain, 0, &out));
    CONF_EXPECT_EQ(c, 4, out.domain);
}

/* createdomain configurations 4.17 refuses on a PV-only machine (or accepts: the PIT). */
static void dc_cfg_flag8(struct xen_domctl_createdomain *cd) { cd->flags = 1U << 8; }
static void dc_cfg_hvm(struct xen_domctl_createdomain *cd) { cd->flags = XEN_DOMCTL_CDF_hvm; }
static void dc_cfg_hap(struct xen_domctl_createdomain *cd) { cd->flags = XEN_DOMCTL_CDF_hap; }
static void dc_cfg_iommu(struct xen_domctl_createdomain *cd) { cd->flags = XEN_DOMCTL_CDF_iommu; }
static void dc_cfg_iommu_opts(struct xen_domctl_createdomain *cd) { cd->iommu_opts = 1; }
static void dc_cfg_vmtrace(struct xen_domctl_createdomain *cd) { cd->vmtrace_size = 4096; }
static void dc_cfg_gnt_v0(struct xen_domctl_createdomain *cd) { cd->grant_opts = 0; }
static void dc_cfg_gnt_v3(struct xen_domctl_createdomain *cd) { cd->grant_opts = 3; }
static void dc_cfg_gnt_opts(struct xen_domctl_createdomain *cd) { cd->grant_opts = 0x12; }
static void dc_cfg_gnt_0(struct xen_domctl_createdomain *cd) { cd->max_grant_frames = 0; }
static void dc_cfg_gnt_65(struct xen_domctl_createdomain *cd) { cd->max_grant_frames = 65; }
static void dc_cfg_mt_1025(struct xen_domctl_createdomain *cd) { cd->max_maptrack_frames = 1025; }
static void dc_cfg_emu_pit(struct xen_domctl_createdomain *cd)
{
    cd->arch.emulation_flags = XEN_X86_EMU_PIT;
}
static void dc_cfg_emu_lapic(struct xen_domctl_createdomain *cd) { cd->arch.emulation_flags = 1; }
static void dc_cfg_emu_bad(struct xen_domctl_createdomain *cd)
{
    cd->arch.emulation_flags = XEN_X86_EMU_ALL + 1;
}
static void dc_cfg_misc(struct xen_domctl_createdomain *cd) { cd->arch.misc_flags = 2; }

#define DC(...) (&(const struct dc_row){ __VA_ARGS__ })
#define DC_CFG(name, fn, rc, chk) \
    { "create_" name, dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .arg = 2, .config = fn, \
      .expect = rc, .check = chk) }
static const struct conf_case dc_cases[] = {
    { "create_lowest_free_id", dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .arg = 2,
      .check = dc_check_created3) },
    { "create_requested_id", dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .domain = 5, .arg = 1,
      .check = dc_check_created5) },
    { "create_taken_id_eexist", dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .domain = 1, .arg = 1,
      .expect = -XEN_EEXIST, .check = dc_check_untouched) },
    { "create_zero_vcpus_einval", dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .arg = 0,
      .expect = -XEN_EINVAL, .check = dc_check_untouched) },
    /* past Xen's limit for PV (8192); the model's own is HV_MAX_VCPUS */
    { "create_too_many_vcpus_einval", dc_run, DC(.cmd = XEN_DOMCTL_createdomain,
      .arg = 8193, .expect = -XEN_EINVAL, .check = dc_check_untouched) },
    { "create_reserved_id_picks_free", dc_run, DC(.cmd = XEN_DOMCTL_createdomain,
      .domain = DOMID_SELF, .arg = 2, .check = dc_check_created3) },
    { "create_rover_moves_on", dc_create_rover, NULL },
    DC_CFG("unknown_flag_einval", dc_cfg_flag8, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("hvm_without_emulators_eopnotsupp", dc_cfg_hvm, -XEN_EOPNOTSUPP, dc_check_untouched),
    DC_CFG("hap_without_hvm_einval", dc_cfg_hap, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("iommu_unavailable_einval", dc_cfg_iommu, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("iommu_opts_without_iommu_einval", dc_cfg_iommu_opts, -XEN_EINVAL,
           dc_check_untouched),
    DC_CFG("vmtrace_unavailable_einval", dc_cfg_vmtrace, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("grant_version0_einval", dc_cfg_gnt_v0, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("grant_version3_einval", dc_cfg_gnt_v3, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("grant_unknown_opts_einval", dc_cfg_gnt_opts, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("grant_frames0_einval", dc_cfg_gnt_0, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("grant_frames65_einval", dc_cfg_gnt_65, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("maptrack1025_einval", dc_cfg_mt_1025, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("emulate_pit", dc_cfg_emu_pit, 0, dc_check_created3),
    DC_CFG("emulate_lapic_eopnotsupp", dc_cfg_emu_lapic, -XEN_EOPNOTSUPP, dc_check_untouched),
    DC_CFG("emulate_unknown_einval", dc_cfg_emu_bad, -XEN_EINVAL, dc_check_untouched),
    DC_CFG("misc_flags_einval", dc_cfg_misc, -XEN_EINVAL, dc_check_untouched),
    { "create_unprivileged_eperm", dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .arg = 1,
      .unprivileged = true, .expect = -XEN_EPERM, .check = dc_check_untouched) },
    { "bad_interface_version_eacces", dc_run, DC(.cmd = XEN_DOMCTL_createdomain, .arg = 1,
      .version = XEN_DOMCTL_INTERFACE_VERSION - 1, .expect = -XEN_EACCES,
      .check = dc_check_untouched) },
    { "unmapped_handle_efault", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo, .domain = 1,
      .handle = DC_HANDLE_UNMAPPED, .expect = -XEN_EFAULT) },
    { "noncanonical_handle_efault", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo, .domain = 1,
      .handle = DC_HANDLE_NONCANON, .expect = -XEN_EFAULT) },
    { "destroy_other", dc_run, DC(.cmd = XEN_DOMCTL_destroydomain, .domain = 2,
      .check = dc_check_gone2) },
    { "destroy_self_einval", dc_run, DC(.cmd = XEN_DOMCTL_destroydomain, .domain = 0,
      .expect = -XEN_EINVAL) },
    { "destroy_unknown_esrch", dc_run, DC(.cmd = XEN_DOMCTL_destroydomain, .domain = 6,
      .expect = -XEN_ESRCH) },
    { "pause_other", dc_run, DC(.cmd = XEN_DOMCTL_pausedomain, .domain = 1,
      .check = dc_check_paused1) },
    { "pause_self_einval", dc_run, DC(.cmd = XEN_DOMCTL_pausedomain, .domain = 0,
      .expect = -XEN_EINVAL) },
    { "unpause_not_paused_einval", dc_run, DC(.cmd = XEN_DOMCTL_unpausedomain, .domain = 1,
      .expect = -XEN_EINVAL, .check = dc_check_untouched) },
    { "getdomaininfo_domu", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo, .domain = 1,
      .check = dc_check_info1) },
    { "getdomaininfo_dom0_running", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo, .domain = 0,
      .check = dc_check_info0) },
    { "getdomaininfo_next_domain", dc_info_next, NULL },
    { "getdomaininfo_reserved_einval", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo,
      .domain = DOMID_SELF, .expect = -XEN_EINVAL) },
    { "getdomaininfo_unprivileged_eperm", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo,
      .domain = 1, .unprivileged = true, .expect = -XEN_EPERM) },
    { "unprivileged_unknown_domain_esrch", dc_run, DC(.cmd = XEN_DOMCTL_max_mem, .domain = 6,
      .arg = 1024, .unprivileged = true, .expect = -XEN_ESRCH, .check = dc_check_untouched) },
    { "getdomaininfo_unknown_esrch", dc_run, DC(.cmd = XEN_DOMCTL_getdomaininfo, .domain = 7,
      .expect = -XEN_ESRCH) },
    { "max_mem_sets_max_pages", dc_run, DC(.cmd = XEN_DOMCTL_max_mem, .domain = 1, .arg = 1024,
      .check = dc_check_maxmem) },
    { "max_mem_unprivileged_eperm", dc_run, DC(.cmd = XEN_DOMCTL_max_mem, .domain = 1,
      .arg = 1 << 20, .unprivileged = true, .expect = -XEN_EPERM, .check = dc_check_untouched) },
    { "max_vcpus_zero_einval", dc_run, DC(.cmd = XEN_DOMCTL_max_vcpus, .domain = 1, .arg = 0,
      .expect = -XEN_EINVAL) },
    { "max_vcpus_other_count_einval", dc_run, DC(.cmd = XEN_DOMCTL_max_vcpus, .domain = 1,
      .arg = 1, .expect = -XEN_EINVAL) },
    { "max_vcpus_same_count", dc_run, DC(.cmd = XEN_DOMCTL_max_vcpus, .domain = 1, .arg = 2) },
    { "max_vcpus_self_einval", dc_run, DC(.cmd = XEN_DOMCTL_max_vcpus, .domain = 0, .arg = 1,
      .expect = -XEN_EINVAL) },
    { "unknown_cmd_enosys", dc_run, DC(.cmd = 99, .domain = 1, .expect = -XEN_ENOSYS) },
    { "pause_then_unpause", dc_pause_unpause, NULL },
    { "pause_counted", dc_pause_counted, NULL },
};
CONF_AREA("domctl", dc_cases)
