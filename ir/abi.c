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

/* ---- domain ids in payloads ------------------------------------------------------------------ */

#define ABI_ONE 0xFFU   /* count_arg: one element */
struct abi_domid_field {
    uint16_t nr;
    int16_t  cmd;        /* args[0] (masked as the ABI row says), or -1: every sub-command */
    uint8_t  buf_arg;    /* the argument pointing at the struct or array */
    uint8_t  count_arg;  /* the argument holding the element count, or ABI_ONE */
    uint16_t size;       /* bytes per element */
    uint16_t off;        /* the field's offset in an element */
};
#define DF(nr, cmd, buf, cnt, type, field) \
    { nr, cmd, buf, cnt, sizeof(struct type), offsetof(struct type, field) }
static const struct abi_domid_field abi_domid_fields[] = {
    DF(HYPERVISOR_domctl, -1, 0, ABI_ONE, xen_domctl, domain),
    DF(HYPERVISOR_memory_op, XENMEM_increase_reservation, 1, ABI_ONE, xen_memory_reservation,
       domid),
    DF(HYPERVISOR_memory_op, XENMEM_decrease_reservation, 1, ABI_ONE, xen_memory_reservation,
       domid),
    DF(HYPERVISOR_memory_op, XENMEM_populate_physmap, 1, ABI_ONE, xen_memory_reservation, domid),
    { HYPERVISOR_memory_op, XENMEM_current_reservation, 1, ABI_ONE, 2, 0 },   /* a domid_t */
    { HYPERVISOR_memory_op, XENMEM_maximum_reservation, 1, ABI_ONE, 2, 0 },
    DF(HYPERVISOR_memory_op, XENMEM_exchange, 1, ABI_ONE, xen_memory_exchange, in.domid),
    DF(HYPERVISOR_memory_op, XENMEM_exchange, 1, ABI_ONE, xen_memory_exchange, out.domid),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, 1, 2, gnttab_map_grant_ref, dom),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_setup_table, 1, 2, gnttab_setup_table, dom),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_transfer, 1, 2, gnttab_transfer, domid),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_copy, 1, 2, gnttab_copy, source.domid),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_copy, 1, 2, gnttab_copy, dest.domid),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_query_size, 1, 2, gnttab_query_size, dom),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_get_status_frames, 1, 2, gnttab_get_status_frames,
       dom),
    DF(HYPERVISOR_grant_table_op, GNTTABOP_get_version, 1, 2, gnttab_get_version, dom),
    DF(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, 1, ABI_ONE, evtchn_alloc_unbound,
       dom),
    DF(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, 1, ABI_ONE, evtchn_alloc_unbound,
       remote_dom),
    DF(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, 1, ABI_ONE,
       evtchn_bind_interdomain, remote_dom),
    DF(HYPERVISOR_event_channel_op, EVTCHNOP_status, 1, ABI_ONE, evtchn_status, dom),
    DF(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, 1, ABI_ONE, sched_remote_shutdown,
       domain_id),
};
#undef DF
#define ABI_NR_DOMID_FIELDS (sizeof(abi_domid_fields) / sizeof(abi_domid_fields[0]))

/* Whether a fixup writes any of the bytes [off, off + len) of op's payload. */
static bool abi_fixed_up(const struct prog_op *op, unsigned off, unsigned len)
{
    for (unsigned i = 0; i < op->nr_fixups; i++)
        if (op->fixups[i].off < off + len && off < op->fixups[i].off + op->fixups[i].width)
            return true;
    return false;
}

unsigned abi_op_payload_domids(const struct prog_op *op, uint16_t *ids, unsigned max)
{
    const struct abi_hypercall *hc;
    unsigned n = 0;

    if (op->kind != OP_HYPERCALL || !(hc = abi_hypercall_by_nr(op->nr)))
        return 0;
    for (unsigned i = 0; i < ABI_NR_DOMID_FIELDS; i++) {
        const struct abi_domid_field *f = &abi_domid_fields[i];
        if (f->nr != op->nr || f->buf_arg >= op->nr_args ||
            op->args[f->buf_arg].kind != ARG_PAYLOAD)
            continue;
        if (f->cmd >= 0 && (op->nr_args == 0 || op->args[0].kind != ARG_IMM ||
                            (op->args[0].imm & hc->cmd_mask) != (uint64_t)f->cmd))
            continue;
        uint64_t count = 1;
        if (f->count_arg != ABI_ONE) {
            if (f->count_arg >= op->nr_args || op->args[f->count_arg].kind != ARG_IMM)
                continue;
            count = op->args[f->count_arg].imm;
        }
        for (uint64_t e = 0; e < count; e++) {
            uint64_t off = op->args[f->buf_arg].b + e * f->size + f->off;
            if (off + 2 > op->payload_len)
                break;
            if (abi_fixed_up(op, (unsigned)off, 2))
                continue;
            if (n < max)
                ids[n] = (uint16_t)(op->payload[off] | op->payload[off + 1] << 8);
            n++;
        }
    }
    return n;
}

