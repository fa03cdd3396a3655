/* The audit oracle: scratch, reports, the per-frame comparisons (I1 I2 I6 I7 I8 I9) and audit_run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit_priv.h"

/*
 * The audit reads only raw state (frame table, frame memory, domains, vCPUs, grant and event
 * tables) and none of the monitor's helpers, so a bug in the counting code cannot hide itself.
 * Order: the frames' own refs, maptrack marks, one pass over the entries of every ref-holding
 * table, vCPUs, grants, event channels, page lists, then one comparison pass over the frames.
 * States the model makes legal, which the checks therefore accept:
 *  - a TLB entry for a free frame (reallocation flushes it: tlbflush_filter), never I3/I5;
 *  - dying domains are exempt from I5; dying or crashed mappers from the host-PTE grant checks
 *    (their grant PTEs are torn down with their tables, the "implicit unmap");
 *  - a dying granter's grant table is gone while others may still map its grants;
 *  - a released grant frame (no XEN_HEAP, no ALLOCATED) may stay on the xen-heap list while
 *    mapped;
 *  - event channel ports above a lowered max_evtchn_port stay bound.
 * References to free frames are reported once, by I6, not again by I2..I5.
 */

/*
 * Scratch is a grow-only buffer kept by the audit itself rather than a field of struct hv: the
 * machine is created and destroyed by monitor/hv.c, which knows nothing of its oracle, and a field
 * would leak unless every destroyer called back into the audit. One buffer serves every machine
 * because nothing in it survives an audit_run (the frame expectations are zeroed on entry, the
 * grant pins are zero between passes: the grant pass zeroes the ones it wrote); the monitor is
 * single-threaded. The buffer stays reachable from here, so leak checkers do not report it.
 */
static struct audit_fexp *audit_fx_buf;
static uint32_t audit_fx_cap;
static struct audit_pins (*audit_pins_buf)[GNT_MAX_REFS];

static bool audit_scratch_grow(struct audit_ctx *c)
{
    uint32_t n = c->hv->nr_frames;
    if (n > audit_fx_cap) {
        struct audit_fexp *fx = realloc(audit_fx_buf, (size_t)n * sizeof(*fx));
        if (!fx)
            return false;
        audit_fx_buf = fx;
        audit_fx_cap = n;
    }
    if (!audit_pins_buf) {
        audit_pins_buf = calloc(HV_MAX_DOMAINS, sizeof(*audit_pins_buf));
        if (!audit_pins_buf)
            return false;
    }
    c->fx = audit_fx_buf;
    c->pins = audit_pins_buf;
    return true;
}

/* The incremental audit loads entries on first use instead (audit_incr.c). */
bool audit_scratch_get(struct audit_ctx *c, bool zero)
{
    if (!audit_scratch_grow(c))
        return false;
    if (zero)
        memset(audit_fx_buf, 0, (size_t)c->hv->nr_frames * sizeof(*audit_fx_buf));
    return true;
}

void audit_add(struct audit_ctx *c, enum audit_inv inv, mfn_t mfn, domid_t dom, int64_t expected,
               int64_t actual, const char *fmt, ...)
{
    struct audit_report *r = c->r;
    if (c->quiet)
        return;
    r->total++;
    if (r->n >= AUDIT_MAX_REPORTED)
        return;
    struct audit_violation *v = &r->v[r->n++];
    v->inv = inv;
    v->mfn = mfn;
    v->dom = dom;
    v->expected = expected;
    v->actual = actual;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->what, sizeof(v->what), fmt, ap);
    va_end(ap);
}

