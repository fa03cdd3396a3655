/* mmuext_op conformance: pin/unpin, base pointers, TLB flushes, cache, page clear/copy, errors. */
#include "mmu_conf.h"

/*
 * Every row runs on the standard machine after the same preamble: dom1 writes markers into its
 * scratch pages 1 and 2 and reads page 1 back, so vCPU 0 caches a translation for it. A row's
 * prep may turn scratch page 0 into a candidate table T (left mapped read-only). The op is issued
 * by dom1's vCPU 0 (or dom0's), then the row's post-condition is checked.
 */
enum me_prep { ME_PREP_NONE = 0, ME_PREP_EMPTY, ME_PREP_PINNED_L1, ME_PREP_BAD_L1, ME_PREP_L4 };
enum me_arg {
    ME_A_NONE = 0, ME_A_T, ME_A_K1, ME_A_K2, ME_A_L2, ME_A_DOM2, ME_A_BAD_MFN, ME_A_VA_K1,
    ME_A_MASK_V0, ME_A_MASK_BAD,
};
enum me_post {
    ME_P_NONE = 0, ME_P_PINNED, ME_P_UNPINNED, ME_P_BASE, ME_P_USER_BASE, ME_P_USER_CLEARED,
    ME_P_TLB_GONE, ME_P_ZEROED, ME_P_COPIED, ME_P_UNTYPED,
};

struct me_row {
    enum me_prep prep;
    bool     from_dom0;
    uint32_t cmd;
    enum me_arg arg1, arg2;
    bool     foreign;
    uint64_t foreigndom;
    long     expect;
    enum me_post post;
    unsigned level;          /* ME_P_PINNED: the expected table level */
};

#define ME_MARK1 0x1111111111111111ULL
#define ME_MARK2 0x2222222222222222ULL

static mfn_t me_prep(struct conf_ctx *c, enum me_prep p)
{
    const uint64_t bad[][2] = { { 0, mc_pte(mc_l2(c->d1), MC_RW) } };  /* RW map of a table */
    /* a second L4 sharing the domain's L3, so the guest keeps its memory after a switch */
    const uint64_t l4[][2] = { { MC_L4_IDX, frame_ptes(c->hv, mc_l4(c->d1))[MC_L4_IDX] } };
    mfn_t t;

    switch (p) {
    case ME_PREP_NONE:
        return conf_scratch_mfn(c, c->d1, 0);
    case ME_PREP_EMPTY:
        return mc_make_table(c, c->d1, c->v1, 0, NULL, 0);
    case ME_PREP_PINNED_L1:
        t = mc_make_table(c, c->d1, c->v1, 0, NULL, 0);
        if (t != MFN_INVALID && mc_ext1(c, c->v1, MMUEXT_PIN_L1_TABLE, t, 0, DOMID_SELF) != 0) {
            CONF_ERROR(c, "set-up: PIN_L1 of an empty table failed");
            return MFN_INVALID;
        }
        return t;
    case ME_PREP_BAD_L1:
        return mc_make_table(c, c->d1, c->v1, 0, bad, 1);
    case ME_PREP_L4:
        return mc_make_table(c, c->d1, c->v1, 0, l4, 1);
    }
    return MFN_INVALID;
}

static uint64_t me_arg(struct conf_ctx *c, enum me_arg a, mfn_t t)
{
    switch (a) {
    case ME_A_NONE:     return 0;
    case ME_A_T:        return t;
    case ME_A_K1:       return conf_scratch_mfn(c, c->d1, 1);
    case ME_A_K2:       return conf_scratch_mfn(c, c->d1, 2);
    case ME_A_L2:       return mc_l2(c->d1);
    case ME_A_DOM2:     return conf_scratch_mfn(c, c->d2, 0);
    case ME_A_BAD_MFN:  return c->hv->nr_frames + 3U;
    case ME_A_VA_K1:    return conf_scratch(c, c->d1, 1);
    case ME_A_MASK_V0: {
        const uint64_t mask = 1;  /* vCPU 0 */
        gva_t p = mc_aux(c, c->v1) + 128;
        return conf_put(c, c->v1, p, &mask, sizeof(mask)) < 0 ? 0 : p;
    }
    case ME_A_MASK_BAD: return DOM_VA(CONF_DOM_PAGES + 11);
    }
    return 0;
}

