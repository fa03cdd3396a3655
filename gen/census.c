/* The argument census: a program's fields classed, the state of their resources estimated, counted over programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/census_internal.h"
#include "hvfuzz/target.h"

static void census_model_reset(struct census_model *m, const struct census_env *env)
{
    unsigned first = DOM_FIRST_DATA_GFN(env->shape.dom_pages);

    memset(m, 0, sizeof(*m));
    for (unsigned d = 0; d < CM_DOMS; d++) {
        for (unsigned g = 0; g < CM_GFNS; g++)
            m->type[d][g] = g < env->shape.dom_pages ? CS_TYPE_WRITABLE : CS_TYPE_NONE;
        m->type[d][DOM_GFN_L4] = CS_TYPE_L4;
        m->type[d][DOM_GFN_L3] = CS_TYPE_L3;
        m->type[d][DOM_GFN_L2] = CS_TYPE_L2;
        for (unsigned g = DOM_GFN_L1; g < first && g < CM_GFNS; g++)
            m->type[d][g] = CS_TYPE_L1;
        m->pinned[d][DOM_GFN_L4] = 1;
        m->port_state[d][0] = 1;   /* reserved */
    }
}

/* A value the program gives a field: an argument, a payload fixup, or raw bytes. */
static bool census_get(const struct census_ctx *x, const struct census_field *f,
                       struct prog_arg *out)
{
    const struct prog_op *op = x->op;

    switch (f->where) {
    case CW_ARG:
        if (f->off >= x->nargs)
            return false;
        *out = x->args[f->off];
        return true;
    case CW_QUAL:
        *out = op->qual;
        return true;
    case CW_GLA:
        *out = op->gla;
        return true;
    case CW_REG:
        *out = op->regs[f->off];
        return true;
    default:
        break;
    }
    if (x->rec < 0)
        return false;
    unsigned off = (unsigned)x->rec + f->off;
    for (unsigned i = 0; i < op->nr_fixups; i++)
        if (op->fixups[i].off == off) {
            *out = op->fixups[i].arg;
            return true;
        }
    if (off + f->width > op->payload_len)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < f->width; i++)
        v |= (uint64_t)op->payload[off + i] << (8 * i);
    memset(out, 0, sizeof(*out));
    out->imm = v;
    return true;
}

/* A raw value as the field reads it. */
static uint64_t census_raw(const struct census_field *f, uint64_t imm)
{
    uint64_t v = imm >> f->shift;

    v &= census_wmax(f);
    return v - f->base;
}

static bool census_numeric_value(const struct census_ctx *x, const struct census_field *f,
                                 const struct prog_arg *a, uint64_t *v)
{
    const struct census_model *m = x->m;
    unsigned live;

    switch (a->kind) {
    case ARG_IMM:
        *v = census_raw(f, a->imm);
        return true;
    case ARG_VCPUID:
        *v = a->a % x->c->env.shape.nr_vcpus;
        return true;
    case ARG_GREF:
        *v = a->a;
        return true;
    case ARG_MADDR:
        *v = (a->b >> f->shift) & census_wmax(f);
        return true;
    case ARG_PORT:
        if (a->dom >= CM_DOMS)
            return false;
        live = 0;
        for (unsigned p = 0; p < CM_PORTS; p++)
            live += m->port_state[a->dom][p] == 1;
        *v = live ? a->a % live : a->a;
        return true;
    case ARG_HANDLE:
        if (a->dom >= CM_DOMS)
            return false;
        live = m->live_handles[a->dom];
        *v = live ? a->a % live : a->a;
        return true;
    default:
        return false;
    }
}

static unsigned census_owner_class(unsigned d, unsigned caller)
{
    if (d == caller)
        return CC_OWN;
    return d == 0 ? CC_DOM0 : CC_OTHER;
}

/* The domain a domid field names, or -1. */
static int census_domid_of(const struct census_ctx *x, const struct prog_arg *a)
{
    if (a->kind == ARG_DOMID)
        return a->a == 1 ? (int)x->caller : a->dom;
    if (a->kind != ARG_IMM)
        return -1;
    uint16_t v = (uint16_t)a->imm;
    if (v == DOMID_SELF)
        return (int)x->caller;
    return v < x->c->env.shape.nr_domains ? v : -1;
}

static void census_frame(struct census_ctx *x, uint64_t *seen, int d, unsigned gfn)
{
    const struct census_model *m = x->m;

    if (d < 0 || d >= (int)CM_DOMS || gfn >= CM_GFNS)
        return;
    CC_SET(seen, census_owner_class((unsigned)d, x->caller));
    if ((unsigned)d != x->caller && (m->granted_frame[d][gfn] >> x->caller & 1))
        CC_SET(seen, CC_GRANTED);
    if (x->res_dom < 0 && !x->res_xen) {
        x->res_dom = d;
        x->res_gfn = (int)gfn;
    }
}

