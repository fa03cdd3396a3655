/* Conformance: memory_op reservations (increase, decrease, populate), exchange, queries, errors. */
#include <string.h>
#include "conformance.h"

/*
 * What the rows rely on (hypercalls/memory.c states the model): order-0 extents (larger orders:
 * memory_order.c); the
 * reservation ops return the number of extents done and, as in Xen, give 0 rather than -errno
 * for a bad argument, an unknown domain or a bad list (only -EPERM is an error there); exchange
 * and the queries return -errno. PV: populate and exchange write the new MFN over the gfn.
 * dom1 and dom2 have 64 pages and max_pages 128; gfns 64 and up are not populated.
 */

#define MO_GFN_A   200U     /* unpopulated gfns the cases populate */
#define MO_GFN_B   201U
#define MO_GFN_C   300U     /* never populated */
#define MO_LIST_MAX 4U

/* Where a list (or the argument) points. */
enum mo_where {
    MOW_SCRATCH = 0,    /* a scratch page of the caller */
    MOW_NULL,           /* the null handle */
    MOW_UNMAPPED,       /* the page after the built memory: canonical, not mapped */
    MOW_READONLY,       /* the caller's L4, mapped read-only */
};

/* Set-up steps, as bits, done in this order. */
#define MOP_POP_A     0x1U  /* dom1 populates MO_GFN_A */
#define MOP_POP_B     0x2U  /* dom1 populates MO_GFN_B */
#define MOP_EXHAUST   0x4U  /* dom1 takes every free frame */
#define MOP_PREEMPT   0x8U  /* every preemption check fires */

struct mo_snap {
    uint32_t tot[3];
    uint32_t free;
    mfn_t    a, b;          /* dom1's p2m at MO_GFN_A and MO_GFN_B */
};

struct mo_row {
    unsigned prep;
    unsigned caller;         /* 0, 1 or 2 */
    uint64_t cmd;            /* XENMEM_* with optional extent bits */
    enum mo_where arg_at;    /* where the argument struct lives */
    enum mo_where list_at;   /* where extent_start points */
    domid_t  domid;
    uint32_t order;
    uint64_t nr;
    unsigned nlist;
    uint64_t list[MO_LIST_MAX];
    long     expect;
    void   (*check)(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *list);
};

static struct domain *mo_dom(struct conf_ctx *c, unsigned i)
{
    return i == 0 ? c->d0 : i == 1 ? c->d1 : c->d2;
}

static struct vcpu *mo_vcpu(struct conf_ctx *c, unsigned i)
{
    return i == 0 ? c->v0 : i == 1 ? c->v1 : c->v2;
}

static gva_t mo_where(struct conf_ctx *c, unsigned caller, enum mo_where w, unsigned page)
{
    switch (w) {
    case MOW_NULL:     return 0;
    case MOW_UNMAPPED: return DOM_VA(CONF_DOM_PAGES);
    case MOW_READONLY: return DOM_VA(DOM_GFN_L4);
    default:           return conf_scratch(c, mo_dom(c, caller), page);
    }
}

static void mo_snap(struct conf_ctx *c, struct mo_snap *s)
{
    for (unsigned i = 0; i < 3; i++)
        s->tot[i] = mo_dom(c, i)->tot_pages;
    s->free = c->hv->free.count;
    s->a = c->d1->p2m[MO_GFN_A];
    s->b = c->d1->p2m[MO_GFN_B];
}

/* dom1 populates one gfn through the hypercall under test; a failure here is a set-up ERROR. */
static int mo_populate(struct conf_ctx *c, uint64_t gfn)
{
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    gva_t list = conf_scratch(c, c->d1, 3), arg = conf_scratch(c, c->d1, 4);
    long rc;

    r.extent_start = list;
    if (conf_put(c, c->v1, list, &gfn, sizeof(gfn)) < 0 || conf_put(c, c->v1, arg, &r, sizeof(r)) < 0)
        return -1;
    rc = conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_populate_physmap, arg, 0, 0, 0);
    if (rc != 1 || c->d1->p2m[gfn] == MFN_INVALID) {
        CONF_ERROR(c, "prep: populate gfn %llu returned %ld", (unsigned long long)gfn, rc);
        return -1;
    }
    return 0;
}

