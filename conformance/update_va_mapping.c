/* update_va_mapping conformance: L1 updates by virtual address and the UVMF flush selection. */
#include <string.h>

#include "mmu_conf.h"

/*
 * dom1's vCPU 0 reads scratch page 0 first (its TLB caches the translation) and vCPU 1 gets a
 * cached translation for the same page planted directly (it is down, but its TLB is real state).
 * The row's update goes to the va's L1 entry; the flush flags decide which vCPUs lose the entry.
 * Without a flush the stale entry stays: flushing after an L1 change is the guest's job.
 */
enum uv_va { UV_VA_K0 = 0, UV_VA_XEN, UV_VA_NONCANON, UV_VA_NO_L1, UV_VA_NO_L3 };
enum uv_val { UV_K0_RO = 0, UV_ZERO, UV_K1_RW, UV_DOM2_RW, UV_L2_RW, UV_GNTTAB, UV_HIGH_BIT };
enum uv_flush { UV_F_NONE = 0, UV_F_INVLPG_LOCAL, UV_F_FLUSH_LOCAL, UV_F_INVLPG_ALL,
                UV_F_FLUSH_ALL, UV_F_MASK_V1, UV_F_MASK_BAD };

struct uv_row {
    enum uv_va va;
    enum uv_val val;
    enum uv_flush flush;
    long expect;
    bool v0_flushed, v1_flushed;   /* expected TLB state after a successful update */
};

static gva_t uv_va(struct conf_ctx *c, enum uv_va va)
{
    switch (va) {
    case UV_VA_K0:       return conf_scratch(c, c->d1, 0);
    case UV_VA_XEN:      return XEN_VIRT_START + 0x1000;
    case UV_VA_NONCANON: return 0x0000800000000000ULL;
    case UV_VA_NO_L1:    return DOM_VA_BASE + 5ULL * (PTES_PER_TABLE << PAGE_SHIFT);
    case UV_VA_NO_L3:    return DOM_VA_BASE + (1ULL << 39);
    }
    return 0;
}

static uint64_t uv_val(struct conf_ctx *c, enum uv_val val)
{
    mfn_t k0 = conf_scratch_mfn(c, c->d1, 0);
    switch (val) {
    case UV_K0_RO:    return mc_pte(k0, MC_RO);
    case UV_ZERO:     return 0;
    case UV_K1_RW:    return mc_pte(conf_scratch_mfn(c, c->d1, 1), MC_RW);
    case UV_DOM2_RW:  return mc_pte(conf_scratch_mfn(c, c->d2, 0), MC_RW);
    case UV_L2_RW:    return mc_pte(mc_l2(c->d1), MC_RW);
    case UV_GNTTAB:   return mc_pte(k0, MC_RO) | _PAGE_GNTTAB;
    case UV_HIGH_BIT: return mc_pte(k0, MC_RO) | (1ULL << 55);
    }
    return 0;
}

static uint64_t uv_flags(struct conf_ctx *c, enum uv_flush fl)
{
    switch (fl) {
    case UV_F_NONE:         return UVMF_NONE;
    case UV_F_INVLPG_LOCAL: return UVMF_INVLPG | UVMF_LOCAL;
    case UV_F_FLUSH_LOCAL:  return UVMF_TLB_FLUSH | UVMF_LOCAL;
    case UV_F_INVLPG_ALL:   return UVMF_INVLPG | UVMF_ALL;
    case UV_F_FLUSH_ALL:    return UVMF_TLB_FLUSH | UVMF_ALL;
    case UV_F_MASK_V1: {
        const uint64_t mask = 2;  /* vCPU 1 only */
        gva_t p = mc_aux(c, c->v1) + 256;   /* 8-byte aligned: leaves the flush-type bits 0 */
        return conf_put(c, c->v1, p, &mask, sizeof(mask)) < 0 ? 0 : (p | UVMF_INVLPG);
    }
    case UV_F_MASK_BAD:     return DOM_VA(CONF_DOM_PAGES + 11) | UVMF_TLB_FLUSH;
    }
    return 0;
}

static void uv_run(struct conf_ctx *c)
{
    const struct uv_row *r = c->data;
    gva_t va0 = conf_scratch(c, c->d1, 0);
    struct vcpu *v1b = dom_vcpu(c->d1, 1);
    uint64_t x;
    if (!v1b) {
        CONF_ERROR(c, "dom1 has no vCPU 1");
        return;
    }
    uint64_t flags = uv_flags(c, r->flush);
    if (conf_get(c, c->v1, va0, &x, sizeof(x)) < 0)
        return;
    tlb_insert(v1b, va0, conf_scratch_mfn(c, c->d1, 0), _PAGE_RW | _PAGE_USER);
    uint64_t *l1e = &frame_ptes(c->hv, mc_l1(c->d1))[(va0 >> PAGE_SHIFT) & 511U];
    uint64_t before = *l1e;
    uint64_t val = uv_val(c, r->val);

    long rc = conf_hc(c, c->v1, HYPERVISOR_update_va_mapping, uv_va(c, r->va), val, flags, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->va != UV_VA_K0)
        return;
    /* a bad flush mask is reported after the update itself was made, as in Xen */
    bool updated = r->expect == 0 || r->flush == UV_F_MASK_BAD;
    CONF_EXPECT_EQ(c, updated ? val : before, *l1e);
    if (r->expect == 0) {
        CONF_EXPECT_EQ(c, r->v0_flushed, !tlb_lookup(c->v1, va0, NULL));
        CONF_EXPECT_EQ(c, r->v1_flushed, !tlb_lookup(v1b, va0, NULL));
    }
}

