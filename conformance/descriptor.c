/* Conformance of the descriptor tables: set_gdt, update_descriptor and mmuext SET_LDT. */
#include "grant_conf.h"
#include "mmu_conf.h"

/*
 * Each row is one call from dom1's vCPU 0 (or dom0's), with Xen 4.17's return (its
 * pv/descriptor-tables.c and mm.c MMUEXT_SET_LDT rules, docs/MODEL.md) and the state it leaves.
 * Set-up: scratch pages 3..5 may be filled with descriptors (through the guest's mapping) and
 * remapped read-only, so that they can take the seg_desc type; a row may first install page 5 as
 * the GDT. The frame list of set_gdt lives on scratch page DT_LIST.
 */
#define DT_LIST 57U
#define DT_CODE0    0x00209A000000FFFFULL  /* 64-bit code, DPL 0: stored with DPL 3 */
#define DT_CODE3    0x0020FA000000FFFFULL
#define DT_DATA3    0x00CFF2000000FFFFULL
#define DT_GATE_K   0x0000EC00E0331000ULL  /* call gate to the flat kernel CS, DPL 3 */
#define DT_GATE_K_S 0x00008C00E0331000ULL  /* ... as stored: DPL 0, the DPL in the RPL */
#define DT_GATE_G0  0x00008C0000101000ULL  /* call gate to GDT selector 0x10, DPL 0 */
#define DT_GATE_G_S 0x00008C0000131000ULL  /* ... as stored: RPL 3 */
#define DT_GATE_LDT 0x0000EC00000F1000ULL  /* call gate to an LDT selector */
#define DT_GATE_L_S 0x00008C00000F1000ULL
#define DT_GATE_XEN 0x0000EC00E0081000ULL  /* call gate to Xen's own code selector */
#define DT_GATE_RSV 0x0000EC01E0331000ULL  /* call gate with a reserved bit set */
#define DT_GATE_HI  0x0000800000000000ULL  /* present, type 0: a gate's second half */
#define DT_LDT_DESC 0x0000820000000000ULL  /* an LDT descriptor: refused */
#define DT_INTGATE  0x00008E00E0331000ULL  /* an interrupt gate: refused */
#define DT_ABSENT   0xFFFF7FFFFFFFFFFFULL  /* not present: anything goes */

enum dt_page { DT_P_NONE = 0, DT_P_GOOD, DT_P_CODE0, DT_P_BAD, DT_P_RW };
enum dt_frame { DT_F_NONE = 0, DT_F_K1, DT_F_K3, DT_F_K4, DT_F_K5, DT_F_DOM2, DT_F_L2,
                DT_F_BAD };
enum dt_op { DT_GDT, DT_UPD, DT_LDT };

struct dt_row {
    enum dt_op op;
    enum dt_page k3, k4;       /* what scratch pages 3 and 4 hold (page 5 is always good) */
    bool     preset_gdt;       /* page 5 installed as a one-frame GDT first */
    bool     from_dom0;
    /* DT_GDT: frames and entries (list_bad: the list is not mapped) */
    enum dt_frame f0, f1;
    uint32_t ents;
    bool     list_bad;
    /* DT_UPD: frame, byte offset, descriptor; DT_LDT: base, entries, foreigndom */
    uint64_t off, desc;
    uint64_t base;
    uint64_t foreigndom;
    long     expect;
    /* post-conditions */
    uint32_t want_ents;        /* DT_GDT: v->gdt_ents; DT_LDT: v->ldt_ents */
    enum dt_frame want_f0;     /* DT_GDT: the first GDT frame after the call */
    bool     check_stored;     /* DT_UPD: the 8 bytes at the address after the call */
    uint64_t stored;
    uint64_t want_base;        /* DT_LDT */
    enum dt_frame released;    /* a frame whose seg_desc type count must be 0 after the call */
};

static mfn_t dt_frame(struct conf_ctx *c, enum dt_frame f)
{
    switch (f) {
    case DT_F_NONE: return 0;
    case DT_F_K1:   return conf_scratch_mfn(c, c->d1, 1);
    case DT_F_K3:   return conf_scratch_mfn(c, c->d1, 3);
    case DT_F_K4:   return conf_scratch_mfn(c, c->d1, 4);
    case DT_F_K5:   return conf_scratch_mfn(c, c->d1, 5);
    case DT_F_DOM2: return conf_scratch_mfn(c, c->d2, 0);
    case DT_F_L2:   return mc_l2(c->d1);
    case DT_F_BAD:  return c->hv->nr_frames + 3U;
    }
    return 0;
}

