/* The structured random generator: random stream, resource choices, program assembly, scheduling. */
#include "gen/gen_internal.h"

const char *const gen_family_names[GEN_F_NR] = {
    [GEN_F_MMU_UPDATE] = "mmu_update",
    [GEN_F_UVA] = "update_va_mapping",
    [GEN_F_MMUEXT] = "mmuext_op",
    [GEN_F_MEMORY] = "memory_op",
    [GEN_F_GRANT] = "grant_table_op",
    [GEN_F_EVTCHN] = "event_channel_op",
    [GEN_F_MULTICALL] = "multicall",
    [GEN_F_VCPU] = "vcpu_op",
    [GEN_F_SCHED] = "sched_op",
    [GEN_F_DOMCTL] = "domctl",
    [GEN_F_MISC] = "misc",
    [GEN_F_GUEST] = "guest_access",
    [GEN_F_SCHEDULE] = "schedule",
    [GEN_F_EXIT] = "exit",
    [GEN_F_MIGRATE] = "migrate",
    [GEN_F_CODE] = "guest_code",
};

/*
 * Weights: the page-table and grant families carry most of the state a memory-safety bug needs,
 * so they dominate; the cheap query families stay present for coverage of their error paths.
 */
const struct gen_cfg gen_default_cfg = {
    .weight = {
        [GEN_F_MMU_UPDATE] = 16,
        [GEN_F_UVA] = 8,
        [GEN_F_MMUEXT] = 14,
        [GEN_F_MEMORY] = 8,
        [GEN_F_GRANT] = 16,
        [GEN_F_EVTCHN] = 8,
        [GEN_F_MULTICALL] = 4,
        [GEN_F_VCPU] = 3,
        [GEN_F_SCHED] = 2,
        [GEN_F_DOMCTL] = 3,
        [GEN_F_MISC] = 2,
        [GEN_F_GUEST] = 10,
        [GEN_F_SCHEDULE] = 6,
        [GEN_F_EXIT] = 14,
        [GEN_F_MIGRATE] = 1,
        /* counted only on targets that run code (gen_env.guest_code) */
        [GEN_F_CODE] = 16,
    },
    .nr_ops = 32,
    .shape = { .nr_frames = 256, .nr_domains = 3, .nr_vcpus = 2, .dom_pages = 64 },
};

const gen_family_fn gen_families[GEN_F_NR] = {
    [GEN_F_MMU_UPDATE] = gen_f_mmu_update,
    [GEN_F_UVA] = gen_f_uva,
    [GEN_F_MMUEXT] = gen_f_mmuext,
    [GEN_F_MEMORY] = gen_f_memory,
    [GEN_F_GRANT] = gen_f_grant,
    [GEN_F_EVTCHN] = gen_f_evtchn,
    [GEN_F_MULTICALL] = gen_f_multicall,
    [GEN_F_VCPU] = gen_f_vcpu,
    [GEN_F_SCHED] = gen_f_sched,
    [GEN_F_DOMCTL] = gen_f_domctl,
    [GEN_F_MISC] = gen_f_misc,
    [GEN_F_GUEST] = gen_f_guest,
    [GEN_F_SCHEDULE] = gen_f_schedule,
    [GEN_F_EXIT] = gen_f_exit,
    [GEN_F_MIGRATE] = gen_f_migrate,
    [GEN_F_CODE] = gen_f_code,
};

/* ---- random stream: xoroshiro128**, seeded through splitmix64 so any seed gives a good state ---- */

static uint64_t gen_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t gen_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gen_rand(struct gen *g)
{
    uint64_t s0 = g->rng[0], s1 = g->rng[1];
    uint64_t r = gen_rotl(s0 * 5, 7) * 9;

    s1 ^= s0;
    g->rng[0] = gen_rotl(s0, 24) ^ s1 ^ (s1 << 16);
    g->rng[1] = gen_rotl(s1, 37);
    return r;
}

void gen_reseed(struct gen *g, uint64_t seed, uint64_t index)
{
    uint64_t x = seed ^ gen_rotl(index * 0xD1342543DE82EF95ULL + 1, 17);

    g->rng[0] = gen_splitmix(&x);
    g->rng[1] = gen_splitmix(&x);
    if (!g->rng[0] && !g->rng[1])
        g->rng[1] = 1;
}

void gen_init(struct gen *g, const struct gen_cfg *cfg, uint64_t seed)
{
    memset(g, 0, sizeof(*g));
    g->cfg = cfg ? *cfg : gen_default_cfg;
    if (g->cfg.nr_ops == 0 || g->cfg.nr_ops > PROG_MAX_OPS)
        g->cfg.nr_ops = 32;
    if (g->cfg.shape.nr_domains == 0)
        g->cfg.shape = prog_default_shape;
    for (unsigned f = 0; f < GEN_F_NR; f++)
        if (f != GEN_F_CODE)
            g->total_weight += g->cfg.weight[f];
    if (!g->total_weight && !g->cfg.weight[GEN_F_CODE]) {
        g->cfg.weight[GEN_F_MMU_UPDATE] = 1;
        g->total_weight = 1;
    }
    gen_reseed(g, seed, 0);
}

