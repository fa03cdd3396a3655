/* Audit of the state the other passes do not recompute: p2m/m2p, domain and vCPU scalars, MSRs, device registers. */
#include <stdlib.h>
#include <string.h>
#include "hvfuzz/exit.h"
#include "audit_priv.h"

/* docs/INVARIANTS.md has the table of every piece of monitor state and what recomputes it. */


/* Per-frame marks for p2m injectivity; grow-only like audit.c's scratch, zeroed on each use. */
static uint8_t *audit_p2m_seen;
static uint32_t audit_p2m_cap;

/*
 * P2M: the monitor keeps each domain's gfn -> mfn map (memory.c, exit_misc.c, grant transfer). Every
 * entry below nr_gfns is unpopulated or names a frame below nr_frames that the domain owns and that
 * no other gfn of any domain names (populate, exchange and transfer enter fresh frames only); the
 * entry at nr_gfns - 1 is populated (nr_gfns is the highest populated gfn + 1) and none above is
 * (the native target's reset copies the p2m only up to nr_gfns). The m2p is the guest's to write
 * for its own frames (MMU_MACHPHYS_UPDATE), so only a free frame's m2p is fixed: GFN_INVALID.
 * Dying domains are exempt from the owner check: relinquish frees frames before the p2m goes. A
 * free frame that is still referenced (count above 0) is I6's, reported once, as elsewhere.
 */
uint64_t audit_p2m_head(struct audit_ctx *c, const struct domain *d)
{
    uint64_t n = d->nr_gfns;
    if (n > HV_MAX_GFNS) {
        audit_add(c, INV_P2M, MFN_INVALID, d->id, HV_MAX_GFNS, (int64_t)n, "nr_gfns at most");
        n = HV_MAX_GFNS;
    }
    if (n && d->p2m[n - 1] == MFN_INVALID)
        audit_add(c, INV_P2M, MFN_INVALID, d->id, 1, 0, "gfn 0x%llx (nr_gfns - 1) populated",
                  (unsigned long long)(n - 1));
    return n;
}

bool audit_p2m_valid(struct audit_ctx *c, const struct domain *d, uint64_t g, mfn_t m)
{
    if (mfn_valid(c->hv, m))
        return true;
    audit_add(c, INV_P2M, m, d->id, c->hv->nr_frames, (int64_t)m,
              "gfn 0x%llx frame below nr_frames: mfn", (unsigned long long)g);
    return false;
}

void audit_p2m_owner(struct audit_ctx *c, const struct domain *d, uint64_t g, mfn_t m)
{
    domid_t owner = c->hv->frames[m].owner;
    /* a free frame still referenced is I6's to report, once */
    if (owner == DOMID_INVALID && c->hv->frames[m].count)
        return;
    if (owner != d->id && !d->dying)
        audit_add(c, INV_P2M, m, d->id, d->id, owner, "gfn 0x%llx frame owner",
                  (unsigned long long)g);
}

void audit_p2m_injective(struct audit_ctx *c, const struct domain *d, uint64_t g, mfn_t m,
                         unsigned names)
{
    audit_add(c, INV_P2M, m, d->id, 1, names, "gfn 0x%llx: p2m entries naming the frame",
              (unsigned long long)g);
}

void audit_p2m_tail(struct audit_ctx *c, const struct domain *d, uint64_t g, uint64_t n)
{
    audit_add(c, INV_P2M, d->p2m[g], d->id, (int64_t)n, (int64_t)g,
              "populated gfn below nr_gfns: gfn");
}

/* The full audit's p2m of d (audit_incr_dom.c has the incremental audit's). */
static void audit_p2m_dom(struct audit_ctx *c, const struct domain *d)
{
    uint64_t n = audit_p2m_head(c, d);
    for (uint64_t g = 0; g < n; g++) {
        mfn_t m = d->p2m[g];
        if (m == MFN_INVALID || !audit_p2m_valid(c, d, g, m))
            continue;
        /* a dying domain's p2m still names the frames relinquish freed, which may be anyone's
           by now: only the live p2ms must name distinct frames */
        if (!d->dying && audit_p2m_seen[m]++)
            audit_p2m_injective(c, d, g, m, audit_p2m_seen[m]);
        audit_p2m_owner(c, d, g, m);
    }
    for (uint64_t g = n; g < HV_MAX_GFNS; g++)
        if (d->p2m[g] != MFN_INVALID) {
            audit_p2m_tail(c, d, g, n);
            break;
        }
}

