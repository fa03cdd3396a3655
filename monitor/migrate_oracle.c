/* The migration oracle: the source as its guest sees it at the pause, and the restored domain against it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvfuzz/migrate.h"
#include "mm_private.h"

/*
 * Independent of the toolstack's save: pfns come from the domain's p2m read backwards (not the
 * m2p), so a save that canonicalised wrongly or missed a write disagrees with this image.
 */
static uint32_t *mig_inverse(const struct hv *hv, const struct domain *d)
{
    uint32_t *inv = malloc((size_t)hv->nr_frames * sizeof(*inv));
    if (!inv)
        return NULL;
    memset(inv, 0xFF, (size_t)hv->nr_frames * sizeof(*inv));
    for (uint32_t pfn = 0; pfn < d->p2m_top && pfn < HV_MAX_GFNS; pfn++)
        if (mfn_valid(hv, d->p2m[pfn]))
            inv[d->p2m[pfn]] = pfn;
    return inv;
}

#define MIG_NO_PFN 0xFFFFFFFFU

/* Page pfn of d as its guest sees it: a validated table's entries by pfn, Xen's slots empty; an
   entry mapping a frame outside d's pseudo-physical map keeps the frame number with bit 51 set,
   so that it never equals a pfn. */
static void mig_canon(const struct hv *hv, const struct domain *d, const uint32_t *inv,
                      uint32_t pfn, uint8_t type, uint64_t *out)
{
    memcpy(out, frame_mem((struct hv *)hv, d->p2m[pfn]), PAGE_SIZE);
    if (type == PGT_none)
        return;
    for (unsigned i = 0; i < PTES_PER_TABLE; i++) {
        if (pt_xen_slot(pgt_level(type), i)) {
            out[i] = 0;
            continue;
        }
        if (!pte_present(out[i]))
            continue;
        mfn_t m = pte_mfn(out[i]);
        uint64_t p = mfn_valid(hv, m) && inv[m] != MIG_NO_PFN ? inv[m] : (m | (1ULL << 39));
        out[i] = (out[i] & ~PTE_ADDR_MASK) | ((p << PAGE_SHIFT) & PTE_ADDR_MASK);
    }
}

static uint64_t mig_base_pfn(const struct hv *hv, const uint32_t *inv, mfn_t m)
{
    return mfn_valid(hv, m) && inv[m] != MIG_NO_PFN ? inv[m] : GFN_INVALID;
}

/* vCPU i of d as the image holds it, its base pointers by inv; zeroes past the domain's vCPUs
   (or without inv). */
static void mig_oracle_vcpu(const struct hv *hv, const uint32_t *inv, const struct domain *d,
                            unsigned i, struct mig_vcpu *out)
{
    const struct vcpu *v = &d->vcpu[i];
    if (i >= d->nr_vcpus || !inv) {
        memset(out, 0, sizeof(*out));
        return;
    }
    mig_vcpu_get(out, v, mig_base_pfn(hv, inv, v->guest_table),
                 mig_base_pfn(hv, inv, v->guest_table_user));
    for (unsigned k = 0; k < vcpu_gdt_frames(v) && k < FIRST_RESERVED_GDT_PAGE; k++)
        out->gdt_pfn[k] = mig_base_pfn(hv, inv, v->gdt_frames[k]);
}

/*
 * The vCPU state no stream carries, or carries by another name: the domain id, the TLB and its
 * promises, the frame numbers (compared as pfns above), the scheduler's blocked and polling
 * marks (a restored vCPU runs; a blocked guest's block returns), the I/O bitmap (not in Xen's
 * vcpu_guest_context: the guest registers it again), and the user-mode entry (a restored vCPU
 * starts in kernel mode: the model's gap, docs/MIGRATION.md). Everything else must come back
 * as it was, whether or not MIG_VCPU_COPY names it: a field added to struct vcpu and to no
 * list shows up here.
 */
