/* Page-table advisories re-checked: XSA-148/182/240/241/286/299/401/402 fixed rules hold. */
#include "mmu_conf.h"
#include "hvfuzz/audit.h"

/* ---- XSA-148: PSE in an L2 entry lets a PV guest map 2 MiB over its own page tables. ---------- */
static void xsa148_l2_pse(struct conf_ctx *c)
{
    mfn_t l2 = mc_l2(c->d1);
    uint64_t *e0 = &frame_ptes(c->hv, l2)[0];
    uint64_t old0 = *e0;
    /* a fresh PSE entry over the domain's first 2 MiB (which holds its page tables) */
    long rc = mc_mmu1(c, c->v1, mc_slot(l2, 9), mc_pte(mc_l4(c->d1), MC_RW | _PAGE_PSE),
                      DOMID_SELF);
    CONF_EXPECT_EQ(c, -XEN_EINVAL, rc);
    CONF_EXPECT_EQ(c, 0, frame_ptes(c->hv, l2)[9]);
    /* adding PSE to an existing entry must not slip through the fast path */
    rc = mc_mmu1(c, c->v1, mc_slot(l2, 0), old0 | _PAGE_PSE, DOMID_SELF);
    CONF_EXPECT_EQ(c, -XEN_EINVAL, rc);
    CONF_EXPECT_EQ(c, old0, *e0);
}

/* ---- XSA-182: the fast path flipped RW on a linear entry: a writable view of a live table. ---- */
struct x182_row { unsigned level; };

static void xsa182_linear_rw(struct conf_ctx *c)
{
    const struct x182_row *r = c->data;
    mfn_t tables[5] = { 0, mc_l1(c->d1), mc_l2(c->d1), mc_l3(c->d1), mc_l4(c->d1) };
    mfn_t t = tables[r->level], target = t;   /* L4: a self-reference */
    static const uint32_t pin[5] = { 0, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                     MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE };
    if (r->level < 4) {
        /* a second, pinned table of the same level to point at linearly */
        target = mc_make_table(c, c->d1, c->v1, 0, NULL, 0);
        if (target == MFN_INVALID)
            return;
        CONF_SETUP(c, mc_ext1(c, c->v1, pin[r->level], target, 0, DOMID_SELF));
    }
    const unsigned idx = 300 - 3 * r->level;  /* free in every builder table, not a Xen slot */
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(t, idx), mc_pte(target, MC_RO), DOMID_SELF));
    uint32_t tc = c->hv->frames[target].type_count;
    int16_t lpc = c->hv->frames[target].linear_pt_count;
    if (target != t)
        CONF_EXPECT_EQ(c, 1, lpc);
    /* the same entry with RW: refused, nothing changes */
    CONF_EXPECT_EQ(c, -XEN_EINVAL, mc_mmu1(c, c->v1, mc_slot(t, idx),
                                           mc_pte(target, MC_RW), DOMID_SELF));
    CONF_EXPECT_EQ(c, mc_pte(target, MC_RO), frame_ptes(c->hv, t)[idx]);
    CONF_EXPECT_EQ(c, tc, c->hv->frames[target].type_count);
    CONF_EXPECT_EQ(c, lpc, c->hv->frames[target].linear_pt_count);
    /* and whitelisted bits still take the fast path */
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(t, idx),
                                 mc_pte(target, MC_RO | _PAGE_DIRTY), DOMID_SELF));
}

