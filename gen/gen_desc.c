/* Generator pieces for descriptor tables: descriptor values, set_gdt, update_descriptor, SET_LDT, a descriptor page's life. */
#include "gen/gen_internal.h"

/*
 * A descriptor from every class check_descriptor tells apart: absent (any bits), code and data
 * segments at each DPL with and without the L bit, call gates aimed at guest, flat kernel, LDT
 * and Xen selectors at each DPL (now and then with reserved bits), the type-0 second half of a
 * gate, and the system types Xen refuses (LDT, TSS, interrupt and trap gates).
 */
uint64_t gen_desc_value(struct gen *g)
{
    static const uint16_t sels[] = { 0x0010, 0x0023, PV_FLAT_KERNEL_CS, PV_FLAT_KERNEL_SS,
                                     0x000F, 0xE008, 0xE010, (FIRST_RESERVED_GDT_ENTRY - 1) << 3,
                                     FIRST_RESERVED_GDT_ENTRY << 3 };
    static const uint8_t sys[] = { 2, 9, 11, 14, 15, 1, 3, 5 };
    uint32_t dpl = gen_below(g, 4) << 13, lo, hi;
    unsigned r = gen_below(g, 16);

    if (r < 2)
        return gen_rand(g) & ~((uint64_t)SEG_P << 32);
    if (r < 8) {
        hi = SEG_P | SEG_S | dpl | ((8U + gen_below(g, 8)) << 8) | 0x000F0000U;
        if (gen_chance(g, 1, 2))
            hi |= SEG_L;
        if (gen_chance(g, 1, 4))
            hi = (hi & ~0x0800U);   /* data */
        return (uint64_t)hi << 32 | 0xFFFFU;
    }
    if (r < 13) {
        uint16_t sel = sels[gen_below(g, sizeof(sels) / sizeof(sels[0]))];
        lo = (uint32_t)sel << 16 | (uint32_t)(gen_rand(g) & 0xFFFF);
        hi = SEG_P | dpl | SEG_TYPE_CALL_GATE | ((uint32_t)gen_rand(g) & 0xFFFF0000U);
        if (gen_chance(g, 1, 6))
            hi |= 1U << gen_below(g, 8);
        return (uint64_t)hi << 32 | lo;
    }
    if (r < 14)
        return (uint64_t)(SEG_P | dpl) << 32 | (gen_rand(g) & 0xFFFFFFFFU);
    hi = SEG_P | dpl | ((uint32_t)sys[gen_below(g, sizeof(sys))] << 8);
    return (uint64_t)hi << 32 | (uint32_t)PV_FLAT_KERNEL_CS << 16;
}

/* A frame for a descriptor table: the caller's hot data frames mostly, a table, another
   domain's frame or no frame at all now and then. */
static struct prog_arg gen_desc_frame(struct gen *g, unsigned dom, unsigned gfn)
{
    unsigned r = gen_below(g, 16);

    if (r < 12)
        return gen_mfn_arg(g, dom, gfn);
    if (r < 13)
        return GEN_MFN(dom, gen_pt_gfn(g, 1 + gen_below(g, 4)));
    if (r < 15)
        return GEN_MFN(gen_other_dom(g, dom), gen_data_gfn(g));
    return GEN_IMM(gen_bad_mfn(g));
}

/* set_gdt's frame list and count: one to three frames, counts at and around the limits. */
void gen_desc_set_gdt(struct gen_hc *h, unsigned gfn)
{
    struct gen *g = h->g;
    static const uint32_t edge[] = { 0, 1, 512, 513, 1024, 1536, FIRST_RESERVED_GDT_ENTRY - 1,
                                     FIRST_RESERVED_GDT_ENTRY, FIRST_RESERVED_GDT_ENTRY + 1,
                                     0xFFFFFFFFU };
    unsigned n = 1 + (gen_chance(g, 1, 3) ? gen_below(g, 3) : 0);
    int list = gen_pl_alloc(h, 3 * 8);
    uint32_t ents;

    if (list < 0)
        return;
    for (unsigned i = 0; i < n; i++)
        gen_pl_fix(h, (unsigned)list + 8 * i, 8,
                   gen_desc_frame(g, h->caller, i ? gen_data_gfn(g) : gfn));
    if (gen_chance(g, 3, 4))
        ents = (n - 1) * GDT_ENTRIES_PER_PAGE + 1 + gen_below(g, GDT_ENTRIES_PER_PAGE);
    else
        ents = edge[gen_below(g, sizeof(edge) / sizeof(edge[0]))];
    gen_hc_arg(h, 0, gen_chance(g, 15, 16) ? GEN_PAYLOAD((uint32_t)list) : gen_va(g, h->caller));
    gen_hc_arg(h, 1, GEN_IMM(ents));
}

