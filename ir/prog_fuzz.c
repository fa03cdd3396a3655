/* Lenient fuzz decoder: turns any byte string into a valid, mostly meaningful program. */
#include <string.h>

#include "hvfuzz/xen.h"
#include "ir/exit_tmpl.h"
#include "ir/prog_internal.h"

/*
 * Input layout: one shape byte, then operations until the bytes run out. Each operation starts
 * with an opcode byte (0xc0 and up: an exit); its fields follow as bytes. Reading past the end yields zeros, so any
 * input is accepted, and an operation is only started while input remains, so the op count is
 * bounded by the input length (and PROG_MAX_OPS).
 */
struct prog_fz {
    const uint8_t *d;
    size_t len, pos;
};

static uint8_t prog_fz_u8(struct prog_fz *z)
{
    return z->pos < z->len ? z->d[z->pos++] : 0;
}

static uint16_t prog_fz_u16(struct prog_fz *z)
{
    uint16_t lo = prog_fz_u8(z);
    return (uint16_t)(lo | prog_fz_u8(z) << 8);
}

static uint32_t prog_fz_u32(struct prog_fz *z)
{
    uint32_t lo = prog_fz_u16(z);
    return lo | (uint32_t)prog_fz_u16(z) << 16;
}

static uint64_t prog_fz_u64(struct prog_fz *z)
{
    uint64_t lo = prog_fz_u32(z);
    return lo | (uint64_t)prog_fz_u32(z) << 32;
}

/*
 * Eight machines, from one domain of 16 pages to four of 128: a harness opens each once and keeps
 * it (building a machine costs far more than running a program on it), where the 256 shapes the
 * byte used to select made it rebuild one for most inputs. Every pool has room for each domain to
 * double (populate_physmap, exchanges). The first is the shape of the recorded seed programs.
 */
static const struct prog_shape prog_fz_shapes[8] = {
    { .nr_frames = 512,  .nr_domains = 3, .nr_vcpus = 2, .dom_pages = 64 },
    { .nr_frames = 256,  .nr_domains = 1, .nr_vcpus = 1, .dom_pages = 64 },
    { .nr_frames = 256,  .nr_domains = 2, .nr_vcpus = 2, .dom_pages = 32 },
    { .nr_frames = 512,  .nr_domains = 4, .nr_vcpus = 4, .dom_pages = 32 },
    { .nr_frames = 256,  .nr_domains = 2, .nr_vcpus = 4, .dom_pages = 16 },
    { .nr_frames = 1024, .nr_domains = 2, .nr_vcpus = 2, .dom_pages = 128 },
    { .nr_frames = 512,  .nr_domains = 3, .nr_vcpus = 3, .dom_pages = 64 },
    { .nr_frames = 2048, .nr_domains = 4, .nr_vcpus = 2, .dom_pages = 128 },
};

/* Selector bytes from 0xf0 up (1 in 16) pick the unusual value: rare but always reachable. */
#define PROG_FZ_RARE(b) ((b) >= 0xf0)

/* Frame indices mostly inside the domain, rarely any value (the target reduces them). */
static uint16_t prog_fz_gfn(struct prog_fz *z, const struct prog_shape *s)
{
    uint8_t b = prog_fz_u8(z);
    return PROG_FZ_RARE(b) ? prog_fz_u16(z) : (uint16_t)(b % s->dom_pages);
}

