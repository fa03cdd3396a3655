/* Conformance: memory_op reservations and exchange with extent orders above 0. */
#include <string.h>
#include "conformance.h"

/*
 * An extent of order k is 2^k frames: machine-contiguous and aligned to their size where the
 * monitor allocates them, counted one by one (tot_pages, ALLOCATED, the owner's page list), one
 * p2m entry each. The largest order is the caller's: XENMEM_DOMU_MAX_ORDER for dom1,
 * XENMEM_CTLDOM_MAX_ORDER for dom0, whichever domain the op acts on. Reservation ops return the
 * extents done; exchange counts input extents in whole chunks. dom1 has 64 pages, max_pages 128.
 * Each row: a prep (gfns dom1 populates with the given order), one op from dom1 (or dom0), the
 * result, then a check of what it left.
 */

#define MR_GFN   200U   /* unpopulated: the rows populate from here */
#define MR_GFN2  300U
#define MR_LIST  8U

struct mr_row {
    bool     by_dom0;         /* the op is dom0's, on dom1 (else dom1's, on DOMID_SELF) */
    unsigned prep_order;      /* prep: dom1 populates prep_n extents of this order at MR_GFN */
    unsigned prep_n;
    unsigned cmd;
    uint32_t order, out_order;
    uint64_t nr, out_nr;
    unsigned nlist, nout;
    uint64_t list[MR_LIST], out[MR_LIST];
    long     expect;
    uint64_t expect_done;     /* exchange: nr_exchanged after the call */
    int      tot_delta;       /* dom1's tot_pages after minus before */
    void   (*check)(struct conf_ctx *c, const struct mr_row *r, const uint64_t *list,
                    const uint64_t *out);
};

#define MR(...) (&(const struct mr_row){ __VA_ARGS__ })

