/* The guest-code family: x86-64 code from pieces (hypercalls, exits, loads, stores, fetches, loops, self-modification). */
#include "gen/gen_code.h"
#include "ir/prog_internal.h"

/*
 * A guest_code op is built from pieces, each a few instructions that set their own registers,
 * then one `ret`. The pieces carry no knowledge of their own about hypercalls or exits: a
 * hypercall piece runs one of the hypercall families and folds the op it made into the code
 * (arguments into the PV64 registers, its payload into a data area after the code, its fixups
 * moved along), and an exit piece does the same with an exit template whose reason an
 * instruction raises. What is new here is where guest code can go that ops cannot: accesses of
 * every size through the guest's page tables at chosen pages and page ends, fetches, pieces in a
 * loop, stores into the code's own bytes ahead of rip, and hypercalls whose handles point into
 * the guest's own memory, in the middle of that code, racing another vCPU.
 */

/* Registers the pieces use: bases of memory operands (no SIB or rip encodings) and values. */
static const uint8_t gen_code_bases[] = { X86_RBX, X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R10,
                                          X86_R11, X86_R14 };
static const uint8_t gen_code_vals[] = { X86_RAX, X86_RCX, X86_RDX, X86_R12, X86_R13 };

/* ---- access targets --------------------------------------------------------------------------- */

/* Offsets: aligned mostly, the frame's last bytes, across the frame end, anywhere. */
static uint32_t gen_code_off(struct gen *g, unsigned size)
{
    unsigned r = gen_below(g, 16);

    if (r < 7)
        return 8U * gen_below(g, 8);
    if (r < 10)
        return PAGE_SIZE - size;
    if (r < 13)
        return size > 1 ? PAGE_SIZE - size + 1U + gen_below(g, size - 1U) : PAGE_SIZE - 1U;
    return gen_below(g, PAGE_SIZE - size + 1U);
}

/* The VA of an earlier update_va_mapping of the program (0: none). */
static uint64_t gen_code_earlier_remap(const struct prog *p, unsigned dom, uint32_t end)
{
    for (uint32_t i = end, n = 0; i-- > 0 && n < 32; n++) {
        const struct prog_op *op = &p->ops[i];
        if (op->kind != OP_HYPERCALL || op->dom != dom || op->nr_args < 1 ||
            op->nr != HYPERVISOR_update_va_mapping)
            continue;
        if (op->args[0].kind == ARG_GVA)
            return GEN_VA(op->args[0].a);
        if (op->args[0].kind == ARG_IMM && op->args[0].imm >= GEN_VA_BASE &&
            op->args[0].imm < GEN_VA(PTES_PER_TABLE))
            return op->args[0].imm & ~(uint64_t)(PAGE_SIZE - 1U);
    }
    return 0;
}

/*
 * A data page's own mapping changed just before the code runs: read-only, no-execute,
 * supervisor-only, not present, another frame of the domain, or another domain's frame (refused
 * unless granted); flushed with INVLPG mostly, not at all now and then, after an access that put
 * the old translation in the TLB. The code then meets whichever translation the monitor keeps.
 */