/* A frame given by number: whose it was at the start, and whether it was given up since. */
static void census_frame_nr(struct census_ctx *x, uint64_t *seen, uint64_t mfn)
{
    const struct census_env *env = &x->c->env;

    if (mfn == env->shape.nr_frames - 1U)
        CC_SET(seen, CC_MAX);
    if (mfn == env->shape.nr_frames)
        CC_SET(seen, CC_MAX_P1);
    if (mfn >= env->shape.nr_frames || mfn >= 4096) {
        CC_SET(seen, CC_INVALID);
        return;
    }
    unsigned o = env->owner[mfn];
    if (o == CENSUS_OWNER_FREE) {
        CC_SET(seen, CC_FREE);
        x->res_free = true;
        return;
    }
    if (o == CENSUS_OWNER_XEN) {
        CC_SET(seen, CC_XEN);
        x->res_xen = x->res_dom < 0;
        return;
    }
    if (o < CM_DOMS && env->gfn[mfn] < CM_GFNS && x->m->released[o][env->gfn[mfn]])
        CC_SET(seen, CC_STALE);
    census_frame(x, seen, o, env->gfn[mfn]);
}

static void census_flags(const struct census_field *f, uint64_t *seen, uint64_t v, uint64_t known)
{
    unsigned nb = census_nr_bits(f), set[16], n = 0;

    if (v & ~known)
        CC_SET(seen, CC_UNKNOWN_BIT);
    if (f->kind == CK_FLAGS && !(v & known))
        CC_SET(seen, CC_ZERO);
    for (unsigned i = 0; i < nb && i < 16; i++)
        if (v & census_bit(f, i))
            set[n++] = i;
    if (n == 1)
        CC_SET(seen, CC_BIT + set[0]);
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            CC_SET(seen, census_pair_class(set[i], set[j]));
}

static void census_numeric_classes(const struct census_field *f, uint64_t *seen, uint64_t v,
                                   uint64_t max)
{
    uint64_t wmax = census_wmax(f);

    if (v == 0)
        CC_SET(seen, CC_ZERO);
    if (v == 1)
        CC_SET(seen, CC_ONE);
    if (max >= 2 && v == max - 1)
        CC_SET(seen, CC_MAX_M1);
    if (v == max)
        CC_SET(seen, CC_MAX);
    if (v == max + 1)
        CC_SET(seen, CC_MAX_P1);
    if (v > (wmax >> 1) && v > max + 1)
        CC_SET(seen, CC_HUGE);
    if (v >= PAGE_SIZE - 8 && v < PAGE_SIZE)
        CC_SET(seen, CC_PAGE_NEAR);
    if (v == PAGE_SIZE)
        CC_SET(seen, CC_PAGE);
}

/* offset (in its frame) + the rel field's value against the frame end */
static void census_sum(struct census_ctx *x, const struct census_row *r, const struct census_field *f,
                       uint64_t *seen, uint64_t off)
{
    struct prog_arg b;
    uint64_t len;

    if (!f->rel || f->rel > r->nf || !census_get(x, &r->f[f->rel - 1], &b) ||
        !census_numeric_value(x, &r->f[f->rel - 1], &b, &len))
        return;
    if (off + len == PAGE_SIZE)
        CC_SET(seen, CC_SUM_END);
    if (off < PAGE_SIZE && off + len > PAGE_SIZE && len < (1ULL << 32))
        CC_SET(seen, CC_SUM_CROSS);
}

static void census_va(struct census_ctx *x, const struct census_row *r,
                      const struct census_field *f, uint64_t *seen, const struct prog_arg *a)
{
    const struct prog_shape *s = &x->c->env.shape;
    unsigned first = DOM_FIRST_DATA_GFN(s->dom_pages);
    uint64_t v;

    switch (a->kind) {
    case ARG_GVA:
    case ARG_GPA:
        CC_SET(seen, a->a % s->dom_pages < first ? CC_PT : CC_OWN);
        v = a->b;
        break;
    case ARG_PAYLOAD:
        CC_SET(seen, CC_OWN);
        return;
    case ARG_IMM:
        v = a->imm;
        if (!v)
            CC_SET(seen, CC_ZERO);
        if (f->kind == CK_GPA) {
            uint64_t gfn = v >> PAGE_SHIFT;
            if (v >= DMA_MMIO_BASE && v < DMA_MMIO_BASE + DMA_MMIO_SIZE)
                CC_SET(seen, CC_XEN);
            else if (gfn < s->dom_pages)
                CC_SET(seen, gfn < first ? CC_PT : CC_OWN);
            else if (gfn < HV_MAX_GFNS)
                CC_SET(seen, CC_FREE);
            else
                CC_SET(seen, CC_INVALID);
            break;
        }
        if ((uint64_t)((int64_t)(v << 16) >> 16) != v)
            CC_SET(seen, CC_NONCANON);
        else if (v >= XEN_VIRT_START && v < XEN_VIRT_END)
            CC_SET(seen, CC_XEN);
        else if (v >= DOM_VA(0) && v < DOM_VA(s->dom_pages))
            CC_SET(seen, (v - DOM_VA(0)) >> PAGE_SHIFT < first ? CC_PT : CC_OWN);
        else if (v)
            CC_SET(seen, CC_FREE);
        break;
    default:
        return;
    }
    if ((v & (PAGE_SIZE - 1)) >= PAGE_SIZE - 8)
        CC_SET(seen, CC_PAGE_NEAR);
    census_sum(x, r, f, seen, v & (PAGE_SIZE - 1));
}

