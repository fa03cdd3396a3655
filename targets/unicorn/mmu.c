/* The unicorn target's shadow MMU: guest pages aliased onto the frame pool as the monitor's TLB has them. */
#include <stdlib.h>
#include <string.h>

#include "targets/unicorn/uni.h"

/*
 * The rule (docs/TARGETS.md): the emulated CPU's TLB is the monitor's. An alias is on exactly
 * for an entry of the running vCPU's TLB in the monitor, names the same frame and grants no more
 * than the entry does. A miss goes to guest_translate, as the native target's accesses do, so
 * what the model keeps stale (a PTE changed without a flush) the CPU sees stale too, and what
 * the model drops (a TLB flush, a base-pointer change, an eviction, a reset) the CPU loses:
 * uni_mmu_sync runs after everything that can change the TLB. Switching an alias's read and
 * execute permission drops Unicorn's own TLB entry for the page.
 *
 * Stores: every alias is writable to Unicorn, and the write hook (uni_mmu_write), which runs
 * before a store lands, lets it through only where the monitor's TLB grants the write; it also
 * marks the frame written (frame_mem_w), so the native reset, which copies back the frames
 * marked, stays exact. A store the monitor refuses lands and is undone when the run stops
 * (the run ends there: a fault).
 */

static void uni_ilog_save(struct uni *u, uint64_t addr, unsigned len);
static void uni_mmu_store(struct uni *u, uint64_t addr, unsigned len);

void uni_mmu_init(struct uni *u)
{
    memset(u->slot, -1, sizeof(u->slot));
    u->remap = u->fill = u->uncode = u->smc = UNI_NO_PAGE;
}

/*
 * What Unicorn may do through an alias. Write and execute never go together: a store to a page
 * Unicorn has translated code from takes 2.0.1's self-modifying-code path, which loses the
 * hooks (a store then lands unchecked, in whatever frame the alias last named). So a data alias
 * is write (off) or read+write (on), and a code alias none (off) or read+execute (on); a fetch
 * from a data alias or a store to a code alias stops the run and converts it outside (a
 * write-permission change, ~14 us, once per conversion).
 */
static uint32_t uni_alias_on_prot(const struct uni_alias *a, const struct tlb_entry *e)
{
    if (!a->code)
        return UC_PROT_READ | UC_PROT_WRITE;
    return UC_PROT_READ | ((e->flags & _PAGE_NX) ? 0U : UC_PROT_EXEC);
}

static uint32_t uni_alias_off_prot(const struct uni_alias *a)
{
    return a->code ? UC_PROT_NONE : UC_PROT_WRITE;
}

/*
 * Unicorn finds a translated block by its virtual address first and does not look at the page
 * again, so a page that stops being executable (off, or NX) must lose its blocks, dropped while
 * it still translates: the next fetch then comes to the monitor.
 */
static void uni_alias_prot(struct uni *u, struct uni_alias *a, uint32_t prot)
{
    if (a->code && (a->prot & UC_PROT_EXEC) && !(prot & UC_PROT_EXEC))
        uc_ctl_remove_cache(u->uc, a->va, a->va + PAGE_SIZE);
    if (a->prot != prot)
        uc_mem_protect(u->uc, a->va, PAGE_SIZE, prot);
    a->prot = prot;
    a->on = (prot & UC_PROT_READ) != 0;
}

static void uni_alias_off(struct uni *u, struct uni_alias *a)
{
    uni_alias_prot(u, a, uni_alias_off_prot(a));
}

void uni_mmu_off(struct uni *u)
{
    for (unsigned i = 0; i < HV_TLB_ENTRIES; i++) {
        if (u->slot[i] >= 0)
            uni_alias_off(u, &u->alias[u->slot[i]]);
        u->slot[i] = -1;
    }
    u->alias_v = NULL;
}

void uni_mmu_free(struct uni *u)
{
    for (unsigned i = 0; i < UNI_MAX_ALIASES; i++)
        free(u->alias[i].copy);
}