static void gen_code_remap(struct gen_code *c)
{
    struct gen *g = c->g;
    unsigned gfn = gen_data_gfn(g), r = gen_below(g, 6);
    const uint64_t ud = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    struct prog_arg val;
    struct prog_op *op;
    struct gen_hc h;
    bool flush = gen_chance(g, 3, 4);

    if (c->slot >= 0 || c->p->nr_ops + 2 > PROG_MAX_OPS)
        return;
    if (!flush || gen_chance(g, 1, 3)) {
        op = gen_new_op(c->p);
        op->kind = gen_chance(g, 1, 2) ? OP_GUEST_WRITE : OP_GUEST_READ;
        op->dom = (uint8_t)c->dom;
        op->vcpu = (uint8_t)c->vcpu;
        op->size = 8;
        op->nr_args = 1;
        op->args[0] = GEN_GVA(c->dom, gfn, 8U * gen_below(g, 4));
    }
    switch (r) {
    case 0:  val = GEN_PTE(c->dom, gfn, ud); break;
    case 1:  val = GEN_PTE(c->dom, gfn, ud | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX); break;
    case 2:  val = GEN_PTE(c->dom, gfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED); break;
    case 3:  val = GEN_IMM(0); break;
    case 4:  val = gen_pte_arg(g, c->dom, gen_data_gfn(g), ud | _PAGE_RW | _PAGE_DIRTY); break;
    default: val = GEN_PTE(gen_other_dom(g, c->dom), gfn, ud | _PAGE_RW); break;
    }
    op = gen_new_op(c->p);
    gen_hc_start(&h, g, op, c->dom, c->vcpu, HYPERVISOR_update_va_mapping);
    gen_hc_arg(&h, 0, GEN_GVA(c->dom, gfn, 0));
    gen_hc_arg(&h, 1, val);
    gen_hc_arg(&h, 2, GEN_IMM(flush ? UVMF_INVLPG : UVMF_NONE));
    c->remap_va = GEN_VA(gfn);
    c->remap_faults = flush && r >= 1 && r <= 3;
}

/* An address of class cls for an access of size bytes; *fetch_ok: a call there runs nothing but
   a `ret` the piece writes first, or faults. */
static struct prog_arg gen_code_target(struct gen_code *c, unsigned cls, unsigned size,
                                       bool *writable, bool *fetch_ok)
{
    struct gen *g = c->g;
    uint32_t off = gen_code_off(g, size);
    uint64_t va;

    *writable = false;
    *fetch_ok = true;
    switch (cls) {
    case GEN_CT_OWN:
        *writable = true;
        return GEN_GVA(c->dom, gen_data_gfn(g), off);
    case GEN_CT_PT:
        *fetch_ok = false;   /* page-table entries as instructions: anything may happen */
        return GEN_GVA(c->dom, gen_pt_gfn(g, 1 + gen_below(g, 4)), off);
    case GEN_CT_CODE:
        /* stores land past any code and data (its own bytes are the self-modifying piece's) */
        if (off < PROG_MAX_PAYLOAD)
            off += PROG_MAX_PAYLOAD;
        if (off + size > PAGE_SIZE)
            *fetch_ok = false;   /* runs on into the next page */
        *writable = off + size <= PAGE_SIZE;
        return GEN_PAYLOAD(off);
    case GEN_CT_FOREIGN:
        /* another domain's frame by its machine address: nothing in this guest maps it */
        return GEN_MADDR(gen_other_dom(g, c->dom), gen_data_gfn(g), off);
    case GEN_CT_UNMAPPED:
        if (gen_chance(g, 3, 4))
            return GEN_IMM(gen_free_va(g) + off);   /* where grant maps go */
        va = gen_chance(g, 1, 2) ? 0 : (uint64_t)gen_below(g, 256) << PAGE_SHIFT;
        return GEN_IMM(va + off);   /* low memory: a null pointer and its neighbours */
    case GEN_CT_XEN:
        /* the target's own pages are Xen's last 2 MiB: stay clear of them */
        if (gen_chance(g, 3, 4))
            va = XEN_VIRT_START + ((uint64_t)gen_below(g, 512) << PAGE_SHIFT);
        else
            va = XEN_VIRT_END - 0x400000ULL - ((uint64_t)gen_below(g, 16) << PAGE_SHIFT);
        return GEN_IMM(va + off);
    case GEN_CT_NONCANON: {
        static const uint64_t nc[] = { 0x0000800000000000ULL, 0xFFFF7FFFFFFFF000ULL,
                                       0x8000000000000000ULL, 0x00007FFFFFFFF000ULL };
        unsigned k = gen_below(g, 4);
        /* the last one is canonical: an access across its end runs into the hole */
        return GEN_IMM(nc[k] + (k == 3 ? PAGE_SIZE - size + (size > 1 ? 1U : 0U) : off));
    }
    default:
        break;
    }
    /* remapped: by an earlier op of the program, else by one made now, else own data */
    va = gen_chance(g, 1, 2) ? gen_code_earlier_remap(c->p, c->dom, c->slot >= 0 ? (uint32_t)c->slot
                                                                                   : c->p->nr_ops)
                             : 0;
    if (!va && !c->remap_va)
        gen_code_remap(c);
    if (!va && c->remap_va) {
        va = c->remap_va;
        *fetch_ok = c->remap_faults;
    } else if (va) {
        *fetch_ok = false;
    }
    if (!va) {
        *writable = true;
        return GEN_GVA(c->dom, gen_data_gfn(g), off);
    }
    return GEN_IMM(va + off);
}

