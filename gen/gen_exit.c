/* Generator templates for VM exits: CPUID, MSRs, port and string I/O, MMIO, DMA rings, EPT, HLT, exceptions. */
#include "gen/gen_internal.h"
#include "ir/exit_tmpl.h"

/*
 * Each template writes what a guest driver or kernel does to reach an exit path: the ABI's own
 * values mostly (every implemented leaf, MSR, port and register), their neighbours, and now and
 * then any value. Sequences that only mean something together (UART divisor latch, CMOS
 * index/data, a DMA ring's setup and doorbell) come as one group.
 */

static struct prog_op *gen_exit_op(struct prog *p, unsigned dom, unsigned vcpu, unsigned reason)
{
    struct prog_op *op = gen_new_op(p);

    if (op)
        exit_tmpl_start(op, dom, vcpu, reason);
    return op;
}

static uint64_t gen_exit_pick64(struct gen *g, const uint64_t *t, unsigned n)
{
    return t[gen_below(g, n)];
}

static void gen_exit_cpuid(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_CPUID);
    uint64_t leaf;

    if (!op)
        return;
    exit_tmpl_simple_insn(op);
    if (gen_chance(g, 7, 8))
        leaf = exit_tmpl_leaves[gen_below(g, exit_tmpl_nr_leaves)];
    else
        leaf = gen_rand(g) >> (gen_below(g, 2) ? 32 : 0);   /* the upper half must be ignored */
    exit_tmpl_imm(&op->regs[ABI_REG_RAX], leaf);
    exit_tmpl_imm(&op->regs[ABI_REG_RCX], gen_chance(g, 3, 4) ? gen_below(g, 3) : gen_rand(g));
}

/* An MSR value: legal values, canonical/non-canonical addresses, reserved bits. */
static uint64_t gen_exit_msr_val(struct gen *g)
{
    if (gen_chance(g, 3, 4))
        return exit_tmpl_msr_vals[gen_below(g, exit_tmpl_nr_msr_vals)];
    if (gen_chance(g, 1, 2))
        return 1ULL << gen_below(g, 64);
    return gen_rand(g);
}

static void gen_exit_msr(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    bool write = gen_chance(g, 1, 2);
    uint32_t msr = gen_chance(g, 15, 16) ? exit_tmpl_msrs[gen_below(g, exit_tmpl_nr_msrs)]
                                         : (uint32_t)gen_rand(g);
    /* a write then a read back, now and then */
    unsigned n = write && gen_chance(g, 1, 3) ? 2 : 1;

    for (unsigned i = 0; i < n; i++) {
        struct prog_op *op = gen_exit_op(p, dom, vcpu, write && i == 0 ? EXIT_MSR_WRITE
                                                                        : EXIT_MSR_READ);
        if (!op)
            return;
        exit_tmpl_simple_insn(op);
        /* rdmsr/wrmsr take ecx: garbage above it must not matter */
        exit_tmpl_imm(&op->regs[ABI_REG_RCX], msr | (gen_chance(g, 1, 8) ? gen_rand(g) << 32 : 0));
        if (write && i == 0) {
            uint64_t v = gen_exit_msr_val(g);
            exit_tmpl_imm(&op->regs[ABI_REG_RAX], v & 0xFFFFFFFFU);
            exit_tmpl_imm(&op->regs[ABI_REG_RDX], v >> 32);
        }
    }
}

static void gen_exit_out(struct prog *p, unsigned dom, unsigned vcpu, uint16_t port, unsigned size,
                         uint32_t val)
{
    struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_IO);

    if (!op)
        return;
    exit_tmpl_io(op, port, size, false, false, false, false, port < 0x100);
    exit_tmpl_imm(&op->regs[ABI_REG_RAX], val);
}

static void gen_exit_in(struct prog *p, unsigned dom, unsigned vcpu, uint16_t port, unsigned size)
{
    struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_IO);

    if (!op)
        return;
    exit_tmpl_io(op, port, size, true, false, false, false, port < 0x100);
}

