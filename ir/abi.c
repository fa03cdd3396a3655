/* The ABI's tables and lookups, expanded from the X-macro lists of hvfuzz/abi.h. */
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/prog.h"
#include "hvfuzz/xen.h"

#define ABI_X_HC(n, number, where, mask, ...)                                                     \
    [ABI_ROW_##n] = { .nr = (number), .name = #n, .cmd = (where), .cmd_mask = (mask),            \
                      .nargs = sizeof((const uint8_t[]){ __VA_ARGS__ }),                          \
                      .hints = { __VA_ARGS__ } },
const struct abi_hypercall abi_hypercalls[ABI_NR_HYPERCALLS] = { ABI_HYPERCALLS(ABI_X_HC) };
#undef ABI_X_HC

/* By number: the op runner names every hypercall it issues, so no search per op. */
#define ABI_X_HC_BY_NR(n, number, ...) [number] = &abi_hypercalls[ABI_ROW_##n],
static const struct abi_hypercall *const abi_hc_by_nr[NR_HYPERCALLS] = {
    ABI_HYPERCALLS(ABI_X_HC_BY_NR)
};
#undef ABI_X_HC_BY_NR

/* The table must agree with the program format and with Xen's headers. */
_Static_assert(ABI_MAX_ARGS == PROG_MAX_ARGS, "one hint per program argument");
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