/* ---- resource choices ----------------------------------------------------------------------------- */

unsigned gen_nr_doms(const struct gen *g)
{
    return g->cfg.shape.nr_domains;
}

unsigned gen_dom(struct gen *g, unsigned caller)
{
    if (gen_nr_doms(g) < 2 || gen_chance(g, 5, 8))
        return caller;
    return gen_other_dom(g, caller);
}

unsigned gen_other_dom(struct gen *g, unsigned caller)
{
    unsigned n = gen_nr_doms(g);

    if (n < 2)
        return caller;
    return (caller + 1 + gen_below(g, n - 1)) % n;
}

unsigned gen_first_data_gfn(const struct gen *g)
{
    return GEN_GFN_L1 + (g->cfg.shape.dom_pages + PTES_PER_TABLE - 1) / PTES_PER_TABLE;
}

static uint64_t gen_env_mfn(const struct gen *g, unsigned dom, unsigned gfn)
{
    unsigned i = gfn - gen_first_data_gfn(g);

    if (dom >= GEN_MAX_DOMS || gfn < gen_first_data_gfn(g) || i >= GEN_ENV_MFNS)
        return 0;
    return g->env.mfn[dom][i];
}

/*
 * Resolved arguments follow the p2m, so they can never name a frame the domain gave up; a
 * guest's own copy of the number can. Used for every frame-number field, this turns any release
 * followed by a use into a use of the released frame (the stale-reference class of bugs).
 */
struct prog_arg gen_mfn_arg(struct gen *g, unsigned dom, unsigned gfn)
{
    uint64_t m = gen_env_mfn(g, dom, gfn);

    if (m && gen_chance(g, 1, 4))
        return GEN_IMM(m);
    return GEN_MFN(dom, gfn);
}

struct prog_arg gen_pte_arg(struct gen *g, unsigned dom, unsigned gfn, uint64_t flags)
{
    uint64_t m = gen_env_mfn(g, dom, gfn);

    if (m && gen_chance(g, 1, 4))
        return GEN_IMM(((m << PAGE_SHIFT) & PTE_ADDR_MASK) | (flags & ~PTE_ADDR_MASK));
    return GEN_PTE(dom, gfn, flags);
}

/*
 * Index arithmetic toward a boundary: for an array at guest VA base, an element index whose
 * element lies at the start or end of Xen's range (the ABI publishes it in
 * XENVER_platform_parameters), in the non-canonical hole, or past the 2^64 wrap. A range check
 * made on the base alone, or on a sum that overflows, lets such an element through.
 */
uint64_t gen_index_toward(struct gen *g, uint64_t base, unsigned size)
{
    static const uint64_t edge[] = { XEN_VIRT_START, XEN_VIRT_END - 8, 0x0000800000000000ULL, 0 };
    uint64_t t = edge[gen_below(g, sizeof(edge) / sizeof(edge[0]))] + 8ULL * gen_below(g, 4);

    return size ? (t - base) / size : 0;
}

unsigned gen_data_gfn(struct gen *g)
{
    unsigned first = gen_first_data_gfn(g), pages = g->cfg.shape.dom_pages;
    unsigned hot = pages - first < 6 ? pages - first : 6;

    if (pages <= first)
        return 0;
    if (g->focus && gen_chance(g, 1, 2))
        return g->focus - 1U;
    if (gen_chance(g, 7, 8))
        return first + gen_below(g, hot);
    return first + gen_below(g, pages - first);
}

unsigned gen_pt_gfn(struct gen *g, unsigned level)
{
    unsigned nl1 = (g->cfg.shape.dom_pages + PTES_PER_TABLE - 1) / PTES_PER_TABLE;

    switch (level) {
    case 4: return GEN_GFN_L4;
    case 3: return GEN_GFN_L3;
    case 2: return GEN_GFN_L2;
    default: return GEN_GFN_L1 + gen_below(g, nl1);
    }
}

unsigned gen_any_gfn(struct gen *g)
{
    unsigned r = gen_below(g, 16);

    if (r < 4)
        return gen_pt_gfn(g, 1 + r);
    if (r < 14)
        return gen_data_gfn(g);
    return gen_below(g, g->cfg.shape.dom_pages);
}

uint64_t gen_free_va(struct gen *g)
{
    unsigned pages = g->cfg.shape.dom_pages;
    unsigned room = pages < PTES_PER_TABLE ? PTES_PER_TABLE - pages : 0;

    /* a few hot free slots: maps, accesses and unmaps meet on the same VA */
    if (!room)
        return GEN_VA(pages);
    return GEN_VA(pages + gen_below(g, room < 4 ? room : 4));
}

