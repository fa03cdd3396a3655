/* Exit templates: CPUID leaves, MSRs, ports, DMA registers and MMIO instruction encodings from the exit ABI. */
#include <string.h>

#include "ir/exit_tmpl.h"

#define I(sz, fl, ...) { .len = sizeof((uint8_t[]){ __VA_ARGS__ }), .size = (sz), .flags = (fl), \
                         .bytes = { __VA_ARGS__ } }
#define RD EXIT_TMPL_RD
#define WR EXIT_TMPL_WR
#define STR EXIT_TMPL_STR
#define BAD EXIT_TMPL_BAD
/*
 * The memory operand's address is never what selects the device (the exit's gpa does), so the
 * ModRM/SIB/REX variety is there for the decoder: every form a compiler emits for a register
 * access, and the ones the emulator must refuse.
 */
const struct exit_tmpl_insn exit_tmpl_mmio[] = {
    /* mov */
    I(4, WR, 0x89, 0x03),                       /* mov [rbx], eax */
    I(8, WR, 0x48, 0x89, 0x03),                 /* mov [rbx], rax */
    I(4, RD, 0x8B, 0x03),                       /* mov eax, [rbx] */
    I(8, RD, 0x48, 0x8B, 0x03),                 /* mov rax, [rbx] */
    I(1, WR, 0x88, 0x03),                       /* mov [rbx], al */
    I(2, WR, 0x66, 0x89, 0x03),                 /* mov [rbx], ax */
    I(1, RD, 0x8A, 0x03),                       /* mov al, [rbx] */
    I(1, RD, 0x8A, 0x23),                       /* mov ah, [rbx] */
    I(4, WR, 0xC7, 0x03, 0x01, 0x00, 0x00, 0x00),          /* mov dword [rbx], 1 */
    I(8, WR, 0x48, 0xC7, 0x03, 0xFF, 0xFF, 0xFF, 0xFF),    /* mov qword [rbx], -1 */
    I(1, WR, 0xC6, 0x03, 0x5A),                 /* mov byte [rbx], 0x5a */
    I(4, RD, 0xA1, 0x08, 0x00, 0xB0, 0xFE, 0, 0, 0, 0),    /* mov eax, [moffs64] */
    I(8, WR, 0x48, 0xA3, 0x18, 0x00, 0xB0, 0xFE, 0, 0, 0, 0), /* mov [moffs64], rax */
    I(4, RD, 0x8B, 0x05, 0x00, 0x10, 0x00, 0x00),          /* mov eax, [rip+0x1000] */
    I(4, RD, 0x8B, 0x44, 0x24, 0x08),           /* mov eax, [rsp+8] */
    I(4, WR, 0x89, 0x04, 0x8B),                 /* mov [rbx+rcx*4], eax */
    I(4, RD, 0x44, 0x8B, 0x03),                 /* mov r8d, [rbx] */
    I(8, WR, 0x4C, 0x89, 0x03),                 /* mov [rbx], r8 */
    I(4, RD, 0x41, 0x8B, 0x00),                 /* mov eax, [r8] */
    I(4, WR, 0x42, 0x89, 0x04, 0x03),           /* mov [rbx+r8], eax */
    I(4, RD, 0x67, 0x8B, 0x03),                 /* mov eax, [ebx] */
    I(4, WR, 0x64, 0x89, 0x03),                 /* mov fs:[rbx], eax */
    I(4, RD, 0x8B, 0x43, 0x10),                 /* mov eax, [rbx+0x10] */
    I(4, WR, 0x89, 0x83, 0x00, 0x01, 0x00, 0x00), /* mov [rbx+0x100], eax */
    /* movzx, movsx, movsxd */
    I(1, RD, 0x0F, 0xB6, 0x03),                 /* movzx eax, byte [rbx] */
    I(2, RD, 0x0F, 0xB7, 0x03),                 /* movzx eax, word [rbx] */
    I(1, RD, 0x0F, 0xBE, 0x03),                 /* movsx eax, byte [rbx] */
    I(2, RD, 0x48, 0x0F, 0xBF, 0x03),           /* movsx rax, word [rbx] */
    I(4, RD, 0x48, 0x63, 0x03),                 /* movsxd rax, dword [rbx] */
    /* string instructions */
    I(4, WR | STR, 0xAB),                       /* stosd */
    I(8, WR | STR, 0x48, 0xAB),                 /* stosq */
    I(4, WR | STR, 0xF3, 0xAB),                 /* rep stosd */
    I(8, WR | STR, 0xF3, 0x48, 0xAB),           /* rep stosq */
    I(1, WR | STR, 0xAA),                       /* stosb */
    I(2, WR | STR, 0x66, 0xAB),                 /* stosw */
    I(4, WR | STR, 0x67, 0xF3, 0xAB),           /* rep stosd, 32-bit addressing */
    I(4, RD | WR | STR, 0xA5),                  /* movsd */
    I(4, RD | WR | STR, 0xF3, 0xA5),            /* rep movsd */
    I(8, RD | WR | STR, 0x48, 0xA5),            /* movsq */
    I(4, RD | WR | STR, 0x67, 0xF3, 0xA5),      /* rep movsd, 32-bit addressing */
    /* read-modify-write and compares */
    I(4, RD | WR, 0x09, 0x03),                  /* or [rbx], eax */
    I(4, RD, 0x0B, 0x03),                       /* or eax, [rbx] */
    I(4, RD | WR, 0x21, 0x03),                  /* and [rbx], eax */
    I(4, RD, 0x23, 0x03),                       /* and eax, [rbx] */
    I(4, RD | WR, 0x31, 0x03),                  /* xor [rbx], eax */
    I(4, RD, 0x33, 0x03),                       /* xor eax, [rbx] */
    I(4, RD | WR, 0x01, 0x03),                  /* add [rbx], eax */
    I(8, RD | WR, 0x48, 0x01, 0x03),            /* add [rbx], rax */
    I(4, RD, 0x03, 0x03),                       /* add eax, [rbx] */
    I(4, RD | WR, 0x29, 0x03),                  /* sub [rbx], eax */
    I(4, RD, 0x2B, 0x03),                       /* sub eax, [rbx] */
    I(4, RD, 0x85, 0x03),                       /* test [rbx], eax */
    I(4, RD, 0xF7, 0x03, 0x01, 0x00, 0x00, 0x00), /* test dword [rbx], 1 */
    I(4, RD, 0x39, 0x03),                       /* cmp [rbx], eax */
    I(4, RD, 0x3B, 0x03),                       /* cmp eax, [rbx] */
    I(4, RD | WR, 0x83, 0x0B, 0x01),            /* or dword [rbx], 1 */
    I(4, RD | WR, 0x81, 0x23, 0xFE, 0xFF, 0xFF, 0xFF), /* and dword [rbx], ~1 */
    I(4, RD, 0x83, 0x3B, 0x10),                 /* cmp dword [rbx], 0x10 */
    I(4, RD | WR, 0xF0, 0x09, 0x03),            /* lock or [rbx], eax */
    /* exchange and bit tests */
    I(4, RD | WR, 0x87, 0x03),                  /* xchg [rbx], eax */
    I(8, RD | WR, 0x48, 0x87, 0x03),            /* xchg [rbx], rax */
    I(1, RD | WR, 0x86, 0x03),                  /* xchg [rbx], al */
    I(4, RD, 0x0F, 0xA3, 0x03),                 /* bt [rbx], eax */
    I(4, RD | WR, 0x0F, 0xAB, 0x03),            /* bts [rbx], eax */
    I(4, RD | WR, 0x0F, 0xB3, 0x03),            /* btr [rbx], eax */
    I(4, RD | WR, 0x0F, 0xBB, 0x03),            /* btc [rbx], eax */
    I(4, RD, 0x0F, 0xBA, 0x23, 0x04),           /* bt dword [rbx], 4 */
    I(4, RD | WR, 0x0F, 0xBA, 0x2B, 0x00),      /* bts dword [rbx], 0 */
    I(4, RD | WR, 0x0F, 0xBA, 0x33, 0x01),      /* btr dword [rbx], 1 */
    I(4, RD | WR, 0x0F, 0xBA, 0x3B, 0x1F),      /* btc dword [rbx], 31 */
    /* refused */
    I(0, BAD, 0x0F, 0xA2),                      /* cpuid: not a memory access, #UD */
    I(4, BAD, 0xF0, 0x89, 0x03),                /* lock mov: #UD */
    I(0, BAD, 0x89, 0xD8),                      /* mov eax, ebx: no memory operand */
    I(4, BAD, 0xC7, 0x03, 0xEF, 0xBE),          /* truncated: an invalid record */
    I(4, BAD, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
      0x66, 0x66),                              /* over 15 bytes with the opcode: #GP */
    I(4, BAD, 0xF2, 0xAB),                      /* repne stos: unsupported */
};
const unsigned exit_tmpl_nr_mmio = sizeof(exit_tmpl_mmio) / sizeof(exit_tmpl_mmio[0]);

