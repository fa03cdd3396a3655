/* Guest memory conformance: walker, TLB and copy_to/from_guest through dom1's page tables. */
#include <string.h>
#include "conformance.h"

/* Where a row's address points; offsets are added to it. */
enum gm_base {
    GM_DATA = 0,     /* dom1's data page 0 */
    GM_DATA_LAST,    /* dom1's last data page */
    GM_PT,           /* dom1's L4 frame, mapped read-only */
    GM_UNMAPPED,     /* past the built memory, inside the existing L1 */
    GM_ABS,          /* the offset is the address */
};

static gva_t gm_va(struct conf_ctx *c, enum gm_base b, uint64_t off)
{
    switch (b) {
    case GM_DATA:      return conf_scratch(c, c->d1, 0) + off;
    case GM_DATA_LAST: return DOM_VA(CONF_DOM_PAGES - 1) + off;
    case GM_PT:        return DOM_VA(DOM_GFN_L4) + off;
    case GM_UNMAPPED:  return DOM_VA(CONF_DOM_PAGES + 1) + off;
    default:           return off;
    }
}

/* ---- guest_read / guest_write --------------------------------------------------------------- */

struct gm_access_row {
    enum gm_base base;
    uint64_t off;
    uint32_t len;
    bool     write;
    long     expect;
    uint32_t pfec;
};

static void gm_access(struct conf_ctx *c)
{
    const struct gm_access_row *r = c->data;
    gva_t va = gm_va(c, r->base, r->off);
    uint8_t buf[64];
    uint32_t pfec = 0xDEAD;

    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(0x40 + i);
    int rc = r->write ? guest_write(c->hv, c->v1, va, buf, r->len, &pfec)
                      : guest_read(c->hv, c->v1, va, buf, r->len, &pfec);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (rc < 0) {
        CONF_EXPECT_EQ(c, r->pfec, pfec);
        return;
    }
    if (!r->write)
        return;
    /* check the bytes landed in the frames the p2m names, not only through the same walk */
    for (uint32_t i = 0; i < r->len; i++) {
        gva_t a = va + i;
        gfn_t gfn = (a - DOM_VA_BASE) >> PAGE_SHIFT;
        const uint8_t *m = frame_mem(c->hv, c->d1->p2m[gfn]);
        CONF_EXPECT_EQ(c, buf[i], m[a & (PAGE_SIZE - 1U)]);
    }
}

#define GA(...) (&(const struct gm_access_row){ __VA_ARGS__ })
#define NONCANON 0x0000800000000000ULL

/* ---- pt_walk -------------------------------------------------------------------------------- */

/* A row may plant one raw entry first (undone before the audit): table level, slot, value. */
enum gm_plant { GP_NONE = 0, GP_L2_PSE_2M, GP_L2_PSE_MISALIGNED, GP_L3_PSE_1G, GP_L4_PSE,
                GP_L2_NX, GP_L3_RO, GP_L1_HIGH_SW };

struct gm_walk_row {
    enum gm_base base;
    uint64_t off;
    uint32_t access;
    enum gm_plant plant;
    long     expect;
    unsigned fault_level;
    uint32_t pfec;
    uint64_t flags;          /* on success */
    bool     check_l1;       /* l1_table/l1_idx name dom1's first L1 and the gfn's slot */
    int64_t  mfn_delta;      /* expected mfn - the gfn's p2m frame (large-page rows: absolute) */
    bool     mfn_absolute;
};

