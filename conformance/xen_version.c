/* xen_version conformance: each sub-op's value or copied struct, and -EFAULT for bad handles. */
#include <string.h>
#include "conformance.h"

enum xv_handle { XV_OK = 0, XV_UNMAPPED, XV_READ_ONLY, XV_XEN_RANGE, XV_NONCANON, XV_NULL };

struct xv_row {
    uint32_t cmd;
    uint32_t submap_idx;       /* the buffer's first u32: get_features' submap_idx, build_id's len */
    bool     dom0;             /* the call comes from dom0 (privileged), else dom1 */
    enum xv_handle handle;
    long     expect;
    void   (*check)(struct conf_ctx *c, const uint8_t *out);
};

static void xv_check_extra(struct conf_ctx *c, const uint8_t *out)
{
    /* a NUL-terminated string within the 16-byte xen_extraversion_t */
    CONF_EXPECT(c, memchr(out, '\0', 16) != NULL);
    CONF_EXPECT_EQ(c, '.', out[0]);
}

static void xv_check_caps(struct conf_ctx *c, const uint8_t *out)
{
    CONF_EXPECT(c, memchr(out, '\0', 1024) != NULL);
    CONF_EXPECT(c, strstr((const char *)out, "xen-3.0-x86_64") != NULL);
}

static void xv_check_features(struct conf_ctx *c, const uint8_t *out)
{
    struct xen_feature_info fi;
    memcpy(&fi, out, sizeof(fi));
    CONF_EXPECT_EQ(c, 0, fi.submap_idx);
    /* XENFEAT_mmu_pt_update_preserve_ad: the model implements MMU_PT_UPDATE_PRESERVE_AD */
    CONF_EXPECT(c, fi.submap & (1U << 5));
}

static void xv_check_platform(struct conf_ctx *c, const uint8_t *out)
{
    struct xen_platform_parameters pp;
    memcpy(&pp, out, sizeof(pp));
    CONF_EXPECT_EQ(c, XEN_VIRT_START, pp.virt_start);
}

static void xv_check_features_dom0(struct conf_ctx *c, const uint8_t *out)
{
    struct xen_feature_info fi;
    memcpy(&fi, out, sizeof(fi));
    /* 4.17's PV bits (5, 6, 7, 13, 17) and XENFEAT_dom0 (11) for the hardware domain */
    CONF_EXPECT_EQ(c, 0x228E0, fi.submap);
}

static void xv_check_denied(struct conf_ctx *c, const uint8_t *out)
{
    /* the default policy's answer to an unprivileged caller: the string and its NUL only */
    CONF_EXPECT(c, memcmp(out, "<denied>", 9) == 0);
    CONF_EXPECT_EQ(c, 0xA5, out[9]);
}

static void xv_check_handle(struct conf_ctx *c, const uint8_t *out)
{
    static const uint8_t zero[16];
    CONF_EXPECT(c, memcmp(out, zero, sizeof(zero)) == 0);
    CONF_EXPECT_EQ(c, 0xA5, out[16]);
}

