/* vcpu_op: bring the caller's own vCPUs up and down, query them, a minimal initialise, timers. */
#include <string.h>
#include "hvfuzz/hypercall.h"

/*
 * VCPUOP_initialise model: Xen takes a full vcpu_guest_context; the model keeps only what matters
 * to the memory model, its ctrlreg[3]: the context's first 8 bytes hold the gfn of the vCPU's
 * kernel L4 (docs/MODEL.md). Xen copies the whole context before it looks at the vCPU, so an
 * argument whose 5168 bytes are not all readable is -EFAULT first, even for an initialised vCPU.
 */
static long vcpu_initialise(struct hv *hv, struct vcpu *caller, struct domain *d, struct vcpu *t,
                            uint64_t arg)
{
    static uint8_t ctx[VCPU_GUEST_CONTEXT_SIZE];
    uint64_t gfn;
    if (copy_from_guest(hv, caller, ctx, arg, sizeof(ctx)) < 0)
        return -XEN_EFAULT;
    memcpy(&gfn, ctx, sizeof(gfn));
    if (t->initialised)
        return -XEN_EEXIST;
    if (gfn >= HV_MAX_GFNS || d->p2m[gfn] == MFN_INVALID)
        return -XEN_EINVAL;
    int rc = pt_new_baseptr(hv, t, d->p2m[gfn], false);
    if (rc < 0)
        return rc;
    t->initialised = true;
    return 0;
}

long do_vcpu_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct domain *d = dom_get(hv, v->domid);
    if (!d)
        return -XEN_ESRCH;
    /* Xen's prototype takes (int cmd, unsigned int vcpuid): the registers are truncated */
    uint32_t cmd = (uint32_t)args[0];
    struct vcpu *t = dom_vcpu(d, (uint32_t)args[1]);
    if (!t)
        return -XEN_ENOENT;

    switch (cmd) {
    case VCPUOP_initialise:
        return vcpu_initialise(hv, v, d, t, args[2]);
    case VCPUOP_up:
        if (!t->initialised)
            return -XEN_EINVAL;
        t->up = true;
        return 0;
    case VCPUOP_down: {
        t->up = false;
        t->blocked = false;
        t->polling = false;
        /* as in Xen, the last vCPU going down powers the domain off */
        bool others = false;
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            if (d->vcpu[i].up)
                others = true;
        if (!others)
            dom_shutdown(d, SHUTDOWN_poweroff);
        return 0;
    }
    case VCPUOP_is_up:
        return t->up ? 1 : 0;
    /* Timers: the model has no time, so none fires; Xen's argument checks and answers. */
    case VCPUOP_set_periodic_timer: {
        uint64_t period_ns;
        if (copy_from_guest(hv, v, &period_ns, args[2], sizeof(period_ns)) < 0)
            return -XEN_EFAULT;
        /* at least 1 ms, at most STIME_DELTA_MAX (2^62 - 1) */
        return period_ns < 1000000U || period_ns > (~0ULL >> 2) ? -XEN_EINVAL : 0;
    }
    case VCPUOP_stop_periodic_timer:
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer set;
        if (t != v)
            return -XEN_EINVAL;
        /* a time already past only sends the timer event at once: still 0 */
        return copy_from_guest(hv, v, &set, args[2], sizeof(set)) < 0 ? -XEN_EFAULT : 0;
    }
    case VCPUOP_stop_singleshot_timer:
        return t != v ? -XEN_EINVAL : 0;
    default:
        return -XEN_ENOSYS;
    }
}
