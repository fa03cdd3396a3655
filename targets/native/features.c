/* The native target's state features for feedback: frame classes, domain, device and vCPU state. */
#include "targets/native/native.h"

/* Device state classes: UART latch/FIFO levels, CMOS index, the DMA ring's state and error. */
static uint32_t native_dev_state(const struct domain *d)
{
    const struct dev_uart *u = &d->uart;
    const struct dev_dma *m = &d->dma;
    uint32_t v = (u->lcr & 0x80U ? 1U : 0U) | (u->fcr & 1U) << 1 | (u->tx_count > 0) << 2 |
                 (u->tx_count >= UART_FIFO_SIZE) << 3 | (u->rx_count > 0) << 4 |
                 (u->lsr_err != 0) << 5 | (d->cmos.index < 14) << 6 | d->cmos.nmi_masked << 7;
    v |= (m->ring_size > 0) << 8 | (m->ctrl & 3U) << 9 | (m->status & 3U) << 11 |
         (m->error & 7U) << 13 | (m->completed > 0) << 16 | (m->completed > 4) << 17 |
         (m->log_total > 0) << 18;
    return v;
}

static uint32_t native_frame_class(const struct frame *fr)
{
    uint32_t lin = fr->linear_pt_count > 0 ? 1 : fr->linear_pt_count < 0 ? 2 : 0;
    uint32_t c = fr->count > 3 ? 3 : fr->count, tc = fr->type_count > 3 ? 3 : fr->type_count;
    uint32_t own = fr->owner == DOMID_INVALID ? 0 : fr->owner < HV_MAX_DOMAINS ? 1 : 2;

    return fr->type | (uint32_t)fr->flags << 4 | c << 12 | tc << 14 | lin << 16 | own << 18;
}

/*
 * Frame classes the audit distinguishes: type, pinned/validated/partial, small counts, linear.
 * Only frames whose entry changed since the snapshot (hv->fdirty) are classed: an unchanged frame
 * gives the class it gave on the first run, which can never be new again, and the scan then costs
 * what the program touched rather than the machine's size.
 */
void native_state_features(const struct target *t, void (*f)(uint32_t, void *), void *arg)
{
    const struct native *n = t->priv;
    const struct hv *hv = n->hv;
    uint32_t tag = 0x57A7E000U;

    for (uint32_t w = 0; w < n->dirty_words; w++) {
        for (uint64_t bits = n->fdirty[w]; bits; bits &= bits - 1U) {
            uint32_t m = w * 64U + (uint32_t)__builtin_ctzll(bits);
            f(feature_mix(tag, native_frame_class(&hv->frames[m])), arg);
        }
    }
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
        const struct domain *d = &hv->dom[i];
        uint32_t maps = 0, dev = 0, ports[8] = { 0 };
        if (!d->exists)
            continue;
        for (unsigned h = 0; h < GNT_MAX_MAPTRACK; h++)
            if (d->gnt.maptrack[h].in_use) {
                maps++;
                dev += (d->gnt.maptrack[h].flags & GNTMAP_device_map) != 0;
            }
        for (unsigned p = 0; p < EVTCHN_MAX_PORTS; p++)
            ports[d->evtchn[p].state & 7]++;
        f(feature_mix(tag + 4, native_dev_state(d)), arg);
        f(feature_mix(tag + 1, (uint32_t)d->dying | d->shutdown << 1 | (d->paused != 0) << 2 |
                                d->gnt.version << 3 | d->gnt.nr_frames << 5 |
                                (maps > 3 ? 3 : maps) << 8 | (dev > 2 ? 2 : dev) << 10 |
                                (d->relinquish_stage & 7) << 12), arg);
        for (unsigned s = 2; s < 6; s++)
            if (ports[s])
                f(feature_mix(tag + 2, s << 4 | (ports[s] > 3 ? 3 : ports[s])), arg);
        for (unsigned v = 0; v < d->nr_vcpus && v < HV_MAX_VCPUS; v++) {
            const struct vcpu *vc = &d->vcpu[v];
            f(feature_mix(tag + 3, (uint32_t)vc->up | vc->blocked << 1 | vc->cont.pending << 2 |
                                    (vc->old_guest_table != MFN_INVALID) << 3 |
                                    (vc->guest_table_user != MFN_INVALID) << 4 |
                                    (vc->cont.pending ? vc->cont.nr << 8 : 0)), arg);
        }
    }
}