static void gm_walk(struct conf_ctx *c)
{
    const struct gm_walk_row *r = c->data;
    struct domain *d = c->d1;
    mfn_t l4 = d->p2m[DOM_GFN_L4], l3 = d->p2m[DOM_GFN_L3], l2 = d->p2m[DOM_GFN_L2];
    mfn_t l1 = d->p2m[DOM_GFN_L1];
    uint64_t *slot = NULL, saved = 0;

    switch (r->plant) {
    case GP_L2_PSE_2M:        slot = &frame_ptes(c->hv, l2)[1]; break;
    case GP_L2_PSE_MISALIGNED: slot = &frame_ptes(c->hv, l2)[1]; break;
    case GP_L3_PSE_1G:        slot = &frame_ptes(c->hv, l3)[2]; break;
    case GP_L4_PSE:           slot = &frame_ptes(c->hv, l4)[0]; break;
    case GP_L2_NX:            slot = &frame_ptes(c->hv, l2)[0]; break;
    case GP_L3_RO:            slot = &frame_ptes(c->hv, l3)[1]; break;
    case GP_L1_HIGH_SW:
        slot = &frame_ptes(c->hv, l1)[DOM_FIRST_DATA_GFN(CONF_DOM_PAGES)];
        break;
    default: break;
    }
    const uint64_t leaf = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PSE;
    if (slot) {
        saved = *slot;
        switch (r->plant) {
        case GP_L2_PSE_2M:         *slot = leaf; break;                      /* frames 0..511 */
        case GP_L2_PSE_MISALIGNED: *slot = (2ULL << PAGE_SHIFT) | leaf; break;
        case GP_L3_PSE_1G:         *slot = leaf; break;
        case GP_L4_PSE:            *slot |= _PAGE_PSE; break;
        case GP_L2_NX:             *slot |= _PAGE_NX; break;
        case GP_L3_RO:             *slot &= ~_PAGE_RW; break;
        case GP_L1_HIGH_SW:        *slot |= 1ULL << 52; break;
        default: break;
        }
    }

    gva_t va = gm_va(c, r->base, r->off);
    struct walk_result w;
    int rc = pt_walk(c->hv, c->v1->guest_table, va, r->access, &w);
    if (slot)
        *slot = saved;
    CONF_EXPECT_EQ(c, r->expect, rc);
    CONF_EXPECT_EQ(c, r->fault_level, w.fault_level);
    if (rc < 0) {
        CONF_EXPECT_EQ(c, r->pfec, w.pfec);
        CONF_EXPECT_EQ(c, MFN_INVALID, w.mfn);
    } else {
        CONF_EXPECT_EQ(c, r->flags, w.flags);
        if (r->mfn_absolute) {
            CONF_EXPECT_EQ(c, r->mfn_delta, w.mfn);
        } else {
            gfn_t gfn = (va - DOM_VA_BASE) >> PAGE_SHIFT;
            CONF_EXPECT_EQ(c, d->p2m[gfn] + r->mfn_delta, w.mfn);
        }
    }
    if (r->check_l1) {
        CONF_EXPECT_EQ(c, l1, w.l1_table);
        CONF_EXPECT_EQ(c, ((va - DOM_VA_BASE) >> PAGE_SHIFT) % PTES_PER_TABLE, w.l1_idx);
    }
}

#define GW(...) (&(const struct gm_walk_row){ __VA_ARGS__ })
#define RWU (_PAGE_RW | _PAGE_USER)

/* ---- TLB ------------------------------------------------------------------------------------ */

/*
 * A raw retarget of an L1 entry without a flush leaves the old translation cached: reads keep
 * seeing the old frame until the VA is flushed (the hardware behaviour stale-TLB bugs rely on).
 */
