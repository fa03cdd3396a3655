/* PTE bit 62 is a guest's own bit, as in a release Xen: set, changed and cleared like any other. */
#include <stdio.h>
#include "audit_util.h"
#include "hvfuzz/hypercall.h"

/*
 * A debug Xen marks grant mappings with bit 62 (_PAGE_GNTTAB) and refuses it from a guest; a
 * release build (Debian's 4.17, the xen target) defines the mark 0. The model once kept the debug
 * refusal and used the bit as its grant mark, so a guest could neither set the bit nor, had it
 * got there, remove the entry. Each row is one update_va_mapping of dom1's first data page.
 */
struct bit62_row {
    const char *what;
    uint64_t flags;     /* the new entry's flags; 0: the entry cleared */
    long expect;
};

TEST(pt_bit62_guest)
{
    static const struct bit62_row rows[] = {
        { "set with bit 62", _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_GNTTAB, 0 },
        { "bit 62 kept, read-only", _PAGE_PRESENT | _PAGE_USER | _PAGE_GNTTAB, 0 },
        { "bit 62 cleared", _PAGE_PRESENT | _PAGE_RW | _PAGE_USER, 0 },
        { "set with bit 62 again", _PAGE_PRESENT | _PAGE_USER | _PAGE_GNTTAB, 0 },
        { "entry removed", 0, 0 },
    };
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v = &hv->dom[1].vcpu[0];
    mfn_t m = au_mfn(hv, 1, AU_DATA_GFN);

    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct bit62_row *r = &rows[i];
        uint64_t pte = r->flags ? (m << PAGE_SHIFT) | r->flags : 0;
        uint64_t args[6] = { DOM_VA(AU_DATA_GFN), pte, 0 };
        long rc = hv_hypercall(hv, v, HYPERVISOR_update_va_mapping, args);
        uint64_t now = frame_ptes(hv, au_l1_of(hv, 1, AU_DATA_GFN))[au_l1_idx(AU_DATA_GFN)];
        if (rc != r->expect || (rc == 0 && (now & ~(uint64_t)(_PAGE_ACCESSED | _PAGE_DIRTY)) != pte))
            fprintf(stderr, "%s:%d: %s: expected rc %ld, entry %#llx; actual rc %ld, entry %#llx\n",
                    __FILE__, __LINE__, r->what, r->expect, (unsigned long long)pte, rc,
                    (unsigned long long)now);
        CU_ASSERT_EQUAL(rc, r->expect);
        au_expect_clean(hv, r->what);
    }
    hv_destroy(hv);
}
