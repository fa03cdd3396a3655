/* The short programs of `hvfuzz bench`: a few ops, a few exits, the same on every target. */
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/xen.h"

/*
 * What an emulated or hardware target costs per program is dominated by entering the CPU, not
 * by the monitor's work, so its figure is taken on short programs (the "a few guest
 * instructions, a few exits"). Two sets:
 *  - BENCH_SHORT_OPS: a hypercall, a CPUID exit, a port write to the UART and a guest read,
 *    ops every target runs (the native figure beside it comes from the same programs);
 *  - BENCH_SHORT_CODE: one guest_code op (a xen_version hypercall by syscall, a CPUID, a load,
 *    ret) and a guest write, for targets that run guest code.
 */
static void bench_short_exit(struct prog_op *op, uint8_t reason, const uint8_t *insn, unsigned len)
{
    op->kind = OP_EXIT;
    op->dom = 1;
    op->exit_reason = reason;
    op->insn_len = (uint8_t)len;
    memcpy(op->insn, insn, len);
    op->regs[PROG_EXIT_RFLAGS].imm = 0x202;
}

void bench_short_program(struct prog *p, const struct prog_shape *shape, enum bench_short which)
{
    static const uint8_t cpuid[] = { 0x0F, 0xA2 }, out_dx_al[] = { 0xEE };
    /* mov eax, 17; xor edi, edi; xor esi, esi; syscall; xor eax, eax; cpuid;
       mov rax, [rip + 0x100]; ret */
    static const uint8_t code[] = { 0xB8, 0x11, 0, 0, 0, 0x31, 0xFF, 0x31, 0xF6, 0x0F, 0x05,
                                    0x31, 0xC0, 0x0F, 0xA2, 0x48, 0x8B, 0x05, 0x00, 0x01, 0,
                                    0, 0xC3 };
    struct prog_op *op;

    prog_init(p, shape);
    memset(p->ops, 0, 4 * sizeof(p->ops[0]));
    if (which == BENCH_SHORT_CODE) {
        op = &p->ops[0];
        op->kind = OP_GUEST_CODE;
        op->dom = 1;
        memcpy(op->payload, code, sizeof(code));
        op->payload_len = sizeof(code);
        op = &p->ops[1];
        op->kind = OP_GUEST_WRITE;
        op->dom = 1;
        op->size = 8;
        op->nr_args = 1;
        op->args[0] = (struct prog_arg){ .kind = ARG_GVA, .dom = 1, .a = 5 };
        p->nr_ops = 2;
        return;
    }
    op = &p->ops[0];
    op->kind = OP_HYPERCALL;
    op->dom = 1;
    op->nr = HYPERVISOR_xen_version;
    op->nr_args = 1;
    op->args[0].imm = XENVER_version;
    bench_short_exit(&p->ops[1], EXIT_CPUID, cpuid, sizeof(cpuid));
    bench_short_exit(&p->ops[2], EXIT_IO, out_dx_al, sizeof(out_dx_al));
    p->ops[2].qual.imm = EXIT_IO_QUAL(UART_PORT_BASE, 1, false);
    p->ops[2].regs[X86_RDX].imm = UART_PORT_BASE;
    p->ops[2].regs[X86_RAX].imm = 'h';
    op = &p->ops[3];
    op->kind = OP_GUEST_READ;
    op->dom = 1;
    op->size = 8;
    op->nr_args = 1;
    op->args[0] = (struct prog_arg){ .kind = ARG_GVA, .dom = 1, .a = 5 };
    p->nr_ops = 4;
}
