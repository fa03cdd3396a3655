/* Private helpers of the MMU conformance files: issuing mmu_update/mmuext_op and building tables. */
#ifndef HVFUZZ_MMU_CONF_H
#define HVFUZZ_MMU_CONF_H

#include <string.h>
#include "conformance.h"

/* Scratch pages the helpers own: keep case tables and targets below MC_AUX_PAGE. */
#define MC_BUF_PAGE 59U   /* request arrays */
#define MC_AUX_PAGE 58U   /* *pdone and vCPU bitmaps */
#define MC_SETUP_BROKE (-100000L)  /* a helper's set-up step failed (already reported as ERROR) */

#define MC_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define MC_RO (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

static inline uint64_t mc_pte(mfn_t m, uint64_t flags) { return ((uint64_t)m << PAGE_SHIFT) | flags; }
static inline mfn_t mc_mfn(uint64_t e) { return (e & PTE_ADDR_MASK) >> PAGE_SHIFT; }
static inline gva_t mc_aux(struct conf_ctx *c, struct vcpu *v)
{
    return conf_scratch(c, dom_get(c->hv, v->domid), MC_AUX_PAGE);
}

/* mmu_update of n requests from v through the buffer page; *done gets *pdone when non-NULL. */
static inline long mc_mmu_batch(struct conf_ctx *c, struct vcpu *v, const struct mmu_update *reqs,
                                unsigned n, uint64_t foreigndom, uint32_t *done)
{
    struct domain *d = dom_get(c->hv, v->domid);
    gva_t buf = conf_scratch(c, d, MC_BUF_PAGE), pd = conf_scratch(c, d, MC_AUX_PAGE);
    uint32_t zero = 0;
    if ((n && conf_put(c, v, buf, reqs, n * sizeof(*reqs)) < 0) ||
        conf_put(c, v, pd, &zero, sizeof(zero)) < 0)
        return MC_SETUP_BROKE;
    long rc = conf_hc(c, v, HYPERVISOR_mmu_update, buf, n, pd, foreigndom, 0);
    if (done && conf_get(c, v, pd, done, sizeof(*done)) < 0)
        return MC_SETUP_BROKE;
    return rc;
}

static inline long mc_mmu1(struct conf_ctx *c, struct vcpu *v, uint64_t ptr, uint64_t val,
                           uint64_t foreigndom)
{
    const struct mmu_update req = { .ptr = ptr, .val = val };
    return mc_mmu_batch(c, v, &req, 1, foreigndom, NULL);
}

static inline long mc_ext_batch(struct conf_ctx *c, struct vcpu *v, const struct mmuext_op *ops,
                                unsigned n, uint64_t foreigndom, uint32_t *done)
{
    struct domain *d = dom_get(c->hv, v->domid);
    gva_t buf = conf_scratch(c, d, MC_BUF_PAGE), pd = conf_scratch(c, d, MC_AUX_PAGE) + 64;
    uint32_t zero = 0;
    if ((n && conf_put(c, v, buf, ops, n * sizeof(*ops)) < 0) ||
        conf_put(c, v, pd, &zero, sizeof(zero)) < 0)
        return MC_SETUP_BROKE;
    long rc = conf_hc(c, v, HYPERVISOR_mmuext_op, buf, n, pd, foreigndom, 0);
    if (done && conf_get(c, v, pd, done, sizeof(*done)) < 0)
        return MC_SETUP_BROKE;
    return rc;
}

static inline long mc_ext1(struct conf_ctx *c, struct vcpu *v, uint32_t cmd, uint64_t arg1,
                           uint64_t arg2, uint64_t foreigndom)
{
    const struct mmuext_op op = { .cmd = cmd, .arg1 = arg1, .arg2 = arg2 };
    return mc_ext_batch(c, v, &op, 1, foreigndom, NULL);
}

/* Point d's L1 entry for scratch page k at val (set-up step: an ERROR when refused). */
static inline int mc_set_l1(struct conf_ctx *c, struct domain *d, struct vcpu *v, unsigned k,
                            uint64_t val)
{
    long rc = mc_mmu1(c, v, conf_l1e_maddr(c, d, k), val, DOMID_SELF);
    if (rc < 0 && rc != MC_SETUP_BROKE)
        CONF_ERROR(c, "set-up: remapping scratch page %u of dom%u returned %ld", k,
                   (unsigned)d->id, rc);
    return rc < 0 ? -1 : 0;
}

/*
 * Turn scratch page k of d into a would-be page table: fill it with n (index, value) pairs while
 * the guest can still write it, then leave only a read-only mapping, as a PV guest does before
 * pinning. Returns its mfn, or MFN_INVALID after reporting an ERROR.
 */
static inline mfn_t mc_make_table(struct conf_ctx *c, struct domain *d, struct vcpu *v, unsigned k,
                                  const uint64_t (*ents)[2], unsigned n)
{
    static uint64_t page[PTES_PER_TABLE];
    mfn_t m = conf_scratch_mfn(c, d, k);
    if (m == MFN_INVALID)
        return MFN_INVALID;
    memset(page, 0, sizeof(page));
    for (unsigned i = 0; i < n; i++)
        page[ents[i][0] & 511U] = ents[i][1];
    if (conf_put(c, v, conf_scratch(c, d, k), page, sizeof(page)) < 0)
        return MFN_INVALID;
    if (mc_set_l1(c, d, v, k, mc_pte(m, MC_RO)) < 0)
        return MFN_INVALID;
    return m;
}

/* The domain's own tables from the builder. */
static inline mfn_t mc_l4(struct domain *d) { return d->p2m[DOM_GFN_L4]; }
static inline mfn_t mc_l3(struct domain *d) { return d->p2m[DOM_GFN_L3]; }
static inline mfn_t mc_l2(struct domain *d) { return d->p2m[DOM_GFN_L2]; }
static inline mfn_t mc_l1(struct domain *d) { return d->p2m[DOM_GFN_L1]; }
/* Machine address of entry idx of table t (an mmu_update ptr). */
static inline uint64_t mc_slot(mfn_t t, unsigned idx) { return ((uint64_t)t << PAGE_SHIFT) + 8U * idx; }
/* The builder's slots for DOM_VA_BASE. */
#define MC_L4_IDX ((unsigned)((DOM_VA_BASE >> 39) & 511U))
#define MC_L3_IDX ((unsigned)((DOM_VA_BASE >> 30) & 511U))

#endif