static void audit_p2m_pass(struct audit_ctx *c)
{
    struct hv *hv = c->hv;
    if (c->inc) {
        audit_incr_p2m(c);
        return;
    }
    if (hv->nr_frames > audit_p2m_cap) {
        uint8_t *p = realloc(audit_p2m_seen, hv->nr_frames);
        if (!p) {
            audit_add(c, INV_NONE, MFN_INVALID, DOMID_INVALID, 0, 0, "audit: out of memory");
            return;
        }
        audit_p2m_seen = p;
        audit_p2m_cap = hv->nr_frames;
    }
    memset(audit_p2m_seen, 0, hv->nr_frames);
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (d)
            audit_p2m_dom(c, d);
    }
}

/*
 * DOM: a domain sits in its own slot; it has 1..HV_MAX_VCPUS vCPUs, each knowing its index and
 * domain; vCPUs past nr_vcpus are down, uninitialised, hold no base pointer and no continuation
 * (domctl max_vcpus takes away only such vCPUs); an up vCPU was initialised; a crashed domain is
 * shut down; the shutdown reason fits the u8 Xen keeps; only a dying domain has relinquish
 * progress.
 */
static void audit_dom_scalars(struct audit_ctx *c, domid_t id, const struct domain *d)
{
    if (d->id != id)
        audit_add(c, INV_DOM, MFN_INVALID, id, id, d->id, "domain slot id");
    if (d->nr_vcpus < 1 || d->nr_vcpus > HV_MAX_VCPUS)
        audit_add(c, INV_DOM, MFN_INVALID, id, HV_MAX_VCPUS, d->nr_vcpus,
                  "nr_vcpus in 1..HV_MAX_VCPUS");
    if (d->crashed && !d->shutdown)
        audit_add(c, INV_DOM, MFN_INVALID, id, 1, 0, "crashed domain shut down");
    if (d->shutdown_reason > 0xFFU)
        audit_add(c, INV_DOM, MFN_INVALID, id, 0xFF, d->shutdown_reason, "shutdown_reason at most");
    if (d->relinquish_stage && !d->dying)
        audit_add(c, INV_DOM, MFN_INVALID, id, 0, d->relinquish_stage,
                  "relinquish_stage of a domain not dying");
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        const struct vcpu *v = &d->vcpu[i];
        if (v->id != i || v->domid != id)
            audit_add(c, INV_DOM, MFN_INVALID, id, i, v->id, "vcpu %u (of dom %u) id", i,
                      (unsigned)v->domid);
        if (v->up && !v->initialised)
            audit_add(c, INV_DOM, MFN_INVALID, id, 1, 0, "vcpu %u up: initialised", i);
        if (i < d->nr_vcpus)
            continue;
        bool used = v->up || v->initialised || v->cont.pending || v->guest_table != MFN_INVALID ||
                    v->guest_table_user != MFN_INVALID || v->old_guest_table != MFN_INVALID;
        if (used)
            audit_add(c, INV_DOM, MFN_INVALID, id, 0, 1,
                      "vcpu %u past nr_vcpus %u in use (up, initialised, tables, continuation)",
                      i, d->nr_vcpus);
    }
}

static bool audit_canonical(uint64_t a)
{
    uint64_t top = a >> 47;
    return top == 0 || top == 0x1FFFFULL;
}

/* The registers' selectors: of ring 3 (iret forces them, the bounce frame sets the flat ones). */
static void audit_pv_uregs(struct audit_ctx *c, const struct domain *d, const struct vcpu *v)
{
    if ((v->uregs.cs & 3U) != 3U || (v->uregs.ss & 3U) != 3U)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, 3, v->uregs.cs & 3U,
                  "vcpu %u cs and ss RPL (ss %#x)", v->id, (unsigned)v->uregs.ss);
}