static void prog_fz_resource(struct prog_fz *z, struct prog_arg *a, unsigned kind,
                             const struct prog_shape *s, unsigned payload_len)
{
    memset(a, 0, sizeof(*a));
    a->kind = (uint8_t)kind;
    if (prog_arg_fields[kind] & PROG_F_DOM)
        a->dom = (uint8_t)(prog_fz_u8(z) % s->nr_domains);
    switch (kind) {
    case ARG_IMM:
        a->imm = prog_fz_u64(z);
        break;
    case ARG_DOMID:
        if ((prog_fz_u8(z) & 3) == 0) {
            a->a = 1;   /* DOMID_SELF */
            a->dom = 0;
        }
        break;
    case ARG_MFN:
    case ARG_GFN:
        a->a = prog_fz_gfn(z, s);
        break;
    case ARG_MADDR:
    case ARG_GVA:
    case ARG_GPA: {
        a->a = prog_fz_gfn(z, s);
        /* a gva past the pages is invalid: wrap it here, where the target used to */
        if (kind == ARG_GVA)
            a->a %= s->dom_pages;
        /* PTE-sized steps reach every slot of a page table; misaligned offsets are rare. */
        uint16_t v = prog_fz_u16(z);
        a->b = v % PROG_MAX_BYTE_OFF;
        if (!PROG_FZ_RARE(v >> 8))
            a->b &= ~7U;
        break;
    }
    case ARG_PTE:
    case ARG_GNTPTE:
    case ARG_STATUSPTE: {
        /* a grant or status frame index is small and taken modulo the frames in use */
        a->a = kind == ARG_PTE ? prog_fz_gfn(z, s) : prog_fz_u8(z);
        uint64_t v = prog_fz_u64(z);
        a->imm = v & ~PTE_ADDR_MASK;
        /* Present entries are the interesting ones: an unused address bit decides. */
        if (!(v & (1ULL << PAGE_SHIFT)))
            a->imm |= _PAGE_PRESENT;
        break;
    }
    case ARG_PAYLOAD: {
        /* Mostly a record boundary inside the buffer, rarely anywhere (its end, beyond). */
        uint8_t b = prog_fz_u8(z);
        if (PROG_FZ_RARE(b))
            a->b = (uint32_t)(prog_fz_u16(z) % PROG_MAX_BYTE_OFF);
        else if (payload_len)
            a->b = (uint32_t)((b * 8U) % payload_len);
        break;
    }
    default:   /* GREF, PORT, HANDLE, VCPUID, grant and status frames: small indices, resolved
                  modulo by the target */
        a->a = prog_fz_u8(z);
        break;
    }
}

static void prog_fz_imm(struct prog_fz *z, struct prog_arg *a, unsigned hint)
{
    memset(a, 0, sizeof(*a));
    a->kind = ARG_IMM;
    switch (hint) {
    case ABI_H_COUNT:
    case ABI_H_CMD: {
        uint8_t b = prog_fz_u8(z);
        a->imm = PROG_FZ_RARE(b) ? prog_fz_u32(z) : b & 0x1f;
        break;
    }
    case ABI_H_FLAGS:
        a->imm = prog_fz_u8(z) & 7;
        break;
    default:
        a->imm = prog_fz_u64(z);
        break;
    }
}

/* The kind an argument of this hint usually has; fz_arg strays from it now and then. */
static unsigned prog_fz_hint_kind(unsigned hint, uint8_t sel)
{
    static const uint8_t any[] = { ARG_IMM, ARG_DOMID, ARG_MFN, ARG_GFN, ARG_MADDR, ARG_GVA,
                                   ARG_PTE, ARG_PAYLOAD, ARG_GREF, ARG_PORT, ARG_HANDLE,
                                   ARG_VCPUID, ARG_GNTFRAME, ARG_STATUSFRAME, ARG_GNTPTE,
                                   ARG_STATUSPTE };
    switch (hint) {
    case ABI_H_PTR:
        return ARG_PAYLOAD;
    case ABI_H_DOMID:
        return ARG_DOMID;
    case ABI_H_VCPU:
        return ARG_VCPUID;
    case ABI_H_VA:
        return ARG_GVA;
    case ABI_H_PTE:
        return ARG_PTE;
    case ABI_H_MADDR:
        return ARG_MADDR;
    case ABI_H_COUNT:
    case ABI_H_CMD:
    case ABI_H_FLAGS:
        return ARG_IMM;
    default:
        return any[sel % sizeof(any)];
    }
}