/* ---- XSA-240: linear chains deeper than one level allowed unbounded recursion. ---------------- */
static void xsa240_linear_depth(struct conf_ctx *c)
{
    mfn_t a = mc_l2(c->d1);
    mfn_t b = mc_make_table(c, c->d1, c->v1, 0, NULL, 0);
    mfn_t t = mc_make_table(c, c->d1, c->v1, 1, NULL, 0);
    if (b == MFN_INVALID || t == MFN_INVALID)
        return;
    CONF_SETUP(c, mc_ext1(c, c->v1, MMUEXT_PIN_L2_TABLE, b, 0, DOMID_SELF));
    CONF_SETUP(c, mc_ext1(c, c->v1, MMUEXT_PIN_L2_TABLE, t, 0, DOMID_SELF));
    /* B -> T: one level of linear mapping is fine */
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(b, 0), mc_pte(t, MC_RO), DOMID_SELF));
    /* A -> B would chain A -> B -> T */
    CONF_EXPECT_EQ(c, -XEN_EINVAL, mc_mmu1(c, c->v1, mc_slot(a, 9), mc_pte(b, MC_RO),
                                           DOMID_SELF));
    /* T is used linearly: it may not gain linear entries (T -> A) */
    CONF_EXPECT_EQ(c, -XEN_EINVAL, mc_mmu1(c, c->v1, mc_slot(t, 4), mc_pte(a, MC_RO),
                                           DOMID_SELF));
    /* another table may still point at T */
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(a, 9), mc_pte(t, MC_RO), DOMID_SELF));
    CONF_EXPECT_EQ(c, -1, c->hv->frames[a].linear_pt_count);
    CONF_EXPECT_EQ(c, -1, c->hv->frames[b].linear_pt_count);
    CONF_EXPECT_EQ(c, 2, c->hv->frames[t].linear_pt_count);
    /* dropping the uses releases the counts */
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(a, 9), 0, DOMID_SELF));
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(b, 0), 0, DOMID_SELF));
    CONF_EXPECT_EQ(c, 0, c->hv->frames[t].linear_pt_count);
    CONF_EXPECT_EQ(c, 0, c->hv->frames[a].linear_pt_count);
}

/*
 * ---- XSA-241 / XSA-401: a frame that changes type must not stay reachable through a TLB entry
 * made under its old type. dom1 writes scratch page 3 (vCPU 0 caches a writable translation),
 * unmaps it without flushing (the stale entry is still there), then makes the frame a page table:
 * by pin (241) or as the target of a new L2 entry (401). The type change must flush the stale
 * entry, so the guest's write through it faults and the new table stays untouched.
 */
struct x241_row { bool via_l2_entry; };

static void xsa241_type_change_flush(struct conf_ctx *c)
{
    const struct x241_row *r = c->data;
    gva_t va = conf_scratch(c, c->d1, 3);
    mfn_t m = conf_scratch_mfn(c, c->d1, 3);
    const uint64_t zero = 0, evil = mc_pte(mc_l2(c->d1), MC_RW);
    if (conf_put(c, c->v1, va, &zero, sizeof(zero)) < 0)
        return;
    CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_update_va_mapping, va, 0, UVMF_NONE, 0, 0));
    if (!tlb_lookup(c->v1, va, NULL)) {
        CONF_ERROR(c, "set-up: no stale TLB entry to test with");
        return;
    }
    if (r->via_l2_entry)
        CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(mc_l2(c->d1), 7), mc_pte(m, MC_RW),
                                     DOMID_SELF));
    else
        CONF_EXPECT_EQ(c, 0, mc_ext1(c, c->v1, MMUEXT_PIN_L1_TABLE, m, 0, DOMID_SELF));
    CONF_EXPECT_EQ(c, PGT_l1, c->hv->frames[m].type);
    CONF_EXPECT(c, !tlb_lookup(c->v1, va, NULL));
    CONF_EXPECT(c, guest_write(c->hv, c->v1, va, &evil, sizeof(evil), NULL) < 0);
    CONF_EXPECT_EQ(c, 0, frame_ptes(c->hv, m)[0]);
}

/*
 * ---- XSA-286: after an L2+ update the walker must see the current tables: a translation cached
 * through the old L1 may not survive the switch of the L2 entry to a new L1.
 */
