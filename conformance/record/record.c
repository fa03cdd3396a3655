/* Conformance recorder: lifts raw hypercall arguments and guest buffers into program operations. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/record.h"
#include "hvfuzz/target.h"
#include "hvfuzz/xen.h"
#include "ir/prog_internal.h"

const struct prog_shape record_conf_shape = {
    .nr_frames = 512,
    .nr_domains = 3,
    .nr_vcpus = 2,
    .dom_pages = 64,
};

/* Buffers a payload gathers: the argument buffers and the buffers they point at. */
#define REC_MAX_CHUNKS 8U
/* Buffers closer than this are kept together, so their relative layout survives. */
#define REC_MERGE_GAP  64U

struct rec_chunk {
    gva_t    va;
    uint32_t len;
    uint32_t off;        /* offset in the payload, once placed */
    bool     placed;
};

struct rec_lift {
    struct recorder *r;
    struct hv *hv;
    const struct vcpu *v;
    struct prog_op *op;
    struct rec_chunk chunk[REC_MAX_CHUNKS];
    unsigned nr_chunks;
    uint64_t args[6];           /* the hypercall's arguments as issued */
};

static size_t rec_span(const struct recorder *r)
{
    return (size_t)r->prog.shape.dom_pages << PAGE_SHIFT;
}

struct recorder *record_new(const struct prog_shape *shape)
{
    struct recorder *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    prog_init(&r->prog, shape);
    r->open_op = -1;
    r->last_hc = -1;
    if (r->prog.shape.nr_domains > RECORD_MAX_DOMAINS) {
        free(r);
        return NULL;
    }
    for (unsigned d = 0; d < r->prog.shape.nr_domains; d++) {
        r->written[d] = calloc(rec_span(r) / 8U, 1);
        if (!r->written[d]) {
            record_free(r);
            return NULL;
        }
    }
    return r;
}

void record_free(struct recorder *r)
{
    if (!r)
        return;
    for (unsigned d = 0; d < RECORD_MAX_DOMAINS; d++)
        free(r->written[d]);
    free(r);
}

static bool rec_in_span(const struct recorder *r, uint64_t va)
{
    return va >= DOM_VA_BASE && va - DOM_VA_BASE < rec_span(r);
}

static bool rec_is_written(const struct recorder *r, unsigned dom, gva_t va)
{
    if (dom >= r->prog.shape.nr_domains || !rec_in_span(r, va))
        return false;
    size_t i = va - DOM_VA_BASE;
    return (r->written[dom][i / 8] >> (i % 8)) & 1;
}

void record_put(struct recorder *r, const struct vcpu *v, gva_t va, size_t len)
{
    if (!r || v->domid >= r->prog.shape.nr_domains)
        return;
    for (size_t k = 0; k < len; k++) {
        if (!rec_in_span(r, va + k))
            continue;
        size_t i = va + k - DOM_VA_BASE;
        r->written[v->domid][i / 8] |= (uint8_t)(1U << (i % 8));
    }
}

static struct prog_op *rec_append(struct recorder *r)
{
    if (r->prog.nr_ops >= PROG_MAX_OPS) {
        r->overflow = true;
        return NULL;
    }
    struct prog_op *op = &r->prog.ops[r->prog.nr_ops++];
    memset(op, 0, sizeof(*op));
    return op;
}

/* ---- lifting single values -------------------------------------------------------------------- */

/* Which domain maps mfn at a gfn a program can name (gfn < dom_pages). The owner is asked first. */
static bool rec_frame(const struct rec_lift *l, mfn_t mfn, unsigned *dom, unsigned *gfn)
{
    const struct prog_shape *s = &l->r->prog.shape;

    if (!mfn_valid(l->hv, mfn))
        return false;
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned d = 0; d < s->nr_domains; d++) {
            const struct domain *dp = dom_get(l->hv, (domid_t)d);
            if (!dp || (pass == 0 && l->hv->frames[mfn].owner != d))
                continue;
            gfn_t n = dp->nr_gfns < s->dom_pages ? dp->nr_gfns : s->dom_pages;
            for (gfn_t g = 0; g < n; g++) {
                if (dp->p2m[g] == mfn) {
                    *dom = d;
                    *gfn = (unsigned)g;
                    return true;
                }
            }
        }
    }
    return false;
}