static void prog_fz_arg(struct prog_fz *z, struct prog_arg *a, unsigned hint,
                        const struct prog_shape *s, unsigned payload_len)
{
    uint8_t sel = prog_fz_u8(z);
    /* One in eight args ignores the hint, so wrong-typed arguments are exercised too. */
    unsigned kind = (sel & 7) == 7 ? prog_fz_hint_kind(ABI_H_ANY, sel >> 3)
                                   : prog_fz_hint_kind(hint, sel >> 3);
    if (kind == ARG_IMM)
        prog_fz_imm(z, a, hint);
    else
        prog_fz_resource(z, a, kind, s, payload_len);
}

static void prog_fz_hypercall(struct prog_fz *z, struct prog_op *op, const struct prog_shape *s)
{
    uint8_t h = prog_fz_u8(z);
    const struct abi_hypercall *hc = NULL;
    unsigned nargs;

    /* Mostly real hypercalls; the rest probe unimplemented and out-of-table numbers. */
    if (h < 0xf0) {
        hc = &abi_hypercalls[h % ABI_NR_HYPERCALLS];
        op->nr = hc->nr;
        nargs = hc->nargs;
    } else {
        op->nr = h == 0xff ? prog_fz_u32(z) : prog_fz_u8(z);
        nargs = prog_fz_u8(z) % (PROG_MAX_ARGS + 1);
    }
    op->nr_args = (uint8_t)nargs;

    /* Payload sizes in 8-byte steps (the ABI structs are 8-byte aligned), mostly a few records
       (up to 120 bytes) so that input bytes go to operations rather than to payload. */
    uint8_t pl = prog_fz_u8(z);
    op->payload_len = (uint16_t)((pl < 0xc0 ? pl & 0xf : pl & 0x3f) * 8U);
    for (unsigned i = 0; i < nargs; i++)
        prog_fz_arg(z, &op->args[i], hc ? hc->hints[i] : ABI_H_ANY, s, op->payload_len);
    for (unsigned i = 0; i < op->payload_len; i++)
        op->payload[i] = prog_fz_u8(z);

    static const uint8_t widths[8] = { 8, 8, 8, 8, 4, 4, 2, 1 };
    static const uint8_t fix_kinds[8] = { ARG_MADDR, ARG_PTE, ARG_MFN, ARG_GFN,
                                          ARG_DOMID, ARG_GREF, ARG_PORT, ARG_PAYLOAD };
    unsigned nfix = op->payload_len ? prog_fz_u8(z) % 5U : 0;
    for (unsigned i = 0; i < nfix; i++) {
        struct prog_fixup *f = &op->fixups[op->nr_fixups];
        uint8_t b = prog_fz_u8(z);
        f->width = widths[b & 7];
        if (f->width > op->payload_len)
            continue;
        /* Naturally aligned, as the fields of the ABI structs it patches are. */
        unsigned slots = (op->payload_len - f->width) / f->width + 1U;
        f->off = (uint16_t)((prog_fz_u8(z) % slots) * f->width);
        prog_fz_resource(z, &f->arg, fix_kinds[(b >> 3) & 7], s, op->payload_len);
        op->nr_fixups++;
    }
}

static void prog_fz_guest(struct prog_fz *z, struct prog_op *op, const struct prog_shape *s)
{
    static const uint8_t sizes[4] = { 8, 4, 2, 1 };
    uint8_t b = prog_fz_u8(z);

    op->size = sizes[b & 3];
    op->nr_args = 1;
    /* Mostly guest VAs of domain frames; sometimes a raw address such as one in Xen's range. */
    if ((b & 0x1c) == 0x1c)
        prog_fz_imm(z, &op->args[0], ABI_H_ANY);
    else
        prog_fz_resource(z, &op->args[0], ARG_GVA, s, 0);
}

/* ---- exits ------------------------------------------------------------------------------------ */

/* A register value: mostly from the ABI's tables or small, sometimes a resource or any value. */
static void prog_fz_reg(struct prog_fz *z, struct prog_arg *a, const struct prog_shape *s)
{
    uint8_t b = prog_fz_u8(z);

    if (b < 0xa0) {
        exit_tmpl_imm(a, b & 0x3f);
    } else if (b < 0xd0) {
        exit_tmpl_imm(a, prog_fz_u32(z));
    } else if (b < 0xe8) {
        /* an address the guest owns: a data page's gpa (DMA) or VA (string instructions) */
        prog_fz_resource(z, a, b & 1 ? ARG_GPA : ARG_GVA, s, 0);
    } else {
        exit_tmpl_imm(a, prog_fz_u64(z));
    }
}

