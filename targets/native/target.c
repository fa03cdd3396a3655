/* The native target: the reference monitor in-process, built once and reset from a snapshot. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "targets/native/native.h"

/*
 * Reset cost is what bounds programs per second, so it copies only what a program can have
 * changed (measured at the default shape: a whole struct hv is 600 KiB, a domain 74 KiB, of which
 * the grant active array is 48 KiB and the p2m 16 KiB):
 *  - frame table entries, m2p entries and allocation generations only where hv->fdirty says a
 *    write happened (frame_w and m2p_set mark it), so reset does not grow with the frame count;
 *  - frame memory only where hv->dirty says a write happened (every write site marks it), and of
 *    such a frame only the 256-byte chunks hv->dchunk names (ranged write sites mark what they
 *    write, the others the whole frame): a program mostly writes a few bytes of a payload page;
 *  - per domain: the fixed part, the vCPU slots up to the larger nr_vcpus of the two (the others
 *    only take the flush time of TLB flushes that loop over every slot), the p2m up to the larger
 *    p2m_top (entries from there up are MFN_INVALID since creation), the grant active and maptrack
 *    entries up to their high-water marks (active_hi, maptrack_hi: zero from there up) when a
 *    write reached either (grant_table.touched), event channel ports up to the most valid on
 *    either side (evtchn_valid: 64 per bucket of the 4096), the FIFO event array's used part;
 *  - a domain slot the snapshot does not use only if it was created since (dom_create sets
 *    nr_vcpus, which nothing clears).
 * The marks live in the domains, kept by the monitor's write choke points, so no op pays for
 * them. targets/native/tests/reset_exact.c checks the result byte for byte against a freshly
 * built machine.
 */

static int native_build(struct native *n, const struct prog_shape *s, const struct target_opts *o)
{
    struct hv_config cfg = {
        .nr_frames = s->nr_frames, .dom0_pages = s->dom_pages, .dom0_vcpus = s->nr_vcpus,
    };

    if (s->nr_domains < 1 || s->nr_domains > HV_MAX_DOMAINS || s->nr_vcpus < 1 ||
        s->nr_vcpus > HV_MAX_VCPUS || s->dom_pages < 2 || s->dom_pages > HV_MAX_GFNS)
        return -1;
    n->hv = hv_create(&cfg);
    if (!n->hv)
        return -1;
    for (domid_t i = 1; i < s->nr_domains; i++) {
        /* room to grow: populate_physmap and exchanges need headroom above the build */
        if (dom_create(n->hv, i, false, 2U * s->dom_pages, s->nr_vcpus) < 0 ||
            dom_build(n->hv, &n->hv->dom[i], s->dom_pages) < 0)
            return -1;
    }
    n->hv->bugs = o ? o->bugs : 0;
    return 0;
}

int native_snapshot(struct native *n)
{
    struct hv *hv = n->hv;
    size_t nf = hv->nr_frames;

    n->dirty_words = (uint32_t)((nf + 63U) / 64U);
    n->dirty = calloc(n->dirty_words, sizeof(*n->dirty));
    n->fdirty = calloc(n->dirty_words, sizeof(*n->fdirty));
    n->dchunk = calloc(nf, sizeof(*n->dchunk));
    n->frame_gen = calloc(nf, sizeof(*n->frame_gen));
    n->snap.frames = malloc(nf * sizeof(*n->snap.frames));
    n->snap.mem = malloc(nf * PAGE_SIZE);
    n->snap.m2p = malloc(nf * sizeof(*n->snap.m2p));
    n->snap.tab = malloc(HV_MAX_DOMAINS * sizeof(*n->snap.tab));
    if (!n->dirty || !n->fdirty || !n->dchunk || !n->frame_gen || !n->snap.frames || !n->snap.mem ||
        !n->snap.m2p || !n->snap.tab)
        return -1;
    hv->dirty = n->dirty;
    hv->fdirty = n->fdirty;
    hv->dchunk = n->dchunk;
    hv->frame_gen = n->frame_gen;
    memcpy(n->snap.frames, hv->frames, nf * sizeof(*hv->frames));
    memcpy(n->snap.mem, hv->mem, nf * PAGE_SIZE);
    memcpy(n->snap.m2p, hv->m2p, nf * sizeof(*hv->m2p));
    n->snap.hv = *hv;
    for (domid_t i = 0; i < HV_MAX_DOMAINS; i++) {
        n->snap.hv.dom[i].gnt.touched = false;   /* the snapshot is the baseline of writes */
        if (n->snap.hv.dom[i].exists)   /* a free slot's header stays as built: reset skips it */
            gnt_act_w_clear(&n->snap.hv.dom[i].gnt);
    }
    for (domid_t i = 0; i < HV_MAX_DOMAINS; i++) {
        const struct domain *d = &hv->dom[i];
        struct native_tables *tb = &n->snap.tab[i];
        memcpy(tb->active, d->gnt.active, sizeof(tb->active));
        memcpy(tb->maptrack, d->gnt.maptrack, sizeof(tb->maptrack));
        memcpy(tb->evtchn, d->evtchn, sizeof(tb->evtchn));
        memcpy(tb->cmos_ram, d->cmos.ram, sizeof(tb->cmos_ram));
    }
    native_restore(n);
    /* without a baseline (an unclean build, no memory) every audit is the full one */
    struct audit_snap as = { .hv = &n->snap.hv, .frames = n->snap.frames, .mem = n->snap.mem };
    for (domid_t i = 0; i < HV_MAX_DOMAINS; i++) {
        as.tab[i].active = n->snap.tab[i].active;
        as.tab[i].maptrack = n->snap.tab[i].maptrack;
        as.tab[i].evtchn = n->snap.tab[i].evtchn;
        as.tab[i].cmos_ram = n->snap.tab[i].cmos_ram;
    }
    n->abase = audit_base_new(hv, &as);
    return 0;
}