const uint32_t exit_tmpl_leaves[] = {
    0, 1, 2, 4, 6, 7, 0xB, 0xD, 0xE, 0x14, 0x7FFFFFFF,
    0x80000000U, 0x80000001U, 0x80000007U, 0x80000008U, 0x80000009U, 0x8FFFFFFFU,
    CPUID_HV_BASE, CPUID_HV_MAX, CPUID_HV_MAX + 1, 0x400000FFU, 0xC0000000U, 0xFFFFFFFFU,
};
const unsigned exit_tmpl_nr_leaves = sizeof(exit_tmpl_leaves) / sizeof(exit_tmpl_leaves[0]);

const uint32_t exit_tmpl_msrs[] = {
    MSR_TSC, MSR_APIC_BASE, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
    MSR_MISC_ENABLE, MSR_PAT, MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
    MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
    /* neighbours and the edges of the MSR ranges */
    MSR_TSC + 1, MSR_SYSENTER_CS - 1, MSR_SYSENTER_EIP + 1, MSR_MISC_ENABLE + 1, MSR_PAT + 1,
    MSR_EFER - 1, MSR_SFMASK + 1, MSR_FS_BASE - 1, MSR_TSC_AUX + 1, 0, 0x1FFF, 0xC0000000U,
    0xC0001FFFU, 0x40000000U, 0xFFFFFFFFU,
};
const unsigned exit_tmpl_nr_msrs = sizeof(exit_tmpl_msrs) / sizeof(exit_tmpl_msrs[0]);

