/* PV exceptions: set_trap_table, the bounce frame an exception is delivered with, and iret. */
#include <string.h>
#include "hvfuzz/hypercall.h"
#include "../monitor/devices.h"

/* Xen's public trap_info as a guest writes it (16 bytes): vector, flags, cs, address. */
struct pv_trap_info {
    uint8_t  vector;
    uint8_t  flags;
    uint16_t cs;
    uint32_t pad;
    uint64_t address;
};
_Static_assert(sizeof(struct pv_trap_info) == 16, "struct trap_info of the 64-bit ABI");

/* Xen's public iret_context: what a guest leaves at rsp for HYPERVISOR_iret. */
struct pv_iret_context {
    uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};
#define PV_VGCF_IN_SYSCALL (1ULL << 8)


/*
 * set_trap_table(traps): entries up to the first with address 0; a null handle clears the table.
 * Each entry's address must be canonical (else -EINVAL, the entries before it kept), its cs gets
 * the kernel's RPL; a fault reading an entry is -EFAULT. Preemptible after every entry: the
 * continuation resumes at the next one.
 */
long do_set_trap_table(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint64_t at = args[0];

    if (!at) {
        memset(v->traps, 0, sizeof(v->traps));
        return 0;
    }
    for (;;) {
        struct pv_trap_info ti;
        if (copy_from_guest(hv, v, &ti, at, sizeof(ti)) < 0)
            return -XEN_EFAULT;
        if (ti.address == 0)
            return 0;
        if (!gva_canonical(ti.address))
            return -XEN_EINVAL;
        if ((ti.cs & 3U) < 3U)
            ti.cs = (uint16_t)((ti.cs & ~3U) | 3U);
        /* vectors 32 and up (software interrupts) are not modelled: accepted, not kept */
        if (ti.vector < PV_TRAP_VECTORS) {
            struct pv_trap *t = &v->traps[ti.vector];
            t->address = ti.address;
            t->cs = ti.cs;
            t->flags = ti.flags;
        }
        at += sizeof(ti);
        if (hv_preempt_check(hv)) {
            args[0] = at;
            return -XEN_ERESTART;
        }
    }
}

/* One word of the frame, as Xen stores them (a fault crashes the domain). */
static bool pv_frame_put(struct hv *hv, struct vcpu *v, uint64_t at, uint64_t val)
{
    return copy_to_guest(hv, v, at, &val, sizeof(val)) == 0;
}

/*
 * Xen's create_bounce_frame for a vCPU in kernel mode (a 64-bit PV guest kernel): the frame
 * { RCX, R11, [ERRCODE,] RIP, CS, RFLAGS, RSP, SS } below the 16-byte aligned stack, written top
 * down; CS without its RPL (kernel context) and the saved upcall mask in bits 32-39; RFLAGS with
 * IF standing for events enabled. A stack pointer inside Xen's range, a word that cannot be
 * written, or a vector without a handler (after the frame is written) crash the domain.
 */
int pv_inject_exception(struct hv *hv, struct vcpu *v, unsigned vector, bool has_ec, uint32_t ec,
                        uint64_t cr2)
{
    struct domain *d = &hv->dom[v->domid];
    struct pv_uregs *r = &v->uregs;
    const struct pv_trap *t = vector < PV_TRAP_VECTORS ? &v->traps[vector] : NULL;

    if (vector == EXC_PF) {
        v->cr2 = cr2;
        ec &= ~4U;   /* the guest kernel faulted in kernel mode: no user bit */
    }
    uint64_t sp = r->rsp & ~0xFULL;
    if (sp > XEN_VIRT_START && sp < XEN_VIRT_END + 64U) {
        dom_crash(d);
        return -1;
    }
    uint8_t saved_mask = v->upcall_mask;
    if (t && (t->flags & PV_TI_IF))
        v->upcall_mask = 1;
    uint64_t flags = (r->rflags & ~(RFLAGS_IF | RFLAGS_IOPL)) | (saved_mask ? 0 : RFLAGS_IF);
    /* the vCPU's IOPL shows in the frame only under the architectural_iopl assist */
    if ((d->vm_assist >> VMASST_TYPE_architectural_iopl) & 1U)
        flags |= v->iopl & RFLAGS_IOPL;
    uint64_t words[8];
    unsigned n = 0;
    words[n++] = r->rcx;
    words[n++] = r->r11;
    if (has_ec)
        words[n++] = ec;
    words[n++] = r->rip;
    words[n++] = ((uint64_t)saved_mask << 32) | (uint64_t)(r->cs & 0xFFFCU);
    words[n++] = flags;
    words[n++] = r->rsp;
    words[n++] = r->ss;
    uint64_t base = sp - 8U * n;
    for (unsigned i = n; i-- > 0;)
        if (!pv_frame_put(hv, v, base + 8U * i, words[i])) {
            dom_crash(d);
            return -1;
        }
    if (!t || !t->address) {
        dom_crash(d);
        return -1;
    }
    r->rflags &= ~(RFLAGS_AC | RFLAGS_VM | RFLAGS_RF | RFLAGS_NT | RFLAGS_TF);
    r->ss = PV_FLAT_KERNEL_SS;
    r->rsp = base;
    r->cs = PV_FLAT_KERNEL_CS;
    r->rip = t->address;
    return 0;
}

/*
 * iret: the frame at rsp (iret_context) becomes the registers: rip, cs and ss with RPL 3, rflags
 * with IF and the reserved bit set and IOPL and VM clear, rsp; rcx and r11 unless the frame says
 * it came from syscall; events masked as its IF says. Returns its rax. A frame that cannot be read
 * crashes the domain; one returning to user mode (RPL 3) needs user page tables (else a crash) and
 * leaves the vCPU in user mode, on them, until its next hypercall op (docs/MODEL.md).
 */
long do_iret(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct pv_iret_context f;
    struct pv_uregs *r = &v->uregs;

    (void)args;
    if (copy_from_guest(hv, v, &f, r->rsp, sizeof(f)) < 0) {
        dom_crash(&hv->dom[v->domid]);
        return 0;
    }
    if ((f.cs & 3U) == 3U) {
        if (v->guest_table_user == MFN_INVALID) {
            dom_crash(&hv->dom[v->domid]);
            return 0;
        }
        /* toggle_guest_mode: the vCPU now runs on its user table */
        v->user_mode = true;
        v->user_table_live = v->guest_table_user;
    }
    if ((hv->dom[v->domid].vm_assist >> VMASST_TYPE_architectural_iopl) & 1U)
        v->iopl = (uint32_t)(f.rflags & RFLAGS_IOPL);
    r->rip = f.rip;
    r->cs = (uint16_t)(f.cs | 3U);
    r->rflags = (f.rflags & RFLAGS_ALL & ~(RFLAGS_IOPL | RFLAGS_VM)) | RFLAGS_IF | RFLAGS_MBS;
    r->rsp = f.rsp;
    r->ss = (uint16_t)(f.ss | 3U);
    if (!(f.flags & PV_VGCF_IN_SYSCALL)) {
        r->r11 = f.r11;
        r->rcx = f.rcx;
    }
    v->upcall_mask = !(f.rflags & RFLAGS_IF);
    r->rax = f.rax;
    return (long)f.rax;
}
