/* Corners: one field of an op, drawn from the census table, set to a value of one of its classes. */
#include <stddef.h>

#include "gen/gen_internal.h"
#include "hvfuzz/census.h"
#include "hvfuzz/monitor.h"

/*
 * The templates fill fields with what a guest usually passes; the census table (census_fields.c)
 * knows every field's kind and real range. Now and then one field of a generated op is drawn
 * from the table and set to a value of one class of its kind, drawn uniformly: 0, 1, max-1, max,
 * max+1, the top of its width, frame-end offsets and offset+length sums, one flag bit or two,
 * or a resource of another owner: another domain's, dom0's, a free one, the hypervisor's, one
 * granted to the caller, one it gave up. The classes that need earlier state (granted, stale,
 * a live handle) get the few ops that make it inserted before the op. Nothing here knows a bug:
 * every field of every hypercall and exit gets the same distribution, from the same table the
 * census counts with.
 */

struct gen_corner {
    struct gen *g;
    struct prog *p;
    uint32_t idx;                  /* the op being changed (moves when ops are inserted) */
    const struct census_row *row;
    const struct census_field *f;
    int rec;                       /* payload offset of its record, -1 */
};

static struct prog_op *gen_corner_op(struct gen_corner *k)
{
    return &k->p->ops[k->idx];
}

/* Move the ops appended since n0 to just before the changed op. */
static void gen_corner_insert(struct gen_corner *k, uint32_t n0)
{
    static struct prog_op tmp[8];
    uint32_t n = k->p->nr_ops - n0;

    if (!n)
        return;
    if (n > 8) {
        k->p->nr_ops = n0;
        return;
    }
    memcpy(tmp, &k->p->ops[n0], n * sizeof(tmp[0]));
    memmove(&k->p->ops[k->idx + n], &k->p->ops[k->idx], (n0 - k->idx) * sizeof(tmp[0]));
    memcpy(&k->p->ops[k->idx], tmp, n * sizeof(tmp[0]));
    k->idx += n;
}

static unsigned gen_corner_other(struct gen *g, unsigned caller)
{
    unsigned n = gen_nr_doms(g);

    /* another unprivileged domain when there is one; dom0 otherwise */
    for (unsigned t = 0; t < 4; t++) {
        unsigned d = gen_other_dom(g, caller);
        if (d)
            return d;
    }
    return n > 1 && caller ? (caller == 1 ? (n > 2 ? 2U : 0U) : 1U) : gen_other_dom(g, caller);
}

/* ---- writing a field ------------------------------------------------------------------------------ */

static void gen_corner_drop_fixup(struct prog_op *op, unsigned off)
{
    for (unsigned i = 0; i < op->nr_fixups; i++)
        if (op->fixups[i].off == off) {
            op->fixups[i] = op->fixups[--op->nr_fixups];
            return;
        }
}

/* The field's current value, for fields set relative to it (raw values only). */
static bool gen_corner_get(const struct gen_corner *k, const struct census_field *f,
                           struct prog_arg *a)
{
    const struct prog_op *op = &k->p->ops[k->idx];

    switch (f->where) {
    case CW_ARG:
        if (f->off >= op->nr_args)
            return false;
        *a = op->args[f->off];
        return true;
    case CW_QUAL: *a = op->qual; return true;
    case CW_GLA: *a = op->gla; return true;
    case CW_REG: *a = op->regs[f->off]; return true;
    default: break;
    }
    if (k->rec < 0)
        return false;
    unsigned off = (unsigned)k->rec + f->off;
    for (unsigned i = 0; i < op->nr_fixups; i++)
        if (op->fixups[i].off == off) {
            *a = op->fixups[i].arg;
            return true;
        }
    if (off + f->width > op->payload_len)
        return false;
    *a = GEN_IMM(0);
    for (unsigned i = 0; i < f->width; i++)
        a->imm |= (uint64_t)op->payload[off + i] << (8 * i);
    return true;
}

static uint64_t gen_corner_wmask(const struct census_field *f)
{
    return f->width >= 8 ? ~0ULL : (1ULL << (8 * f->width)) - 1;
}

