/* The unicorn target's hooks: syscall, port I/O, CPUID, #GP and other exceptions become the monitor's exits. */
#include <string.h>

#include "hvfuzz/hypercall.h"
#include "targets/unicorn/uni.h"

/* EXIT_IO's string and rep bits (hvfuzz/abi.h reads them with EXIT_IO_STRING and EXIT_IO_REP). */
#define UNI_IO_STRING (1ULL << 25)
#define UNI_IO_REP    (1ULL << 26)

/* The 16 GPRs in x86 encoding order (struct uni_regs), then rip and rflags: one table for every
   batch read and write of the CPU's registers. */
static int uni_reg_ids[18] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
    UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
    UC_X86_REG_RIP, UC_X86_REG_RFLAGS,
};

static void uni_regs_ptrs(struct uni_regs *r, void *p[18])
{
    for (unsigned i = 0; i < 16; i++)
        p[i] = &r->gpr[i];
    p[16] = &r->rip;
    p[17] = &r->rflags;
}

void uni_regs_read(struct uni *u, struct uni_regs *r)
{
    void *p[18];

    uni_regs_ptrs(r, p);
    uc_reg_read_batch(u->uc, uni_reg_ids, p, 18);
}

/* Flags a guest may hold at CPL3 (arithmetic, DF, AC, ID; not TF): IF stays set, IOPL 0. */
#define UNI_RFLAGS_GUEST 0x250CD5ULL
#define UNI_RFLAGS_FIXED 0x202ULL

void uni_regs_write(struct uni *u, const struct uni_regs *r)
{
    struct uni_regs w = *r;
    void *p[18];

    w.rflags = (r->rflags & UNI_RFLAGS_GUEST) | UNI_RFLAGS_FIXED;
    uni_regs_ptrs(&w, p);
    uc_reg_write_batch(u->uc, uni_reg_ids, (void *const *)p, 18);
}

/* The GPRs only: an exit handled inside its hook leaves rip and rflags to the instruction. */
static void uni_gprs_write(struct uni *u, const uint64_t gpr[16])
{
    void *p[16];

    for (unsigned i = 0; i < 16; i++)
        p[i] = (void *)(uintptr_t)&gpr[i];
    uc_reg_write_batch(u->uc, uni_reg_ids, (void *const *)p, 16);
}

/* An exception the guest takes: it has no trap table in this model, so the run ends there. */
void uni_fault(struct uni *u, unsigned vector, uint32_t pfec)
{
    if (u->stop == UNI_STOP_NONE || u->stop == UNI_STOP_REENTER) {
        u->stop = UNI_STOP_FAULT;
        u->fault = (uint8_t)vector;
        u->pfec = pfec;
        /* the frame's rip: the faulting instruction, or the one after a breakpoint (a trap) */
        uni_regs_read(u, &u->fregs);
        if (vector == UNI_VEC_BP)
            u->fregs.rip = u->insn_rip + u->insn_len;
        else if (vector != UNI_VEC_DB)
            u->fregs.rip = u->insn_rip;
    }
    uc_emu_stop(u->uc);
}

void uni_fault_pf(struct uni *u, uint32_t pfec, uint64_t addr)
{
    bool first = u->stop == UNI_STOP_NONE || u->stop == UNI_STOP_REENTER;

    /* a non-canonical address is no page fault on hardware: #GP(0) (the walker only says it
       cannot translate it), as the native target reports it */
    if (!gva_canonical(addr)) {
        uni_fault(u, UNI_VEC_GP, 0);
        return;
    }

    uni_fault(u, UNI_VEC_PF, pfec);
    if (!first)
        return;
    u->fault_addr = addr;
    /* a fetch faults where it fetched: the instruction never started */
    if (pfec & PFEC_INSN)
        u->fregs.rip = addr;
}