uint64_t gen_count(struct gen *g, uint64_t typical_max)
{
    static const uint64_t edge[] = {
        0, 0x7FFFFFFFULL, 0x80000000ULL, 0xFFFFFFFFULL, 0x100000000ULL, 0x8000000000000000ULL,
        0xFFFFFFFFFFFFFFFFULL, 0x3FFFFFFULL, 0x4000000ULL,
    };
    unsigned r = gen_below(g, 32);

    if (r < 22)
        return 1 + gen_below(g, typical_max ? (uint32_t)typical_max : 1);
    if (r < 26)
        return r & 1 ? typical_max : typical_max + 1;
    if (r < 28)
        return 0;
    return edge[gen_below(g, sizeof(edge) / sizeof(edge[0]))];
}

uint16_t gen_bad_domid(struct gen *g)
{
    static const uint16_t bad[] = { 7, 4, DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, 0xFFFF,
                                    DOMID_FIRST_RESERVED - 1 };

    return bad[gen_below(g, sizeof(bad) / sizeof(bad[0]))];
}

struct prog_arg gen_domid_arg(struct gen *g, unsigned caller)
{
    unsigned r = gen_below(g, 16);

    if (r < 7)
        return GEN_SELF();
    if (r < 9)
        return GEN_DOMID(caller);
    if (r < 15)
        return GEN_DOMID(gen_other_dom(g, caller));
    return GEN_IMM(gen_bad_domid(g));
}

uint64_t gen_bad_mfn(struct gen *g)
{
    static const uint64_t bad[] = { 0xFFFFFFFFFFFFFULL, 0xFFFFFFFFULL, ~0ULL, 1ULL << 40 };
    unsigned r = gen_below(g, 4);

    /* the last frames of the pool are usually free: valid numbers that nobody owns */
    if (r < 2)
        return (uint64_t)g->cfg.shape.nr_frames - 1 - gen_below(g, 4);
    if (r == 2)
        return g->cfg.shape.nr_frames + gen_below(g, 2);
    return bad[gen_below(g, sizeof(bad) / sizeof(bad[0]))];
}

uint64_t gen_pte_flags(struct gen *g, unsigned level)
{
    uint64_t f = _PAGE_PRESENT;

    if (gen_chance(g, 1, 12))
        f = 0;      /* a non-present entry: clears the slot */
    if (gen_chance(g, 1, 2))
        f |= _PAGE_RW;
    if (gen_chance(g, 3, 4))
        f |= _PAGE_USER;
    if (gen_chance(g, 1, 2))
        f |= _PAGE_ACCESSED;
    if (level == 1 && gen_chance(g, 1, 3))
        f |= _PAGE_DIRTY;
    if (gen_chance(g, 1, 6))
        f |= _PAGE_NX;
    if (gen_chance(g, 1, 8))
        f |= (uint64_t)gen_below(g, 8) << 9;   /* AVAIL: takes the fast path */
    if (gen_chance(g, 1, 10)) {
        /* a flag that is disallowed at this level (or only legal at L1) */
        static const uint64_t odd[] = { _PAGE_PSE, _PAGE_PWT, _PAGE_PCD, _PAGE_GLOBAL,
                                        _PAGE_GNTTAB, 1ULL << 52 };
        f |= odd[gen_below(g, sizeof(odd) / sizeof(odd[0]))];
    }
    return f;
}

struct prog_arg gen_pte_val(struct gen *g, unsigned caller, unsigned level)
{
    unsigned r = gen_below(g, 32);
    unsigned dom = gen_chance(g, 6, 7) ? caller : gen_other_dom(g, caller);
    uint64_t fl = gen_pte_flags(g, level);

    if (r < 2)
        return GEN_IMM(0);                                   /* clear the entry */
    if (r < 3)
        return GEN_IMM((gen_bad_mfn(g) << PAGE_SHIFT & PTE_ADDR_MASK) | fl);
    if (level == 1 && dom < GEN_MAX_DOMS && gen_chance(g, 1, 16)) {
        /* a frame the monitor shares with the guest (grant table, v2 status), mapped the way a
           PV guest maps them: by the number setup_table or get_status_frames gave it */
        uint64_t m = gen_chance(g, 1, 2) ? g->env.status_frame[dom] : g->env.gnt_frame[dom];
        if (m)
            return GEN_IMM(((m << PAGE_SHIFT) & PTE_ADDR_MASK) | fl);
    }
    if (level == 1) {
        /* data frames mostly; mapping a page-table frame (RW must fail) sometimes */
        if (r < 24)
            return gen_pte_arg(g, dom, gen_data_gfn(g), fl);
        return GEN_PTE(dom, gen_pt_gfn(g, 1 + gen_below(g, 4)), fl);
    }
    if (r < 14)
        return GEN_PTE(dom, gen_pt_gfn(g, level - 1), fl);  /* the builder's table below */
    if (r < 24)
        return gen_pte_arg(g, dom, gen_data_gfn(g), fl);    /* promote a data frame */
    /* linear page tables: a same-level table, itself included (read-only is the legal form) */
    if (gen_chance(g, 2, 3))
        fl &= ~_PAGE_RW;
    return GEN_PTE(dom, gen_pt_gfn(g, level), fl);
}