/* Fill scratch page k with descriptors of the given kind, then map it read-only. */
static int dt_page(struct conf_ctx *c, unsigned k, enum dt_page p)
{
    const uint64_t good[] = { 0, DT_CODE3, DT_DATA3, DT_GATE_K, DT_GATE_HI, DT_ABSENT };
    const uint64_t code0[] = { 0, DT_CODE0 };
    const uint64_t bad[] = { 0, DT_CODE3, DT_INTGATE };
    const uint64_t *d = good;
    size_t n = sizeof(good);

    if (p == DT_P_NONE)
        return 0;
    if (p == DT_P_CODE0) {
        d = code0;
        n = sizeof(code0);
    } else if (p == DT_P_BAD) {
        d = bad;
        n = sizeof(bad);
    }
    if (conf_put(c, c->v1, conf_scratch(c, c->d1, k), d, n) < 0)
        return -1;
    if (p == DT_P_RW)
        return 0;
    return mc_set_l1(c, c->d1, c->v1, k, mc_pte(conf_scratch_mfn(c, c->d1, k), MC_RO));
}

static long dt_set_gdt(struct conf_ctx *c, struct vcpu *v, mfn_t f0, mfn_t f1, uint32_t ents,
                       bool list_bad)
{
    const uint64_t list[2] = { f0, f1 };
    gva_t va = list_bad ? DOM_VA(CONF_DOM_PAGES + 11) : conf_scratch(c, c->d1, DT_LIST);

    if (!list_bad && conf_put(c, v, va, list, sizeof(list)) < 0)
        return MC_SETUP_BROKE;
    return conf_hc(c, v, HYPERVISOR_set_gdt, va, ents, 0, 0, 0);
}

static void dt_run(struct conf_ctx *c)
{
    const struct dt_row *r = c->data;
    struct vcpu *v = r->from_dom0 ? c->v0 : c->v1;
    long rc = 0;

    if (dt_page(c, 3, r->k3) < 0 || dt_page(c, 4, r->k4) < 0 ||
        (r->preset_gdt && dt_page(c, 5, DT_P_GOOD) < 0))
        return;
    if (r->preset_gdt)
        CONF_SETUP(c, dt_set_gdt(c, c->v1, dt_frame(c, DT_F_K5), 0, 512, false));
    if (c->state != CONF_SUCCESS)
        return;

    switch (r->op) {
    case DT_GDT:
        rc = dt_set_gdt(c, v, dt_frame(c, r->f0), dt_frame(c, r->f1), r->ents, r->list_bad);
        CONF_EXPECT_EQ(c, r->expect, rc);
        CONF_EXPECT_EQ(c, r->want_ents, v->gdt_ents);
        if (r->want_f0)
            CONF_EXPECT_EQ(c, dt_frame(c, r->want_f0), v->gdt_frames[0]);
        break;
    case DT_UPD: {
        uint64_t maddr = (dt_frame(c, r->f0) << PAGE_SHIFT) + r->off;
        rc = conf_hc(c, v, HYPERVISOR_update_descriptor, maddr, r->desc, 0, 0, 0);
        CONF_EXPECT_EQ(c, r->expect, rc);
        if (r->check_stored) {
            uint64_t now;
            memcpy(&now, frame_mem(c->hv, dt_frame(c, r->f0)) + r->off, sizeof(now));
            CONF_EXPECT_EQ(c, r->stored, now);
        }
        break;
    }
    case DT_LDT:
        rc = mc_ext1(c, v, MMUEXT_SET_LDT, r->base, r->ents, r->foreigndom);
        CONF_EXPECT_EQ(c, r->expect, rc);
        CONF_EXPECT_EQ(c, r->want_ents, v->ldt_ents);
        CONF_EXPECT_EQ(c, r->want_base, v->ldt_base);
        break;
    }
    if (r->released) {
        const struct frame *f = &c->hv->frames[dt_frame(c, r->released)];
        CONF_EXPECT_EQ(c, 0, f->type_count);
    }
}

/*
 * XSA-214's fixed rule: a descriptor page released (type count 0, still validated) and then
 * transferred arrives at its new owner with no type and no validation, so the new owner's first
 * use checks it under its own rules. dom1 gives page 3 (a former GDT page, unmapped) to dom2,
 * whose entry 0 accepts it into gfn 100.
 */
