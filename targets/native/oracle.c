/* The native target's oracles: guest-visible tags (isolation), the BUG() latch and the audit. */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/audit.h"
#include "targets/native/native.h"

/* ---- tags -------------------------------------------------------------------------------------- */

/* An invertible mix (xorshifts of 33 bits undo themselves; odd multipliers have inverses). */
#define NATIVE_MIX_C1 0xff51afd7ed558ccdULL
#define NATIVE_MIX_C2 0xc4ceb9fe1a85ec53ULL

static uint64_t native_inv(uint64_t c)
{
    uint64_t y = c;   /* c * c == 1 mod 8 for odd c: 3 good bits, doubled by each step */

    for (int i = 0; i < 5; i++)
        y *= 2U - c * y;
    return y;
}

uint64_t native_tag_encode(const struct native_tag *t)
{
    uint64_t x = (uint64_t)NATIVE_TAG_MAGIC << 40 | (uint64_t)(t->dom & 0xFFU) << 32 |
                 (uint64_t)t->gen << 16 | (t->mfn & 0xFFFFU);

    x ^= x >> 33;
    x *= NATIVE_MIX_C1;
    x ^= x >> 33;
    x *= NATIVE_MIX_C2;
    x ^= x >> 33;
    return x;
}

bool native_tag_decode(uint64_t x, struct native_tag *t)
{
    static uint64_t inv1, inv2;

    if (!inv1) {
        inv1 = native_inv(NATIVE_MIX_C1);
        inv2 = native_inv(NATIVE_MIX_C2);
    }
    x ^= x >> 33;
    x *= inv2;
    x ^= x >> 33;
    x *= inv1;
    x ^= x >> 33;
    if ((x >> 40) != NATIVE_TAG_MAGIC)
        return false;
    t->dom = (domid_t)((x >> 32) & 0xFFU);
    t->gen = (uint16_t)(x >> 16);
    t->mfn = x & 0xFFFFU;
    return true;
}

/* ---- isolation --------------------------------------------------------------------------------- */

static bool native_holds_grant(const struct hv *hv, domid_t reader, mfn_t mfn)
{
    const struct domain *d = &hv->dom[reader];

    for (unsigned h = 0; h < GNT_MAX_MAPTRACK; h++)
        if (d->gnt.maptrack[h].in_use && d->gnt.maptrack[h].mfn == mfn)
            return true;
    return false;
}

static void native_iso_report(struct native *n, const char *sig, const char *fmt, domid_t reader,
                              mfn_t mfn, gva_t va, const struct native_tag *tag, uint64_t value)
{
    const struct frame *f = &n->hv->frames[mfn];

    n->iso_pending = true;
    memset(&n->iso, 0, sizeof(n->iso));
    n->iso.oracle = ORACLE_ISOLATION;
    snprintf(n->iso.signature, sizeof(n->iso.signature), "%s", sig);
    snprintf(n->iso.detail, sizeof(n->iso.detail),
             "%s\nd%u read 0x%016llx at va 0x%llx from mfn 0x%llx (owner %u, generation %u): a tag written by d%u to mfn 0x%llx at generation %u",
             fmt, reader, (unsigned long long)value, (unsigned long long)va,
             (unsigned long long)mfn, f->owner, n->frame_gen[mfn] & 0xFFFFU, tag->dom,
             (unsigned long long)tag->mfn, tag->gen);
}

/*
 * Only frames some domain owns are judged: stale TLB entries of free frames are legal in the
 * model (reallocation flushes them), and a free frame holds whatever its last owner left.
 */
void native_iso_read(struct native *n, domid_t reader, mfn_t mfn, uint64_t value, gva_t va)
{
    const struct hv *hv = n->hv;
    struct native_tag tag;
    domid_t owner = hv->frames[mfn].owner;

    if (n->iso_pending || !native_tag_decode(value, &tag) || owner >= HV_MAX_DOMAINS)
        return;
    /* a privileged domain maps other domains' frames by right (a toolstack's foreign mappings:
       update_va_mapping_otherdomain, mmu_update with foreigndom) */
    if (tag.dom != reader && owner != reader && !hv->dom[reader].privileged &&
        !native_holds_grant(hv, reader, mfn)) {
        native_iso_report(n, "isolation:foreign-read",
                          "a guest read another domain's data from a frame it neither owns nor holds a grant mapping of",
                          reader, mfn, va, &tag, value);
        return;
    }
    /* written to this very frame before it went through the free pool, and not by the owner:
       the frame was handed on without being scrubbed */
    if (tag.mfn == (mfn & 0xFFFFU) && tag.gen != (uint16_t)n->frame_gen[mfn] && tag.dom != owner)
        native_iso_report(n, "isolation:stale-data",
                          "a guest read data another domain wrote to this frame before the frame changed owner (not scrubbed)",
                          reader, mfn, va, &tag, value);
}