static void xsa286_no_stale_linear(struct conf_ctx *c)
{
    const unsigned kb = 10, kx = 11, kg = 12;
    const uint64_t old_mark = 0x6F6C64, new_mark = 0x6E6577;
    gva_t vg = conf_scratch(c, c->d1, kg);
    mfn_t a = mc_l1(c->d1);
    uint64_t seen = 0;
    if (conf_put(c, c->v1, vg, &old_mark, sizeof(old_mark)) < 0 ||
        conf_put(c, c->v1, conf_scratch(c, c->d1, kx), &new_mark, sizeof(new_mark)) < 0 ||
        conf_get(c, c->v1, vg, &seen, sizeof(seen)) < 0)
        return;
    /* B: a copy of the domain's L1 where vg maps frame X, and B itself read-only */
    static uint64_t ents[PTES_PER_TABLE][2];
    unsigned ib = (unsigned)((conf_scratch(c, c->d1, kb) >> PAGE_SHIFT) & 511U);
    unsigned ig = (unsigned)((vg >> PAGE_SHIFT) & 511U);
    for (unsigned i = 0; i < PTES_PER_TABLE; i++) {
        ents[i][0] = i;
        ents[i][1] = frame_ptes(c->hv, a)[i];
    }
    ents[ig][1] = mc_pte(conf_scratch_mfn(c, c->d1, kx), MC_RW);
    ents[ib][1] = mc_pte(conf_scratch_mfn(c, c->d1, kb), MC_RO);
    mfn_t b = mc_make_table(c, c->d1, c->v1, kb, (const uint64_t (*)[2])ents, PTES_PER_TABLE);
    if (b == MFN_INVALID)
        return;
    CONF_EXPECT_EQ(c, 0, mc_mmu1(c, c->v1, mc_slot(mc_l2(c->d1), 0), mc_pte(b, MC_RW),
                                 DOMID_SELF));
    CONF_EXPECT_EQ(c, 0, conf_get(c, c->v1, vg, &seen, sizeof(seen)));
    CONF_EXPECT_EQ(c, new_mark, seen);
    /* the old L1 lost its last type ref with the L2 entry: it is no table any more */
    CONF_EXPECT_EQ(c, 0, c->hv->frames[a].type_count);
}

/* ---- XSA-402: stale cache lines of a WC/UC mapping (needs a cache model). ------------------- */
struct x402_row { unsigned level; uint64_t bits; };

static void xsa402_cache_attrs(struct conf_ctx *c)
{
    const struct x402_row *r = c->data;
    if (!r) {
        CONF_SKIP(c, "XSA-402 is about stale cache lines of WC mappings after a type change; "
                  "the reference monitor has no cache model");
        return;
    }
    /* what can be checked: no cache attributes on the guest's upper-level entries */
    mfn_t tables[5] = { 0, 0, mc_l2(c->d1), mc_l3(c->d1), mc_l4(c->d1) };
    mfn_t t = tables[r->level];
    unsigned idx = r->level == 4 ? MC_L4_IDX : r->level == 3 ? MC_L3_IDX : 0;
    uint64_t old = frame_ptes(c->hv, t)[idx];
    CONF_EXPECT_EQ(c, -XEN_EINVAL, mc_mmu1(c, c->v1, mc_slot(t, idx), old | r->bits,
                                           DOMID_SELF));
    CONF_EXPECT_EQ(c, old, frame_ptes(c->hv, t)[idx]);
}

/*
 * ---- XSA-299: restartable (de)validation got its partial accounting wrong. A hierarchy of
 * L4 -> L3 -> L2 -> 3 L1s (upper tables referencing their child several times) is pinned with
 * preemption firing per the row's pattern; after the first preemption the partial state must
 * audit clean and refuse conflicting uses, other operations run, and then the pin is resumed,
 * taken over by another domain, abandoned, or the domain is destroyed with partial tables.
 */
enum x299_act { X299_RESUME = 0, X299_TAKEOVER, X299_DESTROY, X299_ABANDON };
struct x299_row { uint64_t pattern; enum x299_act act; };

#define X299_MAX_RESTARTS 100000U

/* Build the hierarchy in dom1's scratch pages 30..35; t[0..2] L1s, t[3] L2, t[4] L3, t[5] L4. */
static int x299_build(struct conf_ctx *c, mfn_t t[6])
{
    for (unsigned i = 0; i < 3; i++) {
        const uint64_t e[][2] = {
            { 0, mc_pte(conf_scratch_mfn(c, c->d1, 20 + i), MC_RO) },
            { 1, mc_pte(conf_scratch_mfn(c, c->d1, 23 + i), MC_RO) },
        };
        t[i] = mc_make_table(c, c->d1, c->v1, 30 + i, e, 2);
        if (t[i] == MFN_INVALID)
            return -1;
    }
    const uint64_t e2[][2] = { { 0, mc_pte(t[0], MC_RW) }, { 1, mc_pte(t[1], MC_RW) },
                               { 2, mc_pte(t[2], MC_RW) } };
    if ((t[3] = mc_make_table(c, c->d1, c->v1, 33, e2, 3)) == MFN_INVALID)
        return -1;
    const uint64_t e3[][2] = { { 0, mc_pte(t[3], MC_RW) }, { 1, mc_pte(t[3], MC_RW) } };
    if ((t[4] = mc_make_table(c, c->d1, c->v1, 34, e3, 2)) == MFN_INVALID)
        return -1;
    /* junk in a Xen slot: validation must clear it, not take refs for it */
    const uint64_t e4[][2] = { { 0, mc_pte(t[4], MC_RW) }, { 1, mc_pte(t[4], MC_RW) },
                               { 2, mc_pte(t[4], MC_RW) },
                               { 260, mc_pte(conf_scratch_mfn(c, c->d1, 20), MC_RO) } };
    if ((t[5] = mc_make_table(c, c->d1, c->v1, 35, e4, 4)) == MFN_INVALID)
        return -1;
    return 0;
}