/* Take every free frame into dom1 (its limit raised first), so the next allocation fails. */
static int mo_exhaust(struct conf_ctx *c)
{
    struct xen_memory_reservation r = { .nr_extents = CONF_FRAMES, .domid = DOMID_SELF };
    gva_t arg = conf_scratch(c, c->d1, 4);
    long rc;

    c->d1->max_pages = CONF_FRAMES * 2;
    if (conf_put(c, c->v1, arg, &r, sizeof(r)) < 0)
        return -1;
    rc = conf_hc(c, c->v1, HYPERVISOR_memory_op, XENMEM_increase_reservation, arg, 0, 0, 0);
    if (rc <= 0 || c->hv->free.head != HV_LIST_END) {
        CONF_ERROR(c, "prep: exhausting the pool returned %ld, %u frames still free", rc,
                   c->hv->free.count);
        return -1;
    }
    return 0;
}

static int mo_prep(struct conf_ctx *c, unsigned prep)
{
    if ((prep & MOP_POP_A) && mo_populate(c, MO_GFN_A) < 0)
        return -1;
    if ((prep & MOP_POP_B) && mo_populate(c, MO_GFN_B) < 0)
        return -1;
    if ((prep & MOP_EXHAUST) && mo_exhaust(c) < 0)
        return -1;
    if (prep & MOP_PREEMPT)
        c->hv->preempt_pattern = ~0ULL;
    return 0;
}

/* Reservation ops and queries: put the list and the argument, call, read the list back. */
static void mo_run(struct conf_ctx *c)
{
    const struct mo_row *r = c->data;
    struct vcpu *v = mo_vcpu(c, r->caller);
    struct xen_memory_reservation res;
    uint64_t list[MO_LIST_MAX] = { 0 };
    struct mo_snap s;
    gva_t arg, lva;
    unsigned op = (unsigned)(r->cmd & MEMOP_CMD_MASK);
    long rc;

    if (mo_prep(c, r->prep) < 0)
        return;
    arg = mo_where(c, r->caller, r->arg_at, 0);
    lva = mo_where(c, r->caller, r->list_at, 1);
    if (r->list_at == MOW_SCRATCH && r->nlist &&
        conf_put(c, v, lva, r->list, r->nlist * sizeof(r->list[0])) < 0)
        return;
    if (r->arg_at == MOW_SCRATCH) {
        if (op == XENMEM_current_reservation || op == XENMEM_maximum_reservation) {
            if (conf_put(c, v, arg, &r->domid, sizeof(r->domid)) < 0)
                return;
        } else {
            memset(&res, 0, sizeof(res));
            res.extent_start = lva;
            res.nr_extents = r->nr;
            res.extent_order = r->order;
            res.domid = r->domid;
            if (conf_put(c, v, arg, &res, sizeof(res)) < 0)
                return;
        }
    }
    mo_snap(c, &s);
    rc = conf_hc(c, v, HYPERVISOR_memory_op, r->cmd, arg, 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->list_at == MOW_SCRATCH && r->nlist && conf_get(c, v, lva, list, sizeof(list)) < 0)
        return;
    if (r->check && rc == r->expect)
        r->check(c, &s, list);
}

/* ---- checks -------------------------------------------------------------------------------------- */

static void mo_chk_increase2(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    CONF_EXPECT_EQ(c, s->tot[1] + 2, c->d1->tot_pages);
    for (unsigned i = 0; i < 2; i++) {
        CONF_EXPECT(c, mfn_valid(c->hv, l[i]));
        if (!mfn_valid(c->hv, l[i]))
            return;
        CONF_EXPECT_EQ(c, 1, c->hv->frames[l[i]].owner);
        CONF_EXPECT_EQ(c, FRAME_ALLOCATED, c->hv->frames[l[i]].flags & FRAME_ALLOCATED);
        CONF_EXPECT_EQ(c, 1, c->hv->frames[l[i]].count);
    }
    CONF_EXPECT(c, l[0] != l[1]);
}

static void mo_chk_tot1_plus3(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    (void)l;
    CONF_EXPECT_EQ(c, s->tot[1] + 3, c->d1->tot_pages);
}

static void mo_chk_tot1_at_max(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    (void)s; (void)l;
    CONF_EXPECT_EQ(c, c->d1->max_pages, c->d1->tot_pages);
}

static void mo_chk_unchanged(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    (void)l;
    for (unsigned i = 0; i < 3; i++)
        CONF_EXPECT_EQ(c, s->tot[i], mo_dom(c, i)->tot_pages);
    CONF_EXPECT_EQ(c, s->free, c->hv->free.count);
}