static void rec_imm(struct prog_arg *a, uint64_t v)
{
    memset(a, 0, sizeof(*a));
    a->kind = ARG_IMM;
    a->imm = v;
}

/* A chunk of this op's payload that holds va, if any. */
static const struct rec_chunk *rec_chunk_of(const struct rec_lift *l, uint64_t va)
{
    for (unsigned i = 0; i < l->nr_chunks; i++) {
        const struct rec_chunk *c = &l->chunk[i];
        if (c->placed && va >= c->va && va - c->va < c->len)
            return c;
    }
    return NULL;
}

/* A pointer into the caller's memory: into this op's payload, else a guest VA of its frames. */
static bool rec_lift_va(const struct rec_lift *l, uint64_t v, struct prog_arg *a)
{
    const struct rec_chunk *c = rec_chunk_of(l, v);

    memset(a, 0, sizeof(*a));
    if (c) {
        a->kind = ARG_PAYLOAD;
        a->b = (uint32_t)(c->off + (v - c->va));
        return true;
    }
    if (!rec_in_span(l->r, v))
        return false;
    a->kind = ARG_GVA;
    a->dom = l->v->domid;
    a->a = (uint16_t)((v - DOM_VA_BASE) >> PAGE_SHIFT);
    a->b = (uint32_t)(v & (PAGE_SIZE - 1));
    return true;
}

static bool rec_lift_pte(const struct rec_lift *l, uint64_t v, struct prog_arg *a)
{
    unsigned dom, gfn;

    if (!(v & _PAGE_PRESENT) || !rec_frame(l, (v & PTE_ADDR_MASK) >> PAGE_SHIFT, &dom, &gfn))
        return false;
    memset(a, 0, sizeof(*a));
    a->kind = ARG_PTE;
    a->dom = (uint8_t)dom;
    a->a = (uint16_t)gfn;
    a->imm = v & ~PTE_ADDR_MASK;
    return true;
}

static bool rec_lift_maddr(const struct rec_lift *l, uint64_t v, struct prog_arg *a)
{
    unsigned dom, gfn;

    if (!rec_frame(l, v >> PAGE_SHIFT, &dom, &gfn))
        return false;
    memset(a, 0, sizeof(*a));
    a->kind = ARG_MADDR;
    a->dom = (uint8_t)dom;
    a->a = (uint16_t)gfn;
    a->b = (uint32_t)(v & (PAGE_SIZE - 1));
    return true;
}

static bool rec_lift_mfn(const struct rec_lift *l, uint64_t v, struct prog_arg *a)
{
    unsigned dom, gfn;

    if (!rec_frame(l, v, &dom, &gfn))
        return false;
    memset(a, 0, sizeof(*a));
    a->kind = ARG_MFN;
    a->dom = (uint8_t)dom;
    a->a = (uint16_t)gfn;
    return true;
}

/* A register (or a register stored in a multicall entry) by what the hypercall table says it is. */
static void rec_lift_reg(const struct rec_lift *l, unsigned hint, uint64_t v, struct prog_arg *a)
{
    switch (hint) {
    case ABI_H_DOMID:
        memset(a, 0, sizeof(*a));
        a->kind = ARG_DOMID;
        if (v == DOMID_SELF) {
            a->a = 1;
            return;
        }
        if (v < l->r->prog.shape.nr_domains) {
            a->dom = (uint8_t)v;
            return;
        }
        break;
    case ABI_H_VCPU:
        if (v < l->r->prog.shape.nr_vcpus) {
            memset(a, 0, sizeof(*a));
            a->kind = ARG_VCPUID;
            a->a = (uint16_t)v;
            return;
        }
        break;
    case ABI_H_PTE:
        if (rec_lift_pte(l, v, a))
            return;
        break;
    case ABI_H_MADDR:
        if (rec_lift_maddr(l, v, a))
            return;
        break;
    case ABI_H_COUNT:
    case ABI_H_CMD:
    case ABI_H_FLAGS:
        /* small numbers that only look like addresses by accident; flags may carry a pointer */
        if (hint == ABI_H_FLAGS && v >= DOM_VA_BASE && rec_lift_va(l, v, a))
            return;
        break;
    default:
        if (rec_lift_va(l, v, a))
            return;
        break;
    }
    rec_imm(a, v);
}