struct prog_arg gen_pt_slot(struct gen *g, unsigned dom, unsigned *level)
{
    unsigned lvl = 1 + gen_below(g, 4), idx;
    unsigned pages = g->cfg.shape.dom_pages;

    if (gen_chance(g, 1, 2))
        lvl = 1;    /* L1 entries are where mappings live */
    switch (lvl) {
    case 1:
        /* slots of data pages, of page-table pages (their RO mappings), and free ones */
        if (gen_chance(g, 5, 8))
            idx = gen_data_gfn(g);
        else if (gen_chance(g, 1, 2))
            idx = gen_below(g, 4);
        else
            idx = pages + gen_below(g, 4);
        break;
    case 2:
        idx = gen_chance(g, 1, 2) ? GEN_L2_SLOT : 1 + gen_below(g, 3);
        break;
    case 3:
        idx = gen_chance(g, 1, 2) ? GEN_L3_SLOT : gen_below(g, 4);
        break;
    default:
        idx = gen_chance(g, 1, 2) ? GEN_L4_SLOT : gen_below(g, 8);
        if (gen_chance(g, 1, 8))
            idx = XEN_L4_FIRST_SLOT + gen_below(g, XEN_L4_LAST_SLOT - XEN_L4_FIRST_SLOT + 2);
        break;
    }
    idx %= PTES_PER_TABLE;
    *level = lvl;
    return GEN_MADDR(dom, gen_pt_gfn(g, lvl), idx * 8U);
}

struct prog_arg gen_va(struct gen *g, unsigned caller)
{
    static const uint64_t odd[] = { XEN_VIRT_START, XEN_VIRT_END - 8, 0x0000800000000000ULL,
                                    0xFFFFFFFFFFFFF000ULL, 0, 0x1000 };
    unsigned r = gen_below(g, 32);
    uint32_t off = gen_chance(g, 7, 8) ? 8U * gen_below(g, 4) : gen_below(g, PAGE_SIZE);

    if (r < 18)
        return GEN_GVA(caller, gen_data_gfn(g), off);
    if (r < 22)
        return GEN_GVA(caller, gen_pt_gfn(g, 1 + gen_below(g, 4)), off);
    if (r < 29)
        return GEN_IMM(gen_free_va(g) + off);
    if (r < 30)
        return GEN_IMM(GEN_VA(g->cfg.shape.dom_pages - 1) + PAGE_SIZE - 4);  /* straddles the end */
    return GEN_IMM(odd[gen_below(g, sizeof(odd) / sizeof(odd[0]))]);
}

/* ---- hypercall construction --------------------------------------------------------------------- */

void gen_hc_start(struct gen_hc *h, struct gen *g, struct prog_op *op, unsigned dom, unsigned vcpu,
                  uint32_t nr)
{
    h->g = g;
    h->op = op;
    h->caller = dom;
    op->kind = OP_HYPERCALL;
    op->dom = (uint8_t)dom;
    op->vcpu = (uint8_t)vcpu;
    op->nr = nr;
}

void gen_hc_arg(struct gen_hc *h, unsigned i, struct prog_arg a)
{
    if (i >= PROG_MAX_ARGS)
        return;
    h->op->args[i] = a;
    if (h->op->nr_args < i + 1)
        h->op->nr_args = (uint8_t)(i + 1);
}

int gen_pl_alloc(struct gen_hc *h, unsigned len)
{
    unsigned off = (h->op->payload_len + 7U) & ~7U;

    if (off + len > PROG_MAX_PAYLOAD)
        return -1;
    memset(&h->op->payload[h->op->payload_len], 0, off + len - h->op->payload_len);
    h->op->payload_len = (uint16_t)(off + len);
    return (int)off;
}

void gen_pl_put(struct gen_hc *h, unsigned off, unsigned width, uint64_t v)
{
    if (off + width > h->op->payload_len)
        return;
    for (unsigned i = 0; i < width; i++)
        h->op->payload[off + i] = (uint8_t)(v >> (8 * i));
}

void gen_pl_fix(struct gen_hc *h, unsigned off, unsigned width, struct prog_arg a)
{
    struct prog_fixup *f;

    if (off + width > h->op->payload_len)
        return;
    if (a.kind == ARG_IMM) {
        gen_pl_put(h, off, width, a.imm);
        return;
    }
    if (h->op->nr_fixups >= PROG_MAX_FIXUPS) {
        gen_pl_put(h, off, width, 0);
        return;
    }
    f = &h->op->fixups[h->op->nr_fixups++];
    f->off = (uint16_t)off;
    f->width = (uint8_t)width;
    f->arg = a;
}

void gen_make_ro(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn)
{
    struct gen_hc h;
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_update_va_mapping);
    gen_hc_arg(&h, 0, GEN_GVA(dom, gfn, 0));
    gen_hc_arg(&h, 1, GEN_PTE(dom, gfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED));
    gen_hc_arg(&h, 2, GEN_IMM(UVMF_INVLPG));
}