static void census_ref(struct census_ctx *x, const struct census_row *r,
                       const struct census_field *f, uint64_t *seen, const struct prog_arg *a)
{
    const struct census_model *m = x->m;
    struct prog_arg da;
    int td = a->kind == ARG_GREF ? a->dom : (int)x->caller;
    uint64_t v;

    if (f->rel && f->rel <= r->nf && census_get(x, &r->f[f->rel - 1], &da))
        td = census_domid_of(x, &da);
    if (!census_numeric_value(x, f, a, &v))
        return;
    if (f->kind == CK_REF)
        census_numeric_classes(f, seen, v, f->max);
    if (td < 0 || td >= (int)CM_DOMS)
        return;
    CC_SET(seen, census_owner_class((unsigned)td, x->caller));
    if (v < CM_REFS) {
        if ((unsigned)td != x->caller && (m->granted_ref[td][v] >> x->caller & 1))
            CC_SET(seen, CC_GRANTED);
        if (!m->ref_used[td][v])
            CC_SET(seen, CC_FREE);
        x->res_ref_dom = td;
        x->res_ref = (int)v;
    } else if (v < GNT_MAX_REFS) {
        CC_SET(seen, CC_FREE);
    }
}

static void census_port(struct census_ctx *x, const struct census_row *r,
                        const struct census_field *f, uint64_t *seen, const struct prog_arg *a)
{
    struct prog_arg da;
    int pd = a->kind == ARG_PORT ? a->dom : (int)x->caller;
    uint64_t v;

    if (f->rel && f->rel <= r->nf && census_get(x, &r->f[f->rel - 1], &da))
        pd = census_domid_of(x, &da);
    if (!census_numeric_value(x, f, a, &v))
        return;
    census_numeric_classes(f, seen, v, f->max);
    if (pd < 0 || pd >= (int)CM_DOMS || v >= CM_PORTS)
        return;
    switch (x->m->port_state[pd][v]) {
    case 0: CC_SET(seen, CC_FREE); break;
    case 2: CC_SET(seen, CC_STALE); break;
    default: CC_SET(seen, census_owner_class((unsigned)pd, x->caller)); break;
    }
    x->res_port_dom = pd;
    x->res_port = (int)v;
}

static void census_handle(struct census_ctx *x, const struct census_field *f, uint64_t *seen,
                          const struct prog_arg *a)
{
    const struct census_model *m = x->m;
    unsigned hd = a->kind == ARG_HANDLE && a->dom < CM_DOMS ? a->dom : x->caller;
    uint64_t v;

    if (!census_numeric_value(x, f, a, &v))
        return;
    census_numeric_classes(f, seen, v, f->max);
    if (a->kind == ARG_HANDLE && m->live_handles[hd]) {
        CC_SET(seen, hd == x->caller ? CC_OWN : CC_OTHER);
        return;
    }
    if (hd != x->caller && v < m->live_handles[hd])
        CC_SET(seen, CC_OTHER);
    if (v < m->live_handles[x->caller])
        CC_SET(seen, CC_OWN);
    else if (v < m->ever_handles[x->caller])
        CC_SET(seen, CC_STALE);
    else
        CC_SET(seen, CC_FREE);
}

static void census_domid(struct census_ctx *x, uint64_t *seen, const struct prog_arg *a)
{
    if (a->kind == ARG_DOMID) {
        if (a->a == 1)
            CC_SET(seen, CC_SELF);
        else
            CC_SET(seen, census_owner_class(a->dom, x->caller));
        return;
    }
    if (a->kind != ARG_IMM)
        return;
    uint16_t v = (uint16_t)a->imm;
    if (v == DOMID_SELF)
        CC_SET(seen, CC_SELF);
    else if (v == DOMID_XEN)
        CC_SET(seen, CC_XEN);
    else if (v < x->c->env.shape.nr_domains)
        CC_SET(seen, census_owner_class(v, x->caller));
    else if (v < DOMID_FIRST_RESERVED) {
        CC_SET(seen, CC_FREE);
        if (v == DOMID_FIRST_RESERVED - 1)
            CC_SET(seen, CC_MAX);
    } else
        CC_SET(seen, CC_INVALID);
}