static long mr_reserve(struct conf_ctx *c, struct vcpu *v, struct domain *d, unsigned cmd,
                       domid_t dom, uint32_t order, uint64_t nr, const uint64_t *list,
                       uint64_t *back)
{
    struct xen_memory_reservation r = { .nr_extents = nr, .extent_order = order, .domid = dom };
    gva_t lva = conf_scratch(c, d, 1), arg = conf_scratch(c, d, 0);
    long rc;

    r.extent_start = lva;
    if (conf_put(c, v, lva, list, MR_LIST * sizeof(list[0])) < 0 ||
        conf_put(c, v, arg, &r, sizeof(r)) < 0)
        return -XEN_EFAULT;
    rc = conf_hc(c, v, HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
    if (back && conf_get(c, v, lva, back, MR_LIST * sizeof(back[0])) < 0)
        return -XEN_EFAULT;
    return rc;
}

static void mr_run(struct conf_ctx *c)
{
    const struct mr_row *r = c->data;
    struct vcpu *v = r->by_dom0 ? c->v0 : c->v1;
    struct domain *d = r->by_dom0 ? c->d0 : c->d1;
    domid_t dom = r->by_dom0 ? 1 : DOMID_SELF;
    uint64_t list[MR_LIST] = { 0 }, out[MR_LIST] = { 0 }, prep[MR_LIST] = { 0 };
    uint32_t tot;
    long rc;

    for (unsigned i = 0; i < r->prep_n; i++)
        prep[i] = MR_GFN + ((uint64_t)i << r->prep_order);
    if (r->prep_n) {
        rc = mr_reserve(c, c->v1, c->d1, XENMEM_populate_physmap, DOMID_SELF, r->prep_order,
                        r->prep_n, prep, NULL);
        if (rc != (long)r->prep_n) {
            CONF_ERROR(c, "prep: populate %u extents of order %u gave %ld", r->prep_n,
                       r->prep_order, rc);
            return;
        }
    }
    memcpy(list, r->list, sizeof(list));
    memcpy(out, r->out, sizeof(out));
    tot = c->d1->tot_pages;
    if (r->cmd != XENMEM_exchange) {
        rc = mr_reserve(c, v, d, r->cmd, dom, r->order, r->nr, list, list);
        CONF_EXPECT_EQ(c, r->expect, rc);
    } else {
        struct xen_memory_exchange x;
        gva_t in = conf_scratch(c, d, 1), ov = conf_scratch(c, d, 2), arg = conf_scratch(c, d, 0);

        memset(&x, 0, sizeof(x));
        x.in = (struct xen_memory_reservation){ .extent_start = in, .nr_extents = r->nr,
                                                .extent_order = r->order, .domid = dom };
        x.out = (struct xen_memory_reservation){ .extent_start = ov, .nr_extents = r->out_nr,
                                                 .extent_order = r->out_order,
                                                 .domid = dom };
        if (conf_put(c, v, in, list, sizeof(list)) < 0 || conf_put(c, v, ov, out, sizeof(out)) < 0 ||
            conf_put(c, v, arg, &x, sizeof(x)) < 0)
            return;
        rc = conf_hc(c, v, HYPERVISOR_memory_op, XENMEM_exchange, arg, 0, 0, 0);
        CONF_EXPECT_EQ(c, r->expect, rc);
        if (conf_get(c, v, arg, &x, sizeof(x)) < 0 || conf_get(c, v, ov, out, sizeof(out)) < 0)
            return;
        CONF_EXPECT_EQ(c, r->expect_done, x.nr_exchanged);
    }
    CONF_EXPECT_EQ(c, (int64_t)tot + r->tot_delta, c->d1->tot_pages);
    if (r->check && rc == r->expect)
        r->check(c, r, list, out);
}

/* The extent at mfn: 2^order frames of dom1, aligned, each allocated, counted once, listed. */
static void mr_chk_block(struct conf_ctx *c, uint64_t mfn, unsigned order)
{
    CONF_EXPECT_EQ(c, 0, mfn & ((1ULL << order) - 1));
    for (uint64_t k = 0; k < (1ULL << order); k++) {
        const struct frame *f;

        CONF_EXPECT(c, mfn_valid(c->hv, mfn + k));
        if (!mfn_valid(c->hv, mfn + k))
            return;
        f = &c->hv->frames[mfn + k];
        CONF_EXPECT_EQ(c, 1, f->owner);
        CONF_EXPECT_EQ(c, FRAME_ALLOCATED, f->flags & FRAME_ALLOCATED);
        CONF_EXPECT_EQ(c, 1, f->count);
        CONF_EXPECT_EQ(c, LIST_PAGES(1), f->list_id);
    }
}

/* increase: the list holds each extent's first frame. */
static void mr_chk_increased(struct conf_ctx *c, const struct mr_row *r, const uint64_t *l,
                             const uint64_t *o)
{
    (void)o;
    for (long i = 0; i < r->expect; i++)
        mr_chk_block(c, l[i], r->order);
}

/* populate (and a populating prep): gfn + k maps first frame + k, both ways. */
static void mr_chk_mapped(struct conf_ctx *c, uint64_t gfn, uint64_t mfn, unsigned order)
{
    mr_chk_block(c, mfn, order);
    for (uint64_t k = 0; k < (1ULL << order); k++) {
        CONF_EXPECT_EQ(c, mfn + k, c->d1->p2m[gfn + k]);
        if (mfn_valid(c->hv, mfn + k))
            CONF_EXPECT_EQ(c, gfn + k, c->hv->m2p[mfn + k]);
    }
}

static void mr_chk_populated(struct conf_ctx *c, const struct mr_row *r, const uint64_t *l,
                             const uint64_t *o)
{
    (void)o;
    for (long i = 0; i < r->expect; i++)
        mr_chk_mapped(c, r->list[i], l[i], r->order);
}

/* The gfns the prep populated, from the first: how many are gone now (the rest kept). */
static void mr_chk_prep_gone(struct conf_ctx *c, const struct mr_row *r, uint64_t gone)
{
    uint64_t n = (uint64_t)r->prep_n << r->prep_order;

    for (uint64_t g = 0; g < n; g++)
        CONF_EXPECT_EQ(c, g < gone, c->d1->p2m[MR_GFN + g] == MFN_INVALID);
}

static void mr_chk_decreased(struct conf_ctx *c, const struct mr_row *r, const uint64_t *l,
                             const uint64_t *o)
{
    (void)l; (void)o;
    mr_chk_prep_gone(c, r, (uint64_t)-r->tot_delta);
}

/* exchange: the inputs gone, each output extent mapped at its gfns. */
static void mr_chk_exchanged(struct conf_ctx *c, const struct mr_row *r, const uint64_t *l,
                             const uint64_t *o)
{
    (void)l;
    mr_chk_prep_gone(c, r, (uint64_t)r->prep_n << r->prep_order);
    for (unsigned j = 0; j < r->nout; j++)
        mr_chk_mapped(c, r->out[j], o[j], r->out_order);
}

/* exchange onto the inputs' own gfns: the new extent is what they map now. */
static void mr_chk_replaced(struct conf_ctx *c, const struct mr_row *r, const uint64_t *l,
                            const uint64_t *o)
{
    (void)l;
    for (unsigned j = 0; j < r->nout; j++)
        mr_chk_mapped(c, r->out[j], o[j], r->out_order);
}

/* exchange that failed in its first chunk: the inputs are all kept. */
static void mr_chk_kept(struct conf_ctx *c, const struct mr_row *r, const uint64_t *l,
                        const uint64_t *o)
{
    (void)l; (void)o;
    mr_chk_prep_gone(c, r, 0);
}

#define INC XENMEM_increase_reservation
#define DEC XENMEM_decrease_reservation
#define POP XENMEM_populate_physmap
#define XCH XENMEM_exchange
#define DOMU_MAX XENMEM_DOMU_MAX_ORDER

static const struct conf_case mr_cases[] = {
    { "increase_order1", mr_run, MR(.cmd = INC, .order = 1, .nr = 2, .nlist = 2, .expect = 2,
      .tot_delta = 4, .check = mr_chk_increased) },
    { "increase_order3", mr_run, MR(.cmd = INC, .order = 3, .nr = 1, .nlist = 1, .expect = 1,
      .tot_delta = 8, .check = mr_chk_increased) },
    { "increase_stops_at_max_pages", mr_run, MR(.cmd = INC, .order = 5, .nr = 3, .nlist = 3,
      .expect = 2, .tot_delta = 64, .check = mr_chk_increased) },
    { "increase_max_order_no_room", mr_run, MR(.cmd = INC, .order = DOMU_MAX, .nr = 1,
      .nlist = 1, .expect = 0) },
    { "increase_past_max_order", mr_run, MR(.cmd = INC, .order = DOMU_MAX + 1, .nr = 1,
      .nlist = 1, .expect = 0) },
    { "increase_order_huge", mr_run, MR(.cmd = INC, .order = 0xFFFFFFFFU, .nr = 1, .nlist = 1,
      .expect = 0) },
    { "increase_by_ctldom_past_domu_max", mr_run, MR(.by_dom0 = true, .cmd = INC,
      .order = DOMU_MAX + 1, .nr = 1, .nlist = 1, .expect = 0) },
    { "increase_by_ctldom_order4", mr_run, MR(.by_dom0 = true, .cmd = INC, .order = 4,
      .nr = 1, .nlist = 1, .expect = 1, .tot_delta = 16, .check = mr_chk_increased) },
    { "populate_order2", mr_run, MR(.cmd = POP, .order = 2, .nr = 2, .nlist = 2,
      .list = { MR_GFN, MR_GFN + 4 }, .expect = 2, .tot_delta = 8,
      .check = mr_chk_populated) },
    { "populate_order2_unaligned_gfn", mr_run, MR(.cmd = POP, .order = 2, .nr = 1, .nlist = 1,
      .list = { MR_GFN + 1 }, .expect = 1, .tot_delta = 4, .check = mr_chk_populated) },
    { "populate_order2_over_populated", mr_run, MR(.prep_order = 0, .prep_n = 1, .cmd = POP,
      .order = 2, .nr = 1, .nlist = 1, .list = { MR_GFN - 3 }, .expect = 0) },
    { "populate_order2_past_p2m", mr_run, MR(.cmd = POP, .order = 2, .nr = 1, .nlist = 1,
      .list = { HV_MAX_GFNS - 2 }, .expect = 0) },
    { "populate_past_max_order", mr_run, MR(.cmd = POP, .order = DOMU_MAX + 1, .nr = 1,
      .nlist = 1, .list = { MR_GFN }, .expect = 0) },
    { "decrease_order2", mr_run, MR(.prep_order = 2, .prep_n = 1, .cmd = DEC, .order = 2,
      .nr = 1, .nlist = 1, .list = { MR_GFN }, .expect = 1, .tot_delta = -4,
      .check = mr_chk_decreased) },
    { "decrease_order2_partly_populated", mr_run, MR(.prep_order = 0, .prep_n = 1, .cmd = DEC,
      .order = 2, .nr = 1, .nlist = 1, .list = { MR_GFN }, .expect = 0, .tot_delta = -1,
      .check = mr_chk_decreased) },
    { "decrease_past_max_order", mr_run, MR(.prep_order = 1, .prep_n = 1, .cmd = DEC,
      .order = DOMU_MAX + 1, .nr = 1, .nlist = 1, .list = { MR_GFN }, .expect = 0) },
    { "exchange_two_pages_for_order1", mr_run, MR(.prep_order = 0, .prep_n = 2, .cmd = XCH,
      .order = 0, .nr = 2, .nlist = 2, .list = { MR_GFN, MR_GFN + 1 }, .out_order = 1,
      .out_nr = 1, .nout = 1, .out = { MR_GFN2 }, .expect = 0, .expect_done = 2,
      .check = mr_chk_exchanged) },
    { "exchange_order1_for_two_pages", mr_run, MR(.prep_order = 1, .prep_n = 1, .cmd = XCH,
      .order = 1, .nr = 1, .nlist = 1, .list = { MR_GFN }, .out_order = 0, .out_nr = 2,
      .nout = 2, .out = { MR_GFN2, MR_GFN2 + 7 }, .expect = 0, .expect_done = 1,
      .check = mr_chk_exchanged) },
    { "exchange_order1_in_place", mr_run, MR(.prep_order = 0, .prep_n = 2, .cmd = XCH,
      .order = 0, .nr = 2, .nlist = 2, .list = { MR_GFN, MR_GFN + 1 }, .out_order = 1,
      .out_nr = 1, .nout = 1, .out = { MR_GFN }, .expect = 0, .expect_done = 2,
      .check = mr_chk_replaced) },
    { "exchange_sizes_differ_einval", mr_run, MR(.prep_order = 0, .prep_n = 2, .cmd = XCH,
      .order = 0, .nr = 2, .nlist = 2, .list = { MR_GFN, MR_GFN + 1 }, .out_order = 1,
      .out_nr = 2, .out = { MR_GFN2, MR_GFN2 + 2 }, .expect = -XEN_EINVAL,
      .check = mr_chk_kept) },
    { "exchange_chunk_input_missing_einval", mr_run, MR(.prep_order = 0, .prep_n = 1,
      .cmd = XCH, .order = 0, .nr = 2, .nlist = 2, .list = { MR_GFN, MR_GFN + 1 },
      .out_order = 1, .out_nr = 1, .out = { MR_GFN2 }, .expect = -XEN_EINVAL,
      .check = mr_chk_kept) },
    { "exchange_chunk_input_twice_einval", mr_run, MR(.prep_order = 0, .prep_n = 1,
      .cmd = XCH, .order = 0, .nr = 2, .nlist = 2, .list = { MR_GFN, MR_GFN }, .out_order = 1,
      .out_nr = 1, .out = { MR_GFN2 }, .expect = -XEN_EINVAL, .check = mr_chk_kept) },
    { "exchange_outputs_overlap_einval", mr_run, MR(.prep_order = 1, .prep_n = 1, .cmd = XCH,
      .order = 1, .nr = 1, .nlist = 1, .list = { MR_GFN }, .out_order = 0, .out_nr = 2,
      .out = { MR_GFN2, MR_GFN2 }, .expect = -XEN_EINVAL, .check = mr_chk_kept) },
    { "exchange_second_chunk_fails", mr_run, MR(.prep_order = 0, .prep_n = 3, .cmd = XCH,
      .order = 0, .nr = 4, .nlist = 4, .list = { MR_GFN, MR_GFN + 1, MR_GFN + 2, MR_GFN + 3 },
      .out_order = 1, .out_nr = 2, .out = { MR_GFN2, MR_GFN2 + 2 }, .expect = -XEN_EINVAL,
      .expect_done = 2) },
    { "exchange_past_max_order_eperm", mr_run, MR(.prep_order = 0, .prep_n = 1, .cmd = XCH,
      .order = 0, .nr = 1ULL << (DOMU_MAX + 1), .nlist = 1, .list = { MR_GFN },
      .out_order = DOMU_MAX + 1, .out_nr = 1, .out = { MR_GFN2 }, .expect = -XEN_EPERM,
      .check = mr_chk_kept) },
};
CONF_AREA("memory_order", mr_cases)
