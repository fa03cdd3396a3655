/* Generator templates for grant_table_op and event_channel_op: structs filled with live resources. */
#include <stddef.h>
#include "gen/gen_internal.h"
#include "hvfuzz/monitor.h"

/* The granting side of a map/copy/transfer: another domain mostly (that is what grants are for). */
static unsigned gen_granter(struct gen *g, unsigned caller)
{
    return gen_chance(g, 6, 7) ? gen_other_dom(g, caller) : caller;
}

#define GEN_GNT_ENTRIES_REF 5U   /* refs the grant-writing template fills */

/* Grant refs: a few low refs (where granters put their entries), rarely any or an invalid one. */
static struct prog_arg gen_gref(struct gen *g, unsigned dom)
{
    if (gen_chance(g, 1, 16))
        return GEN_IMM(gen_chance(g, 1, 2) ? gen_count(g, 4096) : 0xFFFFFFFFULL);
    return GEN_GREF(dom, gen_chance(g, 7, 8) ? gen_below(g, GEN_GNT_ENTRIES_REF) : gen_below(g, 512));
}

static struct prog_arg gen_handle(struct gen *g, unsigned dom)
{
    if (gen_chance(g, 1, 12))
        return GEN_IMM(gen_chance(g, 1, 2) ? 256U : 0xFFFFFFFFULL);
    return GEN_HANDLE(dom, gen_below(g, 4));
}

/* Where a host mapping goes: a free VA slot, a data page's VA, or a PTE slot (contains_pte). */
static struct prog_arg gen_host_addr(struct gen *g, unsigned caller, uint32_t *flags)
{
    unsigned r = gen_below(g, 16);

    if (r < 9)
        return GEN_IMM(gen_free_va(g));
    if (r < 11)
        return GEN_GVA(caller, gen_data_gfn(g), 0);
    if (r < 15) {
        *flags |= GNTMAP_contains_pte;
        /* an L1 slot of a free VA or of a data page; misaligned once in a while (XSA-227) */
        unsigned slot = gen_chance(g, 1, 2) ? g->cfg.shape.dom_pages + gen_below(g, 4)
                                            : gen_data_gfn(g);
        uint32_t off = (slot % PTES_PER_TABLE) * 8U;
        if (gen_chance(g, 1, 8))
            off += 1 + gen_below(g, 7);
        return GEN_MADDR(caller, gen_pt_gfn(g, 1), off % PAGE_SIZE);
    }
    return gen_va(g, caller);
}

static uint32_t gen_map_flags(struct gen *g)
{
    static const uint32_t common[] = {
        GNTMAP_host_map, GNTMAP_host_map | GNTMAP_readonly, GNTMAP_device_map,
        GNTMAP_device_map | GNTMAP_readonly, GNTMAP_host_map | GNTMAP_device_map,
        GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly, GNTMAP_host_map,
        GNTMAP_host_map | GNTMAP_application_map,
    };

    if (gen_chance(g, 1, 16))
        return (uint32_t)gen_rand(g) & 0xFF;
    return common[gen_below(g, sizeof(common) / sizeof(common[0]))];
}

static void gen_map_rec(struct gen_hc *h, unsigned off)
{
    struct gen *g = h->g;
    unsigned gd = gen_granter(g, h->caller);
    uint32_t flags = gen_map_flags(g);
    struct prog_arg host = gen_host_addr(g, h->caller, &flags);

    if (flags & (GNTMAP_host_map | GNTMAP_contains_pte))
        gen_pl_fix(h, off + offsetof(struct gnttab_map_grant_ref, host_addr), 8, host);
    gen_pl_put(h, off + offsetof(struct gnttab_map_grant_ref, flags), 4, flags);
    gen_pl_fix(h, off + offsetof(struct gnttab_map_grant_ref, ref), 4, gen_gref(g, gd));
    gen_pl_fix(h, off + offsetof(struct gnttab_map_grant_ref, dom), 2,
               gen_chance(g, 15, 16) ? GEN_DOMID(gd) : GEN_IMM(gen_bad_domid(g)));
}

static void gen_unmap_rec(struct gen_hc *h, unsigned off, bool replace)
{
    struct gen *g = h->g;
    uint32_t flags = 0;

    /* the same kinds of address the maps used, so host unmaps can match */
    if (gen_chance(g, 3, 4))
        gen_pl_fix(h, off, 8, gen_host_addr(g, h->caller, &flags));
    if (replace) {
        gen_pl_fix(h, off + 8, 8, gen_chance(g, 1, 3) ? GEN_IMM(0) : GEN_IMM(gen_free_va(g)));
        gen_pl_fix(h, off + offsetof(struct gnttab_unmap_and_replace, handle), 4,
                   gen_handle(g, h->caller));
        return;
    }
    /* dev_bus_addr: 0 (host part only) or the granted frame's address (device part) */
    if (gen_chance(g, 1, 2))
        gen_pl_fix(h, off + 8, 8, GEN_MADDR(gen_other_dom(g, h->caller), gen_data_gfn(g), 0));
    gen_pl_fix(h, off + offsetof(struct gnttab_unmap_grant_ref, handle), 4,
               gen_handle(g, h->caller));
}

