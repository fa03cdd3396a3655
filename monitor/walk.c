/* The page walker: a 4-level x86-64 walk as the hardware does it (the monitor's MMU model). */
#include "hvfuzz/monitor.h"

/*
 * Model decisions (hardware with CR0.WP=1, EFER.NXE=1, CR4.PSE irrelevant in long mode, PKE off):
 *  - bits 52..62 are ignored (software / protection-key bits with PKE off), NX is honoured;
 *  - MAXPHYADDR is the frame pool: an entry naming a frame beyond it is a reserved-bit fault;
 *  - PSE in an L4 entry is reserved; PSE in L3 (1 GiB) and L2 (2 MiB) maps a large page whose
 *    address bits below the page size (other than PAT, bit 12) are reserved. The monitor never
 *    creates such entries, but a re-created bug may, and the walker must then honour them;
 *  - accessed/dirty bits are not written back (the audit must not depend on them);
 *  - a permission fault is reported at the leaf level.
 */

bool gva_in_xen_range(gva_t va)
{
    return va >= XEN_VIRT_START && va < XEN_VIRT_END;
}

static int walk_fault(struct walk_result *r, unsigned level, uint32_t pfec)
{
    r->fault_level = level;
    r->pfec = pfec;
    r->mfn = MFN_INVALID;
    return -XEN_EFAULT;
}

/* What the walk carries from level to level: the rights so far and the next table. */
struct walk_acc {
    uint64_t rw, user, nx;
    mfn_t table;
};

/*
 * One level of the walk: 1 to go on to the next level (acc->table is its table), 0 when this
 * level maps the page (r filled), a fault otherwise. Inlined at each of the four constant levels,
 * so that the level tests fold away (a walk is on every TLB miss).
 */
static inline __attribute__((always_inline)) int walk_level(struct hv *hv, gva_t va,
                                                            uint32_t access, unsigned level,
                                                            struct walk_acc *acc,
                                                            struct walk_result *r)
{
    unsigned shift = PAGE_SHIFT + 9U * (level - 1U);
    unsigned idx = (unsigned)((va >> shift) & (PTES_PER_TABLE - 1U));
    if (level == 1) {
        r->l1_table = acc->table;
        r->l1_idx = idx;
    }
    uint64_t e = frame_ptes(hv, acc->table)[idx];
    if (!(e & _PAGE_PRESENT))
        return walk_fault(r, level, access);

    bool large = (level == 2 || level == 3) && (e & _PAGE_PSE);
    mfn_t base = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    uint64_t span = large ? (1ULL << (9U * (level - 1U))) : 1ULL;   /* in 4 KiB frames */
    /* large pages: address bits 1..(9*(level-1)-1) of the frame number are reserved (bit 0
       of the frame number is the PAT bit 12) */
    bool rsvd = (level == 4 && (e & _PAGE_PSE)) ||
                (large && (base & (span - 1U) & ~1ULL)) ||
                !mfn_valid(hv, (large ? (base & ~1ULL) : base) + span - 1U);
    if (rsvd)
        return walk_fault(r, level, access | PFEC_PRESENT | PFEC_RSVD);

    acc->rw &= e;
    acc->user &= e;
    acc->nx |= e & _PAGE_NX;
    if (level == 1 || large) {
        uint64_t flags = acc->rw | acc->user | acc->nx;
        if (((access & PFEC_WRITE) && !(flags & _PAGE_RW)) ||
            ((access & PFEC_USER) && !(flags & _PAGE_USER)) ||
            ((access & PFEC_INSN) && (flags & _PAGE_NX)))
            return walk_fault(r, level, access | PFEC_PRESENT);
        r->flags = flags;
        r->mfn = (large ? (base & ~1ULL) : base) + ((va >> PAGE_SHIFT) & (span - 1U));
        return 0;
    }
    acc->table = base;
    return 1;
}

int pt_walk(struct hv *hv, mfn_t cr3, gva_t va, uint32_t access, struct walk_result *r)
{
    access &= PFEC_WRITE | PFEC_USER | PFEC_INSN;
    r->mfn = MFN_INVALID;
    r->flags = 0;
    r->pfec = 0;
    r->fault_level = 0;
    r->l1_table = MFN_INVALID;
    r->l1_idx = 0;

    /* non-canonical is a #GP on hardware */
    if (!gva_canonical(va) || !mfn_valid(hv, cr3))
        return walk_fault(r, 4, access);
    /* Xen's range is never reachable through guest slots: Xen's own L4 entries map it, present
       and supervisor-only, so the guest's fault says present (P) and, reflected to a guest
       kernel, not user (Xen clears U for kernel mode; the access carries U for user mode) */
    if (gva_in_xen_range(va))
        return walk_fault(r, 4, access | PFEC_PRESENT);

    struct walk_acc acc = { .rw = _PAGE_RW, .user = _PAGE_USER, .nx = 0, .table = cr3 };
    int rc;
    if ((rc = walk_level(hv, va, access, 4, &acc, r)) <= 0)
        return rc;
    if ((rc = walk_level(hv, va, access, 3, &acc, r)) <= 0)
        return rc;
    if ((rc = walk_level(hv, va, access, 2, &acc, r)) <= 0)
        return rc;
    rc = walk_level(hv, va, access, 1, &acc, r);
    return rc <= 0 ? rc : walk_fault(r, 1, access);   /* not reached: level 1 always returns */
}