void uni_mmu_sync(struct uni *u)
{
    struct hv *hv = u->n->hv;
    struct vcpu *v = u->v;

    if (u->alias_v != v)
        uni_mmu_off(u);
    u->alias_v = v;
    if (!v)
        return;
    for (unsigned i = 0; i < HV_TLB_ENTRIES; i++) {
        if (u->slot[i] < 0)
            continue;
        struct uni_alias *a = &u->alias[u->slot[i]];
        const struct tlb_entry *e = &v->tlb[i];
        if (!e->valid || e->va != a->va || e->mfn != a->mfn || !mfn_valid(hv, e->mfn)) {
            uni_alias_off(u, a);
            u->slot[i] = -1;
            continue;
        }
        uni_alias_prot(u, a, uni_alias_on_prot(a, e));
    }
}

/* Code Unicorn translated from a frame the monitor (or a reset) rewrote behind its back. */
void uni_mmu_code_check(struct uni *u)
{
    struct hv *hv = u->n->hv;

    for (unsigned i = 0; i < UNI_MAX_ALIASES; i++) {
        struct uni_alias *a = &u->alias[i];
        if (!a->valid || !a->code || !mfn_valid(hv, a->mfn))
            continue;
        if (memcmp(a->copy, frame_mem(hv, a->mfn), PAGE_SIZE) != 0) {
            /* blocks are dropped through a translation: executable for the moment */
            uint32_t prot = a->prot;
            uni_alias_prot(u, a, UC_PROT_READ | UC_PROT_EXEC);
            uc_ctl_remove_cache(u->uc, a->va, a->va + PAGE_SIZE);
            uni_alias_prot(u, a, prot);
            memcpy(a->copy, frame_mem(hv, a->mfn), PAGE_SIZE);
        }
    }
}

/*
 * Code entered at r->rip by a delivery or an iret, in the range the target keeps its own pages
 * in (Xen's, which no guest maps): the fetch faults there, as the monitor's walker says, before
 * Unicorn could run the target's stubs. True with the fault set up for delivery (fregs = r).
 */
bool uni_mmu_entry_faults(struct uni *u, const struct uni_regs *r)
{
    uint32_t pfec = PFEC_INSN;
    mfn_t mfn;

    if (!uni_mmu_reserved(r->rip, 1))
        return false;
    if (guest_translate(u->n->hv, u->v, r->rip, PFEC_INSN, &mfn, &pfec) == 0)
        pfec = PFEC_INSN | PFEC_PRESENT;   /* cannot happen: the walker refuses Xen's range */
    u->stop = UNI_STOP_FAULT;
    u->fault = UNI_VEC_PF;
    u->pfec = pfec;
    u->fault_addr = r->rip;
    u->fregs = *r;
    return true;
}

bool uni_mmu_reserved(gva_t va, uint64_t len)
{
    gva_t last = va + (len ? len - 1U : 0U);

    if (last < va)
        return true;
    return (last >= UNI_TABLES && va < UNI_TABLES + 0x200000ULL) ||
           (last >= UNI_OWN && va < UNI_OWN + (uint64_t)UNI_OWN_PAGES * PAGE_SIZE);
}

static struct uni_alias *uni_alias_at(struct uni *u, gva_t page)
{
    /* every store asks: the alias on in page's TLB slot first, the others by scanning */
    int8_t k = u->slot[(page >> PAGE_SHIFT) % HV_TLB_ENTRIES];

    if (k >= 0 && u->alias[k].valid && u->alias[k].va == page)
        return &u->alias[k];
    for (unsigned i = 0; i < UNI_MAX_ALIASES; i++)
        if (u->alias[i].valid && u->alias[i].va == page)
            return &u->alias[i];
    return NULL;
}

/* Unmap an alias, dropping first (while it still translates) the code Unicorn made from it.
   Only outside the hooks (uni_fill_unmaps defers every unmap a hook would need). */
