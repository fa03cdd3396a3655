/* Conformance recorder expectations: an exit's results, the status fields a case read back, tallies. */
#include <stddef.h>
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/record.h"
#include "hvfuzz/target.h"
#include "hvfuzz/xen.h"

/*
 * An exit states what every target must agree on: the action (rc), rax afterwards (value), the
 * exception it had injected or none (fault) and that exception's error code (pfec).
 */
void record_exit_end(struct recorder *r, int token, const struct exit_result *res)
{
    if (!r || token < 0 || token != r->open_op || !res)
        return;
    r->open_op = -1;
    struct prog_expect *e = &r->prog.ops[token].expect;
    e->have = PE_STATUS | PE_RC;
    if (!r->open_ran) {
        e->status = OPS_NOT_RUN;
        e->rc = -XEN_ESRCH;
        return;
    }
    e->status = OPS_RAN;
    e->rc = res->action;
    e->have |= PE_VALUE | PE_FAULT;
    e->value = res->regs.gpr[X86_RAX];
    e->fault = PROG_FAULT_NONE;
    switch (res->action) {
    case EXIT_INJECT_GP:
    case EXIT_INJECT_UD:
    case EXIT_INJECT_PF:
    case EXIT_INJECT_EXC:
        e->fault = res->vector;
        e->have |= PE_PFEC;
        e->pfec = res->error_code;
        break;
    default:
        break;
    }
}

/*
 * Fields a hypercall writes back that a case may state as results: status codes and counts, the
 * same on every target that implements the ABI. Handles, ports and frame numbers are written back
 * too but are not stated: they are names a target allocates (Xen's dom0 already holds ports and
 * maptrack entries of its own) or machine addresses; programs refer to them symbolically instead
 * (ARG_HANDLE, ARG_PORT, ARG_MFN).
 */
struct rec_out_field {
    uint32_t nr;          /* hypercall */
    int32_t  cmd;         /* args[0], or -1 for any */
    uint8_t  arg;         /* the argument that points at the struct or array */
    int8_t   count_arg;   /* the argument with the element count, or -1 for one struct */
    uint16_t size;        /* element size */
    uint16_t off;         /* the field in an element */
    uint8_t  width;
};

#define REC_GNT(cmd_, type_, field_) \
    { HYPERVISOR_grant_table_op, cmd_, 1, 2, sizeof(struct type_), \
      offsetof(struct type_, field_), sizeof(((struct type_ *)0)->field_) }

static const struct rec_out_field rec_out_fields[] = {
    REC_GNT(GNTTABOP_map_grant_ref, gnttab_map_grant_ref, status),
    REC_GNT(GNTTABOP_unmap_grant_ref, gnttab_unmap_grant_ref, status),
    REC_GNT(GNTTABOP_setup_table, gnttab_setup_table, status),
    REC_GNT(GNTTABOP_transfer, gnttab_transfer, status),
    REC_GNT(GNTTABOP_copy, gnttab_copy, status),
    REC_GNT(GNTTABOP_query_size, gnttab_query_size, status),
    REC_GNT(GNTTABOP_unmap_and_replace, gnttab_unmap_and_replace, status),
    REC_GNT(GNTTABOP_get_status_frames, gnttab_get_status_frames, status),
    REC_GNT(GNTTABOP_get_version, gnttab_get_version, version),
    { HYPERVISOR_event_channel_op, EVTCHNOP_status, 1, -1, sizeof(struct evtchn_status),
      offsetof(struct evtchn_status, status), sizeof(uint32_t) },
    /* each entry's result is the inner call's rc */
    { HYPERVISOR_multicall, -1, 0, 1, sizeof(struct multicall_entry),
      offsetof(struct multicall_entry, result), sizeof(int64_t) },
    /* *pdone: how many requests of the batch were done */
    { HYPERVISOR_mmu_update, -1, 2, -1, sizeof(uint32_t), 0, sizeof(uint32_t) },
    { HYPERVISOR_mmuext_op, -1, 2, -1, sizeof(uint32_t), 0, sizeof(uint32_t) },
};

static void rec_expect_out(struct prog_expect *e, uint16_t off, uint8_t width, uint64_t value)
{
    for (unsigned i = 0; i < e->nr_out; i++) {
        if (e->out[i].off == off) {
            e->out[i].width = width;
            e->out[i].value = value;
            return;
        }
    }
    if (e->nr_out == PROG_MAX_EXPECT_OUT)
        return;
    e->out[e->nr_out++] = (struct prog_expect_out){ .off = off, .width = width, .value = value };
    e->have |= PE_OUT;
}

static void rec_get_field(struct recorder *r, const struct rec_out_field *f, gva_t va,
                          const uint8_t *buf, size_t len)
{
    struct prog_op *op = &r->prog.ops[r->last_hc];
    const struct prog_arg *a = &op->args[f->arg];
    uint64_t base = r->last_args[f->arg];
    uint64_t count = f->count_arg < 0 ? 1 : r->last_args[f->count_arg];

    /* only a struct the program carries in its payload has an offset a target can check */
    if (f->arg >= op->nr_args || a->kind != ARG_PAYLOAD)
        return;
    for (uint64_t i = 0; i < count && i < PROG_MAX_PAYLOAD / f->size; i++) {
        uint64_t fva = base + i * f->size + f->off;
        uint64_t off = a->b + i * f->size + f->off;
        uint64_t v = 0;

        if (off + f->width > op->payload_len)
            return;
        if (fva < va || fva + f->width > va + len)
            continue;
        for (unsigned b = 0; b < f->width; b++)
            v |= (uint64_t)buf[fva - va + b] << (8U * b);
        rec_expect_out(&op->expect, (uint16_t)off, f->width, v);
    }
}

void record_get(struct recorder *r, const struct vcpu *v, gva_t va, const void *buf, size_t len)
{
    if (!r || r->overflow || r->last_hc < 0 || !buf)
        return;
    const struct prog_op *op = &r->prog.ops[r->last_hc];
    if (op->dom != v->domid || op->vcpu != v->id || op->expect.status != OPS_RAN)
        return;
    for (size_t i = 0; i < sizeof(rec_out_fields) / sizeof(rec_out_fields[0]); i++) {
        const struct rec_out_field *f = &rec_out_fields[i];
        if (f->nr == op->nr && (f->cmd < 0 || (uint64_t)f->cmd == r->last_args[0]))
            rec_get_field(r, f, va, buf, len);
    }
}

void record_tally_prog(struct record_tally *t, const struct prog *p)
{
    t->programs++;
    for (uint32_t i = 0; i < p->nr_ops; i++) {
        const struct prog_expect *e = &p->ops[i].expect;
        t->status += !!(e->have & PE_STATUS);
        t->rc += !!(e->have & PE_RC);
        t->value += !!(e->have & PE_VALUE);
        t->fault += !!(e->have & PE_FAULT);
        t->pfec += !!(e->have & PE_PFEC);
        t->out += e->have & PE_OUT ? e->nr_out : 0;
    }
}

unsigned record_tally_total(const struct record_tally *t)
{
    return t->status + t->rc + t->value + t->fault + t->pfec + t->out;
}