static void me_run(struct conf_ctx *c)
{
    const struct me_row *r = c->data;
    const uint64_t m1 = ME_MARK1, m2 = ME_MARK2;
    gva_t va1 = conf_scratch(c, c->d1, 1);
    uint64_t seen;
    if (conf_put(c, c->v1, va1, &m1, sizeof(m1)) < 0 ||
        conf_put(c, c->v1, conf_scratch(c, c->d1, 2), &m2, sizeof(m2)) < 0 ||
        conf_get(c, c->v1, va1, &seen, sizeof(seen)) < 0)
        return;
    mfn_t t = me_prep(c, r->prep);
    if (t == MFN_INVALID || c->state == CONF_ERROR)
        return;
    uint64_t a1 = me_arg(c, r->arg1, t), a2 = me_arg(c, r->arg2, t);
    if (c->state == CONF_ERROR)
        return;

    long rc = mc_ext1(c, r->from_dom0 ? c->v0 : c->v1, r->cmd, a1, a2,
                      r->foreign ? r->foreigndom : DOMID_SELF);
    if (rc == MC_SETUP_BROKE)
        return;
    CONF_EXPECT_EQ(c, r->expect, rc);

    const struct frame *f = &c->hv->frames[t];
    uint64_t w;
    switch (r->post) {
    case ME_P_NONE:
        break;
    case ME_P_PINNED:
        CONF_EXPECT(c, f->flags & FRAME_PINNED);
        CONF_EXPECT(c, f->flags & FRAME_VALIDATED);
        CONF_EXPECT_EQ(c, PGT_l1 + r->level - 1, f->type);
        CONF_EXPECT_EQ(c, 1, f->type_count);
        break;
    case ME_P_UNPINNED:
    case ME_P_UNTYPED:
        CONF_EXPECT(c, !(f->flags & FRAME_PINNED));
        CONF_EXPECT_EQ(c, 0, f->type_count);
        CONF_EXPECT(c, !(f->flags & FRAME_VALIDATED));
        break;
    case ME_P_BASE:
        CONF_EXPECT_EQ(c, t, c->v1->guest_table);
        /* the guest still reaches its memory through the new table */
        CONF_EXPECT_EQ(c, 0, guest_read(c->hv, c->v1, va1, &w, sizeof(w), NULL));
        CONF_EXPECT_EQ(c, ME_MARK1, w);
        break;
    case ME_P_USER_BASE:
        CONF_EXPECT_EQ(c, t, c->v1->guest_table_user);
        break;
    case ME_P_USER_CLEARED:
        CONF_EXPECT_EQ(c, MFN_INVALID, c->v1->guest_table_user);
        break;
    case ME_P_TLB_GONE:
        CONF_EXPECT(c, !tlb_lookup(c->v1, va1, NULL));
        break;
    case ME_P_ZEROED:
        CONF_EXPECT_EQ(c, 0, frame_ptes(c->hv, conf_scratch_mfn(c, c->d1, 1))[0]);
        break;
    case ME_P_COPIED:
        CONF_EXPECT_EQ(c, ME_MARK2, frame_ptes(c->hv, conf_scratch_mfn(c, c->d1, 1))[0]);
        break;
    }
}

