/* MMU hypercalls: mmu_update, update_va_mapping and mmuext_op on top of the page-table core. */
#include <string.h>
#include "hvfuzz/hypercall.h"
#include "../monitor/mm_private.h"

/*
 * Continuations follow Xen: the handle is advanced past the finished items, the count becomes the
 * remaining items ORed with MMU_UPDATE_PREEMPTED, and the running total of finished items lives in
 * the guest's *pdone (read back on re-entry), so *pdone is right at every stage.
 * Page owner: the low 16 bits of foreigndom name it (DOMID_SELF for the caller). Xen refuses the
 * caller's own id spelled out, an unknown domain (-ESRCH) and a domain the caller has no privilege
 * over (-EPERM); a dying domain is also -ESRCH here, so relinquish never races new references.
 * Table owner (mmu_update): bits 16-31 of foreigndom name it plus one (0: the caller), as Xen 4.17
 * has it; a table edited by MMU_NORMAL_PT_UPDATE must be the table owner's (-EINVAL), its new
 * entry maps the page owner's frames. A privileged caller edits another domain's tables by naming
 * that domain in both halves.
 */

struct mmu_batch {
    uint32_t count;   /* items in this issue */
    uint64_t done;    /* items finished by earlier issues of the same call */
};

static int mmu_pg_owner(struct hv *hv, struct vcpu *v, uint64_t foreigndom, struct domain **out)
{
    struct domain *cd = dom_get(hv, v->domid);
    if (!cd)
        return -XEN_ESRCH;
    if (foreigndom == DOMID_SELF) {
        *out = cd;
        return 0;
    }
    if (foreigndom > 0xFFFFU || foreigndom == cd->id)
        return -XEN_ESRCH;
    struct domain *d = dom_get(hv, (domid_t)foreigndom);
    if (!d || d->dying)
        return -XEN_ESRCH;
    if (!cd->privileged)
        return -XEN_EPERM;
    *out = d;
    return 0;
}

/* Decode (count, pdone) of an issue that may be a continuation. */
static void mmu_batch_start(struct hv *hv, struct vcpu *v, const uint64_t args[6],
                            struct mmu_batch *b)
{
    /* Xen's prototypes take unsigned int counts: the register is truncated */
    uint32_t count = (uint32_t)args[1];
    b->done = 0;
    if (count & MMU_UPDATE_PREEMPTED) {
        count &= ~MMU_UPDATE_PREEMPTED;
        uint32_t done = 0;
        /* a pdone that went bad since the first issue only loses the running total */
        if (args[2] && copy_from_guest(hv, v, &done, args[2], sizeof(done)) == 0)
            b->done = done;
    }
    b->count = count;
}

/* Report progress in *pdone; a bad pdone turns success into -EFAULT. */
static long mmu_batch_end(struct hv *hv, struct vcpu *v, const uint64_t args[6],
                          const struct mmu_batch *b, uint32_t i, long rc)
{
    if (args[2]) {
        uint32_t done = (uint32_t)(b->done + i);
        if (copy_to_guest(hv, v, args[2], &done, sizeof(done)) < 0 && rc == 0)
            rc = -XEN_EFAULT;
    }
    return rc;
}

static long mmu_batch_continue(struct hv *hv, struct vcpu *v, uint64_t args[6],
                               const struct mmu_batch *b, uint32_t i, size_t item_size)
{
    mmu_batch_end(hv, v, args, b, i, 0);
    args[0] += (uint64_t)i * item_size;
    args[1] = (uint64_t)((b->count - i) | MMU_UPDATE_PREEMPTED);
    return -XEN_ERESTART;
}