/* The value a store writes: small numbers, a pattern, all ones, a PTE of an own frame (a data
   page that becomes a page table later holds it), an own VA. */
static void gen_code_value(struct gen_code *c, unsigned reg)
{
    struct gen *g = c->g;
    unsigned r = gen_below(g, 8);

    if (r < 3)
        gen_asm_mov_imm(&c->a, reg, gen_below(g, 256));
    else if (r < 4)
        gen_asm_mov_imm(&c->a, reg, 0x5A5A5A5A5A5A5A5AULL);
    else if (r < 5)
        gen_asm_mov_imm(&c->a, reg, ~0ULL);
    else if (r < 7)
        gen_asm_mov_arg(&c->a, reg, gen_pte_arg(g, c->dom, gen_data_gfn(g),
                                                gen_pte_flags(g, 1)), false, false, 0);
    else
        gen_asm_mov_arg(&c->a, reg, GEN_GVA(c->dom, gen_data_gfn(g), 0), false, true,
                        GEN_VA(0));
}

/* The value a resolved address has on every machine, if it has one (no fixup needed). */
static bool gen_code_static(const struct gen_code *c, struct prog_arg a, uint64_t *v)
{
    switch (a.kind) {
    case ARG_IMM:
        *v = a.imm;
        return true;
    case ARG_GVA:
        *v = GEN_VA(a.a) + a.b;
        return true;
    case ARG_PAYLOAD:
        *v = GEN_VA(c->g->cfg.shape.dom_pages - 1U) + a.b;
        return true;
    default:
        return false;
    }
}

bool gen_code_mov(struct gen_code *c, unsigned reg, struct prog_arg a, bool data)
{
    uint64_t v = 0;
    bool st = !data && gen_code_static(c, a, &v);

    return gen_asm_mov_arg(&c->a, reg, a, data, st, v);
}

/* One load, store or fetch (dir 0, 1, 2) of size bytes at a target of class cls. */
static void gen_code_access_piece(struct gen_code *c, unsigned cls, unsigned dir, unsigned size)
{
    struct gen *g = c->g;
    unsigned base = GEN_PICK(g, gen_code_bases), val = GEN_PICK(g, gen_code_vals);
    bool writable, fetch_ok;
    struct prog_arg at = gen_code_target(c, cls, size, &writable, &fetch_ok);

    if (dir == 2 && (!fetch_ok || c->in_loop))
        dir = 0;
    gen_code_mov(c, base, at, false);
    if (dir == 0) {
        gen_asm_mem(&c->a, false, val, base, size);
    } else if (dir == 1) {
        gen_code_value(c, val);
        gen_asm_mem(&c->a, true, val, base, size);
    } else {
        if (writable) {
            gen_asm_mov_imm(&c->a, val, 0xC3);     /* ret */
            gen_asm_mem(&c->a, true, val, base, 1);
        }
        gen_asm_call(&c->a, base);
    }
}

/* ---- pieces of the code's own ----------------------------------------------------------------- */

/*
 * A store into the code's own bytes ahead of rip: the next instruction or one a few further on,
 * patched to nops (a ud2 that only faults if the old bytes run), to a ret (what follows is
 * skipped), or in its immediate (mov eax, imm32: rax tells which bytes ran). The store is
 * rip-relative, or through a register holding the code page's VA.
 */
