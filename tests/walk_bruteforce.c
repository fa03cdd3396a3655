/* pt_walk against a brute-force enumeration of every leaf in the builder's page tables. */
#include <stdlib.h>
#include "hvfuzz/monitor.h"
#include "test.h"

/*
 * The enumeration reads the raw tables with four nested loops and no knowledge of the walker:
 * every present 4 KiB leaf gives (va, mfn, effective RW/USER/NX). The walker must translate each
 * of them identically, refuse writes exactly where RW is missing, and fault on every page of a
 * window around the domain's memory that the enumeration did not find.
 */
struct bf_leaf {
    gva_t va;
    mfn_t mfn;
    uint64_t flags;
};

static unsigned bf_enumerate(struct hv *hv, mfn_t cr3, struct bf_leaf *out, unsigned max)
{
    unsigned n = 0;
    const uint64_t *t4 = frame_ptes(hv, cr3);
    for (uint64_t i4 = 0; i4 < 512; i4++) {
        if (!(t4[i4] & _PAGE_PRESENT) || (i4 >= XEN_L4_FIRST_SLOT && i4 <= XEN_L4_LAST_SLOT))
            continue;
        const uint64_t *t3 = frame_ptes(hv, (t4[i4] & PTE_ADDR_MASK) >> PAGE_SHIFT);
        for (uint64_t i3 = 0; i3 < 512; i3++) {
            if (!(t3[i3] & _PAGE_PRESENT))
                continue;
            const uint64_t *t2 = frame_ptes(hv, (t3[i3] & PTE_ADDR_MASK) >> PAGE_SHIFT);
            for (uint64_t i2 = 0; i2 < 512; i2++) {
                if (!(t2[i2] & _PAGE_PRESENT))
                    continue;
                const uint64_t *t1 = frame_ptes(hv, (t2[i2] & PTE_ADDR_MASK) >> PAGE_SHIFT);
                for (uint64_t i1 = 0; i1 < 512; i1++) {
                    uint64_t e[4] = { t4[i4], t3[i3], t2[i2], t1[i1] };
                    if (!(e[3] & _PAGE_PRESENT) || n >= max)
                        continue;
                    uint64_t rw = _PAGE_RW, user = _PAGE_USER, nx = 0;
                    for (unsigned k = 0; k < 4; k++) {
                        rw &= e[k];
                        user &= e[k];
                        nx |= e[k] & _PAGE_NX;
                    }
                    out[n].va = (i4 << 39) | (i3 << 30) | (i2 << 21) | (i1 << 12);
                    out[n].mfn = (e[3] & PTE_ADDR_MASK) >> PAGE_SHIFT;
                    out[n].flags = rw | user | nx;
                    n++;
                }
            }
        }
    }
    return n;
}

static int bf_cmp(const void *a, const void *b)
{
    gva_t x = ((const struct bf_leaf *)a)->va, y = ((const struct bf_leaf *)b)->va;
    return x < y ? -1 : x > y;
}

static const struct bf_leaf *bf_find(const struct bf_leaf *l, unsigned n, gva_t va)
{
    struct bf_leaf key = { .va = va };
    return bsearch(&key, l, n, sizeof(*l), bf_cmp);
}

TEST(walk_bruteforce)
{
    /* 700 pages: two L1 tables, and an NX bit planted in one L2 entry for the OR rule */
    const struct hv_config cfg = { .nr_frames = 1024, .dom0_pages = 700, .dom0_vcpus = 1 };
    struct hv *hv = hv_create(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hv);
    struct domain *d = &hv->dom[0];
    mfn_t cr3 = d->vcpu[0].guest_table;
    uint64_t *l2e = &frame_ptes(hv, d->p2m[DOM_GFN_L2])[1];
    *l2e |= _PAGE_NX;

    static struct bf_leaf leaves[2048];
    unsigned n = bf_enumerate(hv, cr3, leaves, 2048);
    TEST_EQ(700, n);
    qsort(leaves, n, sizeof(leaves[0]), bf_cmp);

    unsigned mismatches = 0;
    for (unsigned i = 0; i < n; i++) {
        struct walk_result w;
        int rc = pt_walk(hv, cr3, leaves[i].va, 0, &w);
        bool ok = rc == 0 && w.mfn == leaves[i].mfn && w.flags == leaves[i].flags &&
                  w.fault_level == 0;
        int wrc = pt_walk(hv, cr3, leaves[i].va + 0x123, PFEC_WRITE, &w);
        ok = ok && (wrc == 0) == !!(leaves[i].flags & _PAGE_RW);
        int xrc = pt_walk(hv, cr3, leaves[i].va, PFEC_INSN, &w);
        ok = ok && (xrc == 0) == !(leaves[i].flags & _PAGE_NX);
        if (!ok && mismatches++ < 5)
            fprintf(stderr, "walk_bruteforce: va 0x%llx: rc %d/%d/%d mfn 0x%llx flags 0x%llx, "
                    "enumerated mfn 0x%llx flags 0x%llx\n", (unsigned long long)leaves[i].va,
                    rc, wrc, xrc, (unsigned long long)w.mfn, (unsigned long long)w.flags,
                    (unsigned long long)leaves[i].mfn, (unsigned long long)leaves[i].flags);
    }
    TEST_EQ(0, mismatches);

    /* the builder's contract, seen through the enumeration: gfn g at DOM_VA(g) */
    for (gfn_t g = 0; g < 700; g++) {
        const struct bf_leaf *l = bf_find(leaves, n, DOM_VA(g));
        CU_ASSERT_PTR_NOT_NULL(l);
        if (l)
            TEST_EQ(d->p2m[g], l->mfn);
    }

    /* every page of a window around the memory: the walk succeeds iff the enumeration has it */
    unsigned wrong = 0;
    for (gva_t va = DOM_VA_BASE - (8ULL << 20); va < DOM_VA_BASE + (16ULL << 20); va += PAGE_SIZE) {
        struct walk_result w;
        bool mapped = bf_find(leaves, n, va) != NULL;
        if ((pt_walk(hv, cr3, va, 0, &w) == 0) != mapped)
            wrong++;
        if (!mapped && w.fault_level == 0)
            wrong++;
    }
    TEST_EQ(0, wrong);
    *l2e &= ~_PAGE_NX;
    hv_destroy(hv);
}
