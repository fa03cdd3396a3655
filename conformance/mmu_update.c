/* mmu_update conformance: NORMAL / PRESERVE_AD / MACHPHYS requests, batches, errors, foreigndom. */
#include "mmu_conf.h"

/*
 * Single-request rows: the request names an entry (ptr) and a value built from dom1's (or dom2's)
 * frames, issued by dom1 unless the row says dom0. After the call the entry must hold the new value
 * on success and be unchanged on failure; the frame counts are left to the audit.
 */
enum mu_ptr {
    MU_PTR_L1E_K0 = 0,      /* dom1's L1 entry mapping scratch page 0 */
    MU_PTR_L1E_K0_ODD,      /* the same, 4 bytes in: not an entry slot */
    MU_PTR_DOM2_L1E,        /* dom2's L1 entry for its scratch page 0 */
    MU_PTR_BAD_MFN,         /* past the frame pool */
    MU_PTR_DATA_K1,         /* word 3 of dom1's data page 1 (no table) */
    MU_PTR_L4_XEN,          /* dom1's L4, first Xen slot */
    MU_PTR_L2_FREE,         /* dom1's L2, an empty slot */
    MU_PTR_K1_FRAME,        /* dom1's data page 1 as a frame (MACHPHYS) */
    MU_PTR_DOM2_FRAME,      /* dom2's data page 1 as a frame (MACHPHYS) */
    MU_PTR_DOM0_L1E,        /* dom0's L1 entry for its scratch page 0 */
};
enum mu_val {
    MU_VAL_K0_RO = 0,       /* scratch 0 read-only */
    MU_VAL_K1_RW,           /* another own data frame, writable */
    MU_VAL_DOM2_RW,         /* dom2's frame */
    MU_VAL_L2_RW,           /* own L2 table, writable */
    MU_VAL_L2_RO,           /* own L2 table, read-only */
    MU_VAL_K0_HIGH,         /* scratch 0 with a software/protection-key bit */
    MU_VAL_K0_GNTTAB,       /* scratch 0 with bit 62, a debug Xen's grant-mapping mark */
    MU_VAL_BAD_MFN,         /* a frame past the pool */
    MU_VAL_RAW,             /* 0x1234 (plain data / m2p value) */
    MU_VAL_EMPTY_L1,        /* scratch 2 prepared as an empty table, as an L2 entry */
    MU_VAL_ZERO,            /* not present */
    MU_VAL_K0_NO_AD,        /* scratch 0 RW without A/D (PRESERVE_AD keeps the old ones) */
    MU_VAL_K0_PWT,          /* scratch 0 with a cache attribute: write-through */
    MU_VAL_K0_PCD,          /* ... cache disabled */
    MU_VAL_K0_PAT,          /* ... the PAT bit */
    MU_VAL_DOM0_K0_PCD,     /* dom0's scratch 0, cache disabled */
};

struct mu_row {
    bool     from_dom0;
    enum mu_ptr ptr;
    unsigned cmd;
    enum mu_val val;
    bool     foreign;       /* foreigndom below instead of DOMID_SELF */
    uint64_t foreigndom;
    long     expect;
};

static uint64_t mu_ptr(struct conf_ctx *c, enum mu_ptr p)
{
    switch (p) {
    case MU_PTR_L1E_K0:     return conf_l1e_maddr(c, c->d1, 0);
    case MU_PTR_L1E_K0_ODD: return conf_l1e_maddr(c, c->d1, 0) + 4;
    case MU_PTR_DOM2_L1E:   return conf_l1e_maddr(c, c->d2, 0);
    case MU_PTR_BAD_MFN:    return (uint64_t)(c->hv->nr_frames + 7U) << PAGE_SHIFT;
    case MU_PTR_DATA_K1:    return ((uint64_t)conf_scratch_mfn(c, c->d1, 1) << PAGE_SHIFT) + 24;
    case MU_PTR_L4_XEN:     return mc_slot(mc_l4(c->d1), XEN_L4_FIRST_SLOT);
    case MU_PTR_L2_FREE:    return mc_slot(mc_l2(c->d1), 7);
    case MU_PTR_K1_FRAME:   return (uint64_t)conf_scratch_mfn(c, c->d1, 1) << PAGE_SHIFT;
    case MU_PTR_DOM2_FRAME: return (uint64_t)conf_scratch_mfn(c, c->d2, 1) << PAGE_SHIFT;
    case MU_PTR_DOM0_L1E:   return conf_l1e_maddr(c, c->d0, 0);
    }
    return 0;
}