/* ---- guest accesses and scheduling ------------------------------------------------------------- */

void gen_f_guest(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    static const uint8_t sizes[] = { 8, 8, 4, 2, 1 };
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return;
    op->kind = gen_chance(g, 1, 2) ? OP_GUEST_WRITE : OP_GUEST_READ;
    op->dom = (uint8_t)dom;
    op->vcpu = (uint8_t)vcpu;
    op->size = sizes[gen_below(g, sizeof(sizes))];
    op->nr_args = 1;
    op->args[0] = gen_va(g, dom);
}

static void gen_switch(struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return;
    op->kind = OP_SWITCH_VCPU;
    op->dom = (uint8_t)dom;
    op->vcpu = (uint8_t)vcpu;
}

static void gen_preempt(struct gen *g, struct prog *p, uint64_t pattern)
{
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return;
    op->kind = OP_PREEMPT;
    op->imm = pattern;
    g->preempting = pattern != 0;
}

/* Patterns: the n-th check only, every check, sparse bits, or off. */
static uint64_t gen_pattern(struct gen *g)
{
    switch (gen_below(g, 6)) {
    case 0: return 0;
    case 1: return ~0ULL;
    case 2: return 1ULL << gen_below(g, 8);
    case 3: return 0x5555555555555555ULL << gen_below(g, 2);
    case 4: return (gen_rand(g) & gen_rand(g)) | 1ULL << gen_below(g, 64);
    default: return 1ULL << gen_below(g, 64);
    }
}

/*
 * Scheduling: set a preemption pattern, resume a vCPU that may hold a continuation, or bring
 * another vCPU into play. The continuation is re-issued by OP_SWITCH_VCPU, possibly much later
 * and after other vCPUs changed the state it depends on.
 */
void gen_f_schedule(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned r = gen_below(g, 8);

    if (r < 3) {
        gen_preempt(g, p, gen_pattern(g));
        return;
    }
    if (r < 6) {
        /* resume a vCPU that probably has work pending, else the given one */
        for (unsigned d = 0; d < gen_nr_doms(g); d++)
            for (unsigned v = 0; v < g->cfg.shape.nr_vcpus; v++)
                if (g->maybe_pending[d][v] && gen_chance(g, 3, 4)) {
                    g->maybe_pending[d][v] = 0;
                    gen_switch(p, d, v);
                    return;
                }
    }
    gen_switch(p, dom, vcpu);
}

/* ---- program assembly --------------------------------------------------------------------------- */

/* GEN_F_CODE is last and weighs only when the target runs code: without it the draw is the one
   the generator made before the family existed. */
static unsigned gen_pick_family(struct gen *g)
{
    uint32_t code = g->env.guest_code ? g->cfg.weight[GEN_F_CODE] : 0;
    uint32_t r = gen_below(g, g->total_weight + code);

    for (unsigned f = 0; f < GEN_F_NR; f++) {
        uint32_t w = f == GEN_F_CODE ? code : g->cfg.weight[f];
        if (r < w)
            return f;
        r -= w;
    }
    return GEN_F_MMU_UPDATE;
}

/* Mostly vCPU 0 (up after the build); other vCPUs once they were probably brought up. */
static unsigned gen_pick_vcpu(struct gen *g, unsigned dom)
{
    unsigned n = g->cfg.shape.nr_vcpus;
    unsigned v = n > 1 ? gen_below(g, n) : 0;

    if (v && !g->vcpu_up[dom][v] && gen_chance(g, 3, 4))
        return 0;
    return v;
}

void gen_bring_up(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned target)
{
    struct prog_op *op;
    struct gen_hc h;

    if (dom >= GEN_MAX_DOMS || target >= GEN_MAX_VCPUS || target >= g->cfg.shape.nr_vcpus ||
        g->vcpu_up[dom][target] || !(op = gen_new_op(p)))
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_vcpu_op);
    gen_hc_arg(&h, 0, GEN_IMM(VCPUOP_up));
    gen_hc_arg(&h, 1, GEN_VCPUID(target));
    g->vcpu_up[dom][target] = 1;
}

/* The user page table a return to user mode needs (without one iret crashes the domain): the
   domain's L4, as a 64-bit PV kernel sets it before its first return to user mode. */
void gen_user_table(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    struct prog_op *op;
    struct gen_hc h;
    int rec;

    if (dom >= GEN_MAX_DOMS || vcpu >= GEN_MAX_VCPUS || g->user_table[dom][vcpu] ||
        !(op = gen_new_op(p)))
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmuext_op);
    rec = gen_pl_alloc(&h, sizeof(struct mmuext_op));
    if (rec < 0)
        return;
    gen_pl_put(&h, (unsigned)rec, 4, MMUEXT_NEW_USER_BASEPTR);
    gen_pl_fix(&h, (unsigned)rec + 8, 8, GEN_MFN(dom, GEN_GFN_L4));
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)rec));
    gen_hc_arg(&h, 1, GEN_IMM(1));
    gen_hc_arg(&h, 3, GEN_SELF());
    g->user_table[dom][vcpu] = 1;
}