static void uni_alias_unmap(struct uni *u, struct uni_alias *a)
{
    if (a->code) {
        uni_alias_prot(u, a, UC_PROT_READ | UC_PROT_EXEC);
        uc_ctl_remove_cache(u->uc, a->va, a->va + PAGE_SIZE);
    }
    uc_mem_unmap(u->uc, a->va, PAGE_SIZE);
    a->valid = false;
    a->on = false;
}

/* The alias for page: the one already mapped there, a free one, or the least recently enabled
   one that is off (its mapping goes). NULL if none is free (cannot happen: 16 are on at most). */
static struct uni_alias *uni_alias_find(struct uni *u, gva_t page)
{
    struct uni_alias *a = uni_alias_at(u, page), *old = NULL;

    if (a)
        return a;
    for (unsigned i = 0; i < UNI_MAX_ALIASES; i++) {
        a = &u->alias[i];
        if (!a->valid)
            return a;
        if (!a->on && (!old || a->used < old->used))
            old = a;
    }
    if (old)
        uni_alias_unmap(u, old);
    return old;
}

/* Would switching on the alias of va (to frame mfn) unmap one: a different frame there, or no
   free alias left to map it with? */
static bool uni_fill_unmaps(struct uni *u, gva_t va, mfn_t mfn)
{
    struct uni_alias *a = uni_alias_at(u, va & ~(gva_t)(PAGE_SIZE - 1U));

    if (a)
        return a->mfn != mfn;
    for (unsigned i = 0; i < UNI_MAX_ALIASES; i++)
        if (!u->alias[i].valid)
            return false;
    return true;
}

/* Switch on (mapping if need be) the alias of va after a translation into the monitor's TLB. */
static bool uni_alias_fill(struct uni *u, gva_t va, bool fetch)
{
    struct hv *hv = u->n->hv;
    struct tlb_entry e;
    gva_t page = va & ~(gva_t)(PAGE_SIZE - 1U);
    unsigned slot = (unsigned)((page >> PAGE_SHIFT) % HV_TLB_ENTRIES);

    /* the fill may have evicted another page from this slot, or changed this one */
    uni_mmu_sync(u);
    if (!tlb_lookup(u->v, page, &e) || !mfn_valid(hv, e.mfn))
        return false;
    struct uni_alias *a = uni_alias_find(u, page);
    if (!a)
        return false;
    if (a->valid && a->mfn != e.mfn)
        uni_alias_unmap(u, a);
    if (!a->valid) {
        a->code = false;
        a->prot = uni_alias_on_prot(a, &e);
        if (uc_mem_map_ptr(u->uc, page, PAGE_SIZE, a->prot, frame_mem(hv, e.mfn)) != UC_ERR_OK)
            return false;
        /* translated blocks are keyed by address: ones from an earlier frame here must go */
        uc_ctl_remove_cache(u->uc, page, page + PAGE_SIZE);
        a->valid = true;
        a->va = page;
        a->mfn = e.mfn;
    }
    if (fetch && !a->code) {
        /* a data alias Unicorn now runs code from: a code alias, with the copy its blocks are
           checked against (a write-permission change, ~14 us) */
        if (!a->copy && !(a->copy = malloc(PAGE_SIZE)))
            return false;
        a->code = true;
        memcpy(a->copy, frame_mem(hv, a->mfn), PAGE_SIZE);
    }
    uni_alias_prot(u, a, uni_alias_on_prot(a, &e));
    a->used = ++u->alias_clock;
    if (u->slot[slot] >= 0 && &u->alias[u->slot[slot]] != a)
        uni_alias_off(u, &u->alias[u->slot[slot]]);
    u->slot[slot] = (int8_t)(a - u->alias);
    return true;
}

/*
 * A load, store or fetch Unicorn could not serve: no alias, or one that is off (a TLB miss), or
 * a fetch from an NX page. The monitor's translation decides; a fault it reports ends the run
 * with its error code. A fetch is not retried inside the hook, as loads and stores are: after a
 * protection event Unicorn 2.0.1 crashes, and a block translated from a page mapped during its
 * own fetch is filed under no page, so no later uc_ctl_remove_cache drops it (the quirk tests
 * show both). The run stops instead, and uni_run goes on from the same instruction.
 */