/* One side of a copy: a grant ref of another domain, or a frame (PV gmfn = mfn) of the caller. */
static void gen_copy_ptr(struct gen_hc *h, unsigned off, bool gref, uint16_t *len)
{
    struct gen *g = h->g;
    unsigned d = gref ? gen_granter(g, h->caller) : h->caller;
    uint16_t o = gen_chance(g, 3, 4) ? (uint16_t)(8 * gen_below(g, 8))
                                     : (uint16_t)gen_below(g, PAGE_SIZE + 16);

    if (gref)
        gen_pl_fix(h, off, 8, gen_gref(g, d));
    else
        gen_pl_fix(h, off, 8, gen_chance(g, 15, 16) ? gen_mfn_arg(g, gen_dom(g, h->caller),
                                                                  gen_any_gfn(g))
                                                    : GEN_IMM(gen_bad_mfn(g)));
    if (!gref && gen_chance(g, 1, 2))
        gen_pl_put(h, off + 8, 2, DOMID_SELF);
    else
        gen_pl_fix(h, off + 8, 2, GEN_DOMID(d));
    gen_pl_put(h, off + 10, 2, o);
    if (o >= PAGE_SIZE - *len && gen_chance(g, 3, 4))
        *len = (uint16_t)(PAGE_SIZE - o);
}

static void gen_copy_rec(struct gen_hc *h, unsigned off)
{
    struct gen *g = h->g;
    uint16_t flags = (uint16_t)gen_below(g, 4), len;

    if (gen_chance(g, 1, 16))
        flags = (uint16_t)gen_rand(g);
    len = gen_chance(g, 3, 4) ? (uint16_t)(8 << gen_below(g, 6)) : (uint16_t)gen_count(g, 4096);
    gen_copy_ptr(h, off, flags & GNTCOPY_source_gref, &len);
    gen_copy_ptr(h, off + 16, flags & GNTCOPY_dest_gref, &len);
    gen_pl_put(h, off + offsetof(struct gnttab_copy, len), 2, len);
    gen_pl_put(h, off + offsetof(struct gnttab_copy, flags), 2, flags);
}

static void gen_transfer_rec(struct gen_hc *h, unsigned off)
{
    struct gen *g = h->g;
    unsigned to = gen_other_dom(g, h->caller);

    gen_pl_fix(h, off, 8, gen_chance(g, 7, 8) ? gen_mfn_arg(g, h->caller, gen_data_gfn(g))
                                              : GEN_MFN(gen_dom(g, h->caller), gen_any_gfn(g)));
    gen_pl_fix(h, off + 8, 2, gen_chance(g, 15, 16) ? GEN_DOMID(to) : GEN_IMM(gen_bad_domid(g)));
    gen_pl_fix(h, off + 12, 4, gen_gref(g, to));
}

/* swap_grant_ref: two of the caller's refs, now and then the same one twice. */
static void gen_swap_rec(struct gen_hc *h, unsigned off)
{
    struct gen *g = h->g;
    struct prog_arg a = gen_gref(g, h->caller);

    gen_pl_fix(h, off + offsetof(struct gnttab_swap_grant_ref, ref_a), 4, a);
    gen_pl_fix(h, off + offsetof(struct gnttab_swap_grant_ref, ref_b), 4,
               gen_chance(g, 1, 8) ? a : gen_gref(g, h->caller));
}

/* A frame-list op's struct: dom, nr_frames, frame_list handle into the payload. */
static void gen_frames_op(struct gen_hc *h, unsigned cmd)
{
    struct gen *g = h->g;
    unsigned d = gen_chance(g, 5, 6) ? h->caller : gen_other_dom(g, h->caller);
    unsigned nr = gen_chance(g, 7, 8) ? 1 + gen_below(g, 4) : (unsigned)gen_count(g, 4);
    int rec = gen_pl_alloc(h, 24), list = gen_pl_alloc(h, 32);
    unsigned dom_off = cmd == GNTTABOP_setup_table ? 0 : 4;
    unsigned nr_off = cmd == GNTTABOP_setup_table ? 4 : 0;
    unsigned list_off = cmd == GNTTABOP_setup_table ? 16 : 8;

    if (d == h->caller && gen_chance(g, 1, 2))
        gen_pl_put(h, (unsigned)rec + dom_off, 2, DOMID_SELF);
    else
        gen_pl_fix(h, (unsigned)rec + dom_off, 2, GEN_DOMID(d));
    gen_pl_put(h, (unsigned)rec + nr_off, 4, nr);
    gen_pl_fix(h, (unsigned)rec + list_off, 8, gen_chance(g, 15, 16) ? GEN_PAYLOAD((uint32_t)list)
                                                                     : gen_va(g, h->caller));
}