static void gen_code_smc_piece(struct gen_code *c)
{
    struct gen *g = c->g;
    unsigned kind = gen_below(g, 3), gap = gen_chance(g, 1, 2) ? 0 : 1 + gen_below(g, 3);
    bool via_reg = gen_chance(g, 1, 4);
    unsigned base = GEN_PICK(g, gen_code_bases), val = GEN_PICK(g, gen_code_vals);
    unsigned size = kind == 0 ? 2U : kind == 1 ? 1U : 4U;
    uint32_t imm = kind == 0 ? 0x9090U : kind == 1 ? 0xC3U : (uint32_t)gen_rand(g);
    int at = -1, fix = -1;

    if (c->in_loop)
        return;
    if (via_reg) {
        fix = (int)c->a.nfix;
        if (!gen_asm_mov_arg(&c->a, base, GEN_PAYLOAD(0), false, false, 0))
            return;
        gen_asm_mov_imm(&c->a, val, imm);
        gen_asm_mem(&c->a, true, val, base, size);
    } else {
        at = gen_asm_store_rip(&c->a, size, imm);
    }
    for (unsigned i = 0; i < gap; i++)
        gen_asm_fixed(&c->a, gen_chance(g, 1, 2) ? GF_NOP : GF_RDTSC);
    unsigned target = c->a.len;
    if (kind == 2) {
        gen_asm_mov_imm(&c->a, X86_RAX, (uint32_t)gen_rand(g));
        target += 1;   /* the imm32 of B8+r */
    } else {
        gen_asm_fixed(&c->a, GF_UD2);
    }
    if (c->a.full)
        return;
    if (at >= 0)
        gen_asm_rip_target(&c->a, (unsigned)at, target);
    else if (fix >= 0 && (unsigned)fix < c->a.nfix)
        c->a.fix[fix].arg.b = target;
}

/* A short loop: a counter in r15, a body of one or two pieces that neither fault on purpose nor
   end the run, the back edge. */
static void gen_code_piece(struct gen_code *c, unsigned kind);
static void gen_code_loop_piece(struct gen_code *c)
{
    struct gen *g = c->g;
    static const uint8_t body[] = { 0, 0, 1, 2, 3 };

    if (c->in_loop)
        return;
    gen_asm_mov_imm(&c->a, GEN_CODE_COUNTER, gen_chance(g, 7, 8) ? 1 + gen_below(g, 8)
                                                                 : 1 + gen_below(g, 64));
    unsigned top = c->a.len;
    c->in_loop = true;
    for (unsigned i = 0, n = 1 + gen_below(g, 2); i < n; i++) {
        unsigned k = GEN_PICK(g, body);
        if (k == 0)
            gen_code_exit_piece(c);
        else if (k == 1)
            gen_asm_fixed(&c->a, gen_chance(g, 1, 2) ? GF_RDTSC : GF_RDTSCP);
        else
            gen_code_access_piece(c, gen_chance(g, 3, 4) ? GEN_CT_OWN : GEN_CT_CODE,
                                  k == 2 ? 0 : 1, 1U << gen_below(g, 4));
    }
    c->in_loop = false;
    gen_asm_dec(&c->a, GEN_CODE_COUNTER);
    gen_asm_jnz(&c->a, top);
}

/* The end of a run other than ret: a privileged instruction (#GP), an invalid one (#UD), hlt. */
static void gen_code_end_piece(struct gen_code *c)
{
    struct gen *g = c->g;
    unsigned r = gen_below(g, 8);

    if (c->in_loop)
        return;
    if (r < 4) {
        gen_asm_mov_arg(&c->a, X86_RBX, GEN_GVA(c->dom, gen_data_gfn(g), 0), false, true,
                        GEN_VA(0));
        gen_asm_fixed(&c->a, (enum gen_asm_fixed)(GF_FIRST_PRIV + gen_below(g, GF_NR_PRIV)));
    } else if (r < 7) {
        gen_asm_fixed(&c->a, gen_chance(g, 3, 4) ? GF_UD2 : GF_BAD_OPCODE);
    } else {
        gen_asm_fixed(&c->a, GF_HLT);
    }
    c->ended = true;
}

/* Access classes by weight: own pages and page tables most, every other class present; those
   that fault for sure are rarer, since a fault ends the code and crashes its domain. */
