/* The audit of descriptor tables: the GDT's references, the LDT's bounds, descriptor pages' contents. */
#include "audit_priv.h"

/*
 * A vCPU's GDT frames each hold one general and one seg_desc type ref (set_gdt), are the domain's
 * own and have been validated; the LDT (no refs: its pages are not mapped) has a bounded count
 * and, when not empty, a page-aligned base a guest may use. Contributions follow c->sign, so the
 * incremental audit takes the snapshot's back as it does for the base pointers.
 */
void audit_vcpu_desc(struct audit_ctx *c, const struct domain *d, const struct vcpu *v)
{
    if (v->gdt_ents > FIRST_RESERVED_GDT_ENTRY) {
        audit_add(c, INV_VCPU, MFN_INVALID, d->id, FIRST_RESERVED_GDT_ENTRY, v->gdt_ents,
                  "vcpu %u gdt entries at most", v->id);
        return;
    }
    for (unsigned i = 0; i < vcpu_gdt_frames(v); i++)
        audit_typed_ref(c, INV_VCPU, d, v->gdt_frames[i], PGT_seg_desc, false,
                        "vcpu %u gdt frame %u", v->id, i);
    if (v->ldt_ents > LDT_MAX_ENTRIES)
        audit_add(c, INV_VCPU, MFN_INVALID, d->id, LDT_MAX_ENTRIES, v->ldt_ents,
                  "vcpu %u ldt entries at most", v->id);
    else if (v->ldt_ents && ((v->ldt_base & (PAGE_SIZE - 1U)) ||
                             !guest_range_ok(v->ldt_base, 1)))
        audit_add(c, INV_VCPU, MFN_INVALID, d->id, 0, (int64_t)v->ldt_base,
                  "vcpu %u ldt base aligned, canonical and outside Xen's range: base", v->id);
}

/*
 * A validated descriptor page holds only descriptors check_descriptor accepts and would store
 * unchanged (validation stored them fixed up, update_descriptor writes checked ones), and its
 * validation was done for its current owner (XSA-214: the criteria depend on the owner). Its
 * type refs exist only while it is validated. Read from raw memory, with the audit's own check.
 */
static bool audit_desc_ok(uint64_t d)
{
    uint32_t lo = (uint32_t)d, hi = (uint32_t)(d >> 32);

    if (!(hi & SEG_P))
        return true;
    if (hi & SEG_S)
        return (hi & SEG_DPL) == SEG_DPL;   /* stored with the kernel's DPL 3 */
    unsigned type = (hi & SEG_TYPE_MASK) >> 8;
    if (type == 0)
        return true;
    if (type != SEG_TYPE_CALL_GATE >> 8 || (hi & SEG_DPL) || (hi & SEG_GATE_RSVD))
        return false;
    uint32_t sel = lo >> 16;
    /* the guest's DPL, raised to 3, is kept in the selector's RPL */
    if ((sel & 3U) != 3U)
        return false;
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == PV_FLAT_KERNEL_CS || (sel & 4U);
}

void audit_frame_desc(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];

    if (f->type != PGT_seg_desc || f->owner == DOMID_INVALID)
        return;
    if (!(f->flags & FRAME_VALIDATED)) {
        if (f->type_count)
            audit_add(c, INV_I2_TYPE, m, f->owner, 0, f->type_count,
                      "type count of unvalidated seg_desc");
        return;
    }
    if (f->seg_dom != f->owner)
        audit_add(c, INV_I2_TYPE, m, f->owner, f->owner, f->seg_dom,
                  "seg_desc validated for its owner: validated for dom");
    const uint64_t *d = (const uint64_t *)frame_mem(c->hv, m);
    for (unsigned i = 0; i < PAGE_SIZE / 8U; i++) {
        if (audit_desc_ok(d[i]))
            continue;
        audit_add(c, INV_I4_TABLES, m, f->owner, 0, (int64_t)d[i],
                  "seg_desc entry %u holds an invalid descriptor: value", i);
        break;
    }
}