static uint64_t mu_val(struct conf_ctx *c, enum mu_val val)
{
    mfn_t k0 = conf_scratch_mfn(c, c->d1, 0);
    switch (val) {
    case MU_VAL_K0_RO:    return mc_pte(k0, MC_RO);
    case MU_VAL_K1_RW:    return mc_pte(conf_scratch_mfn(c, c->d1, 1), MC_RW);
    case MU_VAL_DOM2_RW:  return mc_pte(conf_scratch_mfn(c, c->d2, 1), MC_RW);
    case MU_VAL_L2_RW:    return mc_pte(mc_l2(c->d1), MC_RW);
    case MU_VAL_L2_RO:    return mc_pte(mc_l2(c->d1), MC_RO);
    case MU_VAL_K0_HIGH:  return mc_pte(k0, MC_RO) | (1ULL << 52);
    case MU_VAL_K0_GNTTAB: return mc_pte(k0, MC_RO) | _PAGE_GNTTAB;
    case MU_VAL_BAD_MFN:  return mc_pte(c->hv->nr_frames + 7U, MC_RW);
    case MU_VAL_RAW:      return 0x1234;
    case MU_VAL_EMPTY_L1: {
        mfn_t t = mc_make_table(c, c->d1, c->v1, 2, NULL, 0);
        return t == MFN_INVALID ? 0 : mc_pte(t, MC_RW);
    }
    case MU_VAL_ZERO:     return 0;
    case MU_VAL_K0_NO_AD: return mc_pte(k0, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER);
    case MU_VAL_K0_PWT:   return mc_pte(k0, MC_RO) | _PAGE_PWT;
    case MU_VAL_K0_PCD:   return mc_pte(k0, MC_RO) | _PAGE_PCD;
    case MU_VAL_K0_PAT:   return mc_pte(k0, MC_RO) | _PAGE_PAT;
    case MU_VAL_DOM0_K0_PCD: return mc_pte(conf_scratch_mfn(c, c->d0, 0), MC_RO) | _PAGE_PCD;
    }
    return 0;
}

static uint64_t *mu_word(struct conf_ctx *c, uint64_t ptr)
{
    uint64_t a = ptr & ~7ULL;
    if (!mfn_valid(c->hv, a >> PAGE_SHIFT))
        return NULL;
    return &frame_ptes(c->hv, a >> PAGE_SHIFT)[(a & (PAGE_SIZE - 1)) >> 3];
}

static void mu_run(struct conf_ctx *c)
{
    const struct mu_row *r = c->data;
    struct vcpu *v = r->from_dom0 ? c->v0 : c->v1;
    uint64_t ptr = mu_ptr(c, r->ptr), val = mu_val(c, r->val);
    if (c->state == CONF_ERROR)
        return;
    uint64_t *word = r->cmd == MMU_MACHPHYS_UPDATE ? NULL : mu_word(c, ptr);
    uint64_t before = word ? *word : 0;
    mfn_t mfn = ptr >> PAGE_SHIFT;
    uint64_t m2p_before = mfn_valid(c->hv, mfn) ? c->hv->m2p[mfn] : 0;

    uint32_t done = 99;
    const struct mmu_update req = { .ptr = ptr | r->cmd, .val = val };
    long rc = mc_mmu_batch(c, v, &req, 1, r->foreign ? r->foreigndom : DOMID_SELF, &done);
    if (rc == MC_SETUP_BROKE)
        return;
    CONF_EXPECT_EQ(c, r->expect, rc);
    CONF_EXPECT_EQ(c, r->expect == 0 ? 1 : 0, done);

    if (r->cmd == MMU_MACHPHYS_UPDATE) {
        if (mfn_valid(c->hv, mfn))
            CONF_EXPECT_EQ(c, r->expect == 0 ? val : m2p_before, c->hv->m2p[mfn]);
        return;
    }
    if (!word)
        return;
    uint64_t want = before;
    if (r->expect == 0) {
        want = val;
        if (r->cmd == MMU_PT_UPDATE_PRESERVE_AD)
            want |= before & (_PAGE_ACCESSED | _PAGE_DIRTY);
    }
    CONF_EXPECT_EQ(c, want, *word);
    if (r->val == MU_VAL_EMPTY_L1 && r->expect == 0) {
        const struct frame *f = &c->hv->frames[mc_mfn(val)];
        CONF_EXPECT_EQ(c, PGT_l1, f->type);
        CONF_EXPECT_EQ(c, 1, f->type_count);
        CONF_EXPECT(c, f->flags & FRAME_VALIDATED);
    }
}

