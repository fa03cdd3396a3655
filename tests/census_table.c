/*
 * The census table (gen/census_fields.c) agrees with itself and with the ABI: every row names a
 * hypercall or exit the ABI table has, rows of one number are adjacent with unique sub-ops,
 * record fields fit their record, related fields exist, flag masks have 1..16 bits, every field
 * has classes; and the classifier puts hand-made values in the classes they belong to.
 */
#include <string.h>

#include "hvfuzz/census.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/xen.h"
#include "test.h"

TEST(census_table_rows)
{
    const struct prog_shape *s = &prog_default_shape;

    for (unsigned r = 0; r < census_nr_rows; r++) {
        const struct census_row *row = &census_rows[r];
        if (row->nr == CENSUS_MIGRATE) {
            CU_ASSERT(row->sub >= 0 && row->sub < MIGRATE_NR_PHASES);
        } else if (row->nr >= CENSUS_EXIT) {
            CU_ASSERT(row->nr - CENSUS_EXIT < EXIT_NR);
        } else {
            CU_ASSERT_PTR_NOT_NULL(abi_hypercall_by_nr(row->nr));
        }
        CU_ASSERT_PTR_EQUAL(census_row_find(row->nr, row->sub), row);
        /* adjacency: the index by number finds every row */
        for (unsigned q = r + 1; q < census_nr_rows; q++)
            if (census_rows[q].nr == row->nr) {
                CU_ASSERT(census_rows[q - 1].nr == row->nr);
            }
        CU_ASSERT(row->nf <= 16);
        for (unsigned i = 0; i < row->nf; i++) {
            const struct census_field *f = &row->f[i];
            uint64_t want[4];
            if (f->where == CW_REC && (row->rec_arg == CENSUS_NONE || !row->rec_size ||
                                       f->off + f->width > row->rec_size)) {
                fprintf(stderr, "%s.%s: outside its record\n", row->name, f->name);
                CU_FAIL("record field outside the record");
            }
            CU_ASSERT(f->width == 1 || f->width == 2 || f->width == 4 || f->width == 8);
            CU_ASSERT(f->rel <= row->nf && f->alt <= row->nf);
            if (f->kind == CK_FLAGS || f->kind == CK_PTE) {
                CU_ASSERT(census_nr_bits(f) >= 1 && census_nr_bits(f) <= 16);
            }
            census_field_classes(f, s, want);
            CU_ASSERT(want[0] | want[1] | want[2] | want[3]);
            if (f->never) {
                CU_ASSERT_PTR_NOT_NULL(f->why);
            }
        }
        if (row->never_states) {
            CU_ASSERT_PTR_NOT_NULL(row->why_states);
        }
    }
}

/* One grant map record from domain 1: a ref one past the table, of dom0's table. */
TEST(census_classify_map)
{
    static struct prog p;
    static struct census_env env;
    static struct census c;
    const struct census_row *row = census_row_find(HYPERVISOR_grant_table_op,
                                                   GNTTABOP_map_grant_ref);
    struct prog_op *op;

    memset(&env, 0, sizeof(env));
    env.shape = prog_default_shape;
    memset(env.owner, CENSUS_OWNER_FREE, sizeof(env.owner));
    CU_ASSERT_FATAL(row != NULL);
    CU_ASSERT_FATAL(census_init(&c, &env) == 0);
    prog_init(&p, &prog_default_shape);
    op = &p.ops[p.nr_ops++];
    op->kind = OP_HYPERCALL;
    op->dom = 1;
    op->nr = HYPERVISOR_grant_table_op;
    op->nr_args = 3;
    op->args[0].imm = GNTTABOP_map_grant_ref;
    op->args[1].kind = ARG_PAYLOAD;
    op->args[2].imm = 1;
    op->payload_len = sizeof(struct gnttab_map_grant_ref);
    struct gnttab_map_grant_ref m = { .flags = GNTMAP_host_map | GNTMAP_readonly,
                                      .ref = GNT_MAX_REFS, .dom = 0 };
    memcpy(op->payload, &m, sizeof(m));
    census_add(&c, &p);

    unsigned ri = (unsigned)(row - census_rows);
    /* fields: host_addr, flags, ref, dom */
    TEST_EQ(1ULL, c.hits[ri]);
    CU_ASSERT(c.seen[ri][2][0] >> CC_MAX_P1 & 1);       /* ref == GNT_MAX_REFS */
    CU_ASSERT(c.seen[ri][2][0] >> CC_DOM0 & 1);         /* in dom0's table, named by dom1 */
    CU_ASSERT(c.seen[ri][3][0] >> CC_DOM0 & 1);
    CU_ASSERT(c.seen[ri][1][0] >> census_pair_class(1, 2) & 1);   /* host_map|readonly */
    CU_ASSERT(!(c.seen[ri][1][0] >> CC_UNKNOWN_BIT & 1));
    census_free(&c);
}