/* Up to X86_MAX_INSN_LEN bytes at rip, as far as they can be read; returns how many. */
static unsigned uni_insn_fetch(struct uni *u, uint64_t rip, uint8_t *buf)
{
    unsigned n = 0;

    if (uc_mem_read(u->uc, rip, buf, X86_MAX_INSN_LEN) == UC_ERR_OK)
        return X86_MAX_INSN_LEN;
    while (n < X86_MAX_INSN_LEN && uc_mem_read(u->uc, rip + n, buf + n, 1) == UC_ERR_OK)
        n++;
    return n;
}

/* The opcode's offset past legacy and REX prefixes, with rep and operand-size noted. */
static unsigned uni_insn_scan(const uint8_t *b, unsigned len, bool *rep, bool *o16)
{
    unsigned i = 0;

    *rep = *o16 = false;
    for (; i < len; i++) {
        uint8_t c = b[i];
        if (c == 0xF3 || c == 0xF2)
            *rep = true;
        else if (c == 0x66)
            *o16 = true;
        else if (!(c == 0x67 || c == 0x2E || c == 0x36 || c == 0x3E || c == 0x26 ||
                   c == 0x64 || c == 0x65 || c == 0xF0))
            break;
    }
    if (i < len && (b[i] & 0xF0) == 0x40)
        i++;
    return i;
}

static void uni_exit_note(struct uni *u, uint8_t reason)
{
    if (u->nr_exits < PROG_MAX_EXPECT_EXITS)
        u->exits[u->nr_exits++] = reason;
}

/*
 * Hand the record to the monitor's exit layer. in_hook: the instruction completes in Unicorn
 * after the hook (CPUID, IN, OUT), so only the GPRs are written back; otherwise the monitor's
 * registers, rip included, are where the run goes on (a stop and a re-entry).
 */
static enum exit_action uni_exit(struct uni *u, struct exit_record *x, bool in_hook,
                                 struct exit_result *r)
{
    struct hv *hv = u->n->hv;
    enum exit_action a;

    uni_exit_note(u, x->reason);
    a = hv_exit(hv, u->v, x, r);
    u->exit_action = a;
    uni_mmu_sync(u);
    switch (a) {
    case EXIT_RESUME:
        if (in_hook) {
            uni_gprs_write(u, r->regs.gpr);
        } else {
            memcpy(u->regs.gpr, r->regs.gpr, sizeof(u->regs.gpr));
            u->regs.rip = r->regs.rip;
            u->regs.rflags = r->regs.rflags;
            u->stop = UNI_STOP_REENTER;
            uc_emu_stop(u->uc);
        }
        break;
    case EXIT_INJECT_GP:
    case EXIT_INJECT_UD:
    case EXIT_INJECT_PF:
    case EXIT_INJECT_EXC:
        uni_fault(u, r->vector, r->error_code);
        break;
    case EXIT_INVALID:
        /* the monitor refused a record real hardware produced: the guest sees #GP */
        uni_fault(u, UNI_VEC_GP, 0);
        break;
    default:   /* halted, domain crashed: the vCPU stops running */
        memcpy(u->regs.gpr, r->regs.gpr, sizeof(u->regs.gpr));
        u->regs.rip = r->regs.rip;
        u->regs.rflags = r->regs.rflags;
        u->stop = UNI_STOP_BLOCKED;
        uc_emu_stop(u->uc);
        break;
    }
    return a;
}

/* The record of the instruction at rip (the hook's instruction): its registers and bytes. */
static void uni_record_init(struct uni *u, struct exit_record *x, uint8_t reason)
{
    struct uni_regs cur;
    uint64_t rip;

    memset(x, 0, sizeof(*x));
    x->reason = reason;
    uni_regs_read(u, &cur);
    rip = cur.rip;
    memcpy(x->regs.gpr, cur.gpr, sizeof(x->regs.gpr));
    x->regs.rip = rip;
    x->regs.rflags = cur.rflags;
    x->insn_len = (uint8_t)uni_insn_fetch(u, rip, x->insn);
}