/* One access to any port with any size, or a device sequence. */
static void gen_exit_io(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    static const uint8_t sizes[] = { 1, 1, 1, 2, 4 };
    unsigned r = gen_below(g, 16);
    unsigned size = sizes[gen_below(g, sizeof(sizes))];

    if (r < 6) {
        uint16_t port = gen_chance(g, 7, 8) ? exit_tmpl_ports[gen_below(g, exit_tmpl_nr_ports)]
                                            : (uint16_t)gen_rand(g);
        if (gen_chance(g, 1, 2))
            gen_exit_in(p, dom, vcpu, port, size);
        else
            gen_exit_out(p, dom, vcpu, port, size, (uint32_t)gen_rand(g) >> gen_below(g, 32));
    } else if (r < 8) {
        /* UART divisor latch: LCR.DLAB, DLL/DLM, back to 8N1, then the data path */
        gen_exit_out(p, dom, vcpu, UART_PORT_BASE + 3, 1, 0x80);
        gen_exit_out(p, dom, vcpu, UART_PORT_BASE, 1, gen_below(g, 256));
        gen_exit_out(p, dom, vcpu, UART_PORT_BASE + 1, 1, gen_below(g, 4));
        if (gen_chance(g, 1, 2))
            gen_exit_in(p, dom, vcpu, UART_PORT_BASE, 1);
        gen_exit_out(p, dom, vcpu, UART_PORT_BASE + 3, 1, gen_chance(g, 3, 4) ? 0x03 : 0x1F);
    } else if (r < 10) {
        /* FIFO fill: enable (and sometimes reset) the FIFOs, push bytes past the depth, status */
        gen_exit_out(p, dom, vcpu, UART_PORT_BASE + 2, 1, gen_chance(g, 3, 4) ? 0x07 : 0x01);
        unsigned n = 2 + gen_below(g, 20);
        for (unsigned i = 0; i < n; i++)
            gen_exit_out(p, dom, vcpu, UART_PORT_BASE, gen_chance(g, 7, 8) ? 1 : 2, 0x41 + i);
        gen_exit_in(p, dom, vcpu, UART_PORT_BASE + 5, 1);
        if (gen_chance(g, 1, 2))
            gen_exit_in(p, dom, vcpu, UART_PORT_BASE + 2, 1);
    } else if (r < 13) {
        /* CMOS: index (sometimes with the NMI bit, sometimes out of range), then data in/out */
        uint32_t idx = gen_chance(g, 1, 2) ? gen_below(g, 14) : gen_below(g, 256);
        gen_exit_out(p, dom, vcpu, CMOS_PORT_INDEX, 1, idx);
        if (gen_chance(g, 1, 2))
            gen_exit_out(p, dom, vcpu, CMOS_PORT_DATA, 1, gen_below(g, 256));
        gen_exit_in(p, dom, vcpu, CMOS_PORT_DATA, gen_chance(g, 7, 8) ? 1 : size);
    } else {
        /* string I/O through the payload page, with rep and 32-bit addressing sometimes */
        bool in = gen_chance(g, 1, 2), rep = gen_chance(g, 2, 3);
        uint16_t port = gen_chance(g, 3, 4) ? UART_PORT_BASE : CMOS_PORT_DATA;
        struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_IO);
        if (!op)
            return;
        exit_tmpl_io(op, port, size, in, true, rep, gen_chance(g, 1, 8), false);
        exit_tmpl_imm(&op->regs[ABI_REG_RCX], gen_count(g, 24));
        op->regs[ABI_REG_RSI] = GEN_GVA(dom, g->cfg.shape.dom_pages - 1, 8U * gen_below(g, 8));
        op->regs[ABI_REG_RDI] = gen_chance(g, 7, 8) ? GEN_GVA(dom, gen_data_gfn(g), 0)
                                                : GEN_IMM(gen_free_va(g));
        if (gen_chance(g, 1, 4))
            exit_tmpl_imm(&op->regs[PROG_EXIT_RFLAGS], 0x602);   /* DF: downwards */
        if (!in) {
            op->payload_len = 64;
            for (unsigned i = 0; i < 64; i++)
                op->payload[i] = (uint8_t)(0x20 + i);
        }
    }
}