static unsigned gen_code_class(struct gen *g)
{
    static const uint8_t cls[] = { GEN_CT_OWN, GEN_CT_OWN, GEN_CT_OWN, GEN_CT_OWN, GEN_CT_OWN,
                                   GEN_CT_OWN, GEN_CT_PT, GEN_CT_PT, GEN_CT_PT, GEN_CT_CODE,
                                   GEN_CT_CODE, GEN_CT_REMAP, GEN_CT_REMAP, GEN_CT_FOREIGN,
                                   GEN_CT_UNMAPPED, GEN_CT_XEN, GEN_CT_NONCANON };

    return GEN_PICK(g, cls);
}

/* An access of that class and direction faults whatever the program did before. */
static bool gen_code_faults(unsigned cls, unsigned dir)
{
    return cls == GEN_CT_FOREIGN || cls == GEN_CT_XEN || cls == GEN_CT_NONCANON ||
           (cls == GEN_CT_PT && dir != 0);
}

enum { GEN_CP_ACCESS = 0, GEN_CP_HC, GEN_CP_HC_PRE, GEN_CP_EXIT, GEN_CP_TSC, GEN_CP_LOOP,
       GEN_CP_SMC, GEN_CP_END };

/* One piece; rolled back whole when it does not fit (no half pieces: a lone store could hit the
   code's own ret). */
static void gen_code_piece(struct gen_code *c, unsigned kind)
{
    struct gen_code_mark m;

    if (c->ended)
        return;
    gen_code_mark(c, &m);
    switch (kind) {
    case GEN_CP_ACCESS: {
        static const uint8_t sizes[] = { 1, 2, 4, 8, 8, 4 };
        unsigned r = gen_below(c->g, 8), cls = gen_code_class(c->g);
        unsigned dir = r < 4 ? 0 : r < 7 ? 1 : 2;
        gen_code_access_piece(c, cls, dir, GEN_PICK(c->g, sizes));
        c->ended |= gen_code_faults(cls, dir);   /* nothing after it would run */
        break;
    }
    case GEN_CP_HC:   gen_code_hc_piece(c, false); break;
    case GEN_CP_HC_PRE: gen_code_hc_piece(c, true); break;
    case GEN_CP_EXIT: gen_code_exit_piece(c); break;
    case GEN_CP_TSC:  gen_asm_fixed(&c->a, gen_chance(c->g, 1, 2) ? GF_RDTSC : GF_RDTSCP); break;
    case GEN_CP_LOOP: gen_code_loop_piece(c); break;
    case GEN_CP_SMC:  gen_code_smc_piece(c); break;
    default:          gen_code_end_piece(c); break;
    }
    if (c->a.full)
        gen_code_back(c, &m);
}

static void gen_code_start(struct gen_code *c, struct gen *g, struct prog *p, unsigned dom,
                           unsigned vcpu)
{
    c->g = g;
    c->p = p;
    c->dom = dom;
    c->vcpu = vcpu;
    gen_asm_init(&c->a, PROG_MAX_PAYLOAD - 1U);
    c->dlen = 0;
    c->ndfix = 0;
    c->slot = -1;
    c->in_loop = c->ended = false;
    c->remap_va = 0;
    c->remap_faults = false;
}