const uint64_t exit_tmpl_msr_vals[] = {
    0, 1, 0x500, 0xD01, 0x901, 0x0007040600070406ULL, 0x0007010600070106ULL,
    0x00007FFFFFFFF000ULL, 0xFFFF800000000000ULL, 0x0000800000000000ULL, 0x8000000000000000ULL,
    0xFEE00900ULL, 0xFEE00800ULL, 0x40001000ULL, 0xFFFFFFFFFFFFFFFFULL, 0x100000000ULL,
};
const unsigned exit_tmpl_nr_msr_vals = sizeof(exit_tmpl_msr_vals) / sizeof(exit_tmpl_msr_vals[0]);

const uint16_t exit_tmpl_ports[] = {
    UART_PORT_BASE, UART_PORT_BASE + 1, UART_PORT_BASE + 2, UART_PORT_BASE + 3,
    UART_PORT_BASE + 4, UART_PORT_BASE + 5, UART_PORT_BASE + 6, UART_PORT_BASE + 7,
    CMOS_PORT_INDEX, CMOS_PORT_DATA, UART_PORT_BASE - 1, UART_PORT_BASE + 8, 0x2F8, 0x80,
    0x72, 0xCF8, 0xFFFF, 0,
};
const unsigned exit_tmpl_nr_ports = sizeof(exit_tmpl_ports) / sizeof(exit_tmpl_ports[0]);

const uint16_t exit_tmpl_dma_regs[] = {
    DMA_REG_ID, DMA_REG_RING_BASE, DMA_REG_RING_SIZE, DMA_REG_HEAD, DMA_REG_TAIL,
    DMA_REG_STATUS, DMA_REG_ERROR, DMA_REG_CTRL, DMA_REG_COMPLETED,
    DMA_REG_RING_BASE + 4, 0x2, 0x2C, 0x800, 0xFF8, 0xFFC,
};
const unsigned exit_tmpl_nr_dma_regs = sizeof(exit_tmpl_dma_regs) / sizeof(exit_tmpl_dma_regs[0]);

void exit_tmpl_imm(struct prog_arg *a, uint64_t v)
{
    memset(a, 0, sizeof(*a));
    a->kind = ARG_IMM;
    a->imm = v;
}

