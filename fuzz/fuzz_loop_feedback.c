/* Behaviour feedback for the fuzz loop: per-op result features and audit-visible state features. */
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/target.h"

static uint32_t fuzz_pl32(const struct prog_op *op, unsigned off)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < 4 && off + i < op->payload_len; i++)
        v |= (uint32_t)op->payload[off + i] << (8 * i);
    return v;
}

/* Sub-commands past the ABI's are all "unknown": mutated garbage must not look like news. */
static uint32_t fuzz_cmd_clamp(uint32_t c)
{
    return c < 64 ? c : 64;
}

/* The sub-command, where the ABI table says it is; its low bits tell the paths apart. */
uint32_t fuzz_op_cmd(const struct prog_op *op)
{
    const struct abi_hypercall *hc =
        op->kind == OP_HYPERCALL ? abi_hypercall_by_nr(op->nr) : NULL;

    switch (hc ? hc->cmd : ABI_CMD_NONE) {
    case ABI_CMD_ARG0:
        return op->nr_args && op->args[0].kind == ARG_IMM ?
               (uint32_t)(op->args[0].imm & hc->cmd_mask & 0xFFFFU) : 0xFFFF;
    case ABI_CMD_BUF:
        return fuzz_pl32(op, 0) & hc->cmd_mask & 0xFF;
    case ABI_CMD_PTR:
        /* the request kind rides in the low bits of its ptr (a fixup's b, or raw payload) */
        for (unsigned i = 0; i < op->nr_fixups; i++)
            if (op->fixups[i].off == 0)
                return op->fixups[i].arg.kind == ARG_MADDR ? op->fixups[i].arg.b & hc->cmd_mask
                                                           : hc->cmd_mask + 1;
        return fuzz_pl32(op, 0) & hc->cmd_mask;
    default:
        return 0;
    }
}

/* Results: exact for small values (errno and GNTST space), bucketed for counts and addresses. */
static uint32_t fuzz_rc_class(int64_t rc)
{
    if (rc >= -128 && rc <= 64)
        return (uint32_t)(rc + 128);
    if (rc < 0)
        return 300;
    return 301 + (uint32_t)(64 - __builtin_clzll((uint64_t)rc));
}

static uint64_t fuzz_imm(const struct prog_arg *a)
{
    return a->kind == ARG_IMM ? a->imm : 0xFFFFFFFFFFFFFFFFULL;
}

/* A 32-bit index (MSR, CPUID leaf): exact inside the architecture's ranges (base, hypervisor and
   extended leaves; the low and 0xC0000000 MSRs), else only its range: a random index outside
   them takes the same path as any other, and must not look new. */
static uint32_t fuzz_index_class(uint32_t v)
{
    uint32_t top = v & 0xFFFF0000U;

    if (v < 0x2000U || ((top == 0x40000000U || top == 0x80000000U || top == 0xC0000000U) &&
                        (v & 0xFFFFU) < 0x2000U))
        return v;
    return 0xF0000000U | v >> 28;
}

/* An instruction's opcode class: the first byte, and the second after 0x0F, a prefix or REX;
   the ModRM byte only by its mod field (register or memory, displacement size). */
static uint32_t fuzz_opcode_class(const struct prog_op *op)
{
    uint8_t b0 = op->insn[0], b1 = op->insn[1];
    bool lead = b0 == 0x0F || b0 == 0x66 || b0 == 0x67 || b0 == 0xF2 || b0 == 0xF3 ||
                (b0 & 0xF0) == 0x40;

    return (uint32_t)b0 << 8 | (lead ? b1 : (uint32_t)(b1 >> 6));
}

/*
 * What selects an exit handler's path, as two features so that their values add rather than
 * multiply: where (the port and size, the MSR, the CPUID leaf, the device register) and how (the
 * instruction's opcode class). Each is paired with how the
 * exit ended (status, action, error code).
 */
