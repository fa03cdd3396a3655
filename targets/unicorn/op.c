/* The unicorn target's operations: each runs as real instructions (a stub or the guest's code) at CPL3. */
#include <string.h>

#include "hvfuzz/hypercall.h"
#include "targets/unicorn/uni.h"

/* Stub offsets in the UNI_STUB page (written by uni_stubs_write at open). */
#define UNI_STUB_SYSCALL 0x000U
#define UNI_STUB_LOAD    0x040U   /* + 0x10 per size class: 1, 2, 4, 8 bytes */
#define UNI_STUB_STORE   0x100U

/* Work a stub may do: one instruction and the jump out, plus re-entries. */
#define UNI_STUB_BUDGET 16U

static unsigned uni_size_class(uint32_t size)
{
    return size == 1 ? 0U : size == 2 ? 1U : size == 4 ? 2U : 3U;
}

/* A jmp rel32 from the byte at off of the stub page to the sentinel. */
static unsigned uni_jmp_sentinel(uint8_t *page, unsigned off, uint64_t base)
{
    int32_t rel = (int32_t)(int64_t)(UNI_SENTINEL - (base + off + 5U));

    page[off] = 0xE9;
    memcpy(page + off + 1, &rel, 4);
    return off + 5U;
}

void uni_stubs_write(uint8_t *stub)
{
    /* mov al/ax/eax/rax, [rdi] and mov [rdi], al/ax/eax/rax */
    static const uint8_t load[4][3] = { { 0x8A, 0x07 }, { 0x66, 0x8B, 0x07 }, { 0x8B, 0x07 },
                                        { 0x48, 0x8B, 0x07 } };
    static const uint8_t store[4][3] = { { 0x88, 0x07 }, { 0x66, 0x89, 0x07 }, { 0x89, 0x07 },
                                         { 0x48, 0x89, 0x07 } };
    static const uint8_t len[4] = { 2, 3, 2, 3 };

    memset(stub, 0xCC, PAGE_SIZE);
    stub[UNI_STUB_SYSCALL] = 0x0F;
    stub[UNI_STUB_SYSCALL + 1] = 0x05;
    uni_jmp_sentinel(stub, UNI_STUB_SYSCALL + 2U, UNI_STUB);
    for (unsigned k = 0; k < 4; k++) {
        unsigned lo = UNI_STUB_LOAD + 0x10U * k, so = UNI_STUB_STORE + 0x10U * k;
        memcpy(stub + lo, load[k], len[k]);
        uni_jmp_sentinel(stub, lo + len[k], UNI_STUB);
        memcpy(stub + so, store[k], len[k]);
        uni_jmp_sentinel(stub, so + len[k], UNI_STUB);
    }
}

static void uni_op_start(struct uni *u)
{
    u->fault = PROG_FAULT_NONE;
    u->pfec = 0;
    u->nr_exits = 0;
    u->exit_action = -1;
}

/* The results every run shares: faults, exits, and what stopped it. */
static void uni_op_result(struct uni *u, struct op_result *res)
{
    res->fault = u->fault;
    res->pfec = u->fault != PROG_FAULT_NONE ? u->pfec : 0;
    res->nr_exits = u->nr_exits;
    memcpy(res->exits, u->exits, u->nr_exits);
    res->status = u->stop == UNI_STOP_RESTART ? OPS_RESTART :
                  u->stop == UNI_STOP_UNSUPPORTED ? OPS_UNSUPPORTED : OPS_RAN;
}

static void uni_hang(struct uni *u)
{
    if (u->stop == UNI_STOP_HANG && !u->hang_pending) {
        u->hang_pending = true;
        u->hang_op = u->n->last_op;
    }
}

static void uni_stub_regs(struct uni_regs *r, uint64_t rip, const struct vcpu *v)
{
    memset(r, 0, sizeof(*r));
    r->rip = rip;
    r->rflags = 0x202;
    r->gpr[X86_RSP] = UNI_STACKS + ((uint64_t)v->domid * HV_MAX_VCPUS + v->id + 1U) * PAGE_SIZE -
                      8U;
}