/* ---- the payload ------------------------------------------------------------------------------ */

/* Read guest memory the way the hypercall will, without touching the TLB or accessed bits. */
static bool rec_read(const struct rec_lift *l, gva_t va, uint8_t *buf, size_t len)
{
    while (len) {
        struct walk_result w;
        size_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        size_t n = len < in_page ? len : in_page;

        if (l->v->guest_table == MFN_INVALID || pt_walk(l->hv, l->v->guest_table, va, 0, &w) < 0)
            return false;
        memcpy(buf, frame_mem(l->hv, w.mfn) + (va & (PAGE_SIZE - 1)), n);
        buf += n;
        va += n;
        len -= n;
    }
    return true;
}

/* A buffer the case wrote at va becomes a chunk: the run of written bytes from va on. */
static void rec_add_chunk(struct rec_lift *l, uint64_t va)
{
    unsigned dom = l->v->domid;

    if (!rec_is_written(l->r, dom, va))
        return;
    for (unsigned i = 0; i < l->nr_chunks; i++)
        if (va >= l->chunk[i].va && va - l->chunk[i].va < l->chunk[i].len)
            return;
    if (l->nr_chunks == REC_MAX_CHUNKS) {
        l->r->lossy++;
        return;
    }
    uint32_t len = 0;
    while (len < PROG_MAX_PAYLOAD && rec_is_written(l->r, dom, va + len))
        len++;
    l->chunk[l->nr_chunks++] = (struct rec_chunk){ .va = va, .len = len };
}

/* Buffers the buffers point at (multicall arguments, handles inside op structs), one level. */
static void rec_add_pointees(struct rec_lift *l)
{
    unsigned n = l->nr_chunks;

    for (unsigned i = 0; i < n; i++) {
        uint8_t buf[PROG_MAX_PAYLOAD];
        const struct rec_chunk c = l->chunk[i];

        if (!rec_read(l, c.va, buf, c.len))
            continue;
        for (uint32_t k = (uint32_t)((8U - (c.va & 7U)) & 7U); k + 8 <= c.len; k += 8)
            rec_add_chunk(l, prog_get64(buf + k));
    }
}

static int rec_chunk_cmp(const void *x, const void *y)
{
    const struct rec_chunk *a = x, *b = y;
    return a->va < b->va ? -1 : a->va > b->va;
}

/* Sort, merge near neighbours, and place each chunk at an offset with its alignment mod 8. */
static void rec_place(struct rec_lift *l)
{
    struct prog_op *op = l->op;
    unsigned n = 0;
    uint32_t cur = 0;

    qsort(l->chunk, l->nr_chunks, sizeof(l->chunk[0]), rec_chunk_cmp);
    for (unsigned i = 0; i < l->nr_chunks; i++) {
        struct rec_chunk *c = &l->chunk[i];
        if (n) {
            struct rec_chunk *p = &l->chunk[n - 1];
            uint64_t end = c->va + c->len;
            if (c->va <= p->va + p->len + REC_MERGE_GAP && end - p->va <= PROG_MAX_PAYLOAD) {
                if (end > p->va + p->len)
                    p->len = (uint32_t)(end - p->va);
                continue;
            }
        }
        l->chunk[n++] = *c;
    }
    l->nr_chunks = n;
    for (unsigned i = 0; i < n; i++) {
        struct rec_chunk *c = &l->chunk[i];
        uint32_t off = ((cur + 7U) & ~7U) + (uint32_t)(c->va & 7U);
        if (off >= PROG_MAX_PAYLOAD) {
            l->r->lossy++;
            continue;
        }
        if (off + c->len > PROG_MAX_PAYLOAD) {
            c->len = PROG_MAX_PAYLOAD - off;
            l->r->lossy++;
        }
        if (!rec_read(l, c->va, op->payload + off, c->len)) {
            memset(op->payload + off, 0, c->len);
            l->r->lossy++;
        }
        c->off = off;
        c->placed = true;
        cur = off + c->len;
    }
    op->payload_len = (uint16_t)cur;
}