static void x299_expect_untyped(struct conf_ctx *c, const mfn_t t[6])
{
    for (unsigned i = 0; i < 6; i++) {
        const struct frame *f = &c->hv->frames[t[i]];
        if (f->type_count)
            CONF_FAIL(c, "table %u (mfn 0x%llx, type %u, flags 0x%x) keeps %u type refs", i,
                      (unsigned long long)t[i], f->type, f->flags, f->type_count);
        CONF_EXPECT_EQ(c, 0, f->flags & (FRAME_PINNED | FRAME_PARTIAL | FRAME_VALIDATED));
    }
}

static void xsa299_preempted_pin(struct conf_ctx *c)
{
    const struct x299_row *r = c->data;
    mfn_t t[6];
    struct audit_report rep;
    if (x299_build(c, t) < 0)
        return;
    /* the op lives away from the helpers' buffer page, which the interleaved calls reuse */
    gva_t op_va = mc_aux(c, c->v1) + 512, pdone_va = mc_aux(c, c->v1) + 1024;
    const struct mmuext_op pin = { .cmd = MMUEXT_PIN_L4_TABLE, .arg1 = t[5] };
    if (conf_put(c, c->v1, op_va, &pin, sizeof(pin)) < 0)
        return;
    uint64_t args[6] = { op_va, 1, pdone_va, DOMID_SELF, 0, 0 };

    c->hv->preempt_pattern = r->pattern;
    long rc = hv_hypercall(c->hv, c->v1, HYPERVISOR_mmuext_op, args);
    CONF_EXPECT_EQ(c, -XEN_ERESTART, rc);
    if (rc != -XEN_ERESTART)
        return;
    uint64_t cont[6];
    memcpy(cont, args, sizeof(cont));

    /* the partial state is consistent and holds the L4 type against other uses */
    CONF_EXPECT_EQ(c, 0, audit_run(c->hv, &rep));
    CONF_EXPECT(c, c->hv->frames[t[5]].flags & FRAME_PARTIAL);
    CONF_EXPECT_EQ(c, -XEN_EBUSY, mc_mmu1(c, c->v1, conf_l1e_maddr(c, c->d1, 0),
                                          mc_pte(t[5], MC_RW), DOMID_SELF));
    CONF_EXPECT_EQ(c, -XEN_EINVAL, mc_ext1(c, c->v0, MMUEXT_UNPIN_TABLE, t[5], 0, 1));
    CONF_EXPECT_EQ(c, 0, mc_ext1(c, c->v2, MMUEXT_TLB_FLUSH_ALL, 0, 0, DOMID_SELF));

    switch (r->act) {
    case X299_RESUME:
    case X299_TAKEOVER: {
        if (r->act == X299_TAKEOVER)
            CONF_EXPECT_EQ(c, 0, mc_ext1(c, c->v0, MMUEXT_PIN_L4_TABLE, t[5], 0, 1));
        unsigned n = 0;
        do {
            memcpy(args, cont, sizeof(args));
            rc = hv_hypercall(c->hv, c->v1, HYPERVISOR_mmuext_op, args);
            memcpy(cont, args, sizeof(cont));
        } while (rc == -XEN_ERESTART && ++n < X299_MAX_RESTARTS);
        /* after a take-over the table is pinned already: the resumed pin is refused */
        CONF_EXPECT_EQ(c, r->act == X299_TAKEOVER ? -XEN_EINVAL : 0, rc);
        const struct frame *f4 = &c->hv->frames[t[5]];
        CONF_EXPECT(c, f4->flags & FRAME_PINNED);
        CONF_EXPECT(c, f4->flags & FRAME_VALIDATED);
        CONF_EXPECT_EQ(c, 1, f4->type_count);
        CONF_EXPECT_EQ(c, 3, c->hv->frames[t[4]].type_count);
        CONF_EXPECT_EQ(c, 2, c->hv->frames[t[3]].type_count);
        CONF_EXPECT_EQ(c, 1, c->hv->frames[t[0]].type_count);
        CONF_EXPECT_EQ(c, 0, frame_ptes(c->hv, t[5])[260]);
        /* a preempted unpin finishes through the vCPU's deferred put */
        CONF_EXPECT_EQ(c, 0, mc_ext1(c, c->v1, MMUEXT_UNPIN_TABLE, t[5], 0, DOMID_SELF));
        CONF_EXPECT_EQ(c, 0, mc_ext1(c, c->v1, MMUEXT_TLB_FLUSH_LOCAL, 0, 0, DOMID_SELF));
        CONF_EXPECT_EQ(c, MFN_INVALID, c->v1->old_guest_table);
        x299_expect_untyped(c, t);
        break;
    }
    case X299_DESTROY: {
        unsigned n = 0;
        do
            rc = dom_destroy(c->hv, c->d1);
        while (rc == -XEN_ERESTART && ++n < X299_MAX_RESTARTS);
        CONF_EXPECT_EQ(c, 0, rc);
        CONF_EXPECT(c, !c->d1->exists);
        break;
    }
    case X299_ABANDON:
        /* left partial for good: the audit after the case checks the counts */
        CONF_EXPECT(c, c->hv->frames[t[5]].flags & FRAME_PARTIAL);
        break;
    }
    c->hv->preempt_pattern = 0;
}

