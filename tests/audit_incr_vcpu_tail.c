/* Incremental audit, vCPU state checks: a vCPU whose state from its MSRs on (and user base pointer) equals the snapshot's is skipped whole, and a change at either end is still found. */
#include "audit_util.h"

/*
 * The incremental state pass skips a vCPU's MSR, PV entry and PV register checks when its bytes
 * from msr to the end of struct vcpu but the registers, and its guest_table_user, equal the
 * snapshot's (all those checks read); the registers' selectors are checked whatever. Before the snapshot, dom1's vCPU 0 runs in user mode on a user table (its kernel
 * L4, with the refs counted). Each case changes that vCPU after it and compares the invariant in
 * the incremental report with the full one: EFER without LME (MSR, the first field compared), a
 * live user table in kernel mode (DOM, the last), the user base pointer dropped with its refs
 * (DOM, the field outside the range), the kernel stack pointer (clean: any value is legal), the
 * last trap's handler (DOM, the end of the first range), CS of ring 0 and RAX (DOM and clean:
 * the registers are outside the comparison). Comparing less in the skip, or skipping the
 * selectors with it, misses the first three, the fifth or the sixth.
 */

static void incr_tail_setup(struct hv *hv)
{
    struct vcpu *v = &hv->dom[1].vcpu[0];
    struct frame *l4 = &hv->frames[v->guest_table];
    l4->count++;
    l4->type_count++;
    v->guest_table_user = v->guest_table;
    v->user_mode = true;
    v->user_table_live = v->guest_table_user;
}

static void incr_tail_efer(struct hv *hv)
{
    hv->dom[1].vcpu[0].msr.efer &= ~0x100ULL;
}

static void incr_tail_live(struct hv *hv)
{
    hv->dom[1].vcpu[0].user_mode = false;
}

static void incr_tail_user_table(struct hv *hv)
{
    struct vcpu *v = &hv->dom[1].vcpu[0];
    struct frame *l4 = &hv->frames[v->guest_table];
    l4->count--;
    l4->type_count--;
    v->guest_table_user = MFN_INVALID;
}

static void incr_tail_trap(struct hv *hv)
{
    struct pv_trap *t = &hv->dom[1].vcpu[0].traps[PV_TRAP_VECTORS - 1U];
    t->address = 0x0000800000000000ULL;
    t->cs = PV_FLAT_KERNEL_CS;
}

static void incr_tail_cs(struct hv *hv)
{
    hv->dom[1].vcpu[0].uregs.cs &= (uint16_t)~3U;
}

static void incr_tail_rax(struct hv *hv)
{
    hv->dom[1].vcpu[0].uregs.rax ^= 0x1234;
}

static void incr_tail_sp(struct hv *hv)
{
    hv->dom[1].vcpu[0].kernel_sp ^= 0x1000;
}

static const struct au_incr_case incr_tail_msr_cases[] = {
    { "efer without LME", incr_tail_efer, true, true },
};

static const struct au_incr_case incr_tail_dom_cases[] = {
    { "kernel mode on a live user table", incr_tail_live, true, true },
    { "user mode, its user base pointer dropped", incr_tail_user_table, true, true },
    { "kernel stack pointer moved", incr_tail_sp, false, true },
    { "last trap's handler non-canonical", incr_tail_trap, true, true },
    { "cs of ring 0", incr_tail_cs, true, true },
    { "rax moved", incr_tail_rax, false, true },
};

TEST(audit_incr_vcpu_tail)
{
    au_incr_cases_from(incr_tail_setup, incr_tail_msr_cases,
                       sizeof(incr_tail_msr_cases) / sizeof(incr_tail_msr_cases[0]), INV_MSR,
                       true);
    au_incr_cases_from(incr_tail_setup, incr_tail_dom_cases,
                       sizeof(incr_tail_dom_cases) / sizeof(incr_tail_dom_cases[0]), INV_DOM,
                       true);
}