/*
 * A guest grants access by writing entries into its grant table. Guest writes store tags, so the
 * entries travel as payload: refs 0..n-1 are laid out at the start of the payload and one
 * mmuext COPY_PAGE copies the payload page onto grant frame 0 (learned by gen_probe). Entries
 * name own frames (or, rarely, foreign/invalid ones) for another domain, read-only or not, or
 * accept a transfer.
 */
#define GEN_GNT_ENTRIES 5U

static void gen_grant_write_for(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu,
                                int grantee, bool accept);

static void gen_grant_write(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    gen_grant_write_for(g, p, dom, vcpu, -1, false);
}

/* Entries for grantee (>= 0: entry 0 and most others; -1: any other domain mostly); with accept,
   entry 0 accepts a transfer. */
static void gen_grant_write_for(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu,
                                int grantee, bool accept)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    int ents;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmuext_op);
    ents = gen_pl_alloc(&h, GEN_GNT_ENTRIES * sizeof(struct grant_entry_v1));
    for (unsigned r = 0; r < GEN_GNT_ENTRIES; r++) {
        unsigned off = (unsigned)ents + r * (unsigned)sizeof(struct grant_entry_v1);
        unsigned k = gen_below(g, 16);
        uint16_t flags = k < 10 ? GTF_permit_access : k < 13 ? GTF_permit_access | GTF_readonly
                                                    : k < 15 ? GTF_accept_transfer : 0;
        if (r == 0 && accept)
            flags = GTF_accept_transfer;
        gen_pl_put(&h, off, 2, flags);
        if (grantee >= 0 && (r == 0 || gen_chance(g, 3, 4)))
            gen_pl_fix(&h, off + 2, 2, GEN_DOMID((unsigned)grantee));
        else
            gen_pl_fix(&h, off + 2, 2, gen_chance(g, 7, 8) ? GEN_DOMID(gen_other_dom(g, dom))
                                                           : GEN_DOMID(dom));
        if (flags == GTF_accept_transfer)
            continue;
        gen_pl_fix(&h, off + 4, 4, gen_chance(g, 7, 8) ? gen_mfn_arg(g, dom, gen_data_gfn(g))
                                                       : GEN_MFN(gen_dom(g, dom), gen_any_gfn(g)));
    }
    gen_grant_copy_onto_frame(g, &h, dom);
}

/*
 * The mmuext_op COPY_PAGE record that copies the op's payload page (grant entries written there)
 * onto dom's grant frame, and the op's arguments for it: how generated programs write their grant
 * entries, as a PV guest writes its mapped grant frame. false when the payload has no room.
 */
bool gen_grant_copy_onto_frame(struct gen *g, struct gen_hc *h, unsigned dom)
{
    int rec = gen_pl_alloc(h, sizeof(struct mmuext_op));

    if (rec < 0)
        return false;
    gen_pl_put(h, (unsigned)rec, 4, MMUEXT_COPY_PAGE);
    gen_pl_put(h, (unsigned)rec + 8, 8, g->env.gnt_frame[dom]);
    gen_pl_fix(h, (unsigned)rec + 16, 8, GEN_MFN(dom, g->cfg.shape.dom_pages - 1U));
    gen_hc_arg(h, 0, GEN_PAYLOAD((uint32_t)rec));
    gen_hc_arg(h, 1, GEN_IMM(1));
    gen_hc_arg(h, 2, GEN_IMM(0));
    gen_hc_arg(h, 3, GEN_SELF());
    return true;
}

/*
 * The same element twice in one batch: the record at rec (size bytes, fixups included) copied
 * into the next slot, and the op's count raised. Per-element state (handles, pins, references)
 * is then released or taken twice by one call, which batching code must get right. 0 or -1.
 */
static int gen_pl_dup_rec(struct gen_hc *h, unsigned rec, unsigned size)
{
    struct prog_op *op = h->op;
    unsigned nf = op->nr_fixups;
    int copy = gen_pl_alloc(h, size);

    if (copy < 0 || (unsigned)copy != rec + size)
        return -1;
    memcpy(&op->payload[copy], &op->payload[rec], size);
    for (unsigned i = 0; i < nf && op->nr_fixups < PROG_MAX_FIXUPS; i++)
        if (op->fixups[i].off >= rec && op->fixups[i].off < rec + size) {
            op->fixups[op->nr_fixups] = op->fixups[i];
            op->fixups[op->nr_fixups].off = (uint16_t)(op->fixups[i].off + size);
            op->nr_fixups++;
        }
    if (op->nr_args > 2 && op->args[2].kind == ARG_IMM)
        op->args[2].imm++;
    return 0;
}