#define UV(...) (&(const struct uv_row){ __VA_ARGS__ })
static const struct conf_case uv_cases[] = {
    { "remap_ro_no_flush_leaves_stale_entries", uv_run, UV(.val = UV_K0_RO) },
    { "remap_ro_invlpg_local", uv_run, UV(.val = UV_K0_RO, .flush = UV_F_INVLPG_LOCAL,
      .v0_flushed = true) },
    { "unmap_flush_local", uv_run, UV(.val = UV_ZERO, .flush = UV_F_FLUSH_LOCAL,
      .v0_flushed = true) },
    { "map_other_frame_invlpg_all", uv_run, UV(.val = UV_K1_RW, .flush = UV_F_INVLPG_ALL,
      .v0_flushed = true, .v1_flushed = true) },
    { "unmap_flush_all", uv_run, UV(.val = UV_ZERO, .flush = UV_F_FLUSH_ALL,
      .v0_flushed = true, .v1_flushed = true) },
    { "unmap_invlpg_vcpu_mask", uv_run, UV(.val = UV_ZERO, .flush = UV_F_MASK_V1,
      .v1_flushed = true) },
    { "bad_vcpu_mask_efault", uv_run, UV(.val = UV_ZERO, .flush = UV_F_MASK_BAD,
      .expect = -XEN_EFAULT) },
    { "map_foreign_frame_ebusy", uv_run, UV(.val = UV_DOM2_RW, .expect = -XEN_EBUSY) },
    { "map_page_table_rw_ebusy", uv_run, UV(.val = UV_L2_RW, .expect = -XEN_EBUSY) },
    /* bit 62 is a release Xen's guest bit (_PAGE_GNTTAB is 0 there) */
    { "gnttab_bit_allowed", uv_run, UV(.val = UV_GNTTAB) },
    { "avail_high_bit_allowed", uv_run, UV(.val = UV_HIGH_BIT) },
    { "xen_va_einval", uv_run, UV(.va = UV_VA_XEN, .val = UV_ZERO, .expect = -XEN_EINVAL) },
    { "noncanonical_va_einval", uv_run, UV(.va = UV_VA_NONCANON, .val = UV_ZERO,
      .expect = -XEN_EINVAL) },
    { "va_without_l1_einval", uv_run, UV(.va = UV_VA_NO_L1, .val = UV_ZERO,
      .expect = -XEN_EINVAL) },
    { "va_without_l3_einval", uv_run, UV(.va = UV_VA_NO_L3, .val = UV_ZERO,
      .expect = -XEN_EINVAL) },
};
CONF_AREA("update_va_mapping", uv_cases)

/*
 * update_va_mapping_otherdomain: the caller's own L1 entry for va, naming a frame of domid.
 * DOMID_SELF is update_va_mapping; a privileged caller maps another domain's frame (a toolstack's
 * foreign mapping); an unprivileged one is refused (-EPERM), and the caller's own id spelled out
 * or an absent domain is -ESRCH (Xen's get_pg_owner and its XSM check).
 */
struct uo_row {
    bool from_dom0;            /* dom0 maps into its own scratch page 0's entry, else dom1 */
    uint32_t domid;            /* DOMID_SELF, or a domain: 0, 1, 2, 7 (absent) */
    unsigned frame_of;         /* the frame mapped: scratch page 0 of dom 0, 1 or 2 */
    long expect;
};

static void uo_run(struct conf_ctx *c)
{
    const struct uo_row *r = c->data;
    struct domain *caller = r->from_dom0 ? c->d0 : c->d1;
    struct vcpu *v = r->from_dom0 ? c->v0 : c->v1;
    struct domain *owner = r->frame_of == 0 ? c->d0 : r->frame_of == 1 ? c->d1 : c->d2;
    gva_t va = conf_scratch(c, caller, 0);
    mfn_t m = conf_scratch_mfn(c, owner, 0);
    uint64_t val = mc_pte(m, MC_RO);

    long rc = conf_hc(c, v, HYPERVISOR_update_va_mapping_otherdomain, va, val, UVMF_INVLPG, r->domid,
                      0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->expect == 0) {
        /* the new entry maps the frame: the caller reads the owner's page through it */
        uint8_t got[8], want[8];
        memcpy(want, frame_mem(c->hv, m), sizeof(want));
        if (conf_get(c, v, va, got, sizeof(got)) == 0)
            CONF_EXPECT(c, memcmp(got, want, sizeof(got)) == 0);
    }
}

#define UO(...) (&(const struct uo_row){ __VA_ARGS__ })
static const struct conf_case uo_cases[] = {
    { "self_is_update_va_mapping", uo_run, UO(.domid = DOMID_SELF, .frame_of = 1) },
    { "dom0_maps_a_domu_frame", uo_run, UO(.from_dom0 = true, .domid = 2, .frame_of = 2) },
    { "domu_naming_another_eperm", uo_run, UO(.domid = 2, .frame_of = 2, .expect = -XEN_EPERM) },
    { "own_id_spelled_out_esrch", uo_run, UO(.domid = 1, .frame_of = 1, .expect = -XEN_ESRCH) },
    { "absent_domain_esrch", uo_run, UO(.from_dom0 = true, .domid = 7, .frame_of = 2,
      .expect = -XEN_ESRCH) },
    { "frame_not_of_domid_ebusy", uo_run, UO(.from_dom0 = true, .domid = 2, .frame_of = 1,
      .expect = -XEN_EBUSY) },
};
CONF_AREA("update_va_mapping_otherdomain", uo_cases)