#define X182(l) (&(const struct x182_row){ .level = (l) })
#define X241(b) (&(const struct x241_row){ .via_l2_entry = (b) })
#define X299(p, a) (&(const struct x299_row){ .pattern = (p), .act = (a) })
#define X402(l, b) (&(const struct x402_row){ .level = (l), .bits = (b) })
static const struct conf_case xsa_cases[] = {
    { "xsa148_l2_pse_refused", xsa148_l2_pse, NULL },
    { "xsa182_l4_self_map_rw_refused", xsa182_linear_rw, X182(4) },
    { "xsa182_l3_linear_rw_refused", xsa182_linear_rw, X182(3) },
    { "xsa182_l2_linear_rw_refused", xsa182_linear_rw, X182(2) },
    { "xsa240_linear_depth_one", xsa240_linear_depth, NULL },
    { "xsa241_pin_flushes_stale_tlb", xsa241_type_change_flush, X241(false) },
    { "xsa401_l2_entry_type_change_flushes", xsa241_type_change_flush, X241(true) },
    { "xsa286_l2_update_no_stale_translation", xsa286_no_stale_linear, NULL },
    { "xsa299_pin_preempted_first_check_resume", xsa299_preempted_pin, X299(1, X299_RESUME) },
    { "xsa299_pin_preempted_every_check_resume", xsa299_preempted_pin, X299(~0ULL, X299_RESUME) },
    { "xsa299_pin_preempted_sparse_resume", xsa299_preempted_pin,
      X299(0x8000010000100020ULL, X299_RESUME) },
    { "xsa299_pin_taken_over_by_other_domain", xsa299_preempted_pin,
      X299(1ULL << 9, X299_TAKEOVER) },
    { "xsa299_pin_taken_over_every_check", xsa299_preempted_pin, X299(~0ULL, X299_TAKEOVER) },
    { "xsa299_destroy_with_partial_tables", xsa299_preempted_pin, X299(1ULL << 3, X299_DESTROY) },
    { "xsa299_destroy_every_check", xsa299_preempted_pin, X299(~0ULL, X299_DESTROY) },
    { "xsa299_partial_state_abandoned", xsa299_preempted_pin, X299(1ULL << 17, X299_ABANDON) },
    { "xsa402_pcd_on_l2_refused", xsa402_cache_attrs, X402(2, _PAGE_PCD) },
    { "xsa402_pwt_on_l3_refused", xsa402_cache_attrs, X402(3, _PAGE_PWT) },
    { "xsa402_pat_on_l4_refused", xsa402_cache_attrs, X402(4, _PAGE_PAT) },
    { "xsa402_stale_wc_cache", xsa402_cache_attrs, NULL },
};
CONF_AREA("xsa_pagetable", xsa_cases)
