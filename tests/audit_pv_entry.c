/* Audit DOM, PV entry state: trap entries, selectors, the upcall mask, the kernel stack selector, IOPL and vm_assist types out of what the hypercalls can leave. */
#include "audit_util.h"

/*
 * set_trap_table refuses non-canonical handlers and forces the kernel's RPL onto the selector,
 * iret forces ring 3 onto cs and ss and the bounce frame loads the flat ones, and the mask is
 * set from a flag: each planted state below is one those paths cannot leave, so a handler or a
 * delivery that skips a check is seen here. Planted one at a time on dom1's vCPU 0.
 */
TEST(audit_pv_entry)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v = &hv->dom[1].vcpu[0];
    au_expect_clean(hv, "pv entry before");
    v->traps[14] = (struct pv_trap){ .address = 0x40001000, .cs = PV_FLAT_KERNEL_CS };
    au_expect_clean(hv, "a #PF handler");

    v->traps[14].address = 0x0000800000000000ULL;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "non-canonical handler");
    v->traps[14].address = 0x40001000;

    v->traps[14].cs = PV_FLAT_KERNEL_CS & ~3U;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "handler selector of ring 0");
    v->traps[14].cs = PV_FLAT_KERNEL_CS;

    v->traps[3] = (struct pv_trap){ .address = 0, .cs = PV_FLAT_KERNEL_CS };
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "selector without a handler");
    v->traps[3] = (struct pv_trap){ 0 };

    v->uregs.cs = 0xE030;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "vcpu cs of ring 0");
    v->uregs.cs = PV_FLAT_KERNEL_CS;

    v->upcall_mask = 2;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "upcall mask 2");
    v->upcall_mask = 1;

    v->kernel_ss = PV_FLAT_KERNEL_SS & ~3U;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "kernel stack selector of ring 0");
    v->kernel_ss = 0;

    v->iopl = 0x200;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "iopl with IF");
    v->iopl = 0;

    hv->dom[1].vm_assist = 1ULL << 7;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "vm_assist type 7");
    hv->dom[1].vm_assist = 0;
    au_expect_clean(hv, "pv entry after");
    hv_destroy(hv);
}
