/* domctl: the control domain's create/destroy/pause/info/limits operations on other domains. */
#include <string.h>
#include "hvfuzz/hypercall.h"

/* Lowest free id >= 1 (0 is dom0), or -1 when all slots are in use. */
static int domctl_free_id(struct hv *hv)
{
    for (unsigned i = 1; i < HV_MAX_DOMAINS; i++)
        if (!hv->dom[i].exists)
            return (int)i;
    return -1;
}

static long domctl_createdomain(struct hv *hv, struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *cd = &op->u.createdomain;
    if (cd->max_vcpus == 0 || cd->max_vcpus > HV_MAX_VCPUS)
        return -XEN_EINVAL;
    int id;
    if (op->domain == 0) {
        id = domctl_free_id(hv);
        if (id < 0)
            return -XEN_ENOMEM;
    } else {
        /* reserved ids and ids beyond the machine's slots cannot be created */
        if (op->domain >= HV_MAX_DOMAINS)
            return -XEN_EINVAL;
        if (hv->dom[op->domain].exists)
            return -XEN_EEXIST;
        id = op->domain;
    }
    uint32_t max_pages = cd->max_pages > UINT32_MAX ? UINT32_MAX : (uint32_t)cd->max_pages;
    long rc = dom_create(hv, (domid_t)id, false, max_pages, cd->max_vcpus);
    if (rc < 0)
        return rc;
    /* Xen's max_evtchn_port is the highest usable port; the model keeps an exclusive limit.
       The grant limit may only be lowered, never below the frame gnttab_init gave the domain. */
    struct domain *d = &hv->dom[id];
    if (cd->max_evtchn_port)
        d->max_evtchn_port = cd->max_evtchn_port >= EVTCHN_MAX_PORTS - 1U
                                 ? EVTCHN_MAX_PORTS : cd->max_evtchn_port + 1U;
    if (cd->max_grant_frames && cd->max_grant_frames < d->gnt.max_frames)
        d->gnt.max_frames = cd->max_grant_frames < d->gnt.nr_frames ? d->gnt.nr_frames
                                                                    : cd->max_grant_frames;
    op->domain = (domid_t)id;
    return 0;
}

static void domctl_getdomaininfo(const struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = 0, online = 0;
    bool any_running = false;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        if (!d->vcpu[i].up)
            continue;
        online++;
        if (!d->vcpu[i].blocked)
            any_running = true;
    }
    if (d->dying)
        flags |= XEN_DOMINF_dying;
    if (d->shutdown)
        flags |= XEN_DOMINF_shutdown;
    if (d->paused)
        flags |= XEN_DOMINF_paused;
    if (online && !any_running)
        flags |= XEN_DOMINF_blocked;
    if (any_running)
        flags |= XEN_DOMINF_running;
    if (d->privileged)
        flags |= XEN_DOMINF_privileged;
    memset(info, 0, sizeof(*info));
    info->domain = d->id;
    info->flags = flags;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = 0;    /* no shared-info page in the model */
    info->nr_online_vcpus = online;
    info->max_vcpu_id = d->nr_vcpus ? d->nr_vcpus - 1U : 0U;
    info->shutdown_reason = d->shutdown_reason;
}

static long domctl_max_vcpus(struct hv *hv, struct domain *d, uint32_t max)
{
    if (max == 0 || max > HV_MAX_VCPUS)
        return -XEN_EINVAL;
    /* vCPUs in use hold base-pointer references: only unused ones can be taken away */
    for (unsigned i = max; i < d->nr_vcpus; i++) {
        const struct vcpu *v = &d->vcpu[i];
        if (v->up || v->initialised || v->guest_table != MFN_INVALID ||
            v->guest_table_user != MFN_INVALID || v->old_guest_table != MFN_INVALID)
            return -XEN_EBUSY;
    }
    for (unsigned i = d->nr_vcpus; i < max; i++)
        vcpu_init(hv, d, i);   /* as at creation */
    d->nr_vcpus = max;
    return 0;
}

long do_domctl(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct xen_domctl op;
    /* Xen's order: copy, interface version, then the permission check */
    if (copy_from_guest(hv, v, &op, args[0], sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -XEN_EACCES;
    struct domain *self = dom_get(hv, v->domid);
    if (!self || !self->privileged)
        return -XEN_EPERM;

    long rc;
    bool copyback = false;
    if (op.cmd == XEN_DOMCTL_createdomain) {
        rc = domctl_createdomain(hv, &op);
        copyback = rc == 0;
        goto out;
    }

    struct domain *d = dom_get(hv, op.domain);
    if (!d)
        return -XEN_ESRCH;
    switch (op.cmd) {
    case XEN_DOMCTL_destroydomain:
        /* arguments are unchanged: re-issuing resumes from d->relinquish_stage */
        rc = d == self ? -XEN_EINVAL : dom_destroy(hv, d);
        break;
    case XEN_DOMCTL_pausedomain:
        rc = -XEN_EINVAL;
        if (d != self) {
            d->paused = true;
            rc = 0;
        }
        break;
    case XEN_DOMCTL_unpausedomain:
        rc = d->paused && d != self ? 0 : -XEN_EINVAL;
        if (rc == 0)
            d->paused = false;
        break;
    case XEN_DOMCTL_getdomaininfo:
        domctl_getdomaininfo(d, &op.u.getdomaininfo);
        rc = 0;
        copyback = true;
        break;
    case XEN_DOMCTL_max_mem: {
        uint64_t pages = op.u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        /* lowering below tot_pages is allowed: it only stops further growth */
        d->max_pages = pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
        rc = 0;
        break;
    }
    case XEN_DOMCTL_max_vcpus:
        rc = domctl_max_vcpus(hv, d, op.u.max_vcpus.max);
        break;
    case XEN_DOMCTL_shadow_op:
        /* Xen copies the reply back whatever the result (arch_do_domctl) */
        rc = domctl_shadow_op(hv, v, d, &op.u.shadow_op);
        copyback = true;
        break;
    default:
        rc = -XEN_ENOSYS;
        break;
    }
out:
    if (copyback && copy_to_guest(hv, v, args[0], &op, sizeof(op)) < 0)
        rc = -XEN_EFAULT;
    return rc;
}
