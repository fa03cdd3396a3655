/* GNTTABOP_copy and GNTTABOP_transfer conformance: data moved, statuses, counts left unchanged. */
#include <string.h>
#include "grant_conf.h"

/*
 * Copy rows run from dom2. dom1 grants to dom2: ref 5 = its page GC_PAGE read-write, ref 6 =
 * page GC_PAGE+1 read-only; ref 7 = page GC_PAGE+2 to dom0. Both sides are filled with distinct
 * bytes first; a successful copy must move exactly len bytes, a refused one none, and no count
 * or pin of any frame involved may change either way.
 */
enum cp_ptr { CP_GREF_RW = 0, CP_GREF_RO, CP_OWN, CP_OWN_FOREIGN_DOMID, CP_GMFN_NOT_OWNED,
              CP_GMFN_L1, CP_BAD_MFN, CP_BAD_GREF, CP_NO_DOMAIN, CP_GREF_TO_DOM0 };

struct cp_row {
    enum cp_ptr src, dst;
    uint16_t soff, doff, len;
    int16_t  status;
};

static void cp_ptr(struct conf_ctx *c, enum cp_ptr k, struct gnttab_copy_ptr *p, uint16_t *flag,
                   uint16_t gref_flag, mfn_t *mfn)
{
    *mfn = MFN_INVALID;
    switch (k) {
    case CP_GREF_RW:
    case CP_GREF_RO:
    case CP_GREF_TO_DOM0:
    case CP_BAD_GREF:
    case CP_NO_DOMAIN: {
        unsigned i = k == CP_GREF_RW ? 0 : k == CP_GREF_RO ? 1 : 2;
        p->u = k == CP_BAD_GREF ? 5000 : GC_REF + i;
        p->domid = k == CP_NO_DOMAIN ? 6 : 1;
        *flag |= gref_flag;
        *mfn = conf_scratch_mfn(c, c->d1, GC_PAGE + (k == CP_BAD_GREF ? 0 : i));
        break;
    }
    case CP_OWN:
        p->u = *mfn = conf_scratch_mfn(c, c->d2, GC_PAGE);
        p->domid = DOMID_SELF;
        break;
    case CP_OWN_FOREIGN_DOMID:
        p->u = *mfn = conf_scratch_mfn(c, c->d2, GC_PAGE);
        p->domid = 1;
        break;
    case CP_GMFN_NOT_OWNED:
        p->u = *mfn = conf_scratch_mfn(c, c->d1, GC_PAGE);
        p->domid = DOMID_SELF;
        break;
    case CP_GMFN_L1:
        p->u = *mfn = c->d2->p2m[DOM_GFN_L1];
        p->domid = DOMID_SELF;
        break;
    case CP_BAD_MFN:
        p->u = c->hv->nr_frames + 3U;
        p->domid = DOMID_SELF;
        break;
    }
}

/* Everything the copy could touch: the three granted pages and dom2's own page. */
#define CP_NR_WATCH 4
static void cp_watch(struct conf_ctx *c, mfn_t w[CP_NR_WATCH])
{
    for (unsigned i = 0; i < 3; i++)
        w[i] = conf_scratch_mfn(c, c->d1, GC_PAGE + i);
    w[3] = conf_scratch_mfn(c, c->d2, GC_PAGE);
}