static uint32_t native_max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a > b ? a : b;
    return m > c ? m : c;
}

/* The ports either side used or wrote: entries past them are zero on both (evtchn_valid, _hi). */
static size_t native_port_bytes(const struct domain *d, const struct domain *s)
{
    uint32_t ports = native_max3(d->evtchn_valid, d->evtchn_hi,
                                 native_max3(s->evtchn_valid, s->evtchn_hi, 0));

    if (ports > EVTCHN_MAX_PORTS)
        ports = EVTCHN_MAX_PORTS;
    return ports * sizeof(struct evtchn);
}

/* One table's used part: entries from the larger high-water mark up are zero on both sides. */
static uint32_t native_hi(uint32_t a, uint32_t b, uint32_t max)
{
    uint32_t m = a > b ? a : b;
    return m < max ? m : max;
}

static void native_restore_dom(struct native *n, domid_t id)
{
    struct domain *d = &n->hv->dom[id];
    const struct domain *s = &n->snap.hv.dom[id];
    const struct native_tables *tb = &n->snap.tab[id];
    size_t port_bytes = native_port_bytes(d, s);
    uint32_t vcpus, gfns;

    /* the struct copies below carry the tables' pointers, which are the same in the snapshot */
    if (!s->exists) {
        if (!d->exists && d->nr_vcpus == s->nr_vcpus)
            return;
        /* created since: creation initialised every vCPU slot and p2m entry (the snapshot's are
           zero), and left its tables below their high-water marks */
        vcpus = HV_MAX_VCPUS;
        gfns = HV_MAX_GFNS;
    } else {
        /* vCPU slots past nr_vcpus (fixed at creation) take no op; the TLB flushes that loop over
           every slot write only their flush time (their TLB and promise stay zero) */
        vcpus = native_hi(d->nr_vcpus, s->nr_vcpus, HV_MAX_VCPUS);
        /* p2m entries from p2m_top up are MFN_INVALID since creation (p2m_set raises it) */
        gfns = native_hi(d->p2m_top, s->p2m_top, HV_MAX_GFNS);
    }
    uint32_t pages = native_hi(d->fifo.nr_array, s->fifo.nr_array, EVTCHN_FIFO_MAX_ARRAY_PAGES);
    uint32_t refs = native_hi(d->gnt.active_hi, s->gnt.active_hi, GNT_MAX_REFS);
    uint32_t handles = native_hi(d->gnt.maptrack_hi, s->gnt.maptrack_hi, GNT_MAX_MAPTRACK);
    /* tables no write reached since the last reset (gnt_act_w, gnt_map_w) are as snapshotted */
    bool gnt_touched = d->gnt.touched;

    memcpy(d, s, offsetof(struct domain, vcpu[vcpus]));
    for (uint32_t i = vcpus; i < HV_MAX_VCPUS; i++)
        d->vcpu[i].tlb_flush_time = s->vcpu[i].tlb_flush_time;
    memcpy(&d->vcpu[HV_MAX_VCPUS], &s->vcpu[HV_MAX_VCPUS],
           offsetof(struct domain, p2m) - offsetof(struct domain, vcpu[HV_MAX_VCPUS]));
    memcpy(d->p2m, s->p2m, gfns * sizeof(d->p2m[0]));
    memcpy(&d->gnt, &s->gnt, offsetof(struct grant_table, active));
    if (gnt_touched) {
        memcpy(d->gnt.active, tb->active, refs * sizeof(d->gnt.active[0]));
        memcpy(d->gnt.maptrack, tb->maptrack, handles * sizeof(d->gnt.maptrack[0]));
    }
    memcpy(&d->max_evtchn_port, &s->max_evtchn_port,
           offsetof(struct domain, fifo_array) - offsetof(struct domain, max_evtchn_port));
    memcpy(d->fifo_array, s->fifo_array, pages * sizeof(d->fifo_array[0]));
    memcpy(d->evtchn, tb->evtchn, port_bytes);
    memcpy(d->cmos.ram, tb->cmos_ram, sizeof(tb->cmos_ram));
}