static void xv_run(struct conf_ctx *c)
{
    const struct xv_row *r = c->data;
    struct vcpu *v = r->dom0 ? c->v0 : c->v1;
    gva_t va = conf_scratch(c, r->dom0 ? c->d0 : c->d1, 0);
    static uint8_t page[PAGE_SIZE];

    memset(page, 0xA5, sizeof(page));
    struct xen_feature_info fi = { .submap_idx = r->submap_idx, .submap = 0 };
    memcpy(page, &fi, sizeof(fi));
    if (conf_put(c, v, va, page, sizeof(page)) < 0)
        return;
    switch (r->handle) {
    case XV_UNMAPPED:
        va = DOM_VA(CONF_DOM_PAGES + 6);
        break;
    case XV_READ_ONLY:
        va = DOM_VA(DOM_GFN_L3);   /* page-table frames are mapped read-only */
        break;
    case XV_XEN_RANGE:
        va = XEN_VIRT_START;
        break;
    case XV_NONCANON:
        va = 0x00FF000000000000ULL;
        break;
    case XV_NULL:
        va = 0;
        break;
    default:
        break;
    }
    long rc = conf_hc(c, v, HYPERVISOR_xen_version, r->cmd, va, 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (!r->check || r->handle != XV_OK || rc < 0)
        return;
    if (conf_get(c, v, va, page, sizeof(page)) < 0)
        return;
    r->check(c, page);
}

#define XV(...) (&(const struct xv_row){ __VA_ARGS__ })
static const struct conf_case xv_cases[] = {
    { "version", xv_run, XV(.cmd = XENVER_version, .expect = (4 << 16) | 17) },
    { "version_ignores_handle", xv_run, XV(.cmd = XENVER_version, .handle = XV_UNMAPPED,
      .expect = (4 << 16) | 17) },
    { "extraversion", xv_run, XV(.cmd = XENVER_extraversion, .check = xv_check_extra) },
    { "extraversion_unmapped_efault", xv_run, XV(.cmd = XENVER_extraversion,
      .handle = XV_UNMAPPED, .expect = -XEN_EFAULT) },
    { "extraversion_read_only_efault", xv_run, XV(.cmd = XENVER_extraversion,
      .handle = XV_READ_ONLY, .expect = -XEN_EFAULT) },
    { "capabilities", xv_run, XV(.cmd = XENVER_capabilities, .check = xv_check_caps) },
    { "capabilities_xen_range_efault", xv_run, XV(.cmd = XENVER_capabilities,
      .handle = XV_XEN_RANGE, .expect = -XEN_EFAULT) },
    { "get_features_submap0", xv_run, XV(.cmd = XENVER_get_features,
      .check = xv_check_features) },
    { "get_features_bad_submap_einval", xv_run, XV(.cmd = XENVER_get_features, .submap_idx = 1,
      .expect = -XEN_EINVAL) },
    { "get_features_noncanonical_efault", xv_run, XV(.cmd = XENVER_get_features,
      .handle = XV_NONCANON, .expect = -XEN_EFAULT) },
    { "pagesize", xv_run, XV(.cmd = XENVER_pagesize, .handle = XV_NULL, .expect = PAGE_SIZE) },
    /* Xen 4.17 refuses a handle with pagesize (the xen target showed it) */
    { "pagesize_with_handle_einval", xv_run, XV(.cmd = XENVER_pagesize, .expect = -XEN_EINVAL) },
    { "get_features_dom0", xv_run, XV(.cmd = XENVER_get_features, .dom0 = true,
      .check = xv_check_features_dom0) },
    { "compile_info", xv_run, XV(.cmd = XENVER_compile_info) },
    { "compile_info_unmapped_efault", xv_run, XV(.cmd = XENVER_compile_info,
      .handle = XV_UNMAPPED, .expect = -XEN_EFAULT) },
    { "changeset", xv_run, XV(.cmd = XENVER_changeset) },
    { "guest_handle", xv_run, XV(.cmd = XENVER_guest_handle, .check = xv_check_handle) },
    { "commandline_dom0", xv_run, XV(.cmd = XENVER_commandline, .dom0 = true) },
    { "commandline_denied_to_domu", xv_run, XV(.cmd = XENVER_commandline,
      .check = xv_check_denied) },
    { "build_id_size", xv_run, XV(.cmd = XENVER_build_id, .dom0 = true, .handle = XV_NULL,
      .expect = 20) },
    { "build_id", xv_run, XV(.cmd = XENVER_build_id, .dom0 = true, .submap_idx = 64,
      .expect = 20) },
    { "build_id_len_0_einval", xv_run, XV(.cmd = XENVER_build_id, .dom0 = true, .submap_idx = 0,
      .expect = -XEN_EINVAL) },
    { "build_id_short_enobufs", xv_run, XV(.cmd = XENVER_build_id, .dom0 = true, .submap_idx = 4,
      .expect = -XEN_ENOBUFS) },
    { "build_id_domu_eperm", xv_run, XV(.cmd = XENVER_build_id, .submap_idx = 64,
      .expect = -XEN_EPERM) },
    { "platform_parameters", xv_run, XV(.cmd = XENVER_platform_parameters,
      .check = xv_check_platform) },
    { "platform_parameters_read_only_efault", xv_run, XV(.cmd = XENVER_platform_parameters,
      .handle = XV_READ_ONLY, .expect = -XEN_EFAULT) },
    { "unknown_cmd_enosys", xv_run, XV(.cmd = 99, .expect = -XEN_ENOSYS) },
};
CONF_AREA("xen_version", xv_cases)
