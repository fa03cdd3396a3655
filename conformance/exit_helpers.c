/* VM-exit conformance helpers: building records, and port/MMIO accesses through the exit layer. */
#include <string.h>
#include "exit_conf.h"

/* The instruction that raises the reason on hardware, so a recorded exit also runs on a target
   whose exits come from real instructions (unicorn); cases that test decoding replace it. */
void xc_record(struct exit_record *x, enum exit_reason reason, uint64_t qual)
{
    memset(x, 0, sizeof(*x));
    x->reason = (uint8_t)reason;
    x->qual = qual;
    x->regs.rip = XC_RIP;
    x->regs.rflags = 0x202;
    x->insn_len = 2;
    x->insn[0] = 0x0F;
    x->insn[1] = reason == EXIT_MSR_READ ? 0x32 : reason == EXIT_MSR_WRITE ? 0x30 : 0xA2;
    if (reason == EXIT_HLT) {
        x->insn_len = 1;
        x->insn[0] = 0xF4;
        x->insn[1] = 0;
    }
}

void xc_insn(struct exit_record *x, const uint8_t *bytes, unsigned len)
{
    memset(x->insn, 0, sizeof(x->insn));
    if (len > sizeof(x->insn))
        len = sizeof(x->insn);
    memcpy(x->insn, bytes, len);
    x->insn_len = (uint8_t)len;
}

enum exit_action xc_run(struct conf_ctx *c, struct vcpu *v, const struct exit_record *x,
                        struct exit_result *r)
{
    struct exit_result scratch;
    int token = conf_record_exit(c, v, x);
    enum exit_action a = hv_exit(c->hv, v, x, r ? r : &scratch);
    conf_record_exit_end(token, r ? r : &scratch);
    if ((r ? r : &scratch)->action != a)
        CONF_FAIL(c, "hv_exit returned %s but recorded %s", abi_exit_action_name(a),
                  abi_exit_action_name((r ? r : &scratch)->action));
    return a;
}

uint32_t xc_in(struct conf_ctx *c, struct vcpu *v, uint16_t port, unsigned size)
{
    struct exit_record x;
    struct exit_result r;
    xc_record(&x, EXIT_IO, EXIT_IO_QUAL(port, size, true));
    x.regs.gpr[X86_RAX] = 0x1111111111111111ULL;
    enum exit_action a = xc_run(c, v, &x, &r);
    if (a != EXIT_RESUME) {
        CONF_FAIL(c, "in port 0x%x size %u: %s", port, size, abi_exit_action_name(a));
        return 0;
    }
    return (uint32_t)r.regs.gpr[X86_RAX] & (uint32_t)(size == 4 ? 0xFFFFFFFFU :
                                                       (1U << (8 * size)) - 1U);
}

void xc_out(struct conf_ctx *c, struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct exit_record x;
    xc_record(&x, EXIT_IO, EXIT_IO_QUAL(port, size, false));
    x.regs.gpr[X86_RAX] = val;
    enum exit_action a = xc_run(c, v, &x, NULL);
    if (a != EXIT_RESUME)
        CONF_FAIL(c, "out port 0x%x size %u: %s", port, size, abi_exit_action_name(a));
}

/* mov eax/rax, [rbx] and mov [rbx], eax/rax */
uint64_t xc_mmio_read(struct conf_ctx *c, struct vcpu *v, uint64_t gpa, unsigned size)
{
    static const uint8_t ld32[] = { 0x8B, 0x03 }, ld64[] = { 0x48, 0x8B, 0x03 };
    struct exit_record x;
    struct exit_result r;
    xc_record(&x, EXIT_MMIO, gpa);
    if (size == 8)
        xc_insn(&x, ld64, sizeof(ld64));
    else
        xc_insn(&x, ld32, sizeof(ld32));
    x.regs.gpr[X86_RBX] = gpa;
    enum exit_action a = xc_run(c, v, &x, &r);
    if (a != EXIT_RESUME) {
        CONF_FAIL(c, "mmio read 0x%llx size %u: %s", (unsigned long long)gpa, size,
                  abi_exit_action_name(a));
        return 0;
    }
    return r.regs.gpr[X86_RAX];
}

void xc_mmio_write(struct conf_ctx *c, struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
    static const uint8_t st32[] = { 0x89, 0x03 }, st64[] = { 0x48, 0x89, 0x03 };
    struct exit_record x;
    xc_record(&x, EXIT_MMIO, gpa);
    if (size == 8)
        xc_insn(&x, st64, sizeof(st64));
    else
        xc_insn(&x, st32, sizeof(st32));
    x.regs.gpr[X86_RBX] = gpa;
    x.regs.gpr[X86_RAX] = val;
    enum exit_action a = xc_run(c, v, &x, NULL);
    if (a != EXIT_RESUME)
        CONF_FAIL(c, "mmio write 0x%llx size %u: %s", (unsigned long long)gpa, size,
                  abi_exit_action_name(a));
}