/* The vCPU's code stack: its top holds the sentinel, so a `ret` ends the code. */
static void uni_stack_init(struct uni *u, const struct vcpu *v, struct uni_regs *r)
{
    uint64_t sentinel = UNI_SENTINEL;
    size_t off = (size_t)(r->gpr[X86_RSP] - UNI_OWN);

    memcpy(u->own + off, &sentinel, sizeof(sentinel));
    u->stacks_used |= 1U << (v->domid * HV_MAX_VCPUS + v->id);
}

static void uni_hypercall_regs(struct uni_regs *r, unsigned nr, const uint64_t args[6])
{
    r->gpr[X86_RAX] = nr;
    r->gpr[X86_RDI] = args[0];
    r->gpr[X86_RSI] = args[1];
    r->gpr[X86_RDX] = args[2];
    r->gpr[X86_R10] = args[3];
    r->gpr[X86_R8] = args[4];
    r->gpr[X86_R9] = args[5];
}

/* A hypercall from a stub: syscall with the resolved arguments in the PV64 registers. */
static void uni_hypercall(struct uni *u, struct vcpu *v, const struct prog_op *op,
                          struct op_result *res)
{
    struct target *in = &u->inner;
    struct hv *hv = u->n->hv;
    gva_t payload_va = DOM_VA(NATIVE_PAYLOAD_GFN(&in->shape));
    uint64_t args[6] = { 0 };
    struct uni_regs r;

    native_place_payload(in, v, op, payload_va, NULL);
    for (unsigned i = 0; i < op->nr_args && i < PROG_MAX_ARGS; i++)
        args[i] = native_arg(hv, &in->shape, &op->args[i], payload_va);
    uni_stub_regs(&r, UNI_STUB + UNI_STUB_SYSCALL, v);
    uni_hypercall_regs(&r, op->nr, args);
    u->n->last_name = abi_hypercall_name(op->nr);
    uni_run(u, v, &r, UNI_STUB_BUDGET);
    uni_op_result(u, res);
    res->rc = (int64_t)u->regs.gpr[X86_RAX];
    if (u->stop == UNI_STOP_RESTART) {
        res->rc = -XEN_ERESTART;
        u->susp[v->domid][v->id] = u->regs;
        u->susp_valid[v->domid][v->id] = true;
    }
    native_capture_out(in, v, op, payload_va, res);
}

/* switch_vcpu: a vCPU preempted in a hypercall runs again from the syscall it left. */
static void uni_switch(struct uni *u, struct vcpu *v, struct op_result *res)
{
    bool *valid = &u->susp_valid[v->domid][v->id];

    res->status = OPS_RAN;
    if (!v->cont.pending) {
        *valid = false;
        return;
    }
    struct uni_regs r;
    if (*valid) {
        r = u->susp[v->domid][v->id];
    } else {
        uni_stub_regs(&r, UNI_STUB + UNI_STUB_SYSCALL, v);
        uni_hypercall_regs(&r, v->cont.nr, v->cont.args);
    }
    *valid = false;
    u->n->last_name = abi_hypercall_name(v->cont.nr);
    uni_run(u, v, &r, r.rip >= UNI_OWN ? UNI_STUB_BUDGET : UNI_DEFAULT_BUDGET);
    uni_op_result(u, res);
    res->rc = (int64_t)u->regs.gpr[X86_RAX];
    if (u->stop == UNI_STOP_RESTART) {
        res->rc = -XEN_ERESTART;
        u->susp[v->domid][v->id] = u->regs;
        *valid = true;
    }
    uni_hang(u);
}

/* guest_read / guest_write: one load or store through the guest's page tables, as a probe:
   a fault is the op's result, not the domain's end (the native target's semantics). */
static void uni_access(struct uni *u, struct vcpu *v, const struct prog_op *op,
                       struct op_result *res)
{
    struct hv *hv = u->n->hv;
    bool write = op->kind == OP_GUEST_WRITE;
    gva_t va = op->nr_args ? native_arg(hv, &u->inner.shape, &op->args[0], 0) : 0;
    uint32_t size = (op->size == 1 || op->size == 2 || op->size == 4 || op->size == 8) ? op->size
                                                                                    : 8U;
    uint64_t tag = 0;
    struct uni_regs r;
    mfn_t mfn;