/* IN and OUT, plain and string: the monitor checks the port's permission itself. */
static uint64_t uni_io(struct uni *u, uint32_t port, int size, bool in)
{
    struct exit_record x;
    struct exit_result r;
    bool rep, o16;

    uni_record_init(u, &x, EXIT_IO);
    unsigned k = uni_insn_scan(x.insn, x.insn_len, &rep, &o16);
    uint8_t opc = k < x.insn_len ? x.insn[k] : 0;
    bool string = opc >= 0x6C && opc <= 0x6F;
    x.qual = EXIT_IO_QUAL(port, (unsigned)size, in) | (string ? UNI_IO_STRING : 0) |
             (string && rep ? UNI_IO_REP : 0);
    x.insn_len = (uint8_t)(k + 1U + ((opc & 0xF4U) == 0xE4U ? 1U : 0U));
    (void)o16;
    uint64_t before = x.regs.gpr[X86_RAX];
    /* string forms: the monitor moves every element through guest memory, then the run goes on
       from its registers (Unicorn's own element is the one the monitor stored first) */
    enum exit_action a = uni_exit(u, &x, !string, &r);
    if (!in)
        return 0;
    if (string && a == EXIT_RESUME) {
        uint64_t v = 0;
        (void)guest_read(u->n->hv, u->v, x.regs.gpr[X86_RDI], &v, (size_t)size, NULL);
        return v;
    }
    return a == EXIT_RESUME ? r.regs.gpr[X86_RAX] : before;
}

static uint32_t uni_hook_in(uc_engine *uc, uint32_t port, int size, void *arg)
{
    (void)uc;
    return (uint32_t)uni_io(arg, port, size, true);
}

static void uni_hook_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *arg)
{
    (void)uc;
    (void)value;   /* the monitor reads rax (or guest memory) itself */
    (void)uni_io(arg, port, size, false);
}

static int uni_hook_cpuid(uc_engine *uc, void *arg)
{
    struct uni *u = arg;
    struct exit_record x;
    struct exit_result r;

    uni_record_init(u, &x, EXIT_CPUID);
    x.insn_len = 2;
    (void)uni_exit(u, &x, true, &r);
    return 1;   /* the monitor's policy answered: skip Unicorn's own CPUID */
}

/*
 * The PV64 hypercall: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9, result in rax.
 * A preempted call leaves rax and the arguments as the continuation has them and rip on the
 * syscall, as Xen does, so running the vCPU again re-issues it.
 */
