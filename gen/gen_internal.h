/* Generator internals: argument constructors, payload builders, resource pickers, family templates. */
#ifndef HVFUZZ_GEN_INTERNAL_H
#define HVFUZZ_GEN_INTERNAL_H

#include <stddef.h>
#include <string.h>
#include "hvfuzz/gen.h"
#include "hvfuzz/xen.h"

/* The domain builder's layout (monitor.h DOM_GFN_*, DOM_VA): the same for every target. */
#define GEN_GFN_L4 0U
#define GEN_GFN_L3 1U
#define GEN_GFN_L2 2U
#define GEN_GFN_L1 3U
#define GEN_VA_BASE 0x40000000ULL
#define GEN_VA(gfn) (GEN_VA_BASE + ((uint64_t)(gfn) << PAGE_SHIFT))
/* Slots of the builder's tables that map GEN_VA_BASE: L4[0] -> L3[1] -> L2[0] -> L1[gfn]. */
#define GEN_L4_SLOT 0U
#define GEN_L3_SLOT 1U
#define GEN_L2_SLOT 0U

static inline bool gen_chance(struct gen *g, unsigned num, unsigned den)
{
    return gen_below(g, den) < num;
}

/* ---- arguments -------------------------------------------------------------------------------- */

static inline struct prog_arg gen_a(uint8_t kind, unsigned dom, unsigned a, uint32_t b, uint64_t imm)
{
    struct prog_arg r;

    memset(&r, 0, sizeof(r));
    r.kind = kind;
    r.dom = (uint8_t)dom;
    r.a = (uint16_t)a;
    r.b = b;
    r.imm = imm;
    return r;
}
#define GEN_IMM(v)          gen_a(ARG_IMM, 0, 0, 0, (v))
#define GEN_SELF()          gen_a(ARG_DOMID, 0, 1, 0, 0)
#define GEN_DOMID(d)        gen_a(ARG_DOMID, (d), 0, 0, 0)
#define GEN_MFN(d, gfn)     gen_a(ARG_MFN, (d), (gfn), 0, 0)
#define GEN_GFN(d, gfn)     gen_a(ARG_GFN, (d), (gfn), 0, 0)
#define GEN_MADDR(d, gfn, off) gen_a(ARG_MADDR, (d), (gfn), (off), 0)
#define GEN_GVA(d, gfn, off)   gen_a(ARG_GVA, (d), (gfn), (off), 0)
#define GEN_PTE(d, gfn, fl)    gen_a(ARG_PTE, (d), (gfn), 0, (fl) & ~PTE_ADDR_MASK)
#define GEN_PAYLOAD(off)    gen_a(ARG_PAYLOAD, 0, 0, (off), 0)
#define GEN_GREF(d, r)      gen_a(ARG_GREF, (d), (r), 0, 0)
#define GEN_PORT(d, i)      gen_a(ARG_PORT, (d), (i), 0, 0)
#define GEN_HANDLE(d, i)    gen_a(ARG_HANDLE, (d), (i), 0, 0)
#define GEN_VCPUID(i)       gen_a(ARG_VCPUID, 0, (i), 0, 0)

/* ---- one hypercall under construction -------------------------------------------------------- */

struct gen_hc {
    struct gen  *g;
    struct prog_op *op;
    unsigned     caller;      /* op->dom */
};

/* Start a hypercall op from (dom, vcpu) with nargs arguments (set with gen_hc_arg). */
void gen_hc_start(struct gen_hc *h, struct gen *g, struct prog_op *op, unsigned dom, unsigned vcpu,
                  uint32_t nr);
void gen_hc_arg(struct gen_hc *h, unsigned i, struct prog_arg a);
/* Reserve len bytes of payload aligned to 8; returns the offset or -1 if it does not fit. */
int  gen_pl_alloc(struct gen_hc *h, unsigned len);
void gen_pl_put(struct gen_hc *h, unsigned off, unsigned width, uint64_t v);
/* A payload field the target fills with a resolved resource; a raw fallback when fixups run out. */
void gen_pl_fix(struct gen_hc *h, unsigned off, unsigned width, struct prog_arg a);
/* gen_grant.c: copy the payload page onto dom's grant frame (mmuext COPY_PAGE record and args). */
bool gen_grant_copy_onto_frame(struct gen *g, struct gen_hc *h, unsigned dom);