/* Set field f (of the changed op and record) to a: raw numbers merge into the word's bits. */
static void gen_corner_set(struct gen_corner *k, const struct census_field *f, struct prog_arg a)
{
    struct prog_op *op = gen_corner_op(k);
    struct prog_arg *word = NULL;

    /* frames and PTEs come as whole words; other numbers are the field's bits of their word */
    if (a.kind == ARG_IMM && f->kind != CK_FRAME && f->kind != CK_PTE) {
        uint64_t m = gen_corner_wmask(f);
        if (f->mask && f->kind != CK_FLAGS && f->kind != CK_PTE)
            m &= f->mask;
        a.imm = ((a.imm + f->base) & m) << f->shift;
        m <<= f->shift;
        struct prog_arg cur;
        /* the bits of the word outside the field keep their value (cmd bits, other quals) */
        if (gen_corner_get(k, f, &cur) && cur.kind == ARG_IMM && f->where != CW_REC)
            a.imm |= cur.imm & ~m;
        else if (f->where == CW_REC && (f->shift || m != gen_corner_wmask(f)) &&
                 gen_corner_get(k, f, &cur) && cur.kind == ARG_IMM)
            a.imm |= cur.imm & ~m;
        else if (f->where == CW_REC && (f->shift || m != gen_corner_wmask(f)) &&
                 gen_corner_get(k, f, &cur) && cur.kind == ARG_MADDR) {
            /* bits of a resolved address's offset: the entry index of a PTE pointer */
            cur.b = (uint32_t)((cur.b & ~m) | (a.imm & m));
            a = cur;
        }
    }
    switch (f->where) {
    case CW_ARG:
        while (op->nr_args <= f->off)
            op->args[op->nr_args++] = GEN_IMM(0);
        word = &op->args[f->off];
        break;
    case CW_QUAL: word = &op->qual; break;
    case CW_GLA: word = &op->gla; break;
    case CW_REG: word = &op->regs[f->off]; break;
    default: break;
    }
    if (word) {
        *word = a;
        return;
    }
    if (k->rec < 0)
        return;
    unsigned off = (unsigned)k->rec + f->off;
    struct gen_hc h = { .g = k->g, .op = op, .caller = op->dom };
    gen_corner_drop_fixup(op, off);
    gen_pl_fix(&h, off, f->width, a);
}

/* ---- state some classes need first ------------------------------------------------------------------ */

/* granter writes grant entry ref for grantee, naming its gfn: a COPY_PAGE of the payload onto its
   grant frame 0 (the grant-writing template's way). */
static bool gen_corner_grant(struct gen_corner *k, unsigned granter, unsigned grantee, unsigned ref,
                             unsigned gfn)
{
    struct gen *g = k->g;
    struct prog_op *op;
    struct gen_hc h;
    int ents;

    if (!g->env.valid || granter >= GEN_MAX_DOMS || !g->env.gnt_frame[granter] ||
        !(op = gen_new_op(k->p)))
        return false;
    gen_hc_start(&h, g, op, granter, 0, HYPERVISOR_mmuext_op);
    ents = gen_pl_alloc(&h, (ref + 1) * (unsigned)sizeof(struct grant_entry_v1));
    if (ents < 0)
        return false;
    unsigned e = (unsigned)ents + ref * 8U;
    gen_pl_put(&h, e, 2, GTF_permit_access | (gen_chance(g, 1, 4) ? GTF_readonly : 0));
    gen_pl_fix(&h, e + 2, 2, GEN_DOMID(grantee));
    gen_pl_fix(&h, e + 4, 4, GEN_MFN(granter, gfn));
    return gen_grant_copy_onto_frame(g, &h, granter);
}

/* One grant_table_op record from (dom, vcpu 0): map or unmap. */
static int gen_corner_gntop(struct gen_corner *k, struct gen_hc *h, unsigned dom, unsigned cmd,
                            unsigned size)
{
    struct prog_op *op = gen_new_op(k->p);
    int rec;

    if (!op)
        return -1;
    gen_hc_start(h, k->g, op, dom, 0, HYPERVISOR_grant_table_op);
    rec = gen_pl_alloc(h, size);
    gen_hc_arg(h, 0, GEN_IMM(cmd));
    gen_hc_arg(h, 1, GEN_PAYLOAD(rec < 0 ? 0U : (uint32_t)rec));
    gen_hc_arg(h, 2, GEN_IMM(1));
    return rec;
}