/*
 * DOM, the PV entry state (hypercalls/traps.c): a trap entry is empty (all zero, as a null
 * set_trap_table leaves it) or has a canonical handler and a selector of the kernel's ring (RPL 3,
 * set_trap_table forces it); the registers' selectors are of ring 3 (iret forces them, the bounce
 * frame sets the flat ones); the upcall mask is a bool.
 */
static void audit_pv_entry(struct audit_ctx *c, const struct domain *d, const struct vcpu *v,
                           const struct vcpu *o)
{
    for (unsigned i = 0; i < PV_TRAP_VECTORS; i++) {
        if (o && !memcmp(v->traps, o->traps, sizeof(v->traps)))
            break;
        const struct pv_trap *t = &v->traps[i];
        if (!t->address) {
            /* the NMI callback registers address 0 like any other (Xen's does) */
            bool nmi0 = i == PV_TRAP_NMI && t->cs == PV_FLAT_KERNEL_CS && t->flags == PV_TI_IF;
            if ((t->cs || t->flags) && !nmi0)
                audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, t->cs,
                          "vcpu %u trap %u without a handler: selector", v->id, i);
            continue;
        }
        if (!audit_canonical(t->address))
            audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, (int64_t)t->address,
                      "vcpu %u trap %u handler canonical: non-canonical address", v->id, i);
        if ((t->cs & 3U) != 3U)
            audit_add(c, INV_DOM, MFN_INVALID, d->id, 3, t->cs & 3U,
                      "vcpu %u trap %u selector RPL", v->id, i);
    }
    audit_pv_uregs(c, d, v);
    if (v->upcall_mask > 1)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, 1, v->upcall_mask,
                  "vcpu %u upcall mask at most", v->id);
    /* stack_switch forces the kernel's RPL (0: never set); iret keeps only RFLAGS.IOPL */
    if (v->kernel_ss && (v->kernel_ss & 3U) != 3U)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, 3, v->kernel_ss & 3U,
                  "vcpu %u kernel stack selector RPL", v->id);
    if (v->iopl & ~0x3000U)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, v->iopl & ~0x3000U,
                  "vcpu %u iopl bits other than RFLAGS.IOPL", v->id);
}

/*
 * DOM, the PV vCPU registers the hypercalls keep (hypercalls/debugreg.c, callback.c, physdev.c,
 * traps.c): no breakpoint address in Xen's range (set_debugreg refuses them), DR6 and DR7 with
 * their reserved bits as set_debugreg forces them (upper halves clear, GD clear), enabled I/O
 * breakpoints only in the emulated enables and only with CR4.DE; canonical callbacks, the event
 * callback without a mask flag; an I/O bitmap of at most 65536 ports; a vCPU in user mode runs
 * on the user table it holds a reference to (Xen's CR3 is always one of its base pointers).
 */