void exit_tmpl_start(struct prog_op *op, unsigned dom, unsigned vcpu, unsigned reason)
{
    op->kind = OP_EXIT;
    op->dom = (uint8_t)dom;
    op->vcpu = (uint8_t)vcpu;
    op->exit_reason = (uint8_t)reason;
    op->insn_len = 0;
    memset(op->insn, 0, sizeof(op->insn));
    exit_tmpl_imm(&op->qual, 0);
    exit_tmpl_imm(&op->gla, 0);
    for (unsigned i = 0; i < PROG_EXIT_REGS; i++)
        exit_tmpl_imm(&op->regs[i], 0);
    /* where a guest at the builder's VA base would be: rip advances from here */
    exit_tmpl_imm(&op->regs[PROG_EXIT_RIP], 0x40001000ULL);
    exit_tmpl_imm(&op->regs[PROG_EXIT_RFLAGS], 0x202);
    op->payload_len = 0;
    op->nr_fixups = 0;
}

void exit_tmpl_insn(struct prog_op *op, const uint8_t *bytes, unsigned len)
{
    if (len > PROG_MAX_INSN)
        len = PROG_MAX_INSN;
    memset(op->insn, 0, sizeof(op->insn));
    memcpy(op->insn, bytes, len);
    op->insn_len = (uint8_t)len;
}

void exit_tmpl_simple_insn(struct prog_op *op)
{
    static const uint8_t cpuid[] = { 0x0F, 0xA2 }, rdmsr[] = { 0x0F, 0x32 },
                         wrmsr[] = { 0x0F, 0x30 }, hlt[] = { 0xF4 };
    switch (op->exit_reason) {
    case EXIT_CPUID:     exit_tmpl_insn(op, cpuid, sizeof(cpuid)); break;
    case EXIT_MSR_READ:  exit_tmpl_insn(op, rdmsr, sizeof(rdmsr)); break;
    case EXIT_MSR_WRITE: exit_tmpl_insn(op, wrmsr, sizeof(wrmsr)); break;
    case EXIT_HLT:       exit_tmpl_insn(op, hlt, sizeof(hlt)); break;
    default: break;
    }
}

void exit_tmpl_io(struct prog_op *op, uint16_t port, unsigned size, bool in, bool string,
                  bool rep, bool a32, bool imm8)
{
    uint8_t b[6];
    unsigned n = 0;
    uint64_t q = EXIT_IO_QUAL(port, size, in);

    if (string) {
        q |= 1ULL << 25;
        if (rep)
            q |= 1ULL << 26;
        if (a32)
            b[n++] = 0x67;
        if (size == 2)
            b[n++] = 0x66;
        if (rep)
            b[n++] = 0xF3;
        b[n++] = (uint8_t)((in ? 0x6C : 0x6E) | (size > 1));
    } else {
        if (size == 2)
            b[n++] = 0x66;
        if (imm8 && port < 0x100) {
            b[n++] = (uint8_t)((in ? 0xE4 : 0xE6) | (size > 1));
            b[n++] = (uint8_t)port;
        } else {
            b[n++] = (uint8_t)((in ? 0xEC : 0xEE) | (size > 1));
        }
    }
    exit_tmpl_imm(&op->qual, q);
    exit_tmpl_imm(&op->regs[ABI_REG_RDX], port);
    exit_tmpl_insn(op, b, n);
}

void exit_tmpl_mmio_access(struct prog_op *op, uint32_t off, unsigned k)
{
    const struct exit_tmpl_insn *t = &exit_tmpl_mmio[k % exit_tmpl_nr_mmio];
    uint64_t gpa = DMA_MMIO_BASE + off;

    exit_tmpl_imm(&op->qual, gpa);
    exit_tmpl_imm(&op->regs[ABI_REG_RBX], gpa);
    exit_tmpl_insn(op, t->bytes, t->len);
}

void exit_tmpl_dma_write(struct prog_op *op, unsigned dom, unsigned vcpu, uint32_t reg,
                         unsigned size, struct prog_arg val)
{
    static const uint8_t st32[] = { 0x89, 0x03 }, st64[] = { 0x48, 0x89, 0x03 };

    exit_tmpl_start(op, dom, vcpu, EXIT_MMIO);
    exit_tmpl_imm(&op->qual, DMA_MMIO_BASE + reg);
    exit_tmpl_imm(&op->regs[ABI_REG_RBX], DMA_MMIO_BASE + reg);
    if (size == 8)
        exit_tmpl_insn(op, st64, sizeof(st64));
    else
        exit_tmpl_insn(op, st32, sizeof(st32));
    op->regs[ABI_REG_RAX] = val;
}