#define MU(...) (&(const struct mu_row){ __VA_ARGS__ })
static const struct conf_case mu_cases[] = {
    { "l1_remap_read_only", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_RO) },
    { "l1_map_own_frame_rw", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K1_RW) },
    { "l1_unmap", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_ZERO) },
    { "l1_map_page_table_ro", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_L2_RO) },
    /* Xen's get_page_from_l1e: both end at could_not_pin, -EBUSY (the Xen target showed it) */
    { "l1_map_page_table_rw_ebusy", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_L2_RW,
      .expect = -XEN_EBUSY) },
    { "l1_map_foreign_frame_ebusy", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_DOM2_RW,
      .expect = -XEN_EBUSY) },
    /* 4.17 lets a PV guest use bits 52-62 (AVAIL_HIGH), 62 too in a release build, where
       _PAGE_GNTTAB is 0 */
    { "l1_avail_high_bit_allowed", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_HIGH) },
    { "l1_gnttab_bit_allowed", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_GNTTAB) },
    /* l1_disallow_mask: a domain without I/O rights may not set cache attributes; dom0 may */
    { "l1_cache_pwt_einval", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_PWT,
      .expect = -XEN_EINVAL) },
    { "l1_cache_pcd_einval", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_PCD,
      .expect = -XEN_EINVAL) },
    { "l1_cache_pat_einval", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_PAT,
      .expect = -XEN_EINVAL) },
    { "l1_cache_pcd_dom0_allowed", mu_run, MU(.from_dom0 = true, .ptr = MU_PTR_DOM0_L1E,
      .val = MU_VAL_DOM0_K0_PCD) },
    { "l1_bad_target_mfn_einval", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_BAD_MFN,
      .expect = -XEN_EINVAL) },
    /* the low 3 bits are the command: 4 is none */
    { "ptr_low_bits_4_enosys", mu_run, MU(.ptr = MU_PTR_L1E_K0_ODD, .val = MU_VAL_K0_RO,
      .expect = -XEN_ENOSYS) },
    { "ptr_in_foreign_table_einval", mu_run, MU(.ptr = MU_PTR_DOM2_L1E, .val = MU_VAL_ZERO,
      .expect = -XEN_EINVAL) },
    { "ptr_past_frame_pool_einval", mu_run, MU(.ptr = MU_PTR_BAD_MFN, .val = MU_VAL_ZERO,
      .expect = -XEN_EINVAL) },
    { "ptr_xen_l4_slot_einval", mu_run, MU(.ptr = MU_PTR_L4_XEN, .val = MU_VAL_ZERO,
      .expect = -XEN_EINVAL) },
    { "plain_write_to_data_page", mu_run, MU(.ptr = MU_PTR_DATA_K1, .val = MU_VAL_RAW) },
    { "l2_entry_validates_new_l1", mu_run, MU(.ptr = MU_PTR_L2_FREE, .val = MU_VAL_EMPTY_L1) },
    { "preserve_ad_keeps_old_bits", mu_run, MU(.ptr = MU_PTR_L1E_K0,
      .cmd = MMU_PT_UPDATE_PRESERVE_AD, .val = MU_VAL_K0_NO_AD) },
    { "cmd_3_no_translate_updates", mu_run, MU(.ptr = MU_PTR_L1E_K0,
      .cmd = MMU_PT_UPDATE_NO_TRANSLATE, .val = MU_VAL_ZERO) },
    { "cmd_5_enosys", mu_run, MU(.ptr = MU_PTR_L1E_K0, .cmd = 5, .val = MU_VAL_ZERO,
      .expect = -XEN_ENOSYS) },
    { "machphys_own_frame", mu_run, MU(.ptr = MU_PTR_K1_FRAME, .cmd = MMU_MACHPHYS_UPDATE,
      .val = MU_VAL_RAW) },
    { "machphys_foreign_frame_einval", mu_run, MU(.ptr = MU_PTR_DOM2_FRAME,
      .cmd = MMU_MACHPHYS_UPDATE, .val = MU_VAL_RAW, .expect = -XEN_EINVAL) },
    { "foreigndom_unprivileged_eperm", mu_run, MU(.ptr = MU_PTR_DOM2_L1E, .val = MU_VAL_ZERO,
      .foreign = true, .foreigndom = 2, .expect = -XEN_EPERM) },
    { "foreigndom_missing_esrch", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_ZERO,
      .foreign = true, .foreigndom = 6, .expect = -XEN_ESRCH) },
    { "foreigndom_own_id_esrch", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_ZERO,
      .foreign = true, .foreigndom = 1, .expect = -XEN_ESRCH) },
    /* the table's owner is the high half (plus one), the mapped page's the low half */
    { "foreigndom_privileged_edits_dom1", mu_run, MU(.from_dom0 = true, .ptr = MU_PTR_L1E_K0,
      .val = MU_VAL_K0_RO, .foreign = true, .foreigndom = (2U << 16) | 1U) },
    { "foreigndom_page_owner_only_table_not_callers_einval", mu_run, MU(.from_dom0 = true,
      .ptr = MU_PTR_L1E_K0, .val = MU_VAL_K0_RO, .foreign = true, .foreigndom = 1,
      .expect = -XEN_EINVAL) },
    { "foreigndom_table_owner_unprivileged_eperm", mu_run, MU(.ptr = MU_PTR_DOM2_L1E,
      .val = MU_VAL_ZERO, .foreign = true, .foreigndom = 3U << 16 | DOMID_SELF,
      .expect = -XEN_EPERM) },
    { "foreigndom_table_owner_missing_esrch", mu_run, MU(.ptr = MU_PTR_L1E_K0, .val = MU_VAL_ZERO,
      .foreign = true, .foreigndom = 7U << 16 | DOMID_SELF, .expect = -XEN_ESRCH) },
};
CONF_AREA("mmu_update", mu_cases)