/* A DMA descriptor ring in the payload: src/dst are gpas of own pages, page tables, the payload
   page itself, or raw (unpopulated, out of range) addresses. */
/* The payload page (native.h's NATIVE_PAYLOAD_GFN): the codec does not include the target. */
#define NATIVE_PAYLOAD_GFN_OF(s) ((uint32_t)(s)->dom_pages - 1U)

static void prog_fz_ring(struct prog_fz *z, struct prog_op *op, const struct prog_shape *s)
{
    unsigned nd = 1 + prog_fz_u8(z) % 4U;

    op->payload_len = (uint16_t)(nd * DMA_DESC_SIZE);
    memset(op->payload, 0, op->payload_len);
    for (unsigned i = 0; i < nd; i++) {
        uint8_t *d = op->payload + i * DMA_DESC_SIZE;
        uint8_t b = prog_fz_u8(z);
        uint32_t len = PROG_FZ_RARE(b) ? prog_fz_u16(z) : 8U << (b & 7);
        prog_put32(d + 16, len);
        prog_put32(d + 20, (b >> 3) == 1 ? DMA_DESC_FILL : (b >> 3) == 2 ? prog_fz_u8(z) : 0);
        for (unsigned k = 0; k < 2; k++) {
            uint8_t c = prog_fz_u8(z);
            if (PROG_FZ_RARE(c)) {
                prog_put64(d + 8 * k, prog_fz_u64(z));
            } else if (op->nr_fixups < PROG_MAX_FIXUPS) {
                struct prog_fixup *f = &op->fixups[op->nr_fixups++];
                f->off = (uint16_t)(i * DMA_DESC_SIZE + 8 * k);
                f->width = 8;
                prog_fz_resource(z, &f->arg, ARG_GPA, s, 0);
            }
        }
    }
}