/* ---- machine frames named by number ---------------------------------------------------------- */

static uint64_t abi_pl_get(const struct prog_op *op, uint64_t off, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width && off + i < op->payload_len; i++)
        v |= (uint64_t)op->payload[off + i] << (8 * i);
    return v;
}

/* Whether the payload bytes [off, off + width) are raw: in the payload and not fixed up. */
static bool abi_raw_at(const struct prog_op *op, uint64_t off, unsigned width)
{
    return off + width <= op->payload_len && !abi_fixed_up(op, (unsigned)off, width);
}

static bool abi_mmuext_mfn(uint32_t cmd)
{
    return cmd <= MMUEXT_NEW_BASEPTR || cmd == MMUEXT_NEW_USER_BASEPTR ||
           cmd == MMUEXT_CLEAR_PAGE || cmd == MMUEXT_COPY_PAGE;
}

/* One element of a batch that lives in the payload: whether it holds a raw frame. */
static bool abi_elem_raw_frame(const struct prog_op *op, uint64_t e)
{
    switch (op->nr) {
    case HYPERVISOR_mmu_update:
        /* ptr is a machine address whatever the request; val a PTE unless it is a MACHPHYS one */
        return abi_raw_at(op, e, 8) ||
               ((abi_pl_get(op, e, 8) & 3) != MMU_MACHPHYS_UPDATE && abi_raw_at(op, e + 8, 8) &&
                (abi_pl_get(op, e + 8, 8) & _PAGE_PRESENT));
    case HYPERVISOR_mmuext_op: {
        uint32_t cmd = (uint32_t)abi_pl_get(op, e, 4);
        return (abi_mmuext_mfn(cmd) && abi_raw_at(op, e + 8, 8)) ||
               (cmd == MMUEXT_COPY_PAGE && abi_raw_at(op, e + 16, 8));
    }
    case HYPERVISOR_grant_table_op:
        if (op->args[0].kind != ARG_IMM)
            return false;
        if (op->args[0].imm == GNTTABOP_transfer)
            return abi_raw_at(op, e + offsetof(struct gnttab_transfer, mfn), 8);
        if (op->args[0].imm == GNTTABOP_copy) {
            uint16_t fl = (uint16_t)abi_pl_get(op, e + offsetof(struct gnttab_copy, flags), 2);
            return (!(fl & GNTCOPY_source_gref) &&
                    abi_raw_at(op, e + offsetof(struct gnttab_copy, source.u), 8)) ||
                   (!(fl & GNTCOPY_dest_gref) &&
                    abi_raw_at(op, e + offsetof(struct gnttab_copy, dest.u), 8));
        }
        return false;
    default:
        return false;
    }
}

bool abi_op_raw_frame(const struct prog_op *op)
{
    const struct abi_hypercall *hc;

    if (op->kind != OP_HYPERCALL || !(hc = abi_hypercall_by_nr(op->nr)))
        return false;
    for (unsigned i = 0; i < hc->nargs && i < op->nr_args; i++)
        if (hc->hints[i] == ABI_H_PTE && op->args[i].kind == ARG_IMM && (op->args[i].imm & _PAGE_PRESENT))
            return true;
    /* the batches: array at arg 0 (mmu_update, mmuext_op) or arg 1 (grant ops), count after it */
    unsigned buf = op->nr == HYPERVISOR_grant_table_op ? 1 : 0, cnt = buf + 1;
    uint64_t size = op->nr == HYPERVISOR_mmu_update ? sizeof(struct mmu_update)
                    : op->nr == HYPERVISOR_mmuext_op ? sizeof(struct mmuext_op)
                    : op->nr == HYPERVISOR_grant_table_op && op->nr_args && op->args[0].kind == ARG_IMM &&
                              op->args[0].imm == GNTTABOP_transfer ? sizeof(struct gnttab_transfer)
                                                                    : sizeof(struct gnttab_copy);
    if (op->nr != HYPERVISOR_mmu_update && op->nr != HYPERVISOR_mmuext_op &&
        op->nr != HYPERVISOR_grant_table_op)
        return false;
    if (cnt >= op->nr_args || op->args[buf].kind != ARG_PAYLOAD || op->args[cnt].kind != ARG_IMM)
        return false;
    for (uint64_t e = 0; e < op->args[cnt].imm; e++) {
        uint64_t off = op->args[buf].b + e * size;
        if (off >= op->payload_len)
            break;
        if (abi_elem_raw_frame(op, off))
            return true;
    }
    return false;
}