/* The classes one value of field fi of row r belongs to. */
static void census_field_value(struct census_ctx *x, const struct census_row *r, unsigned fi)
{
    const struct census_field *f = &r->f[fi];
    uint64_t *seen = x->c->seen[r - census_rows][fi];
    struct prog_arg a;
    uint64_t v;

    if (!census_get(x, f, &a))
        return;
    if (f->alt && f->alt <= r->nf) {
        struct prog_arg fl;
        if (census_get(x, &r->f[f->alt - 1], &fl) && fl.kind == ARG_IMM &&
            (fl.imm & f->alt_bit)) {
            census_ref(x, r, f, seen, &a);
            return;
        }
    }
    switch (f->kind) {
    case CK_DOMID:
        census_domid(x, seen, &a);
        return;
    case CK_VA:
    case CK_GPA:
        census_va(x, r, f, seen, &a);
        return;
    case CK_REF:
        census_ref(x, r, f, seen, &a);
        return;
    case CK_PORT:
        census_port(x, r, f, seen, &a);
        return;
    case CK_HANDLE:
        census_handle(x, f, seen, &a);
        return;
    case CK_FRAME:
    case CK_PTE:
        switch (a.kind) {
        case ARG_MFN: case ARG_GFN: case ARG_MADDR: case ARG_PTE:
            census_frame(x, seen, a.dom, a.a % x->c->env.shape.dom_pages);
            if (a.kind == ARG_PTE)
                census_flags(f, seen, a.imm & ~PTE_ADDR_MASK, f->mask);
            return;
        case ARG_GNTFRAME: case ARG_STATUSFRAME: case ARG_GNTPTE: case ARG_STATUSPTE:
            CC_SET(seen, CC_XEN);
            x->res_xen = x->res_dom < 0;
            if (a.kind == ARG_GNTPTE || a.kind == ARG_STATUSPTE)
                census_flags(f, seen, a.imm & ~PTE_ADDR_MASK, f->mask);
            return;
        case ARG_IMM:
            if (f->kind == CK_FRAME) {
                census_frame_nr(x, seen, census_raw(f, a.imm));
                return;
            }
            if (!a.imm) {
                CC_SET(seen, CC_ZERO);
                return;
            }
            census_frame_nr(x, seen, (a.imm & PTE_ADDR_MASK) >> PAGE_SHIFT);
            census_flags(f, seen, a.imm & ~PTE_ADDR_MASK, f->mask);
            return;
        default:
            return;
        }
    case CK_FLAGS:
        if (a.kind == ARG_IMM)
            census_flags(f, seen, census_raw(f, a.imm), f->mask);
        else if (a.kind == ARG_PAYLOAD)   /* a pointer with the flags in its low bits */
            census_flags(f, seen, a.b & 7, f->mask);
        return;
    default:
        if (census_numeric_value(x, f, &a, &v)) {
            census_numeric_classes(f, seen, v, census_field_max(f, &x->c->env.shape));
            if (f->kind == CK_OFFSET)
                census_sum(x, r, f, seen, v);
        }
        return;
    }
}

/* The state of the record's resource, from the model, before the op changes it. */
static void census_states(struct census_ctx *x, const struct census_row *r)
{
    struct census_model *m = x->m;
    uint32_t st = 0, *seen = &x->c->states[r - census_rows];
    uint8_t *last = NULL;

    if (m->preempt)
        st |= CS_BIT(CS_PREEMPTED);
    if (x->batch)
        st |= CS_BIT(CS_BATCH);
    if (x->res_xen) {
        st |= CS_BIT(CS_TYPE_SHARED);
    } else if (x->res_dom >= 0) {
        unsigned d = (unsigned)x->res_dom, g = (unsigned)x->res_gfn;
        st |= CS_BIT(m->type[d][g]);
        if (m->pinned[d][g])
            st |= CS_BIT(CS_PINNED);
        if (m->granted_frame[d][g])
            st |= CS_BIT(CS_GRANTED);
        if (m->mapped_frame[d][g])
            st |= CS_BIT(CS_MAPPED);
        last = &m->last_vcpu[d][g];
    } else if (x->res_free) {
        st |= CS_BIT(CS_TYPE_NONE);
    }
    if (x->res_ref_dom >= 0) {
        unsigned d = (unsigned)x->res_ref_dom, k = (unsigned)x->res_ref;
        if (m->granted_ref[d][k])
            st |= CS_BIT(CS_GRANTED);
        if (m->mapped_ref[d][k])
            st |= CS_BIT(CS_MAPPED);
        if (!last)
            last = &m->ref_vcpu[d][k];
    }
    if (!last && x->res_port_dom >= 0)
        last = &m->port_vcpu[x->res_port_dom][x->res_port];
    if (!last && x->caller < CM_DOMS && r - census_rows < 128)
        last = &m->row_vcpu[x->caller][r - census_rows];
    if (last) {
        if (*last && *last != x->vcpu + 1)
            st |= CS_BIT(CS_OTHER_VCPU);
        *last = (uint8_t)(x->vcpu + 1);
    }
    *seen |= st;
}

/* Count one record (or call) on row r; rec_only: only the row's record fields (the call's own
   arguments were counted once already). */
static void census_row_rec(struct census_ctx *x, const struct census_row *r, bool rec_only)
{
    x->res_dom = x->res_ref_dom = x->res_port_dom = -1;
    x->res_gfn = x->res_ref = x->res_port = 0;
    x->res_xen = x->res_free = false;
    if (!rec_only)
        x->c->hits[r - census_rows]++;
    for (unsigned i = 0; i < r->nf; i++)
        if (!rec_only || r->f[i].where == CW_REC)
            census_field_value(x, r, i);
    if (!rec_only)
        census_states(x, r);
}

/* ---- effects on the model ------------------------------------------------------------------------ */

static bool census_frame_of(const struct census_ctx *x, const struct prog_arg *a, unsigned *d,
                            unsigned *gfn)
{
    const struct census_env *env = &x->c->env;

    if (a->kind == ARG_MFN || a->kind == ARG_GFN || a->kind == ARG_MADDR || a->kind == ARG_PTE) {
        *d = a->dom;
        *gfn = a->a % env->shape.dom_pages;
    } else if (a->kind == ARG_IMM && a->imm < env->shape.nr_frames &&
               env->owner[a->imm] < CM_DOMS) {
        *d = env->owner[a->imm];
        *gfn = env->gfn[a->imm];
    } else {
        return false;
    }
    return *d < CM_DOMS && *gfn < CM_GFNS;
}

