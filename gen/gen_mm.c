/* Generator templates for the memory families: mmu_update, update_va_mapping, mmuext_op, memory_op. */
#include "gen/gen_internal.h"

/* The page owner of a batch: the caller mostly, another domain through foreigndom sometimes. */
static unsigned gen_owner(struct gen *g, unsigned caller)
{
    return gen_chance(g, 7, 8) ? caller : gen_other_dom(g, caller);
}

static struct prog_arg gen_foreigndom(struct gen *g, unsigned caller, unsigned owner)
{
    if (gen_chance(g, 1, 16))
        return gen_domid_arg(g, caller);     /* any spelling, consistent or not */
    return owner == caller ? GEN_SELF() : GEN_DOMID(owner);
}

/* mmu_update's: the tables' owner rides in the high half (its id plus one), the mapped pages'
   in the low half; editing another domain's tables needs both (the low half alone: -EINVAL). */
static struct prog_arg gen_mmu_foreigndom(struct gen *g, unsigned caller, unsigned owner)
{
    if (owner == caller)
        return gen_chance(g, 1, 8) ? GEN_IMM((uint64_t)(caller + 1U) << 16 | DOMID_SELF)
                                   : gen_foreigndom(g, caller, owner);
    if (gen_chance(g, 3, 4))
        return GEN_IMM((uint64_t)(owner + 1U) << 16 | owner);
    return gen_foreigndom(g, caller, owner);
}

/*
 * One mmu_update request: ptr is an entry slot of one of owner's tables (cmd in its low bits,
 * mostly NORMAL), val an entry value fit for that level. The own-vs-foreign choice of the frame
 * the entry points at is made in gen_pte_val.
 */
static void gen_mmu_req_for(struct gen_hc *h, unsigned off, unsigned owner)
{
    struct gen *g = h->g;
    unsigned level, r = gen_below(g, 32);
    struct prog_arg ptr = gen_pt_slot(g, owner, &level);

    if (r < 3)
        ptr.b |= MMU_PT_UPDATE_PRESERVE_AD;
    else if (r < 4)
        ptr.b |= MMU_MACHPHYS_UPDATE;
    else if (r < 5)
        ptr.b |= 1U + gen_below(g, 7);       /* misaligned: the XSA-227 class check */
    else if (r < 7)
        ptr = GEN_MADDR(owner, gen_data_gfn(g), 8U * gen_below(g, 4));  /* a plain frame */
    else if (r < 8)
        ptr = GEN_IMM(gen_bad_mfn(g) << PAGE_SHIFT);
    ptr.b %= PAGE_SIZE;
    gen_pl_fix(h, off, 8, ptr);
    if ((ptr.b & 7) == MMU_MACHPHYS_UPDATE && ptr.kind == ARG_MADDR)
        gen_pl_fix(h, off + 8, 8, gen_chance(g, 1, 2) ? GEN_IMM(gen_data_gfn(g)) :
                                                        GEN_IMM(gen_rand(g)));
    else
        gen_pl_fix(h, off + 8, 8, gen_pte_val(g, owner, level));
}

void gen_mmu_req(struct gen_hc *h, unsigned off)
{
    gen_mmu_req_for(h, off, h->caller);
}

/*
 * The same entry written again with only flags changed (RW mostly, or USER, NX, PSE): the update
 * that page-table code takes down a fast path because the frame did not change, skipping the
 * checks a new entry gets. rec is the request's payload offset in src.
 */