/* A register value for an MMIO access: a gpa (ring base), small numbers, limits, anything. */
static struct prog_arg gen_exit_mmio_val(struct gen *g, unsigned dom)
{
    unsigned r = gen_below(g, 16);

    if (r < 4)
        return GEN_IMM(gen_below(g, 8));
    if (r < 7)
        return gen_a(ARG_GPA, 0, gen_data_gfn(g), DMA_DESC_SIZE * gen_below(g, 4), 0);
    if (r < 8)
        return gen_a(ARG_GPA, 0, g->cfg.shape.dom_pages - 1, 0, 0);
    if (r < 12)
        return GEN_IMM(gen_count(g, DMA_RING_MAX));
    return GEN_IMM(gen_rand(g));
}

static void gen_exit_mmio(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_MMIO);
    unsigned k = gen_below(g, exit_tmpl_nr_mmio);
    uint32_t off;

    if (!op)
        return;
    if (gen_chance(g, 7, 8))
        off = exit_tmpl_dma_regs[gen_below(g, exit_tmpl_nr_dma_regs)];
    else
        off = gen_below(g, DMA_MMIO_SIZE);
    exit_tmpl_mmio_access(op, off, k);
    if (gen_chance(g, 1, 16))
        exit_tmpl_imm(&op->qual, 0xFEC00000ULL + off);   /* MMIO nobody claims */
    op->regs[ABI_REG_RAX] = gen_exit_mmio_val(g, dom);
    op->regs[ABI_REG_R8] = gen_exit_mmio_val(g, dom);
    if (exit_tmpl_mmio[k].flags & EXIT_TMPL_STR) {
        exit_tmpl_imm(&op->regs[ABI_REG_RCX], gen_count(g, 8));
        op->regs[ABI_REG_RSI] = GEN_GVA(dom, gen_data_gfn(g), 0);
        op->regs[ABI_REG_RDI] = GEN_GVA(dom, gen_data_gfn(g), 0);
        /* MOVS: gla names the MMIO side (the destination when it equals rdi) */
        op->gla = op->regs[gen_chance(g, 1, 2) ? ABI_REG_RDI : ABI_REG_RSI];
        if (gen_chance(g, 1, 4))
            exit_tmpl_imm(&op->regs[PROG_EXIT_RFLAGS], 0x602);
    }
}

/* A descriptor's address: own data, the ring page, a page table (write refused), beyond the
   built memory (unpopulated), past what the p2m can hold, or any value. */
static void gen_exit_desc_addr(struct gen *g, struct prog_op *op, unsigned off, unsigned dom)
{
    unsigned r = gen_below(g, 16);
    unsigned pages = g->cfg.shape.dom_pages;
    struct gen_hc h = { .g = g, .op = op, .caller = dom };

    if (r < 9)
        gen_pl_fix(&h, off, 8, gen_a(ARG_GPA, 0, gen_data_gfn(g), 8U * gen_below(g, 64), 0));
    else if (r < 10)
        gen_pl_fix(&h, off, 8, gen_a(ARG_GPA, 0, pages - 1, 0, 0));
    else if (r < 12)
        gen_pl_fix(&h, off, 8, gen_a(ARG_GPA, 0, gen_pt_gfn(g, 1 + gen_below(g, 4)), 0, 0));
    else if (r < 14)
        gen_pl_put(&h, off, 8, (uint64_t)(pages + gen_below(g, 64)) << PAGE_SHIFT);
    else if (r < 15)
        gen_pl_put(&h, off, 8, (1ULL << 40) - PAGE_SIZE * gen_below(g, 2));
    else
        gen_pl_put(&h, off, 8, gen_rand(g));
}

/*
 * A DMA ring in the payload page (the last built page, where the doorbell's payload lands):
 * base and size, enable, and the doorbell whose payload holds the descriptors; a status read
 * after. Each step is skipped now and then, so stale rings and disabled devices are rung too.
 */