/* The op: code, ret, data 8-aligned after it; data-relative offsets made absolute. */
static void gen_code_finish(struct gen_code *c)
{
    struct prog_op *op;
    unsigned d;

    c->a.full = false;
    c->a.cap = PROG_MAX_PAYLOAD;
    /* after a piece that ends the run too: if it does not (a target's quirk), nothing runs on
       into the data */
    gen_asm_fixed(&c->a, GF_RET);
    d = c->dlen ? (c->a.len + 7U) & ~7U : c->a.len;
    if (d + c->dlen > PROG_MAX_PAYLOAD || c->a.nfix + c->ndfix > PROG_MAX_FIXUPS)
        return;   /* cannot happen: the pieces kept room for both */
    if (c->slot >= 0) {
        op = &c->p->ops[c->slot];
        memset(op, 0, offsetof(struct prog_op, payload));
    } else if (!(op = gen_new_op(c->p))) {
        return;
    }
    op->kind = OP_GUEST_CODE;
    op->dom = (uint8_t)c->dom;
    op->vcpu = (uint8_t)c->vcpu;
    /* the target's budget mostly; a stated one always well above what the code can spend */
    op->imm = gen_chance(c->g, 1, 8) ? 4096U + gen_below(c->g, 8192) : 0;
    memcpy(op->payload, c->a.b, c->a.len);
    memset(op->payload + c->a.len, 0, d - c->a.len);
    memcpy(op->payload + d, c->data, c->dlen);
    op->payload_len = (uint16_t)(d + c->dlen);
    op->nr_fixups = 0;
    for (unsigned i = 0; i < c->a.nfix; i++) {
        op->fixups[op->nr_fixups] = c->a.fix[i];
        if (c->a.fix_data[i])
            op->fixups[op->nr_fixups].arg.b += d;
        op->nr_fixups++;
    }
    for (unsigned i = 0; i < c->ndfix; i++) {
        struct prog_fixup f = c->dfix[i];
        f.off = (uint16_t)(f.off + d);
        if (f.arg.kind == ARG_PAYLOAD)
            f.arg.b += d;
        op->fixups[op->nr_fixups++] = f;
    }
}

/* ---- templates --------------------------------------------------------------------------------- */

/*
 * Two vCPUs: the code on one makes a hypercall that can be preempted (a pattern is set first), an
 * op runs on the other vCPU while the call is pending (its twin as plain hypercall, the same code,
 * or a group of the family), then the first vCPU resumes at its syscall and runs on.
 */
static void gen_code_race(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned nv = g->cfg.shape.nr_vcpus, twin = (vcpu + 1) % (nv ? nv : 1);
    struct gen_code c;
    struct prog_op *op;

    gen_bring_up(g, p, dom, vcpu, twin);
    if (!(op = gen_new_op(p)))
        return;
    op->kind = OP_PREEMPT;
    op->imm = 1ULL << gen_below(g, 4);
    gen_code_start(&c, g, p, dom, vcpu);
    if (gen_chance(g, 1, 2))
        gen_code_piece(&c, GEN_CP_ACCESS);
    gen_code_piece(&c, GEN_CP_HC_PRE);
    if (gen_chance(g, 2, 3))
        gen_code_piece(&c, GEN_CP_ACCESS);
    gen_code_finish(&c);
    if (!(op = gen_new_op(p)))
        return;
    op->kind = OP_PREEMPT;   /* pattern 0: what runs on the other vCPU runs whole */
    if (c.slot < 0)
        return;
    const struct prog_op *code = &p->ops[c.slot];
    if (gen_chance(g, 2, 3) && (op = gen_new_op(p))) {
        memcpy(op, code, offsetof(struct prog_op, payload));
        memcpy(op->payload, code->payload, code->payload_len);
        memcpy(op->fixups, code->fixups, code->nr_fixups * sizeof(code->fixups[0]));
        op->vcpu = (uint8_t)twin;
    } else {
        gen_families[gen_code_hc_family(g, true)](g, p, dom, twin);
    }
    if ((op = gen_new_op(p))) {
        op->kind = OP_SWITCH_VCPU;
        op->dom = (uint8_t)dom;
        op->vcpu = p->ops[c.slot].vcpu;
    }
}