/* ---- resource choices ------------------------------------------------------------------------ */

unsigned gen_nr_doms(const struct gen *g);
/* Own domain mostly, else another one (the own-vs-foreign axis of every resource). */
unsigned gen_dom(struct gen *g, unsigned caller);
unsigned gen_other_dom(struct gen *g, unsigned caller);
/* The first gfn after the builder's page tables (the data pages start there). */
unsigned gen_first_data_gfn(const struct gen *g);
/* A frame number / PTE value naming gfn of dom: resolved when the op runs (it follows the p2m)
   mostly, now and then the raw number the guest learned at the start (gen_probe), which goes
   stale once the frame is freed, exchanged or transferred. */
struct prog_arg gen_mfn_arg(struct gen *g, unsigned dom, unsigned gfn);
struct prog_arg gen_pte_arg(struct gen *g, unsigned dom, unsigned gfn, uint64_t flags);
/* An element index that puts base + index * size on an address-space boundary. */
uint64_t gen_index_toward(struct gen *g, uint64_t base, unsigned size);
/* VCPUOP_up of target from (dom, vcpu) unless the program probably brought it up already. */
struct prog;
void gen_bring_up(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned target);
void gen_user_table(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
/* A data gfn from a small hot set (so operations meet on the same frames), sometimes any gfn. */
unsigned gen_data_gfn(struct gen *g);
/* A page-table gfn of the given level (1..4) as the builder laid them out. */
unsigned gen_pt_gfn(struct gen *g, unsigned level);
/* Any gfn: page tables, hot data, anything. */
unsigned gen_any_gfn(struct gen *g);
/* A VA in the caller's L1 range beyond its built memory (free slots: where grant maps go). */
uint64_t gen_free_va(struct gen *g);
/* Boundary-biased counts: 0, 1, 2, small, limits around max, sign and flag bits. */
uint64_t gen_count(struct gen *g, uint64_t typical_max);
/* A domid argument: self, own id, another domain, or an invalid/special id. */
struct prog_arg gen_domid_arg(struct gen *g, unsigned caller);
uint16_t gen_bad_domid(struct gen *g);
/* A value that names no valid resource of its kind (for the invalid side of every choice). */
uint64_t gen_bad_mfn(struct gen *g);
/* PTE flags for an entry at the given level: legal mostly, sometimes a disallowed bit. */
uint64_t gen_pte_flags(struct gen *g, unsigned level);
/* The new value of an entry at level: a table of level-1 (or a linear same-level one), a data
   frame (L1), own or foreign, or an empty entry. */
struct prog_arg gen_pte_val(struct gen *g, unsigned caller, unsigned level);
/* A slot (machine address) in one of dom's page tables: the mapped slots mostly. *level out. */
struct prog_arg gen_pt_slot(struct gen *g, unsigned dom, unsigned *level);
/* Map gfn of dom read-only at its own VA (update_va_mapping): the precondition of typing it as a
   page table. */
void gen_make_ro(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn);
/* A VA: own data, page-table VA, free slot VA, Xen's range, non-canonical. */
struct prog_arg gen_va(struct gen *g, unsigned caller);
/* gen_pv_regs.c: an address at a boundary of the ranges PV pointers are checked against */
struct prog_arg gen_range_va(struct gen *g);

/* ---- family templates (each builds one or more ops at the end of p) --------------------------- */

typedef void (*gen_family_fn)(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_mmu_update(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_uva(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_mmuext(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_memory(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_grant(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_evtchn(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_multicall(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_vcpu(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_sched(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_domctl(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_misc(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
/* gen_pv_regs.c: one of callback_op, set_callbacks, nmi_op, set/get_debugreg, physdev_op (gen_f_misc) */
void gen_pv_regs(struct gen *g, struct gen_hc *h, unsigned dom, unsigned vcpu);
void gen_f_guest(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_schedule(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_migrate(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);   /* gen_migrate.c */
void gen_f_exit(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_f_code(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
/* The families by enum gen_family (gen.c): the code family runs the others' templates. */
extern const gen_family_fn gen_families[GEN_F_NR];
/* gen_exit.c: one exit group whose reason an instruction raises (CPUID, MSRs, port I/O, HLT). */
void gen_exit_insn(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);

/* ---- guest code (gen_code.c) --------------------------------------------------------------------- */

/* Where a load, store or fetch of guest code goes. */
enum gen_code_target {
    GEN_CT_OWN = 0,     /* an own data page (present, writable) */
    GEN_CT_PT,          /* an own page-table page (read-only) */
    GEN_CT_CODE,        /* the code's own page (the payload page) */
    GEN_CT_FOREIGN,     /* another domain's frame by machine address (absent) */
    GEN_CT_UNMAPPED,    /* a VA nothing maps (free L1 slots, where grant maps go; low memory) */
    GEN_CT_XEN,         /* the hypervisor's range */
    GEN_CT_NONCANON,    /* the non-canonical hole */
    GEN_CT_REMAP,       /* a page an earlier op of the program (or the code) just remapped */
    GEN_CT_NR
};
/* The class of an access at resolved arg a, by address alone (REMAP needs the program). */
unsigned gen_code_classify(const struct prog_shape *s, unsigned caller, const struct prog_arg *a);
/* A code op of one access: class, direction (0 load, 1 store, 2 fetch), size (tests). */
void gen_code_access_op(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned cls,
                        unsigned dir, unsigned size);
/* For the mutators: an address of a random class for an access of size bytes (no ops added),
   and one piece on its own (false if the piece needs data or ops around it). */
struct gen_asm;
struct prog_arg gen_code_new_target(struct gen *g, struct prog *p, unsigned dom, unsigned size,
                                    unsigned *cls);
bool gen_code_new_piece(struct gen *g, struct prog *p, unsigned dom, struct gen_asm *out);

/* Bodies of single ops, shared by the families and the multicall builder: fill one record of
   the structure at off in h's payload. */
/* gfn's own mapping made writable again (update_va_mapping); gfn pinned as an L1 table. */
void gen_remap_rw(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn);
void gen_pin_l1(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn);
/* gen_grant.c: a page transfer's life for gfn of dom (receiver's entry, maybe a release, the
   transfer). */
void gen_transfer_gfn(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn);
/* gen_desc.c: descriptor-table ops (docs of each there). */
uint64_t gen_desc_value(struct gen *g);
void gen_desc_set_gdt(struct gen_hc *h, unsigned gfn);
void gen_desc_update(struct gen_hc *h, unsigned gfn);
void gen_desc_ldt(struct gen *g, struct prog_arg *base, struct prog_arg *ents);
void gen_desc_life(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu);
void gen_desc_op(struct gen_hc *h, unsigned nr);
void gen_mmu_req(struct gen_hc *h, unsigned off);
void gen_mmuext_rec(struct gen_hc *h, unsigned off);

/* Now and then, one field of op idx set to a value of one of its census classes (gen_corner.c);
   ops a class needs first (a grant, a release, a mapping) are inserted before it. */
void gen_corner(struct gen *g, struct prog *p, uint32_t idx);

/* The next op slot of p, or NULL when the program is full. */
static inline struct prog_op *gen_new_op(struct prog *p)
{
    struct prog_op *op;

    if (p->nr_ops >= PROG_MAX_OPS)
        return NULL;
    op = &p->ops[p->nr_ops++];
    /* not the payload and fixups (1 KiB): gen_pl_alloc zeroes what it hands out, fixups are
       written whole, and nothing past payload_len or nr_fixups has meaning */
    memset(op, 0, offsetof(struct prog_op, payload));
    return op;
}

#endif