static void gen_mmu_flip(struct gen *g, struct prog *p, uint32_t src_idx, unsigned rec)
{
    static const uint64_t bits[] = { _PAGE_RW, _PAGE_RW, _PAGE_RW, _PAGE_USER, _PAGE_NX,
                                     _PAGE_PSE, _PAGE_RW | _PAGE_USER };
    uint64_t flip = bits[gen_below(g, sizeof(bits) / sizeof(bits[0]))];
    struct prog_op *op = gen_new_op(p);
    const struct prog_op *src = &p->ops[src_idx];
    bool done = false;
    struct gen_hc h;
    int arr;

    if (!op)
        return;
    gen_hc_start(&h, g, op, src->dom, src->vcpu, HYPERVISOR_mmu_update);
    arr = gen_pl_alloc(&h, sizeof(struct mmu_update));
    if (arr < 0 || rec + sizeof(struct mmu_update) > src->payload_len)
        return;
    memcpy(&op->payload[arr], &src->payload[rec], sizeof(struct mmu_update));
    for (unsigned f = 0; f < src->nr_fixups && op->nr_fixups < PROG_MAX_FIXUPS; f++) {
        struct prog_fixup x = src->fixups[f];
        if (x.off < rec || x.off >= rec + sizeof(struct mmu_update))
            continue;
        x.off = (uint16_t)(x.off - rec + (unsigned)arr);
        if (x.off == (unsigned)arr + 8 && x.arg.kind == ARG_PTE) {
            x.arg.imm ^= flip;
            done = true;
        }
        op->fixups[op->nr_fixups++] = x;
    }
    if (!done)
        for (unsigned i = 0; i < 8; i++)
            op->payload[arr + 8 + i] ^= (uint8_t)(flip >> (8 * i));
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)arr));
    gen_hc_arg(&h, 1, GEN_IMM(1));
    gen_hc_arg(&h, 2, GEN_IMM(0));
    gen_hc_arg(&h, 3, src->nr_args > 3 ? src->args[3] : GEN_SELF());
}

void gen_f_mmu_update(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned owner = gen_owner(g, dom);
    unsigned n = gen_chance(g, 3, 4) ? 1 + gen_below(g, 2) : 1 + gen_below(g, 6);
    int arr, done = -1;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmu_update);
    arr = gen_pl_alloc(&h, n * sizeof(struct mmu_update));
    for (unsigned i = 0; i < n; i++)
        gen_mmu_req_for(&h, (unsigned)arr + i * (unsigned)sizeof(struct mmu_update), owner);
    if (gen_chance(g, 1, 2))
        done = gen_pl_alloc(&h, 8);
    gen_hc_arg(&h, 0, gen_chance(g, 31, 32) ? GEN_PAYLOAD((uint32_t)arr) : gen_va(g, dom));
    /* the count: the array's length mostly; a boundary value (or the continuation flag) rarely */
    gen_hc_arg(&h, 1, GEN_IMM(gen_chance(g, 7, 8) ? n : gen_count(g, n)));
    gen_hc_arg(&h, 2, done >= 0 ? GEN_PAYLOAD((uint32_t)done) :
                      gen_chance(g, 7, 8) ? GEN_IMM(0) : gen_va(g, dom));
    gen_hc_arg(&h, 3, gen_mmu_foreigndom(g, dom, owner));
    if (arr >= 0 && gen_chance(g, 1, 6))
        gen_mmu_flip(g, p, (uint32_t)(op - p->ops),
                     (unsigned)arr + gen_below(g, n) * (unsigned)sizeof(struct mmu_update));
}

void gen_f_uva(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    static const uint64_t flush[] = { UVMF_NONE, UVMF_INVLPG, UVMF_TLB_FLUSH,
                                      UVMF_INVLPG | UVMF_ALL, UVMF_TLB_FLUSH | UVMF_ALL, 3 };
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    bool other = gen_chance(g, 1, 16);   /* the model leaves _otherdomain unimplemented (-ENOSYS) */
    unsigned owner;
    struct prog_arg va;
    uint64_t fl;

    if (!op)
        return;
    /* the foreign form needs privilege over the owner: mostly dom0 acting on another domain */
    if (other && gen_chance(g, 3, 4) && gen_nr_doms(g) > 1) {
        dom = 0;
        owner = 1 + gen_below(g, gen_nr_doms(g) - 1);
    } else {
        owner = other ? gen_owner(g, dom) : dom;
    }
    gen_hc_start(&h, g, op, dom, vcpu,
                 other ? HYPERVISOR_update_va_mapping_otherdomain : HYPERVISOR_update_va_mapping);
    /* VAs of mapped data, of the page tables' own mappings, and of free slots */
    switch (gen_below(g, 8)) {
    case 0: case 1: case 2: case 3:
        va = GEN_GVA(dom, gen_data_gfn(g), 0);
        break;
    case 4:
        va = GEN_GVA(dom, gen_pt_gfn(g, 1 + gen_below(g, 4)), 0);
        break;
    case 5: case 6:
        va = GEN_IMM(gen_free_va(g));
        break;
    default:
        va = gen_va(g, dom);
        break;
    }
    gen_hc_arg(&h, 0, va);
    gen_hc_arg(&h, 1, gen_pte_val(g, owner, 1));
    fl = flush[gen_below(g, sizeof(flush) / sizeof(flush[0]))];
    if (gen_chance(g, 1, 8)) {
        /* UVMF_MULTI: the upper bits are a guest pointer to a vCPU mask */
        int m;
        gen_hc_arg(&h, 2, GEN_IMM(0));
        m = gen_pl_alloc(&h, 8);
        if (m >= 0) {
            gen_pl_put(&h, (unsigned)m, 8, gen_chance(g, 3, 4) ? 1 + gen_below(g, 3) : gen_rand(g));
            h.op->args[2] = GEN_PAYLOAD((uint32_t)m);
            /* resolved to a VA with the low bits clear; the flush type rides in the low bits */
            h.op->args[2].b |= (uint32_t)(1 + gen_below(g, 2));
        }
    } else {
        gen_hc_arg(&h, 2, GEN_IMM(fl));
    }
    if (other)
        gen_hc_arg(&h, 3, gen_foreigndom(g, dom, owner));
}

