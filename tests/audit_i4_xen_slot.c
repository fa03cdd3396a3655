/* Audit I4: a guest entry in one of Xen's L4 slots of a validated L4 is reported. */
#include "audit_util.h"

/*
 * Slots 256..271 of every validated L4 belong to the monitor; a guest value there would map its
 * own frames over Xen's address range. Those slots never hold refs, so only I4 may fire.
 */
TEST(audit_i4_xen_slot)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i4 before");
    mfn_t l4 = au_mfn(hv, 1, DOM_GFN_L4);
    mfn_t l3 = au_mfn(hv, 1, DOM_GFN_L3);
    frame_ptes(hv, l4)[XEN_L4_FIRST_SLOT + 2] = (l3 << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW;
    au_expect_only(hv, INV_I4_TABLES, l4, 1, "i4 xen l4 slot");
    hv_destroy(hv);
}