static void cp_run(struct conf_ctx *c)
{
    const struct cp_row *r = c->data;
    struct gnttab_copy op;
    mfn_t w[CP_NR_WATCH], sm, dm;
    uint32_t cnt[CP_NR_WATCH], typ[CP_NR_WATCH];
    uint8_t before[PAGE_SIZE];

    gc_grant(c, c->d1, GC_REF, 2, conf_scratch_mfn(c, c->d1, GC_PAGE), GTF_permit_access);
    gc_grant(c, c->d1, GC_REF + 1, 2, conf_scratch_mfn(c, c->d1, GC_PAGE + 1),
             GTF_permit_access | GTF_readonly);
    gc_grant(c, c->d1, GC_REF + 2, 0, conf_scratch_mfn(c, c->d1, GC_PAGE + 2),
             GTF_permit_access);
    cp_watch(c, w);
    for (unsigned i = 0; i < CP_NR_WATCH; i++) {
        memset(frame_mem(c->hv, w[i]), 0x10 * (int)(i + 1), PAGE_SIZE);
        cnt[i] = c->hv->frames[w[i]].count;
        typ[i] = c->hv->frames[w[i]].type_count;
    }
    memset(&op, 0, sizeof(op));
    cp_ptr(c, r->src, &op.source, &op.flags, GNTCOPY_source_gref, &sm);
    cp_ptr(c, r->dst, &op.dest, &op.flags, GNTCOPY_dest_gref, &dm);
    op.source.offset = r->soff;
    op.dest.offset = r->doff;
    op.len = r->len;
    if (mfn_valid(c->hv, dm))
        memcpy(before, frame_mem(c->hv, dm), PAGE_SIZE);

    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_copy, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, r->status, op.status);
    for (unsigned i = 0; i < CP_NR_WATCH; i++) {
        CONF_EXPECT_EQ(c, cnt[i], c->hv->frames[w[i]].count);
        CONF_EXPECT_EQ(c, typ[i], c->hv->frames[w[i]].type_count);
    }
    for (grant_ref_t g = GC_REF; g < GC_REF + 3; g++) {
        const struct gnt_active *a = gc_act(c->d1, g);
        CONF_EXPECT_EQ(c, 0, a->host_ro + a->host_rw + a->dev_ro + a->dev_rw);
    }
    if (!mfn_valid(c->hv, dm))
        return;
    if (op.status == GNTST_okay) {
        const uint8_t *d = frame_mem(c->hv, dm), *s = frame_mem(c->hv, sm);
        CONF_EXPECT(c, memcmp(d + r->doff, s + r->soff, r->len) == 0);
        CONF_EXPECT(c, memcmp(d, before, r->doff) == 0);
        CONF_EXPECT(c, memcmp(d + r->doff + r->len, before + r->doff + r->len,
                              PAGE_SIZE - r->doff - r->len) == 0);
    } else {
        CONF_EXPECT(c, memcmp(frame_mem(c->hv, dm), before, PAGE_SIZE) == 0);
    }
}

#define CP(...) (&(const struct cp_row){ __VA_ARGS__ })
static const struct conf_case cp_cases[] = {
    { "copy_gref_to_own", cp_run, CP(.src = CP_GREF_RW, .dst = CP_OWN, .soff = 8, .doff = 100,
      .len = 64) },
    { "copy_own_to_gref", cp_run, CP(.src = CP_OWN, .dst = CP_GREF_RW, .len = 4096) },
    { "copy_readonly_gref_as_source", cp_run, CP(.src = CP_GREF_RO, .dst = CP_GREF_RW,
      .soff = 4000, .doff = 0, .len = 96) },
    { "copy_own_to_own", cp_run, CP(.src = CP_OWN, .dst = CP_OWN, .soff = 0, .doff = 2048,
      .len = 1024) },
    { "copy_zero_length", cp_run, CP(.src = CP_GREF_RW, .dst = CP_OWN, .soff = 4096,
      .doff = 4096) },
    { "copy_readonly_gref_as_dest_permission_denied", cp_run, CP(.src = CP_OWN,
      .dst = CP_GREF_RO, .len = 16, .status = GNTST_permission_denied) },
    { "copy_source_past_page_bad_copy_arg", cp_run, CP(.src = CP_GREF_RW, .dst = CP_OWN,
      .soff = 4000, .len = 97, .status = GNTST_bad_copy_arg) },
    { "copy_dest_past_page_bad_copy_arg", cp_run, CP(.src = CP_GREF_RW, .dst = CP_OWN,
      .doff = 1, .len = 4096, .status = GNTST_bad_copy_arg) },
    { "copy_frame_of_other_domid_permission_denied", cp_run, CP(.src = CP_OWN_FOREIGN_DOMID,
      .dst = CP_OWN, .len = 8, .status = GNTST_permission_denied) },
    { "copy_frame_not_owned_bad_page", cp_run, CP(.src = CP_GMFN_NOT_OWNED, .dst = CP_OWN,
      .len = 8, .status = GNTST_bad_page) },
    { "copy_bad_mfn_bad_page", cp_run, CP(.src = CP_BAD_MFN, .dst = CP_OWN, .len = 8,
      .status = GNTST_bad_page) },
    { "copy_into_page_table_general_error", cp_run, CP(.src = CP_GREF_RW, .dst = CP_GMFN_L1,
      .len = 8, .status = GNTST_general_error) },
    { "copy_bad_gref_bad_gntref", cp_run, CP(.src = CP_BAD_GREF, .dst = CP_OWN, .len = 8,
      .status = GNTST_bad_gntref) },
    { "copy_no_domain_bad_domain", cp_run, CP(.src = CP_NO_DOMAIN, .dst = CP_OWN, .len = 8,
      .status = GNTST_bad_domain) },
    { "copy_gref_for_other_domain_general_error", cp_run, CP(.src = CP_GREF_TO_DOM0,
      .dst = CP_OWN, .len = 8, .status = GNTST_general_error) },
};
CONF_AREA("grant_copy", cp_cases)