bool uni_mmu_event(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                   void *arg)
{
    struct uni *u = arg;
    struct hv *hv = u->n->hv;
    bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
    bool fetch = type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT;
    uint32_t access = write ? PFEC_WRITE : fetch ? PFEC_INSN : 0U;
    uint32_t pfec = 0;
    mfn_t mfn;

    (void)uc;
    (void)size;
    (void)value;
    /* the rest of an access that already faulted (a store's second page): the monitor must not
       see it, as it does not on the native target */
    if (!u->v || u->stop == UNI_STOP_FAULT)
        return false;
    if (u->uncode != UNI_NO_PAGE || (u->smc != UNI_NO_PAGE && !u->smc_step))
        return false;   /* the store the write hook saw going to a code page: abandoned */
    if (uni_mmu_reserved(addr, 1)) {
        u->stop = UNI_STOP_UNSUPPORTED;
        return false;
    }
    if (guest_translate(hv, u->v, addr, access, &mfn, &pfec) < 0) {
        uni_mmu_sync(u);
        if (!fetch && uni_mmio_window(addr, 1) && uni_mmio(u, addr))
            return false;   /* the monitor emulated it; the run goes on past the instruction */
        uni_fault_pf(u, pfec, addr);
        return false;
    }
    if (!mfn_valid(hv, mfn)) {
        /* a stale entry naming a frame the pool no longer has, as guest_access reports it */
        uni_fault_pf(u, access | PFEC_PRESENT | PFEC_RSVD, addr);
        return false;
    }
    if (fetch) {
        struct tlb_entry e;
        /* the monitor's TLB hit path checks writes only; the CPU checks NX on a hit too */
        if (tlb_lookup(u->v, addr, &e) && (e.flags & _PAGE_NX)) {
            uni_fault_pf(u, PFEC_INSN | PFEC_PRESENT, addr);
            return false;
        }
    }
    if (write)
        (void)frame_mem_w(hv, mfn);   /* marks the frame for reset and the audit */
    if (fetch) {
        /* a stop already asked for (a store to re-run, say) wins: it runs this fetch again */
        if (u->stop == UNI_STOP_NONE) {
            u->fill = addr;
            u->stop = UNI_STOP_RETRY;
        }
        return false;
    }
    if (uni_fill_unmaps(u, addr, mfn)) {
        /* unmapping inside a memory hook pulls the region from under the access in progress:
           abandon the access, and run the instruction again from its registers (the hook sees
           them before the instruction changes any) once the alias is remapped outside */
        uni_regs_read(u, &u->regs);
        u->stop = UNI_STOP_REENTER;
        u->remap = addr & ~(gva_t)(PAGE_SIZE - 1U);
        return false;
    }
    if (!uni_alias_fill(u, addr, false)) {
        u->stop = UNI_STOP_UNSUPPORTED;
        return false;
    }
    if (write) {
        /* the write hook ran before this page had an alias: log what the store replaces now,
           and judge the part in the next page, which the hook left for after this one */
        uint64_t room = PAGE_SIZE - (addr & (PAGE_SIZE - 1U));
        uni_ilog_save(u, addr, size > 0 && (uint64_t)size < room ? (unsigned)size : (unsigned)room);
        if (size > 0 && (uint64_t)size > room) {
            uni_ilog_save(u, addr + room, (unsigned)((uint64_t)size - room));
            uni_mmu_store(u, addr + room, (unsigned)((uint64_t)size - room));
        }
    }
    return true;
}

static void uni_undo_save(struct uni *u, uint8_t *at, unsigned len)
{
    if (u->nr_undo >= sizeof(u->undo) / sizeof(u->undo[0]) || len > sizeof(u->undo[0].bytes))
        return;
    u->undo[u->nr_undo].at = at;
    u->undo[u->nr_undo].len = (uint8_t)len;
    memcpy(u->undo[u->nr_undo].bytes, at, len);
    u->nr_undo++;
}