static void mo_chk_tot1_plus1(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    (void)l;
    CONF_EXPECT_EQ(c, s->tot[1] + 1, c->d1->tot_pages);
    CONF_EXPECT_EQ(c, s->tot[0], c->d0->tot_pages);
}

static void mo_chk_populated(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    mfn_t m = c->d1->p2m[MO_GFN_A];

    CONF_EXPECT_EQ(c, s->tot[1] + 1, c->d1->tot_pages);
    CONF_EXPECT(c, mfn_valid(c->hv, m));
    CONF_EXPECT_EQ(c, m, l[0]);                       /* PV: the MFN replaces the gfn */
    if (mfn_valid(c->hv, m)) {
        CONF_EXPECT_EQ(c, MO_GFN_A, c->hv->m2p[m]);
        CONF_EXPECT_EQ(c, 1, c->hv->frames[m].owner);
    }
    CONF_EXPECT(c, c->d1->nr_gfns >= MO_GFN_A + 1);
}

static void mo_chk_freed_a(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    (void)l;
    CONF_EXPECT_EQ(c, MFN_INVALID, c->d1->p2m[MO_GFN_A]);
    CONF_EXPECT_EQ(c, s->tot[1] - 1, c->d1->tot_pages);
    CONF_EXPECT_EQ(c, LIST_FREE, c->hv->frames[s->a].list_id);
}