static bool census_rec_arg(const struct census_ctx *x, unsigned off, unsigned width,
                           struct prog_arg *a)
{
    struct census_field f = { .where = CW_REC, .width = (uint8_t)width, .off = (uint16_t)off };

    return census_get(x, &f, a);
}

/* A grant write: mmuext COPY_PAGE onto a domain's grant frame 0 from the payload's page. */
static void census_grant_write(struct census_ctx *x, unsigned dom)
{
    struct census_model *m = x->m;
    struct census_ctx e = *x;
    unsigned n = (unsigned)x->rec / 8U;

    e.rec = 0;
    for (unsigned r = 0; r < CM_REFS; r++) {
        struct prog_arg fl, da, fa;
        unsigned fd, fg;
        m->granted_ref[dom][r] = 0;
        m->ref_used[dom][r] = 0;
        m->ref_frame[dom][r] = 0;
        if (r >= n || !census_rec_arg(&e, r * 8, 2, &fl) || !census_rec_arg(&e, r * 8 + 2, 2, &da))
            continue;
        int grantee = census_domid_of(x, &da);
        m->ref_used[dom][r] = (fl.imm & GTF_type_mask) != 0;
        if ((fl.imm & GTF_type_mask) != GTF_permit_access || grantee < 0 ||
            grantee >= (int)CM_DOMS)
            continue;
        m->granted_ref[dom][r] = (uint8_t)(1U << grantee);
        if (census_rec_arg(&e, r * 8 + 4, 4, &fa) && census_frame_of(x, &fa, &fd, &fg)) {
            m->granted_frame[fd][fg] |= (uint8_t)(1U << grantee);
            m->ref_frame[dom][r] = (uint16_t)(fd << 12 | (fg + 1));
        }
    }
}

static void census_release_list(struct census_ctx *x, unsigned rec_off)
{
    struct prog_arg list, nr, dom;
    int d;

    if (!census_rec_arg(x, rec_off, 8, &list) || list.kind != ARG_PAYLOAD ||
        !census_rec_arg(x, rec_off + 8, 8, &nr) || nr.kind != ARG_IMM ||
        !census_rec_arg(x, rec_off + 24, 2, &dom) || (d = census_domid_of(x, &dom)) < 0 ||
        d >= (int)CM_DOMS)
        return;
    for (uint64_t i = 0; i < nr.imm && i < 64; i++) {
        struct census_ctx e = *x;
        struct prog_arg g;
        e.rec = (int)list.b;
        if (!census_rec_arg(&e, (unsigned)(8 * i), 8, &g) || g.kind != ARG_IMM)
            break;
        if (g.imm < CM_GFNS)
            x->m->released[d][g.imm] = 1;
    }
}

static void census_effects(struct census_ctx *x, const struct census_row *r)
{
    struct census_model *m = x->m;
    unsigned c = x->caller, d, g;
    struct prog_arg a, b;

    if (r->nr == HYPERVISOR_mmuext_op) {
        if (r->sub < 0 || !census_rec_arg(x, 8, 8, &a))
            return;
        if (r->sub <= MMUEXT_PIN_L4_TABLE && census_frame_of(x, &a, &d, &g)) {
            m->type[d][g] = (uint8_t)(CS_TYPE_L1 + r->sub);
            m->pinned[d][g] = 1;
        } else if (r->sub == MMUEXT_UNPIN_TABLE && census_frame_of(x, &a, &d, &g)) {
            m->pinned[d][g] = 0;
        } else if (r->sub == MMUEXT_COPY_PAGE && a.kind == ARG_IMM) {
            for (unsigned k = 0; k < CM_DOMS; k++)
                if (x->c->env.gnt_frame[k] && a.imm == x->c->env.gnt_frame[k])
                    census_grant_write(x, k);
        }
        return;
    }
    if (r->nr == HYPERVISOR_set_gdt) {
        /* the list's first frame becomes a descriptor page (an estimate: the call may fail) */
        if (census_rec_arg(x, 0, 8, &a) && census_frame_of(x, &a, &d, &g) && !m->pinned[d][g])
            m->type[d][g] = CS_TYPE_SEG_DESC;
        return;
    }
    if (r->nr == HYPERVISOR_mmu_update && r->sub != CENSUS_ANY && r->sub != MMU_MACHPHYS_UPDATE) {
        /* an entry of an Ln table naming a frame makes it an L(n-1) table */
        unsigned td, tg;
        if (census_rec_arg(x, 0, 8, &a) && census_frame_of(x, &a, &td, &tg) &&
            m->type[td][tg] >= CS_TYPE_L2 && m->type[td][tg] <= CS_TYPE_L4 &&
            census_rec_arg(x, 8, 8, &b) && b.kind == ARG_PTE && (b.imm & _PAGE_PRESENT) &&
            census_frame_of(x, &b, &d, &g) && !m->pinned[d][g] && m->type[d][g] < CS_TYPE_L1)
            m->type[d][g] = (uint8_t)(m->type[td][tg] - 1);
        return;
    }
    if (r->nr == HYPERVISOR_memory_op) {
        if (r->sub == XENMEM_decrease_reservation)
            census_release_list(x, 0);
        else if (r->sub == XENMEM_exchange)
            census_release_list(x, 0);
        return;
    }
    if (r->nr != HYPERVISOR_grant_table_op && r->nr != HYPERVISOR_event_channel_op)
        return;
    if (r->nr == HYPERVISOR_grant_table_op) {
        switch (r->sub) {
        case GNTTABOP_transfer:
            if (census_rec_arg(x, 0, 8, &a) && census_frame_of(x, &a, &d, &g))
                m->released[d][g] = 1;
            break;
        case GNTTABOP_map_grant_ref:
            if (m->live_handles[c] < GNT_MAX_MAPTRACK)
                m->live_handles[c]++;
            if (m->ever_handles[c] < m->live_handles[c])
                m->ever_handles[c] = m->live_handles[c];
            if (x->res_ref_dom >= 0) {
                uint16_t fr = m->ref_frame[x->res_ref_dom][x->res_ref];
                m->mapped_ref[x->res_ref_dom][x->res_ref] |= (uint8_t)(1U << c);
                if (fr)
                    m->mapped_frame[fr >> 12][(fr & 0xFFF) - 1] |= (uint8_t)(1U << c);
            }
            break;
        case GNTTABOP_unmap_grant_ref:
        case GNTTABOP_unmap_and_replace:
            if (m->live_handles[c] && !--m->live_handles[c]) {
                for (unsigned k = 0; k < CM_DOMS; k++) {
                    for (unsigned i = 0; i < CM_REFS; i++)
                        m->mapped_ref[k][i] &= (uint8_t)~(1U << c);
                    for (unsigned i = 0; i < CM_GFNS; i++)
                        m->mapped_frame[k][i] &= (uint8_t)~(1U << c);
                }
            }
            break;
        default:
            break;
        }
        return;
    }
    switch (r->sub) {
    case EVTCHNOP_alloc_unbound:
    case EVTCHNOP_bind_interdomain:
    case EVTCHNOP_bind_virq:
    case EVTCHNOP_bind_ipi:
        /* the lowest free port: a closed one is reused first */
        for (unsigned p = 1; p < CM_PORTS; p++)
            if (m->port_state[c][p] != 1) {
                m->port_state[c][p] = 1;
                break;
            }
        break;
    case EVTCHNOP_close:
        if (x->res_port_dom >= 0 && x->res_port > 0)
            m->port_state[x->res_port_dom][x->res_port] = 2;
        break;
    default:
        break;
    }
}