/* One mmu_update request. */
static int mmu_update_one(struct hv *hv, struct vcpu *v, struct domain *pt_owner,
                          struct domain *pg_owner, const void *item)
{
    const struct mmu_update *req = item;
    /* Xen 4.17: the low 3 bits are the command (the address is of an 8-byte entry) */
    unsigned cmd = (unsigned)(req->ptr & 7U);
    uint64_t maddr = req->ptr & ~7ULL;
    mfn_t mfn = maddr >> PAGE_SHIFT;
    int rc;

    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE: {   /* the same for a PV guest: it is not translated */
        if (!get_page(hv, mfn, pt_owner))
            return -XEN_EINVAL;
        struct frame *f = frame_w(hv, mfn);
        unsigned idx = (unsigned)((maddr & (PAGE_SIZE - 1)) >> 3);
        bool preserve_ad = cmd == MMU_PT_UPDATE_PRESERVE_AD;
        if (PGT_IS_PT(f->type) && f->type_count > 0) {
            /* an L1 entry maps the page owner's frames; an upper entry names a table, which
               must be the table owner's (Xen's mod_l2..l4_entry check against pt_owner) */
            unsigned level = pgt_level(f->type);
            rc = mod_pt_entry(hv, v, mfn, level, idx, req->val, level == 1 ? pg_owner : pt_owner,
                              preserve_ad, true);
        } else if (get_page_type(hv, mfn, PGT_writable, false) < 0) {
            rc = -XEN_EINVAL;
        } else {
            /* an ordinary frame: a plain write under a temporary writable type ref */
            uint64_t *slot = frame_pte_w(hv, mfn, idx);
            uint64_t val = req->val;
            if (preserve_ad)
                val |= *slot & (_PAGE_ACCESSED | _PAGE_DIRTY);
            *slot = val;
            put_page_type(hv, mfn, false);
            rc = 0;
        }
        put_page(hv, mfn);
        return rc;
    }
    case MMU_MACHPHYS_UPDATE:
        if (!get_page(hv, mfn, pg_owner))
            return -XEN_EINVAL;
        m2p_set(hv, mfn, req->val);
        /* Xen marks the new pfn dirty (paging_mark_pfn_dirty): a migration sends it again */
        logdirty_mark_pfn(pg_owner, req->val);
        put_page(hv, mfn);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

typedef int (*mmu_item_fn)(struct hv *hv, struct vcpu *v, struct domain *d,
                           struct domain *pg_owner, const void *item);

/*
 * The batch loop both mmu_update and mmuext_op run: a deferred table put of an earlier call
 * finishes before new work, a preemption point between items, each item copied from the guest and
 * applied; the first failure stops the batch and *pdone reports the progress.
 */
static long mmu_batch_run(struct hv *hv, struct vcpu *v, uint64_t args[6], struct domain *d,
                          struct domain *pg_owner, size_t item_size, mmu_item_fn fn)
{
    union { struct mmu_update u; struct mmuext_op x; } item;   /* aligned for either */
    struct mmu_batch b;
    long rc = 0;
    uint32_t i;