static void rec_fixup(struct rec_lift *l, uint32_t off, const struct prog_arg *a)
{
    struct prog_op *op = l->op;

    if (a->kind == ARG_IMM)
        return;
    if (op->nr_fixups == PROG_MAX_FIXUPS || off + 8 > op->payload_len) {
        l->r->lossy++;
        return;
    }
    struct prog_fixup *f = &op->fixups[op->nr_fixups++];
    f->off = (uint16_t)off;
    f->width = 8;
    f->arg = *a;
}

static bool rec_mmuext_takes_mfn(uint32_t cmd)
{
    return cmd <= MMUEXT_NEW_BASEPTR || cmd == MMUEXT_NEW_USER_BASEPTR ||
           cmd == MMUEXT_CLEAR_PAGE || cmd == MMUEXT_COPY_PAGE;
}

/* What the word at va is, behind an op's second argument when its first is the command: the
   machine frame of FIFO init_control's control_gfn and expand_array's array_gfn (a PV guest's
   gfn is its mfn: 1), the machine address of each grant cache_flush element (2), or neither. */
static int rec_frame_word(const struct rec_lift *l, uint64_t va)
{
    uint64_t cmd = l->args[0], first = l->args[1];

    if (l->op->nr == HYPERVISOR_event_channel_op &&
        (cmd == EVTCHNOP_init_control || cmd == EVTCHNOP_expand_array))
        return va == first ? 1 : 0;
    if (l->op->nr == HYPERVISOR_grant_table_op && (cmd & GNTTABOP_CMD_MASK) == GNTTABOP_cache_flush &&
        va >= first &&
        (va - first) % sizeof(struct gnttab_cache_flush) == 0 &&
        (va - first) / sizeof(struct gnttab_cache_flush) < l->args[2])
        return 2;
    return 0;
}

/* Known layouts lift by field; every other 8-byte word only when it points into the caller. */
static void rec_lift_payload_word(struct rec_lift *l, const struct rec_chunk *c, uint64_t first,
                                  uint32_t k)
{
    struct prog_op *op = l->op;
    uint64_t v = prog_get64(op->payload + c->off + k);
    uint64_t va = c->va + k;
    bool array = rec_chunk_of(l, first) == c && va >= first;
    struct prog_arg a;
    int frame;

    rec_imm(&a, v);
    if (array && op->nr == HYPERVISOR_mmu_update) {
        uint64_t rel = va - first;
        if (rel % 16 == 0)
            rec_lift_maddr(l, v, &a);
        else if (rel % 16 == 8 && (prog_get64(op->payload + c->off + k - 8) & 3) !=
                 MMU_MACHPHYS_UPDATE)
            rec_lift_pte(l, v, &a);
    } else if (array && op->nr == HYPERVISOR_mmuext_op) {
        uint64_t rel = (va - first) % sizeof(struct mmuext_op);
        uint32_t cmd = (uint32_t)prog_get64(op->payload + c->off + k - rel);
        if ((rel == 8 && rec_mmuext_takes_mfn(cmd)) || (rel == 16 && cmd == MMUEXT_COPY_PAGE))
            rec_lift_mfn(l, v, &a);
        else
            rec_lift_va(l, v, &a);
    } else if (array && op->nr == HYPERVISOR_set_gdt) {
        rec_lift_mfn(l, v, &a);   /* the frame list */
    } else if ((frame = rec_frame_word(l, va)) != 0) {
        if (frame == 1)
            rec_lift_mfn(l, v, &a);
        else
            rec_lift_maddr(l, v, &a);
    } else if (array && op->nr == HYPERVISOR_multicall) {
        uint64_t rel = (va - first) % sizeof(struct multicall_entry);
        uint64_t inner = prog_get64(op->payload + c->off + k - rel);
        const struct abi_hypercall *hc = abi_hypercall_by_nr((uint32_t)inner);
        if (rel >= 16 && hc)
            rec_lift_reg(l, hc->hints[(rel - 16) / 8], v, &a);
        else if (rel >= 16)
            rec_lift_va(l, v, &a);
    } else {
        rec_lift_va(l, v, &a);
    }
    rec_fixup(l, c->off + k, &a);
}