static void gen_exit_dma(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned pages = g->cfg.shape.dom_pages, nd = 1 + gen_below(g, 4);
    struct prog_op *op;

    if (gen_chance(g, 7, 8)) {
        op = gen_new_op(p);
        if (op)
            exit_tmpl_dma_write(op, dom, vcpu, DMA_REG_RING_BASE, 8,
                                gen_chance(g, 15, 16) ? gen_a(ARG_GPA, 0, pages - 1, 0, 0)
                                                      : gen_exit_mmio_val(g, dom));
    }
    if (gen_chance(g, 7, 8)) {
        op = gen_new_op(p);
        if (op)
            exit_tmpl_dma_write(op, dom, vcpu, DMA_REG_RING_SIZE, 4,
                                GEN_IMM(gen_chance(g, 7, 8) ? nd : gen_count(g, DMA_RING_MAX)));
    }
    if (gen_chance(g, 7, 8)) {
        op = gen_new_op(p);
        if (op)
            exit_tmpl_dma_write(op, dom, vcpu, DMA_REG_CTRL, 4,
                                GEN_IMM(gen_chance(g, 15, 16) ? DMA_CTRL_ENABLE : DMA_CTRL_RESET));
    }
    op = gen_new_op(p);
    if (!op)
        return;
    exit_tmpl_dma_write(op, dom, vcpu, DMA_REG_TAIL, 4,
                        GEN_IMM(gen_chance(g, 7, 8) ? gen_below(g, nd) : gen_count(g, nd)));
    op->payload_len = (uint16_t)(nd * DMA_DESC_SIZE);
    memset(op->payload, 0, op->payload_len);
    for (unsigned i = 0; i < nd; i++) {
        unsigned d = i * DMA_DESC_SIZE;
        struct gen_hc h = { .g = g, .op = op, .caller = dom };
        gen_exit_desc_addr(g, op, d, dom);
        gen_exit_desc_addr(g, op, d + 8, dom);
        gen_pl_put(&h, d + 16, 4, gen_chance(g, 3, 4) ? 8U << gen_below(g, 10)
                                                       : gen_count(g, DMA_LEN_MAX));
        gen_pl_put(&h, d + 20, 4, gen_chance(g, 1, 4) ? DMA_DESC_FILL :
                                  gen_chance(g, 1, 16) ? gen_rand(g) : 0);
    }
    if (gen_chance(g, 1, 2)) {
        static const uint8_t ld32[] = { 0x8B, 0x03 };
        op = gen_exit_op(p, dom, vcpu, EXIT_MMIO);
        if (!op)
            return;
        uint32_t reg = gen_chance(g, 1, 2) ? DMA_REG_STATUS : gen_chance(g, 1, 2) ? DMA_REG_ERROR
                                                                                  : DMA_REG_HEAD;
        exit_tmpl_imm(&op->qual, DMA_MMIO_BASE + reg);
        exit_tmpl_imm(&op->regs[ABI_REG_RBX], DMA_MMIO_BASE + reg);
        exit_tmpl_insn(op, ld32, sizeof(ld32));
    }
}

/* EPT violations: populated (spurious), unpopulated within the allowance, the device page, out
   of range; access bits r/w/x. */