/*
 * One mmuext record. Frames named by arg1 are the builder's tables and hot data frames, own or
 * (with foreigndom) the owner's; the level of a pin matches the frame's natural level mostly.
 */
static void gen_mmuext_for(struct gen_hc *h, unsigned off, unsigned owner)
{
    struct gen *g = h->g;
    unsigned r = gen_below(g, 64), lvl, cmd;
    struct prog_arg a1 = GEN_IMM(0), a2 = GEN_IMM(0);

    if (r < 22) {
        cmd = MMUEXT_PIN_L1_TABLE + gen_below(g, 4);
        lvl = cmd - MMUEXT_PIN_L1_TABLE + 1;
        a1 = gen_chance(g, 1, 2) ? GEN_MFN(owner, gen_pt_gfn(g, lvl))
                                 : gen_mfn_arg(g, owner, gen_data_gfn(g));
    } else if (r < 34) {
        cmd = MMUEXT_UNPIN_TABLE;
        a1 = gen_chance(g, 1, 3) ? GEN_MFN(owner, gen_pt_gfn(g, 1 + gen_below(g, 4)))
                                 : gen_mfn_arg(g, owner, gen_data_gfn(g));
    } else if (r < 42) {
        /* a 64-bit PV kernel switches both tables at every context switch */
        cmd = gen_chance(g, 1, 2) ? MMUEXT_NEW_BASEPTR : MMUEXT_NEW_USER_BASEPTR;
        a1 = gen_chance(g, 1, 2) ? GEN_MFN(owner, GEN_GFN_L4) : GEN_MFN(owner, gen_data_gfn(g));
        if (cmd == MMUEXT_NEW_USER_BASEPTR && gen_chance(g, 1, 4))
            a1 = GEN_IMM(0);
    } else if (r < 50) {
        static const uint32_t fl[] = { MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL,
                                       MMUEXT_TLB_FLUSH_MULTI, MMUEXT_INVLPG_MULTI,
                                       MMUEXT_TLB_FLUSH_ALL, MMUEXT_INVLPG_ALL,
                                       MMUEXT_FLUSH_CACHE };
        cmd = fl[gen_below(g, sizeof(fl) / sizeof(fl[0]))];
        a1 = gen_va(g, h->caller);
        if (cmd == MMUEXT_TLB_FLUSH_MULTI || cmd == MMUEXT_INVLPG_MULTI) {
            int m = gen_pl_alloc(h, 8);
            if (m >= 0) {
                gen_pl_put(h, (unsigned)m, 8, gen_chance(g, 3, 4) ? 1 + gen_below(g, 3)
                                                                  : gen_rand(g));
                a2 = GEN_PAYLOAD((uint32_t)m);
            }
        }
    } else if (r < 58) {
        cmd = gen_chance(g, 1, 2) ? MMUEXT_CLEAR_PAGE : MMUEXT_COPY_PAGE;
        a1 = gen_mfn_arg(g, owner, gen_any_gfn(g));
        a2 = gen_mfn_arg(g, gen_dom(g, owner), gen_any_gfn(g));
    } else if (r < 62) {
        cmd = MMUEXT_PIN_L1_TABLE + gen_below(g, 5);
        a1 = GEN_IMM(gen_bad_mfn(g));
    } else if (r < 63) {
        /* PV superpages: gone from Xen, still in the ABI */
        cmd = MMUEXT_MARK_SUPER + gen_below(g, 2);
        a1 = gen_mfn_arg(g, owner, gen_any_gfn(g));
    } else {
        cmd = gen_chance(g, 2, 3) ? MMUEXT_SET_LDT : 18 + gen_below(g, 40);
        if (cmd == MMUEXT_SET_LDT)
            gen_desc_ldt(g, &a1, &a2);
        else
            a1 = GEN_IMM(gen_rand(g) & 0xFFFF);
    }
    gen_pl_put(h, off, 4, cmd);
    gen_pl_fix(h, off + 8, 8, a1);
    gen_pl_fix(h, off + 16, 8, a2);
}