static void audit_pv_regs(struct audit_ctx *c, const struct domain *d, const struct vcpu *v,
                          const struct vcpu *o)
{
    bool dr_same = o && !memcmp(v->dr, o->dr, sizeof(v->dr));
    for (unsigned i = 0; i < 4 && !dr_same; i++)
        if (!guest_range_ok(v->dr[i], 1))
            audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, (int64_t)v->dr[i],
                      "vcpu %u dr%u outside Xen's range: address", v->id, i);
    if ((v->dr6 & ~DR6_WRITABLE) || (v->dr6 & DR6_RESERVED_ONE) != DR6_RESERVED_ONE)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, (int64_t)DR6_RESERVED_ONE, (int64_t)v->dr6,
                  "vcpu %u dr6 reserved bits as forced", v->id);
    if ((v->dr7 & ~DR7_WRITABLE) || !(v->dr7 & DR7_RESERVED_ONE) || (v->dr7 & DR7_GD))
        audit_add(c, INV_DOM, MFN_INVALID, d->id, (int64_t)DR7_RESERVED_ONE, (int64_t)v->dr7,
                  "vcpu %u dr7 reserved bits as forced, GD clear", v->id);
    /* the breakpoint and callback loops read only DR7 and the callbacks: skipped where those
       equal the snapshot's (incremental audit), which passed them */
    bool dr7_same = o && v->dr7 == o->dr7;
    for (unsigned i = 0; i < 4 && !dr7_same; i++)
        if (((v->dr7 >> (DR7_RW_SHIFT + 4U * i)) & 3U) == DR7_RW_IO && (v->dr7 & (3ULL << (2U * i))))
            audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, (int64_t)v->dr7,
                      "vcpu %u dr7 I/O breakpoint %u enabled in the register", v->id, i);
    if ((v->dr7_emul & ~(uint32_t)DR7_ACTIVE_MASK) || (v->dr7_emul && !v->cr4_de))
        audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, v->dr7_emul,
                  "vcpu %u emulated dr7 enables: only enable bits, only with CR4.DE", v->id);
    bool cb_same = o && !memcmp(v->cb, o->cb, sizeof(v->cb));
    for (unsigned t = 0; t < CALLBACKTYPE_NR && !cb_same; t++)
        if (!audit_canonical(v->cb[t]))
            audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, (int64_t)v->cb[t],
                      "vcpu %u callback type %u canonical: address", v->id, t);
    const uint8_t maskable = (1U << CALLBACKTYPE_failsafe) | (1U << CALLBACKTYPE_syscall) |
                             (1U << CALLBACKTYPE_sysenter) | (1U << CALLBACKTYPE_syscall32);
    if (v->cb_mask & ~maskable)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, 0, v->cb_mask & ~maskable,
                  "vcpu %u callback mask flags of types without one", v->id);
    if (v->iobmp_limit > IOBMP_MAX_PORTS)
        audit_add(c, INV_DOM, MFN_INVALID, d->id, IOBMP_MAX_PORTS, v->iobmp_limit,
                  "vcpu %u I/O bitmap ports at most", v->id);
    if (v->user_mode ? v->guest_table_user == MFN_INVALID || v->user_table_live != v->guest_table_user
                     : v->user_table_live != MFN_INVALID)
        audit_add(c, INV_DOM, v->user_table_live, d->id, (int64_t)v->guest_table_user,
                  (int64_t)v->user_table_live,
                  "vcpu %u %s mode runs on its user base pointer (live table)", v->id,
                  v->user_mode ? "user" : "kernel");
}

/* MSR: what exit_msr.c's #GP rules let in (docs/EXITS.md), for every vCPU the domain has. */
static void audit_msrs(struct audit_ctx *c, const struct domain *d, const struct vcpu *v)
{
    const struct vcpu_msrs *m = &v->msr;
    const uint64_t efer_ok = 0x1ULL | 0x100ULL | 0x400ULL | 0x800ULL;   /* SCE LME LMA NXE */
    const struct { const char *name; uint64_t val; } addr[] = {
        { "lstar", m->lstar }, { "cstar", m->cstar }, { "fs_base", m->fs_base },
        { "gs_base", m->gs_base }, { "kernel_gs_base", m->kernel_gs_base },
        { "sysenter_esp", m->sysenter_esp }, { "sysenter_eip", m->sysenter_eip },
    };
    if ((m->efer & ~efer_ok) || !(m->efer & 0x100ULL))
        audit_add(c, INV_MSR, MFN_INVALID, d->id, 0x100, (int64_t)m->efer,
                  "vcpu %u efer (LME set, only SCE LME LMA NXE): flags", v->id);
    for (unsigned i = 0; i < sizeof(addr) / sizeof(addr[0]); i++)
        if (!audit_canonical(addr[i].val))
            audit_add(c, INV_MSR, MFN_INVALID, d->id, 0, (int64_t)addr[i].val,
                      "vcpu %u %s canonical: non-canonical address", v->id, addr[i].name);
    if (m->sfmask >> 32)
        audit_add(c, INV_MSR, MFN_INVALID, d->id, 0, (int64_t)(m->sfmask >> 32),
                  "vcpu %u sfmask upper half", v->id);
    if (m->tsc_aux >> 32)
        audit_add(c, INV_MSR, MFN_INVALID, d->id, 0, (int64_t)(m->tsc_aux >> 32),
                  "vcpu %u tsc_aux upper half", v->id);
    for (unsigned i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(m->pat >> (8 * i));
        if (t > 7 || t == 2 || t == 3) {
            audit_add(c, INV_MSR, MFN_INVALID, d->id, 0, t, "vcpu %u pat entry %u memory type",
                      v->id, i);
            break;
        }
    }
}