/* A batch reports per element and keeps going after a failed one. */
static void cp_batch(struct conf_ctx *c)
{
    struct gnttab_copy ops[3];
    mfn_t own = conf_scratch_mfn(c, c->d2, GC_PAGE);

    gc_grant_std(c, GTF_permit_access);
    memset(ops, 0, sizeof(ops));
    for (unsigned i = 0; i < 3; i++) {
        ops[i].flags = GNTCOPY_source_gref;
        ops[i].source.u = GC_REF;
        ops[i].source.domid = 1;
        ops[i].dest.u = own;
        ops[i].dest.domid = DOMID_SELF;
        ops[i].len = 32;
        ops[i].dest.offset = (uint16_t)(i * 64);
    }
    ops[1].source.offset = 4090;
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_copy, ops, sizeof(ops[0]), 3));
    CONF_EXPECT_EQ(c, GNTST_okay, ops[0].status);
    CONF_EXPECT_EQ(c, GNTST_bad_copy_arg, ops[1].status);
    CONF_EXPECT_EQ(c, GNTST_okay, ops[2].status);
}

/*
 * Transfer rows run from dom2 and give a frame to dom1 through dom1's accept_transfer entry
 * GC_REF, which asks for the frame at gfn GC_FREE_GFN(0). The frame is dom2's data page GC_PAGE
 * with its PTE cleared first (a mapped frame cannot be stolen), unless the row says otherwise.
 */
enum tr_frame { TR_UNMAPPED = 0, TR_MAPPED, TR_L1, TR_GRANT_FRAME, TR_BAD_MFN, TR_NOT_OWN };

struct tr_row {
    enum tr_frame frame;
    domid_t  dest;          /* 0: 1 */
    grant_ref_t ref;        /* 0: GC_REF */
    uint16_t gflags;        /* 0: GTF_accept_transfer */
    bool     entry_to_dom0;
    bool     no_headroom;
    int16_t  status;
};

static mfn_t tr_frame(struct conf_ctx *c, enum tr_frame f)
{
    switch (f) {
    case TR_UNMAPPED:
    case TR_MAPPED:      return conf_scratch_mfn(c, c->d2, GC_PAGE);
    case TR_L1:          return c->d2->p2m[DOM_GFN_L1];
    case TR_GRANT_FRAME: return c->d2->gnt.frames[0];
    case TR_BAD_MFN:     return c->hv->nr_frames;
    case TR_NOT_OWN:     return conf_scratch_mfn(c, c->d1, GC_PAGE);
    }
    return MFN_INVALID;
}