void gen_f_code(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    static const uint8_t mixed[] = { GEN_CP_ACCESS, GEN_CP_ACCESS, GEN_CP_ACCESS, GEN_CP_EXIT,
                                     GEN_CP_EXIT, GEN_CP_TSC, GEN_CP_LOOP, GEN_CP_SMC, GEN_CP_HC };
    unsigned r = gen_below(g, 32);
    struct gen_code c;

    if (r < 3 && g->cfg.shape.nr_vcpus > 1) {
        gen_code_race(g, p, dom, vcpu);
        return;
    }
    gen_code_start(&c, g, p, dom, vcpu);
    if (r < 12) {
        /* a hypercall from the code, with accesses before (TLB entries it may leave stale) and
           after (what it changed) */
        if (gen_chance(g, 1, 3))
            gen_code_piece(&c, GEN_CP_ACCESS);
        gen_code_piece(&c, GEN_CP_HC);
        for (unsigned i = 0, n = gen_below(g, 3); i < n; i++)
            gen_code_piece(&c, GEN_CP_ACCESS);
    } else if (r < 20) {
        for (unsigned i = 0, n = 1 + gen_below(g, 3); i < n; i++)
            gen_code_piece(&c, GEN_CP_ACCESS);
    } else if (r < 26) {
        for (unsigned i = 0, n = 1 + gen_below(g, 3); i < n; i++)
            gen_code_piece(&c, gen_chance(g, 1, 4) ? GEN_CP_LOOP : GEN_CP_EXIT);
    } else if (r < 28) {
        gen_code_piece(&c, GEN_CP_SMC);
        if (gen_chance(g, 1, 2))
            gen_code_piece(&c, GEN_CP_SMC);
    } else {
        for (unsigned i = 0, n = 2 + gen_below(g, 4); i < n; i++)
            gen_code_piece(&c, GEN_PICK(g, mixed));
    }
    if (gen_chance(g, 1, 6))
        gen_code_piece(&c, GEN_CP_END);
    gen_code_finish(&c);
}

/* One code op of a single access (tests: each class and direction on a target). */
void gen_code_access_op(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned cls,
                        unsigned dir, unsigned size)
{
    struct gen_code c;

    gen_code_start(&c, g, p, dom, vcpu);
    gen_code_access_piece(&c, cls, dir, size);
    gen_code_finish(&c);
}

/* ---- what an address is, to the census and the mutators --------------------------------------- */

unsigned gen_code_classify(const struct prog_shape *s, unsigned caller, const struct prog_arg *a)
{
    unsigned first = GEN_GFN_L1 + (s->dom_pages + PTES_PER_TABLE - 1) / PTES_PER_TABLE;
    uint64_t v;

    switch (a->kind) {
    case ARG_PAYLOAD:
        return GEN_CT_CODE;
    case ARG_GVA:
        return a->a == s->dom_pages - 1U ? GEN_CT_CODE : a->a < first ? GEN_CT_PT : GEN_CT_OWN;
    case ARG_MADDR: case ARG_GPA: case ARG_MFN: case ARG_GFN:
        return a->dom != caller ? GEN_CT_FOREIGN : GEN_CT_UNMAPPED;
    case ARG_IMM:
        v = a->imm;
        if ((uint64_t)((int64_t)(v << 16) >> 16) != v)
            return GEN_CT_NONCANON;
        if (v >= XEN_VIRT_START && v < XEN_VIRT_END)
            return GEN_CT_XEN;
        if (v >= GEN_VA(0) && v < GEN_VA(s->dom_pages)) {
            uint64_t gfn = (v - GEN_VA(0)) >> PAGE_SHIFT;
            return gfn == s->dom_pages - 1U ? GEN_CT_CODE : gfn < first ? GEN_CT_PT : GEN_CT_OWN;
        }
        return GEN_CT_UNMAPPED;
    default:
        return GEN_CT_UNMAPPED;
    }
}

/* For the mutators: a fresh address of a random class, and one piece on its own. */
struct prog_arg gen_code_new_target(struct gen *g, struct prog *p, unsigned dom, unsigned size,
                                    unsigned *cls)
{
    struct gen_code c;
    bool w, f;

    gen_code_start(&c, g, p, dom, 0);
    c.slot = (int)p->nr_ops;   /* no new ops: a remap falls back to an earlier one or own data */
    *cls = gen_code_class(g);
    return gen_code_target(&c, *cls, size, &w, &f);
}

bool gen_code_new_piece(struct gen *g, struct prog *p, unsigned dom, struct gen_asm *out)
{
    static const uint8_t kinds[] = { GEN_CP_ACCESS, GEN_CP_EXIT, GEN_CP_TSC, GEN_CP_END };
    struct gen_code c;

    gen_code_start(&c, g, p, dom, 0);
    c.slot = (int)p->nr_ops;
    gen_code_piece(&c, GEN_PICK(g, kinds));
    if (c.dlen || !c.a.len)
        return false;   /* pieces with data stay whole programs' (the mutant has no room map) */
    *out = c.a;
    return true;
}
