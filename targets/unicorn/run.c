/* One run of the emulated vCPU: from a register set until the sentinel, a stop, a fault or the budget. */
#include <string.h>

#include "targets/unicorn/uni.h"

/*
 * Each entry starts from the clean context (CPL3, no exception in flight): Unicorn 2.0.1 keeps
 * the last exception it reported and turns the next one into #DF, and a rip written inside a
 * hook only takes effect at a block boundary, so every exit that moves rip stops the run and
 * comes back here. Returns 0; the outcome is u->stop (UNI_STOP_NONE: the sentinel was reached)
 * with u->regs the registers at the end.
 */
/*
 * An exception in guest code goes where the vCPU's trap table says, as Xen delivers it (the
 * monitor writes the bounce frame through the guest's tables): true if the run goes on at the
 * handler; false if the monitor crashed the domain (no handler, a stack it cannot write).
 */
static bool uni_deliver(struct uni *u)
{
    struct vcpu *v = u->v;

    for (;;) {
        const struct uni_regs *f = &u->fregs;
        v->uregs = (struct pv_uregs){
            .rax = f->gpr[X86_RAX], .rcx = f->gpr[X86_RCX], .r11 = f->gpr[X86_R11],
            .rsp = f->gpr[X86_RSP], .rip = f->rip, .rflags = f->rflags,
            .cs = PV_FLAT_KERNEL_CS, .ss = PV_FLAT_KERNEL_SS,
        };
        if (pv_inject_exception(u->n->hv, v, u->fault, pv_exc_has_ec(u->fault), u->pfec,
                                u->fault_addr) < 0)
            return false;
        u->regs = *f;
        u->regs.rip = v->uregs.rip;
        u->regs.gpr[X86_RSP] = v->uregs.rsp;
        u->regs.rflags = v->uregs.rflags;
        /* writing the frame may have filled the monitor's TLB */
        uni_mmu_sync(u);
        /* a delivery is work too: handlers that fault at once must not loop unbounded */
        if (++u->icount > u->budget) {
            u->stop = UNI_STOP_HANG;
            return false;
        }
        if (!uni_mmu_entry_faults(u, &u->regs))
            break;
    }
    u->stop = UNI_STOP_NONE;
    u->fault = PROG_FAULT_NONE;
    u->pfec = 0;
    return true;
}

int uni_run(struct uni *u, struct vcpu *v, const struct uni_regs *start, uint64_t budget)
{
    struct uni_regs r = *start;

    u->v = v;
    u->deliver = start->rip < UNI_OWN;   /* guest code, not one of the target's stubs */
    uni_mmu_sync(u);
    u->budget = budget;
    u->icount = 0;
    u->smc = u->uncode = u->remap = u->fill = UNI_NO_PAGE;
    u->cov_prev = 0;
    for (;;) {
        uni_mmu_code_check(u);
        uc_context_restore(u->uc, u->clean);
        uni_regs_write(u, &r);
        u->stop = UNI_STOP_NONE;
        uc_err e = uc_emu_start(u->uc, r.rip, UNI_SENTINEL, 0, 0);
        uni_mmu_run_end(u);
        if (u->stop == UNI_STOP_FAULT && u->deliver && uni_deliver(u)) {
            r = u->regs;
            continue;
        }
        if (u->stop == UNI_STOP_REENTER && u->smc != UNI_NO_PAGE) {
            r = u->regs;
            uc_context_restore(u->uc, u->clean);
            uni_regs_write(u, &r);
            uni_mmu_smc_step(u, &r);
            if (u->stop != UNI_STOP_NONE && u->stop != UNI_STOP_REENTER)
                return 0;
            if (u->stop == UNI_STOP_NONE)
                uni_regs_read(u, &u->regs);
            u->stop = UNI_STOP_REENTER;
        }
        if (u->stop == UNI_STOP_REENTER) {
            r = u->regs;
            if (r.rip == UNI_SENTINEL) {
                u->stop = UNI_STOP_NONE;
                return 0;
            }
            continue;
        }
        if (u->stop == UNI_STOP_RESTART || u->stop == UNI_STOP_BLOCKED)
            return 0;   /* the hook left the registers to go on from */
        uni_regs_read(u, &u->regs);
        if (u->stop == UNI_STOP_RETRY) {
            if (!uni_mmu_fill_fetch(u)) {
                u->stop = UNI_STOP_UNSUPPORTED;
                return 0;
            }
            r = u->regs;
            continue;
        }
        if (u->stop != UNI_STOP_NONE)
            return 0;
        if (e == UC_ERR_INSN_INVALID) {
            uni_fault(u, UNI_VEC_UD, 0);
            u->fregs.rip = u->regs.rip;   /* never started: where the CPU stopped */
            if (u->deliver && uni_deliver(u)) {
                r = u->regs;
                continue;
            }
        }
        else if (e != UC_ERR_OK)
            u->stop = UNI_STOP_UNSUPPORTED;   /* an error no hook explained */
        else if (u->regs.rip != UNI_SENTINEL)
            u->stop = UNI_STOP_HANG;
        return 0;
    }
}