static void prog_fz_exit(struct prog_fz *z, struct prog_op *op, const struct prog_shape *s)
{
    static const uint8_t reasons[16] = {
        EXIT_CPUID, EXIT_MSR_READ, EXIT_MSR_WRITE, EXIT_IO, EXIT_IO, EXIT_IO, EXIT_MMIO,
        EXIT_MMIO, EXIT_MMIO, EXIT_MMIO, EXIT_HLT, EXIT_EPT_VIOLATION, EXIT_EPT_VIOLATION,
        EXIT_EXCEPTION, EXIT_TRIPLE_FAULT, EXIT_NR,
    };
    uint8_t r = prog_fz_u8(z);
    unsigned reason = reasons[r & 15];
    uint8_t v = prog_fz_u8(z);

    if (reason == EXIT_NR)
        reason = PROG_FZ_RARE(r) ? prog_fz_u8(z) : EXIT_NR + (r >> 4);
    exit_tmpl_start(op, op->dom, op->vcpu, reason);
    exit_tmpl_simple_insn(op);
    switch (reason) {
    case EXIT_CPUID:
        exit_tmpl_imm(&op->regs[ABI_REG_RAX], PROG_FZ_RARE(v) ? prog_fz_u32(z) :
                      exit_tmpl_leaves[v % exit_tmpl_nr_leaves]);
        exit_tmpl_imm(&op->regs[ABI_REG_RCX], prog_fz_u8(z) & 0x3f);
        break;
    case EXIT_MSR_READ:
    case EXIT_MSR_WRITE:
        exit_tmpl_imm(&op->regs[ABI_REG_RCX], PROG_FZ_RARE(v) ? prog_fz_u32(z) :
                      exit_tmpl_msrs[v % exit_tmpl_nr_msrs]);
        if (reason == EXIT_MSR_WRITE) {
            uint8_t w = prog_fz_u8(z);
            uint64_t val = PROG_FZ_RARE(w) ? prog_fz_u64(z) :
                           exit_tmpl_msr_vals[w % exit_tmpl_nr_msr_vals];
            exit_tmpl_imm(&op->regs[ABI_REG_RAX], val & 0xFFFFFFFFU);
            exit_tmpl_imm(&op->regs[ABI_REG_RDX], val >> 32);
        }
        break;
    case EXIT_IO: {
        static const uint8_t sizes[4] = { 1, 1, 2, 4 };
        uint8_t f = prog_fz_u8(z);
        uint16_t port = PROG_FZ_RARE(v) ? prog_fz_u16(z) : exit_tmpl_ports[v % exit_tmpl_nr_ports];
        bool string = (f & 0x30) == 0x30;
        exit_tmpl_io(op, port, sizes[f & 3], f & 4, string, f & 8, f & 0x40, f & 0x80);
        exit_tmpl_imm(&op->regs[ABI_REG_RAX], prog_fz_u32(z));
        if (string) {
            /* the buffer is the payload page; rcx a small count */
            exit_tmpl_imm(&op->regs[ABI_REG_RCX], prog_fz_u8(z) & 0x1f);
            prog_fz_resource(z, &op->regs[ABI_REG_RSI], ARG_GVA, s, 0);
            prog_fz_resource(z, &op->regs[ABI_REG_RDI], ARG_GVA, s, 0);
        }
        break;
    }
    case EXIT_MMIO:
    case EXIT_EPT_VIOLATION: {
        uint8_t k = prog_fz_u8(z);
        uint32_t off = PROG_FZ_RARE(v) ? prog_fz_u16(z) % DMA_MMIO_SIZE :
                       exit_tmpl_dma_regs[v % exit_tmpl_nr_dma_regs];
        exit_tmpl_mmio_access(op, off, k);
        if (PROG_FZ_RARE(k)) {
            /* raw instruction bytes: whatever the decoder makes of them */
            unsigned n = prog_fz_u8(z) % (PROG_MAX_INSN + 1);
            for (unsigned i = 0; i < n; i++)
                op->insn[i] = prog_fz_u8(z);
            memset(op->insn + n, 0, PROG_MAX_INSN - n);
            op->insn_len = (uint8_t)n;
        }
        prog_fz_reg(z, &op->regs[ABI_REG_RAX], s);
        if (exit_tmpl_mmio[k % exit_tmpl_nr_mmio].flags & EXIT_TMPL_STR) {
            exit_tmpl_imm(&op->regs[ABI_REG_RCX], prog_fz_u8(z) & 0x1f);
            prog_fz_resource(z, &op->regs[ABI_REG_RSI], ARG_GVA, s, 0);
            prog_fz_resource(z, &op->regs[ABI_REG_RDI], ARG_GVA, s, 0);
            op->gla = op->regs[prog_fz_u8(z) & 1 ? ABI_REG_RDI : ABI_REG_RSI];
        }
        if (reason == EXIT_EPT_VIOLATION) {
            uint8_t e = prog_fz_u8(z);
            exit_tmpl_imm(&op->gla, e & 7);
            /* a data page, a page beyond the built ones (populate on demand), or any address */
            if (e < 0x60)
                prog_fz_resource(z, &op->qual, ARG_GPA, s, 0);
            else if (e < 0xc0)
                exit_tmpl_imm(&op->qual, (uint64_t)(s->dom_pages + (e & 0x3f)) << PAGE_SHIFT);
            else if (e >= 0xf0)
                exit_tmpl_imm(&op->qual, prog_fz_u64(z));
        }
        break;
    }
    case EXIT_EXCEPTION:
        exit_tmpl_imm(&op->qual, (uint64_t)(v & 0x1f) | (PROG_FZ_RARE(v) ?
                      (uint64_t)prog_fz_u32(z) << 32 : (uint64_t)(prog_fz_u8(z) & 0x1f) << 32));
        exit_tmpl_imm(&op->gla, prog_fz_u32(z));
        break;
    default:
        break;
    }
}