/* ---- walking a program ----------------------------------------------------------------------------- */

static int32_t census_sub_at(const struct census_ctx *x, const struct abi_hypercall *hc)
{
    struct prog_arg a;

    switch (hc->cmd) {
    case ABI_CMD_ARG0:
        if (!x->nargs || x->args[0].kind != ARG_IMM)
            return CENSUS_ANY;
        return (int32_t)(x->args[0].imm & hc->cmd_mask);
    case ABI_CMD_BUF:
        if (!census_rec_arg(x, 0, 4, &a) || a.kind != ARG_IMM)
            return CENSUS_ANY;
        return (int32_t)(a.imm & hc->cmd_mask);
    case ABI_CMD_PTR:
        if (!census_rec_arg(x, 0, 8, &a))
            return CENSUS_ANY;
        return (int32_t)((a.kind == ARG_IMM ? a.imm : a.b) & hc->cmd_mask);
    default:
        return CENSUS_ANY;
    }
}


/* A multicall's entries, each a hypercall whose arguments are the entry's words. */
static void census_multicall(struct census_ctx *x, const struct census_row *top, unsigned list,
                             uint64_t n, int depth)
{
    for (uint64_t i = 0; i < n && i < 16; i++) {
        unsigned e = list + (unsigned)i * (unsigned)sizeof(struct multicall_entry);
        struct prog_arg args[PROG_MAX_ARGS], opa;
        struct census_ctx y = *x;
        y.rec = (int)e;
        if (top)
            census_row_rec(&y, top, true);
        y.rec = 0;
        if (!census_rec_arg(&y, e, 8, &opa) || opa.kind != ARG_IMM)
            return;
        for (unsigned k = 0; k < PROG_MAX_ARGS; k++)
            if (!census_rec_arg(&y, e + 16 + 8 * k, 8, &args[k]))
                return;
        y.args = args;
        y.nargs = PROG_MAX_ARGS;
        y.batch = true;
        census_hypercall(&y, (uint32_t)opa.imm, depth + 1);
    }
}

