/* HLT, EPT/NPT violation, exception and triple-fault exits. */
#include "devices.h"

/* An event that would wake v: a pending, unmasked port bound to it (what SCHEDOP_block waits for). */
static bool exit_event_pending(const struct domain *d, const struct vcpu *v)
{
    for (unsigned p = 1; p < d->evtchn_valid; p++) {
        const struct evtchn *e = &d->evtchn[p];
        if (e->state != ECS_FREE && e->pending && !e->masked && e->notify_vcpu == v->id)
            return true;
    }
    return false;
}

/* HLT retires (rip moves past it) and blocks the vCPU unless an event is already waiting; the
   event channel code wakes it. */
enum exit_action exit_hlt(struct exit_ctx *c)
{
    exit_resume(c);
    if (exit_event_pending(c->d, c->v))
        return EXIT_RESUME;
    c->v->blocked = true;
    return EXIT_HALTED;
}

#define EPT_ACCESS_MASK 0x7ULL
#define EPT_ACCESS_X    0x4ULL

/* Populate gfn with a fresh frame; false if the domain may not have one. */
static bool exit_ept_populate(struct exit_ctx *c, gfn_t gfn)
{
    int err;
    mfn_t m = frame_alloc(c->hv, c->d, false, &err);
    if (m == MFN_INVALID)
        return false;
    p2m_set(c->d, gfn, m);
    m2p_set(c->hv, m, gfn);
    if (gfn + 1 > c->d->nr_gfns)
        c->d->nr_gfns = gfn + 1;
    return true;
}

/*
 * EPT/NPT violation at gpa (qual): a device page is emulated (never executed from); a populated
 * gfn is a spurious exit (another vCPU populated it first); an unpopulated gfn below the domain's
 * allowance (max_pages, within the p2m) is populated on demand; anything else, or an allocation
 * that fails, leaves the guest with memory it cannot have: crash it. The faulting instruction
 * re-executes after a populate or a spurious exit, so rip stays.
 */
enum exit_action exit_ept(struct exit_ctx *c)
{
    uint64_t gpa = c->x->qual;
    uint64_t access = c->x->gla & EPT_ACCESS_MASK;
    if (access == 0)
        return EXIT_INVALID;
    if (mmio_find(gpa)) {
        if (access & EPT_ACCESS_X)
            return exit_crash(c);
        if (c->x->insn_len == 0)
            return EXIT_INVALID;
        return exit_mmio_emulate(c, gpa);
    }
    uint64_t gfn = gpa >> PAGE_SHIFT;
    if (gfn >= HV_MAX_GFNS || gfn >= c->d->max_pages)
        return exit_crash(c);
    if (c->d->p2m[gfn] != MFN_INVALID)
        return EXIT_RESUME;
    if (!exit_ept_populate(c, gfn))
        return exit_crash(c);
    return EXIT_RESUME;
}

/* Per vector: who handles it. Vectors not listed (9, 15, 20, 22..31) are never intercepted or
   reserved: a record naming them is invalid. */
enum exc_policy { EXC_INVALID = 0, EXC_REFLECT, EXC_REFLECT_EC, EXC_HOST, EXC_CRASH };
static const uint8_t exc_policy[32] = {
    [EXC_DE] = EXC_REFLECT, [EXC_DB] = EXC_REFLECT, [EXC_NMI] = EXC_HOST,
    [EXC_BP] = EXC_REFLECT, [EXC_OF] = EXC_REFLECT, [EXC_BR] = EXC_REFLECT,
    [EXC_UD] = EXC_REFLECT, [EXC_NM] = EXC_REFLECT, [EXC_DF] = EXC_CRASH,
    [EXC_TS] = EXC_REFLECT_EC, [EXC_NP] = EXC_REFLECT_EC, [EXC_SS] = EXC_REFLECT_EC,
    [EXC_GP] = EXC_REFLECT_EC, [EXC_PF] = EXC_REFLECT_EC, [EXC_MF] = EXC_REFLECT,
    [EXC_AC] = EXC_REFLECT_EC, [EXC_MC] = EXC_CRASH, [EXC_XM] = EXC_REFLECT,
    [EXC_CP] = EXC_REFLECT_EC,
};

/*
 * The guest's own faults go back to it unchanged (its kernel handles them), with the error code
 * only for vectors that push one; a #PF's address comes from gla. An NMI belongs to the host: the
 * guest resumes untouched. A double fault or machine check leaves nothing to resume: crash.
 */
enum exit_action exit_exception(struct exit_ctx *c)
{
    uint64_t q = c->x->qual;
    unsigned vec = (unsigned)(q & 0xFFU);
    if (vec >= 32 || (q & 0xFFFFFF00ULL))
        return EXIT_INVALID;
    switch (exc_policy[vec]) {
    case EXC_REFLECT:    return exit_inject(c, vec, 0, 0);
    case EXC_REFLECT_EC: return exit_inject(c, vec, (uint32_t)(q >> 32),
                                            vec == EXC_PF ? c->x->gla : 0);
    case EXC_HOST:       return EXIT_RESUME;
    case EXC_CRASH:      return exit_crash(c);
    default:             return EXIT_INVALID;
    }
}

enum exit_action exit_triple_fault(struct exit_ctx *c)
{
    return exit_crash(c);
}