/* mapper maps a grant another domain made for it (a live maptrack handle); unmap takes it down. */
static bool gen_corner_map(struct gen_corner *k, unsigned mapper, bool unmap)
{
    struct gen *g = k->g;
    unsigned granter = gen_other_dom(g, mapper);
    uint64_t va = gen_free_va(g);
    struct gen_hc h;
    int rec;

    if (granter == mapper || !gen_corner_grant(k, granter, mapper, 0, gen_data_gfn(g)))
        return false;
    rec = gen_corner_gntop(k, &h, mapper, GNTTABOP_map_grant_ref,
                           sizeof(struct gnttab_map_grant_ref));
    if (rec < 0)
        return false;
    gen_pl_put(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, host_addr), 8, va);
    gen_pl_put(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, flags), 4,
               GNTMAP_host_map);
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, ref), 4,
               GEN_GREF(granter, 0));
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_map_grant_ref, dom), 2,
               GEN_DOMID(granter));
    if (!unmap)
        return true;
    rec = gen_corner_gntop(k, &h, mapper, GNTTABOP_unmap_grant_ref,
                           sizeof(struct gnttab_unmap_grant_ref));
    if (rec < 0)
        return false;
    gen_pl_put(&h, (unsigned)rec, 8, va);
    gen_pl_fix(&h, (unsigned)rec + offsetof(struct gnttab_unmap_grant_ref, handle), 4,
               GEN_HANDLE(mapper, 0));
    return true;
}

/* dom gives gfn back (decrease_reservation): a number it kept for it is stale from then on. */
static bool gen_corner_release(struct gen_corner *k, unsigned dom, unsigned gfn)
{
    struct prog_op *op = gen_new_op(k->p);
    struct gen_hc h;
    int rec, list;

    if (!op)
        return false;
    gen_hc_start(&h, k->g, op, dom, 0, HYPERVISOR_memory_op);
    rec = gen_pl_alloc(&h, sizeof(struct xen_memory_reservation));
    list = gen_pl_alloc(&h, 8);
    if (rec < 0 || list < 0)
        return false;
    gen_pl_put(&h, (unsigned)list, 8, gfn);
    gen_pl_fix(&h, (unsigned)rec, 8, GEN_PAYLOAD((uint32_t)list));
    gen_pl_put(&h, (unsigned)rec + 8, 8, 1);
    gen_pl_put(&h, (unsigned)rec + 24, 2, DOMID_SELF);
    gen_hc_arg(&h, 0, GEN_IMM(XENMEM_decrease_reservation));
    gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    return true;
}

/* An event channel port of dom opened and closed again: its number is stale. */
static bool gen_corner_port_closed(struct gen_corner *k, unsigned dom, unsigned port)
{
    struct gen_hc h;
    struct prog_op *op;
    int rec;

    for (unsigned i = 0; i < 2; i++) {
        if (!(op = gen_new_op(k->p)))
            return false;
        gen_hc_start(&h, k->g, op, dom, 0, HYPERVISOR_event_channel_op);
        rec = gen_pl_alloc(&h, 8);
        if (rec < 0)
            return false;
        if (!i) {
            gen_pl_put(&h, (unsigned)rec, 2, DOMID_SELF);
            gen_pl_fix(&h, (unsigned)rec + 2, 2, GEN_DOMID(gen_other_dom(k->g, dom)));
        } else {
            gen_pl_put(&h, (unsigned)rec, 4, port);
        }
        gen_hc_arg(&h, 0, GEN_IMM(i ? EVTCHNOP_close : EVTCHNOP_alloc_unbound));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
    }
    return true;
}

/* ---- a value of one class ----------------------------------------------------------------------- */

static uint64_t gen_corner_max(const struct gen_corner *k, const struct census_field *f)
{
    return census_field_max(f, &k->g->cfg.shape);
}

static uint64_t gen_corner_huge(struct gen *g, const struct census_field *f)
{
    uint64_t w = gen_corner_wmask(f);

    if (f->mask && f->kind != CK_FLAGS && f->kind != CK_PTE)
        w &= f->mask;
    switch (gen_below(g, 3)) {
    case 0: return w;
    case 1: return (w >> 1) + 1;
    default: return w - gen_below(g, 16);
    }
}