static void rec_lift_payload(struct rec_lift *l, uint64_t first)
{
    for (unsigned i = 0; i < l->nr_chunks; i++) {
        const struct rec_chunk *c = &l->chunk[i];
        if (!c->placed)
            continue;
        for (uint32_t k = (uint32_t)((8U - (c->va & 7U)) & 7U); k + 8 <= c->len; k += 8)
            rec_lift_payload_word(l, c, first, k);
    }
}

/* ---- hypercalls --------------------------------------------------------------------------------- */

int record_hc_begin(struct recorder *r, struct hv *hv, const struct vcpu *v, unsigned nr,
                    const uint64_t args[6])
{
    const struct abi_hypercall *hc = abi_hypercall_by_nr(nr);
    struct rec_lift l = { .r = r, .hv = hv, .v = v };
    memcpy(l.args, args, sizeof(l.args));
    unsigned nargs = hc ? hc->nargs : 5;

    if (!r || r->overflow)
        return -1;
    r->last_hc = -1;
    if (v->domid >= r->prog.shape.nr_domains || v->id >= r->prog.shape.nr_vcpus) {
        r->overflow = true;
        return -1;
    }
    /* Cases set the pattern directly on the machine; the program says it with an operation. */
    if (hv->preempt_pattern != r->preempt) {
        struct prog_op *p = rec_append(r);
        if (!p)
            return -1;
        p->kind = OP_PREEMPT;
        p->imm = hv->preempt_pattern;
        r->preempt = hv->preempt_pattern;
    }
    l.op = rec_append(r);
    if (!l.op)
        return -1;
    l.op->kind = OP_HYPERCALL;
    l.op->dom = (uint8_t)v->domid;
    l.op->vcpu = v->id;
    l.op->nr = nr;
    /* trailing zero registers need no argument of their own */
    while (nargs > 0 && args[nargs - 1] == 0)
        nargs--;
    l.op->nr_args = (uint8_t)nargs;

    for (unsigned i = 0; i < nargs; i++)
        rec_add_chunk(&l, args[i]);
    rec_add_pointees(&l);
    rec_place(&l);
    for (unsigned i = 0; i < nargs; i++)
        rec_lift_reg(&l, hc ? hc->hints[i] : ABI_H_ANY, args[i], &l.op->args[i]);
    /* the op arrays whose layout rec_lift_payload_word knows are all the first argument */
    rec_lift_payload(&l, args[0]);
    r->open_op = (int)(l.op - r->prog.ops);
    r->open_ran = vcpu_runnable(hv, v);
    memcpy(r->last_args, args, sizeof(r->last_args));
    return r->open_op;
}

static void rec_expect_rc(struct prog_op *op, enum op_status status, int64_t rc)
{
    op->expect.have |= PE_STATUS | PE_RC;
    op->expect.status = (uint8_t)status;
    op->expect.rc = rc;
}

/*
 * Every issue states its status and rc: the first op and one switch_vcpu per continuation. A vCPU
 * that cannot run answers -ESRCH here and OPS_NOT_RUN (with -ESRCH) on a target.
 */
void record_guest_write(struct recorder *r, struct hv *hv, const struct vcpu *v, gva_t va,
                        unsigned size, long rc)
{
    struct rec_lift l = { .r = r, .hv = hv, .v = v };

    if (!r || r->overflow)
        return;
    r->last_hc = -1;
    if (v->domid >= r->prog.shape.nr_domains || v->id >= r->prog.shape.nr_vcpus) {
        r->overflow = true;
        return;
    }
    struct prog_op *op = rec_append(r);
    if (!op)
        return;
    op->kind = OP_GUEST_WRITE;
    op->dom = (uint8_t)v->domid;
    op->vcpu = v->id;
    op->size = size;
    op->nr_args = 1;
    if (!rec_lift_va(&l, va, &op->args[0]))
        rec_imm(&op->args[0], va);
    rec_expect_rc(op, OPS_RAN, rc);
}