/* Data page 5 is still mapped by dom1's L1: the frame loses its gfn and allocation ref only. */
#define MO_MAPPED_K 5U
static void mo_chk_mapped_kept(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    gfn_t gfn = DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + MO_MAPPED_K;
    mfn_t m = c->d1->p2m[gfn];
    uint64_t pte;

    (void)l;
    CONF_EXPECT_EQ(c, MFN_INVALID, m);
    CONF_EXPECT_EQ(c, s->tot[1], c->d1->tot_pages);   /* freed only when unmapped */
    pte = *(const uint64_t *)(c->hv->mem + conf_l1e_maddr(c, c->d1, MO_MAPPED_K));
    m = (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
    if (!mfn_valid(c->hv, m)) {
        CONF_FAIL(c, "L1 entry of data page %u no longer maps a frame", MO_MAPPED_K);
        return;
    }
    CONF_EXPECT_EQ(c, 1, c->hv->frames[m].owner);
    CONF_EXPECT_EQ(c, 0, c->hv->frames[m].flags & FRAME_ALLOCATED);
    CONF_EXPECT_EQ(c, 1, c->hv->frames[m].count);
}

static void mo_chk_partial_a(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *l)
{
    (void)l;
    CONF_EXPECT_EQ(c, MFN_INVALID, c->d1->p2m[MO_GFN_A]);
    CONF_EXPECT_EQ(c, s->b, c->d1->p2m[MO_GFN_B]);    /* after the bad one: untouched */
}

/* ---- rows: reservation ops ----------------------------------------------------------------------- */

#define MO_RES(cmd_, caller_, domid_, nr_) \
    .cmd = (cmd_), .caller = (caller_), .domid = (domid_), .nr = (nr_)

static const struct mo_row mo_inc_two = { MO_RES(XENMEM_increase_reservation, 1, DOMID_SELF, 2),
    .nlist = 2, .list = { 0, 0 }, .expect = 2, .check = mo_chk_increase2 };
static const struct mo_row mo_inc_null = { MO_RES(XENMEM_increase_reservation, 1, DOMID_SELF, 3),
    .list_at = MOW_NULL, .expect = 3, .check = mo_chk_tot1_plus3 };
static const struct mo_row mo_inc_max = { MO_RES(XENMEM_increase_reservation, 1, DOMID_SELF, 100),
    .list_at = MOW_NULL, .expect = CONF_DOM_PAGES, .check = mo_chk_tot1_at_max };
static const struct mo_row mo_inc_order = { MO_RES(XENMEM_increase_reservation, 1, DOMID_SELF, 1),
    .order = XENMEM_DOMU_MAX_ORDER + 1, .list_at = MOW_NULL, .expect = 0,
    .check = mo_chk_unchanged };
static const struct mo_row mo_inc_foreign = { MO_RES(XENMEM_increase_reservation, 1, 2, 1),
    .list_at = MOW_NULL, .expect = -XEN_EPERM, .check = mo_chk_unchanged };
static const struct mo_row mo_inc_by_dom0 = { MO_RES(XENMEM_increase_reservation, 0, 1, 1),
    .list_at = MOW_NULL, .expect = 1, .check = mo_chk_tot1_plus1 };
static const struct mo_row mo_inc_nodom = { MO_RES(XENMEM_increase_reservation, 1, 5, 1),
    .list_at = MOW_NULL, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_inc_bad_arg = { MO_RES(XENMEM_increase_reservation, 1, 0, 0),
    .arg_at = MOW_UNMAPPED, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_inc_ro_list = { MO_RES(XENMEM_increase_reservation, 1, DOMID_SELF, 1),
    .list_at = MOW_READONLY, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_inc_unmapped_list = { MO_RES(XENMEM_increase_reservation, 1,
    DOMID_SELF, 1), .list_at = MOW_UNMAPPED, .expect = 0, .check = mo_chk_unchanged };
/* A start extent at or past nr_extents does nothing and reports itself (Xen). */
static const struct mo_row mo_inc_start_past = { MO_RES(XENMEM_increase_reservation |
    (5U << MEMOP_EXTENT_SHIFT), 1, DOMID_SELF, 2), .list_at = MOW_NULL, .expect = 5,
    .check = mo_chk_unchanged };
static const struct mo_row mo_inc_preempted = { MO_RES(XENMEM_increase_reservation, 1,
    DOMID_SELF, 3), .prep = MOP_PREEMPT, .list_at = MOW_NULL, .expect = 3,
    .check = mo_chk_tot1_plus3 };

static const struct mo_row mo_pop_ok = { MO_RES(XENMEM_populate_physmap, 1, DOMID_SELF, 1),
    .nlist = 1, .list = { MO_GFN_A }, .expect = 1, .check = mo_chk_populated };
static const struct mo_row mo_pop_populated = { MO_RES(XENMEM_populate_physmap, 1, DOMID_SELF, 1),
    .nlist = 1, .list = { 10 }, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_pop_range = { MO_RES(XENMEM_populate_physmap, 1, DOMID_SELF, 1),
    .nlist = 1, .list = { HV_MAX_GFNS }, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_pop_null = { MO_RES(XENMEM_populate_physmap, 1, DOMID_SELF, 1),
    .list_at = MOW_NULL, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_pop_foreign = { MO_RES(XENMEM_populate_physmap, 2, 1, 1),
    .nlist = 1, .list = { MO_GFN_A }, .expect = -XEN_EPERM, .check = mo_chk_unchanged };

static const struct mo_row mo_dec_unmapped = { MO_RES(XENMEM_decrease_reservation, 1, DOMID_SELF,
    1), .prep = MOP_POP_A, .nlist = 1, .list = { MO_GFN_A }, .expect = 1,
    .check = mo_chk_freed_a };
static const struct mo_row mo_dec_mapped = { MO_RES(XENMEM_decrease_reservation, 1, DOMID_SELF, 1),
    .nlist = 1, .list = { DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + MO_MAPPED_K }, .expect = 1,
    .check = mo_chk_mapped_kept };
static const struct mo_row mo_dec_unpopulated = { MO_RES(XENMEM_decrease_reservation, 1,
    DOMID_SELF, 1), .nlist = 1, .list = { MO_GFN_C }, .expect = 0, .check = mo_chk_unchanged };
static const struct mo_row mo_dec_partial = { MO_RES(XENMEM_decrease_reservation, 1, DOMID_SELF,
    3), .prep = MOP_POP_A | MOP_POP_B, .nlist = 3, .list = { MO_GFN_A, MO_GFN_C, MO_GFN_B },
    .expect = 1, .check = mo_chk_partial_a };
static const struct mo_row mo_dec_foreign = { MO_RES(XENMEM_decrease_reservation, 2, 1, 1),
    .prep = MOP_POP_A, .nlist = 1, .list = { MO_GFN_A }, .expect = -XEN_EPERM,
    .check = mo_chk_unchanged };
static const struct mo_row mo_dec_by_dom0 = { MO_RES(XENMEM_decrease_reservation, 0, 1, 1),
    .prep = MOP_POP_A, .nlist = 1, .list = { MO_GFN_A }, .expect = 1, .check = mo_chk_freed_a };

/* ---- rows: queries ------------------------------------------------------------------------------- */

static const struct mo_row mo_cur_self = { .cmd = XENMEM_current_reservation, .caller = 1,
    .domid = DOMID_SELF, .expect = CONF_DOM_PAGES };
static const struct mo_row mo_max_self = { .cmd = XENMEM_maximum_reservation, .caller = 1,
    .domid = DOMID_SELF, .expect = 2 * CONF_DOM_PAGES };
static const struct mo_row mo_cur_by_dom0 = { .cmd = XENMEM_current_reservation, .caller = 0,
    .domid = 2, .expect = CONF_DOM_PAGES };
static const struct mo_row mo_cur_foreign = { .cmd = XENMEM_current_reservation, .caller = 1,
    .domid = 2, .expect = -XEN_EPERM };
static const struct mo_row mo_max_nodom = { .cmd = XENMEM_maximum_reservation, .caller = 0,
    .domid = 7, .expect = -XEN_ESRCH };
static const struct mo_row mo_cur_fault = { .cmd = XENMEM_current_reservation, .caller = 1,
    .arg_at = MOW_UNMAPPED, .expect = -XEN_EFAULT };
static const struct mo_row mo_cur_start = { .cmd = XENMEM_current_reservation |
    (1U << MEMOP_EXTENT_SHIFT), .caller = 1, .domid = DOMID_SELF, .expect = -XEN_EINVAL };
static const struct mo_row mo_max_ram = { .cmd = XENMEM_maximum_ram_page, .caller = 1,
    .expect = CONF_FRAMES };
static const struct mo_row mo_max_ram_start = { .cmd = XENMEM_maximum_ram_page |
    (2U << MEMOP_EXTENT_SHIFT), .caller = 1, .expect = -XEN_EINVAL };
/* (5 is x86's machphys_mfn_list, which the model does not have: 48 is no command of 4.17's) */
static const struct mo_row mo_unknown = { .cmd = 48, .caller = 1, .expect = -XEN_ENOSYS };
static const struct mo_row mo_unknown_top = { .cmd = MEMOP_CMD_MASK, .caller = 1,
    .expect = -XEN_ENOSYS };

/* ---- exchange ------------------------------------------------------------------------------------ */

struct mx_row {
    unsigned prep;
    unsigned caller;
    uint64_t cmd;            /* XENMEM_exchange, or with extent bits */
    domid_t  in_dom, out_dom;
    uint32_t in_order, out_order;
    uint64_t in_nr, out_nr, nr_exchanged;
    uint64_t in[MO_LIST_MAX], out[MO_LIST_MAX];
    bool     bad_arg;
    long     expect;
    uint64_t expect_done;    /* nr_exchanged afterwards */
    void   (*check)(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *out);
};

static void mx_run(struct conf_ctx *c)
{
    const struct mx_row *r = c->data;
    struct vcpu *v = mo_vcpu(c, r->caller);
    struct domain *d = mo_dom(c, r->caller);
    struct xen_memory_exchange x;
    gva_t arg = conf_scratch(c, d, 0), in = conf_scratch(c, d, 1), out = conf_scratch(c, d, 2);
    uint64_t outl[MO_LIST_MAX];
    struct mo_snap s;
    long rc;

    if (mo_prep(c, r->prep) < 0)
        return;
    memset(&x, 0, sizeof(x));
    x.in = (struct xen_memory_reservation){ .extent_start = in, .nr_extents = r->in_nr,
                                            .extent_order = r->in_order, .domid = r->in_dom };
    x.out = (struct xen_memory_reservation){ .extent_start = out, .nr_extents = r->out_nr,
                                             .extent_order = r->out_order, .domid = r->out_dom };
    x.nr_exchanged = r->nr_exchanged;
    if (conf_put(c, v, in, r->in, sizeof(r->in)) < 0 ||
        conf_put(c, v, out, r->out, sizeof(r->out)) < 0 || conf_put(c, v, arg, &x, sizeof(x)) < 0)
        return;
    mo_snap(c, &s);
    rc = conf_hc(c, v, HYPERVISOR_memory_op, r->cmd, r->bad_arg ? DOM_VA(CONF_DOM_PAGES) : arg,
                 0, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (conf_get(c, v, arg, &x, sizeof(x)) < 0 || conf_get(c, v, out, outl, sizeof(outl)) < 0)
        return;
    CONF_EXPECT_EQ(c, r->expect_done, x.nr_exchanged);
    if (r->check && rc == r->expect)
        r->check(c, &s, outl);
}

/* MO_GFN_A's frame went back to the pool; MO_GFN_B holds a new frame, reported in out[0]. */
static void mx_chk_a_to_b(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *o)
{
    mfn_t m = c->d1->p2m[MO_GFN_B];

    CONF_EXPECT_EQ(c, MFN_INVALID, c->d1->p2m[MO_GFN_A]);
    CONF_EXPECT(c, mfn_valid(c->hv, m));
    CONF_EXPECT_EQ(c, m, o[0]);
    CONF_EXPECT(c, m != s->a);
    CONF_EXPECT_EQ(c, s->tot[1], c->d1->tot_pages);   /* an exchange keeps the reservation */
    CONF_EXPECT_EQ(c, LIST_FREE, c->hv->frames[s->a].list_id);
    if (mfn_valid(c->hv, m))
        CONF_EXPECT_EQ(c, MO_GFN_B, c->hv->m2p[m]);
}

static void mx_chk_same_gfn(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *o)
{
    mfn_t m = c->d1->p2m[MO_GFN_A];

    CONF_EXPECT(c, mfn_valid(c->hv, m));
    CONF_EXPECT(c, m != s->a);
    CONF_EXPECT_EQ(c, m, o[0]);
    CONF_EXPECT_EQ(c, s->tot[1], c->d1->tot_pages);
}

static void mx_chk_two(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *o)
{
    CONF_EXPECT_EQ(c, c->d1->p2m[MO_GFN_A], o[0]);
    CONF_EXPECT_EQ(c, c->d1->p2m[MO_GFN_B], o[1]);
    CONF_EXPECT(c, c->d1->p2m[MO_GFN_A] != s->a);
    CONF_EXPECT(c, c->d1->p2m[MO_GFN_B] != s->b);
    CONF_EXPECT_EQ(c, s->tot[1], c->d1->tot_pages);
}

static void mx_chk_a_kept(struct conf_ctx *c, const struct mo_snap *s, const uint64_t *o)
{
    (void)o;
    CONF_EXPECT_EQ(c, s->a, c->d1->p2m[MO_GFN_A]);
    CONF_EXPECT_EQ(c, s->tot[1], c->d1->tot_pages);
    CONF_EXPECT_EQ(c, s->free, c->hv->free.count);
}

/* One-extent exchange: in[0] for out[0]; a row names who asks, for which domain, and sizes. */
#define MX(prep_, caller_, cmd_, in_dom_, out_dom_, out_nr_, in_, out_)                   \
    .prep = (prep_), .caller = (caller_), .cmd = (cmd_), .in_dom = (in_dom_),             \
    .out_dom = (out_dom_), .in_nr = 1, .out_nr = (out_nr_), .in = { (in_) }, .out = { (out_) }
#define MX_SELF(prep_, in_, out_) MX(prep_, 1, XENMEM_exchange, DOMID_SELF, DOMID_SELF, 1, in_, out_)
#define MO_DATA_GFN(k) (DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + (k))

static const struct mx_row mx_ok = { MX_SELF(MOP_POP_A, MO_GFN_A, MO_GFN_B), .expect = 0,
    .expect_done = 1, .check = mx_chk_a_to_b };
static const struct mx_row mx_same_gfn = { MX_SELF(MOP_POP_A, MO_GFN_A, MO_GFN_A), .expect = 0,
    .expect_done = 1, .check = mx_chk_same_gfn };
static const struct mx_row mx_two_preempted = { .prep = MOP_POP_A | MOP_POP_B | MOP_PREEMPT,
    .caller = 1, .cmd = XENMEM_exchange, .in_dom = DOMID_SELF, .out_dom = DOMID_SELF,
    .in_nr = 2, .out_nr = 2, .in = { MO_GFN_A, MO_GFN_B }, .out = { MO_GFN_A, MO_GFN_B },
    .expect = 0, .expect_done = 2, .check = mx_chk_two };
static const struct mx_row mx_by_dom0 = { MX(MOP_POP_A, 0, XENMEM_exchange, 1, 1, 1, MO_GFN_A,
    MO_GFN_B), .expect = 0, .expect_done = 1, .check = mx_chk_a_to_b };
/* The data page is mapped by dom1's L1: it cannot be stolen. */
static const struct mx_row mx_mapped = { MX_SELF(0, MO_DATA_GFN(5), MO_GFN_B),
    .expect = -XEN_EINVAL, .expect_done = 0 };
static const struct mx_row mx_unpopulated = { MX_SELF(0, MO_GFN_C, MO_GFN_B),
    .expect = -XEN_EINVAL, .expect_done = 0 };
static const struct mx_row mx_out_taken = { MX_SELF(MOP_POP_A | MOP_POP_B, MO_GFN_A, MO_GFN_B),
    .expect = -XEN_EINVAL, .expect_done = 0, .check = mx_chk_a_kept };
static const struct mx_row mx_dom_mismatch = { MX(MOP_POP_A, 1, XENMEM_exchange, DOMID_SELF, 1, 1,
    MO_GFN_A, MO_GFN_B), .expect = -XEN_EINVAL, .expect_done = 0, .check = mx_chk_a_kept };
static const struct mx_row mx_size_mismatch = { MX(MOP_POP_A, 1, XENMEM_exchange, DOMID_SELF,
    DOMID_SELF, 2, MO_GFN_A, MO_GFN_B), .expect = -XEN_EINVAL, .expect_done = 0,
    .check = mx_chk_a_kept };
static const struct mx_row mx_done_past_nr = { MX_SELF(MOP_POP_A, MO_GFN_A, MO_GFN_B),
    .nr_exchanged = 2, .expect = -XEN_EINVAL, .expect_done = 2, .check = mx_chk_a_kept };
static const struct mx_row mx_already_done = { MX_SELF(MOP_POP_A, MO_GFN_A, MO_GFN_B),
    .nr_exchanged = 1, .expect = 0, .expect_done = 1, .check = mx_chk_a_kept };
static const struct mx_row mx_order = { MX_SELF(MOP_POP_A, MO_GFN_A, MO_GFN_B),
    .in_order = XENMEM_DOMU_MAX_ORDER + 1, .out_order = XENMEM_DOMU_MAX_ORDER + 1,
    .expect = -XEN_EPERM, .expect_done = 0, .check = mx_chk_a_kept };
static const struct mx_row mx_foreign = { MX(MOP_POP_A, 2, XENMEM_exchange, 1, 1, 1, MO_GFN_A,
    MO_GFN_B), .expect = -XEN_EPERM, .expect_done = 0, .check = mx_chk_a_kept };
static const struct mx_row mx_nodom = { MX(0, 1, XENMEM_exchange, 4, 4, 1, MO_GFN_A, MO_GFN_B),
    .expect = -XEN_ESRCH, .expect_done = 0 };
static const struct mx_row mx_enomem = { MX_SELF(MOP_POP_A | MOP_EXHAUST, MO_GFN_A, MO_GFN_B),
    .expect = -XEN_ENOMEM, .expect_done = 0, .check = mx_chk_a_kept };
static const struct mx_row mx_start_bits = { MX(MOP_POP_A, 1,
    XENMEM_exchange | (1U << MEMOP_EXTENT_SHIFT), DOMID_SELF, DOMID_SELF, 1, MO_GFN_A, MO_GFN_B),
    .expect = -XEN_EINVAL, .expect_done = 0, .check = mx_chk_a_kept };
static const struct mx_row mx_bad_arg = { MX_SELF(MOP_POP_A, MO_GFN_A, MO_GFN_B), .bad_arg = true,
    .expect = -XEN_EFAULT, .expect_done = 0, .check = mx_chk_a_kept };

/* A preempted reservation op encodes its progress in cmd: re-issuing the saved args finishes it. */
static void mo_continuation_encoding(struct conf_ctx *c)
{
    struct xen_memory_reservation r = { .nr_extents = 3, .domid = DOMID_SELF };
    gva_t arg = conf_scratch(c, c->d1, 0);
    uint64_t args[6] = { XENMEM_increase_reservation, arg, 0, 0, 0, 0 };
    uint32_t tot = c->d1->tot_pages;
    long rc;

    if (conf_put(c, c->v1, arg, &r, sizeof(r)) < 0)
        return;
    c->hv->preempt_pattern = ~0ULL;
    rc = hv_hypercall(c->hv, c->v1, HYPERVISOR_memory_op, args);
    CONF_EXPECT_EQ(c, -XEN_ERESTART, rc);
    CONF_EXPECT_EQ(c, XENMEM_increase_reservation | (1U << MEMOP_EXTENT_SHIFT), args[0]);
    CONF_EXPECT_EQ(c, tot + 1, c->d1->tot_pages);
    c->hv->preempt_pattern = 0;
    rc = hv_continue(c->hv, c->v1);
    CONF_EXPECT_EQ(c, 3, rc);
    CONF_EXPECT_EQ(c, tot + 3, c->d1->tot_pages);
}

static const struct conf_case mo_cases[] = {
    { "increase_two_with_list",      mo_run, &mo_inc_two },
    { "increase_null_list",          mo_run, &mo_inc_null },
    { "increase_stops_at_max_pages", mo_run, &mo_inc_max },
    { "increase_past_max_order_not_done", mo_run, &mo_inc_order },
    { "increase_foreign_eperm",      mo_run, &mo_inc_foreign },
    { "increase_by_dom0_for_dom1",   mo_run, &mo_inc_by_dom0 },
    { "increase_no_domain_zero",     mo_run, &mo_inc_nodom },
    { "increase_bad_arg_zero",       mo_run, &mo_inc_bad_arg },
    { "increase_readonly_list",      mo_run, &mo_inc_ro_list },
    { "increase_unmapped_list",      mo_run, &mo_inc_unmapped_list },
    { "increase_start_past_nr",      mo_run, &mo_inc_start_past },
    { "increase_preempted",          mo_run, &mo_inc_preempted },
    { "increase_continuation_cmd",   mo_continuation_encoding, NULL },
    { "populate_ok_writes_mfn",      mo_run, &mo_pop_ok },
    { "populate_populated_gfn",      mo_run, &mo_pop_populated },
    { "populate_gfn_out_of_range",   mo_run, &mo_pop_range },
    { "populate_null_list",          mo_run, &mo_pop_null },
    { "populate_foreign_eperm",      mo_run, &mo_pop_foreign },
    { "decrease_unmapped_frees",     mo_run, &mo_dec_unmapped },
    { "decrease_mapped_keeps_frame", mo_run, &mo_dec_mapped },
    { "decrease_unpopulated_zero",   mo_run, &mo_dec_unpopulated },
    { "decrease_stops_at_bad_gfn",   mo_run, &mo_dec_partial },
    { "decrease_foreign_eperm",      mo_run, &mo_dec_foreign },
    { "decrease_by_dom0_for_dom1",   mo_run, &mo_dec_by_dom0 },
    { "current_reservation_self",    mo_run, &mo_cur_self },
    { "maximum_reservation_self",    mo_run, &mo_max_self },
    { "current_reservation_by_dom0", mo_run, &mo_cur_by_dom0 },
    { "current_reservation_eperm",   mo_run, &mo_cur_foreign },
    { "maximum_reservation_esrch",   mo_run, &mo_max_nodom },
    { "current_reservation_efault",  mo_run, &mo_cur_fault },
    { "current_reservation_start",   mo_run, &mo_cur_start },
    { "maximum_ram_page",            mo_run, &mo_max_ram },
    { "maximum_ram_page_start",      mo_run, &mo_max_ram_start },
    { "unknown_cmd_enosys",          mo_run, &mo_unknown },
    { "unknown_cmd_top_enosys",      mo_run, &mo_unknown_top },
    { "exchange_ok",                 mx_run, &mx_ok },
    { "exchange_same_gfn",           mx_run, &mx_same_gfn },
    { "exchange_two_preempted",      mx_run, &mx_two_preempted },
    { "exchange_by_dom0_for_dom1",   mx_run, &mx_by_dom0 },
    { "exchange_mapped_einval",      mx_run, &mx_mapped },
    { "exchange_unpopulated_einval", mx_run, &mx_unpopulated },
    { "exchange_out_gfn_taken",      mx_run, &mx_out_taken },
    { "exchange_domid_mismatch",     mx_run, &mx_dom_mismatch },
    { "exchange_size_mismatch",      mx_run, &mx_size_mismatch },
    { "exchange_done_past_nr",       mx_run, &mx_done_past_nr },
    { "exchange_already_done",       mx_run, &mx_already_done },
    { "exchange_order_eperm",        mx_run, &mx_order },
    { "exchange_foreign_eperm",      mx_run, &mx_foreign },
    { "exchange_no_domain",          mx_run, &mx_nodom },
    { "exchange_pool_empty_enomem",  mx_run, &mx_enomem },
    { "exchange_start_bits_einval",  mx_run, &mx_start_bits },
    { "exchange_bad_arg_efault",     mx_run, &mx_bad_arg },
};
CONF_AREA("memory_op", mo_cases)
