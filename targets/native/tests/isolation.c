/*
 * The isolation oracle catches planted breaches: a foreign frame mapped straight into another
 * domain's L1 (read without a grant), and a frame handed to another domain without a scrub (stale
 * data). Both plants bypass the monitor, as a monitor bug would; the guest's reads find them. A
 * privileged domain's mapping of another domain's frame is its right (foreign mappings), not one.
 */
#include <string.h>

#include "targets/native/native.h"
#include "test.h"

#define ISO_SLOT 100U   /* an L1 slot the builder leaves empty (domains have 64 pages) */

static struct prog_op iso_access(enum op_kind kind, uint8_t dom, uint64_t va)
{
    struct prog_op op;

    memset(&op, 0, sizeof(op));
    op.kind = (uint8_t)kind;
    op.dom = dom;
    op.nr_args = 1;
    op.args[0].kind = ARG_IMM;
    op.args[0].imm = va;
    op.size = 8;
    return op;
}

/* Map mfn at DOM_VA(ISO_SLOT) of domain d behind the monitor's back. */
static void iso_plant_map(struct hv *hv, domid_t d, mfn_t mfn)
{
    mfn_t l1 = hv->dom[d].p2m[DOM_GFN_L1];
    frame_ptes_w(hv, l1)[ISO_SLOT] = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static const char *iso_run(struct target *t, int plant)
{
    static struct finding f;
    struct native *n = t->priv;
    struct hv *hv = n->hv;
    mfn_t m2 = hv->dom[2].p2m[40], m1 = hv->dom[1].p2m[40];
    struct op_result r = { .out = NULL };
    struct prog_op w = iso_access(OP_GUEST_WRITE, plant == 1 || plant == 3 ? 2 : 1, DOM_VA(40));
    struct prog_op rd = iso_access(OP_GUEST_READ, plant == 1 ? 1 : plant == 3 ? 0 : 2,
                                   DOM_VA(ISO_SLOT));

    t->ops->reset(t);
    TEST_EQ(0, target_run_op(t, &w, &r));
    TEST_EQ(0, r.rc);
    if (t->ops->check(t, false, 0, &f))
        return f.signature;
    if (plant == 1) {
        iso_plant_map(hv, 1, m2);
    } else if (plant == 3) {
        /* dom0's foreign mapping of dom2's frame: its privilege, not a breach */
        iso_plant_map(hv, 0, m2);
    } else if (plant == 2) {
        /* dom1's frame goes through the pool to dom2 (two generations) but keeps its data */
        n->frame_gen[m1] += 2;
        hv->frames[m1].owner = 2;
        iso_plant_map(hv, 2, m1);
    } else {
        /* control: dom2 reads its own frame at the same slot */
        iso_plant_map(hv, 2, hv->dom[2].p2m[41]);
    }
    TEST_EQ(0, target_run_op(t, &rd, &r));
    TEST_EQ(0, r.rc);
    if (t->ops->check(t, false, 1, &f))
        return f.signature;
    return "none";
}

TEST(native_isolation_planted)
{
    static const struct {
        int plant;
        const char *expect;
    } cases[] = {
        { 0, "none" },
        { 1, "isolation:foreign-read" },
        { 2, "isolation:stale-data" },
        { 3, "none" },
        { 0, "none" },   /* after a reset the plants are gone */
    };
    struct target t;

    CU_ASSERT_FATAL(target_open(&t, &native_target_ops, &prog_default_shape, NULL) == 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = iso_run(&t, cases[i].plant);
        if (strcmp(got, cases[i].expect))
            fprintf(stderr, "isolation case %zu: expected %s, actual %s\n", i, cases[i].expect, got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].expect);
    }
    target_close(&t);
}

TEST(native_tag_roundtrip)
{
    static const struct native_tag tags[] = {
        { 0, 0, 0 }, { 1, 7, 0x123 }, { 7, 0xFFFF, 0xFFFF }, { 3, 0x8000, 4095 },
    };
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        struct native_tag out;
        uint64_t v = native_tag_encode(&tags[i]);
        CU_ASSERT(native_tag_decode(v, &out));
        TEST_EQ(tags[i].dom, out.dom);
        TEST_EQ(tags[i].gen, out.gen);
        TEST_EQ(tags[i].mfn, out.mfn);
        /* nearby values are not tags: a flipped bit breaks the magic */
        CU_ASSERT(!native_tag_decode(v ^ 1U, &out) || out.mfn != tags[i].mfn);
    }
    struct native_tag out;
    CU_ASSERT(!native_tag_decode(0, &out));
}