/* update_descriptor's machine address (aligned mostly) and descriptor. */
void gen_desc_update(struct gen_hc *h, unsigned gfn)
{
    struct gen *g = h->g;
    uint32_t off = 8U * gen_below(g, 512);
    unsigned dom = gen_chance(g, 7, 8) ? h->caller : gen_other_dom(g, h->caller);

    if (gen_chance(g, 1, 8))
        off += 1 + gen_below(g, 7);
    if (gen_chance(g, 1, 8))
        gfn = gen_any_gfn(g);
    gen_hc_arg(h, 0, gen_chance(g, 15, 16) ? GEN_MADDR(dom, gfn, off) : GEN_IMM(gen_rand(g)));
    gen_hc_arg(h, 1, GEN_IMM(gen_desc_value(g)));
}

/* MMUEXT_SET_LDT's base and count: guest VAs, Xen's range, the hole, misaligned ones; counts
   at the limits. */
void gen_desc_ldt(struct gen *g, struct prog_arg *base, struct prog_arg *ents)
{
    static const uint64_t bases[] = { XEN_VIRT_START, XEN_VIRT_END, XEN_VIRT_END - PAGE_SIZE,
                                      0x0000800000000000ULL, 0x00007FFFFFFFF000ULL, 0 };
    static const uint32_t counts[] = { 0, 1, 16, LDT_MAX_ENTRIES - 1, LDT_MAX_ENTRIES,
                                       LDT_MAX_ENTRIES + 1, 0xFFFFFFFFU };
    unsigned r = gen_below(g, 8);

    if (r < 5)
        *base = gen_va(g, 0);
    else
        *base = GEN_IMM(bases[gen_below(g, sizeof(bases) / sizeof(bases[0]))] |
                        (gen_chance(g, 1, 4) ? 8U * (1 + gen_below(g, 8)) : 0));
    *ents = GEN_IMM(gen_chance(g, 1, 2) ? 1 + gen_below(g, 64)
                                        : counts[gen_below(g, sizeof(counts) / sizeof(counts[0]))]);
}

static void gen_desc_hc(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned nr,
                        unsigned gfn)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, nr);
    if (nr == HYPERVISOR_set_gdt)
        gen_desc_set_gdt(&h, gfn);
    else
        gen_desc_update(&h, gfn);
}

/* gfn's own mapping: read-only or gone (update_va_mapping with an empty entry). */
static void gen_desc_unmap(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu,
                           unsigned gfn, bool gone)
{
    struct gen_hc h;
    struct prog_op *op;

    if (!gone) {
        gen_make_ro(g, p, dom, vcpu, gfn);
        return;
    }
    op = gen_new_op(p);
    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_update_va_mapping);
    gen_hc_arg(&h, 0, GEN_GVA(dom, gfn, 0));
    gen_hc_arg(&h, 1, GEN_IMM(0));
    gen_hc_arg(&h, 2, GEN_IMM(UVMF_INVLPG));
}

/*
 * A descriptor page's life: a frame loses its writable mapping (the seg_desc type needs that),
 * becomes a GDT page, has descriptors written into it, is released by the next set_gdt, and
 * then, now and then, leaves its role entirely (mapping gone) and takes its next one: writable
 * data, a page table, another domain's page. Each meets a frame whose type history is a
 * descriptor page's (a type kept at count 0, a validation made under the old role).
 */
void gen_desc_life(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned gfn = gen_data_gfn(g);

    if (gen_chance(g, 7, 8))
        gen_desc_unmap(g, p, dom, vcpu, gfn, gen_chance(g, 1, 4));
    gen_desc_hc(g, p, dom, vcpu, HYPERVISOR_set_gdt, gfn);
    for (unsigned i = gen_below(g, 3); i > 0; i--)
        gen_desc_hc(g, p, dom, vcpu, HYPERVISOR_update_descriptor, gfn);
    if (gen_chance(g, 3, 4)) {
        /* released: an empty GDT, or another one */
        struct gen_hc h;
        struct prog_op *op = gen_new_op(p);
        if (!op)
            return;
        gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_set_gdt);
        if (gen_chance(g, 3, 4)) {
            gen_hc_arg(&h, 0, GEN_IMM(0));
            gen_hc_arg(&h, 1, GEN_IMM(0));
        } else {
            gen_desc_set_gdt(&h, gen_data_gfn(g));
        }
    }
    if (gen_chance(g, 1, 2))
        return;
    gen_desc_unmap(g, p, dom, vcpu, gfn, true);
    /* what may happen to a frame out of use: retyped by a writable mapping, typed as a table,
       or handed to another domain */
    switch (gen_below(g, 3)) {
    case 0:
        gen_remap_rw(g, p, dom, vcpu, gfn);
        break;
    case 1:
        gen_pin_l1(g, p, dom, vcpu, gfn);
        break;
    default:
        gen_transfer_gfn(g, p, dom, vcpu, gfn);
        break;
    }
}

/* One descriptor-table op of the misc family (the life above is picked by gen_f_misc). */
void gen_desc_op(struct gen_hc *h, unsigned nr)
{
    if (nr == HYPERVISOR_set_gdt)
        gen_desc_set_gdt(h, gen_data_gfn(h->g));
    else
        gen_desc_update(h, gen_data_gfn(h->g));
}