/*
 * DEV, the registers audit_dev.c leaves alone: the DMA device's status and control hold only their
 * defined bits and the error register a DMA_ERR_* value; the UART's FCR keeps only the bits that
 * persist (enable, DMA mode, trigger level) and its sticky LSR errors are overrun only.
 */
static void audit_dev_regs(struct audit_ctx *c, const struct domain *d)
{
    const struct dev_dma *dma = &d->dma;
    if (dma->status & ~DMA_STATUS_ERROR)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, 0, dma->status & ~DMA_STATUS_ERROR,
                  "dma status undefined flags");
    if (dma->ctrl & ~DMA_CTRL_ENABLE)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, 0, dma->ctrl & ~DMA_CTRL_ENABLE,
                  "dma ctrl undefined flags");
    if (dma->error > DMA_ERR_DISABLED)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, DMA_ERR_DISABLED, dma->error,
                  "dma error code at most");
    if (d->uart.fcr & ~0xC9U)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, 0, d->uart.fcr & ~0xC9U,
                  "uart fcr bits that do not persist: flags");
    if (d->uart.lsr_err & ~0x02U)
        audit_add(c, INV_DEV, MFN_INVALID, d->id, 0, d->uart.lsr_err & ~0x02U,
                  "uart lsr sticky bits other than overrun: flags");
}

void audit_state_pass(struct audit_ctx *c)
{
    struct hv *hv = c->hv;
    if (hv->console_len > HV_CONSOLE_SIZE)
        audit_add(c, INV_DOM, MFN_INVALID, DOMID_INVALID, HV_CONSOLE_SIZE, hv->console_len,
                  "console_len at most");
    audit_p2m_pass(c);
    /* the incremental audit makes TLB's checks in the vCPU pass, which scans the TLBs anyway */
    if (!c->inc)
        audit_tlb_state(c);
    for (domid_t id = 0; id < HV_MAX_DOMAINS; id++) {
        const struct domain *d = audit_dom(hv, id);
        if (!d)
            continue;
        audit_dom_scalars(c, id, d);
        /* vm_assist enables only the types a 64-bit PV domain may have */
        if (d->vm_assist & ~VMASST_PV64_VALID)
            audit_add(c, INV_DOM, MFN_INVALID, id, 0, (int64_t)(d->vm_assist & ~VMASST_PV64_VALID),
                      "vm_assist types outside the 64-bit PV mask");
        /* the incremental audit skips the loops over a vCPU's MSRs, trap table and breakpoint
           addresses where they equal those of the snapshot, which passed the same checks */
        const struct domain *then = c->inc ? audit_incr_then(c, id) : NULL;
        for (unsigned i = 0; i < d->nr_vcpus && i < HV_MAX_VCPUS; i++) {
            const struct vcpu *v = &d->vcpu[i];
            const struct vcpu *o = then && i < then->nr_vcpus ? &then->vcpu[i] : NULL;
            /* what the three below read lies from msr to the end of struct vcpu, but for
               guest_table_user: two comparisons usually settle a vCPU. The registers are left
               out (every hypercall's return value moves them): their selectors are checked */
            _Static_assert(offsetof(struct vcpu, msr) < offsetof(struct vcpu, uregs) &&
                           offsetof(struct vcpu, uregs) + sizeof(struct pv_uregs) <=
                               offsetof(struct vcpu, cr2),
                           "struct vcpu: msr, then the trap table, uregs, cr2 and the rest");
            if (o && v->guest_table_user == o->guest_table_user &&
                !memcmp(&v->msr, &o->msr, offsetof(struct vcpu, uregs) - offsetof(struct vcpu, msr)) &&
                !memcmp(&v->cr2, &o->cr2, sizeof(*v) - offsetof(struct vcpu, cr2))) {
                audit_pv_uregs(c, d, v);
                continue;
            }
            if (!o || memcmp(&v->msr, &o->msr, sizeof(v->msr)))
                audit_msrs(c, d, v);
            audit_pv_entry(c, d, v, o);
            audit_pv_regs(c, d, v, o);
        }
        audit_dev_regs(c, d);
    }
}