static void dt_transfer_run(struct conf_ctx *c)
{
    mfn_t m = conf_scratch_mfn(c, c->d1, 3);
    struct gnttab_transfer op = { .mfn = m, .domid = 2, .ref = 0 };

    if (dt_page(c, 3, DT_P_GOOD) < 0)
        return;
    CONF_SETUP(c, dt_set_gdt(c, c->v1, m, 0, 512, false));
    CONF_SETUP(c, dt_set_gdt(c, c->v1, 0, 0, 0, true));
    if (c->state != CONF_SUCCESS || mc_set_l1(c, c->d1, c->v1, 3, 0) < 0)
        return;
    CONF_EXPECT_EQ(c, PGT_seg_desc, c->hv->frames[m].type);
    CONF_EXPECT_EQ(c, FRAME_VALIDATED, c->hv->frames[m].flags & FRAME_VALIDATED);
    gc_grant(c, c->d2, 0, 1, 100, GTF_accept_transfer);
    CONF_EXPECT_EQ(c, 0, gc_op(c, c->v1, GNTTABOP_transfer, &op, sizeof(op), 1));
    CONF_EXPECT_EQ(c, GNTST_okay, op.status);
    CONF_EXPECT_EQ(c, 2, c->hv->frames[m].owner);
    CONF_EXPECT_EQ(c, PGT_none, c->hv->frames[m].type);
    CONF_EXPECT_EQ(c, 0, c->hv->frames[m].flags & FRAME_VALIDATED);
}