/* One grant_table_op of a single record of size bytes; the record's payload offset, or -1. */
static int gen_grant_op1(struct gen *g, struct prog *p, struct gen_hc *h, unsigned dom,
                         unsigned vcpu, unsigned cmd, unsigned size)
{
    struct prog_op *op = gen_new_op(p);
    int rec;

    if (!op)
        return -1;
    gen_hc_start(h, g, op, dom, vcpu, HYPERVISOR_grant_table_op);
    rec = gen_pl_alloc(h, size);
    gen_hc_arg(h, 0, GEN_IMM(cmd));
    gen_hc_arg(h, 1, GEN_PAYLOAD(rec < 0 ? 0U : (uint32_t)rec));
    gen_hc_arg(h, 2, GEN_IMM(1));
    return rec;
}

/*
 * A grant's whole life, the way a PV split driver uses the ABI: the granter writes entries for
 * the grantee, the grantee maps one (host, device or both; at a free VA or through a PTE slot),
 * touches it, and takes it down again by unmap or unmap_and_replace, using the handle and the
 * address it mapped with. Independent picks rarely chain four matching steps; here every step
 * after the first meets live state, and the random choices stay in each step's fields.
 */
/*
 * A page transfer's life: the receiver writes an entry that accepts a transfer from the sender,
 * the sender may first give the frame up (decrease_reservation), then transfers it, naming it
 * by the number it knows (gen_mfn_arg: resolved or remembered). Release-then-use of one frame.
 */
void gen_transfer_gfn(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn)
{
    unsigned to = gen_other_dom(g, dom);
    unsigned ref = gen_chance(g, 3, 4) ? 0 : gen_below(g, 5);
    struct gen_hc h;
    int rec;

    if (to == dom)
        return;
    gen_grant_write_for(g, p, to, 0, (int)dom, true);
    if (gen_chance(g, 1, 2)) {
        struct prog_op *op = gen_new_op(p);
        int list;
        if (!op)
            return;
        gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_memory_op);
        rec = gen_pl_alloc(&h, sizeof(struct xen_memory_reservation));
        list = gen_pl_alloc(&h, 8);
        if (rec < 0 || list < 0)
            return;
        gen_pl_put(&h, (unsigned)list, 8, gfn);
        gen_pl_fix(&h, (unsigned)rec, 8, GEN_PAYLOAD((uint32_t)list));
        gen_pl_put(&h, (unsigned)rec + 8, 8, 1);
        gen_pl_put(&h, (unsigned)rec + 24, 2, DOMID_SELF);
        gen_hc_arg(&h, 0, GEN_IMM(XENMEM_decrease_reservation));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    }
    rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_transfer, sizeof(struct gnttab_transfer));
    if (rec < 0)
        return;
    gen_pl_fix(&h, (unsigned)rec, 8, gen_mfn_arg(g, dom, gfn));
    gen_pl_fix(&h, (unsigned)rec + 8, 2, GEN_DOMID(to));
    gen_pl_fix(&h, (unsigned)rec + 12, 4, GEN_GREF(to, ref));
}

static void gen_transfer_life(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    gen_transfer_gfn(g, p, dom, vcpu, gen_data_gfn(g));
}

/*
 * A mode switch while the mode's resources are in use: grant table v2, its status frame fetched
 * and mapped at a free VA (by the number get_status_frames gave, learned by gen_probe), then
 * back to v1, and the mapping touched. Resources a mode hands out must outlive the switch or be
 * taken back whole.
 */
static void gen_version_life(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned slot = g->cfg.shape.dom_pages + gen_below(g, 4);
    uint64_t sf = dom < GEN_MAX_DOMS ? g->env.status_frame[dom] : 0;
    struct gen_hc h;
    struct prog_op *op;
    int rec;

    rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_set_version, 8);
    if (rec < 0 || !sf)
        return;
    gen_pl_put(&h, (unsigned)rec, 4, 2);
    rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_get_status_frames, 24);
    if (rec < 0)
        return;
    gen_pl_put(&h, (unsigned)rec, 4, 1);
    gen_pl_put(&h, (unsigned)rec + 4, 2, DOMID_SELF);
    gen_pl_fix(&h, (unsigned)rec + 8, 8, GEN_PAYLOAD((uint32_t)rec + 16));
    op = gen_new_op(p);
    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmu_update);
    rec = gen_pl_alloc(&h, 16);
    if (rec < 0)
        return;
    gen_pl_fix(&h, (unsigned)rec, 8, GEN_MADDR(dom, GEN_GFN_L1 + slot / PTES_PER_TABLE,
                                               (slot % PTES_PER_TABLE) * 8U));
    gen_pl_put(&h, (unsigned)rec + 8, 8, ((sf << PAGE_SHIFT) & PTE_ADDR_MASK) | _PAGE_PRESENT |
               _PAGE_USER | _PAGE_ACCESSED | (gen_chance(g, 1, 2) ? _PAGE_RW : 0));
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)rec));
    gen_hc_arg(&h, 1, GEN_IMM(1));
    gen_hc_arg(&h, 2, GEN_IMM(0));
    gen_hc_arg(&h, 3, GEN_SELF());
    rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_set_version, 8);
    if (rec < 0)
        return;
    gen_pl_put(&h, (unsigned)rec, 4, 1);
    op = gen_new_op(p);
    if (!op)
        return;
    op->kind = gen_chance(g, 1, 2) ? OP_GUEST_READ : OP_GUEST_WRITE;
    op->dom = (uint8_t)dom;
    op->vcpu = (uint8_t)vcpu;
    op->size = 8;
    op->nr_args = 1;
    op->args[0] = GEN_IMM(GEN_VA(slot));
}

