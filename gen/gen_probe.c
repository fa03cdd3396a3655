/* Learning machine facts for the generator by probing a target with programs, as a guest would. */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"
#include "hvfuzz/target.h"

/*
 * Per domain: setup_table for one frame writes the table's frame list into the payload area, and
 * a guest read of that slot returns it. Only the IR is used, so any target answers the same way.
 */
/*
 * Per domain: guest reads of its own L1 table (the builder maps page tables read-only at their
 * own VAs) give the entries of its first data pages, and with them their machine frames, as a
 * PV guest knows them. A failed read leaves that frame unknown (0).
 */
/* An 8-byte guest_read by dom d of va: how the probe reads back what the monitor wrote. */
static struct prog_op *gen_probe_read(struct prog *p, unsigned d, struct prog_arg va)
{
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return NULL;
    op->kind = OP_GUEST_READ;
    op->dom = (uint8_t)d;
    op->size = 8;
    op->nr_args = 1;
    op->args[0] = va;
    return op;
}

static void gen_probe_mfns(struct gen *g, struct target *t, struct prog *p)
{
    struct op_result res[GEN_MAX_DOMS * GEN_ENV_MFNS];
    unsigned first = gen_first_data_gfn(g), n = 0;

    memset(g->env.mfn, 0, sizeof(g->env.mfn));
    p->nr_ops = 0;
    for (unsigned d = 0; d < gen_nr_doms(g) && d < GEN_MAX_DOMS; d++)
        for (unsigned i = 0; i < GEN_ENV_MFNS; i++) {
            unsigned gfn = first + i;
            if (!gen_probe_read(p, d, GEN_GVA(d, GEN_GFN_L1 + gfn / PTES_PER_TABLE,
                                              (gfn % PTES_PER_TABLE) * 8U)))
                return;
            n++;
        }
    if (prog_validate(p) != PROG_OK || target_run(t, p, res, NULL))
        return;
    for (unsigned k = 0; k < n; k++) {
        unsigned d = k / GEN_ENV_MFNS, i = k % GEN_ENV_MFNS;
        if (first + i >= g->cfg.shape.dom_pages)
            continue;
        if (res[k].status == OPS_RAN && res[k].rc == 0 && (res[k].value & _PAGE_PRESENT))
            g->env.mfn[d][i] = (res[k].value & PTE_ADDR_MASK) >> PAGE_SHIFT;
    }
}

/*
 * Per domain: set_version(2), then get_status_frames for one frame into the payload, read back
 * by a guest read: the frame the monitor shares for v2 status, which a guest maps like its grant
 * frames. The machine is built the same way every run, so the number holds for programs that
 * switch to v2 the same way.
 */
static void gen_probe_status(struct gen *g, struct target *t, struct prog *p)
{
    struct op_result res[3 * GEN_MAX_DOMS];
    const unsigned list = 64;
    unsigned nd = gen_nr_doms(g) < GEN_MAX_DOMS ? gen_nr_doms(g) : GEN_MAX_DOMS;
    struct gen_hc h;

    memset(g->env.status_frame, 0, sizeof(g->env.status_frame));
    p->nr_ops = 0;
    for (unsigned d = 0; d < nd; d++) {
        struct prog_op *op = gen_new_op(p);
        int rec;
        gen_hc_start(&h, g, op, d, 0, HYPERVISOR_grant_table_op);
        rec = gen_pl_alloc(&h, 8);
        gen_pl_put(&h, (unsigned)rec, 4, 2);
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_set_version));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
        gen_hc_arg(&h, 2, GEN_IMM(1));
        op = gen_new_op(p);
        gen_hc_start(&h, g, op, d, 0, HYPERVISOR_grant_table_op);
        rec = gen_pl_alloc(&h, list + 8);
        gen_pl_put(&h, (unsigned)rec, 4, 1);
        gen_pl_put(&h, (unsigned)rec + 4, 2, DOMID_SELF);
        gen_pl_fix(&h, (unsigned)rec + 8, 8, GEN_PAYLOAD(list));
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_get_status_frames));
        gen_hc_arg(&h, 1, GEN_PAYLOAD((uint32_t)rec));
        gen_hc_arg(&h, 2, GEN_IMM(1));
        gen_probe_read(p, d, GEN_GVA(d, g->cfg.shape.dom_pages - 1U, list));
    }
    if (prog_validate(p) != PROG_OK || target_run(t, p, res, NULL))
        return;
    for (unsigned d = 0; d < nd; d++) {
        const struct op_result *hc = &res[3 * d + 1], *rd = &res[3 * d + 2];
        if (hc->status == OPS_RAN && hc->rc == 0 && rd->status == OPS_RAN && rd->rc == 0)
            g->env.status_frame[d] = rd->value;
    }
}

/*
 * Whether the target runs guest code: one `ret` on dom0's vCPU 0. A target that ran it (the
 * unicorn target) gets the code family; one that did not (native: unsupported) keeps exactly the
 * programs it had.
 */
static void gen_probe_code(struct gen *g, struct target *t, struct prog *p)
{
    struct op_result res[1];
    struct prog_op *op;

    g->env.guest_code = false;
    p->nr_ops = 0;
    if (!(op = gen_new_op(p)))
        return;
    op->kind = OP_GUEST_CODE;
    op->payload_len = 1;
    op->payload[0] = 0xC3;
    op->nr_fixups = 0;
    if (prog_validate(p) != PROG_OK || target_run(t, p, res, NULL))
        return;
    g->env.guest_code = res[0].status == OPS_RAN && res[0].fault == PROG_FAULT_NONE;
}

int gen_probe(struct gen *g, struct target *t)
{
    struct prog *p = malloc(sizeof(*p));
    struct op_result res[2 * GEN_MAX_DOMS];
    const unsigned list = 32;
    struct gen_hc h;
    int rc = 0;

    g->env.valid = false;
    if (!p)
        return -1;
    p->version = PROG_VERSION;
    p->shape = g->cfg.shape;
    gen_probe_code(g, t, p);
    p->nr_ops = 0;
    for (unsigned d = 0; d < gen_nr_doms(g); d++) {
        struct prog_op *op = gen_new_op(p);
        gen_hc_start(&h, g, op, d, 0, HYPERVISOR_grant_table_op);
        int rec = gen_pl_alloc(&h, list + 8);
        gen_pl_put(&h, (unsigned)rec, 2, DOMID_SELF);
        gen_pl_put(&h, (unsigned)rec + 4, 4, 1);
        gen_pl_fix(&h, (unsigned)rec + 16, 8, GEN_PAYLOAD(list));
        gen_hc_arg(&h, 0, GEN_IMM(GNTTABOP_setup_table));
        gen_hc_arg(&h, 1, GEN_PAYLOAD(0));
        gen_hc_arg(&h, 2, GEN_IMM(1));
        gen_probe_read(p, d, GEN_GVA(d, g->cfg.shape.dom_pages - 1U, list));
    }
    if (prog_validate(p) != PROG_OK || target_run(t, p, res, NULL)) {
        rc = -1;
        goto out;
    }
    for (unsigned d = 0; d < gen_nr_doms(g); d++) {
        const struct op_result *hc = &res[2 * d], *rd = &res[2 * d + 1];
        if (hc->status != OPS_RAN || hc->rc != 0 || rd->status != OPS_RAN || rd->rc != 0) {
            rc = -1;
            goto out;
        }
        g->env.gnt_frame[d] = rd->value;
    }
    g->env.valid = true;
    gen_probe_mfns(g, t, p);
    gen_probe_status(g, t, p);
out:
    free(p);
    return rc;
}
