/* Helpers for the audit tests: a three-domain machine, builder geometry, audit expectations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit_util.h"

/*
 * Every machine au_machine builds is also audited incrementally: a snapshot is kept when it is
 * built, and au_audit marks the frames whose entry or memory differs from it (what the monitor's
 * write tracking does; its completeness is tests/native reset_exact's and audit_incr_agree's
 * business) and runs audit_run_incr, whose verdict must be the full audit's. So every planted
 * corruption of the audit tests is also a planted corruption of the incremental audit.
 */
static struct {
    struct hv *hv;
    struct hv *snap_hv;
    struct frame *frames;
    uint8_t *mem;
    uint64_t *m2p;
    uint64_t *dirty, *fdirty;
    uint16_t *dchunk;
    struct domain tab[HV_MAX_DOMAINS];   /* only the table pointers: copies of the live tables */
    struct audit_base *base;
} au_snap;

static void au_snap_drop(void)
{
    audit_base_free(au_snap.base);
    free(au_snap.snap_hv);
    free(au_snap.frames);
    free(au_snap.mem);
    free(au_snap.m2p);
    free(au_snap.dirty);
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
        dom_tables_free(&au_snap.tab[i]);
    free(au_snap.fdirty);
    free(au_snap.dchunk);
    memset(&au_snap, 0, sizeof(au_snap));
}

static void au_snap_take(struct hv *hv)
{
    size_t nf = hv->nr_frames, words = (nf + 63U) / 64U;
    au_snap_drop();
    au_snap.hv = hv;
    au_snap.snap_hv = malloc(sizeof(*hv));
    au_snap.frames = malloc(nf * sizeof(*hv->frames));
    au_snap.mem = malloc(nf * PAGE_SIZE);
    au_snap.m2p = malloc(nf * sizeof(*hv->m2p));
    au_snap.dirty = calloc(words, sizeof(uint64_t));
    au_snap.fdirty = calloc(words, sizeof(uint64_t));
    au_snap.dchunk = calloc(nf, sizeof(uint16_t));
    if (!au_snap.snap_hv || !au_snap.frames || !au_snap.mem || !au_snap.m2p || !au_snap.dirty ||
        !au_snap.fdirty || !au_snap.dchunk) {
        au_snap_drop();
        return;
    }
    *au_snap.snap_hv = *hv;
    memcpy(au_snap.frames, hv->frames, nf * sizeof(*hv->frames));
    memcpy(au_snap.mem, hv->mem, nf * PAGE_SIZE);
    memcpy(au_snap.m2p, hv->m2p, nf * sizeof(*hv->m2p));
    struct audit_snap s = { .hv = au_snap.snap_hv, .frames = au_snap.frames, .mem = au_snap.mem };
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
        struct domain *t = &au_snap.tab[i];
        const struct domain *d = &hv->dom[i];
        if (dom_tables_alloc(t) != 0 || !d->gnt.active) {
            au_snap_drop();
            return;
        }
        memcpy(t->gnt.active, d->gnt.active, GNT_MAX_REFS * sizeof(*t->gnt.active));
        memcpy(t->gnt.maptrack, d->gnt.maptrack, GNT_MAX_MAPTRACK * sizeof(*t->gnt.maptrack));
        memcpy(t->evtchn, d->evtchn, EVTCHN_MAX_PORTS * sizeof(*t->evtchn));
        memcpy(t->cmos.ram, d->cmos.ram, CMOS_SIZE);
        s.tab[i].active = t->gnt.active;
        s.tab[i].maptrack = t->gnt.maptrack;
        s.tab[i].evtchn = t->evtchn;
        s.tab[i].cmos_ram = t->cmos.ram;
    }
    /* the snapshot is the baseline of grant active writes, as the native target's */
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
        gnt_act_w_clear(&hv->dom[i].gnt);
    hv->dirty = au_snap.dirty;
    hv->fdirty = au_snap.fdirty;
    au_snap.base = audit_base_new(hv, &s);
    hv->dirty = hv->fdirty = NULL;
    CU_ASSERT_PTR_NOT_NULL(au_snap.base);
}