/* A frame of dom (gfn any), as the field spells frames: a number, a machine address, a PTE. */
static struct prog_arg gen_corner_frame(struct gen_corner *k, const struct census_field *f,
                                        unsigned dom, unsigned gfn, const struct prog_arg *cur)
{
    struct prog_arg a = gen_mfn_arg(k->g, dom, gfn);

    if (f->kind == CK_PTE) {
        uint64_t fl = cur->kind == ARG_IMM ? cur->imm & ~PTE_ADDR_MASK : cur->imm;
        if (!fl)
            fl = gen_pte_flags(k->g, 1);
        return a.kind == ARG_IMM ? GEN_IMM((a.imm << PAGE_SHIFT) | fl) : GEN_PTE(dom, gfn, fl);
    }
    if (f->shift == PAGE_SHIFT) {
        uint32_t low = cur->kind == ARG_MADDR ? cur->b & 0xFFFU
                     : cur->kind == ARG_IMM ? (uint32_t)(cur->imm & 0xFFFU) : 0;
        return a.kind == ARG_IMM ? GEN_IMM(a.imm << PAGE_SHIFT | low)
                                 : GEN_MADDR(dom, gfn, low);
    }
    return a;
}

/* A raw frame number as the field spells it. */
static struct prog_arg gen_corner_frame_nr(const struct census_field *f, uint64_t mfn,
                                           const struct prog_arg *cur)
{
    if (f->kind == CK_PTE)
        return GEN_IMM(((mfn << PAGE_SHIFT) & PTE_ADDR_MASK) |
                       (cur->kind == ARG_IMM ? cur->imm & ~PTE_ADDR_MASK : cur->imm));
    if (f->shift == PAGE_SHIFT) {
        uint64_t low = cur->kind == ARG_MADDR ? cur->b & 0xFFFU
                     : cur->kind == ARG_IMM ? cur->imm & 0xFFFU : 0;
        return GEN_IMM((mfn << PAGE_SHIFT) | low);
    }
    return GEN_IMM(mfn);
}

/* The domid field a ref or port belongs to, set to dom (kept when there is none). */
static void gen_corner_set_owner(struct gen_corner *k, const struct census_field *f, unsigned dom)
{
    if (f->rel && f->rel <= k->row->nf)
        gen_corner_set(k, &k->row->f[f->rel - 1],
                       dom == gen_corner_op(k)->dom && gen_chance(k->g, 1, 2) ? GEN_SELF()
                                                                               : GEN_DOMID(dom));
}

static void gen_corner_flags(struct gen_corner *k, const struct census_field *f, unsigned cls,
                             struct prog_arg cur)
{
    struct gen *g = k->g;
    unsigned nb = census_nr_bits(f);
    uint64_t v = 0;

    if (cls == CC_UNKNOWN_BIT) {
        uint64_t w = f->kind == CK_PTE ? ~PTE_ADDR_MASK : gen_corner_wmask(f);
        uint64_t undef = w & ~f->mask;
        for (unsigned t = 0; t < 64 && undef; t++) {
            uint64_t b = 1ULL << gen_below(g, 64);
            if (undef & b) {
                v = b | (gen_chance(g, 1, 2) ? census_bit(f, gen_below(g, nb)) : 0);
                break;
            }
        }
    } else if (cls >= CC_BIT && cls < CC_PAIR) {
        v = census_bit(f, cls - CC_BIT);
    } else if (cls >= CC_PAIR) {
        for (unsigned j = 1; j < nb; j++)
            for (unsigned i = 0; i < j; i++)
                if (census_pair_class(i, j) == cls)
                    v = census_bit(f, i) | census_bit(f, j);
        /* a pair among others, as real flags come */
        if (gen_chance(g, 1, 2))
            v |= f->mask & gen_rand(g);
    }
    if (f->kind != CK_PTE) {
        gen_corner_set(k, f, GEN_IMM(v));
        return;
    }
    switch (cur.kind) {
    case ARG_PTE: case ARG_GNTPTE: case ARG_STATUSPTE:
        cur.imm = v;
        break;
    case ARG_IMM:
        cur.imm = (cur.imm & PTE_ADDR_MASK) | v;
        break;
    default:
        cur = GEN_PTE(gen_corner_op(k)->dom, gen_data_gfn(g), v);
        break;
    }
    gen_corner_set(k, f, cur);
}