static void uni_hook_syscall(uc_engine *uc, void *arg)
{
    struct uni *u = arg;
    struct hv *hv = u->n->hv;
    struct uni_regs cur;
    uint64_t args[6];

    uni_regs_read(u, &cur);
    args[0] = cur.gpr[X86_RDI];
    args[1] = cur.gpr[X86_RSI];
    args[2] = cur.gpr[X86_RDX];
    args[3] = cur.gpr[X86_R10];
    args[4] = cur.gpr[X86_R8];
    args[5] = cur.gpr[X86_R9];
    unsigned nr = (unsigned)cur.gpr[X86_RAX];
    /* the registers Xen's entry points see (iret reads its frame at rsp and rewrites them): a
       hypercall op's stub states what the native target does, guest code its own */
    bool stub = cur.rip >= UNI_OWN;
    struct pv_uregs *ur = &u->v->uregs;
    if (stub) {
        native_uregs_stub(u->v, nr, DOM_VA(NATIVE_PAYLOAD_GFN(&u->inner.shape)));
    } else {
        *ur = (struct pv_uregs){
            .rax = nr, .rcx = cur.gpr[X86_RCX], .r11 = cur.gpr[X86_R11],
            .rsp = cur.gpr[X86_RSP], .rip = cur.rip + 2U, .rflags = cur.rflags,
            .cs = PV_FLAT_KERNEL_CS, .ss = PV_FLAT_KERNEL_SS,
        };
    }
    struct pv_uregs before = *ur;
    long rc = hv_hypercall(hv, u->v, nr, args);
    uint64_t rax = (uint64_t)rc;
    uc_reg_write(uc, UC_X86_REG_RAX, &rax);
    u->n->last_name = abi_hypercall_name(nr);
    uni_mmu_sync(u);
    /* the monitor may have written a page the guest runs code from */
    uni_mmu_code_check(u);
    if (rc == -XEN_ERESTART) {
        const struct continuation *c = &u->v->cont;
        u->regs = cur;
        u->regs.gpr[X86_RAX] = c->nr;
        u->regs.gpr[X86_RDI] = c->args[0];
        u->regs.gpr[X86_RSI] = c->args[1];
        u->regs.gpr[X86_RDX] = c->args[2];
        u->regs.gpr[X86_R10] = c->args[3];
        u->regs.gpr[X86_R8] = c->args[4];
        u->regs.gpr[X86_R9] = c->args[5];
        u->stop = UNI_STOP_RESTART;
        uc_emu_stop(uc);
        return;
    }
    if (!vcpu_runnable(hv, u->v) || u->v->blocked) {
        uni_regs_read(u, &u->regs);
        u->regs.gpr[X86_RAX] = rax;
        u->regs.rip = cur.rip + 2U;
        u->stop = UNI_STOP_BLOCKED;
        uc_emu_stop(uc);
        return;
    }
    /* iret (alone or ending a multicall) moved the guest: it goes on from its frame */
    if (!stub && (ur->rip != before.rip || ur->rsp != before.rsp || ur->rflags != before.rflags ||
                  ur->rcx != before.rcx || ur->r11 != before.r11)) {
        u->regs = cur;
        u->regs.gpr[X86_RAX] = rax;
        u->regs.gpr[X86_RCX] = ur->rcx;
        u->regs.gpr[X86_R11] = ur->r11;
        u->regs.gpr[X86_RSP] = ur->rsp;
        u->regs.rip = ur->rip;
        u->regs.rflags = ur->rflags;
        u->stop = UNI_STOP_REENTER;
        /* a frame returning into Xen's range: the fetch there faults (delivered by uni_run) */
        (void)uni_mmu_entry_faults(u, &u->regs);
        uc_emu_stop(uc);
    }
}

/*
 * RDTSC and RDTSCP: CR4.TSD makes them fault at CPL3, so the guest reads the monitor's TSC (its
 * MSR), never the host's: a run must not depend on when it ran.
 */
static void uni_rdtsc(struct uni *u, const struct exit_record *x, unsigned k)
{
    bool p = x->insn[k + 1] == 0x01;
    uint64_t tsc = 0, aux = 0;

    (void)msr_read(&u->n->hv->dom[u->v->domid], u->v, MSR_TSC, &tsc);
    memcpy(u->regs.gpr, x->regs.gpr, sizeof(u->regs.gpr));
    u->regs.gpr[X86_RAX] = tsc & 0xFFFFFFFFU;
    u->regs.gpr[X86_RDX] = tsc >> 32;
    if (p) {
        (void)msr_read(&u->n->hv->dom[u->v->domid], u->v, MSR_TSC_AUX, &aux);
        u->regs.gpr[X86_RCX] = aux & 0xFFFFFFFFU;
    }
    u->regs.rip = x->regs.rip + k + (p ? 3U : 2U);
    u->regs.rflags = x->regs.rflags;
    u->stop = UNI_STOP_REENTER;
    uc_emu_stop(u->uc);
}

/*
 * A load or store in the device window (uni_mmio_window) that the guest's tables do not map:
 * the MMIO exit, gpa = the address, the instruction decoded by the monitor from its bytes.
 * Unicorn's own access is abandoned; the run goes on from the monitor's registers.
 */
bool uni_mmio(struct uni *u, uint64_t va)
{
    struct exit_record x;
    struct exit_result r;

    if (u->stop != UNI_STOP_NONE)
        return false;
    if (u->mmio_expect && va != u->mmio_expect) {
        /* an exit record whose gpa is not where its instruction goes (a bit-string offset, a
           displacement): hardware cannot produce it, and nothing has run yet */
        u->stop = UNI_STOP_UNSUPPORTED;
        uc_emu_stop(u->uc);
        return true;
    }
    uni_record_init(u, &x, EXIT_MMIO);
    x.qual = va;
    x.gla = va;
    (void)uni_exit(u, &x, false, &r);
    return true;
}