long au_audit_incr(struct hv *hv, struct audit_report *r)
{
    size_t nf = hv->nr_frames, words = (nf + 63U) / 64U;
    if (hv != au_snap.hv || !au_snap.base)
        return -1;
    memset(au_snap.dirty, 0, words * sizeof(uint64_t));
    memset(au_snap.fdirty, 0, words * sizeof(uint64_t));
    memset(au_snap.dchunk, 0, nf * sizeof(uint16_t));
    for (size_t m = 0; m < nf; m++) {
        if (memcmp(&hv->frames[m], &au_snap.frames[m], sizeof(hv->frames[m])) ||
            hv->m2p[m] != au_snap.m2p[m])
            au_snap.fdirty[m / 64U] |= 1ULL << (m % 64U);
        /* exactly the chunks that differ: an incremental audit that reads past them, or
           misses one, is caught by the tests that plant there */
        for (size_t k = 0; k < PAGE_SIZE / FRAME_CHUNK; k++) {
            size_t off = m * PAGE_SIZE + k * FRAME_CHUNK;
            if (memcmp(hv->mem + off, au_snap.mem + off, FRAME_CHUNK))
                au_snap.dchunk[m] |= (uint16_t)(1U << k);
        }
        if (au_snap.dchunk[m])
            au_snap.dirty[m / 64U] |= 1ULL << (m % 64U);
    }
    /* a test's own tracking stays */
    uint64_t *dirty = hv->dirty, *fdirty = hv->fdirty;
    uint16_t *dchunk = hv->dchunk;
    hv->dirty = au_snap.dirty;
    hv->fdirty = au_snap.fdirty;
    hv->dchunk = au_snap.dchunk;
    unsigned total = audit_run_incr(hv, au_snap.base, r);
    hv->dirty = dirty;
    hv->fdirty = fdirty;
    hv->dchunk = dchunk;
    return total;
}

void au_incr_cases(const struct au_incr_case *cases, unsigned n, enum audit_inv inv,
                   bool others_clean)
{
    au_incr_cases_from(NULL, cases, n, inv, others_clean);
}

void au_incr_cases_from(void (*setup)(struct hv *hv), const struct au_incr_case *cases,
                        unsigned n, enum audit_inv inv, bool others_clean)
{
    for (unsigned i = 0; i < n; i++) {
        struct hv *hv = au_machine();
        if (!hv)
            return;
        struct audit_report full, incr;
        if (setup) {
            setup(hv);
            au_resnap(hv);
        }
        cases[i].plant(hv);
        unsigned total = au_audit(hv, &full, cases[i].name);
        long itotal = au_audit_incr(hv, &incr);
        bool f = audit_has(&full, inv), in = itotal > 0 && audit_has(&incr, inv);
        fprintf(stderr, "%s: %s expected %s, actual full %s (%u violations), "
                "incremental %s (%ld)\n", cases[i].name, audit_inv_name(inv),
                cases[i].fires ? "yes" : "no",
                f ? "yes" : "no", total, in ? "yes" : "no", itotal);
        TEST_EQ(cases[i].fires, f);
        TEST_EQ(cases[i].fires, in);
        unsigned others = 0;
        for (unsigned k = 0; k < full.n; k++)
            others += full.v[k].inv != inv;
        if (cases[i].alone || (others_clean && !cases[i].fires))
            TEST_EQ(0, others);
        hv_destroy(hv);
    }
}

void au_resnap(struct hv *hv)
{
    struct audit_report r;
    unsigned total = au_audit(hv, &r, "setup before the snapshot");
    if (total)
        fprintf(stderr, "au_resnap: expected a clean setup, actual %u violations\n", total);
    TEST_EQ(0, total);
    au_snap_take(hv);
}

