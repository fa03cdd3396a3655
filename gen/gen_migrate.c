/* The migration family: a toolstack's begin, pre-copy rounds and finish, between the other families' ops. */
#include "gen/gen_internal.h"

/*
 * A program that began a migration mostly goes on with it: rounds, then the finish, with the
 * other families' ops (writes, page-table changes, grants, hypercall results) falling between
 * them on the source as they do on a running guest. Now and then a phase comes out of order or
 * on a domain that cannot migrate (dom0, one not migrating), for the toolstack's errors.
 */
void gen_f_migrate(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op = gen_new_op(p);
    unsigned doms = gen_nr_doms(g), phase;

    (void)vcpu;
    if (!op)
        return;
    if (!g->mig_dom) {
        phase = MIGRATE_BEGIN;
        if (doms > 1 && gen_chance(g, 7, 8))
            dom = 1 + gen_below(g, doms - 1);
        if (dom != 0)
            g->mig_dom = (uint8_t)(dom + 1);
        if (gen_chance(g, 1, 16))
            phase = 1 + gen_below(g, 2);
    } else {
        unsigned r = gen_below(g, 16);
        dom = g->mig_dom - 1U;
        phase = r < 7 ? MIGRATE_ROUND : r < 15 ? MIGRATE_FINISH : MIGRATE_BEGIN;
        if (phase == MIGRATE_FINISH)
            g->mig_dom = 0;
    }
    op->kind = OP_MIGRATE;
    op->dom = (uint8_t)dom;
    op->vcpu = 0;
    op->imm = phase;
}