static void gen_grant_life(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned granter = gen_other_dom(g, dom), ref = gen_chance(g, 3, 4) ? 0 : gen_below(g, 5);
    uint32_t flags = gen_map_flags(g);
    struct prog_arg host;
    struct gen_hc h;
    int rec;

    if (granter == dom)
        return;
    if (gen_chance(g, 1, 4)) {
        gen_transfer_life(g, p, dom, vcpu);
        return;
    }
    if (gen_chance(g, 1, 5)) {
        gen_version_life(g, p, dom, vcpu);
        return;
    }
    gen_grant_write_for(g, p, granter, 0, (int)dom, false);
    flags &= ~(uint32_t)GNTMAP_contains_pte;
    host = gen_host_addr(g, dom, &flags);
    rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_map_grant_ref,
                        sizeof(struct gnttab_map_grant_ref));
    if (rec < 0)
        return;
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, host_addr), 8, host);
    gen_pl_put(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, flags), 4, flags);
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, ref), 4,
               GEN_GREF(granter, ref));
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, dom), 2,
               GEN_DOMID(granter));
    if (host.kind == ARG_IMM && !(flags & GNTMAP_contains_pte) && gen_chance(g, 1, 2)) {
        struct prog_op *op = gen_new_op(p);
        if (op) {
            op->kind = gen_chance(g, 1, 2) ? OP_GUEST_WRITE : OP_GUEST_READ;
            op->dom = (uint8_t)dom;
            op->vcpu = (uint8_t)vcpu;
            op->size = 8;
            op->nr_args = 1;
            op->args[0] = host;
        }
    }
    if (gen_chance(g, 1, 5))
        return;     /* left mapped: what comes later meets a live mapping */
    /* per-vCPU caches of handles and translations: half the time the release runs elsewhere */
    if (g->cfg.shape.nr_vcpus > 1 && gen_chance(g, 1, 2)) {
        unsigned rv = (vcpu + 1 + gen_below(g, g->cfg.shape.nr_vcpus - 1)) % g->cfg.shape.nr_vcpus;
        gen_bring_up(g, p, dom, vcpu, rv);
        vcpu = rv;
    }
    if (gen_chance(g, 1, 3)) {
        rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_unmap_and_replace,
                            sizeof(struct gnttab_unmap_and_replace));
        if (rec < 0)
            return;
        gen_pl_fix(&h, (unsigned)rec, 8, host);
        gen_pl_fix(&h, (unsigned)rec + 8, 8, gen_chance(g, 1, 2) ? GEN_IMM(0)
                                                                 : gen_host_addr(g, dom, &flags));
        gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_unmap_and_replace, handle), 4,
                   gen_chance(g, 7, 8) ? GEN_HANDLE(dom, 0) : gen_handle(g, dom));
        return;
    }
    rec = gen_grant_op1(g, p, &h, dom, vcpu, GNTTABOP_unmap_grant_ref,
                        sizeof(struct gnttab_unmap_grant_ref));
    if (rec < 0)
        return;
    if (flags & GNTMAP_host_map || gen_chance(g, 1, 4))
        gen_pl_fix(&h, (unsigned)rec, 8, host);
    if (flags & GNTMAP_device_map && gen_chance(g, 3, 4))
        gen_pl_fix(&h, (unsigned)rec + 8, 8, GEN_MADDR(granter, gen_data_gfn(g), 0));
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_unmap_grant_ref, handle), 4,
               gen_chance(g, 7, 8) ? GEN_HANDLE(dom, 0) : gen_handle(g, dom));
    if (gen_chance(g, 1, 3))
        gen_pl_dup_rec(&h, (unsigned)rec, sizeof(struct gnttab_unmap_grant_ref));
}

/* Remove the fixups marked with an offset of PROG_MAX_PAYLOAD, keeping the order of the rest. */
static void gen_drop_fixups(struct prog_op *op)
{
    unsigned k = 0;

    for (unsigned f = 0; f < op->nr_fixups; f++)
        if (op->fixups[f].off < PROG_MAX_PAYLOAD)
            op->fixups[k++] = op->fixups[f];
    op->nr_fixups = (uint8_t)k;
}

typedef void (*gen_rec_fn)(struct gen_hc *h, unsigned off);
static void gen_unmap_only(struct gen_hc *h, unsigned off) { gen_unmap_rec(h, off, false); }
static void gen_replace_only(struct gen_hc *h, unsigned off) { gen_unmap_rec(h, off, true); }