static void tr_run(struct conf_ctx *c)
{
    const struct tr_row *r = c->data;
    mfn_t m = tr_frame(c, r->frame);
    gfn_t want_gfn = GC_FREE_GFN(0);
    uint16_t gflags = r->gflags ? r->gflags : GTF_accept_transfer;
    uint32_t tot1, tot2;
    domid_t owner0 = mfn_valid(c->hv, m) ? c->hv->frames[m].owner : DOMID_INVALID;
    struct gnttab_transfer op = { .mfn = m, .domid = r->dest ? r->dest : 1,
                                  .ref = r->ref ? r->ref : GC_REF };

    if (conf_put(c, c->v2, conf_scratch(c, c->d2, GC_PAGE), "payload", 8) < 0)
        return;
    if (r->frame == TR_UNMAPPED)
        CONF_SETUP(c, gc_set_pte(c, c->v2, c->d2, GC_PAGE, 0));
    gc_grant(c, c->d1, GC_REF, r->entry_to_dom0 ? 0 : 2, want_gfn, gflags);
    if (r->no_headroom)
        c->d1->max_pages = c->d1->tot_pages;
    tot1 = c->d1->tot_pages;
    tot2 = c->d2->tot_pages;

    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v2, GNTTABOP_transfer, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, r->status, op.status);
    if (op.status != GNTST_okay) {
        CONF_EXPECT_EQ(c, tot1, c->d1->tot_pages);
        CONF_EXPECT_EQ(c, tot2, c->d2->tot_pages);
        CONF_EXPECT_EQ(c, gflags, gc_entry_flags(c, c->d1, GC_REF));
        if (mfn_valid(c->hv, m))
            CONF_EXPECT_EQ(c, owner0, c->hv->frames[m].owner);
        return;
    }
    const struct frame *f = &c->hv->frames[m];
    CONF_EXPECT_EQ(c, 1, f->owner);
    CONF_EXPECT_EQ(c, 1, f->count);
    CONF_EXPECT_EQ(c, FRAME_ALLOCATED, f->flags);
    CONF_EXPECT_EQ(c, PGT_none, f->type);
    CONF_EXPECT_EQ(c, 0, f->type_count);
    CONF_EXPECT_EQ(c, tot1 + 1, c->d1->tot_pages);
    CONF_EXPECT_EQ(c, tot2 - 1, c->d2->tot_pages);
    CONF_EXPECT_EQ(c, m, c->d1->p2m[want_gfn]);
    CONF_EXPECT_EQ(c, MFN_INVALID, c->d2->p2m[DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + GC_PAGE]);
    CONF_EXPECT_EQ(c, m, gc_entry_frame(c, c->d1, GC_REF));
    CONF_EXPECT_EQ(c, GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed,
                   gc_entry_flags(c, c->d1, GC_REF));
    CONF_EXPECT(c, memcmp(frame_mem(c->hv, m), "payload", 8) == 0);
}

#define TR(...) (&(const struct tr_row){ __VA_ARGS__ })
static const struct conf_case tr_cases[] = {
    { "transfer_unmapped_page", tr_run, TR(.frame = TR_UNMAPPED) },
    { "transfer_mapped_page_bad_page", tr_run, TR(.frame = TR_MAPPED,
      .status = GNTST_bad_page) },
    { "transfer_page_table_bad_page", tr_run, TR(.frame = TR_L1, .status = GNTST_bad_page) },
    { "transfer_grant_frame_bad_page", tr_run, TR(.frame = TR_GRANT_FRAME,
      .status = GNTST_bad_page) },
    { "transfer_bad_mfn_bad_page", tr_run, TR(.frame = TR_BAD_MFN, .status = GNTST_bad_page) },
    { "transfer_not_own_frame_bad_page", tr_run, TR(.frame = TR_NOT_OWN,
      .status = GNTST_bad_page) },
    { "transfer_no_domain_bad_domain", tr_run, TR(.dest = 6, .status = GNTST_bad_domain) },
    /* Xen looks at the frame (steal_page) before the transferee: the xen target showed it */
    { "transfer_frame_checked_before_domain", tr_run, TR(.frame = TR_L1, .dest = 6,
      .status = GNTST_bad_page) },
    { "transfer_domid_self_bad_domain", tr_run, TR(.dest = DOMID_SELF,
      .status = GNTST_bad_domain) },
    /* Xen's gnttab_prepare_for_transfer refuses a ref past the table as general_error */
    { "transfer_bad_ref_general_error", tr_run, TR(.ref = 4096, .status = GNTST_general_error) },
    { "transfer_not_accepting_general_error", tr_run, TR(.gflags = GTF_permit_access,
      .status = GNTST_general_error) },
    { "transfer_entry_for_other_general_error", tr_run, TR(.entry_to_dom0 = true,
      .status = GNTST_general_error) },
    { "transfer_no_headroom_general_error", tr_run, TR(.no_headroom = true,
      .status = GNTST_general_error) },
};
CONF_AREA("grant_transfer", tr_cases)

static const struct conf_case cpb_cases[] = {
    { "copy_batch_per_element_status", cp_batch, NULL },
};
CONF_AREA("grant_copy_batch", cpb_cases)
