/* Conformance: grant_table_op swap_grant_ref, two of the caller's entries exchanged while neither is pinned. */
#include <string.h>
#include "grant_conf.h"

/*
 * dom1 fills refs GC_REF (its page GC_PAGE, to dom2, writable) and SW_REF_B (page GC_PAGE + 1, to
 * dom2, read-only) in table version 1 or 2, then swaps ref_a and ref_b of the row (Xen 4.17's
 * swap_grant_ref: both refs below the table's entries or GNTST_bad_gntref, a ref with itself a
 * no-op, a pinned entry GNTST_eagain, else shared entries and v2 status entries exchanged).
 * With .pin dom2 has mapped GC_REF first. The row's status is the element's; rc the call's.
 */
#define SW_REF_B (GC_REF + 1U)

struct sw_row {
    uint32_t version;
    grant_ref_t ref_a, ref_b;
    bool pin;
    bool bad_ptr;     /* the array in the non-canonical hole */
    int count;        /* elements, 1 when 0; -1: none (Xen checks the handle before the count) */
    long rc;
    int16_t status;
    bool swapped;     /* the two entries exchanged places */
};

#define SW(...) (&(const struct sw_row){ __VA_ARGS__ })

static void sw_run(struct conf_ctx *c)
{
    const struct sw_row *r = c->data;
    struct domain *d1 = c->d1;
    struct gnttab_swap_grant_ref op = { .ref_a = r->ref_a, .ref_b = r->ref_b, .status = 99 };
    mfn_t ma = conf_scratch_mfn(c, d1, GC_PAGE), mb = conf_scratch_mfn(c, d1, GC_PAGE + 1);
    unsigned count = r->count < 0 ? 0U : r->count ? (unsigned)r->count : 1U;
    long rc;

    if (r->version == 2) {
        struct gnttab_set_version sv = { .version = 2 };
        CONF_SETUP(c, gc_op(c, c->v1, GNTTABOP_set_version, &sv, sizeof(sv), 1));
    }
    gc_grant(c, d1, GC_REF, 2, ma, GTF_permit_access);
    gc_grant(c, d1, SW_REF_B, 2, mb, GTF_permit_access | GTF_readonly);
    if (r->pin) {
        grant_handle_t h;
        uint64_t dev;
        if (gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, &h, &dev) != GNTST_okay) {
            CONF_ERROR(c, "prep: dom2's device map of dom1's grant failed");
            return;
        }
    }
    if (r->bad_ptr)
        rc = conf_hc(c, c->v1, HYPERVISOR_grant_table_op, GNTTABOP_swap_grant_ref,
                     1ULL << 47, count, 0, 0);
    else
        rc = gc_op(c, c->v1, GNTTABOP_swap_grant_ref, &op, sizeof(op), count);
    CONF_EXPECT_EQ(c, r->rc, rc);
    if (r->bad_ptr || rc < 0)
        return;
    CONF_EXPECT_EQ(c, r->status, op.status);
    CONF_EXPECT_EQ(c, r->swapped ? mb : ma, gc_entry_frame(c, d1, GC_REF));
    CONF_EXPECT_EQ(c, r->swapped ? ma : mb, gc_entry_frame(c, d1, SW_REF_B));
    uint16_t ro_b = gc_entry_flags(c, d1, SW_REF_B) & GTF_readonly;
    CONF_EXPECT_EQ(c, r->swapped ? 0 : GTF_readonly, ro_b);
}

static const struct conf_case sw_cases[] = {
    { "v1_swapped", sw_run, SW(.version = 1, .ref_a = GC_REF, .ref_b = SW_REF_B, .swapped = true) },
    { "v2_swapped", sw_run, SW(.version = 2, .ref_a = GC_REF, .ref_b = SW_REF_B, .swapped = true) },
    { "same_ref_noop", sw_run, SW(.version = 1, .ref_a = GC_REF, .ref_b = GC_REF) },
    { "ref_a_past_table_bad_gntref", sw_run, SW(.version = 1, .ref_a = GNT_MAX_REFS,
      .ref_b = SW_REF_B, .status = GNTST_bad_gntref) },
    { "ref_b_past_table_bad_gntref", sw_run, SW(.version = 1, .ref_a = GC_REF,
      .ref_b = 0xFFFFFFFFU, .status = GNTST_bad_gntref) },
    { "same_ref_past_table_bad_gntref", sw_run, SW(.version = 1, .ref_a = GNT_MAX_REFS,
      .ref_b = GNT_MAX_REFS, .status = GNTST_bad_gntref) },
    { "pinned_a_eagain", sw_run, SW(.version = 1, .ref_a = GC_REF, .ref_b = SW_REF_B, .pin = true,
      .status = GNTST_eagain) },
    { "pinned_b_eagain", sw_run, SW(.version = 2, .ref_a = SW_REF_B, .ref_b = GC_REF, .pin = true,
      .status = GNTST_eagain) },
    { "count_zero", sw_run, SW(.version = 1, .ref_a = GC_REF, .ref_b = SW_REF_B, .count = -1,
      .status = 99) },
    { "bad_arg_efault", sw_run, SW(.bad_ptr = true, .rc = -XEN_EFAULT) },
    { "bad_arg_count_zero_efault", sw_run, SW(.bad_ptr = true, .count = -1, .rc = -XEN_EFAULT) },
};
CONF_AREA("grant_swap", sw_cases)