    mmu_batch_start(hv, v, args, &b);
    for (i = 0; i < b.count; i++) {
        if (pt_finish_old(hv, v, true) == -XEN_ERESTART || (i > 0 && hv_preempt_check(hv)))
            return mmu_batch_continue(hv, v, args, &b, i, item_size);
        if (copy_from_guest(hv, v, &item, args[0] + (uint64_t)i * item_size, item_size) < 0) {
            rc = -XEN_EFAULT;
            break;
        }
        rc = fn(hv, v, d, pg_owner, &item);
        if (rc == -XEN_ERESTART)
            return mmu_batch_continue(hv, v, args, &b, i, item_size);
        if (rc < 0)
            break;
    }
    return mmu_batch_end(hv, v, args, &b, i, rc);
}

long do_mmu_update(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *self = dom_get(hv, v->domid), *pt_owner = self, *pg_owner;
    uint32_t foreigndom = (uint32_t)args[3];   /* Xen's prototype: an unsigned int */
    uint32_t pt_dom = foreigndom >> 16;

    if (!self)
        return -XEN_ESRCH;
    if (pt_dom) {
        pt_owner = pt_dom - 1U <= 0xFFFFU ? dom_get(hv, (domid_t)(pt_dom - 1U)) : NULL;
        if (!pt_owner)
            return -XEN_ESRCH;
    }
    long rc = mmu_pg_owner(hv, v, foreigndom & 0xFFFFU, &pg_owner);
    if (rc < 0)
        return rc;
    if (pt_owner != self && !self->privileged)
        return -XEN_EPERM;
    /* Xen lets a privileged caller map any page owner's frames into another domain's tables;
       the model lets it edit another domain's tables with that domain's own frames only, so
       that every L1 entry of an unprivileged domain still maps what I5 allows (docs/MODEL.md) */
    if (pt_owner != self && pg_owner != pt_owner)
        return -XEN_EINVAL;
    return mmu_batch_run(hv, v, args, pt_owner, pg_owner, sizeof(struct mmu_update),
                         mmu_update_one);
}

/* Walk v's kernel tables to the L1 entry mapping va (Xen's guest_map_l1e). */
static int mmu_find_l1(struct hv *hv, struct vcpu *v, gva_t va, mfn_t *l1, unsigned *idx)
{
    mfn_t t = v->guest_table;
    for (unsigned level = 4; level > 1; level--) {
        if (!mfn_valid(hv, t))
            return -XEN_EINVAL;
        uint64_t e = frame_ptes(hv, t)[(va >> (PAGE_SHIFT + 9U * (level - 1))) & 511U];
        if (!pte_present(e) || (level == 2 && (e & _PAGE_PSE)))
            return -XEN_EINVAL;
        t = pte_mfn(e);
    }
    if (!mfn_valid(hv, t))
        return -XEN_EINVAL;
    /* a linear entry on the way leads to an upper table: only a real, valid L1 is editable */
    const struct frame *f = &hv->frames[t];
    if (f->type != PGT_l1 || !(f->flags & FRAME_VALIDATED) || f->owner != v->domid)
        return -XEN_EINVAL;
    *l1 = t;
    *idx = (unsigned)((va >> PAGE_SHIFT) & 511U);
    return 0;
}

/*
 * What the guest asked for, recorded before (and apart from) the flushing itself: the vCPUs of d in
 * mask, one VA or all of them. The native target checks after the op that no TLB entry covered
 * disagrees with the page tables (invariant FLUSH).
 */
static void mmu_promise(struct hv *hv, struct domain *d, uint64_t mask, bool one_va, gva_t va)
{
    for (unsigned i = 0; i < d->nr_vcpus && i < HV_MAX_VCPUS; i++)
        if ((mask >> i) & 1U)
            tlb_promise(hv, &d->vcpu[i], one_va, va);
}

/* Flush the vCPUs of d selected by a guest bitmap (Xen's vcpumask_to_pcpumask). */
static int mmu_flush_mask(struct hv *hv, struct vcpu *v, struct domain *d, gva_t mask_ptr,
                          bool one_va, gva_t va)
{
    uint64_t mask;
    if (copy_from_guest(hv, v, &mask, mask_ptr, sizeof(mask)) < 0)
        return -XEN_EFAULT;   /* mmuext's MULTI ops answer -EINVAL for it, as Xen does */
    mmu_promise(hv, d, mask, one_va, va);
    for (unsigned i = 0; i < d->nr_vcpus && i < HV_MAX_VCPUS; i++) {
        if (!((mask >> i) & 1U))
            continue;
        if (one_va)
            tlb_flush_va(&d->vcpu[i], va);
        else
            tlb_flush_vcpu(hv, &d->vcpu[i]);
    }
    return 0;
}

static void mmu_flush_all(struct hv *hv, struct domain *d, bool one_va, gva_t va)
{
    if (!one_va) {
        tlb_flush_domain(hv, d);
        return;
    }
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        tlb_flush_va(&d->vcpu[i], va);
}

/* The caller's L1 entry for va gets val, naming a frame of pg_owner; then the flush flags ask. */
static long uvm_run(struct hv *hv, struct vcpu *v, const uint64_t args[6], struct domain *pg_owner)
{
    gva_t va = args[0];
    uint64_t val = args[1], flags = args[2];
    struct domain *d = dom_get(hv, v->domid);
    if (!d)
        return -XEN_ESRCH;
    if (!gva_canonical(va) || gva_in_xen_range(va))
        return -XEN_EINVAL;

    mfn_t l1;
    unsigned idx;
    int rc = mmu_find_l1(hv, v, va, &l1, &idx);
    if (rc < 0)
        return rc;
    if (!get_page(hv, l1, d))
        return -XEN_EINVAL;
    /* L1 updates never validate tables, so nothing here needs preemption */
    rc = mod_pt_entry(hv, v, l1, 1, idx, val, pg_owner ? pg_owner : d, false, false);
    put_page(hv, l1);
    if (rc < 0)
        return rc;

    uint64_t type = flags & UVMF_FLUSHTYPE_MASK;
    if (type != UVMF_TLB_FLUSH && type != UVMF_INVLPG)
        return 0;  /* NONE; Xen's switch also ignores both bits set */
    bool one_va = type == UVMF_INVLPG;
    uint64_t sel = flags & ~UVMF_FLUSHTYPE_MASK;
    if (sel == UVMF_LOCAL) {
        tlb_promise(hv, v, one_va, va);
        if (one_va)
            tlb_flush_va(v, va);
        else
            tlb_flush_vcpu(hv, v);
        return 0;
    }
    if (sel == UVMF_ALL) {
        mmu_promise(hv, d, ~0ULL, one_va, va);
        mmu_flush_all(hv, d, one_va, va);
        return 0;
    }
    return mmu_flush_mask(hv, v, d, sel, one_va, va);
}

long do_update_va_mapping(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    return uvm_run(hv, v, args, NULL);
}

/*
 * update_va_mapping_otherdomain(va, val, flags, domid): the same on the caller's own tables, the
 * entry naming a frame of domid (Xen's get_pg_owner, then its XSM check: DOMID_SELF is the
 * caller, the caller's own id spelled out or no such domain -ESRCH, another domain needs the
 * privilege, -EPERM), as mmu_update's foreigndom is resolved.
 */
long do_update_va_mapping_otherdomain(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *pg_owner;
    int rc = mmu_pg_owner(hv, v, args[3] & 0xFFFFU, &pg_owner);

    if (rc < 0)
        return rc;
    return uvm_run(hv, v, args, pg_owner);
}

/* One mmuext op. The caller finished any deferred put before, so old_guest_table is free. */
static int mmuext_one(struct hv *hv, struct vcpu *v, struct domain *d, struct domain *pg_owner,
                      const void *item)
{
    const struct mmuext_op *op = item;
    int rc;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pt_pin(hv, pg_owner, op->arg1, op->cmd - MMUEXT_PIN_L1_TABLE + 1U, true);
    case MMUEXT_UNPIN_TABLE:
        rc = pt_unpin(hv, pg_owner, op->arg1, true);
        if (rc == -XEN_ERESTART) {
            /* unpinned; the rest of the teardown is this vCPU's deferred put */
            v->old_guest_table = op->arg1;
            rc = 0;
        }
        return rc;
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        /* PV superpages are gone from Xen: 4.17 refuses both before any owner check */
        return -XEN_EOPNOTSUPP;
    default:
        break;
    }

