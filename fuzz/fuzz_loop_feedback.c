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

/*
 * What selects an exit handler's path: the port and size, the MSR, the CPUID leaf, the device
 * register and the instruction's first opcode bytes; the action says how it ended.
 */
static uint32_t fuzz_exit_feature(const struct prog_op *op, const struct op_result *r)
{
    uint32_t key = 0;

    switch (op->exit_reason) {
    case EXIT_IO:
        key = (uint32_t)fuzz_imm(&op->qual) & 0x7FFFFFFU;
        break;
    case EXIT_MSR_READ:
    case EXIT_MSR_WRITE:
    case EXIT_CPUID:
        key = (uint32_t)fuzz_imm(&op->regs[op->exit_reason == EXIT_CPUID ? 0 : 1]);
        break;
    case EXIT_MMIO:
    case EXIT_EPT_VIOLATION:
        key = ((uint32_t)fuzz_imm(&op->qual) & 0xFFFU) | (uint32_t)op->insn[0] << 12 |
              (uint32_t)op->insn[1] << 20 | (uint32_t)(fuzz_imm(&op->gla) & 7) << 28;
        break;
    default:
        key = (uint32_t)fuzz_imm(&op->qual) & 0xFFU;
        break;
    }
    return feature_mix(feature_mix(0x3E000000U | op->exit_reason, key),
                    r->status | (uint32_t)(r->rc & 0xF) << 4 | (r->pfec & 0xFFFFU) << 8);
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
        case OP_EXIT:
            k = fuzz_exit_feature(op, r);
            break;
        default:
            k = feature_mix(0x7E000000U | op->kind, 0);
            break;
        }
        f(k, arg);
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
