/* Incremental audit, vCPU references: a vCPU left as at the snapshot is skipped only while the frames it refers to are too. */
#include "audit_util.h"

/*
 * The incremental audit skips a vCPU's base pointer, GDT and LDT checks (and their counts, then
 * and now) when those fields equal the snapshot's and the frames they name did not change. Each
 * case plants one state after the snapshot on a fresh machine and compares VCPU in the
 * incremental report with VCPU in the full one: the vCPU unchanged but its kernel L4 no longer
 * validated, its old_guest_table past the pool, and an LDT with an unaligned base.
 */

static void incr_vcpu_l4_unvalidated(struct hv *hv)
{
    hv->frames[hv->dom[1].vcpu[0].guest_table].flags &= (uint8_t)~FRAME_VALIDATED;
}

static void incr_vcpu_old_table(struct hv *hv)
{
    hv->dom[1].vcpu[1].old_guest_table = hv->nr_frames + 5U;
}

static void incr_vcpu_ldt(struct hv *hv)
{
    hv->dom[2].vcpu[0].ldt_ents = 1;
    hv->dom[2].vcpu[0].ldt_base = 0x1008;
}

static const struct au_incr_case incr_vcpu_cases[] = {
    { "unchanged vcpu, its l4 no longer validated", incr_vcpu_l4_unvalidated, true, false },
    { "old_guest_table past the pool", incr_vcpu_old_table, true, false },
    { "ldt base unaligned", incr_vcpu_ldt, true, false },
};

TEST(audit_incr_vcpu)
{
    au_incr_cases(incr_vcpu_cases, sizeof(incr_vcpu_cases) / sizeof(incr_vcpu_cases[0]),
                  INV_VCPU, true);
}