/*
 * cache_flush: a frame of the caller or of a domain that may have granted it one, a range at
 * the page's start, end and past it, and each op: clean, both, invalidate alone, none, and the
 * bits x86 refuses. Now and then the cmd carries a continuation.
 */
static void gen_cache_flush(struct gen *g, struct gen_hc *h, unsigned dom)
{
    static const uint16_t offs[] = { 0, 0, 4000, PAGE_SIZE - 8, PAGE_SIZE };
    static const uint16_t lens[] = { 8, 96, PAGE_SIZE, 0, PAGE_SIZE + 1 };
    static const uint32_t ops[] = { GNTTAB_CACHE_CLEAN, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL,
                                    GNTTAB_CACHE_INVAL, 0, GNTTAB_CACHE_SOURCE_GREF | 1U, 4 };
    int rec = gen_pl_alloc(h, (unsigned)sizeof(struct gnttab_cache_flush));
    unsigned owner = gen_chance(g, 1, 2) ? dom : gen_granter(g, dom);

    if (rec < 0)
        return;
    gen_pl_fix(h, (unsigned)rec, 8, GEN_MADDR(owner, gen_data_gfn(g), 0));
    gen_pl_put(h, (unsigned)rec + 8, 2, gen_chance(g, 1, 2) ? 0 : offs[gen_below(g, 5)]);
    gen_pl_put(h, (unsigned)rec + 10, 2, lens[gen_chance(g, 1, 2) ? 0 : gen_below(g, 5)]);
    gen_pl_put(h, (unsigned)rec + 12, 4, ops[gen_chance(g, 1, 2) ? 0 : gen_below(g, 6)]);
    gen_hc_arg(h, 0, GEN_IMM(GNTTABOP_cache_flush |
                             (gen_chance(g, 1, 16) ? 1U << GNTTABOP_CONTINUATION_ARG_SHIFT : 0U)));
}

void gen_f_grant(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    static const struct { uint8_t cmd, size, weight; gen_rec_fn fn; } arr[] = {
        { GNTTABOP_map_grant_ref, sizeof(struct gnttab_map_grant_ref), 10, gen_map_rec },
        { GNTTABOP_unmap_grant_ref, sizeof(struct gnttab_unmap_grant_ref), 7, gen_unmap_only },
        { GNTTABOP_copy, sizeof(struct gnttab_copy), 4, gen_copy_rec },
        { GNTTABOP_transfer, sizeof(struct gnttab_transfer), 3, gen_transfer_rec },
        { GNTTABOP_unmap_and_replace, sizeof(struct gnttab_unmap_and_replace), 2,
          gen_replace_only },
        { GNTTABOP_swap_grant_ref, sizeof(struct gnttab_swap_grant_ref), 2, gen_swap_rec },
    };
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned r = gen_below(g, 38), n;
    int rec;

    if (!op)
        return;
    if (g->env.valid && gen_chance(g, 1, 4)) {
        p->nr_ops--;
        gen_grant_write(g, p, dom, vcpu);
        return;
    }
    if (g->env.valid && gen_nr_doms(g) > 1 && gen_chance(g, 1, 4)) {
        p->nr_ops--;
        gen_grant_life(g, p, dom, vcpu);
        return;
    }
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_grant_table_op);
    for (unsigned i = 0; i < sizeof(arr) / sizeof(arr[0]); i++) {
        if (r >= arr[i].weight) {
            r -= arr[i].weight;
            continue;
        }
        n = gen_chance(g, 3, 4) ? 1 : 1 + gen_below(g, 4);
        rec = gen_pl_alloc(&h, n * arr[i].size);
        for (unsigned k = 0; k < n; k++)
            arr[i].fn(&h, (unsigned)rec + k * arr[i].size);
        if (n > 1 && gen_chance(g, 1, 4)) {
            /* an element twice in the batch: the last one becomes a copy of the one before */
            unsigned last = (unsigned)rec + (n - 1) * arr[i].size;
            memcpy(&op->payload[last], &op->payload[last - arr[i].size], arr[i].size);
            for (unsigned f = 0, nf = op->nr_fixups; f < nf; f++)
                if (op->fixups[f].off >= last && op->fixups[f].off < last + arr[i].size)
                    op->fixups[f].off = PROG_MAX_PAYLOAD;   /* dropped below */
            for (unsigned f = 0, nf = op->nr_fixups; f < nf && op->nr_fixups < PROG_MAX_FIXUPS; f++)
                if (op->fixups[f].off >= last - arr[i].size && op->fixups[f].off < last) {
                    op->fixups[op->nr_fixups] = op->fixups[f];
                    op->fixups[op->nr_fixups].off = (uint16_t)(op->fixups[f].off + arr[i].size);
                    op->nr_fixups++;
                }
            gen_drop_fixups(op);
        }
        gen_hc_arg(&h, 0, GEN_IMM(arr[i].cmd));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
        gen_hc_arg(&h, 2, GEN_IMM(gen_chance(g, 7, 8) ? n : gen_count(g, n)));
        return;
    }
    /* the single-struct ops: sizes, versions, status frames */
    switch (r % 8) {
    case 0: case 1:
        gen_frames_op(&h, GNTTABOP_setup_table);
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_setup_table));
        break;
    case 2:
        gen_frames_op(&h, GNTTABOP_get_status_frames);
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_get_status_frames));
        break;
    case 3: case 4:
        rec = gen_pl_alloc(&h, 8);
        gen_pl_put(&h, (unsigned)rec, 4, gen_chance(g, 7, 8) ? 1 + gen_below(g, 2)
                                                             : gen_below(g, 4));
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_set_version));
        break;
    case 5:
        rec = gen_pl_alloc(&h, 16);
        gen_pl_fix(&h, (unsigned)rec, 2, gen_domid_arg(g, dom));
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_query_size));
        break;
    case 6:
        rec = gen_pl_alloc(&h, 8);
        gen_pl_fix(&h, (unsigned)rec, 2, gen_domid_arg(g, dom));
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_get_version));
        break;
    default:
        if (gen_chance(g, 1, 2)) {
            gen_cache_flush(g, &h, dom);
            break;
        }
        rec = gen_pl_alloc(&h, 16);
        gen_pl_put(&h, (unsigned)rec, 8, gen_rand(g) & 0x3FF);
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_dump_table));
        break;
    }
    gen_hc_arg(&h, 1, GEN_PAYLOAD(0));
    gen_hc_arg(&h, 2, GEN_IMM(gen_chance(g, 15, 16) ? 1 : gen_count(g, 2)));
}

