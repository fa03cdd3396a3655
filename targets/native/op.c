/* The native target's operations: argument resolution, payload placement, hypercalls, guest accesses. */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/migrate.h"
#include "targets/native/native.h"

/* Arguments of a domain id the machine does not have resolve to their raw index. */
static struct domain *native_arg_dom(struct hv *hv, uint8_t dom)
{
    return dom < HV_MAX_DOMAINS ? dom_get(hv, dom) : NULL;
}

static mfn_t native_arg_mfn(struct hv *hv, const struct prog_shape *s, const struct prog_arg *a)
{
    struct domain *d = native_arg_dom(hv, a->dom);

    if (!d)
        return a->a;
    return d->p2m[a->a % s->dom_pages];
}

/* The (a mod count)-th port of d that is not free; a itself if there is none. */
static uint64_t native_arg_port(const struct domain *d, uint16_t a)
{
    unsigned live = 0, k;

    if (!d)
        return a;
    /* the ports a guest can use: EVTCHNOP_status says closed for the free and the reserved */
    for (unsigned p = 0; p < d->evtchn_valid; p++)
        live += d->evtchn[p].state > ECS_RESERVED;
    if (!live)
        return a;
    k = a % live;
    for (unsigned p = 0; p < d->evtchn_valid; p++)
        if (d->evtchn[p].state > ECS_RESERVED && k-- == 0)
            return p;
    return a;
}

/* The (a mod count)-th maptrack handle of d in use; a itself if there is none. */
static uint64_t native_arg_handle(const struct domain *d, uint16_t a)
{
    unsigned live = 0, k;

    if (!d)
        return a;
    /* no handle from maptrack_hi up was handed out: those entries are all zero */
    unsigned hi = d->gnt.maptrack_hi < GNT_MAX_MAPTRACK ? d->gnt.maptrack_hi : GNT_MAX_MAPTRACK;
    for (unsigned h = 0; h < hi; h++)
        live += d->gnt.maptrack[h].in_use;
    if (!live)
        return a;
    k = a % live;
    for (unsigned h = 0; h < hi; h++)
        if (d->gnt.maptrack[h].in_use && k-- == 0)
            return h;
    return a;
}

/* Grant refs are taken modulo the entries the domain's table has now (version dependent). */
static uint64_t native_arg_gref(const struct domain *d, uint16_t a)
{
    uint32_t per, nr;

    if (!d)
        return a;
    per = d->gnt.version == 2 ? (uint32_t)GNT_V2_PER_FRAME : (uint32_t)GNT_V1_PER_FRAME;
    nr = d->gnt.nr_frames * per;
    return nr ? a % nr : a;
}

/* The (i mod count)-th grant-table or status frame d has now; MFN_INVALID if it has none. */
static mfn_t native_arg_gnt_frame(const struct domain *d, uint16_t i, bool status)
{
    uint32_t n;

    if (!d)
        return MFN_INVALID;
    if (status) {
        n = d->gnt.nr_status_frames < GNT_MAX_STATUS ? d->gnt.nr_status_frames : GNT_MAX_STATUS;
        return n ? d->gnt.status[i % n] : MFN_INVALID;
    }
    n = d->gnt.nr_frames < GNT_MAX_FRAMES ? d->gnt.nr_frames : GNT_MAX_FRAMES;
    return n ? d->gnt.frames[i % n] : MFN_INVALID;
}

static uint64_t native_arg_pte(mfn_t mfn, uint64_t flags)
{
    return ((mfn << PAGE_SHIFT) & PTE_ADDR_MASK) | (flags & ~PTE_ADDR_MASK);
}