/* One page's part of a store: allowed, or refused (undone later) with the run stopped. */
static void uni_mmu_store(struct uni *u, uint64_t addr, unsigned len)
{
    struct hv *hv = u->n->hv;
    gva_t page = addr & ~(gva_t)(PAGE_SIZE - 1U);
    struct uni_alias *a = uni_alias_at(u, page);
    struct tlb_entry e;
    uint32_t pfec = 0;
    mfn_t mfn;

    if (!a)
        return;   /* the target's own pages (the code stack) */
    if (u->stop == UNI_STOP_FAULT) {
        /* the rest of a refused store lands too: put it back with the rest */
        uni_undo_save(u, frame_mem(hv, a->mfn) + (addr - page), len);
        return;
    }
    if (a->code && (a->prot & UC_PROT_READ) && !u->smc_step) {
        /* a store to a page Unicorn runs code from: Unicorn refuses it (a code alias is not
           writable) and the run stops; outside, the page becomes a data alias (its blocks
           dropped) and the instruction runs again from the registers it started with, which
           this hook sees (the monitor decides about the store then) */
        if (u->stop == UNI_STOP_NONE) {
            uni_regs_read(u, &u->regs);
            u->stop = UNI_STOP_REENTER;
            /* code storing into its own page needs the page executable and writable at once:
               that one instruction runs alone (uni_run); a store into another code page turns
               that page into a data alias */
            if ((u->regs.rip & ~(uint64_t)(PAGE_SIZE - 1U)) == page) {
                u->smc = page;
                u->smc_len = u->insn_len;
            }
            else
                u->uncode = page;
        }
        uc_emu_stop(u->uc);
        return;
    }
    if (a->on && tlb_lookup(u->v, page, &e) && (e.flags & _PAGE_RW) && e.mfn == a->mfn) {
        (void)frame_mem_w(hv, a->mfn);
        return;
    }
    uint8_t *at = frame_mem(hv, a->mfn) + (addr - page);
    if (guest_translate(hv, u->v, addr, PFEC_WRITE, &mfn, &pfec) < 0 || !mfn_valid(hv, mfn)) {
        uni_undo_save(u, at, len);
        uni_mmu_sync(u);
        uni_fault_pf(u, mfn_valid(hv, mfn) || pfec ? pfec : PFEC_WRITE | PFEC_PRESENT | PFEC_RSVD,
                     addr);
        return;
    }
    (void)frame_mem_w(hv, mfn);
    if (mfn == a->mfn) {
        uni_alias_fill(u, addr, false);
        return;
    }
    /* the page is another frame now: put the bytes back, map it again, run the store again
       from the registers as they were before it (the hook runs before the instruction ends) */
    uni_undo_save(u, at, len);
    if (u->stop == UNI_STOP_NONE) {
        uni_regs_read(u, &u->regs);
        u->stop = UNI_STOP_REENTER;
        u->remap = page;
    }
    uc_emu_stop(u->uc);
}

static void uni_ilog_save(struct uni *u, uint64_t addr, unsigned len)
{
    struct uni_alias *a = uni_alias_at(u, addr & ~(gva_t)(PAGE_SIZE - 1U));

    if (!a || u->nr_ilog >= sizeof(u->ilog) / sizeof(u->ilog[0]) ||
        len > sizeof(u->ilog[0].bytes))
        return;
    u->ilog[u->nr_ilog].at = frame_mem(u->n->hv, a->mfn) + (addr & (PAGE_SIZE - 1U));
    u->ilog[u->nr_ilog].len = (uint8_t)len;
    memcpy(u->ilog[u->nr_ilog].bytes, u->ilog[u->nr_ilog].at, len);
    u->nr_ilog++;
}