/* A guest access to gfn's own VA from (dom, vcpu): a write fills a writable TLB entry. */
static void gen_touch(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn,
                      bool write)
{
    struct prog_op *op = gen_new_op(p);

    if (!op)
        return;
    op->kind = write ? OP_GUEST_WRITE : OP_GUEST_READ;
    op->dom = (uint8_t)dom;
    op->vcpu = (uint8_t)vcpu;
    op->size = 8;
    op->nr_args = 1;
    op->args[0] = GEN_GVA(dom, gfn, 8U * gen_below(g, 4));
}

/*
 * TLBs are state the hypercall interface never names: before a group that may change
 * translations or frame types, every vCPU of the domain that is probably up touches a hot frame
 * (mostly writing, so the entries are writable), and afterwards one of them touches it again.
 * A change that forgets a flush, or filters it by a stale timestamp, then leaves an access that
 * goes through the old translation, which the audit and the isolation oracle see.
 */
static void gen_warm_tlbs(struct gen *g, struct prog *p, unsigned dom, unsigned gfn)
{
    unsigned nv = g->cfg.shape.nr_vcpus;

    /* a stale entry needs a second vCPU: bring one up when the program has none yet */
    if (nv > 1 && gen_chance(g, 1, 2))
        gen_bring_up(g, p, dom, 0, 1);
    for (unsigned v = 0; v < g->cfg.shape.nr_vcpus && v < GEN_MAX_VCPUS; v++)
        if (g->vcpu_up[dom][v])
            gen_touch(g, p, dom, v, gfn, gen_chance(g, 3, 4));
}

/* One mmuext op (cmd, mfn of gfn) from (dom, vcpu). */
static void gen_mmuext1(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, uint32_t cmd,
                        unsigned gfn)
{
    struct prog_op *op = gen_new_op(p);
    struct gen_hc h;
    int rec;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmuext_op);
    rec = gen_pl_alloc(&h, sizeof(struct mmuext_op));
    if (rec < 0)
        return;
    gen_pl_put(&h, (unsigned)rec, 4, cmd);
    gen_pl_fix(&h, (unsigned)rec + 8, 8, gen_mfn_arg(g, dom, gfn));
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)rec));
    gen_hc_arg(&h, 1, GEN_IMM(1));
    gen_hc_arg(&h, 2, GEN_IMM(0));
    gen_hc_arg(&h, 3, GEN_SELF());
}

/* gfn's own mapping, writable or not, flushed locally or not at all (update_va_mapping). */
static void gen_remap(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn,
                      bool rw)
{
    struct prog_op *op = gen_new_op(p);
    struct gen_hc h;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_update_va_mapping);
    gen_hc_arg(&h, 0, GEN_GVA(dom, gfn, 0));
    gen_hc_arg(&h, 1, GEN_PTE(dom, gfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
                                        (rw ? _PAGE_RW | _PAGE_DIRTY : 0)));
    gen_hc_arg(&h, 2, GEN_IMM(gen_chance(g, 3, 4) ? UVMF_INVLPG : UVMF_NONE));
}

void gen_remap_rw(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn)
{
    gen_remap(g, p, dom, vcpu, gfn, true);
}

void gen_pin_l1(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu, unsigned gfn)
{
    gen_mmuext1(g, p, dom, vcpu, MMUEXT_PIN_L1_TABLE, gfn);
}

/*
 * The PV typing cycle of one frame, two or three rounds: writable and written from every vCPU,
 * taken read-only (a local flush at most), pinned as a page table, touched again, unpinned.
 * Each round's type change meets the translations and type history the round before left
 * (the A-B-A of a frame's type), which is where type-reference and flush-filtering bugs live.
 */
static void gen_type_cycle(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned gfn = gen_data_gfn(g), rounds = 2 + gen_below(g, 2);
    uint32_t pin = gen_chance(g, 3, 4) ? MMUEXT_PIN_L1_TABLE
                                       : MMUEXT_PIN_L1_TABLE + gen_below(g, 4);

    gen_warm_tlbs(g, p, dom, gfn);
    for (unsigned r = 0; r < rounds; r++) {
        if (r)
            gen_remap(g, p, dom, vcpu, gfn, true);
        for (unsigned v = 0; v < g->cfg.shape.nr_vcpus && v < GEN_MAX_VCPUS; v++)
            if (g->vcpu_up[dom][v] && gen_chance(g, 3, 4))
                gen_touch(g, p, dom, v, gfn, true);
        gen_remap(g, p, dom, vcpu, gfn, false);
        gen_mmuext1(g, p, dom, vcpu, pin, gfn);
        gen_touch(g, p, dom, gen_pick_vcpu(g, dom), gfn, gen_chance(g, 3, 4));
        if (r + 1 < rounds || gen_chance(g, 1, 2))
            gen_mmuext1(g, p, dom, vcpu, MMUEXT_UNPIN_TABLE, gfn);
    }
}

