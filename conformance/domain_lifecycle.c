/* Domain lifecycle conformance: create, build, destroy (plain, preempted), zombies, scrubbing. */
#include <string.h>
#include "conformance.h"

static struct xen_domctl dl_op(uint32_t cmd, domid_t dom)
{
    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = dom;
    return op;
}

/* Place a destroydomain for dom in dom0's scratch page; returns the handle or 0. */
static gva_t dl_put_destroy(struct conf_ctx *c, domid_t dom)
{
    struct xen_domctl op = dl_op(XEN_DOMCTL_destroydomain, dom);
    gva_t va = conf_scratch(c, c->d0, 0);
    return conf_put(c, c->v0, va, &op, sizeof(op)) < 0 ? 0 : va;
}

static uint32_t dl_frames_in_use(const struct hv *hv)
{
    return hv->nr_frames - hv->free.count;
}

/* The builder's layout: p2m/m2p agree, tables typed and pinned, vCPU 0 up on the L4. */
static void dl_build_layout(struct conf_ctx *c)
{
    struct domain *d = c->d1;
    CONF_EXPECT_EQ(c, CONF_DOM_PAGES, d->tot_pages);
    CONF_EXPECT_EQ(c, CONF_DOM_PAGES, d->pages.count);
    CONF_EXPECT_EQ(c, CONF_DOM_PAGES, d->nr_gfns);
    for (gfn_t g = 0; g < CONF_DOM_PAGES; g++) {
        mfn_t m = d->p2m[g];
        CONF_EXPECT(c, mfn_valid(c->hv, m));
        if (!mfn_valid(c->hv, m))
            return;
        CONF_EXPECT_EQ(c, g, c->hv->m2p[m]);
        CONF_EXPECT_EQ(c, d->id, c->hv->frames[m].owner);
    }
    const struct frame *l4 = &c->hv->frames[d->p2m[DOM_GFN_L4]];
    CONF_EXPECT_EQ(c, PGT_l4, l4->type);
    CONF_EXPECT(c, l4->flags & FRAME_PINNED);
    CONF_EXPECT(c, l4->flags & FRAME_VALIDATED);
    CONF_EXPECT_EQ(c, PGT_l3, c->hv->frames[d->p2m[DOM_GFN_L3]].type);
    CONF_EXPECT_EQ(c, PGT_l2, c->hv->frames[d->p2m[DOM_GFN_L2]].type);
    CONF_EXPECT_EQ(c, PGT_l1, c->hv->frames[d->p2m[DOM_GFN_L1]].type);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        CONF_EXPECT_EQ(c, d->p2m[DOM_GFN_L4], d->vcpu[i].guest_table);
        CONF_EXPECT(c, d->vcpu[i].initialised);
        CONF_EXPECT_EQ(c, i == 0, d->vcpu[i].up);
    }
}

struct dl_create_row {
    domid_t  id;
    uint32_t vcpus;
    long     expect;
};

static void dl_create(struct conf_ctx *c)
{
    const struct dl_create_row *r = c->data;
    uint32_t used = dl_frames_in_use(c->hv);
    CONF_EXPECT_EQ(c, r->expect, dom_create(c->hv, r->id, false, 16, r->vcpus));
    if (r->expect == 0) {
        struct domain *d = dom_get(c->hv, r->id);
        CONF_EXPECT(c, d && d->tot_pages == 0 && !d->vcpu[0].up);
    } else {
        /* a refused create allocates nothing */
        CONF_EXPECT_EQ(c, used, dl_frames_in_use(c->hv));
    }
}

#define DLC(...) (&(const struct dl_create_row){ __VA_ARGS__ })

struct dl_build_row {
    uint32_t max_pages;
    uint32_t pages;
    long     expect;
};

