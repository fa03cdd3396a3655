/* Helper of the descriptor-table audit tests: install a data page of a built domain as its GDT. */
#ifndef HVFUZZ_TESTS_AUDIT_DESC_UTIL_H
#define HVFUZZ_TESTS_AUDIT_DESC_UTIL_H

#include "hvfuzz/hypercall.h"
#include "audit_util.h"

/*
 * Through the guest's own hypercalls, as a guest kernel would: remap data page gfn read-only
 * (update_va_mapping), write the frame list into the next data page and set_gdt 512 entries on
 * vCPU 0 of dom. Returns the GDT frame, or MFN_INVALID (with a failed assertion).
 */
static inline mfn_t au_desc_gdt(struct hv *hv, domid_t dom, gfn_t gfn)
{
    struct vcpu *v = &hv->dom[dom].vcpu[0];
    mfn_t m = au_mfn(hv, dom, gfn);
    uint64_t ro[6] = { DOM_VA(gfn), (m << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER, UVMF_INVLPG };
    long rc = hv_hypercall(hv, v, HYPERVISOR_update_va_mapping, ro);
    TEST_EQ(0, rc);
    uint64_t list = m;
    TEST_EQ(0, guest_write(hv, v, DOM_VA(gfn + 1), &list, sizeof(list), NULL));
    uint64_t set[6] = { DOM_VA(gfn + 1), GDT_ENTRIES_PER_PAGE };
    rc = hv_hypercall(hv, v, HYPERVISOR_set_gdt, set);
    TEST_EQ(0, rc);
    return rc == 0 ? m : MFN_INVALID;
}

#endif