/*
 * A race, as a single-threaded model can have one: the group starts under a preemption pattern
 * that stops it after its first units of work (leaving a continuation on its vCPU), its twin runs
 * whole on another vCPU of the domain, then the first vCPU resumes. Two vCPUs releasing or
 * changing the same thing, one of them midway, is the interleaving real races need.
 */
static void gen_race_start(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu,
                           unsigned twin)
{
    gen_bring_up(g, p, dom, vcpu, twin);
    gen_preempt(g, p, 1ULL << gen_below(g, 4));
}

/* One mmu_update request (ptr, val) from (dom, vcpu). */
static void gen_mmu1(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu,
                     struct prog_arg ptr, struct prog_arg val)
{
    struct prog_op *op = gen_new_op(p);
    struct gen_hc h;
    int rec;

    if (!op)
        return;
    gen_hc_start(&h, g, op, dom, vcpu, HYPERVISOR_mmu_update);
    rec = gen_pl_alloc(&h, 16);
    if (rec < 0)
        return;
    gen_pl_fix(&h, (unsigned)rec, 8, ptr);
    gen_pl_fix(&h, (unsigned)rec + 8, 8, val);
    gen_hc_arg(&h, 0, GEN_PAYLOAD((uint32_t)rec));
    gen_hc_arg(&h, 1, GEN_IMM(1));
    gen_hc_arg(&h, 2, GEN_IMM(0));
    gen_hc_arg(&h, 3, GEN_SELF());
}

/*
 * Chains of same-level tables: two hot frames made read-only and pinned at one level, then
 * read-only entries from one to the next, from the second back or on to the builder's table,
 * and from the builder's table to the first. Single linear entries only ever test depth one;
 * bounds on depth, cycles and the order of teardown need a chain.
 */
static void gen_linear_chain(struct gen *g, struct prog *p, unsigned dom, unsigned vcpu)
{
    unsigned lvl = gen_chance(g, 3, 4) ? 2 : 2 + gen_below(g, 3);
    unsigned a = gen_data_gfn(g), b = gen_data_gfn(g), c;
    const uint64_t ro = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

    if (a == b)
        b = a + 1 < g->cfg.shape.dom_pages ? a + 1 : a - 1;
    c = gen_chance(g, 1, 2) ? gen_pt_gfn(g, lvl) : a;
    gen_make_ro(g, p, dom, vcpu, a);
    gen_make_ro(g, p, dom, vcpu, b);
    gen_mmuext1(g, p, dom, vcpu, MMUEXT_PIN_L1_TABLE + lvl - 1U, a);
    gen_mmuext1(g, p, dom, vcpu, MMUEXT_PIN_L1_TABLE + lvl - 1U, b);
    gen_mmu1(g, p, dom, vcpu, GEN_MADDR(dom, a, 8U * gen_below(g, 8)), GEN_PTE(dom, b, ro));
    gen_mmu1(g, p, dom, vcpu, GEN_MADDR(dom, b, 8U * gen_below(g, 8)), GEN_PTE(dom, c, ro));
    if (gen_chance(g, 1, 2))
        gen_mmu1(g, p, dom, vcpu, GEN_MADDR(dom, gen_pt_gfn(g, lvl), 8U * (8 + gen_below(g, 8))),
                 GEN_PTE(dom, a, ro));
    if (gen_chance(g, 1, 2))
        gen_mmuext1(g, p, dom, vcpu, MMUEXT_UNPIN_TABLE, gen_chance(g, 1, 2) ? a : b);
}

/*
 * Do it again: the group just made, once more, from the same vCPU or from another vCPU of the
 * same domain that is probably up. A release that runs twice, a type change repeated on the
 * state the first one left, and a request racing its twin on a second vCPU are where
 * reference-counting bugs show; independent picks almost never line two of them up.
 */
static void gen_repeat(struct gen *g, struct prog *p, uint32_t from, uint32_t to, int force)
{
    uint32_t n = to - from;
    unsigned dom, vcpu, other;

    if (!n || p->nr_ops + n > PROG_MAX_OPS)
        return;
    dom = p->ops[from].dom;
    vcpu = p->ops[from].vcpu;
    other = g->cfg.shape.nr_vcpus > 1 ? (vcpu + 1 + gen_below(g, g->cfg.shape.nr_vcpus - 1)) %
                                            g->cfg.shape.nr_vcpus : vcpu;
    if (dom >= GEN_MAX_DOMS || other >= GEN_MAX_VCPUS || !g->vcpu_up[dom][other] ||
        gen_chance(g, 1, 2))
        other = vcpu;
    if (force >= 0)
        other = (unsigned)force;
    for (uint32_t i = 0; i < n; i++) {
        struct prog_op *op = &p->ops[p->nr_ops];
        const struct prog_op *src = &p->ops[from + i];
        /* only the used part of the payload: a whole op is mostly unused payload */
        memcpy(op, src, offsetof(struct prog_op, payload));
        memcpy(op->payload, src->payload, src->payload_len);
        memcpy(op->fixups, src->fixups, src->nr_fixups * sizeof(src->fixups[0]));
        if (op->dom == dom && op->vcpu == vcpu && op->kind != OP_PREEMPT &&
            op->kind != OP_MIGRATE)
            op->vcpu = (uint8_t)other;
        p->nr_ops++;
    }
}