    u->n->last_name = prog_kind_name(op->kind);
    /* an access with a non-canonical byte is #GP(0) before any translation (the hook would only
       see its first byte) */
    if (!gva_canonical(va) || !gva_canonical(va + size - 1U)) {
        res->status = OPS_RAN;
        res->rc = -XEN_EFAULT;
        res->fault = UNI_VEC_GP;
        return;
    }
    if (uni_mmu_reserved(va, size)) {
        res->status = OPS_UNSUPPORTED;
        return;
    }
    /* the translation the native target makes first, so both name the same frame in the tag */
    if (guest_translate(hv, v, va, write ? PFEC_WRITE : 0, &mfn, NULL) < 0)
        mfn = MFN_INVALID;
    if (write) {
        struct native_tag t = {
            .dom = v->domid,
            .gen = (uint16_t)(mfn_valid(hv, mfn) ? u->n->frame_gen[mfn] : 0),
            .mfn = mfn,
        };
        tag = native_tag_encode(&t);
    }
    unsigned k = uni_size_class(size);
    uni_stub_regs(&r, UNI_STUB + (write ? UNI_STUB_STORE : UNI_STUB_LOAD) + 0x10U * k, v);
    r.gpr[X86_RDI] = va;
    r.gpr[X86_RAX] = tag;
    uni_run(u, v, &r, UNI_STUB_BUDGET);
    uni_op_result(u, res);
    res->rc = u->fault != PROG_FAULT_NONE ? -XEN_EFAULT : 0;
    if (write || res->rc < 0 || res->status != OPS_RAN)
        return;
    res->value = size == 8 ? u->regs.gpr[X86_RAX] :
                 u->regs.gpr[X86_RAX] & ((1ULL << (size * 8U)) - 1U);
    if (size == 8 && !(va & 7U) && mfn_valid(hv, mfn))
        native_iso_read(u->n, v->domid, mfn, res->value, va);
}

/*
 * An exit op whose instruction raises that exit on a CPU (CPUID, RDMSR, WRMSR, HLT, IN, OUT):
 * the instruction runs in the exit stub with the op's registers, and the exit comes from it;
 * likewise an MMIO access whose memory operand is the record's gpa in the device window. A
 * record whose qualification disagrees with its instruction cannot come from hardware: it is
 * not run (unsupported). Other exits are not caused by one instruction on this target yet
 * (string I/O records, EPT violations, exceptions): false, and the caller hands them to the
 * monitor as records.
 */
/* MMIO: the instruction's memory operand, computed from the record's registers, must be the
   record's gpa, inside the device window (uni.h) where guest code reaches the devices. */
static bool uni_mmio_consistent(const struct prog_op *op, uint64_t qual, const uint64_t *gpr,
                                unsigned *len)
{
    struct x86_insn in;
    unsigned n = op->insn_len < PROG_MAX_INSN ? op->insn_len : PROG_MAX_INSN;

    if (x86_decode(op->insn, n, &in) != X86_OK || in.len == 0)
        return false;
    for (unsigned i = 0; i < in.nr_operands && i < 3; i++) {
        const struct x86_mem *m = &in.op[i].mem;
        if (in.op[i].kind != X86_OPND_MEM)
            continue;
        if (m->base == X86_RIP || (m->seg && m->seg != 0x3E && m->seg != 0x26 && m->seg != 0x2E &&
                                   m->seg != 0x36))
            return false;   /* rip-relative (the stub is elsewhere), fs/gs: not this record */
        uint64_t ea = (uint64_t)m->disp;
        if (m->base < 16)
            ea += gpr[m->base];
        if (m->index < 16)
            ea += gpr[m->index] * m->scale;
        if (in.addrsize == 4)
            ea &= 0xFFFFFFFFULL;
        *len = in.len;
        return ea == qual && uni_mmio_window(ea, in.opsize ? in.opsize : in.op[i].size);
    }
    return false;
}