void record_migrate(struct recorder *r, domid_t dom, unsigned phase, long rc)
{
    if (!r || r->overflow)
        return;
    r->last_hc = -1;
    if (dom >= r->prog.shape.nr_domains) {
        r->overflow = true;
        return;
    }
    struct prog_op *op = rec_append(r);
    if (!op)
        return;
    op->kind = OP_MIGRATE;
    op->dom = (uint8_t)dom;
    op->imm = phase;
    rec_expect_rc(op, OPS_RAN, rc);
}

void record_hc_end(struct recorder *r, int token, long rc, unsigned restarts)
{
    if (!r || token < 0 || token != r->open_op)
        return;
    r->open_op = -1;
    struct prog_op *op = &r->prog.ops[token];
    if (!r->open_ran) {
        rec_expect_rc(op, OPS_NOT_RUN, rc);
        return;
    }
    for (unsigned i = 0; i <= restarts; i++) {
        if (i > 0) {
            struct prog_op *sw = rec_append(r);
            if (!sw)
                return;
            sw->kind = OP_SWITCH_VCPU;
            sw->dom = op->dom;
            sw->vcpu = op->vcpu;
            op = sw;
        }
        if (i < restarts)
            rec_expect_rc(op, OPS_RESTART, -XEN_ERESTART);
        else
            rec_expect_rc(op, OPS_RAN, rc);
    }
    /* what a continued call wrote back is spread over its re-issues: only single issues say */
    if (restarts == 0)
        r->last_hc = token;
}

/* ---- exits -------------------------------------------------------------------------------------- */

int record_exit(struct recorder *r, struct hv *hv, const struct vcpu *v,
                const struct exit_record *x)
{
    struct rec_lift l = { .r = r, .hv = hv, .v = v };

    if (!r || r->overflow || !x)
        return -1;
    r->last_hc = -1;
    if (v->domid >= r->prog.shape.nr_domains || v->id >= r->prog.shape.nr_vcpus) {
        r->overflow = true;
        return -1;
    }
    l.op = rec_append(r);
    if (!l.op)
        return -1;
    l.op->kind = OP_EXIT;
    l.op->dom = (uint8_t)v->domid;
    l.op->vcpu = v->id;
    l.op->exit_reason = x->reason;
    l.op->insn_len = x->insn_len <= PROG_MAX_INSN ? x->insn_len : PROG_MAX_INSN;
    memcpy(l.op->insn, x->insn, l.op->insn_len);
    rec_imm(&l.op->qual, x->qual);
    rec_imm(&l.op->gla, x->gla);
    for (unsigned i = 0; i < 16; i++)
        rec_imm(&l.op->regs[i], x->regs.gpr[i]);
    rec_imm(&l.op->regs[PROG_EXIT_RIP], x->regs.rip);
    rec_imm(&l.op->regs[PROG_EXIT_RFLAGS], x->regs.rflags);
    /* string instructions read or write guest memory at rsi/rdi: the case's buffers go along */
    rec_add_chunk(&l, x->regs.gpr[X86_RSI]);
    rec_add_chunk(&l, x->regs.gpr[X86_RDI]);
    rec_place(&l);
    for (unsigned i = X86_RSI; i <= X86_RDI; i++) {
        struct prog_arg a;
        if (!rec_chunk_of(&l, x->regs.gpr[i]) || !rec_lift_va(&l, x->regs.gpr[i], &a))
            continue;
        if (x->gla == x->regs.gpr[i])
            l.op->gla = a;
        l.op->regs[i] = a;
    }
    r->open_op = (int)(l.op - r->prog.ops);
    r->open_ran = vcpu_runnable(hv, v) && !v->blocked;
    return r->open_op;
}