uint64_t native_arg_resolve(struct hv *hv, const struct prog_shape *s, const struct prog_arg *a,
                            gva_t payload_va)
{
    uint64_t mfn;

    switch (a->kind) {
    case ARG_IMM:
        return a->imm;
    case ARG_DOMID:
        return a->a == 1 ? DOMID_SELF : a->dom;
    case ARG_MFN:
        return native_arg_mfn(hv, s, a);
    case ARG_GFN:
        return a->a % s->dom_pages;
    case ARG_MADDR:
        /* offsets past the page reach into the next frame, as an address sum does */
        return (native_arg_mfn(hv, s, a) << PAGE_SHIFT) + a->b;
    case ARG_GVA:
        /* prog_validate keeps a below dom_pages */
        return DOM_VA(a->a) + a->b;
    case ARG_PTE:
        return native_arg_pte(native_arg_mfn(hv, s, a), a->imm);
    case ARG_PAYLOAD:
        return payload_va + a->b;
    case ARG_GREF:
        return native_arg_gref(native_arg_dom(hv, a->dom), a->a);
    case ARG_PORT:
        return native_arg_port(native_arg_dom(hv, a->dom), a->a);
    case ARG_HANDLE:
        return native_arg_handle(native_arg_dom(hv, a->dom), a->a);
    case ARG_VCPUID:
        return a->a % s->nr_vcpus;
    case ARG_GPA:
        return ((uint64_t)(a->a % s->dom_pages) << PAGE_SHIFT) + a->b;
    case ARG_GNTFRAME:
    case ARG_STATUSFRAME:
        return native_arg_gnt_frame(native_arg_dom(hv, a->dom), a->a, a->kind == ARG_STATUSFRAME);
    case ARG_GNTPTE:
    case ARG_STATUSPTE:
        mfn = native_arg_gnt_frame(native_arg_dom(hv, a->dom), a->a, a->kind == ARG_STATUSPTE);
        return native_arg_pte(mfn, a->imm);
    default:
        return a->imm;
    }
}

/* The value's width low bytes at p, least significant first, whatever the host's byte order
   (the usual widths as one store each: a memcpy of a variable width is a library call). */
static void native_put_le(uint8_t *p, uint64_t val, unsigned width)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t w4 = (uint32_t)val;
    uint16_t w2 = (uint16_t)val;

    switch (width) {
    case 8: memcpy(p, &val, 8); return;
    case 4: memcpy(p, &w4, 4); return;
    case 2: memcpy(p, &w2, 2); return;
    default: break;
    }
#endif
    for (unsigned i = 0; i < width; i++)
        p[i] = (uint8_t)(val >> (8U * i));
}

/*
 * The payload goes where the calling vCPU's own page tables put its payload area, by an ordinary
 * guest write: if that faults (the guest unmapped it), the hypercall sees whatever is there, as a
 * real guest's would.
 */
int native_place_payload(struct target *t, struct vcpu *v, const struct prog_op *op,
                         gva_t payload_va, uint32_t *pfec)
{
    struct native *n = t->priv;
    uint8_t buf[PROG_MAX_PAYLOAD];
    size_t len = op->payload_len < PROG_MAX_PAYLOAD ? op->payload_len : PROG_MAX_PAYLOAD;

    if (pfec)
        *pfec = 0;
    if (!len)
        return 0;
    memcpy(buf, op->payload, len);
    for (unsigned i = 0; i < op->nr_fixups && i < PROG_MAX_FIXUPS; i++) {
        const struct prog_fixup *fx = &op->fixups[i];
        uint64_t val = native_arg(n->hv, &t->shape, &fx->arg, payload_va);
        if (fx->width > 8 || (size_t)fx->off + fx->width > len)
            continue;
        native_put_le(buf + fx->off, val, fx->width);
    }
    return guest_write(n->hv, v, payload_va, buf, len, pfec);
}

void native_uregs_stub(struct vcpu *v, uint32_t nr, gva_t payload_va)
{
    v->uregs = (struct pv_uregs){
        .rax = nr, .rsp = payload_va, .rflags = 0x202U,
        .cs = PV_FLAT_KERNEL_CS, .ss = PV_FLAT_KERNEL_SS,
    };
}

/* The payload as the guest's memory holds it after the op: what the monitor wrote back. */
void native_capture_out(struct target *t, struct vcpu *v, const struct prog_op *op,
                        gva_t payload_va, struct op_result *res)
{
    struct native *n = t->priv;
    size_t len = op->payload_len < PROG_MAX_PAYLOAD ? op->payload_len : PROG_MAX_PAYLOAD;

    if (!res->out || !len)
        return;
    /* a read of the guest's own mapping, which may have gone: then nothing is readable */
    if (guest_read(n->hv, v, payload_va, res->out, len, NULL) == 0)
        res->out_len = (uint16_t)len;
}