/* ---- check ------------------------------------------------------------------------------------- */

static void native_audit_finding(struct native *n, const struct audit_report *r, int op_index,
                                 struct finding *f)
{
    const struct audit_violation *v0 = &r->v[0];
    size_t len = 0;

    memset(f, 0, sizeof(*f));
    f->oracle = v0->inv == INV_BUG ? ORACLE_BUG : ORACLE_AUDIT;
    f->op_index = op_index;
    /* the invariant and the hypercall: coarse enough that one bug gives one signature */
    const char *name = native_last_name(n);
    if (op_index >= 0 && name)
        snprintf(f->signature, sizeof(f->signature), "audit:%s:%s", audit_inv_name(v0->inv),
                 name);
    else
        snprintf(f->signature, sizeof(f->signature), "audit:%s", audit_inv_name(v0->inv));
    for (unsigned i = 0; i < r->n && len + 1 < sizeof(f->detail); i++) {
        char line[192];
        audit_format(&r->v[i], line, sizeof(line));
        int w = snprintf(f->detail + len, sizeof(f->detail) - len, "%s%s", i ? "\n" : "", line);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (r->total > r->n && len + 1 < sizeof(f->detail))
        snprintf(f->detail + len, sizeof(f->detail) - len, "\n(%u violations in all)", r->total);
}

/* native_check's audits: the flush promise, a DMA doorbell's devices, the program's state. Apart,
   so that the op checks that run none do not pay for this frame (a report on the stack). */
static __attribute__((noinline)) bool native_check_audit(struct target *t, bool full,
                                                         int op_index, struct finding *f)
{
    struct native *n = t->priv;
    struct hv *hv = n->hv;
    struct audit_report r;

    /* a flush the op promised is checked right after it: a later op may legally change the
       tables behind the TLB again (a plain L1 update leaves flushing to the guest) */
    if (hv->flush_promised) {
        unsigned bad = audit_run_flush(hv, &r);
        tlb_promise_clear(hv);
        if (bad && r.n) {
            native_audit_finding(n, &r, op_index, f);
            return true;
        }
    }
    /* a DMA doorbell is audited at once, devices only: cheap, and the log is short */
    if (!full && !t->opts.audit_each_op && n->dma_moved) {
        n->dma_moved = false;
        if (audit_run_devices(hv, &r) == 0 || r.n == 0)
            return false;
        native_audit_finding(n, &r, op_index, f);
        return true;
    }
    if (!full && (!t->opts.audit_each_op || !n->last_changed))
        return false;
    memset(&r, 0, sizeof(r));
    bool whole = t->opts.audit_full || !n->abase;
    if (full && t->opts.audit_full_every && ++n->programs % t->opts.audit_full_every == 0)
        whole = true;
    if (whole ? audit_run(hv, &r) == 0 : audit_run_incr(hv, n->abase, &r) == 0)
        return false;
    /* a finding is reported as the full audit sees it: every violation, named the same way
       whichever audit noticed first (if it saw none, the incremental one's report stands) */
    if (!whole) {
        struct audit_report all;
        if (audit_run(hv, &all) != 0)
            r = all;
    }
    if (r.n == 0)
        return false;
    native_audit_finding(n, &r, op_index, f);
    return true;
}

bool native_check(struct target *t, bool full, int op_index, struct finding *f)
{
    struct native *n = t->priv;
    struct hv *hv = n->hv;

    if (n->iso_pending) {
        *f = n->iso;
        f->op_index = op_index;
        n->iso_pending = false;
        return true;
    }
    if (hv->bug_msg) {
        memset(f, 0, sizeof(*f));
        f->oracle = ORACLE_BUG;
        f->op_index = op_index;
        snprintf(f->signature, sizeof(f->signature), "bug:%s", hv->bug_msg);
        snprintf(f->detail, sizeof(f->detail), "the monitor hit BUG(): %s", hv->bug_msg);
        return true;
    }
    if (!t->opts.audit)
        return false;
    /* most ops: no promise, no doorbell, no audit after each op; nothing to run */
    if (!full && !hv->flush_promised && (t->opts.audit_each_op || !n->dma_moved) &&
        (!t->opts.audit_each_op || !n->last_changed))
        return false;
    return native_check_audit(t, full, op_index, f);
}