    /* everything else acts on the caller itself */
    if (pg_owner != d)
        return -XEN_EPERM;

    switch (op->cmd) {
    case MMUEXT_NEW_BASEPTR:
        return pt_new_baseptr(hv, v, op->arg1, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return pt_new_baseptr(hv, v, op->arg1, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
        tlb_promise(hv, v, false, 0);
        tlb_flush_vcpu(hv, v);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        tlb_promise(hv, v, true, op->arg1);
        tlb_flush_va(v, op->arg1);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
        return mmu_flush_mask(hv, v, d, op->arg2, false, 0) < 0 ? -XEN_EINVAL : 0;
    case MMUEXT_INVLPG_MULTI:
        return mmu_flush_mask(hv, v, d, op->arg2, true, op->arg1) < 0 ? -XEN_EINVAL : 0;
    case MMUEXT_TLB_FLUSH_ALL:
        mmu_promise(hv, d, ~0ULL, false, 0);
        mmu_flush_all(hv, d, false, 0);
        return 0;
    case MMUEXT_INVLPG_ALL:
        mmu_promise(hv, d, ~0ULL, true, op->arg1);
        mmu_flush_all(hv, d, true, op->arg1);
        return 0;
    case MMUEXT_FLUSH_CACHE:
        /* no cache model: the permission check is all there is to observe (a domain without
           I/O rights: -EACCES; the -EPERM of another page owner is checked before) */
        return d->privileged ? 0 : -XEN_EACCES;
    case MMUEXT_CLEAR_PAGE:
        if (get_page_and_type(hv, op->arg1, d, PGT_writable, false) < 0)
            return -XEN_EINVAL;
        memset(frame_mem_w(hv, op->arg1), 0, PAGE_SIZE);
        put_page_and_type(hv, op->arg1);
        return 0;
    case MMUEXT_COPY_PAGE:
        /* the source is only read: a general ref is enough */
        if (!get_page(hv, op->arg2, d))
            return -XEN_EINVAL;
        if (get_page_and_type(hv, op->arg1, d, PGT_writable, false) < 0) {
            put_page(hv, op->arg2);
            return -XEN_EINVAL;
        }
        memmove(frame_mem_w(hv, op->arg1), frame_mem(hv, op->arg2), PAGE_SIZE);
        put_page_and_type(hv, op->arg1);
        put_page(hv, op->arg2);
        return 0;
    case MMUEXT_SET_LDT:
        /* nr_ents is an unsigned int sharing its union with a 64-bit frame number */
        return vcpu_set_ldt(v, op->arg1, (uint32_t)op->arg2);
    default:
        return -XEN_ENOSYS;
    }
}

long do_mmuext_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *pg_owner;
    struct domain *d = dom_get(hv, v->domid);
    if (!d)
        return -XEN_ESRCH;
    long rc = mmu_pg_owner(hv, v, args[3], &pg_owner);
    if (rc < 0)
        return rc;
    return mmu_batch_run(hv, v, args, d, pg_owner, sizeof(struct mmuext_op), mmuext_one);
}