void census_hypercall(struct census_ctx *x, uint32_t nr, int depth)
{
    const struct abi_hypercall *hc = abi_hypercall_by_nr(nr);
    const struct census_row *top = census_row_find(nr, CENSUS_ANY), *rr = NULL;
    unsigned rec_arg = CENSUS_NONE, cnt_arg = CENSUS_NONE, size = 0;
    uint64_t n = 1;

    if (!hc || depth > 1)
        return;
    x->rec = -1;
    if (top) {
        census_row_rec(x, top, false);
        rec_arg = top->rec_arg;
        cnt_arg = top->cnt_arg;
        size = top->rec_size;
    }
    if (rec_arg == CENSUS_PL0) {
        /* a record the call reads at the caller's stack (iret's frame): a hypercall op's stack is
           its payload (native_uregs_stub) */
        if (depth == 0 && size && x->op->payload_len >= size) {
            x->rec = 0;
            census_row_rec(x, top, true);
        }
        return;
    }
    if (hc->cmd == ABI_CMD_ARG0) {
        /* one sub-op for the call, from its first argument */
        rr = census_row_find(nr, census_sub_at(x, hc));
        if (!rr)
            return;
        rec_arg = rr->rec_arg;
        cnt_arg = rr->cnt_arg;
        size = rr->rec_size;
    }
    if (rec_arg >= x->nargs || x->args[rec_arg].kind != ARG_PAYLOAD || !size) {
        if (rr) {
            census_row_rec(x, rr, false);
            census_effects(x, rr);
        }
        return;
    }
    if (cnt_arg < x->nargs)
        n = x->args[cnt_arg].kind == ARG_IMM ? x->args[cnt_arg].imm : 1;
    if (nr == HYPERVISOR_multicall) {
        census_multicall(x, top, x->args[rec_arg].b, n, depth);
        return;
    }
    bool batch = x->batch;
    for (uint64_t i = 0; i < n && i < 64; i++) {
        uint64_t off = x->args[rec_arg].b + i * size;
        if (off + size > x->op->payload_len)
            break;
        x->rec = (int)off;
        x->batch = batch || n > 1;
        if (top && top->rec_arg != CENSUS_NONE)
            census_row_rec(x, top, true);
        /* a record of its own sub-op (mmuext's cmd, mmu_update's ptr bits) or the call's */
        const struct census_row *r = hc->cmd == ABI_CMD_ARG0 ? rr
                                     : census_row_find(nr, census_sub_at(x, hc));
        if (r && r != top) {
            census_row_rec(x, r, false);
            census_effects(x, r);
        } else if (top && hc->cmd == ABI_CMD_NONE) {
            /* a call without sub-ops whose record names its resource (set_gdt's frame list):
               the state is the record's, read above */
            census_states(x, top);
            census_effects(x, top);
        }
    }
}

void census_exit(struct census_ctx *x)
{
    const struct prog_op *op = x->op;
    const struct census_row *r = census_row_find(CENSUS_EXIT + op->exit_reason, CENSUS_ANY);

    x->rec = -1;
    if (!r)
        return;
    census_row_rec(x, r, false);
    if (op->exit_reason == EXIT_MMIO && op->qual.kind == ARG_IMM &&
        op->qual.imm - DMA_MMIO_BASE < CENSUS_EXIT) {
        const struct census_row *rr = census_row_find(CENSUS_EXIT + EXIT_MMIO,
                                                      (int32_t)(op->qual.imm - DMA_MMIO_BASE));
        if (!rr || rr->rec_arg != CENSUS_PL0)
            return;
        for (unsigned off = 0; off + rr->rec_size <= op->payload_len; off += rr->rec_size) {
            x->rec = (int)off;
            x->batch = op->payload_len > rr->rec_size;
            census_row_rec(x, rr, false);
        }
    }
}

/* The migrate op: its phase's row, with what the domain did since the previous phase. */
static void census_migrate(struct census_ctx *x)
{
    struct census_model *m = x->m;
    const struct prog_op *op = x->op;
    const struct census_row *r = census_row_find(CENSUS_MIGRATE, (int32_t)op->imm);
    struct prog_arg since = { .kind = ARG_IMM, .imm = m->mig_since };

    if (!r)
        return;
    if (m->mig_dom != op->dom + 1U)
        since.imm = CENSUS_MIG_NONE;
    x->args = &since;
    x->nargs = 1;
    census_row_rec(x, r, false);
    m->mig_since = CENSUS_MIG_NONE;
    if (op->imm == MIGRATE_BEGIN && !m->mig_dom && op->dom)
        m->mig_dom = (uint8_t)(op->dom + 1U);
    else if (op->imm == MIGRATE_FINISH && m->mig_dom == op->dom + 1U)
        m->mig_dom = 0;
}

/* What an op of the migrating domain counts as for the next phase's "since". */
static void census_mig_note(struct census_model *m, const struct prog_op *op)
{
    if (!m->mig_dom || op->dom + 1U != m->mig_dom)
        return;
    if (op->kind == OP_GUEST_WRITE)
        m->mig_since = CENSUS_MIG_STORE;
    else if (op->kind == OP_HYPERCALL && (op->nr == HYPERVISOR_mmu_update ||
                                          op->nr == HYPERVISOR_update_va_mapping ||
                                          op->nr == HYPERVISOR_mmuext_op))
        m->mig_since = CENSUS_MIG_PT;
    else if (op->kind == OP_HYPERCALL)
        m->mig_since = CENSUS_MIG_HYPERCALL;
}

void census_add(struct census *c, const struct prog *p)
{
    static struct census_model m;
    struct census_ctx x = { .c = c, .m = &m };

    census_model_reset(&m, &c->env);
    c->programs++;
    for (uint32_t i = 0; i < p->nr_ops; i++) {
        const struct prog_op *op = &p->ops[i];
        x.op = op;
        x.caller = op->dom;
        x.vcpu = op->vcpu;
        x.batch = false;
        x.args = op->args;
        x.nargs = op->nr_args;
        if (op->dom >= CM_DOMS)
            continue;
        census_code_op_seen(&x);
        switch (op->kind) {
        case OP_PREEMPT:
            m.preempt = op->imm != 0;
            break;
        case OP_HYPERCALL:
            c->ops++;
            census_hypercall(&x, op->nr, 0);
            break;
        case OP_EXIT:
            c->ops++;
            census_exit(&x);
            break;
        case OP_GUEST_CODE:
            c->ops++;
            c->code_ops++;
            census_code(&x);
            break;
        case OP_MIGRATE:
            c->ops++;
            census_migrate(&x);
            break;
        default:
            break;
        }
        if (op->kind != OP_MIGRATE)
            census_mig_note(&m, op);
    }
}

