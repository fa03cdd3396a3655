/* Audit of the TLB model: entries well-formed (TLB) and flushes that were promised kept (FLUSH). */
#include "audit_priv.h"

/*
 * The walk here is the audit's own, over the raw entries, independent of monitor/walk.c; it follows
 * the hardware rules walk.c documents (permissions AND over the levels, NX OR, PSE at L3/L2 a large
 * page whose frame number bit 0 is the PAT bit, PSE at L4 and frames past the pool reserved).
 * Returns false when the walk faults.
 */
static bool audit_walk(const struct hv *hv, mfn_t cr3, gva_t va, mfn_t *mfn, uint64_t *flags)
{
    uint64_t rw = _PAGE_RW, user = _PAGE_USER, nx = 0;
    uint64_t top = va >> 47;
    mfn_t t = cr3;

    if ((top != 0 && top != 0x1FFFFULL) || (va >= XEN_VIRT_START && va < XEN_VIRT_END))
        return false;
    for (unsigned level = 4; level >= 1; level--) {
        if (!mfn_valid(hv, t))
            return false;
        unsigned shift = PAGE_SHIFT + 9U * (level - 1U);
        uint64_t e = ((const uint64_t *)(hv->mem + (size_t)t * PAGE_SIZE))[(va >> shift) & 511U];
        if (!(e & _PAGE_PRESENT) || (level == 4 && (e & _PAGE_PSE)))
            return false;
        bool large = (level == 2 || level == 3) && (e & _PAGE_PSE);
        mfn_t base = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
        uint64_t span = large ? 1ULL << (9U * (level - 1U)) : 1ULL;
        if (large && (base & (span - 1U) & ~1ULL))
            return false;
        if (large)
            base &= ~1ULL;
        if (!mfn_valid(hv, base + span - 1U))
            return false;
        rw &= e;
        user &= e;
        nx |= e & _PAGE_NX;
        if (level == 1 || large) {
            *mfn = base + ((va >> PAGE_SHIFT) & (span - 1U));
            *flags = rw | user | nx;
            return true;
        }
        t = base;
    }
    return false;
}

/* The fill number up to which a promise covers entries for va; 0 if it covers none. */
static uint32_t audit_promise_covers(const struct tlb_promise *p, gva_t va)
{
    uint32_t upto = p->all;
    for (uint32_t k = 0; k < p->nr_va && k < TLB_PROMISE_VAS; k++)
        if (p->va[k] == va && p->va_fill[k] > upto)
            upto = p->va_fill[k];
    return upto;
}

/*
 * A promise covers the entries that existed when it was made (fill number at or below the one it
 * recorded); entries filled later came from a walk of the tables as they were then and are the
 * guest's business, like any TLB entry after a plain L1 change. A covered entry still present must
 * translate as a fresh walk does now: same frame, same permissions.
 */
static void audit_flush_vcpu(struct audit_ctx *c, const struct domain *d, const struct vcpu *v)
{
    const struct tlb_promise *p = &v->promise;
    if (!p->all && !p->nr_va)
        return;
    if (p->nr_va > TLB_PROMISE_VAS)
        /* an op promising more single-VA flushes than are kept: the rest go unchecked */
        return;
    for (unsigned k = 0; k < HV_TLB_ENTRIES; k++) {
        const struct tlb_entry *e = &v->tlb[k];
        if (!e->valid)
            continue;
        uint32_t upto = audit_promise_covers(p, e->va);
        if (!upto || e->fill > upto)
            continue;
        mfn_t m = MFN_INVALID;
        uint64_t fl = 0;
        bool ok = v->guest_table != MFN_INVALID && audit_walk(c->hv, v->guest_table, e->va, &m, &fl);
        if (!ok)
            audit_add(c, INV_FLUSH, e->mfn, d->id, -1, (int64_t)e->mfn,
                      "vcpu %u promised flush of va 0x%llx left a tlb entry the tables no longer map: mfn",
                      v->id, (unsigned long long)e->va);
        else if (m != e->mfn)
            audit_add(c, INV_FLUSH, e->mfn, d->id, (int64_t)m, (int64_t)e->mfn,
                      "vcpu %u promised flush of va 0x%llx left a stale tlb entry: mfn", v->id,
                      (unsigned long long)e->va);
        else if (fl != e->flags)
            audit_add(c, INV_FLUSH, e->mfn, d->id, (int64_t)fl, (int64_t)e->flags,
                      "vcpu %u promised flush of va 0x%llx left a tlb entry with stale flags",
                      v->id, (unsigned long long)e->va);
    }
}

unsigned audit_run_flush(struct hv *hv, struct audit_report *report)
{
    /* it runs after every op that promised a flush: kept violations are read up to report->n,
       so only the counts are cleared */
    report->total = 0;
    report->n = 0;
    struct audit_ctx ctx = { .hv = hv, .r = report };
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
            audit_flush_vcpu(&ctx, d, &d->vcpu[i]);
    }
    return report->total;
}

/*
 * TLB: the model's TLB is direct-mapped (tlb.c: slot = page number mod HV_TLB_ENTRIES), so a valid
 * entry sits in the slot of its page-aligned VA, holds only the permission bits a walk yields and a
 * fill number the vCPU has handed out; a vCPU's last flush is never later than the clock (the
 * clock's wrap-around resets every vCPU's flush time to 0). Frame timestamps are not compared with
 * the clock: a wrap legally leaves them above it (tlb.c errs towards flushing).
 */
void audit_tlb_slot(struct audit_ctx *c, domid_t id, unsigned i, const struct vcpu *v, unsigned k)
{
    const struct tlb_entry *e = &v->tlb[k];
    if (e->va & (PAGE_SIZE - 1))
        audit_add(c, INV_TLB, e->mfn, id, 0, (int64_t)(e->va & (PAGE_SIZE - 1)),
                  "vcpu %u tlb slot %u va page offset", i, k);
    else if (((e->va >> PAGE_SHIFT) % HV_TLB_ENTRIES) != k)
        audit_add(c, INV_TLB, e->mfn, id, (int64_t)((e->va >> PAGE_SHIFT) %
                  HV_TLB_ENTRIES), k, "vcpu %u tlb va 0x%llx slot", i,
                  (unsigned long long)e->va);
    uint64_t extra = e->flags & ~(uint64_t)(_PAGE_RW | _PAGE_USER | _PAGE_NX);
    if (extra)
        audit_add(c, INV_TLB, e->mfn, id, 0, (int64_t)extra,
                  "vcpu %u tlb slot %u bits beyond RW, USER and NX: flags", i, k);
    if (e->fill == 0 || e->fill > v->tlb_fills)
        audit_add(c, INV_TLB, e->mfn, id, v->tlb_fills, e->fill,
                  "vcpu %u tlb slot %u fill number (at most the fills made)", i, k);
}

void audit_tlb_state(struct audit_ctx *c)
{
    struct hv *hv = c->hv;
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
            const struct vcpu *v = &d->vcpu[i];
            audit_tlb_clock(c, id, i, v);
            for (unsigned k = 0; k < HV_TLB_ENTRIES; k++)
                if (v->tlb[k].valid)
                    audit_tlb_slot(c, id, i, v, k);
        }
    }
}