void gen_append(struct gen *g, struct prog *p)
{
    unsigned fam = gen_pick_family(g);
    unsigned dom = gen_below(g, gen_nr_doms(g));
    unsigned vcpu = gen_pick_vcpu(g, dom);
    uint32_t before = p->nr_ops;

    /* dom0 is privileged: domctl and foreign page-table work mostly come from it */
    if ((fam == GEN_F_DOMCTL || fam == GEN_F_MEMORY) && gen_chance(g, 1, 2))
        dom = 0;
    /*
     * A frame becomes a page table only without writable mappings (the PV typing rule): before a
     * page-table family, now and then take a hot data frame's own mapping read-only and keep that
     * frame in focus, so that pins, promotions and linear entries reach it.
     */
    g->focus = 0;
    bool pt_fam = fam == GEN_F_MMU_UPDATE || fam == GEN_F_MMUEXT || fam == GEN_F_UVA ||
                  fam == GEN_F_GRANT;
    unsigned warm = pt_fam && gen_chance(g, 1, 4) ? gen_data_gfn(g) + 1U : 0;
    if (warm)
        gen_warm_tlbs(g, p, dom, warm - 1U);
    if ((fam == GEN_F_MMU_UPDATE || fam == GEN_F_MMUEXT) && gen_chance(g, 1, 4)) {
        unsigned gfn = warm ? warm - 1U : gen_data_gfn(g);
        gen_make_ro(g, p, dom, vcpu, gfn);
        g->focus = (uint16_t)(gfn + 1);
    }
    unsigned nv = g->cfg.shape.nr_vcpus, twin = nv > 1 ? (vcpu + 1) % nv : vcpu;
    bool race = twin != vcpu && fam != GEN_F_SCHEDULE && fam != GEN_F_MIGRATE &&
                gen_chance(g, 1, 16);
    uint32_t start;
    if (race)
        gen_race_start(g, p, dom, vcpu, twin);
    start = p->nr_ops;
    if (fam == GEN_F_MMUEXT && gen_chance(g, 1, 8))
        gen_type_cycle(g, p, dom, vcpu);
    else if (fam == GEN_F_MMU_UPDATE && gen_chance(g, 1, 8))
        gen_linear_chain(g, p, dom, vcpu);
    else
        gen_families[fam](g, p, dom, vcpu);
    g->focus = 0;
    if (race) {
        uint32_t end = p->nr_ops;
        gen_preempt(g, p, 0);
        gen_repeat(g, p, start, end, (int)twin);
        gen_switch(p, dom, vcpu);
    }
    if (warm && gen_chance(g, 1, 2))
        gen_touch(g, p, dom, gen_pick_vcpu(g, dom), warm - 1U, true);
    if (fam != GEN_F_SCHEDULE && fam != GEN_F_MIGRATE && gen_chance(g, 1, 8))
        gen_repeat(g, p, before, p->nr_ops, -1);
    /* boundary values and resource owners, one field at a time, from the census table; backwards,
       so ops inserted before one do not move those still to visit */
    for (uint32_t i = p->nr_ops; i-- > before;)
        if ((p->ops[i].kind == OP_HYPERCALL || p->ops[i].kind == OP_EXIT) && gen_chance(g, 1, 8))
            gen_corner(g, p, i);
    if (g->preempting)
        for (uint32_t i = before; i < p->nr_ops; i++)
            if (p->ops[i].kind == OP_HYPERCALL || p->ops[i].kind == OP_GUEST_CODE)
                g->maybe_pending[p->ops[i].dom][p->ops[i].vcpu] = 1;
}

void gen_program(struct gen *g, struct prog *p)
{
    p->version = PROG_VERSION;
    p->shape = g->cfg.shape;
    p->nr_ops = 0;
    memset(g->vcpu_up, 0, sizeof(g->vcpu_up));
    memset(g->maybe_pending, 0, sizeof(g->maybe_pending));
    memset(g->user_table, 0, sizeof(g->user_table));
    for (unsigned d = 0; d < GEN_MAX_DOMS; d++)
        g->vcpu_up[d][0] = 1;
    g->preempting = false;
    g->mig_dom = 0;
    while (p->nr_ops < g->cfg.nr_ops)
        gen_append(g, p);
    if (p->nr_ops > g->cfg.nr_ops)
        p->nr_ops = g->cfg.nr_ops;
}