static void gen_exit_ept(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_EPT_VIOLATION);
    unsigned r = gen_below(g, 16), pages = g->cfg.shape.dom_pages;

    if (!op)
        return;
    exit_tmpl_imm(&op->gla, gen_chance(g, 7, 8) ? 1U << gen_below(g, 2) : gen_below(g, 8));
    if (r < 4) {
        op->qual = gen_a(ARG_GPA, 0, gen_any_gfn(g), 8U * gen_below(g, 512), 0);
    } else if (r < 10) {
        exit_tmpl_imm(&op->qual, ((uint64_t)(pages + gen_below(g, 2 * pages)) << PAGE_SHIFT) +
                                 gen_below(g, PAGE_SIZE));
    } else if (r < 14) {
        unsigned k = gen_below(g, exit_tmpl_nr_mmio);
        exit_tmpl_mmio_access(op, exit_tmpl_dma_regs[gen_below(g, exit_tmpl_nr_dma_regs)], k);
        op->regs[ABI_REG_RAX] = gen_exit_mmio_val(g, dom);
        /* the access bits say which way the instruction went */
        exit_tmpl_imm(&op->gla, exit_tmpl_mmio[k].flags & EXIT_TMPL_WR ? 2 : 1);
        if (gen_chance(g, 1, 8))
            exit_tmpl_imm(&op->gla, 4);
    } else {
        static const uint64_t far[] = { 1ULL << 40, 1ULL << 52, ~0ULL, 0x100000000ULL };
        exit_tmpl_imm(&op->qual, gen_exit_pick64(g, far, 4));
    }
}

static void gen_exit_exception(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op = gen_exit_op(p, dom, vcpu, EXIT_EXCEPTION);
    /* the guest's own faults mostly; double fault and machine check crash the domain */
    /* vectors by number (the monitor's names are private): #DE #DB NMI #BP #UD #GP #PF #PF #GP
       #NP #AC #XM and the never-intercepted 9, 15, 31 */
    static const uint8_t vecs[] = { 0, 1, 2, 3, 6, 13, 14, 14, 13, 11, 17, 19, 9, 15, 31 };
    unsigned vec;

    if (!op)
        return;
    vec = gen_chance(g, 31, 32) ? vecs[gen_below(g, sizeof(vecs))] :
          gen_chance(g, 1, 2) ? 8 : 18;   /* #DF, #MC */
    exit_tmpl_imm(&op->qual, vec | (uint64_t)gen_below(g, 0x20) << 32 |
                             (gen_chance(g, 1, 32) ? 0x100ULL : 0));
    exit_tmpl_imm(&op->gla, gen_free_va(g));
}

void gen_f_exit(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned r = gen_below(g, 64);
    struct prog_op *op;

    if (r < 8)
        gen_exit_cpuid(g, p, dom, vcpu);
    else if (r < 18)
        gen_exit_msr(g, p, dom, vcpu);
    else if (r < 32)
        gen_exit_io(g, p, dom, vcpu);
    else if (r < 44)
        gen_exit_mmio(g, p, dom, vcpu);
    else if (r < 54)
        gen_exit_dma(g, p, dom, vcpu);
    else if (r < 58)
        gen_exit_ept(g, p, dom, vcpu);
    else if (r < 61)
        gen_exit_exception(g, p, dom, vcpu);
    else if (r < 63) {
        /* HLT blocks the vCPU until an event: rare, so its later exits still run */
        op = gen_exit_op(p, dom, vcpu, EXIT_HLT);
        if (op)
            exit_tmpl_simple_insn(op);
    } else if (gen_chance(g, 1, 4)) {
        /* a triple fault ends the domain: rarer still */
        gen_exit_op(p, dom, vcpu, EXIT_TRIPLE_FAULT);
    } else {
        /* a record no hardware makes: unknown reason, or an instruction exit without bytes */
        op = gen_exit_op(p, dom, vcpu, gen_chance(g, 1, 2) ? EXIT_NR + gen_below(g, 8)
                                                          : EXIT_CPUID);
    }
}

/*
 * The exits an instruction raises on a CPU, for guest code to run (gen_code.c folds these ops
 * into its instructions): CPUID, MSR reads and writes, port I/O with its device sequences and
 * string forms, and HLT, rarely (it stops the vCPU).
 */
void gen_exit_insn(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned r = gen_below(g, 32);
    struct prog_op *op;

    if (r < 8) {
        gen_exit_cpuid(g, p, dom, vcpu);
    } else if (r < 16) {
        gen_exit_msr(g, p, dom, vcpu);
    } else if (r < 31) {
        gen_exit_io(g, p, dom, vcpu);
    } else if ((op = gen_exit_op(p, dom, vcpu, EXIT_HLT))) {
        exit_tmpl_simple_insn(op);
    }
}
