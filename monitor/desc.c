/* Segment descriptor checks of a 64-bit PV guest (Xen's check_descriptor) and seg_desc page validation. */
#include "hvfuzz/monitor.h"

/*
 * A call gate's target selector must not name one of Xen's own segments: the CPU ignores the
 * selector's RPL when it goes through a gate, so only the selector's index protects Xen. Guest
 * GDT entries, the flat kernel code selector Xen gives 64-bit guests and LDT selectors are fine.
 */
static bool seg_gate_selector_ok(uint32_t sel)
{
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == PV_FLAT_KERNEL_CS || (sel & 4U);
}

bool seg_desc_check(const struct hv *hv, uint64_t *desc)
{
    uint32_t lo = (uint32_t)*desc, hi = (uint32_t)(*desc >> 32);

    /* a descriptor that is not present faults on every use */
    if (!(hi & SEG_P))
        return true;
    /* the guest kernel runs in ring 3: no descriptor may be more privileged than that */
    uint32_t dpl = (hi & SEG_DPL) >> 13;
    if (dpl < PV_GUEST_KERNEL_RPL)
        dpl = PV_GUEST_KERNEL_RPL;
    hi = (hi & ~SEG_DPL) | (dpl << 13);

    if (!(hi & SEG_S)) {
        /* type 0 is what the second half of a 64-bit call gate looks like: harmless, kept as
           written (Xen returns before storing the raised DPL) */
        if ((hi & SEG_TYPE_MASK) == 0)
            return true;
        /* of the system descriptors only call gates, aimed at a guest or the flat kernel code
           selector, with DPL 0 so that every use faults into Xen's emulation; the guest's DPL
           travels in the selector's RPL */
        if ((hi & SEG_TYPE_MASK) != SEG_TYPE_CALL_GATE)
            return false;
        uint32_t sel = lo >> 16;
        /* GATE_SELECTOR (bug switch): the target selector unchecked, so a gate may lead into
           Xen's own ring-0 code segment (guest_gate_selector_okay's reason to exist) */
        if (!seg_gate_selector_ok(sel) && !hv_bug_on(hv, HV_BUG_GATE_SELECTOR))
            return false;
        hi &= ~SEG_DPL;
        sel = (sel & ~3U) | dpl;
        lo = (lo & 0xFFFFU) | (sel << 16);
        if (hi & SEG_GATE_RSVD)
            return false;
    }
    /* code and data segments: no base or limit checks for a 64-bit guest */
    *desc = (uint64_t)hi << 32 | lo;
    return true;
}

int seg_desc_page_validate(struct hv *hv, mfn_t mfn)
{
    uint64_t *d = (uint64_t *)frame_mem(hv, mfn);

    for (unsigned i = 0; i < PAGE_SIZE / 8U; i++) {
        uint64_t v = d[i];
        if (!seg_desc_check(hv, &v))
            return -XEN_EINVAL;
        /* Xen fixes the descriptors up in place */
        if (v != d[i])
            *frame_pte_w(hv, mfn, i) = v;
    }
    frame_w(hv, mfn)->seg_dom = hv->frames[mfn].owner;
    return 0;
}

void vcpu_gdt_destroy(struct hv *hv, struct vcpu *v)
{
    unsigned n = vcpu_gdt_frames(v);

    for (unsigned i = 0; i < n && i < FIRST_RESERVED_GDT_PAGE; i++) {
        put_page_and_type(hv, v->gdt_frames[i]);
        v->gdt_frames[i] = 0;
    }
    v->gdt_ents = 0;
}