void gen_mmuext_rec(struct gen_hc *h, unsigned off)
{
    gen_mmuext_for(h, off, h->caller);
}

void gen_f_mmuext(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned owner = gen_owner(g, dom);
    unsigned n = gen_chance(g, 3, 4) ? 1 : 1 + gen_below(g, 4);
    int arr, done = -1;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmuext_op);
    arr = gen_pl_alloc(&h, n * sizeof(struct mmuext_op));
    for (unsigned i = 0; i < n; i++)
        gen_mmuext_for(&h, (unsigned)arr + i * (unsigned)sizeof(struct mmuext_op), owner);
    if (gen_chance(g, 1, 4))
        done = gen_pl_alloc(&h, 8);
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)arr));
    gen_hc_arg(&h, 1, GEN_IMM(gen_chance(g, 7, 8) ? n : gen_count(g, n)));
    gen_hc_arg(&h, 2, done >= 0 ? GEN_PAYLOAD((uint32_t)done) : GEN_IMM(0));
    gen_hc_arg(&h, 3, gen_foreigndom(g, dom, owner));
}

/* ---- memory_op ---------------------------------------------------------------------------------- */

/* A list of gfns (raw numbers: the list is data, not resources) for decrease/populate/exchange. */
static void gen_gfn_list(struct gen_hc *h, unsigned off, unsigned n, bool fresh)
{
    struct gen *g = h->g;
    unsigned pages = g->cfg.shape.dom_pages;

    for (unsigned i = 0; i < n; i++) {
        uint64_t gfn;
        if (fresh)
            gfn = gen_chance(g, 7, 8) ? pages + gen_below(g, 8) : gen_data_gfn(g);
        else
            gfn = gen_chance(g, 7, 8) ? gen_data_gfn(g) : gen_any_gfn(g);
        if (gen_chance(g, 1, 32))
            gfn = gen_count(g, 2048);
        gen_pl_put(h, off + 8 * i, 8, gfn);
    }
}

/* Extent orders: mostly 0, then small ones, a domU's largest, one past it, any up to the
   control domain's largest. */
static uint32_t gen_order(struct gen *g)
{
    if (gen_chance(g, 3, 4))
        return 0;
    switch (gen_below(g, 4)) {
    case 0:  return 1 + gen_below(g, 3);
    case 1:  return XENMEM_DOMU_MAX_ORDER;
    case 2:  return XENMEM_DOMU_MAX_ORDER + 1;
    default: return gen_count(g, XENMEM_CTLDOM_MAX_ORDER + 1);
    }
}

/* struct xen_memory_reservation at off; list is the payload offset of its extent array or -1. */
static void gen_reservation(struct gen_hc *h, unsigned off, int list, unsigned n, unsigned target)
{
    struct gen *g = h->g;

    if (list >= 0)
        gen_pl_fix(h, off, 8, GEN_PAYLOAD((uint32_t)list));
    else
        gen_pl_put(h, off, 8, gen_chance(g, 1, 2) ? 0 : GEN_VA(g->cfg.shape.dom_pages + 300));
    gen_pl_put(h, off + 8, 8, gen_chance(g, 7, 8) ? n : gen_count(g, n));
    gen_pl_put(h, off + 16, 4, gen_order(g));
    gen_pl_put(h, off + 20, 4, gen_chance(g, 7, 8) ? 0 : gen_rand(g) & 0xFFFF);
    if (target == h->caller && gen_chance(g, 3, 4))
        gen_pl_put(h, off + 24, 2, DOMID_SELF);
    else
        gen_pl_fix(h, off + 24, 2, gen_chance(g, 7, 8) ? GEN_DOMID(target)
                                                       : GEN_IMM(gen_bad_domid(g)));
}

