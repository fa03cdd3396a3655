/* The ABI's tables and lookups, expanded from the X-macro lists of hvfuzz/abi.h. */
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/prog.h"
#include "hvfuzz/xen.h"

#define ABI_X_HC(n, number, where, mask, ...)                                                     \
    [ABI_ROW_##n] = { .nr = (number), .name = #n, .cmd = (where), .cmd_mask = (mask),            \
                      .nargs = sizeof((const uint8_t[]){ 0, __VA_ARGS__ }) - 1U,                  \
                      .hints = { __VA_ARGS__ } },
const struct abi_hypercall abi_hypercalls[ABI_NR_HYPERCALLS] = { ABI_HYPERCALLS(ABI_X_HC) };
#undef ABI_X_HC

/* By number: the op runner names every hypercall it issues, so no search per op. */
#define ABI_X_HC_BY_NR(n, number, ...) [number] = &abi_hypercalls[ABI_ROW_##n],
static const struct abi_hypercall *const abi_hc_by_nr[NR_HYPERCALLS] = {
    ABI_HYPERCALLS(ABI_X_HC_BY_NR)
};
#undef ABI_X_HC_BY_NR

#define ABI_X_NAME(id, name) [id] = #name,
static const char *const abi_exit_reason_names[EXIT_NR] = { ABI_EXIT_REASONS(ABI_X_NAME) };
static const char *const abi_exit_action_names[EXIT_NR_ACTIONS] = { ABI_EXIT_ACTIONS(ABI_X_NAME) };
#undef ABI_X_NAME
#define ABI_X_REG_NAME(id, name) [ABI_REG_##id] = #name,
static const char *const abi_reg_names[ABI_NR_REGS] = { ABI_EXIT_REGS(ABI_X_REG_NAME) };
#undef ABI_X_REG_NAME

/* The program format fixes these; the table must agree with it and with Xen's headers. */
_Static_assert(ABI_REG_RIP == PROG_EXIT_RIP && ABI_REG_RFLAGS == PROG_EXIT_RFLAGS &&
               ABI_NR_REGS == PROG_EXIT_REGS, "exit registers as the program format orders them");
_Static_assert(ABI_MAX_ARGS == PROG_MAX_ARGS, "one hint per program argument");
_Static_assert(EXIT_NR <= 256, "an exit reason is one byte of the program format");
_Static_assert(MEMOP_CMD_MASK == 0x3FU, "memory_op's sub-command bits in the table");

const struct abi_hypercall *abi_hypercall_by_nr(uint32_t nr)
{
    return nr < NR_HYPERCALLS ? abi_hc_by_nr[nr] : NULL;
}

const struct abi_hypercall *abi_hypercall_by_name(const char *name, size_t len)
{
    for (unsigned i = 0; i < ABI_NR_HYPERCALLS; i++)
        if (strlen(abi_hypercalls[i].name) == len && memcmp(abi_hypercalls[i].name, name, len) == 0)
            return &abi_hypercalls[i];
    return NULL;
}

const char *abi_hypercall_name(uint32_t nr)
{
    const struct abi_hypercall *hc = abi_hypercall_by_nr(nr);
    return hc ? hc->name : "unknown";
}

const char *abi_exit_reason_name(unsigned reason)
{
    return reason < EXIT_NR ? abi_exit_reason_names[reason] : "?";
}

const char *abi_exit_action_name(unsigned action)
{
    return action < EXIT_NR_ACTIONS ? abi_exit_action_names[action] : "?";
}

static int abi_name_index(const char *const *names, unsigned nr, const char *name, size_t len)
{
    for (unsigned i = 0; i < nr; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return (int)i;
    return -1;
}

int abi_exit_reason_by_name(const char *name, size_t len)
{
    return abi_name_index(abi_exit_reason_names, EXIT_NR, name, len);
}

int abi_exit_action_by_name(const char *name, size_t len)
{
    return abi_name_index(abi_exit_action_names, EXIT_NR_ACTIONS, name, len);
}

const char *abi_reg_name(unsigned reg)
{
    return reg < ABI_NR_REGS ? abi_reg_names[reg] : "?";
}