static void dl_build(struct conf_ctx *c)
{
    const struct dl_build_row *r = c->data;
    CONF_SETUP(c, dom_create(c->hv, 4, false, r->max_pages, 1));
    struct domain *d = dom_get(c->hv, 4);
    uint32_t used = dl_frames_in_use(c->hv);
    long rc = dom_build(c->hv, d, r->pages);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (rc < 0) {
        /* a failed build gives back every frame it took */
        CONF_EXPECT_EQ(c, used, dl_frames_in_use(c->hv));
        CONF_EXPECT_EQ(c, 0, d->tot_pages);
        return;
    }
    CONF_EXPECT_EQ(c, r->pages, d->tot_pages);
    CONF_EXPECT_EQ(c, -XEN_EEXIST, dom_build(c->hv, d, r->pages));
    /* the new domain's memory reads through its own tables */
    uint64_t x = 0x1234;
    gva_t va = DOM_VA(r->pages - 1);
    CONF_EXPECT_EQ(c, 0, guest_write(c->hv, &d->vcpu[0], va, &x, sizeof(x), NULL));
    CONF_EXPECT_EQ(c, x, *(uint64_t *)frame_mem(c->hv, d->p2m[r->pages - 1]));
}

/* More than 512 pages need a second L1; the conformance machine is too small, so this one runs on
   a machine of its own (the runner's audit covers c->hv only, so the case audits nothing else). */
static void dl_build_big(struct conf_ctx *c)
{
    const struct hv_config cfg = { .nr_frames = 1024, .dom0_pages = 600, .dom0_vcpus = 1 };
    struct hv *hv = hv_create(&cfg);
    CONF_EXPECT(c, hv != NULL);
    if (!hv)
        return;
    struct domain *d = &hv->dom[0];
    CONF_EXPECT_EQ(c, 600, d->tot_pages);
    CONF_EXPECT_EQ(c, DOM_GFN_L1 + 2, DOM_FIRST_DATA_GFN(600));
    CONF_EXPECT_EQ(c, PGT_l1, hv->frames[d->p2m[DOM_GFN_L1 + 1]].type);
    const gfn_t probe[] = { 0, 4, 5, 511, 512, 513, 599 };
    for (unsigned i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
        struct walk_result w;
        CONF_EXPECT_EQ(c, 0, pt_walk(hv, d->vcpu[0].guest_table, DOM_VA(probe[i]), 0, &w));
        CONF_EXPECT_EQ(c, d->p2m[probe[i]], w.mfn);
        CONF_EXPECT_EQ(c, d->p2m[DOM_GFN_L1 + probe[i] / PTES_PER_TABLE], w.l1_table);
        CONF_EXPECT_EQ(c, probe[i] < DOM_FIRST_DATA_GFN(600) ? 0 : _PAGE_RW,
                       w.flags & _PAGE_RW);
    }
    hv_destroy(hv);
}

#define DLB(...) (&(const struct dl_build_row){ __VA_ARGS__ })