static void gm_tlb_stale(struct conf_ctx *c)
{
    gva_t a = conf_scratch(c, c->d1, 2), b = conf_scratch(c, c->d1, 3);
    uint64_t *pte = &frame_ptes(c->hv, c->d1->p2m[DOM_GFN_L1])[(a - DOM_VA_BASE) >> PAGE_SHIFT];
    uint64_t saved = *pte, x;
    const uint64_t va_ = 0xAAAAAAAAAAAAAAAAULL, vb = 0xBBBBBBBBBBBBBBBBULL;

    if (conf_put(c, c->v1, a, &va_, 8) < 0 || conf_put(c, c->v1, b, &vb, 8) < 0)
        return;
    struct tlb_entry e;
    CONF_EXPECT(c, tlb_lookup(c->v1, a, &e));
    CONF_EXPECT_EQ(c, conf_scratch_mfn(c, c->d1, 2), e.mfn);
    CONF_EXPECT_EQ(c, RWU, e.flags);
    *pte = (saved & ~PTE_ADDR_MASK) | ((uint64_t)conf_scratch_mfn(c, c->d1, 3) << PAGE_SHIFT);
    if (conf_get(c, c->v1, a, &x, 8) == 0)
        CONF_EXPECT_EQ(c, va_, x);
    tlb_flush_va(c->v1, a);
    if (conf_get(c, c->v1, a, &x, 8) == 0)
        CONF_EXPECT_EQ(c, vb, x);
    *pte = saved;
    tlb_flush_vcpu(c->hv, c->v1);
    CONF_EXPECT(c, !tlb_lookup(c->v1, a, NULL));
    if (conf_get(c, c->v1, a, &x, 8) == 0)
        CONF_EXPECT_EQ(c, va_, x);
}

/* A cached read-only translation does not stop a write the tables allow: the walk decides. */
static void gm_tlb_ro_entry_rewalks(struct conf_ctx *c)
{
    gva_t a = conf_scratch(c, c->d1, 4);
    uint32_t x = 7, pfec = 0;
    tlb_insert(c->v1, a, conf_scratch_mfn(c, c->d1, 4), _PAGE_USER);
    CONF_EXPECT_EQ(c, 0, guest_write(c->hv, c->v1, a, &x, sizeof(x), &pfec));
    struct tlb_entry e;
    CONF_EXPECT(c, tlb_lookup(c->v1, a, &e));
    CONF_EXPECT_EQ(c, RWU, e.flags);
}

/* Flushing one vCPU advances the clock and leaves other vCPUs' entries alone. */
static void gm_tlb_flush_scope(struct conf_ctx *c)
{
    gva_t a = conf_scratch(c, c->d1, 0);
    uint8_t x;
    struct vcpu *w = dom_vcpu(c->d1, 1);
    if (!w || conf_get(c, c->v1, a, &x, 1) < 0)
        return;
    tlb_insert(w, a, conf_scratch_mfn(c, c->d1, 0), RWU);
    uint32_t before = c->hv->tlbclock;
    tlb_flush_vcpu(c->hv, c->v1);
    CONF_EXPECT(c, c->hv->tlbclock != before);
    CONF_EXPECT_EQ(c, c->hv->tlbclock, c->v1->tlb_flush_time);
    CONF_EXPECT(c, !tlb_lookup(c->v1, a, NULL));
    CONF_EXPECT(c, tlb_lookup(w, a, NULL));
    tlb_flush_domain(c->hv, c->d1);
    CONF_EXPECT(c, !tlb_lookup(w, a, NULL));
}

/* ---- copy_to/from_guest and guest_range_ok -------------------------------------------------- */

struct gm_copy_row {
    enum gm_base base;
    uint64_t off;
    uint64_t len;
    bool     to_guest;
    long     expect;
    bool     range_ok;       /* guest_range_ok's answer for the same range */
};

static void gm_copy(struct conf_ctx *c)
{
    const struct gm_copy_row *r = c->data;
    gva_t va = gm_va(c, r->base, r->off);
    static uint8_t buf[2 * PAGE_SIZE];
    CONF_EXPECT_EQ(c, r->range_ok, guest_range_ok(va, r->len));
    size_t len = r->len <= sizeof(buf) ? (size_t)r->len : sizeof(buf);
    int rc = r->to_guest ? copy_to_guest(c->hv, c->v1, va, buf, len)
                         : copy_from_guest(c->hv, c->v1, buf, va, len);
    CONF_EXPECT_EQ(c, r->expect, rc);
}

#define GC(...) (&(const struct gm_copy_row){ __VA_ARGS__ })

