/* Save, restore and live migration of a PV domain as a toolstack does them, and their oracle. */
#ifndef HVFUZZ_MIGRATE_H
#define HVFUZZ_MIGRATE_H

#include "hvfuzz/monitor.h"
#include "hvfuzz/prog.h"   /* enum prog_migrate_phase: the phases are part of the program format */

/*
 * The toolstack in monitor/migrate.c drives a migration of one domain in three steps, each a
 * program op (OP_MIGRATE, imm = enum prog_migrate_phase), so that a program runs other ops on the source
 * between them (docs/MIGRATION.md):
 *  begin   log-dirty mode on, round 0: every pfn of the domain into the stream;
 *  round   clean the bitmap and send the pfns it named (pre-copy);
 *  finish  pause, a last clean and send, the vCPUs; the oracle's image of the source; destroy
 *          the source, restore the stream into a new domain (the source's id when its slot is
 *          free again), compare the new domain with the image, unpause it.
 * Results: begin 0; round the pages sent; finish the new domain's id; or -errno (docs).
 */
#define MIG_MAX_ROUND 250U      /* rounds a migration may take; then only finish is accepted */

/* One pfn as the stream carries it (Xen's PAGE_DATA record with its XEN_DOMCTL_PFINFO type). */
struct mig_page {
    bool     present;       /* the pfn had a frame when last sent */
    bool     sent;          /* the stream holds its contents */
    bool     pinned;        /* LPINTAB */
    uint8_t  type;          /* PGT_none or a PT type (PGT_l1..PGT_l4) of a validated table */
    uint8_t  round;         /* the round that sent it last */
};

/* A vCPU as the stream carries it (vcpu_guest_context and the MSR records, by pfn). */
struct mig_vcpu {
    bool     up, initialised;
    uint64_t cr3_pfn, cr3u_pfn;     /* GFN_INVALID: none */
    struct pv_uregs uregs;
    struct pv_trap traps[PV_TRAP_VECTORS];
    struct vcpu_msrs msr;
    struct continuation cont;       /* Xen keeps it in the guest's registers: carried */
    uint64_t cr2, kernel_sp;
    uint16_t kernel_ss;
    uint8_t  upcall_mask;
    bool     fpu_ts;
    uint32_t iopl;
    /* vcpu_guest_context's and the extended context's callbacks, debug registers, LDT and GDT
       (the GDT's frames as pfns) */
    uint64_t cb[CALLBACKTYPE_NR];
    uint8_t  cb_mask;
    uint64_t dr[4], dr6, dr7;
    uint32_t dr7_emul;
    uint64_t ldt_base;
    uint32_t ldt_ents;
    uint32_t gdt_ents;
    uint64_t gdt_pfn[FIRST_RESERVED_GDT_PAGE];
};

/* The stream, plus the oracle's image of the source at the pause, in the same form. */
struct mig_image {
    uint32_t nr_pfns;                       /* pfns covered: the source's p2m_top */
    uint32_t max_pages, nr_vcpus;
    uint64_t vm_assist;
    struct cpuid_policy cpuid;
    struct mig_page page[HV_MAX_GFNS];
    struct mig_vcpu vcpu[HV_MAX_VCPUS];
    /* the oracle's image only: the source's vCPUs whole, so that state the stream's list
       (MIG_VCPU_COPY) leaves out shows up too (mig_oracle_compare) */
    struct vcpu raw[HV_MAX_VCPUS];
    uint8_t *data;                          /* HV_MAX_GFNS pages, PT entries canonical (pfns) */
};

struct mig_stream {
    struct mig_image s;                     /* what the toolstack sent */
    struct mig_image o;                     /* the oracle's image of the source at the pause */
    /* Pages of s sent by reference: most are never read (a migration seldom finishes), so a
       page copied as it is goes into s.data only before its frame's next write (mig_lazy_fill,
       from frame_mem_w_nolog, the choke point of every write) or before s.data is read
       (mig_stream_fill). One pfn per frame: lazy_mfn[pfn] is mfn + 1 (0: s.data holds the page),
       lazy_pfn[mfn] that pfn, and hv->mig_lazy (this bitmap) has the frame's bit. */
    uint32_t lazy_mfn[HV_MAX_GFNS];
    uint16_t lazy_pfn[HV_MAX_FRAMES];
    uint64_t lazy[HV_MAX_FRAMES / 64U];
};

/* A mismatch the oracle found: migrate:<what>, with the frame and the round. */
struct mig_report {
    bool found;
    char what[32];          /* memory, pagetable, pin, vcpu, domain, restore; LOGDIRTY when the
                               last clean found a change log-dirty mode missed (the
                               hypervisor's fault, reported as the audit's invariant) */
    char detail[400];
};

/* Run one phase on domain dom. Returns as above; *rep is filled when the oracle found one. */
long mig_op(struct hv *hv, domid_t dom, unsigned phase, struct mig_report *rep);
/* The stream's allocation, made by hv_create (so that a snapshot of the machine holds the
   pointer: untouched pages of it cost nothing) and freed by hv_destroy. 0 or -ENOMEM. */
int mig_alloc(struct hv *hv);
void mig_free(struct hv *hv);
/* Copy every page the stream holds by reference into s.data (before anything reads it). */
void mig_stream_fill(struct hv *hv);

/* The vCPU and domain state a stream carries, in both directions: get reads v (its base
   pointers given as pfns, which the save finds by the m2p and the oracle by the p2m), put writes
   all but the base pointers (the restore takes those with their refs). The domain's vCPU count
   and limit go to dom_create, not mig_dom_put. */
void mig_vcpu_get(struct mig_vcpu *sv, const struct vcpu *v, uint64_t cr3_pfn, uint64_t cr3u_pfn);
void mig_vcpu_put(struct vcpu *v, const struct mig_vcpu *sv);
void mig_dom_get(struct mig_image *img, const struct domain *d);
void mig_dom_put(struct domain *d, const struct mig_image *img);

/* monitor/migrate_oracle.c: the oracle's image of d (canonical by its p2m), and the comparison of
   a restored domain n with it; both 0, or the comparison fills rep. */
void mig_oracle_image(const struct hv *hv, const struct domain *d, struct mig_image *img);
void mig_oracle_compare(const struct hv *hv, const struct mig_image *img,
                        const struct mig_image *sent, const struct domain *n,
                        struct mig_report *rep);

#endif