static bool uni_exit_runs(const struct prog_op *op, uint64_t qual, const uint64_t *gpr,
                          bool *consistent, unsigned *len)
{
    uint64_t rdx = gpr[X86_RDX];
    const uint8_t *b = op->insn;
    unsigned n = op->insn_len < PROG_MAX_INSN ? op->insn_len : PROG_MAX_INSN, i = 0;
    bool o16 = false;

    *consistent = false;
    *len = 0;
    for (; i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0x2E || b[i] == 0x3E); i++)
        o16 |= b[i] == 0x66;
    if (i < n && (b[i] & 0xF0) == 0x40)
        i++;
    if (op->exit_reason == EXIT_MMIO) {
        *consistent = uni_mmio_consistent(op, qual, gpr, len);
        return true;
    }
    if (i >= n)
        return false;
    uint8_t c = b[i], c2 = i + 1U < n ? b[i + 1] : 0;
    /* the instruction alone: bytes the record carries past it are not run */
    *len = i + (c == 0x0F ? 2U : (c & 0xF4U) == 0xE4U && !(c & 8U) ? 2U : 1U);
    switch (op->exit_reason) {
    case EXIT_CPUID:     *consistent = c == 0x0F && c2 == 0xA2; return true;
    case EXIT_MSR_READ:  *consistent = c == 0x0F && c2 == 0x32; return true;
    case EXIT_MSR_WRITE: *consistent = c == 0x0F && c2 == 0x30; return true;
    case EXIT_HLT:       *consistent = c == 0xF4; return true;
    case EXIT_IO:
        if ((c & 0xF4U) != 0xE4U)
            return false;   /* string forms and others go as records */
        {
            unsigned size = (c & 1U) ? (o16 ? 2U : 4U) : 1U;
            bool in = !(c & 2U);
            uint16_t port = (c & 8U) ? (uint16_t)rdx : (i + 1U < n ? b[i + 1] : 0xFFFFU);
            if (!(c & 8U) && i + 1U >= n)
                return true;
            *consistent = qual == EXIT_IO_QUAL(port, size, in);
        }
        return true;
    default:
        return false;
    }
}

static bool uni_exit_op(struct uni *u, struct vcpu *v, const struct prog_op *op,
                        struct op_result *res)
{
    struct target *in = &u->inner;
    struct hv *hv = u->n->hv;
    gva_t payload_va = DOM_VA(NATIVE_PAYLOAD_GFN(&in->shape));
    struct uni_regs r;
    bool consistent;
    unsigned len;

    uint64_t qual = native_arg(hv, &in->shape, &op->qual, payload_va);
    uint64_t gpr[16];
    for (unsigned i = 0; i < 16; i++)
        gpr[i] = native_arg(hv, &in->shape, &op->regs[i], payload_va);
    if (!uni_exit_runs(op, qual, gpr, &consistent, &len))
        return false;   /* a record, as the native target runs it */
    u->n->last_name = abi_exit_reason_name(op->exit_reason);
    if (!consistent || len > op->insn_len) {
        res->status = OPS_UNSUPPORTED;
        return true;
    }
    native_place_payload(in, v, op, payload_va, NULL);
    uni_stub_regs(&r, UNI_STUB_EXIT, v);
    /* every register the record states, rsp too: the stub ends with a jump, not a ret */
    for (unsigned i = 0; i < 16; i++)
        r.gpr[i] = gpr[i];
    r.rflags = native_arg(hv, &in->shape, &op->regs[PROG_EXIT_RFLAGS], payload_va);
    uint8_t code[PROG_MAX_INSN + 5];
    memcpy(code, op->insn, len);
    uni_jmp_sentinel(code, len, UNI_STUB_EXIT);
    /* only when the bytes change: the old translation must go too (uc_mem_write into memory
       mapped from a pointer does not drop it in 2.0.1) */
    if (memcmp(u->own + (UNI_STUB_EXIT - UNI_OWN), code, len + 5U) != 0) {
        memcpy(u->own + (UNI_STUB_EXIT - UNI_OWN), code, len + 5U);
        uc_ctl_remove_cache(u->uc, UNI_STUB_EXIT, UNI_STUB_EXIT + sizeof(code));
    }
    u->mmio_expect = op->exit_reason == EXIT_MMIO ? qual : 0;
    uni_run(u, v, &r, UNI_STUB_BUDGET);
    u->mmio_expect = 0;
    uni_op_result(u, res);
    /* an MMIO record whose access went outside the device window faulted there instead: it
       cannot come from hardware either (the access was abandoned, nothing ran) */
    if (op->exit_reason == EXIT_MMIO && !u->nr_exits && res->status == OPS_RAN) {
        res->status = OPS_UNSUPPORTED;
        res->fault = PROG_FAULT_NONE;
        res->pfec = 0;
    }
    res->rc = u->exit_action >= 0 ? u->exit_action : EXIT_INVALID;
    res->value = u->regs.gpr[X86_RAX];
    /* an exit op reports the exception its exit injected; the domain goes on (a probe) */
    res->nr_exits = 0;
    native_capture_out(in, v, op, payload_va, res);
    return true;
}