/* An address with its offset in the frame at off (VA and GPA fields). */
static struct prog_arg gen_corner_at(struct gen_corner *k, const struct census_field *f,
                                     struct prog_arg cur, uint32_t off)
{
    struct gen *g = k->g;

    switch (cur.kind) {
    case ARG_GVA: case ARG_GPA:
        cur.b = off;
        return cur;
    case ARG_IMM:
        if (cur.imm) {
            cur.imm = (cur.imm & ~(uint64_t)(PAGE_SIZE - 1)) | off;
            return cur;
        }
        /* fall through */
    default:
        if (f->kind == CK_GPA)
            return gen_a(ARG_GPA, 0, gen_data_gfn(g), off, 0);
        return GEN_GVA(gen_corner_op(k)->dom, gen_data_gfn(g), off);
    }
}

static void gen_corner_class(struct gen_corner *k, unsigned cls)
{
    const struct census_field *f = k->f;
    struct gen *g = k->g;
    struct prog_op *op = gen_corner_op(k);
    unsigned caller = op->dom, n0 = k->p->nr_ops, other;
    uint64_t max = gen_corner_max(k, f);
    struct prog_arg cur = GEN_IMM(0), rel;
    uint64_t len = 8;

    gen_corner_get(k, f, &cur);
    if (cls >= CC_BIT || cls == CC_UNKNOWN_BIT ||
        (f->kind == CK_FLAGS && cls == CC_ZERO)) {
        gen_corner_flags(k, f, cls, cur);
        return;
    }
    switch (cls) {
    case CC_ZERO:
        gen_corner_set(k, f, GEN_IMM(0));
        return;
    case CC_ONE:
        gen_corner_set(k, f, GEN_IMM(1));
        return;
    case CC_MAX_M1:
        gen_corner_set(k, f, GEN_IMM(max - 1));
        return;
    case CC_MAX:
        if (f->kind == CK_FRAME) {
            gen_corner_set(k, f, gen_corner_frame_nr(f, max, &cur));
            return;
        }
        gen_corner_set(k, f, GEN_IMM(f->kind == CK_DOMID ? DOMID_FIRST_RESERVED - 1U : max));
        return;
    case CC_MAX_P1:
        gen_corner_set(k, f, f->kind == CK_FRAME ? gen_corner_frame_nr(f, max + 1, &cur)
                                                 : GEN_IMM(max + 1));
        return;
    case CC_HUGE:
        gen_corner_set(k, f, GEN_IMM(gen_corner_huge(g, f)));
        return;
    case CC_PAGE_NEAR:
        if (f->kind == CK_VA || f->kind == CK_GPA)
            gen_corner_set(k, f, gen_corner_at(k, f, cur, PAGE_SIZE - 8 + gen_below(g, 8)));
        else
            gen_corner_set(k, f, GEN_IMM(PAGE_SIZE - 8 + gen_below(g, 8)));
        return;
    case CC_PAGE:
        gen_corner_set(k, f, GEN_IMM(PAGE_SIZE));
        return;
    case CC_SUM_END:
    case CC_SUM_CROSS:
        if (f->rel && f->rel <= k->row->nf && gen_corner_get(k, &k->row->f[f->rel - 1], &rel) &&
            rel.kind == ARG_IMM)
            len = rel.imm >> k->row->f[f->rel - 1].shift;
        if (len < 2 || len > PAGE_SIZE) {
            len = 8ULL << gen_below(g, 9);
            if (f->rel && f->rel <= k->row->nf)
                gen_corner_set(k, &k->row->f[f->rel - 1], GEN_IMM(len));
        }
        {
            uint32_t off = (uint32_t)(PAGE_SIZE - len);
            if (cls == CC_SUM_CROSS)
                off += 1 + gen_below(g, (uint32_t)(len - 1 < 64 ? len - 1 : 64));
            if (f->kind == CK_VA || f->kind == CK_GPA)
                gen_corner_set(k, f, gen_corner_at(k, f, cur, off));
            else
                gen_corner_set(k, f, GEN_IMM(off));
        }
        return;
    default:
        break;
    }

    other = gen_corner_other(g, caller);
    switch (f->kind) {
    case CK_DOMID:
        switch (cls) {
        case CC_SELF: gen_corner_set(k, f, gen_chance(g, 1, 2) ? GEN_SELF() : GEN_IMM(DOMID_SELF));
            return;
        case CC_OWN: gen_corner_set(k, f, GEN_DOMID(caller)); return;
        case CC_OTHER: gen_corner_set(k, f, GEN_DOMID(other)); return;
        case CC_DOM0: gen_corner_set(k, f, GEN_DOMID(0)); return;
        case CC_FREE: gen_corner_set(k, f, GEN_IMM(gen_nr_doms(g) + gen_below(g, 4))); return;
        case CC_XEN: gen_corner_set(k, f, GEN_IMM(DOMID_XEN)); return;
        default: gen_corner_set(k, f, GEN_IMM(gen_bad_domid(g) | (gen_chance(g, 1, 2) ? 0xFFFF : 0)));
            return;
        }
    case CK_FRAME:
    case CK_PTE:
        switch (cls) {
        case CC_OWN:
            gen_corner_set(k, f, gen_corner_frame(k, f, caller, gen_any_gfn(g), &cur));
            return;
        case CC_OTHER:
            gen_corner_set(k, f, gen_corner_frame(k, f, other, gen_any_gfn(g), &cur));
            return;
        case CC_DOM0:
            gen_corner_set(k, f, gen_corner_frame(k, f, 0, gen_any_gfn(g), &cur));
            return;
        case CC_FREE:
            gen_corner_set(k, f, gen_corner_frame_nr(f, g->cfg.shape.nr_frames - 1U -
                                                        gen_below(g, 4), &cur));
            return;
        case CC_XEN: {
            unsigned d = gen_chance(g, 1, 2) ? caller : gen_other_dom(g, caller);
            bool st = gen_chance(g, 1, 4);
            if (f->kind == CK_PTE) {
                uint64_t fl = cur.kind == ARG_IMM ? cur.imm & ~PTE_ADDR_MASK : cur.imm;
                gen_corner_set(k, f, gen_a(st ? ARG_STATUSPTE : ARG_GNTPTE, d, 0, 0,
                                           fl ? fl : _PAGE_PRESENT | _PAGE_USER));
            } else if (f->shift == PAGE_SHIFT && d < GEN_MAX_DOMS && g->env.gnt_frame[d]) {
                gen_corner_set(k, f, gen_corner_frame_nr(f, g->env.gnt_frame[d], &cur));
            } else {
                gen_corner_set(k, f, gen_a(st ? ARG_STATUSFRAME : ARG_GNTFRAME, d, 0, 0, 0));
            }
            return;
        }
        case CC_GRANTED: {
            unsigned gfn = gen_data_gfn(g), granter = gen_other_dom(g, caller);
            if (granter == caller || !gen_corner_grant(k, granter, caller, gen_below(g, 5), gfn))
                return;
            gen_corner_insert(k, n0);
            gen_corner_set(k, f, gen_corner_frame(k, f, granter, gfn, &cur));
            return;
        }
        case CC_STALE: {
            unsigned i = gen_below(g, GEN_ENV_MFNS), gfn = gen_first_data_gfn(g) + i;
            unsigned d = gen_chance(g, 3, 4) ? caller : gen_other_dom(g, caller);
            uint64_t m = d < GEN_MAX_DOMS ? g->env.mfn[d][i] : 0;
            if (!m || !gen_corner_release(k, d, gfn))
                return;
            gen_corner_insert(k, n0);
            gen_corner_set(k, f, gen_corner_frame_nr(f, m, &cur));
            return;
        }
        default: {
            static const uint64_t bad[] = { 1ULL << 40, 0xFFFFFFFFULL, 0xFFFFFFFFFFFFFULL };
            uint64_t m = gen_chance(g, 1, 2) ? g->cfg.shape.nr_frames + gen_below(g, 64)
                                             : bad[gen_below(g, 3)];
            gen_corner_set(k, f, gen_corner_frame_nr(f, m, &cur));
            return;
        }
        }
    case CK_REF:
    case CK_PORT:
    case CK_HANDLE:
        break;
    case CK_VA:
    case CK_GPA: {
        uint32_t off = 8U * gen_below(g, 8);
        switch (cls) {
        case CC_OWN:
            gen_corner_set(k, f, f->kind == CK_GPA ? gen_a(ARG_GPA, 0, gen_data_gfn(g), off, 0)
                                                   : GEN_GVA(caller, gen_data_gfn(g), off));
            return;
        case CC_PT: {
            unsigned pt = gen_pt_gfn(g, 1 + gen_below(g, 4));
            gen_corner_set(k, f, f->kind == CK_GPA ? gen_a(ARG_GPA, 0, pt, off, 0)
                                                   : GEN_GVA(caller, pt, off));
            return;
        }
        case CC_FREE:
            gen_corner_set(k, f, GEN_IMM(f->kind == CK_GPA
                ? (uint64_t)(g->cfg.shape.dom_pages + gen_below(g, 64)) << PAGE_SHIFT
                : gen_free_va(g) + off));
            return;
        case CC_XEN:
            gen_corner_set(k, f, GEN_IMM(f->kind == CK_GPA ? DMA_MMIO_BASE + off
                                                           : XEN_VIRT_START + 8U * gen_below(g, 512)));
            return;
        case CC_NONCANON:
            gen_corner_set(k, f, GEN_IMM(0x0000800000000000ULL + 8U * gen_below(g, 512)));
            return;
        default:   /* invalid GPA: past what the p2m holds */
            gen_corner_set(k, f, GEN_IMM(gen_chance(g, 1, 2) ? (uint64_t)HV_MAX_GFNS << PAGE_SHIFT
                                                             : 1ULL << 40));
            return;
        }
    }
    default:
        return;
    }

    /* refs, ports and handles: whose, and in what life stage */
    switch (cls) {
    case CC_OWN:
    case CC_OTHER:
    case CC_DOM0: {
        unsigned d = cls == CC_OWN ? caller : cls == CC_DOM0 ? 0 : other;
        if (f->kind == CK_HANDLE) {
            if (!gen_corner_map(k, d, false))
                return;
            gen_corner_insert(k, n0);
            gen_corner_set(k, f, GEN_HANDLE(d, 0));
            return;
        }
        if (f->kind == CK_REF && f->rel) {
            gen_corner_set_owner(k, f, d);
            gen_corner_set(k, f, GEN_GREF(d, gen_below(g, 5)));
            return;
        }
        gen_corner_set_owner(k, f, d);
        gen_corner_set(k, f, f->kind == CK_PORT ? GEN_PORT(d, gen_below(g, 3)) : GEN_GREF(d, 0));
        return;
    }
    case CC_GRANTED: {
        unsigned granter = gen_other_dom(g, caller), ref = gen_below(g, 5);
        if (granter == caller || !gen_corner_grant(k, granter, caller, ref, gen_data_gfn(g)))
            return;
        gen_corner_insert(k, n0);
        gen_corner_set_owner(k, f, granter);
        gen_corner_set(k, f, GEN_IMM(ref));
        return;
    }
    case CC_FREE:
        gen_corner_set(k, f, GEN_IMM(f->kind == CK_PORT ? 40 + gen_below(g, 20)
                                                         : 100 + gen_below(g, 100)));
        return;
    case CC_STALE:
        if (f->kind == CK_HANDLE) {
            if (!gen_corner_map(k, caller, true))
                return;
            gen_corner_insert(k, n0);
            gen_corner_set(k, f, gen_chance(g, 1, 2) ? GEN_IMM(0) : GEN_HANDLE(caller, 0));
            return;
        }
        if (!gen_corner_port_closed(k, caller, 1))
            return;
        gen_corner_insert(k, n0);
        gen_corner_set_owner(k, f, caller);
        gen_corner_set(k, f, GEN_IMM(1));
        return;
    default:
        return;
    }
}