/* ---- bookkeeping --------------------------------------------------------------------------------- */

int census_init(struct census *c, const struct census_env *env)
{
    memset(c, 0, sizeof(*c));
    c->env = *env;
    c->seen = calloc(census_nr_rows, sizeof(*c->seen));
    c->states = calloc(census_nr_rows, sizeof(*c->states));
    c->hits = calloc(census_nr_rows, sizeof(*c->hits));
    if (!c->seen || !c->states || !c->hits) {
        census_free(c);
        return -1;
    }
    return 0;
}

void census_free(struct census *c)
{
    free(c->seen);
    free(c->states);
    free(c->hits);
    c->seen = NULL;
    c->states = NULL;
    c->hits = NULL;
}

void census_totals(const struct census *c, uint64_t *classes, uint64_t *seen_classes,
                   uint64_t *states, uint64_t *seen_states)
{
    *classes = *seen_classes = *states = *seen_states = 0;
    for (unsigned r = 0; r < census_nr_rows; r++) {
        const struct census_row *row = &census_rows[r];
        uint32_t st = census_row_states(row);
        for (unsigned i = 0; i < row->nf; i++) {
            uint64_t want[4];
            census_field_classes(&row->f[i], &c->env.shape, want);
            for (unsigned w = 0; w < 4; w++) {
                *classes += (uint64_t)__builtin_popcountll(want[w]);
                *seen_classes += (uint64_t)__builtin_popcountll(want[w] & c->seen[r][i][w]);
            }
        }
        *states += (uint64_t)__builtin_popcount(st);
        *seen_states += (uint64_t)__builtin_popcount(st & c->states[r]);
    }
    for (unsigned i = 0; c->env.code && i < CENSUS_CODE_FIELDS; i++) {
        const struct census_code_field *f = &census_code_fields[i];
        uint64_t want = (f->nr >= 64 ? ~0ULL : (1ULL << f->nr) - 1U) & ~f->never;
        *classes += (uint64_t)__builtin_popcountll(want);
        *seen_classes += (uint64_t)__builtin_popcountll(want & c->code_seen[i]);
    }
}

/* ---- the machine's frames at the start -------------------------------------------------------------- */

int census_probe(struct census_env *env, struct target *t, const struct gen *g)
{
    static struct prog p;
    static struct op_result res[PROG_MAX_OPS];
    const struct prog_shape *s = &g->cfg.shape;
    unsigned nd = s->nr_domains < CM_DOMS ? s->nr_domains : CM_DOMS;

    memset(env, 0, sizeof(*env));
    env->shape = *s;
    memset(env->owner, CENSUS_OWNER_FREE, sizeof(env->owner));
    for (unsigned d = 0; d < nd; d++)
        for (unsigned g0 = 0; g0 < s->dom_pages; g0 += PROG_MAX_OPS) {
            unsigned n = s->dom_pages - g0 < PROG_MAX_OPS ? s->dom_pages - g0 : PROG_MAX_OPS;
            prog_init(&p, s);
            for (unsigned i = 0; i < n; i++) {
                unsigned gfn = g0 + i;
                struct prog_op *op = &p.ops[p.nr_ops++];
                memset(op, 0, offsetof(struct prog_op, payload));
                op->kind = OP_GUEST_READ;
                op->dom = (uint8_t)d;
                op->size = 8;
                op->nr_args = 1;
                op->args[0] = GEN_GVA(d, GEN_GFN_L1 + gfn / PTES_PER_TABLE,
                                      (gfn % PTES_PER_TABLE) * 8U);
            }
            if (prog_validate(&p) != PROG_OK || target_run(t, &p, res, NULL))
                return -1;
            for (unsigned i = 0; i < n; i++) {
                uint64_t mfn = (res[i].value & PTE_ADDR_MASK) >> PAGE_SHIFT;
                if (res[i].status != OPS_RAN || res[i].rc || !(res[i].value & _PAGE_PRESENT) ||
                    mfn >= 4096)
                    continue;
                env->owner[mfn] = (uint8_t)d;
                env->gfn[mfn] = (uint16_t)(g0 + i);
                env->mfn[d][g0 + i] = mfn;
            }
        }
    env->code = g->env.guest_code;
    for (unsigned d = 0; d < nd; d++) {
        env->gnt_frame[d] = g->env.gnt_frame[d];
        if (g->env.gnt_frame[d] && g->env.gnt_frame[d] < 4096)
            env->owner[g->env.gnt_frame[d]] = CENSUS_OWNER_XEN;
        if (g->env.status_frame[d] && g->env.status_frame[d] < 4096)
            env->owner[g->env.status_frame[d]] = CENSUS_OWNER_XEN;
    }
    return 0;
}