const char *audit_inv_name(enum audit_inv inv)
{
    static const char *const names[INV_NR] = {
        [INV_NONE] = "NONE", [INV_I1_COUNT] = "I1", [INV_I2_TYPE] = "I2",
        [INV_I3_WRITABLE] = "I3", [INV_I4_TABLES] = "I4", [INV_I5_ISOLATION] = "I5",
        [INV_I6_OWNER] = "I6", [INV_I7_LISTS] = "I7", [INV_I8_LINEAR] = "I8",
        [INV_I9_SCRUB] = "I9", [INV_EVTCHN] = "EVTCHN", [INV_GNTTAB] = "GNTTAB",
        [INV_VCPU] = "VCPU", [INV_BUG] = "BUG", [INV_DEV] = "DEV", [INV_DMA] = "DMA",
        [INV_P2M] = "P2M", [INV_TLB] = "TLB", [INV_FLUSH] = "FLUSH", [INV_DOM] = "DOM",
        [INV_MSR] = "MSR",
        [INV_LOGDIRTY] = "LOGDIRTY",
    };
    if ((unsigned)inv >= INV_NR || !names[inv])
        return "?";
    return names[inv];
}

const char *audit_type_name(unsigned type)
{
    static const char *const names[PGT_NR_TYPES] = {
        [PGT_none] = "none", [PGT_l1] = "l1", [PGT_l2] = "l2", [PGT_l3] = "l3", [PGT_l4] = "l4",
        [PGT_seg_desc] = "seg_desc", [PGT_shared] = "shared", [PGT_writable] = "writable",
    };
    return type < PGT_NR_TYPES ? names[type] : "bad-type";
}

/* Values of flag words and bits read in hex: the label names them ("... flags", "... bit"). */
static bool audit_is_flags(const char *what)
{
    static const char *const tails[] = { "flags", "flag", "bit" };
    size_t n = strlen(what);

    for (unsigned i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        size_t t = strlen(tails[i]);
        if (n >= t && !strcmp(what + n - t, tails[i]) && (n == t || what[n - t - 1] == ' '))
            return true;
    }
    return false;
}

void audit_format(const struct audit_violation *v, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    char where[48] = "";
    int w = 0;
    if (v->mfn != MFN_INVALID)
        w = snprintf(where, sizeof(where), " mfn 0x%llx", (unsigned long long)v->mfn);
    if (v->dom != DOMID_INVALID && w >= 0 && (size_t)w < sizeof(where))
        snprintf(where + w, sizeof(where) - (size_t)w, " dom %u", (unsigned)v->dom);
    if (audit_is_flags(v->what))
        snprintf(buf, len, "%s%s: %s expected 0x%llx, actual 0x%llx", audit_inv_name(v->inv),
                 where, v->what, (unsigned long long)v->expected, (unsigned long long)v->actual);
    else
        snprintf(buf, len, "%s%s: %s expected %lld, actual %lld", audit_inv_name(v->inv), where,
                 v->what, (long long)v->expected, (long long)v->actual);
}

bool audit_has(const struct audit_report *report, enum audit_inv inv)
{
    for (unsigned i = 0; i < report->n && i < AUDIT_MAX_REPORTED; i++)
        if (report->v[i].inv == inv)
            return true;
    return false;
}

void audit_writable_ref(struct audit_ctx *c, mfn_t t, domid_t by, const char *what, unsigned idx)
{
    const struct frame *f = &c->hv->frames[t];
    if (f->type == PGT_writable) {
        audit_fx(c, t)->type_count += (uint32_t)c->sign;
    } else if (f->owner == DOMID_INVALID) {
        /* a free target is reported once, by I6, from its recomputed count */
    } else if (PGT_IS_PT(f->type) || f->type == PGT_seg_desc || f->type == PGT_shared) {
        audit_add(c, INV_I3_WRITABLE, t, by, PGT_writable, f->type,
                  "%s %u maps %s frame writable: type", what, idx, audit_type_name(f->type));
    } else {
        /* a writable mapping that never took its writable type ref */
        audit_add(c, INV_I2_TYPE, t, f->owner, PGT_writable, f->type,
                  "%s %u maps writable: type", what, idx);
    }
}

/* Refs a frame holds on itself through its own flags (the counting contract's bracketed terms). */
void audit_self_refs(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];
    struct audit_fexp *x = audit_fx(c, m);
    uint32_t one = (uint32_t)c->sign;
    if (f->flags & FRAME_ALLOCATED)
        x->count += one;
    if (f->flags & FRAME_PINNED) {
        x->count += one;
        x->type_count += one;
    }
    if (f->flags & FRAME_PARTIAL) {
        x->count += one;
        x->type_count += one;
    }
    if (f->flags & FRAME_XEN_HEAP)
        x->type_count += one;
}

