/* Audit DOM, PV vCPU registers: breakpoint addresses, DR6/DR7 reserved bits, I/O breakpoint enables, callbacks, the I/O bitmap and the user-mode table out of what the hypercalls can leave. */
#include "audit_util.h"

/*
 * set_debugreg refuses breakpoints in Xen's range and DR7's upper half and forces the reserved
 * bits (XSA-12, XSA-444), callback_op refuses non-canonical callbacks, set_iobitmap more than
 * 65536 ports, and iret enters user mode on the user table the vCPU holds (XSA-213): each
 * planted state below is one those paths cannot leave. Planted one at a time on dom1's vCPU 0.
 */
TEST(audit_pv_regs)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct vcpu *v = &hv->dom[1].vcpu[0];
    au_expect_clean(hv, "pv regs before");

    v->dr[2] = ARG_XLAT_VIRT_START;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "breakpoint in the translation area");
    v->dr[2] = XEN_VIRT_END;
    au_expect_clean(hv, "breakpoint at Xen's end");
    v->dr[2] = 0;

    v->dr6 = 0;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "dr6 reserved ones clear");
    v->dr6 = DR6_RESERVED_ONE;

    v->dr7 = 0x100000400ULL;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "dr7 upper half");
    v->dr7 = DR7_RESERVED_ONE | DR7_GD;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "dr7 GD");
    v->dr7 = 0x20401;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "dr7 enabled I/O breakpoint");
    v->dr7 = DR7_RESERVED_ONE;

    v->dr7_emul = 1;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "emulated enable without CR4.DE");
    v->dr7_emul = 0;

    v->cb[CALLBACKTYPE_syscall] = 0x0000800000000000ULL;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "non-canonical syscall callback");
    v->cb[CALLBACKTYPE_syscall] = 0;
    v->cb_mask = 1U << CALLBACKTYPE_event;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "event callback mask flag");
    v->cb_mask = 0;

    v->iobmp_limit = IOBMP_MAX_PORTS + 1;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "I/O bitmap ports");
    v->iobmp_limit = 0;

    v->user_mode = true;
    au_expect_only(hv, INV_DOM, MFN_INVALID, 1, "user mode without a user table");
    v->user_mode = false;
    v->user_table_live = 5;
    au_expect_only(hv, INV_DOM, 5, 1, "kernel mode with a live user table");
    v->user_table_live = MFN_INVALID;
    au_expect_clean(hv, "pv regs after");
    hv_destroy(hv);
}