/* guest_code: the op's payload is the code, placed where payloads go and run from its start. */
static void uni_code(struct uni *u, struct vcpu *v, const struct prog_op *op,
                     struct op_result *res)
{
    struct target *in = &u->inner;
    gva_t va = DOM_VA(NATIVE_PAYLOAD_GFN(&in->shape));
    struct uni_regs r;

    u->n->last_name = prog_kind_name(op->kind);
    /* written behind Unicorn's back: uni_run drops what it translated from the old bytes. Where
       the guest's own tables no longer let the payload page be written (remapped read-only or
       away), the code cannot be placed: the op does not run, rather than run stale bytes. */
    uint32_t pfec;
    if (native_place_payload(in, v, op, va, &pfec) < 0) {
        res->status = OPS_NOT_RUN;
        res->rc = -XEN_EFAULT;
        res->pfec = pfec;
        return;
    }
    uni_stub_regs(&r, va, v);
    uni_stack_init(u, v, &r);
    uni_run(u, v, &r, op->imm ? op->imm : UNI_DEFAULT_BUDGET);
    uni_op_result(u, res);
    res->rc = (int64_t)u->regs.gpr[X86_RAX];
    if (u->stop == UNI_STOP_RESTART) {
        u->susp[v->domid][v->id] = u->regs;
        u->susp_valid[v->domid][v->id] = true;
    }
    /* a PV guest without a trap table for the exception: Xen crashes the domain */
    if (u->stop == UNI_STOP_FAULT)
        dom_crash(&u->n->hv->dom[v->domid]);
    uni_hang(u);
}

/* The scheduling pattern, exit records no instruction raises here, ops of vCPUs that cannot
   run: as the native target runs them, its work counted in this target's bound. */
static int uni_native_op(struct target *t, struct uni *u, const struct prog_op *op,
                         struct op_result *res)
{
    uint64_t steps = u->inner.steps;
    int rc = native_run_op(&u->inner, op, res);

    t->steps += u->inner.steps - steps;
    return rc;
}

int uni_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    struct uni *u = t->priv;
    struct native *n = u->n;
    struct hv *hv = n->hv;
    struct domain *d = op->dom < HV_MAX_DOMAINS ? dom_get(hv, op->dom) : NULL;
    struct vcpu *v = dom_vcpu(d, op->vcpu);
    uint32_t work = hv->preempt_idx;

    /* the toolstack's migration rebuilds a domain under the shadow MMU's aliases: not offered */
    if (op->kind == OP_MIGRATE) {
        res->status = OPS_UNSUPPORTED;
        return 0;
    }
    if (op->kind == OP_GUEST_CODE && (!vcpu_runnable(hv, v) || v->blocked)) {
        res->status = OPS_NOT_RUN;   /* a halted vCPU runs no code until an event wakes it */
        res->rc = -XEN_ESRCH;
        native_note_op(n);
        return 0;
    }
    if (op->kind == OP_EXIT && vcpu_runnable(hv, v) && !v->blocked) {
        uni_op_start(u);
        native_op_begin(n, true);
        if (uni_exit_op(u, v, op, res)) {
            native_op_end(t, n, work);
            return 0;
        }
    }
    if (op->kind == OP_PREEMPT || op->kind == OP_EXIT || !vcpu_runnable(hv, v))
        return uni_native_op(t, u, op, res);
    if (op->kind != OP_SWITCH_VCPU)
        u->susp_valid[v->domid][v->id] = false;   /* the guest did not re-issue: abandoned */
    uni_op_start(u);
    native_op_begin(n, op->kind != OP_GUEST_READ);
    switch (op->kind) {
    case OP_HYPERCALL:   uni_hypercall(u, v, op, res); break;
    case OP_GUEST_READ:
    case OP_GUEST_WRITE: uni_access(u, v, op, res); break;
    case OP_SWITCH_VCPU:
        n->last_name = prog_kind_name(OP_SWITCH_VCPU);
        uni_switch(u, v, res);
        t->steps++;
        break;
    case OP_GUEST_CODE:  uni_code(u, v, op, res); break;
    default:             res->status = OPS_UNSUPPORTED; break;
    }
    u->v = NULL;
    native_op_end(t, n, work);
    return 0;
}