/* ---- event channels ----------------------------------------------------------------------------- */

/* Live ports are counted from port 0 (reserved, never free), so index 1.. are the ports a program
   opened, oldest first: small indices name the channels it just made. */
/*
 * Now and then a number instead: around the first bucket's end (63, 64), around the ABI's limit
 * (4095, 4096), any count, or a small port with high bits set, the value a check on a truncated
 * port would take for the small one.
 */
static struct prog_arg gen_port(struct gen *g, unsigned dom)
{
    if (gen_chance(g, 1, 12)) {
        switch (gen_below(g, 4)) {
        case 0:
            return GEN_IMM(EVTCHN_BUCKET - 1U + gen_below(g, 2));
        case 1:
            return GEN_IMM(EVTCHN_2L_NR_CHANNELS - 1U + gen_below(g, 3));
        case 2:
            return GEN_IMM(gen_count(g, 4096));
        default:
            return GEN_IMM((EVTCHN_2L_NR_CHANNELS << gen_below(g, 20)) + 1U + gen_below(g, 2));
        }
    }
    return GEN_PORT(dom, gen_chance(g, 3, 4) ? 1 + gen_below(g, 3) : gen_below(g, 8));
}

/*
 * The FIFO ABI: a control block (one of the caller's data pages, at an offset that is legal,
 * the last legal one, unaligned or past the page), array pages, and priorities around their
 * range. The page is often one that was just used for the 2-level ABI's data, so the type refs
 * the monitor takes meet the guest's own mappings.
 */
static void gen_evtchn_fifo(struct gen *g, struct gen_hc *h, int rec, unsigned dom, unsigned *cmd)
{
    static const uint32_t offsets[] = { 0, 8, PAGE_SIZE - EVTCHN_FIFO_CONTROL_SIZE,
                                        PAGE_SIZE - EVTCHN_FIFO_CONTROL_SIZE + 8, 4 };
    unsigned nv = g->cfg.shape.nr_vcpus, r = gen_below(g, 4);

    if (r < 2) {
        *cmd = EVTCHNOP_init_control;
        gen_pl_fix(h, (unsigned)rec, 8, GEN_MFN(dom, gen_data_gfn(g)));
        gen_pl_put(h, (unsigned)rec + 8, 4, gen_chance(g, 3, 4) ? 0 : offsets[gen_below(g, 5)]);
        gen_pl_put(h, (unsigned)rec + 12, 4, gen_chance(g, 7, 8) ? gen_below(g, nv)
                                                                 : gen_count(g, 4));
    } else if (r < 3) {
        *cmd = EVTCHNOP_expand_array;
        gen_pl_fix(h, (unsigned)rec, 8, GEN_MFN(dom, gen_data_gfn(g)));
    } else {
        *cmd = EVTCHNOP_set_priority;
        gen_pl_fix(h, (unsigned)rec, 4, gen_port(g, dom));
        gen_pl_put(h, (unsigned)rec + 4, 4, gen_chance(g, 7, 8)
                                            ? gen_below(g, EVTCHN_FIFO_PRIORITY_MIN + 2)
                                            : gen_count(g, 64));
    }
}