void uni_mmu_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                   void *arg)
{
    struct uni *u = arg;
    uint64_t end = addr + (uint64_t)(size > 0 ? size : 1);
    uint64_t split = (addr | (PAGE_SIZE - 1U)) + 1U;

    (void)uc;
    (void)type;
    (void)value;
    if (!u->v)
        return;
    if (end > split) {
        uni_ilog_save(u, addr, (unsigned)(split - addr));
        uni_ilog_save(u, split, (unsigned)(end - split));
        uni_mmu_store(u, addr, (unsigned)(split - addr));
        /* the pages in order, as the CPU checks them: a first page without an alias is judged
           by its own event, which comes before anything of the second page */
        if (uni_alias_at(u, addr & ~(gva_t)(PAGE_SIZE - 1U)))
            uni_mmu_store(u, split, (unsigned)(end - split));
    } else {
        uni_ilog_save(u, addr, (unsigned)(end - addr));
        uni_mmu_store(u, addr, (unsigned)(end - addr));
    }
}

/* Outside the emulation, where translated code can be dropped: map the page a fetch needs. */
bool uni_mmu_fill_fetch(struct uni *u)
{
    gva_t va = u->fill;

    u->fill = UNI_NO_PAGE;
    return va == UNI_NO_PAGE || uni_alias_fill(u, va, true);
}

/*
 * One instruction that stores into the code page it runs from, run alone with the page
 * executable and writable, its translated blocks dropped before and after.
 */
void uni_mmu_smc_step(struct uni *u, struct uni_regs *r)
{
    struct uni_alias *a = u->smc != UNI_NO_PAGE ? uni_alias_at(u, u->smc) : NULL;

    u->smc = UNI_NO_PAGE;
    if (!a || !a->code)
        return;
    uint32_t prot = a->prot;
    uni_alias_prot(u, a, UC_PROT_READ | UC_PROT_WRITE | UC_PROT_EXEC);
    uc_ctl_remove_cache(u->uc, a->va, a->va + PAGE_SIZE);
    u->smc_step = true;
    u->stop = UNI_STOP_NONE;
    /* until just past the instruction: its block then holds it alone, so the store changes no
       byte of the block running (which would make Unicorn run the instruction again) */
    uc_emu_start(u->uc, r->rip, r->rip + u->smc_len, 0, 0);
    u->smc_step = false;
    uni_mmu_run_end(u);
    uc_ctl_remove_cache(u->uc, a->va, a->va + PAGE_SIZE);
    uni_alias_prot(u, a, prot);
    memcpy(a->copy, frame_mem(u->n->hv, a->mfn), PAGE_SIZE);
}

void uni_mmu_run_end(struct uni *u)
{
    /* a code-page store that a fault overtook: nothing left to do for it */
    if (u->stop != UNI_STOP_REENTER)
        u->smc = UNI_NO_PAGE;
    /* an instruction that faulted leaves nothing behind (newest bytes back first) */
    while (u->nr_ilog) {
        u->nr_ilog--;
        if (u->stop == UNI_STOP_FAULT)
            memcpy(u->ilog[u->nr_ilog].at, u->ilog[u->nr_ilog].bytes, u->ilog[u->nr_ilog].len);
    }
    while (u->nr_undo) {
        u->nr_undo--;
        memcpy(u->undo[u->nr_undo].at, u->undo[u->nr_undo].bytes, u->undo[u->nr_undo].len);
    }
    if (u->remap != UNI_NO_PAGE) {
        struct tlb_entry e;
        /* an entry evicted since (by a later access of the same block) is translated again
           when the access runs again */
        if (tlb_lookup(u->v, u->remap, &e) && !uni_alias_fill(u, u->remap, false))
            u->stop = UNI_STOP_UNSUPPORTED;
        u->remap = UNI_NO_PAGE;
    }
    if (u->uncode != UNI_NO_PAGE) {
        struct uni_alias *a = uni_alias_at(u, u->uncode);
        if (a && a->code) {
            uint32_t on = a->on;
            uni_alias_prot(u, a, UC_PROT_READ | UC_PROT_EXEC);
            uc_ctl_remove_cache(u->uc, a->va, a->va + PAGE_SIZE);
            a->code = false;
            uni_alias_prot(u, a, on ? UC_PROT_READ | UC_PROT_WRITE : UC_PROT_WRITE);
        }
        u->uncode = UNI_NO_PAGE;
    }
}