static void native_hypercall(struct target *t, struct vcpu *v, const struct prog_op *op,
                             struct op_result *res)
{
    struct native *n = t->priv;
    gva_t payload_va = DOM_VA(NATIVE_PAYLOAD_GFN(&t->shape));
    uint64_t args[6] = { 0 };

    native_place_payload(t, v, op, payload_va, NULL);
    for (unsigned i = 0; i < op->nr_args && i < PROG_MAX_ARGS; i++)
        args[i] = native_arg(n->hv, &t->shape, &op->args[i], payload_va);
    native_uregs_stub(v, op->nr, payload_va);
    res->rc = hv_hypercall(n->hv, v, op->nr, args);
    res->status = res->rc == -XEN_ERESTART ? OPS_RESTART : OPS_RAN;
    n->last_hc = op->nr;
    native_capture_out(t, v, op, payload_va, res);
}

/* The vector a faulting guest access raises: a non-canonical address is a #GP(0), as on
   hardware (the walker only says it cannot be translated); anything else the walker refuses is
   a page fault with the error code it gave. */
#define NATIVE_VEC_GP 13U
#define NATIVE_VEC_PF 14U
static uint8_t native_fault_vec(gva_t va, uint32_t size, uint32_t *pfec)
{
    if (gva_canonical(va) && gva_canonical(va + size - 1U))
        return NATIVE_VEC_PF;
    *pfec = 0;
    return NATIVE_VEC_GP;
}

