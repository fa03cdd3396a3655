/* Incremental audit, PV registers: DR7's breakpoint checks and the callbacks' checks are skipped only where those equal the snapshot's. */
#include "audit_util.h"

/*
 * The incremental DOM pass skips a vCPU's I/O-breakpoint loop where its DR7 equals the
 * snapshot's, and its callback loop where its callbacks do (the snapshot passed both). Each case
 * changes dom1's vCPU 0 after the snapshot and compares DOM in the incremental report with DOM
 * in the full one: an I/O breakpoint enabled in DR7, a non-canonical event callback, a canonical
 * one (clean). Skipping on a DR7 or callbacks that moved misses the first two.
 */

static void incr_pv_dr7_io(struct hv *hv)
{
    hv->dom[1].vcpu[0].dr7 = 0x20401;
}

static void incr_pv_cb_noncanonical(struct hv *hv)
{
    hv->dom[1].vcpu[0].cb[CALLBACKTYPE_event] = 0x0000800000000000ULL;
}

static void incr_pv_cb_canonical(struct hv *hv)
{
    hv->dom[1].vcpu[0].cb[CALLBACKTYPE_event] = 0xFFFF800000001000ULL;
}

static const struct au_incr_case incr_pv_cases[] = {
    { "dr7 I/O breakpoint enabled", incr_pv_dr7_io, true, false },
    { "event callback non-canonical", incr_pv_cb_noncanonical, true, false },
    { "event callback canonical", incr_pv_cb_canonical, false, false },
};

TEST(audit_incr_pv_regs)
{
    au_incr_cases(incr_pv_cases, sizeof(incr_pv_cases) / sizeof(incr_pv_cases[0]),
                  INV_DOM, true);
}