/*
 * A channel between two domains: the offering side allocates an unbound port for the peer, the
 * peer binds to it (often from the other domain's point of view at once, sometimes later, as the
 * generic families do by chance). Resource creation followed by its use is how deep states form.
 */
static void gen_evtchn_pair(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned peer = gen_other_dom(g, dom);
    int rec;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_event_channel_op);
    rec = gen_pl_alloc(&h, 8);
    gen_pl_put(&h, (unsigned)rec, 2, DOMID_SELF);
    gen_pl_fix(&h, (unsigned)rec + 2, 2, GEN_DOMID(peer));
    gen_hc_arg(&h, 0, GEN_IMM(EVTCHNOP_alloc_unbound));
    gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    if (!(op = gen_new_op(p)))
        return;
    gen_hc_start(&h, g, op, peer, 0, HYPERVISOR_event_channel_op);
    rec = gen_pl_alloc(&h, 16);
    gen_pl_fix(&h, (unsigned)rec, 2, GEN_DOMID(dom));
    gen_pl_fix(&h, (unsigned)rec + 4, 4, GEN_PORT(dom, 1 + gen_below(g, 2)));
    gen_hc_arg(&h, 0, GEN_IMM(EVTCHNOP_bind_interdomain));
    gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
}

void gen_f_evtchn(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);
    unsigned r = gen_below(g, 36), other = gen_other_dom(g, dom), cmd;
    unsigned nv = g->cfg.shape.nr_vcpus;
    int rec;

    if (!op)
        return;
    if (gen_chance(g, 1, 4) && gen_nr_doms(g) > 1) {
        p->nr_ops--;
        gen_evtchn_pair(g, p, dom, vcpu);
        return;
    }
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_event_channel_op);
    rec = gen_pl_alloc(&h, 24);
    if (r < 6) {
        cmd = EVTCHNOP_alloc_unbound;
        gen_pl_fix(&h, (unsigned)rec, 2, gen_chance(g, 3, 4) ? GEN_IMM(DOMID_SELF)
                                                             : gen_domid_arg(g, dom));
        gen_pl_fix(&h, (unsigned)rec + 2, 2, gen_chance(g, 7, 8) ? GEN_DOMID(other)
                                                                 : gen_domid_arg(g, dom));
    } else if (r < 11) {
        cmd = EVTCHNOP_bind_interdomain;
        gen_pl_fix(&h, (unsigned)rec, 2, gen_chance(g, 7, 8) ? GEN_DOMID(other)
                                                             : gen_domid_arg(g, dom));
        gen_pl_fix(&h, (unsigned)rec + 4, 4, gen_port(g, other));
    } else if (r < 14) {
        cmd = EVTCHNOP_bind_virq;
        gen_pl_put(&h, (unsigned)rec, 4, gen_chance(g, 7, 8) ? gen_below(g, 4)
                                                             : gen_count(g, NR_VIRQS));
        gen_pl_put(&h, (unsigned)rec + 4, 4, gen_chance(g, 7, 8) ? gen_below(g, nv)
                                                                 : gen_count(g, 4));
    } else if (r < 16) {
        cmd = EVTCHNOP_bind_ipi;
        gen_pl_put(&h, (unsigned)rec, 4, gen_chance(g, 7, 8) ? gen_below(g, nv) : gen_count(g, 4));
    } else if (r < 24) {
        static const uint8_t port_ops[] = { EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_send,
                                            EVTCHNOP_unmask, EVTCHNOP_bind_vcpu, EVTCHNOP_close };
        cmd = port_ops[gen_below(g, sizeof(port_ops))];
        gen_pl_fix(&h, (unsigned)rec, 4, gen_port(g, dom));
        if (cmd == EVTCHNOP_bind_vcpu)
            gen_pl_put(&h, (unsigned)rec + 4, 4, gen_chance(g, 7, 8) ? gen_below(g, nv)
                                                                     : gen_count(g, 4));
    } else if (r < 29) {
        cmd = EVTCHNOP_status;
        unsigned d = gen_dom(g, dom);
        gen_pl_fix(&h, (unsigned)rec, 2, d == dom && gen_chance(g, 1, 2) ? GEN_IMM(DOMID_SELF)
                                                                        : GEN_DOMID(d));
        gen_pl_fix(&h, (unsigned)rec + 4, 4, gen_port(g, d));
    } else if (r < 31) {
        cmd = EVTCHNOP_reset;
        gen_pl_fix(&h, (unsigned)rec, 2, gen_domid_arg(g, dom));
    } else if (r < 35) {
        gen_evtchn_fifo(g, &h, rec, dom, &cmd);
    } else {
        cmd = gen_chance(g, 1, 2) ? EVTCHNOP_bind_pirq : EVTCHNOP_set_priority + 1 + gen_below(g, 20);
    }
    gen_hc_arg(&h, 0, GEN_IMM(cmd));
    gen_hc_arg(&h, 1, gen_chance(g, 31, 32) ? GEN_PAYLOAD((uint32_t)rec) : gen_va(g, dom));
}
