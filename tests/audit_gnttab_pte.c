/* Audit GNTTAB: a host grant mapping whose PTE was removed behind the grant code's back. */
#include "audit_util.h"

/*
 * A consistent host mapping of dom1's frame into dom2 is built by hand (the PTE and its refs, the
 * maptrack entry that makes the PTE a grant mapping, active pin) and must audit clean: the grant
 * also satisfies I5. Then the PTE is zapped together with its refs, as an mmu_update that did not
 * ask the maptrack would do: the mapping domain is not crashed, so the entry now points at nothing.
 */
TEST(audit_gnttab_pte)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);
    mfn_t l1 = au_l1_of(hv, 2, 0);
    uint64_t *pte = &frame_ptes(hv, l1)[AU_FREE_SLOT];
    *pte = (m << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
    hv->frames[m].count++;
    hv->frames[m].type_count++;
    struct gnt_maptrack *mt = gnt_map_w(&hv->dom[2].gnt, 0);   /* as the grant code writes */
    mt->in_use = true;
    mt->flags = GNTMAP_host_map;
    mt->dom = 1;
    mt->ref = 7;
    mt->mfn = m;
    mt->host_addr = (l1 << PAGE_SHIFT) | (AU_FREE_SLOT * 8U);
    struct gnt_active *act = gnt_act_w(&hv->dom[1].gnt, 7);
    act->host_rw = 1;
    act->mapped_by = 2;
    act->mfn = m;
    au_expect_clean(hv, "gnttab host map");

    *pte = 0;
    hv->frames[m].count--;
    hv->frames[m].type_count--;
    au_expect_only(hv, INV_GNTTAB, m, 2, "gnttab host PTE gone");
    hv_destroy(hv);
}