static const struct conf_case gm_cases[] = {
    { "read_data", gm_access, GA(.base = GM_DATA, .len = 8) },
    { "write_data", gm_access, GA(.base = GM_DATA, .off = 100, .len = 32, .write = true) },
    { "write_page_crossing", gm_access, GA(.base = GM_DATA, .off = PAGE_SIZE - 10, .len = 20,
      .write = true) },
    { "read_page_table_ro", gm_access, GA(.base = GM_PT, .len = 8) },
    { "write_page_table_efault", gm_access, GA(.base = GM_PT, .len = 8, .write = true,
      .expect = -XEN_EFAULT, .pfec = PFEC_PRESENT | PFEC_WRITE) },
    { "read_unmapped_efault", gm_access, GA(.base = GM_UNMAPPED, .len = 8,
      .expect = -XEN_EFAULT, .pfec = 0) },
    { "write_unmapped_efault", gm_access, GA(.base = GM_UNMAPPED, .len = 8, .write = true,
      .expect = -XEN_EFAULT, .pfec = PFEC_WRITE) },
    { "write_off_end_efault", gm_access, GA(.base = GM_DATA_LAST, .off = PAGE_SIZE - 4, .len = 8,
      .write = true, .expect = -XEN_EFAULT, .pfec = PFEC_WRITE) },
    { "read_noncanonical_efault", gm_access, GA(.base = GM_ABS, .off = NONCANON, .len = 8,
      .expect = -XEN_EFAULT, .pfec = 0) },
    /* Xen's L4 slots are present (supervisor-only): a guest kernel's fault there says P */
    { "read_xen_range_efault", gm_access, GA(.base = GM_ABS, .off = XEN_VIRT_START + 0x2000,
      .len = 8, .expect = -XEN_EFAULT, .pfec = PFEC_PRESENT) },
    { "write_xen_range_efault", gm_access, GA(.base = GM_ABS, .off = XEN_VIRT_START,
      .len = 8, .write = true, .expect = -XEN_EFAULT, .pfec = PFEC_PRESENT | PFEC_WRITE) },

    { "walk_data", gm_walk, GW(.base = GM_DATA, .flags = RWU, .check_l1 = true) },
    { "walk_data_write_user", gm_walk, GW(.base = GM_DATA, .access = PFEC_WRITE | PFEC_USER,
      .flags = RWU, .check_l1 = true) },
    { "walk_page_table_ro", gm_walk, GW(.base = GM_PT, .flags = _PAGE_USER, .check_l1 = true) },
    { "walk_page_table_write_fault", gm_walk, GW(.base = GM_PT, .access = PFEC_WRITE,
      .expect = -XEN_EFAULT, .fault_level = 1, .pfec = PFEC_PRESENT | PFEC_WRITE,
      .check_l1 = true) },
    { "walk_not_present_l1", gm_walk, GW(.base = GM_UNMAPPED, .expect = -XEN_EFAULT,
      .fault_level = 1, .check_l1 = true) },
    { "walk_not_present_l2", gm_walk, GW(.base = GM_ABS, .off = DOM_VA_BASE + (5ULL << 21),
      .expect = -XEN_EFAULT, .fault_level = 2) },
    { "walk_not_present_l3", gm_walk, GW(.base = GM_ABS, .off = 2ULL << 30,
      .access = PFEC_WRITE, .expect = -XEN_EFAULT, .fault_level = 3, .pfec = PFEC_WRITE) },
    { "walk_not_present_l4", gm_walk, GW(.base = GM_ABS, .off = 1ULL << 39,
      .expect = -XEN_EFAULT, .fault_level = 4) },
    { "walk_noncanonical", gm_walk, GW(.base = GM_ABS, .off = NONCANON, .expect = -XEN_EFAULT,
      .fault_level = 4) },
    { "walk_xen_range", gm_walk, GW(.base = GM_ABS, .off = XEN_VIRT_START,
      .expect = -XEN_EFAULT, .fault_level = 4, .pfec = PFEC_PRESENT) },
    { "walk_large_2m_page", gm_walk, GW(.base = GM_ABS, .off = DOM_VA_BASE + (1ULL << 21) +
      5 * PAGE_SIZE, .plant = GP_L2_PSE_2M, .flags = RWU, .mfn_absolute = true,
      .mfn_delta = 5) },
    { "walk_large_2m_misaligned_rsvd", gm_walk, GW(.base = GM_ABS, .off = DOM_VA_BASE +
      (1ULL << 21), .plant = GP_L2_PSE_MISALIGNED, .expect = -XEN_EFAULT, .fault_level = 2,
      .pfec = PFEC_PRESENT | PFEC_RSVD) },
    { "walk_large_1g_beyond_pool_rsvd", gm_walk, GW(.base = GM_ABS, .off = 2ULL << 30,
      .plant = GP_L3_PSE_1G, .expect = -XEN_EFAULT, .fault_level = 3,
      .pfec = PFEC_PRESENT | PFEC_RSVD) },
    { "walk_l4_pse_rsvd", gm_walk, GW(.base = GM_DATA, .plant = GP_L4_PSE,
      .access = PFEC_WRITE, .expect = -XEN_EFAULT, .fault_level = 4,
      .pfec = PFEC_PRESENT | PFEC_RSVD | PFEC_WRITE) },
    { "walk_nx_from_l2", gm_walk, GW(.base = GM_DATA, .plant = GP_L2_NX,
      .flags = RWU | _PAGE_NX, .check_l1 = true) },
    { "walk_nx_insn_fault", gm_walk, GW(.base = GM_DATA, .plant = GP_L2_NX, .access = PFEC_INSN,
      .expect = -XEN_EFAULT, .fault_level = 1, .pfec = PFEC_PRESENT | PFEC_INSN,
      .check_l1 = true) },
    { "walk_ro_from_l3", gm_walk, GW(.base = GM_DATA, .plant = GP_L3_RO, .access = PFEC_WRITE,
      .expect = -XEN_EFAULT, .fault_level = 1, .pfec = PFEC_PRESENT | PFEC_WRITE,
      .check_l1 = true) },
    { "walk_high_sw_bits_ignored", gm_walk, GW(.base = GM_DATA, .plant = GP_L1_HIGH_SW,
      .flags = RWU, .check_l1 = true) },

    { "tlb_stale_until_flushed", gm_tlb_stale, NULL },
    { "tlb_ro_entry_rewalks_for_write", gm_tlb_ro_entry_rewalks, NULL },
    { "tlb_flush_scope", gm_tlb_flush_scope, NULL },

    { "copy_from_guest", gm_copy, GC(.base = GM_DATA, .len = 256, .range_ok = true) },
    { "copy_to_guest_two_pages", gm_copy, GC(.base = GM_DATA, .off = 16, .len = PAGE_SIZE,
      .to_guest = true, .range_ok = true) },
    { "copy_zero_bytes", gm_copy, GC(.base = GM_UNMAPPED, .len = 0, .range_ok = true) },
    { "copy_to_read_only_efault", gm_copy, GC(.base = GM_PT, .len = 8, .to_guest = true,
      .expect = -XEN_EFAULT, .range_ok = true) },
    { "copy_from_unmapped_efault", gm_copy, GC(.base = GM_UNMAPPED, .len = 8,
      .expect = -XEN_EFAULT, .range_ok = true) },
    { "copy_wrapping_range_efault", gm_copy, GC(.base = GM_ABS, .off = ~0ULL - 3, .len = 16,
      .expect = -XEN_EFAULT) },
    { "copy_into_noncanonical_efault", gm_copy, GC(.base = GM_ABS,
      .off = NONCANON - 8, .len = 16, .expect = -XEN_EFAULT) },
    { "copy_into_xen_range_efault", gm_copy, GC(.base = GM_ABS,
      .off = XEN_VIRT_START - 8, .len = 16, .to_guest = true, .expect = -XEN_EFAULT) },
    { "copy_from_xen_range_end_efault", gm_copy, GC(.base = GM_ABS,
      .off = XEN_VIRT_END - 8, .len = 16, .expect = -XEN_EFAULT) },
};
CONF_AREA("guest_memory", gm_cases)