static void mig_vcpu_scrub(struct vcpu *v)
{
    v->domid = 0;
    v->blocked = v->polling = false;
    v->guest_table = v->guest_table_user = v->old_guest_table = 0;
    v->tlb_flush_time = 0;
    memset(v->tlb, 0, sizeof(v->tlb));
    v->tlb_fills = 0;
    memset(&v->promise, 0, sizeof(v->promise));
    memset(v->gdt_frames, 0, sizeof(v->gdt_frames));
    v->iobmp = 0;
    v->iobmp_limit = 0;
    v->user_mode = false;
    v->user_table_live = 0;
}

/* Offset of the first byte where a and b differ, once both are scrubbed; -1 when none does. */
static long mig_vcpu_raw_diff(const struct vcpu *src, const struct vcpu *dst)
{
    static struct vcpu a, b;
    a = *src;
    b = *dst;
    mig_vcpu_scrub(&a);
    mig_vcpu_scrub(&b);
    const uint8_t *pa = (const uint8_t *)&a, *pb = (const uint8_t *)&b;
    for (size_t k = 0; k < sizeof(a); k++)
        if (pa[k] != pb[k])
            return (long)k;
    return -1;
}

void mig_oracle_image(const struct hv *hv, const struct domain *d, struct mig_image *img)
{
    uint32_t *inv = mig_inverse(hv, d);
    img->nr_pfns = d->p2m_top < HV_MAX_GFNS ? d->p2m_top : HV_MAX_GFNS;
    memset(img->page, 0, sizeof(img->page));
    for (uint32_t pfn = 0; inv && pfn < img->nr_pfns; pfn++) {
        mfn_t m = d->p2m[pfn];
        struct mig_page *pg = &img->page[pfn];
        if (!mfn_valid(hv, m))
            continue;
        const struct frame *f = &hv->frames[m];
        pg->present = true;
        pg->type = PGT_IS_PT(f->type) && (f->flags & FRAME_VALIDATED) ? f->type : PGT_none;
        pg->pinned = (f->flags & FRAME_PINNED) != 0;
        mig_canon(hv, d, inv, pfn, pg->type, (uint64_t *)(img->data + (size_t)pfn * PAGE_SIZE));
    }
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        mig_oracle_vcpu(hv, inv, d, i, &img->vcpu[i]);
        img->raw[i] = d->vcpu[i];
    }
    mig_dom_get(img, d);
    free(inv);
}