void gen_f_memory(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned target = gen_chance(g, 6, 7) ? dom : gen_other_dom(g, dom);
    unsigned r = gen_below(g, 16), n = 1 + gen_below(g, 4), cmd;
    int rec, list, list2;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_memory_op);
    if (r < 9) {
        static const unsigned cmds[] = { XENMEM_increase_reservation,
                                         XENMEM_decrease_reservation, XENMEM_populate_physmap };
        cmd = cmds[r % 3];
        rec = gen_pl_alloc(&h, sizeof(struct xen_memory_reservation));
        list = gen_pl_alloc(&h, 8 * n);
        gen_gfn_list(&h, (unsigned)list, n, cmd == XENMEM_populate_physmap);
        if (cmd == XENMEM_increase_reservation && gen_chance(g, 1, 3))
            list = -1;
        gen_reservation(&h, (unsigned)rec, list, n, target);
        /* a continuation's start extent in the upper bits, now and then */
        gen_hc_arg(&h, 0, GEN_IMM(cmd | (gen_chance(g, 1, 16) ? (uint64_t)gen_below(g, 4)
                                                                    << MEMOP_EXTENT_SHIFT : 0)));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    } else if (r < 13) {
        /* exchange: in and out lists of the same length, progress 0 or a boundary */
        rec = gen_pl_alloc(&h, sizeof(struct xen_memory_exchange));
        list = gen_pl_alloc(&h, 8 * n);
        list2 = gen_pl_alloc(&h, 8 * n);
        gen_gfn_list(&h, (unsigned)list, n, false);
        gen_gfn_list(&h, (unsigned)list2, n, gen_chance(g, 1, 2));
        gen_reservation(&h, (unsigned)rec, list, n, target);
        gen_reservation(&h, (unsigned)rec + 32, list2, n, target);
        if (gen_chance(g, 1, 4))
            gen_pl_put(&h, (unsigned)rec + 24 + 32, 2,
                       h.op->payload[rec + 24] | h.op->payload[rec + 25] << 8);
        gen_pl_put(&h, (unsigned)rec + 64, 8, gen_chance(g, 3, 4) ? 0 : gen_count(g, n));
        if (gen_chance(g, 1, 4)) {
            /* orders whose sizes match: 2^k inputs make one output, or one input 2^k outputs */
            unsigned a = gen_below(g, 3), b = gen_below(g, 3);
            gen_pl_put(&h, (unsigned)rec + 16, 4, a);
            gen_pl_put(&h, (unsigned)rec + 32 + 16, 4, b);
            gen_pl_put(&h, (unsigned)rec + 8, 8, a <= b ? 1U << (b - a) : 1U);
            gen_pl_put(&h, (unsigned)rec + 32 + 8, 8, a <= b ? 1U : 1U << (a - b));
        }
        /* progress is an index into both lists: now and then one that reaches a boundary */
        if (gen_chance(g, 1, 16)) {
            uint64_t base = GEN_VA(g->cfg.shape.dom_pages - 1U) +
                            (gen_chance(g, 1, 2) ? (unsigned)list : (unsigned)list2);
            uint64_t i = gen_index_toward(g, base, 8);
            /* and lists long enough to get there */
            gen_pl_put(&h, (unsigned)rec + 64, 8, i);
            gen_pl_put(&h, (unsigned)rec + 8, 8, i + n);
            gen_pl_put(&h, (unsigned)rec + 40, 8, i + n);
        }
        if (gen_chance(g, 1, 8)) {
            /* an out list that starts in the buffer and runs past its end */
            gen_pl_fix(&h, (unsigned)rec + 32, 8,
                       GEN_PAYLOAD((uint32_t)(h.op->payload_len - 8)));
            gen_pl_put(&h, (unsigned)rec + 40, 8, n + 500);
            gen_pl_put(&h, (unsigned)rec + 8, 8, n + 500);
        }
        gen_hc_arg(&h, 0, GEN_IMM(XENMEM_exchange));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    } else {
        static const unsigned q[] = { XENMEM_current_reservation, XENMEM_maximum_reservation,
                                      XENMEM_maximum_ram_page, 5, 7, 63 };
        cmd = q[gen_below(g, sizeof(q) / sizeof(q[0]))];
        rec = gen_pl_alloc(&h, 8);
        if (target == dom && gen_chance(g, 1, 2))
            gen_pl_put(&h, (unsigned)rec, 2, DOMID_SELF);
        else
            gen_pl_fix(&h, (unsigned)rec, 2, GEN_DOMID(target));
        gen_hc_arg(&h, 0, GEN_IMM(cmd));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    }
}