/*
 * A driver's whole DMA sequence, as one opcode: ring base (the payload page's gpa), ring size,
 * enable, then the doorbell that carries the ring in its payload. Reaching it op by op would need
 * four lucky opcodes in a row.
 */
static void prog_fz_dma(struct prog_fz *z, struct prog *p, unsigned dom, unsigned vcpu)
{
    const struct prog_shape *s = &p->shape;
    struct prog_op ops[4];
    struct prog_arg a;
    uint8_t b = prog_fz_u8(z);

    memset(ops, 0, sizeof(ops));
    memset(&a, 0, sizeof(a));
    a.kind = ARG_GPA;
    a.a = (uint16_t)NATIVE_PAYLOAD_GFN_OF(s);
    exit_tmpl_dma_write(&ops[0], dom, vcpu, DMA_REG_RING_BASE, 8, a);
    exit_tmpl_imm(&a, 1 + (b & 3));
    exit_tmpl_dma_write(&ops[1], dom, vcpu, DMA_REG_RING_SIZE, 4, a);
    exit_tmpl_imm(&a, DMA_CTRL_ENABLE);
    exit_tmpl_dma_write(&ops[2], dom, vcpu, DMA_REG_CTRL, 4, a);
    exit_tmpl_imm(&a, (b >> 2) & 3);
    exit_tmpl_dma_write(&ops[3], dom, vcpu, DMA_REG_TAIL, 4, a);
    prog_fz_ring(z, &ops[3], s);
    /* the setup writes are skipped now and then, so a stale ring gets rung too; and when the
       input ends here, so that the op count stays bounded by the input length */
    unsigned first = (b & 0x80) || z->pos + 6 > z->len ? 3 : 0;
    for (unsigned i = first; i < 4 && p->nr_ops < PROG_MAX_OPS; i++)
        p->ops[p->nr_ops++] = ops[i];
}

/*
 * Only what the program uses is written: the header and each op as it starts. The ops past nr_ops
 * keep whatever they held (a whole struct prog is ~400 KB; clearing it per input was a tenth of
 * a harness's time).
 */
void prog_from_fuzz(struct prog *p, const uint8_t *data, size_t len)
{
    struct prog_fz z = { .d = data, .len = data ? len : 0, .pos = 0 };
    const struct prog_shape shape = prog_fz_shapes[prog_fz_u8(&z) & 7];

    p->version = PROG_VERSION;
    p->shape = shape;
    p->nr_ops = 0;
    while (z.pos < z.len && p->nr_ops < PROG_MAX_OPS) {
        struct prog_op *op = &p->ops[p->nr_ops++];
        memset(op, 0, sizeof(*op));
        uint8_t o = prog_fz_u8(&z);
        uint8_t dv = prog_fz_u8(&z);
        unsigned sel = o & 0xf;

        op->dom = (uint8_t)((dv & 0xf) % shape.nr_domains);
        op->vcpu = (uint8_t)((dv >> 4) % shape.nr_vcpus);
        /* a quarter of the opcodes are exits; the others keep their meaning from before exits.
           No opcode makes guest_code (yet): the native target cannot run it, and the engines'
           inputs and corpora must keep decoding to the programs they decoded to before. */
        if (o >= 0xf8) {
            p->nr_ops--;
            prog_fz_dma(&z, p, op->dom, op->vcpu);
        } else if (o >= 0xc0) {
            prog_fz_exit(&z, op, &shape);
        } else if (sel < 10) {
            op->kind = OP_HYPERCALL;
            prog_fz_hypercall(&z, op, &shape);
        } else if (sel < 12) {
            op->kind = OP_GUEST_READ;
            prog_fz_guest(&z, op, &shape);
        } else if (sel < 14) {
            op->kind = OP_GUEST_WRITE;
            prog_fz_guest(&z, op, &shape);
        } else if (sel == 14) {
            op->kind = OP_PREEMPT;
            op->dom = op->vcpu = 0;
            op->imm = prog_fz_u32(&z);
        } else {
            op->kind = OP_SWITCH_VCPU;
        }
    }
}