static uint32_t audit_nonzero_bytes(const uint8_t *p)
{
    /* the common case is a clean frame: libc's vectorised memcmp is ~4x a plain OR loop, which
       matters because every free unmarked frame is read on every audit */
    static const uint8_t zero_page[PAGE_SIZE];
    if (!memcmp(p, zero_page, PAGE_SIZE))
        return 0;
    uint32_t n = 0;
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        n += p[i] != 0;
    return n;
}

static void audit_frame_owner(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];
    const struct audit_fexp *x = &c->fx[m];
    if (f->owner == DOMID_INVALID) {
        if (f->count)
            audit_add(c, INV_I6_OWNER, m, DOMID_INVALID, 0, f->count,
                      "unowned frame general count");
        else if (x->count)
            audit_add(c, INV_I6_OWNER, m, DOMID_INVALID, 0, x->count,
                      "unowned frame referenced: refs");
        uint8_t held = f->flags & (FRAME_ALLOCATED | FRAME_XEN_HEAP | FRAME_PINNED |
                                   FRAME_VALIDATED | FRAME_PARTIAL);
        if (held)
            audit_add(c, INV_I6_OWNER, m, DOMID_INVALID, 0, held, "unowned frame flags");
        return;
    }
    if (!audit_dom(c->hv, f->owner)) {
        audit_add(c, INV_I6_OWNER, m, f->owner, 1, 0, "owner domain exists");
        return;
    }
    if ((f->flags & FRAME_ALLOCATED) && f->count == 0)
        audit_add(c, INV_I6_OWNER, m, f->owner, 1, 0, "allocated frame general count >= 1");
    else if (f->count == 0)
        /* put_page frees at 0: an owned frame nobody references has leaked */
        audit_add(c, INV_I6_OWNER, m, f->owner, 1, 0, "owned frame general count >= 1");
}

static void audit_frame_counts(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];
    const struct audit_fexp *x = &c->fx[m];
    if (f->count != x->count)
        audit_add(c, INV_I1_COUNT, m, f->owner, x->count, f->count, "general count");
    if (f->type >= PGT_NR_TYPES)
        audit_add(c, INV_I2_TYPE, m, f->owner, PGT_NR_TYPES - 1, f->type, "type in range: type");
    if (f->type_count != x->type_count)
        audit_add(c, INV_I2_TYPE, m, f->owner, x->type_count, f->type_count,
                  "%s type count", audit_type_name(f->type));
    if (PGT_IS_PT(f->type)) {
        bool held = f->flags & (FRAME_VALIDATED | FRAME_PARTIAL);
        /* type refs on a table vouch for its contents: they exist only while it is (being)
           validated, and a validated table loses VALIDATED with its last type ref */
        if (f->type_count && !held)
            audit_add(c, INV_I2_TYPE, m, f->owner, 0, f->type_count,
                      "type count of unvalidated %s", audit_type_name(f->type));
        if ((f->flags & FRAME_VALIDATED) && f->type_count == 0)
            audit_add(c, INV_I2_TYPE, m, f->owner, 1, 0,
                      "type count of validated %s", audit_type_name(f->type));
    }
}

static void audit_frame_linear(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];
    const struct audit_fexp *x = &c->fx[m];
    if (x->lin_in && x->lin_out) {
        /* used linearly and containing linear entries: a chain of depth 2 (XSA-240) */
        audit_add(c, INV_I8_LINEAR, m, f->owner, 1, 2, "linear depth (in %u, out %u)",
                  x->lin_in, x->lin_out);
        return;
    }
    int64_t want = x->lin_out ? -(int64_t)x->lin_out : (int64_t)x->lin_in;
    if (f->linear_pt_count != want)
        audit_add(c, INV_I8_LINEAR, m, f->owner, want, f->linear_pt_count, "linear_pt_count");
}