/*
 * Batch behaviour: the first failure stops the batch and *pdone counts what was done; a batch
 * preempted after every request still completes through its continuations with the same result;
 * bad guest handles are -EFAULT.
 */
enum mb_kind { MB_STOP_AT_FAILURE = 0, MB_PREEMPTED, MB_BAD_HANDLE, MB_BAD_PDONE, MB_EMPTY };
struct mb_row { enum mb_kind kind; };

static void mb_run(struct conf_ctx *c)
{
    const struct mb_row *r = c->data;
    struct mmu_update req[4];
    for (unsigned k = 0; k < 4; k++) {
        req[k].ptr = conf_l1e_maddr(c, c->d1, k);
        req[k].val = mc_pte(conf_scratch_mfn(c, c->d1, k), MC_RO);
    }
    if (c->state == CONF_ERROR)
        return;
    uint32_t done = 99;
    long rc;

    switch (r->kind) {
    case MB_STOP_AT_FAILURE:
        req[1].val = mc_pte(conf_scratch_mfn(c, c->d2, 0), MC_RO);  /* foreign: refused */
        rc = mc_mmu_batch(c, c->v1, req, 4, DOMID_SELF, &done);
        CONF_EXPECT_EQ(c, -XEN_EBUSY, rc);
        CONF_EXPECT_EQ(c, 1, done);
        CONF_EXPECT_EQ(c, req[0].val, *mu_word(c, req[0].ptr));
        CONF_EXPECT(c, *mu_word(c, req[2].ptr) != req[2].val);  /* never reached */
        break;
    case MB_PREEMPTED:
        c->hv->preempt_pattern = ~0ULL;
        rc = mc_mmu_batch(c, c->v1, req, 4, DOMID_SELF, &done);
        c->hv->preempt_pattern = 0;
        CONF_EXPECT_EQ(c, 0, rc);
        CONF_EXPECT_EQ(c, 4, done);
        for (unsigned k = 0; k < 4; k++)
            CONF_EXPECT_EQ(c, req[k].val, *mu_word(c, req[k].ptr));
        break;
    case MB_BAD_HANDLE:
        rc = conf_hc(c, c->v1, HYPERVISOR_mmu_update, XEN_VIRT_START, 1, 0, DOMID_SELF, 0);
        CONF_EXPECT_EQ(c, -XEN_EFAULT, rc);
        rc = conf_hc(c, c->v1, HYPERVISOR_mmu_update, DOM_VA(CONF_DOM_PAGES + 9), 1, 0,
                     DOMID_SELF, 0);
        CONF_EXPECT_EQ(c, -XEN_EFAULT, rc);
        break;
    case MB_BAD_PDONE:
        if (conf_put(c, c->v1, conf_scratch(c, c->d1, MC_BUF_PAGE), req, sizeof(req[0])) < 0)
            return;
        rc = conf_hc(c, c->v1, HYPERVISOR_mmu_update, conf_scratch(c, c->d1, MC_BUF_PAGE), 1,
                     DOM_VA(CONF_DOM_PAGES + 9), DOMID_SELF, 0);
        CONF_EXPECT_EQ(c, -XEN_EFAULT, rc);
        CONF_EXPECT_EQ(c, req[0].val, *mu_word(c, req[0].ptr));  /* the update itself happened */
        break;
    case MB_EMPTY:
        rc = mc_mmu_batch(c, c->v1, req, 0, DOMID_SELF, &done);
        CONF_EXPECT_EQ(c, 0, rc);
        CONF_EXPECT_EQ(c, 0, done);
        break;
    }
}

#define MB(k) (&(const struct mb_row){ .kind = (k) })
static const struct conf_case mb_cases[] = {
    { "batch_stops_at_first_failure", mb_run, MB(MB_STOP_AT_FAILURE) },
    { "batch_preempted_every_request_completes", mb_run, MB(MB_PREEMPTED) },
    { "bad_request_handle_efault", mb_run, MB(MB_BAD_HANDLE) },
    { "bad_pdone_handle_efault", mb_run, MB(MB_BAD_PDONE) },
    { "empty_batch", mb_run, MB(MB_EMPTY) },
};
CONF_AREA("mmu_update", mb_cases)