/* One written frame: each run of marked chunks in one copy; no mask is the whole frame. */
static void native_restore_frame(struct native *n, size_t m)
{
    uint8_t *to = n->hv->mem + m * PAGE_SIZE;
    const uint8_t *from = n->snap.mem + m * PAGE_SIZE;
    uint32_t mask = n->dchunk[m];

    n->dchunk[m] = 0;
    if (mask == 0 || mask == FRAME_CHUNKS_ALL) {
        memcpy(to, from, PAGE_SIZE);
        return;
    }
    while (mask) {
        unsigned first = (unsigned)__builtin_ctz(mask);
        /* the run of set bits from first: ones of mask shifted down, counted up to the first 0 */
        unsigned run = (unsigned)__builtin_ctz(~(mask >> first));
        memcpy(to + ((size_t)first << FRAME_CHUNK_SHIFT), from + ((size_t)first << FRAME_CHUNK_SHIFT),
               (size_t)run << FRAME_CHUNK_SHIFT);
        mask &= ~(((1U << run) - 1U) << first);
    }
}

void native_restore(struct native *n)
{
    struct hv *hv = n->hv;
    const struct hv *s = &n->snap.hv;

    for (uint32_t w = 0; w < n->dirty_words; w++) {
        uint64_t bits = n->dirty[w];
        while (bits) {
            size_t m = (size_t)w * 64U + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1U;
            native_restore_frame(n, m);
        }
        n->dirty[w] = 0;
        bits = n->fdirty[w];
        while (bits) {
            size_t m = (size_t)w * 64U + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1U;
            hv->frames[m] = n->snap.frames[m];
            hv->m2p[m] = n->snap.m2p[m];
            n->frame_gen[m] = 0;
        }
        n->fdirty[w] = 0;
    }
    for (domid_t i = 0; i < HV_MAX_DOMAINS; i++)
        native_restore_dom(n, i);

    /* the scalars around the domains and the console: whole ranges, so fields added to struct hv
       later are restored too (the pointers in them are the same in the snapshot) */
    uint32_t con = native_max3(s->console_len, hv->console_len, 0) + 1U;
    if (con > HV_CONSOLE_SIZE)
        con = HV_CONSOLE_SIZE;
    memcpy(hv, s, offsetof(struct hv, dom));
    memcpy(&hv->tlbclock, &s->tlbclock, offsetof(struct hv, console) - offsetof(struct hv, tlbclock));
    memcpy(hv->console, s->console, con);
    memcpy(&hv->console_len, &s->console_len, sizeof(*hv) - offsetof(struct hv, console_len));

    n->iso_pending = false;
    n->op_index = 0;
    n->last_op = -1;
    n->last_name = NULL;
    n->last_hc = -1;
    n->last_changed = false;
}

void native_note_op(struct native *n)
{
    n->op_index++;
}

static void native_close(struct target *t)
{
    struct native *n = t->priv;

    if (!n)
        return;
    if (n->hv) {
        n->hv->dirty = NULL;
        n->hv->fdirty = NULL;
        n->hv->dchunk = NULL;
        n->hv->frame_gen = NULL;
        hv_destroy(n->hv);
    }
    audit_base_free(n->abase);
    free(n->dirty);
    free(n->fdirty);
    free(n->dchunk);
    free(n->frame_gen);
    free(n->snap.frames);
    free(n->snap.mem);
    free(n->snap.m2p);
    free(n->snap.tab);
    free(n);
    t->priv = NULL;
}

static int native_open(struct target *t, const struct prog_shape *shape, const struct target_opts *o)
{
    struct native *n = calloc(1, sizeof(*n));

    t->priv = n;
    if (!n || native_build(n, shape, o) < 0 || native_snapshot(n) < 0) {
        native_close(t);
        return -1;
    }
    return 0;
}

static int native_reset(struct target *t)
{
    struct native *n = t->priv;

    n->snap.hv.bugs = t->opts.bugs;
    native_restore(n);
    return 0;
}

const struct target_ops native_target_ops = {
    .name = "native",
    .description = "the reference monitor linked in-process (snapshot reset)",
    .open = native_open,
    .reset = native_reset,
    .run_op = native_run_op,
    .check = native_check,
    .close = native_close,
    .state_features = native_state_features,
};