#define DT(...) (&(const struct dt_row){ __VA_ARGS__ })
#define SELF .foreigndom = DOMID_SELF
static const struct conf_case dt_cases[] = {
    /* set_gdt */
    { "set_gdt_one_frame", dt_run, DT(.op = DT_GDT, .k3 = DT_P_GOOD, .f0 = DT_F_K3, .ents = 512,
      .want_ents = 512, .want_f0 = DT_F_K3) },
    { "set_gdt_two_frames", dt_run, DT(.op = DT_GDT, .k3 = DT_P_GOOD, .k4 = DT_P_GOOD,
      .f0 = DT_F_K3, .f1 = DT_F_K4, .ents = 513, .want_ents = 513, .want_f0 = DT_F_K3) },
    { "set_gdt_same_frame_twice", dt_run, DT(.op = DT_GDT, .k3 = DT_P_GOOD, .f0 = DT_F_K3,
      .f1 = DT_F_K3, .ents = 1024, .want_ents = 1024, .want_f0 = DT_F_K3) },
    { "set_gdt_fixes_dpl", dt_run, DT(.op = DT_GDT, .k3 = DT_P_CODE0, .f0 = DT_F_K3, .ents = 2,
      .want_ents = 2, .want_f0 = DT_F_K3) },
    { "set_gdt_replaces_and_releases_old", dt_run, DT(.op = DT_GDT, .preset_gdt = true,
      .k3 = DT_P_GOOD, .f0 = DT_F_K3, .ents = 16, .want_ents = 16, .want_f0 = DT_F_K3,
      .released = DT_F_K5) },
    { "set_gdt_zero_entries_releases", dt_run, DT(.op = DT_GDT, .preset_gdt = true,
      .list_bad = true, .ents = 0, .want_ents = 0, .released = DT_F_K5) },
    { "set_gdt_too_many_entries_einval", dt_run, DT(.op = DT_GDT, .preset_gdt = true,
      .k3 = DT_P_GOOD, .f0 = DT_F_K3, .ents = FIRST_RESERVED_GDT_ENTRY + 1,
      .expect = -XEN_EINVAL, .want_ents = 512, .want_f0 = DT_F_K5) },
    { "set_gdt_list_unmapped_efault", dt_run, DT(.op = DT_GDT, .list_bad = true, .ents = 1,
      .expect = -XEN_EFAULT) },
    { "set_gdt_writable_mapped_frame_einval", dt_run, DT(.op = DT_GDT, .k3 = DT_P_RW,
      .f0 = DT_F_K3, .ents = 1, .expect = -XEN_EINVAL) },
    { "set_gdt_other_domain_frame_einval", dt_run, DT(.op = DT_GDT, .f0 = DT_F_DOM2, .ents = 1,
      .expect = -XEN_EINVAL) },
    { "set_gdt_invalid_mfn_einval", dt_run, DT(.op = DT_GDT, .f0 = DT_F_BAD, .ents = 1,
      .expect = -XEN_EINVAL) },
    { "set_gdt_page_table_einval", dt_run, DT(.op = DT_GDT, .f0 = DT_F_L2, .ents = 1,
      .expect = -XEN_EINVAL) },
    { "set_gdt_bad_descriptor_einval", dt_run, DT(.op = DT_GDT, .k3 = DT_P_BAD, .f0 = DT_F_K3,
      .ents = 1, .expect = -XEN_EINVAL) },
    { "set_gdt_second_frame_bad_keeps_old", dt_run, DT(.op = DT_GDT, .preset_gdt = true,
      .k3 = DT_P_GOOD, .k4 = DT_P_BAD, .f0 = DT_F_K3, .f1 = DT_F_K4, .ents = 600,
      .expect = -XEN_EINVAL, .want_ents = 512, .want_f0 = DT_F_K5, .released = DT_F_K3) },
    /* update_descriptor */
    { "update_descriptor_data_page", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 8,
      .desc = DT_DATA3, .check_stored = true, .stored = DT_DATA3) },
    { "update_descriptor_raises_dpl", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 16,
      .desc = DT_CODE0, .check_stored = true, .stored = DT_CODE3) },
    { "update_descriptor_gate_flat_kernel_cs", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 24,
      .desc = DT_GATE_K, .check_stored = true, .stored = DT_GATE_K_S) },
    { "update_descriptor_gate_dpl_into_rpl", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 32,
      .desc = DT_GATE_G0, .check_stored = true, .stored = DT_GATE_G_S) },
    { "update_descriptor_gate_ldt_selector", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 40,
      .desc = DT_GATE_LDT, .check_stored = true, .stored = DT_GATE_L_S) },
    { "update_descriptor_gate_second_half", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 48,
      .desc = DT_GATE_HI, .check_stored = true, .stored = DT_GATE_HI) },
    { "update_descriptor_absent_anything", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 56,
      .desc = DT_ABSENT, .check_stored = true, .stored = DT_ABSENT) },
    { "update_descriptor_gdt_page", dt_run, DT(.op = DT_UPD, .preset_gdt = true, .f0 = DT_F_K5,
      .off = 64, .desc = DT_CODE0, .check_stored = true, .stored = DT_CODE3) },
    { "update_descriptor_misaligned_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 12,
      .desc = DT_DATA3, .expect = -XEN_EINVAL) },
    { "update_descriptor_gate_xen_cs_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 8,
      .desc = DT_GATE_XEN, .expect = -XEN_EINVAL, .check_stored = true, .stored = 0) },
    { "update_descriptor_gate_reserved_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 8,
      .desc = DT_GATE_RSV, .expect = -XEN_EINVAL) },
    { "update_descriptor_ldt_type_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 8,
      .desc = DT_LDT_DESC, .expect = -XEN_EINVAL) },
    { "update_descriptor_interrupt_gate_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_K1, .off = 8,
      .desc = DT_INTGATE, .expect = -XEN_EINVAL) },
    { "update_descriptor_page_table_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_L2, .off = 8,
      .desc = DT_DATA3, .expect = -XEN_EINVAL) },
    { "update_descriptor_other_domain_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_DOM2, .off = 8,
      .desc = DT_DATA3, .expect = -XEN_EINVAL) },
    { "update_descriptor_invalid_mfn_einval", dt_run, DT(.op = DT_UPD, .f0 = DT_F_BAD, .off = 8,
      .desc = DT_DATA3, .expect = -XEN_EINVAL) },
    { "transfer_descriptor_page_arrives_untyped", dt_transfer_run, NULL },
    /* mmuext SET_LDT */
    { "set_ldt_kernel_va", dt_run, DT(.op = DT_LDT, .base = 0x40000000, .ents = 16, SELF,
      .want_ents = 16, .want_base = 0x40000000) },
    { "set_ldt_max_entries", dt_run, DT(.op = DT_LDT, .base = 0x40000000,
      .ents = LDT_MAX_ENTRIES, SELF, .want_ents = LDT_MAX_ENTRIES, .want_base = 0x40000000) },
    { "set_ldt_above_xen_range", dt_run, DT(.op = DT_LDT, .base = XEN_VIRT_END, .ents = 1, SELF,
      .want_ents = 1, .want_base = XEN_VIRT_END) },
    { "set_ldt_empty_any_base", dt_run, DT(.op = DT_LDT, .base = 0x123, .ents = 0, SELF,
      .want_ents = 0, .want_base = ~0ULL) },
    { "set_ldt_too_many_einval", dt_run, DT(.op = DT_LDT, .base = 0x40000000,
      .ents = LDT_MAX_ENTRIES + 1, SELF, .expect = -XEN_EINVAL) },
    { "set_ldt_misaligned_einval", dt_run, DT(.op = DT_LDT, .base = 0x40000008, .ents = 1, SELF,
      .expect = -XEN_EINVAL) },
    { "set_ldt_non_canonical_einval", dt_run, DT(.op = DT_LDT, .base = 0x0000800000000000ULL,
      .ents = 1, SELF, .expect = -XEN_EINVAL) },
    { "set_ldt_xen_range_einval", dt_run, DT(.op = DT_LDT, .base = XEN_VIRT_START, .ents = 1,
      SELF, .expect = -XEN_EINVAL) },
    { "set_ldt_foreign_eperm", dt_run, DT(.op = DT_LDT, .from_dom0 = true, .base = 0x40000000,
      .ents = 1, .foreigndom = 1, .expect = -XEN_EPERM) },
};
CONF_AREA("descriptor", dt_cases)