/* ---- choosing the field ------------------------------------------------------------------------- */

static void gen_corner_pick(struct gen_corner *k)
{
    uint64_t want[4];
    unsigned cls[CC_MAX_CLASSES], n = 0;

    census_field_classes(k->f, &k->g->cfg.shape, want);
    for (unsigned c = 0; c < CC_MAX_CLASSES; c++)
        if (want[c / 64] >> (c % 64) & 1)
            cls[n++] = c;
    if (n)
        gen_corner_class(k, cls[gen_below(k->g, n)]);
}

/* The record a hypercall's row k points at: its payload offset, or -1. */
static int gen_corner_record(struct gen *g, const struct prog_op *op, unsigned rec_arg,
                             unsigned cnt_arg, unsigned size)
{
    uint64_t n = 1;

    if (rec_arg == CENSUS_PL0)
        return op->payload_len >= size ? (int)(size * gen_below(g, op->payload_len / size)) : -1;
    if (rec_arg >= op->nr_args || op->args[rec_arg].kind != ARG_PAYLOAD || !size)
        return -1;
    if (cnt_arg < op->nr_args && op->args[cnt_arg].kind == ARG_IMM)
        n = op->args[cnt_arg].imm;
    uint64_t room = op->args[rec_arg].b + size <= op->payload_len
                  ? (op->payload_len - op->args[rec_arg].b) / size : 0;
    if (!room)
        return -1;
    if (n > room || !n)
        n = room;
    return (int)(op->args[rec_arg].b + size * gen_below(g, (uint32_t)n));
}

