/* Helpers for the audit tests: a three-domain machine, builder geometry, audit expectations. */
#include <stdio.h>
#include "audit_util.h"

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