/* A #GP at CPL3: the instructions a PV guest kernel may ask the monitor to emulate. */
static void uni_gp(struct uni *u)
{
    struct exit_record x;
    struct exit_result r;
    bool rep, o16;

    uni_record_init(u, &x, EXIT_NR);
    unsigned k = uni_insn_scan(x.insn, x.insn_len, &rep, &o16);
    if (k < x.insn_len && x.insn[k] == 0xF4) {
        x.reason = EXIT_HLT;
        x.insn_len = (uint8_t)(k + 1U);
    } else if (k + 1U < x.insn_len && x.insn[k] == 0x0F && (x.insn[k + 1] == 0x32 ||
                                                             x.insn[k + 1] == 0x30)) {
        x.reason = x.insn[k + 1] == 0x32 ? EXIT_MSR_READ : EXIT_MSR_WRITE;
        x.insn_len = (uint8_t)(k + 2U);
    } else if (k + 1U < x.insn_len && x.insn[k] == 0x0F &&
               (x.insn[k + 1] == 0x31 || (k + 2U < x.insn_len && x.insn[k + 1] == 0x01 &&
                                          x.insn[k + 2] == 0xF9))) {
        uni_rdtsc(u, &x, k);
        return;
    } else {
        uni_fault(u, UNI_VEC_GP, 0);
        return;
    }
    (void)uni_exit(u, &x, false, &r);
}

static void uni_hook_intr(uc_engine *uc, uint32_t intno, void *arg)
{
    struct uni *u = arg;

    if (intno == UNI_VEC_GP) {
        uni_gp(u);
    } else if (intno == UNI_VEC_PF) {
        /* only the identity tables' holes fault here: Xen's range and the tables' own range */
        uint64_t cr2 = 0;
        uint32_t pfec = 0;
        mfn_t mfn;
        uc_reg_read(uc, UC_X86_REG_CR2, &cr2);
        if (guest_translate(u->n->hv, u->v, cr2, 0, &mfn, &pfec) == 0) {
            u->stop = UNI_STOP_UNSUPPORTED;
            uc_emu_stop(uc);
        } else {
            uni_fault_pf(u, pfec, cr2);
        }
    } else if (intno >= 32) {
        /* int n: no gate in the model lets a guest in (software interrupts are not modelled),
           so #GP with the IDT error code, as for an entry without the DPL */
        uni_fault(u, UNI_VEC_GP, intno * 8U + 2U);
    } else {
        uni_fault(u, intno, 0);
    }
    if (u->stop == UNI_STOP_NONE) {
        /* emulated: go on from the monitor's registers in a clean context */
        u->stop = UNI_STOP_REENTER;
    }
    uc_emu_stop(uc);
}

static void uni_hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
    struct uni *u = arg;

    u->insn_rip = addr;
    u->insn_len = size;
    u->nr_ilog = 0;   /* the previous instruction completed */
    if (++u->icount > u->budget) {
        u->stop = UNI_STOP_HANG;
        uc_emu_stop(uc);
    }
}

int uni_hooks_add(struct uni *u)
{
    uc_hook h;
    uc_err e = UC_ERR_OK;

    e |= uc_hook_add(u->uc, &h, UC_HOOK_INSN, (void *)uni_hook_syscall, u, 1, 0, UC_X86_INS_SYSCALL);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_INSN, (void *)uni_hook_in, u, 1, 0, UC_X86_INS_IN);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_INSN, (void *)uni_hook_out, u, 1, 0, UC_X86_INS_OUT);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_INSN, (void *)uni_hook_cpuid, u, 1, 0, UC_X86_INS_CPUID);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_INTR, (void *)uni_hook_intr, u, 1, 0);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_CODE, (void *)uni_hook_code, u, 1, 0);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, (void *)uni_mmu_event, u,
                     1, 0);
    e |= uc_hook_add(u->uc, &h, UC_HOOK_MEM_WRITE, (void *)uni_mmu_write, u, 1, 0);
    return e == UC_ERR_OK ? 0 : -1;
}
