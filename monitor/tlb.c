/* Per-vCPU direct-mapped TLB model with Xen-style flush clock and frame timestamps. */
#include <string.h>
#include "hvfuzz/monitor.h"

bool tlb_lookup(struct vcpu *v, gva_t va, struct tlb_entry *out)
{
    const struct tlb_entry *e = &v->tlb[tlb_slot(va)];
    gva_t page = va & ~(gva_t)(PAGE_SIZE - 1);
    if (!e->valid || e->va != page)
        return false;
    if (out)
        *out = *e;
    return true;
}

void tlb_insert(struct vcpu *v, gva_t va, mfn_t mfn, uint64_t flags)
{
    struct tlb_entry *e = &v->tlb[tlb_slot(va)];
    e->va = va & ~(gva_t)(PAGE_SIZE - 1);
    e->mfn = mfn;
    e->flags = flags & (_PAGE_RW | _PAGE_USER | _PAGE_NX);
    e->fill = ++v->tlb_fills;
    e->valid = true;
}

void tlb_flush_va(struct vcpu *v, gva_t va)
{
    struct tlb_entry *e = &v->tlb[tlb_slot(va)];
    if (e->valid && e->va == (va & ~(gva_t)(PAGE_SIZE - 1)))
        e->valid = false;
}

/*
 * One flush event advances the clock once; every vCPU flushed by it records the new time. A frame
 * stamped at time t was unmapped after every flush recorded at <= t, so those vCPUs may still cache
 * it. On wrap-around all vCPUs are flushed and stamps are clamped by the comparison below, which
 * errs towards flushing too much.
 */
static uint32_t tlb_clock_tick(struct hv *hv)
{
    if (++hv->tlbclock == 0) {
        hv->tlbclock = 1;
        for (unsigned d = 0; d < HV_MAX_DOMAINS; d++)
            for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
                memset(hv->dom[d].vcpu[i].tlb, 0, sizeof(hv->dom[d].vcpu[i].tlb));
                hv->dom[d].vcpu[i].tlb_flush_time = 0;
            }
    }
    return hv->tlbclock;
}

static void tlb_flush_one(struct vcpu *v, uint32_t now)
{
    memset(v->tlb, 0, sizeof(v->tlb));
    v->tlb_flush_time = now;
}

void tlb_flush_vcpu(struct hv *hv, struct vcpu *v)
{
    tlb_flush_one(v, tlb_clock_tick(hv));
}

void tlb_flush_domain(struct hv *hv, struct domain *d)
{
    uint32_t now = tlb_clock_tick(hv);
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        tlb_flush_one(&d->vcpu[i], now);
}

void tlb_flush_all(struct hv *hv)
{
    uint32_t now = tlb_clock_tick(hv);
    for (unsigned d = 0; d < HV_MAX_DOMAINS; d++)
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
            tlb_flush_one(&hv->dom[d].vcpu[i], now);
}

void tlb_flush_filtered(struct hv *hv, uint32_t timestamp)
{
    bool any = false;
    for (unsigned d = 0; d < HV_MAX_DOMAINS && !any; d++)
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
            if (hv->dom[d].exists && hv->dom[d].vcpu[i].tlb_flush_time <= timestamp) {
                any = true;
                break;
            }
    if (!any)
        return;
    uint32_t now = tlb_clock_tick(hv);
    for (unsigned d = 0; d < HV_MAX_DOMAINS; d++) {
        if (!hv->dom[d].exists)
            continue;
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
            if (hv->dom[d].vcpu[i].tlb_flush_time <= timestamp)
                tlb_flush_one(&hv->dom[d].vcpu[i], now);
    }
}

void tlb_stamp_frame(struct hv *hv, mfn_t mfn)
{
    if (mfn_valid(hv, mfn))
        frame_w(hv, mfn)->tlbflush_timestamp = hv->tlbclock;
}

void tlb_promise(struct hv *hv, struct vcpu *v, bool one_va, gva_t va)
{
    struct tlb_promise *p = &v->promise;
    const struct vcpu *first = v->domid < HV_MAX_DOMAINS ? hv->dom[v->domid].vcpu : NULL;

    hv->flush_promised++;
    if (first && v >= first && v < first + HV_MAX_VCPUS)
        hv->promised_vcpus |= 1U << (v->domid * HV_MAX_VCPUS + (uint32_t)(v - first));
    else
        hv->promised_vcpus = ~0U;
    if (!one_va) {
        p->all = v->tlb_fills;
        return;
    }
    va &= ~(gva_t)(PAGE_SIZE - 1);
    for (uint32_t k = 0; k < p->nr_va && k < TLB_PROMISE_VAS; k++)
        if (p->va[k] == va) {
            p->va_fill[k] = v->tlb_fills;
            return;
        }
    if (p->nr_va < TLB_PROMISE_VAS) {
        p->va[p->nr_va] = va;
        p->va_fill[p->nr_va] = v->tlb_fills;
    }
    p->nr_va++;
}

void tlb_promise_clear(struct hv *hv)
{
    if (!hv->flush_promised)
        return;
    /* only tlb_promise writes a promise, and it marks the vCPU */
    for (uint32_t bits = hv->promised_vcpus; bits; bits &= bits - 1U) {
        unsigned k = (unsigned)__builtin_ctz(bits);
        memset(&hv->dom[k / HV_MAX_VCPUS].vcpu[k % HV_MAX_VCPUS].promise, 0,
               sizeof(struct tlb_promise));
    }
    hv->flush_promised = 0;
    hv->promised_vcpus = 0;
}