struct hv *au_machine(void)
{
    struct hv_config cfg = { .nr_frames = AU_FRAMES, .dom0_pages = AU_DOM_PAGES, .dom0_vcpus = 2 };
    struct hv *hv = hv_create(&cfg);
    CU_ASSERT_PTR_NOT_NULL(hv);
    if (!hv)
        return NULL;
    for (domid_t id = 1; id <= 2; id++) {
        int rc = dom_create(hv, id, false, 2 * AU_DOM_PAGES, 2);
        TEST_EQ(0, rc);
        if (rc == 0) {
            rc = dom_build(hv, &hv->dom[id], AU_DOM_PAGES);
            TEST_EQ(0, rc);
        }
        if (rc != 0) {
            hv_destroy(hv);
            return NULL;
        }
    }
    au_snap_take(hv);
    return hv;
}

mfn_t au_mfn(struct hv *hv, domid_t d, gfn_t gfn)
{
    return hv->dom[d].p2m[gfn];
}

mfn_t au_l1_of(struct hv *hv, domid_t d, gfn_t gfn)
{
    return hv->dom[d].p2m[DOM_GFN_L1 + gfn / PTES_PER_TABLE];
}

unsigned au_l1_idx(gfn_t gfn)
{
    return (unsigned)((DOM_VA(gfn) >> PAGE_SHIFT) % PTES_PER_TABLE);
}

mfn_t au_never_used_frame(struct hv *hv)
{
    for (mfn_t i = 0; i < hv->nr_frames; i++)
        if (hv->frames[i].owner == DOMID_INVALID && !(hv->frames[i].flags & FRAME_NEED_SCRUB))
            return i;
    return MFN_INVALID;
}

unsigned au_audit(struct hv *hv, struct audit_report *r, const char *label)
{
    unsigned total = audit_run(hv, r);
    char line[256];
    for (unsigned i = 0; i < r->n; i++) {
        audit_format(&r->v[i], line, sizeof(line));
        fprintf(stderr, "  [%s] %s\n", label, line);
    }
    if (total > r->n)
        fprintf(stderr, "  [%s] ... %u more\n", label, total - r->n);
    struct audit_report ri;
    long incr = au_audit_incr(hv, &ri);
    if (incr >= 0 && (incr > 0) != (total > 0))
        fprintf(stderr, "%s: incremental audit: expected %s (as the full audit), actual %ld "
                "violations\n", label, total ? "violations" : "clean", incr);
    CU_ASSERT(incr < 0 || (incr > 0) == (total > 0));
    return total;
}

void au_expect_clean(struct hv *hv, const char *label)
{
    struct audit_report r;
    unsigned total = au_audit(hv, &r, label);
    if (total)
        fprintf(stderr, "%s: expected a clean audit, actual %u violations\n", label, total);
    TEST_EQ(0, total);
}

void au_expect_only(struct hv *hv, enum audit_inv inv, mfn_t mfn, domid_t dom, const char *label)
{
    struct audit_report r;
    unsigned total = au_audit(hv, &r, label);
    unsigned others = 0;
    bool named = false;
    for (unsigned i = 0; i < r.n; i++) {
        if (r.v[i].inv != inv) {
            others++;
            continue;
        }
        if ((mfn == MFN_INVALID || r.v[i].mfn == mfn) && (dom == DOMID_INVALID || r.v[i].dom == dom))
            named = true;
    }
    fprintf(stderr, "%s: expected %s mfn 0x%llx dom %d only; actual %u violations, %u of other "
            "invariants, %s\n", label, audit_inv_name(inv), (unsigned long long)mfn,
            dom == DOMID_INVALID ? -1 : (int)dom, total, others,
            named ? "the frame/domain named" : "the frame/domain NOT named");
    CU_ASSERT(total >= 1);
    CU_ASSERT(audit_has(&r, inv));
    TEST_EQ(0, others);
    CU_ASSERT(named);
}