static int32_t gen_corner_sub(const struct prog_op *op, const struct abi_hypercall *hc, int rec)
{
    const uint8_t *b;

    switch (hc->cmd) {
    case ABI_CMD_ARG0:
        return op->nr_args && op->args[0].kind == ARG_IMM ? (int32_t)(op->args[0].imm & hc->cmd_mask)
                                                          : CENSUS_ANY;
    case ABI_CMD_BUF:
    case ABI_CMD_PTR:
        if (rec < 0 || (unsigned)rec + 4 > op->payload_len)
            return CENSUS_ANY;
        for (unsigned i = 0; i < op->nr_fixups; i++)
            if (op->fixups[i].off == (unsigned)rec)
                return (int32_t)((op->fixups[i].arg.kind == ARG_IMM ? op->fixups[i].arg.imm
                                                                    : op->fixups[i].arg.b) &
                                 hc->cmd_mask);
        b = &op->payload[rec];
        return (int32_t)((b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24) & hc->cmd_mask);
    default:
        return CENSUS_ANY;
    }
}

void gen_corner(struct gen *g, struct prog *p, uint32_t idx)
{
    const struct prog_op *op = &p->ops[idx];
    const struct census_row *top, *sub = NULL;
    struct gen_corner k = { .g = g, .p = p, .idx = idx, .rec = -1 };
    int rec = -1;

    if (op->kind == OP_HYPERCALL) {
        const struct abi_hypercall *hc = abi_hypercall_by_nr(op->nr);
        if (!hc)
            return;
        top = census_row_find(op->nr, CENSUS_ANY);
        if (hc->cmd == ABI_CMD_ARG0) {
            sub = census_row_find(op->nr, gen_corner_sub(op, hc, -1));
            if (sub)
                rec = gen_corner_record(g, op, sub->rec_arg, sub->cnt_arg, sub->rec_size);
        } else if (top) {
            rec = gen_corner_record(g, op, top->rec_arg, top->cnt_arg, top->rec_size);
            if (hc->cmd != ABI_CMD_NONE)
                sub = census_row_find(op->nr, gen_corner_sub(op, hc, rec));
        }
    } else if (op->kind == OP_EXIT) {
        top = census_row_find(CENSUS_EXIT + op->exit_reason, CENSUS_ANY);
        if (op->exit_reason == EXIT_MMIO && op->qual.kind == ARG_IMM &&
            op->qual.imm - DMA_MMIO_BASE < DMA_MMIO_SIZE) {
            sub = census_row_find(CENSUS_EXIT + EXIT_MMIO, (int32_t)(op->qual.imm - DMA_MMIO_BASE));
            if (sub)
                rec = gen_corner_record(g, op, sub->rec_arg, sub->cnt_arg, sub->rec_size);
        }
    } else {
        return;
    }
    unsigned nt = top ? top->nf : 0, ns = sub && sub != top ? sub->nf : 0;
    if (nt + ns == 0)
        return;
    unsigned i = gen_below(g, nt + ns);
    k.row = i < nt ? top : sub;
    k.f = &k.row->f[i < nt ? i : i - nt];
    k.rec = k.f->where == CW_REC ? rec : -1;
    if (k.f->where == CW_REC && rec < 0)
        return;
    uint32_t n0 = p->nr_ops;
    gen_corner_pick(&k);
    /* set-up ops a class needed but could not complete are not left behind */
    if (k.idx == idx && p->nr_ops > n0)
        p->nr_ops = n0;
}