/* Destroy through domctl; with every preemption check firing the hypercall restarts often. */
static void dl_destroy(struct conf_ctx *c)
{
    const bool preempt = c->data != NULL;
    uint32_t used_by_d1 = c->d1->tot_pages + c->d1->xenpages.count;
    uint32_t free_before = c->hv->free.count;
    gva_t va = dl_put_destroy(c, 1);
    if (!va)
        return;
    uint64_t args[6] = { va, 0, 0, 0, 0, 0 };
    if (preempt)
        c->hv->preempt_pattern = ~0ULL;
    long rc = hv_hypercall(c->hv, c->v0, HYPERVISOR_domctl, args);
    unsigned restarts = 0;
    while (rc == -XEN_ERESTART && restarts < 100000U) {
        restarts++;
        /* between continuations the dying domain's vCPUs run nothing */
        CONF_EXPECT(c, !vcpu_runnable(c->hv, c->v1));
        CONF_EXPECT(c, c->d1->dying);
        rc = hv_continue(c->hv, c->v0);
    }
    c->hv->preempt_pattern = 0;
    CONF_EXPECT_EQ(c, 0, rc);
    if (preempt)
        CONF_EXPECT(c, restarts > 0);
    else
        CONF_EXPECT_EQ(c, 0, restarts);
    CONF_EXPECT(c, dom_get(c->hv, 1) == NULL);
    CONF_EXPECT_EQ(c, free_before + used_by_d1, c->hv->free.count);
    CONF_EXPECT_EQ(c, -XEN_ESRCH, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
}

/*
 * A page of dom1 still referenced from outside keeps dom1 a zombie after destruction: it exists,
 * dying, owning just that page, until the last reference goes. The reference is taken directly
 * (get_page) so the case does not depend on the grant code, and dropped before the audit.
 */
static void dl_zombie(struct conf_ctx *c)
{
    mfn_t m = conf_scratch_mfn(c, c->d1, 5);
    CONF_EXPECT(c, get_page(c->hv, m, c->d1));
    gva_t va = dl_put_destroy(c, 1);
    if (!va) {
        put_page(c->hv, m);
        return;
    }
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
    struct domain *z = dom_get(c->hv, 1);
    CONF_EXPECT(c, z != NULL);
    if (z) {
        CONF_EXPECT(c, z->dying);
        CONF_EXPECT_EQ(c, 1, z->tot_pages);
        CONF_EXPECT_EQ(c, 0, z->xenpages.count);
        CONF_EXPECT_EQ(c, 1, c->hv->frames[m].count);
        /* destroying a zombie again is harmless; creating over it is refused */
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
        CONF_EXPECT_EQ(c, -XEN_EEXIST, dom_create(c->hv, 1, false, 16, 1));
        int err = 0;
        CONF_EXPECT_EQ(c, MFN_INVALID, frame_alloc(c->hv, z, false, &err));
        CONF_EXPECT_EQ(c, -XEN_EINVAL, err);
    }
    put_page(c->hv, m);
    CONF_EXPECT(c, dom_get(c->hv, 1) == NULL);
    CONF_EXPECT(c, c->hv->frames[m].flags & FRAME_NEED_SCRUB);
    CONF_EXPECT_EQ(c, DOMID_INVALID, c->hv->frames[m].owner);
}

/* Data a destroyed domain leaves behind never reaches the next owner of its frames. */
static void dl_scrub(struct conf_ctx *c)
{
    static uint8_t secret[PAGE_SIZE];
    mfn_t old[8];
    memset(secret, 0xC5, sizeof(secret));
    for (unsigned k = 0; k < 8; k++) {
        old[k] = conf_scratch_mfn(c, c->d1, k);
        if (conf_put(c, c->v1, conf_scratch(c, c->d1, k), secret, sizeof(secret)) < 0)
            return;
    }
    gva_t va = dl_put_destroy(c, 1);
    if (!va)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
    for (unsigned k = 0; k < 8; k++)
        CONF_EXPECT(c, c->hv->frames[old[k]].flags & FRAME_NEED_SCRUB);

    /* a new domain taking every free frame must get the old ones, and see only zeroes */
    CONF_SETUP(c, dom_create(c->hv, 1, false, CONF_FRAMES, 1));
    struct domain *d = dom_get(c->hv, 1);
    uint32_t n = c->hv->free.count;
    if (n > HV_MAX_GFNS)
        n = HV_MAX_GFNS;
    CONF_SETUP(c, dom_build(c->hv, d, n));
    const gfn_t first = DOM_FIRST_DATA_GFN(n);
    for (unsigned k = 0; k < 8; k++) {
        const struct frame *f = &c->hv->frames[old[k]];
        CONF_EXPECT_EQ(c, 1, f->owner);
        CONF_EXPECT(c, !(f->flags & FRAME_NEED_SCRUB));
        const uint64_t *q = frame_ptes(c->hv, old[k]);
        bool zero = true, leaked = false;
        for (unsigned i = 0; i < PTES_PER_TABLE; i++) {
            zero = zero && q[i] == 0;
            leaked = leaked || q[i] == 0xC5C5C5C5C5C5C5C5ULL;
        }
        CONF_EXPECT(c, !leaked);
        if (c->hv->m2p[old[k]] >= first)
            CONF_EXPECT(c, zero);
    }
}

/* The first free id is reused once a domain is gone. */
static void dl_id_reuse(struct conf_ctx *c)
{
    gva_t va = dl_put_destroy(c, 2);
    if (!va)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
    struct xen_domctl op = dl_op(XEN_DOMCTL_createdomain, 0);
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.grant_opts = 1;
    op.u.createdomain.max_grant_frames = -1;
    op.u.createdomain.max_maptrack_frames = -1;
    if (conf_put(c, c->v0, va, &op, sizeof(op)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, va, 0, 0, 0, 0));
    if (conf_get(c, c->v0, va, &op, sizeof(op)) < 0)
        return;
    CONF_EXPECT_EQ(c, 2, op.domain);
    struct domain *d = dom_get(c->hv, 2);
    CONF_EXPECT(c, d && !d->dying && d->tot_pages == 0 && d->relinquish_stage == 0);
}

/* A machine that cannot be built is refused, not half made. */
static void dl_hv_create_bad(struct conf_ctx *c)
{
    const struct hv_config bad[] = {
        { .nr_frames = 0, .dom0_vcpus = 1 },
        { .nr_frames = HV_MAX_FRAMES + 1, .dom0_vcpus = 1 },
        { .nr_frames = 64, .dom0_vcpus = HV_MAX_VCPUS + 1 },
        { .nr_frames = 16, .dom0_pages = 32, .dom0_vcpus = 1 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct hv *hv = hv_create(&bad[i]);
        CONF_EXPECT(c, hv == NULL);
        hv_destroy(hv);
    }
    const struct hv_config empty = { .nr_frames = 8, .dom0_vcpus = 1 };
    struct hv *hv = hv_create(&empty);
    CONF_EXPECT(c, hv != NULL);
    if (hv) {
        CONF_EXPECT(c, hv->dom[0].exists && hv->dom[0].privileged);
        CONF_EXPECT_EQ(c, 0, hv->dom[0].tot_pages);
        hv_destroy(hv);
    }
}

static const struct conf_case dl_cases[] = {
    { "build_layout", dl_build_layout, NULL },
    { "create_free_id", dl_create, DLC(.id = 3, .vcpus = 2) },
    { "create_existing_eexist", dl_create, DLC(.id = 1, .vcpus = 1, .expect = -XEN_EEXIST) },
    { "create_bad_id_einval", dl_create, DLC(.id = HV_MAX_DOMAINS, .vcpus = 1,
      .expect = -XEN_EINVAL) },
    { "create_no_vcpus_einval", dl_create, DLC(.id = 3, .vcpus = 0, .expect = -XEN_EINVAL) },
    { "build_small", dl_build, DLB(.max_pages = 16, .pages = 8) },
    { "build_two_l1_tables", dl_build_big, NULL },
    { "build_too_small_einval", dl_build, DLB(.max_pages = 16, .pages = 4,
      .expect = -XEN_EINVAL) },
    { "build_over_max_pages_eperm", dl_build, DLB(.max_pages = 10, .pages = 20,
      .expect = -XEN_EPERM) },
    { "build_over_pool_enomem", dl_build, DLB(.max_pages = 4096, .pages = 2000,
      .expect = -XEN_ENOMEM) },
    { "destroy", dl_destroy, NULL },
    { "destroy_preempted", dl_destroy, "preempt" },
    { "zombie_until_last_reference", dl_zombie, NULL },
    { "memory_scrubbed_before_reuse", dl_scrub, NULL },
    { "domid_reused", dl_id_reuse, NULL },
    { "hv_create_bad_config", dl_hv_create_bad, NULL },
};
CONF_AREA("domain_lifecycle", dl_cases)