#define ME(...) (&(const struct me_row){ __VA_ARGS__ })
static const struct conf_case me_cases[] = {
    { "pin_l1", me_run, ME(.prep = ME_PREP_EMPTY, .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_T,
      .post = ME_P_PINNED, .level = 1) },
    { "pin_l2", me_run, ME(.prep = ME_PREP_EMPTY, .cmd = MMUEXT_PIN_L2_TABLE, .arg1 = ME_A_T,
      .post = ME_P_PINNED, .level = 2) },
    { "pin_l3", me_run, ME(.prep = ME_PREP_EMPTY, .cmd = MMUEXT_PIN_L3_TABLE, .arg1 = ME_A_T,
      .post = ME_P_PINNED, .level = 3) },
    { "pin_l4", me_run, ME(.prep = ME_PREP_L4, .cmd = MMUEXT_PIN_L4_TABLE, .arg1 = ME_A_T,
      .post = ME_P_PINNED, .level = 4) },
    { "pin_twice_einval", me_run, ME(.prep = ME_PREP_PINNED_L1, .cmd = MMUEXT_PIN_L1_TABLE,
      .arg1 = ME_A_T, .expect = -XEN_EINVAL, .post = ME_P_PINNED, .level = 1) },
    { "pin_writable_mapped_frame_einval", me_run, ME(.cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_K1,
      .expect = -XEN_EINVAL) },
    { "pin_table_of_other_level_einval", me_run, ME(.cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_L2,
      .expect = -XEN_EINVAL) },
    { "pin_foreign_frame_einval", me_run, ME(.cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_DOM2,
      .expect = -XEN_EINVAL) },
    { "pin_mfn_past_pool_einval", me_run, ME(.cmd = MMUEXT_PIN_L2_TABLE, .arg1 = ME_A_BAD_MFN,
      .expect = -XEN_EINVAL) },
    { "pin_illegal_contents_einval", me_run, ME(.prep = ME_PREP_BAD_L1,
      .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_T, .expect = -XEN_EINVAL, .post = ME_P_UNTYPED) },
    { "unpin", me_run, ME(.prep = ME_PREP_PINNED_L1, .cmd = MMUEXT_UNPIN_TABLE, .arg1 = ME_A_T,
      .post = ME_P_UNPINNED) },
    { "unpin_not_pinned_einval", me_run, ME(.prep = ME_PREP_EMPTY, .cmd = MMUEXT_UNPIN_TABLE,
      .arg1 = ME_A_T, .expect = -XEN_EINVAL) },
    { "unpin_mfn_past_pool_einval", me_run, ME(.cmd = MMUEXT_UNPIN_TABLE, .arg1 = ME_A_BAD_MFN,
      .expect = -XEN_EINVAL) },
    { "new_baseptr", me_run, ME(.prep = ME_PREP_L4, .cmd = MMUEXT_NEW_BASEPTR, .arg1 = ME_A_T,
      .post = ME_P_BASE) },
    { "new_baseptr_data_frame_einval", me_run, ME(.cmd = MMUEXT_NEW_BASEPTR, .arg1 = ME_A_K1,
      .expect = -XEN_EINVAL) },
    { "new_baseptr_foreign_frame_einval", me_run, ME(.cmd = MMUEXT_NEW_BASEPTR,
      .arg1 = ME_A_DOM2, .expect = -XEN_EINVAL) },
    { "new_user_baseptr", me_run, ME(.prep = ME_PREP_L4, .cmd = MMUEXT_NEW_USER_BASEPTR,
      .arg1 = ME_A_T, .post = ME_P_USER_BASE) },
    { "new_user_baseptr_zero_clears", me_run, ME(.cmd = MMUEXT_NEW_USER_BASEPTR,
      .arg1 = ME_A_NONE, .post = ME_P_USER_CLEARED) },
    { "tlb_flush_local", me_run, ME(.cmd = MMUEXT_TLB_FLUSH_LOCAL, .post = ME_P_TLB_GONE) },
    { "invlpg_local", me_run, ME(.cmd = MMUEXT_INVLPG_LOCAL, .arg1 = ME_A_VA_K1,
      .post = ME_P_TLB_GONE) },
    { "tlb_flush_multi", me_run, ME(.cmd = MMUEXT_TLB_FLUSH_MULTI, .arg2 = ME_A_MASK_V0,
      .post = ME_P_TLB_GONE) },
    { "tlb_flush_multi_bad_mask_efault", me_run, ME(.cmd = MMUEXT_TLB_FLUSH_MULTI,
      .arg2 = ME_A_MASK_BAD, .expect = -XEN_EFAULT) },
    { "invlpg_multi", me_run, ME(.cmd = MMUEXT_INVLPG_MULTI, .arg1 = ME_A_VA_K1,
      .arg2 = ME_A_MASK_V0, .post = ME_P_TLB_GONE) },
    { "invlpg_multi_bad_mask_efault", me_run, ME(.cmd = MMUEXT_INVLPG_MULTI, .arg1 = ME_A_VA_K1,
      .arg2 = ME_A_MASK_BAD, .expect = -XEN_EFAULT) },
    { "tlb_flush_all", me_run, ME(.cmd = MMUEXT_TLB_FLUSH_ALL, .post = ME_P_TLB_GONE) },
    { "invlpg_all", me_run, ME(.cmd = MMUEXT_INVLPG_ALL, .arg1 = ME_A_VA_K1,
      .post = ME_P_TLB_GONE) },
    { "flush_cache_unprivileged_eperm", me_run, ME(.cmd = MMUEXT_FLUSH_CACHE,
      .expect = -XEN_EPERM) },
    { "flush_cache_privileged", me_run, ME(.from_dom0 = true, .cmd = MMUEXT_FLUSH_CACHE) },
    { "clear_page", me_run, ME(.cmd = MMUEXT_CLEAR_PAGE, .arg1 = ME_A_K1, .post = ME_P_ZEROED) },
    { "clear_page_table_frame_einval", me_run, ME(.cmd = MMUEXT_CLEAR_PAGE, .arg1 = ME_A_L2,
      .expect = -XEN_EINVAL) },
    { "clear_page_foreign_frame_einval", me_run, ME(.cmd = MMUEXT_CLEAR_PAGE, .arg1 = ME_A_DOM2,
      .expect = -XEN_EINVAL) },
    { "copy_page", me_run, ME(.cmd = MMUEXT_COPY_PAGE, .arg1 = ME_A_K1, .arg2 = ME_A_K2,
      .post = ME_P_COPIED) },
    { "copy_page_to_table_frame_einval", me_run, ME(.cmd = MMUEXT_COPY_PAGE, .arg1 = ME_A_L2,
      .arg2 = ME_A_K2, .expect = -XEN_EINVAL) },
    { "copy_page_from_foreign_frame_einval", me_run, ME(.cmd = MMUEXT_COPY_PAGE,
      .arg1 = ME_A_K1, .arg2 = ME_A_DOM2, .expect = -XEN_EINVAL) },
    { "unknown_cmd_enosys", me_run, ME(.cmd = 99, .expect = -XEN_ENOSYS) },
    /* SET_LDT's rows are in conformance/descriptor.c: an empty LDT here, as one op of many */
    { "set_ldt_empty", me_run, ME(.cmd = MMUEXT_SET_LDT) },
    { "foreign_pin_by_privileged", me_run, ME(.prep = ME_PREP_EMPTY, .from_dom0 = true,
      .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_T, .foreign = true, .foreigndom = 1,
      .post = ME_P_PINNED, .level = 1) },
    { "foreign_pin_unprivileged_eperm", me_run, ME(.prep = ME_PREP_EMPTY,
      .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = ME_A_T, .foreign = true, .foreigndom = 2,
      .expect = -XEN_EPERM) },
    { "foreign_new_baseptr_eperm", me_run, ME(.prep = ME_PREP_L4, .from_dom0 = true,
      .cmd = MMUEXT_NEW_BASEPTR, .arg1 = ME_A_T, .foreign = true, .foreigndom = 1,
      .expect = -XEN_EPERM) },
    { "foreign_missing_domain_esrch", me_run, ME(.cmd = MMUEXT_TLB_FLUSH_LOCAL, .foreign = true,
      .foreigndom = 6, .expect = -XEN_ESRCH) },
};
CONF_AREA("mmuext_op", me_cases)