static void fuzz_exit_features(const struct prog_op *op, const struct op_result *r,
                               void (*f)(uint32_t feature, void *arg), void *arg)
{
    uint32_t where = 0, how = 0, end;

    switch (op->exit_reason) {
    case EXIT_IO: {
        uint32_t q = (uint32_t)fuzz_imm(&op->qual), port = EXIT_IO_PORT(q);
        /* ISA ports (every device model's) exactly; the rest by their high byte */
        where = (port < 0x400U ? port : 0x10000U | port >> 8) | (q >> 16 & 0x7FFU) << 17;
        break;
    }
    case EXIT_MSR_READ:
    case EXIT_MSR_WRITE:
        where = fuzz_index_class((uint32_t)fuzz_imm(&op->regs[1]));
        break;
    case EXIT_CPUID:
        where = fuzz_index_class((uint32_t)fuzz_imm(&op->regs[0]));
        break;
    case EXIT_MMIO:
    case EXIT_EPT_VIOLATION:
        where = (uint32_t)fuzz_imm(&op->qual) & 0xFFFU;
        how = fuzz_opcode_class(op);
        break;
    default:
        where = (uint32_t)fuzz_imm(&op->qual) & 0xFFU;
        break;
    }
    end = r->status | (uint32_t)(r->rc & 0xF) << 4 | (r->pfec & 0xFFFFU) << 8;
    f(feature_mix(feature_mix(0x3E000000U | op->exit_reason, where), end), arg);
    if (op->exit_reason == EXIT_MMIO || op->exit_reason == EXIT_EPT_VIOLATION)
        f(feature_mix(feature_mix(0x3D000000U | op->exit_reason, how), end), arg);
}

void fuzz_features(const struct target *t, const struct prog *p, const struct op_result *results,
                   void (*f)(uint32_t feature, void *arg), void *arg)
{
    uint32_t prev = 0;

    for (uint32_t i = 0; i < p->nr_ops && i < PROG_MAX_OPS; i++) {
        const struct prog_op *op = &p->ops[i];
        const struct op_result *r = &results[i];
        uint32_t k;

        if (r->status == OPS_NOT_RUN && i > 0 && results[i - 1].status == OPS_NOT_RUN)
            continue;
        switch (op->kind) {
        case OP_HYPERCALL:
            k = feature_mix(op->nr, fuzz_cmd_clamp(fuzz_op_cmd(op)) << 12 | r->status << 28);
            k = feature_mix(k, fuzz_rc_class(r->rc));
            break;
        case OP_GUEST_READ:
        case OP_GUEST_WRITE:
            k = feature_mix(0x6E000000U | op->kind, r->status | (uint32_t)(r->rc != 0) << 4 |
                                                     r->pfec << 8);
            break;
        case OP_SWITCH_VCPU:
            k = feature_mix(0x5C000000U, r->status << 4 | fuzz_rc_class(r->rc) << 8);
            break;
        case OP_MIGRATE:
            /* by phase and outcome: a finish that restored differs from one refused */
            k = feature_mix(0x4D000000U | (uint32_t)op->imm, r->status << 4 |
                                                             fuzz_rc_class(r->rc) << 8);
            break;
        case OP_EXIT:
            /* in pairs an exit counts by its reason and how it ended only */
            k = feature_mix(0x3C000000U | op->exit_reason,
                            r->status | (uint32_t)(r->rc & 0xF) << 4 | (r->pfec & 0xFFFFU) << 8);
            break;
        default:
            k = feature_mix(0x7E000000U | op->kind, 0);
            break;
        }
        if (op->kind != OP_EXIT)
            f(k, arg);
        else
            fuzz_exit_features(op, r, f, arg);
        if (r->rc < 0 || (i > 0 && results[i - 1].rc < 0)) {
            prev = 0;
            continue;
        }
        /* the pair makes sequences count (map-then-unmap differs from unmap alone); the earlier
           op only by what it was and whether it worked, so pairs do not multiply results */
        f(feature_mix(prev, k) ^ 0xA5A5A5A5U, arg);
        prev = feature_mix(op->kind == OP_HYPERCALL ? op->nr : op->kind == OP_EXIT ?
                        0x200U + op->exit_reason : 0x100U + op->kind,
                        fuzz_cmd_clamp(fuzz_op_cmd(op)) << 2 | (r->status == OPS_RESTART) << 1 | (r->rc >= 0));
    }
    if (t && t->ops && t->ops->state_features)
        t->ops->state_features(t, f, arg);
}
