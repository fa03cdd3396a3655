/* Audit I4: a superpage (PSE) bit in a PV guest's validated L2 entry is reported on the L2. */
#include "audit_util.h"

/*
 * PV guests may not use PSE above L1; XSA-148 let one through the fast path and turned an L1
 * table into a 2 MiB writable mapping of whatever followed it. The counts stay intact.
 */
TEST(audit_i4_pse)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i4 pse before");
    mfn_t l2 = au_mfn(hv, 1, DOM_GFN_L2);
    unsigned idx = (unsigned)((DOM_VA_BASE >> 21) & 511U);
    uint64_t *e = &frame_ptes(hv, l2)[idx];
    CU_ASSERT(*e & _PAGE_PRESENT);
    *e |= _PAGE_PSE;
    au_expect_only(hv, INV_I4_TABLES, l2, 1, "i4 pse in l2");
    hv_destroy(hv);
}
