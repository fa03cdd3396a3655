/* domctl shadow_op: Xen's log-dirty interface (enable, clean, peek, off) as a toolstack uses it. */
#include <string.h>
#include "hvfuzz/hypercall.h"

/* Bitmap bytes the model writes per call: Xen writes zeros up to the buffer's stated size,
   preempting every 2 MiB; the model stops after this many (a limit: the buffer past it is left
   as it was), which bounds an op's work whatever size the guest states. */
#define LOGDIRTY_COPY_MAX (1U << 20)

/* Copy pages bits of d's bitmap (zeros past the pfns the model logs, and all zeros while the
   mode is off, as Xen's bitmap is then absent) to the guest's handle. 0 or -EFAULT. */
static int shadow_copy_bitmap(struct hv *hv, struct vcpu *v, const struct domain *d,
                              uint64_t handle, uint64_t pages)
{
    uint64_t bytes = pages / 8U + (pages % 8U != 0);
    uint8_t chunk[256];
    for (uint64_t off = 0; off < bytes && off < LOGDIRTY_COPY_MAX; off += sizeof(chunk)) {
        size_t n = bytes - off < sizeof(chunk) ? (size_t)(bytes - off) : sizeof(chunk);
        memset(chunk, 0, sizeof(chunk));
        if (d->logdirty && off < sizeof(d->ld_bitmap)) {
            size_t have = sizeof(d->ld_bitmap) - (size_t)off;
            memcpy(chunk, (const uint8_t *)d->ld_bitmap + off, have < n ? have : n);
            /* bits of the last byte past the stated size are Xen's too: it copies whole bytes */
        }
        if (copy_to_guest(hv, v, handle + off, chunk, n) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

long domctl_shadow_op(struct hv *hv, struct vcpu *v, struct domain *d,
                      struct xen_domctl_shadow_op *sc)
{
    /* paging_domctl's order: the caller's own domain, a dying one (ignored), no vCPUs */
    if (d->id == v->domid)
        return -XEN_EINVAL;
    if (d->dying)
        return 0;
    if (d->nr_vcpus == 0)
        return -XEN_EINVAL;
    switch (sc->op) {
    case XEN_DOMCTL_SHADOW_OP_ENABLE:
        if (!(sc->mode & XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY))
            return -XEN_EINVAL;   /* shadow paging without log-dirty: not modelled */
        /* fallthrough */
    case XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY:
        if (d->logdirty)
            return -XEN_EINVAL;
        logdirty_enable(hv, d);
        return 0;
    case XEN_DOMCTL_SHADOW_OP_OFF:
        if (d->logdirty)
            logdirty_disable(hv, d);
        return 0;
    case XEN_DOMCTL_SHADOW_OP_CLEAN:
    case XEN_DOMCTL_SHADOW_OP_PEEK:
        if (sc->mode & ~XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL)
            return -XEN_EINVAL;
        /* the stats go out before the bitmap, and stay in the reply when its copy faults */
        sc->stats.fault_count = d->ld_fault_count;
        sc->stats.dirty_count = logdirty_dirty_count(d);
        if (sc->dirty_bitmap && shadow_copy_bitmap(hv, v, d, sc->dirty_bitmap, sc->pages) < 0)
            return -XEN_EFAULT;
        if (sc->op == XEN_DOMCTL_SHADOW_OP_CLEAN && d->logdirty)
            logdirty_clean(hv, d);
        else if (sc->op == XEN_DOMCTL_SHADOW_OP_CLEAN)
            d->ld_fault_count = d->ld_dirty_carried = 0;   /* the bitmap is empty when off */
        return 0;
    default:
        /* ENABLE_TEST, the allocation calls and unknown ops: shadow paging is not modelled */
        return -XEN_EINVAL;
    }
}
