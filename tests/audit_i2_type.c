/* Audit I2: a leaked type reference on a page table is reported on that table. */
#include "audit_util.h"

/*
 * dom1's L3 holds exactly one type ref (its L4 entry). An extra one is what an error path that
 * forgets put_page_type leaves behind, and it keeps the table validated forever.
 */
TEST(audit_i2_type)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    au_expect_clean(hv, "i2 before");
    mfn_t l3 = au_mfn(hv, 1, DOM_GFN_L3);
    hv->frames[l3].type_count++;
    au_expect_only(hv, INV_I2_TYPE, l3, 1, "i2 type");
    hv_destroy(hv);
}
