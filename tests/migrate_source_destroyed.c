/* Migration: a source destroyed mid-migration ends the migration with its slot. */
#include "audit_util.h"
#include "hvfuzz/migrate.h"

/*
 * dom1 of the audit machine is destroyed between begin and finish, by someone other than the
 * toolstack: once its slot is empty nothing can finish or abort the migration (round and finish
 * find no source), so the slot's emptying ends it, and another domain may begin one.
 */
TEST(migrate_source_destroyed)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct mig_report rep;
    int rc = -XEN_ERESTART;

    TEST_EQ(0, mig_op(hv, 1, MIGRATE_BEGIN, &rep));
    for (unsigned i = 0; i < 4096 && rc == -XEN_ERESTART; i++)
        rc = dom_destroy(hv, &hv->dom[1]);
    TEST_EQ(0, rc);
    TEST_EQ(0, hv->dom[1].exists);
    TEST_EQ(-XEN_EINVAL, mig_op(hv, 1, MIGRATE_ROUND, &rep));
    TEST_EQ(0, mig_op(hv, 2, MIGRATE_BEGIN, &rep));
    TEST_EQ(0, rep.found);
    au_expect_clean(hv, "after the source's destruction");
    hv_destroy(hv);
}