/* Batches: a bad handle, a failure in the middle (pdone), and preemption between ops. */
enum mx_kind { MX_BAD_HANDLE = 0, MX_STOP_AT_FAILURE, MX_PREEMPTED };
struct mx_row { enum mx_kind kind; };

static void mx_run(struct conf_ctx *c)
{
    const struct mx_row *r = c->data;
    uint32_t done = 99;
    long rc;

    if (r->kind == MX_BAD_HANDLE) {
        rc = conf_hc(c, c->v1, HYPERVISOR_mmuext_op, DOM_VA(CONF_DOM_PAGES + 9), 1, 0,
                     DOMID_SELF, 0);
        CONF_EXPECT_EQ(c, -XEN_EFAULT, rc);
        return;
    }
    mfn_t t = mc_make_table(c, c->d1, c->v1, 0, NULL, 0);
    if (t == MFN_INVALID)
        return;
    const struct mmuext_op ops[3] = {
        { .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = t },
        { .cmd = r->kind == MX_STOP_AT_FAILURE ? MMUEXT_PIN_L1_TABLE : MMUEXT_TLB_FLUSH_LOCAL,
          .arg1 = t },
        { .cmd = MMUEXT_UNPIN_TABLE, .arg1 = t },
    };
    if (r->kind == MX_PREEMPTED)
        c->hv->preempt_pattern = ~0ULL;
    rc = mc_ext_batch(c, c->v1, ops, 3, DOMID_SELF, &done);
    c->hv->preempt_pattern = 0;
    if (r->kind == MX_STOP_AT_FAILURE) {
        CONF_EXPECT_EQ(c, -XEN_EINVAL, rc);   /* the second pin of the same table */
        CONF_EXPECT_EQ(c, 1, done);
        CONF_EXPECT(c, c->hv->frames[t].flags & FRAME_PINNED);  /* the unpin never ran */
    } else {
        CONF_EXPECT_EQ(c, 0, rc);
        CONF_EXPECT_EQ(c, 3, done);
        CONF_EXPECT(c, !(c->hv->frames[t].flags & FRAME_PINNED));
        CONF_EXPECT_EQ(c, 0, c->hv->frames[t].type_count);
    }
}

#define MX(k) (&(const struct mx_row){ .kind = (k) })
static const struct conf_case mx_cases[] = {
    { "bad_op_handle_efault", mx_run, MX(MX_BAD_HANDLE) },
    { "batch_stops_at_first_failure", mx_run, MX(MX_STOP_AT_FAILURE) },
    { "batch_preempted_between_ops_completes", mx_run, MX(MX_PREEMPTED) },
};
CONF_AREA("mmuext_op", mx_cases)
