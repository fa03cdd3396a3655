/* Audit I4 and I3 on descriptor pages: only valid descriptors, never mapped writable. */
#include "audit_desc_util.h"

/*
 * A validated seg_desc page holds what check_descriptor lets in, stored as Xen stores it. An
 * interrupt gate, a code segment left at DPL 0 and a call gate into Xen's code selector are
 * each what a missing check would leave (I4). A writable L1 entry for the page is the end state
 * of a type check skipped on the mapping path (I3).
 */
TEST(audit_desc_content)
{
    static const uint64_t bad[] = {
        0x00008E00E0331000ULL,  /* interrupt gate */
        0x00209A000000FFFFULL,  /* code segment, DPL 0 */
        0x00008C00E00B1000ULL,  /* call gate to Xen's code selector */
    };
    struct hv *hv = au_machine();
    if (!hv)
        return;
    mfn_t m = au_desc_gdt(hv, 1, AU_DATA_GFN);
    if (m == MFN_INVALID)
        goto out;
    au_expect_clean(hv, "gdt installed");
    uint64_t *d = (uint64_t *)frame_mem(hv, m);
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d[5] = bad[i];
        au_expect_only(hv, INV_I4_TABLES, m, 1, "invalid descriptor");
        d[5] = 0;
    }
    au_expect_clean(hv, "descriptor cleared");

    mfn_t l1 = au_l1_of(hv, 1, AU_DATA_GFN);
    frame_ptes(hv, l1)[au_l1_idx(AU_DATA_GFN)] |= _PAGE_RW;
    au_expect_only(hv, INV_I3_WRITABLE, m, 1, "gdt page mapped writable");
out:
    hv_destroy(hv);
}