static void mig_found(struct mig_report *rep, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mig_found(struct mig_report *rep, const char *what, const char *fmt, ...)
{
    if (rep->found)
        return;
    rep->found = true;
    snprintf(rep->what, sizeof(rep->what), "%s", what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->detail, sizeof(rep->detail), fmt, ap);
    va_end(ap);
}

/* The vCPU fields the guest sees, compared field by field so the report names the one. */
static const char *mig_vcpu_diff(const struct mig_vcpu *a, const struct mig_vcpu *b)
{
    if (a->up != b->up || a->initialised != b->initialised)
        return "up/initialised";
    if (a->cr3_pfn != b->cr3_pfn)
        return "kernel base pointer (pfn)";
    if (a->cr3u_pfn != b->cr3u_pfn)
        return "user base pointer (pfn)";
    if (memcmp(&a->uregs, &b->uregs, sizeof(a->uregs)) != 0)
        return "registers";
    if (memcmp(a->traps, b->traps, sizeof(a->traps)) != 0)
        return "trap table";
    if (memcmp(&a->msr, &b->msr, sizeof(a->msr)) != 0)
        return "MSRs";
    if (memcmp(&a->cont, &b->cont, sizeof(a->cont)) != 0)
        return "pending continuation";
    if (a->cr2 != b->cr2 || a->kernel_sp != b->kernel_sp || a->kernel_ss != b->kernel_ss ||
        a->upcall_mask != b->upcall_mask || a->fpu_ts != b->fpu_ts || a->iopl != b->iopl)
        return "cr2, kernel stack, upcall mask, TS or IOPL";
    if (memcmp(a->cb, b->cb, sizeof(a->cb)) != 0 || a->cb_mask != b->cb_mask)
        return "callbacks";
    if (memcmp(a->dr, b->dr, sizeof(a->dr)) != 0 || a->dr6 != b->dr6 || a->dr7 != b->dr7 ||
        a->dr7_emul != b->dr7_emul)
        return "debug registers";
    if (a->ldt_base != b->ldt_base || a->ldt_ents != b->ldt_ents)
        return "LDT";
    if (a->gdt_ents != b->gdt_ents || memcmp(a->gdt_pfn, b->gdt_pfn, sizeof(a->gdt_pfn)) != 0)
        return "GDT (entries, frames as pfns)";
    return NULL;
}

void mig_oracle_compare(const struct hv *hv, const struct mig_image *img,
                        const struct mig_image *sent, const struct domain *n,
                        struct mig_report *rep)
{
    uint32_t *inv = mig_inverse(hv, n);
    static uint64_t page[PTES_PER_TABLE];
    if (!inv)
        return;
    for (uint32_t pfn = 0; pfn < img->nr_pfns && !rep->found; pfn++) {
        const struct mig_page *want = &img->page[pfn];
        mfn_t m = pfn < HV_MAX_GFNS ? n->p2m[pfn] : MFN_INVALID;
        unsigned round = sent->page[pfn].round;
        if (want->present != mfn_valid(hv, m)) {
            mig_found(rep, "memory", "pfn 0x%x: %s in the source at the pause, %s after the "
                      "restore into d%u (the stream last carried it in round %u)", pfn,
                      want->present ? "present" : "absent", want->present ? "absent" : "present",
                      (unsigned)n->id, round);
            break;
        }
        if (!want->present)
            continue;
        const struct frame *f = &hv->frames[m];
        uint8_t type = PGT_IS_PT(f->type) && (f->flags & FRAME_VALIDATED) ? f->type : PGT_none;
        if (type != want->type || ((f->flags & FRAME_PINNED) != 0) != want->pinned) {
            mig_found(rep, want->pinned || (f->flags & FRAME_PINNED) ? "pin" : "pagetable",
                      "pfn 0x%x (d%u mfn 0x%llx): type %u%s in the source, %u%s restored (the "
                      "stream last carried it in round %u)", pfn, (unsigned)n->id,
                      (unsigned long long)m, want->type, want->pinned ? " pinned" : "", type,
                      (f->flags & FRAME_PINNED) ? " pinned" : "", round);
            break;
        }
        mig_canon(hv, n, inv, pfn, type, page);
        const uint64_t *w = (const uint64_t *)(img->data + (size_t)pfn * PAGE_SIZE);
        for (unsigned i = 0; i < PTES_PER_TABLE; i++) {
            if (w[i] == page[i])
                continue;
            mig_found(rep, type != PGT_none ? "pagetable" : "memory",
                      "pfn 0x%x (d%u mfn 0x%llx) %s %u: 0x%016llx in the source at the pause, "
                      "0x%016llx restored; the stream last carried the page in round %u, so a "
                      "change after that round was not sent", pfn, (unsigned)n->id,
                      (unsigned long long)m, type != PGT_none ? "entry" : "word", i,
                      (unsigned long long)w[i], (unsigned long long)page[i], round);
            break;
        }
    }
    for (unsigned i = 0; i < HV_MAX_VCPUS && !rep->found; i++) {
        struct mig_vcpu nv;
        mig_oracle_vcpu(hv, inv, n, i, &nv);
        const char *what = mig_vcpu_diff(&img->vcpu[i], &nv);
        if (what)
            mig_found(rep, "vcpu", "d%u vcpu %u: %s differ from the source's at the pause",
                      (unsigned)n->id, i, what);
        long off = what ? -1 : mig_vcpu_raw_diff(&img->raw[i], &n->vcpu[i]);
        if (off >= 0)
            mig_found(rep, "vcpu", "d%u vcpu %u: the state at byte %ld of struct vcpu differs "
                      "from the source's at the pause (a field no stream carries)",
                      (unsigned)n->id, i, off);
    }
    if (!rep->found && (img->max_pages != n->max_pages || img->nr_vcpus != n->nr_vcpus ||
                        img->vm_assist != n->vm_assist ||
                        memcmp(&img->cpuid, &n->cpuid, sizeof(img->cpuid)) != 0))
        mig_found(rep, "domain", "d%u: max_pages, vCPU count, vm_assist or CPUID policy differ "
                  "from the source's", (unsigned)n->id);
    free(inv);
}