static bool native_size_ok(uint32_t size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Whether what lies at va in frame mfn holds machine frame numbers: the frame is a page table
   or one the hypervisor shares (grant and status entries), or the 8 bytes around va are a
   write tag (it names its frame). */
static bool native_value_machine(const struct hv *hv, mfn_t mfn, gva_t va)
{
    struct native_tag tag;
    uint64_t word;

    if (!mfn_valid(hv, mfn))
        return false;
    uint8_t type = hv->frames[mfn].type;
    if ((type >= PGT_l1 && type <= PGT_l4) || type == PGT_shared)
        return true;
    memcpy(&word, hv->mem + (size_t)mfn * PAGE_SIZE + (va & (PAGE_SIZE - 8U)), sizeof(word));
    return native_tag_decode(word, &tag);
}

static void native_guest_access(struct target *t, struct vcpu *v, const struct prog_op *op,
                                struct op_result *res)
{
    struct native *n = t->priv;
    struct hv *hv = n->hv;
    bool write = op->kind == OP_GUEST_WRITE;
    gva_t va = op->nr_args ? native_arg(hv, &t->shape, &op->args[0], 0) : 0;
    uint32_t size = native_size_ok(op->size) ? op->size : 8;
    uint64_t value = 0;
    mfn_t mfn;

    /* the monitor's own translation, so the tag names the frame the access below reaches; the
       access then finds it in the TLB (a fault faults again there and is reported from it) */
    if (guest_translate(hv, v, va, write ? PFEC_WRITE : 0, &mfn, NULL) < 0)
        mfn = MFN_INVALID;

    n->last_name = prog_kind_name(op->kind);
    res->status = OPS_RAN;
    if (write) {
        struct native_tag tag = {
            .dom = v->domid,
            .gen = (uint16_t)(mfn_valid(hv, mfn) ? n->frame_gen[mfn] : 0),
            .mfn = mfn,
        };
        /* little-endian: a short write stores the tag's low bytes */
        value = native_tag_encode(&tag);
        /* a store crossing into a page it may not write writes nothing, as on hardware (the
           monitor's copy_to_guest stops at the first bad byte instead, as Xen's does) */
        gva_t last = va + size - 1U;
        mfn_t m2;
        if ((last ^ va) >> PAGE_SHIFT &&
            (guest_translate(hv, v, va, PFEC_WRITE, &m2, &res->pfec) < 0 ||
             guest_translate(hv, v, last, PFEC_WRITE, &m2, &res->pfec) < 0)) {
            res->rc = -XEN_EFAULT;
            res->fault = native_fault_vec(va, size, &res->pfec);
            return;
        }
        res->rc = guest_write(hv, v, va, &value, size, &res->pfec);
        if (res->rc < 0)
            res->fault = native_fault_vec(va, size, &res->pfec);
        return;
    }
    res->rc = guest_read(hv, v, va, &value, size, &res->pfec);
    if (res->rc < 0)
        res->fault = native_fault_vec(va, size, &res->pfec);
    res->value = res->rc == 0 ? value : 0;
    /* only a differential run (which captures payloads) asks: a read's hot path stays as it was */
    if (res->rc == 0 && t->opts.capture_out && native_value_machine(hv, mfn, va))
        res->flags |= OPR_VALUE_MACHINE;
    if (res->rc == 0 && size == 8 && !(va & 7U) && mfn_valid(hv, mfn))
        native_iso_read(n, v->domid, mfn, value, va);
}

/* Names for signatures and reports ("audit:DMA:exit_mmio"): static, one per reason. */
#define NATIVE_X_EXIT_NAME(id, name) [id] = "exit_" #name,
static const char *const native_exit_names[EXIT_NR] = { ABI_EXIT_REASONS(NATIVE_X_EXIT_NAME) };
#undef NATIVE_X_EXIT_NAME

/*
 * An exit: the payload goes into guest memory first (a descriptor ring, a string I/O buffer),
 * then the record built from the resolved arguments is handed to hv_exit. rc is the action,
 * value rax afterwards, pfec the error code of an injected exception. A device access whose DMA
 * log moved is flagged for the device audit after this op: the log keeps only DMA_LOG_SIZE
 * entries, so the end-of-program audit would miss a breach that later accesses pushed out.
 */
static void native_exit(struct target *t, struct vcpu *v, const struct prog_op *op,
                        struct op_result *res)
{
    struct native *n = t->priv;
    struct hv *hv = n->hv;
    gva_t payload_va = DOM_VA(NATIVE_PAYLOAD_GFN(&t->shape));
    struct exit_record x;
    struct exit_result r;

    native_place_payload(t, v, op, payload_va, NULL);
    memset(&x, 0, sizeof(x));
    x.reason = op->exit_reason;
    x.qual = native_arg(hv, &t->shape, &op->qual, payload_va);
    x.gla = native_arg(hv, &t->shape, &op->gla, payload_va);
    for (unsigned i = 0; i < 16; i++)
        x.regs.gpr[i] = native_arg(hv, &t->shape, &op->regs[i], payload_va);
    x.regs.rip = native_arg(hv, &t->shape, &op->regs[PROG_EXIT_RIP], payload_va);
    x.regs.rflags = native_arg(hv, &t->shape, &op->regs[PROG_EXIT_RFLAGS], payload_va);
    x.insn_len = op->insn_len < X86_MAX_INSN_LEN ? op->insn_len : X86_MAX_INSN_LEN;
    memcpy(x.insn, op->insn, x.insn_len);

    uint32_t logged = hv->dom[v->domid].dma.log_total;
    enum exit_action a = hv_exit(hv, v, &x, &r);
    n->dma_moved = hv->dom[v->domid].dma.log_total != logged;
    res->status = OPS_RAN;
    res->rc = a;
    res->value = r.regs.gpr[X86_RAX];
    res->pfec = r.error_code;
    if (a == EXIT_INJECT_GP || a == EXIT_INJECT_UD || a == EXIT_INJECT_PF || a == EXIT_INJECT_EXC)
        res->fault = r.vector;
    native_capture_out(t, v, op, payload_va, res);
    n->last_name = x.reason < EXIT_NR ? native_exit_names[x.reason] : "exit";
}

void native_op_begin(struct native *n, bool changes)
{
    /* promises are per op: the check after the last one has judged them (or the audit is off) */
    tlb_promise_clear(n->hv);
    n->last_op = n->op_index;
    n->last_changed = changes;
    n->dma_moved = false;
    n->last_name = NULL;
    n->last_hc = -1;
}

const char *native_last_name(const struct native *n)
{
    if (n->last_name)
        return n->last_name;
    return n->last_hc >= 0 ? abi_hypercall_name((uint32_t)n->last_hc) : NULL;
}

void native_op_end(struct target *t, struct native *n, uint32_t work)
{
    /* the monitor's preemption checks count its units of work: the work bound includes them */
    t->steps += (uint32_t)(n->hv->preempt_idx - work);
    native_note_op(n);
}

/* The toolstack migrates op->dom (monitor/migrate.c); the oracle's mismatch is latched as the
   finding the next check reports (the slot isolation findings use: one op finds one). */
static void native_migrate(struct native *n, const struct prog_op *op, struct op_result *res)
{
    struct mig_report rep;

    n->last_name = prog_kind_name(OP_MIGRATE);
    n->last_changed = true;
    res->status = OPS_RAN;
    res->rc = mig_op(n->hv, op->dom, (unsigned)op->imm, &rep);
    if (!rep.found || n->iso_pending)
        return;
    n->iso_pending = true;
    memset(&n->iso, 0, sizeof(n->iso));
    n->iso.oracle = ORACLE_MIGRATE;
    snprintf(n->iso.signature, sizeof(n->iso.signature), "migrate:%s", rep.what);
    if (strcmp(rep.what, "LOGDIRTY") == 0) {
        n->iso.oracle = ORACLE_AUDIT;
        snprintf(n->iso.signature, sizeof(n->iso.signature), "audit:LOGDIRTY:migrate");
    }
    snprintf(n->iso.detail, sizeof(n->iso.detail), "migrate d%u %s: %s", op->dom,
             prog_migrate_phase_name(op->imm), rep.detail);
}

int native_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    struct native *n = t->priv;
    struct hv *hv = n->hv;
    struct domain *d = op->dom < HV_MAX_DOMAINS ? dom_get(hv, op->dom) : NULL;
    struct vcpu *v = dom_vcpu(d, op->vcpu);
    uint32_t work = hv->preempt_idx;

    native_op_begin(n, false);
    switch (op->kind) {
    case OP_PREEMPT:
        hv->preempt_pattern = op->imm;
        res->status = OPS_RAN;
        n->last_name = prog_kind_name(OP_PREEMPT);
        break;
    case OP_EXIT:
        /* a halted vCPU takes no exits until an event wakes it */
        if (!vcpu_runnable(hv, v) || v->blocked) {
            res->status = OPS_NOT_RUN;
            res->rc = -XEN_ESRCH;
            break;
        }
        native_exit(t, v, op, res);
        n->last_changed = true;
        break;
    case OP_HYPERCALL:
    case OP_GUEST_READ:
    case OP_GUEST_WRITE:
    case OP_SWITCH_VCPU:
        if (!vcpu_runnable(hv, v)) {
            res->status = OPS_NOT_RUN;
            res->rc = -XEN_ESRCH;
            break;
        }
        if (op->kind == OP_HYPERCALL) {
            native_hypercall(t, v, op, res);
        } else if (op->kind == OP_SWITCH_VCPU) {
            n->last_name = prog_kind_name(OP_SWITCH_VCPU);
            res->status = OPS_RAN;
            if (v->cont.pending) {
                n->last_name = abi_hypercall_name(v->cont.nr);
                res->rc = hv_continue(hv, v);
                res->status = res->rc == -XEN_ERESTART ? OPS_RESTART : OPS_RAN;
                t->steps++;   /* a re-issue is work of its own */
            }
        } else {
            native_guest_access(t, v, op, res);
        }
        /* reads only fill the TLB from the tables the audit has already seen */
        n->last_changed = op->kind != OP_GUEST_READ;
        break;
    case OP_MIGRATE:
        native_migrate(n, op, res);
        break;
    case OP_GUEST_CODE:
        /* machine code needs a CPU (an emulator or hardware); the native target calls the
           monitor's handlers directly and has none: refused before anything is touched */
        res->status = OPS_UNSUPPORTED;
        break;
    default:
        res->status = OPS_UNSUPPORTED;
        break;
    }
    native_op_end(t, n, work);
    return 0;
}