static void audit_frame_scrub(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];
    if (f->owner != DOMID_INVALID) {
        if (f->flags & FRAME_NEED_SCRUB)
            audit_add(c, INV_I9_SCRUB, m, f->owner, 0, 1, "need_scrub on owned frame");
        return;
    }
    if (f->flags & FRAME_NEED_SCRUB)
        return;
    /* Where a snapshot owner tracks writes (hv->dirty, marked by every write accessor), a frame not
       written since the snapshot still holds the snapshot's contents, and a free frame without
       NEED_SCRUB has never been allocated, so it was zero then: only written frames need the 4 KiB
       read. Without tracking (conformance, unit tests) every such frame is read. */
    if (c->hv->dirty && !(c->hv->dirty[m / 64U] & (1ULL << (m % 64U))))
        return;
    uint32_t dirty = audit_nonzero_bytes(frame_mem(c->hv, m));
    if (dirty)
        audit_add(c, INV_I9_SCRUB, m, DOMID_INVALID, 0, dirty,
                  "nonzero bytes in free frame not marked need_scrub");
}

/* Per frame, the bits nobody else looks at (I6: flag bits the monitor defines; P2M: m2p of a
   free frame). */
static void audit_frame_rest(struct audit_ctx *c, mfn_t m)
{
    struct hv *hv = c->hv;
    const uint8_t known = FRAME_ALLOCATED | FRAME_XEN_HEAP | FRAME_NEED_SCRUB | FRAME_PINNED |
                          FRAME_VALIDATED | FRAME_PARTIAL;
    const struct frame *f = &hv->frames[m];

    if (f->flags & ~known)
        audit_add(c, INV_I6_OWNER, m, f->owner, 0, f->flags & ~known, "undefined frame flags");
    if (f->owner == DOMID_INVALID && !f->count && hv->m2p[m] != GFN_INVALID)
        audit_add(c, INV_P2M, m, DOMID_INVALID, -1, (int64_t)hv->m2p[m], "m2p of a free frame");
}

static void audit_frame_listed(struct audit_ctx *c, mfn_t m)
{
    const struct frame *f = &c->hv->frames[m];
    if (c->fx[m].on_list)
        return;
    int64_t want = LIST_FREE;
    const struct domain *d = audit_dom(c->hv, f->owner);
    if (d)
        want = (f->flags & FRAME_XEN_HEAP) ? LIST_XEN(d->id) : LIST_PAGES(d->id);
    audit_add(c, INV_I7_LISTS, m, f->owner, want, f->list_id, "frame on no list walked: list_id");
}

static inline void audit_frame_all(struct audit_ctx *c, mfn_t m)
{
    audit_frame_owner(c, m);
    audit_frame_counts(c, m);
    audit_frame_linear(c, m);
    audit_frame_scrub(c, m);
    audit_frame_listed(c, m);
    audit_frame_rest(c, m);
    /* only descriptor pages have more to check: the test here saves most frames a call */
    if (c->hv->frames[m].type == PGT_seg_desc)
        audit_frame_desc(c, m);
}

void audit_frame_list(struct audit_ctx *c, const uint32_t *list, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        audit_frame_all(c, list[k]);
}

unsigned audit_run(struct hv *hv, struct audit_report *report)
{
    memset(report, 0, sizeof(*report));
    struct audit_ctx ctx = { .hv = hv, .r = report, .sign = 1 };
    struct audit_ctx *c = &ctx;
    if (hv->bug_msg)
        audit_add(c, INV_BUG, MFN_INVALID, DOMID_INVALID, 0, 1, "monitor BUG(): %s",
                  hv->bug_msg);
    if (!audit_scratch_get(c, true)) {
        audit_add(c, INV_NONE, MFN_INVALID, DOMID_INVALID, 0, 0, "audit: out of memory");
        return report->total;
    }

    for (mfn_t m = 0; m < hv->nr_frames; m++)
        audit_self_refs(c, m);
    audit_gnt_mark(c);
    audit_pt_pass(c);
    audit_vcpu_pass(c);
    audit_gnttab_pass(c);
    audit_evtchn_pass(c);
    audit_list_pass(c);
    audit_dev_pass(c);
    audit_state_pass(c);
    audit_logdirty_pass(c);

    for (mfn_t m = 0; m < hv->nr_frames; m++)
        audit_frame_all(c, m);
    return report->total;
}
