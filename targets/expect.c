/* Results against expectations: what an op did, stated as a prog_expect, and the comparison. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/target.h"
#include "hvfuzz/xen.h"

/*
 * Payload fields a hypercall writes back, by Xen's structs: what `replay -v` states as out@ fields
 * for every element of a batch (up to PROG_MAX_EXPECT_OUT fields). Machine addresses
 * (dev_bus_addr, frame lists) are left out: they differ between targets by design.
 */
struct target_wb_field {
    uint16_t off;
    uint8_t  width;
};
struct target_writeback {
    uint32_t nr;                /* hypercall */
    uint32_t cmd;               /* its sub-command (args[0]) */
    uint8_t  count_arg;         /* argument holding the element count; 0xFF: one element */
    uint16_t size;              /* bytes per element */
    struct target_wb_field fields[3];
};
#define WB_F(type, field) { offsetof(struct type, field), sizeof(((struct type *)0)->field) }
#define WB_GNT(cmd, type, ...) \
    { HYPERVISOR_grant_table_op, GNTTABOP_##cmd, 2, sizeof(struct type), { __VA_ARGS__ } }
#define WB_EVT(cmd, type, ...) \
    { HYPERVISOR_event_channel_op, EVTCHNOP_##cmd, 0xFF, sizeof(struct type), { __VA_ARGS__ } }
static const struct target_writeback target_writebacks[] = {
    WB_GNT(map_grant_ref, gnttab_map_grant_ref, WB_F(gnttab_map_grant_ref, status),
           WB_F(gnttab_map_grant_ref, handle)),
    WB_GNT(unmap_grant_ref, gnttab_unmap_grant_ref, WB_F(gnttab_unmap_grant_ref, status)),
    WB_GNT(setup_table, gnttab_setup_table, WB_F(gnttab_setup_table, status)),
    WB_GNT(transfer, gnttab_transfer, WB_F(gnttab_transfer, status)),
    WB_GNT(copy, gnttab_copy, WB_F(gnttab_copy, status)),
    WB_GNT(query_size, gnttab_query_size, WB_F(gnttab_query_size, nr_frames),
           WB_F(gnttab_query_size, max_nr_frames), WB_F(gnttab_query_size, status)),
    WB_GNT(unmap_and_replace, gnttab_unmap_and_replace, WB_F(gnttab_unmap_and_replace, status)),
    WB_GNT(get_status_frames, gnttab_get_status_frames, WB_F(gnttab_get_status_frames, status)),
    WB_GNT(get_version, gnttab_get_version, WB_F(gnttab_get_version, version)),
    WB_EVT(alloc_unbound, evtchn_alloc_unbound, WB_F(evtchn_alloc_unbound, port)),
    WB_EVT(bind_interdomain, evtchn_bind_interdomain, WB_F(evtchn_bind_interdomain, local_port)),
    WB_EVT(bind_virq, evtchn_bind_virq, WB_F(evtchn_bind_virq, port)),
    WB_EVT(bind_ipi, evtchn_bind_ipi, WB_F(evtchn_bind_ipi, port)),
    WB_EVT(status, evtchn_status, WB_F(evtchn_status, status)),
};
#define TARGET_NR_WRITEBACKS (sizeof(target_writebacks) / sizeof(target_writebacks[0]))

static uint64_t target_out_value(const struct op_result *r, unsigned off, unsigned width,
                                 bool *ok)
{
    uint64_t v = 0;

    *ok = r->out && (unsigned)off + width <= r->out_len;
    for (unsigned i = 0; *ok && i < width; i++)
        v |= (uint64_t)r->out[off + i] << (8U * i);
    return v;
}

static void target_add_out(struct prog_expect *e, const struct op_result *r, unsigned off,
                           unsigned width)
{
    bool ok;
    uint64_t v = target_out_value(r, off, width, &ok);

    if (!ok || e->nr_out >= PROG_MAX_EXPECT_OUT)
        return;
    e->out[e->nr_out].off = (uint16_t)off;
    e->out[e->nr_out].width = (uint8_t)width;
    e->out[e->nr_out].value = v;
    e->nr_out++;
    e->have |= PE_OUT;
}

/* The write-back fields of a hypercall whose handle argument points into its payload. */
static void target_writeback_fields(const struct prog_op *op, const struct op_result *r,
                                    struct prog_expect *e)
{
    if (op->kind != OP_HYPERCALL || op->nr_args < 2 || op->args[0].kind != ARG_IMM ||
        op->args[1].kind != ARG_PAYLOAD || r->rc < 0)
        return;
    for (size_t i = 0; i < TARGET_NR_WRITEBACKS; i++) {
        const struct target_writeback *w = &target_writebacks[i];
        if (w->nr != op->nr || w->cmd != op->args[0].imm)
            continue;
        uint64_t count = 1;
        if (w->count_arg != 0xFF)
            count = w->count_arg < op->nr_args && op->args[w->count_arg].kind == ARG_IMM ?
                    op->args[w->count_arg].imm : 0;
        for (uint64_t k = 0; k < count && e->nr_out < PROG_MAX_EXPECT_OUT; k++)
            for (unsigned f = 0; f < 3 && w->fields[f].width; f++)
                target_add_out(e, r, op->args[1].b + (unsigned)k * w->size + w->fields[f].off,
                               w->fields[f].width);
        return;
    }
}

void target_observe(const struct prog_op *op, const struct op_result *r,
                    const struct prog_expect *want, struct prog_expect *got)
{
    memset(got, 0, sizeof(*got));
    if (want && want->have) {
        /* exactly the fields the program states, so a comparison is field by field */
        got->have = want->have & ~PE_OUT;
        if (want->have & PE_STATUS)
            got->status = r->status;
        if (want->have & PE_RC)
            got->rc = r->rc;
        if (want->have & PE_VALUE)
            got->value = r->value;
        if (want->have & PE_FAULT)
            got->fault = r->fault;
        if (want->have & PE_PFEC)
            got->pfec = r->pfec;
        if (want->have & PE_EXITS) {
            got->nr_exits = r->nr_exits < PROG_MAX_EXPECT_EXITS ? r->nr_exits :
                                                                   PROG_MAX_EXPECT_EXITS;
            memcpy(got->exits, r->exits, got->nr_exits);
        }
        for (unsigned i = 0; i < want->nr_out && i < PROG_MAX_EXPECT_OUT; i++) {
            bool ok;
            got->out[i].off = want->out[i].off;
            got->out[i].width = want->out[i].width;
            got->out[i].value = target_out_value(r, want->out[i].off, want->out[i].width, &ok);
            if (!ok)   /* not readable: a value no width allows, so it never matches */
                got->out[i].width = 0;
        }
        got->nr_out = want->nr_out;
        got->have |= want->have & PE_OUT;
        return;
    }
    /* what replay -v states: the fields that carry meaning for this kind of op */
    got->have = PE_RC;
    got->rc = r->rc;
    if (r->status != OPS_RAN) {
        got->have |= PE_STATUS;
        got->status = r->status;
    }
    if (r->status != OPS_RAN && r->status != OPS_RESTART)
        return;
    switch (op->kind) {
    case OP_GUEST_READ:
        got->have |= PE_VALUE;
        got->value = r->value;
        /* fall through */
    case OP_GUEST_WRITE:
        got->have |= PE_FAULT;
        got->fault = r->fault;
        break;
    case OP_EXIT:
        got->have |= PE_VALUE | PE_FAULT;
        got->value = r->value;
        got->fault = r->fault;
        break;
    case OP_GUEST_CODE:
        /* rc (above) is rax when the code ended; fault and pfec the exception that ended it,
           exits the VM exits it took on the way; value is not a result of guest code */
        got->have |= PE_EXITS | PE_FAULT;
        got->fault = r->fault;
        got->nr_exits = r->nr_exits < PROG_MAX_EXPECT_EXITS ? r->nr_exits : PROG_MAX_EXPECT_EXITS;
        memcpy(got->exits, r->exits, got->nr_exits);
        break;
    case OP_HYPERCALL:
        target_writeback_fields(op, r, got);
        break;
    default:
        break;
    }
    if ((got->have & PE_FAULT) && got->fault != PROG_FAULT_NONE) {
        got->have |= PE_PFEC;
        got->pfec = r->pfec;
    }
}

bool target_expect_diff(const struct prog_op *op, const struct op_result *r, char *buf,
                        size_t cap)
{
    struct prog_op shown;
    struct prog_expect got;
    char want_s[512], got_s[512];

    if (!op->expect.have)
        return false;
    target_observe(op, r, &op->expect, &got);
    if (prog_expect_equal(&op->expect, &got))
        return false;
    /* only the kind and the expectation matter to the formatter */
    shown.kind = op->kind;
    shown.expect = op->expect;
    prog_expect_format(&shown, want_s, sizeof(want_s));
    /* the readable out fields as values; the rest (the payload could not be read back) as "?" */
    shown.expect = got;
    shown.expect.nr_out = 0;
    char unread[160] = "";
    size_t ul = 0;
    for (unsigned i = 0; i < got.nr_out; i++) {
        if (got.out[i].width)
            shown.expect.out[shown.expect.nr_out++] = got.out[i];
        else if (ul < sizeof(unread))
            ul += (size_t)snprintf(unread + ul, sizeof(unread) - ul, ", out@%u:%u=? (unreadable)",
                                   op->expect.out[i].off, op->expect.out[i].width);
    }
    if (!shown.expect.nr_out)
        shown.expect.have &= (uint8_t)~PE_OUT;
    size_t gl = prog_expect_format(&shown, got_s, sizeof(got_s));
    /* " => " starts both: drop it */
    snprintf(buf, cap, "expected: %s\nactual:   %s%s", want_s + 4, gl >= 4 ? got_s + 4 : "",
             gl >= 4 ? unread : unread + (*unread ? 2 : 0));
    return true;
}
