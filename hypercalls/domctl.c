/* domctl: the control domain's create/destroy/pause/info/limits operations on other domains. */
#include <string.h>
#include "hvfuzz/hypercall.h"

/*
 * The id a new domain gets: the one asked for if it is an ordinary id (-EEXIST if taken), else
 * the first free one after the last id handed out, as Xen's rover (a static there, machine
 * state here so that replay is deterministic). Ids past the model's slots cannot exist: asked
 * for, they are -ENOMEM (Xen would create them; a capacity limit written in docs/MODEL.md).
 */
static long domctl_pick_id(struct hv *hv, domid_t want)
{
    if (want > 0 && want < DOMID_FIRST_RESERVED) {
        if (want < HV_MAX_DOMAINS && hv->dom[want].exists)
            return -XEN_EEXIST;
        return want < HV_MAX_DOMAINS ? want : -XEN_ENOMEM;
    }
    for (unsigned i = 1; i < HV_MAX_DOMAINS; i++) {
        unsigned id = (hv->domid_rover + i) % HV_MAX_DOMAINS;
        if (id && !hv->dom[id].exists)
            return id;
    }
    return -XEN_ENOMEM;
}

/* Xen 4.17's sanitise_domain_config, its x86 part and domain_create's checks, for the machine
   QEMU's TCG gives the real Xen target: no IOMMU, no vmtrace, no vPMU, no HAP; HVM is there
   (SVM), but the model builds PV domains only. */
static long domctl_config_check(const struct xen_domctl_createdomain *cd)
{
    uint32_t version = cd->grant_opts & XEN_DOMCTL_GRANT_version_mask;

    if (cd->flags & ~XEN_DOMCTL_CDF_ALL)
        return -XEN_EINVAL;
    if (cd->grant_opts & ~XEN_DOMCTL_GRANT_version_mask)
        return -XEN_EINVAL;
    if (cd->max_vcpus < 1)
        return -XEN_EINVAL;
    if ((cd->flags & XEN_DOMCTL_CDF_hap) && !(cd->flags & XEN_DOMCTL_CDF_hvm))
        return -XEN_EINVAL;
    if (cd->flags & XEN_DOMCTL_CDF_iommu)
        return -XEN_EINVAL;             /* no IOMMU */
    if (cd->iommu_opts)
        return -XEN_EINVAL;             /* options without the IOMMU */
    if (cd->vmtrace_size || (cd->flags & XEN_DOMCTL_CDF_vpmu))
        return -XEN_EINVAL;             /* neither is available */
    if (cd->max_vcpus > HV_MAX_VCPUS)
        return -XEN_EINVAL;             /* the model's limit; Xen's is 8192 for PV, 128 HVM */
    if (cd->flags & XEN_DOMCTL_CDF_nested_virt)
        return -XEN_EINVAL;             /* needs HAP */
    if (cd->arch.misc_flags & ~XEN_X86_MSR_RELAXED)
        return -XEN_EINVAL;
    /* then, in domain_create: the grant table's limits (max version 2, 64 frames, 1024 maptrack
       frames by default) and the emulators a PV domain may have */
    if (version == 0 || version > 2)
        return -XEN_EINVAL;
    if ((cd->max_grant_frames >= 0 && (cd->max_grant_frames < 1 || cd->max_grant_frames > 64)) ||
        cd->max_maptrack_frames > 1024)
        return -XEN_EINVAL;
    if (cd->arch.emulation_flags & ~XEN_X86_EMU_ALL)
        return -XEN_EINVAL;
    if (cd->flags & XEN_DOMCTL_CDF_hvm) {
        /* an HVM domain needs every emulator but vPCI, or the local APIC only; one that has
           them Xen (with SVM under QEMU) would build, the model has no HVM and refuses it */
        uint32_t em = cd->arch.emulation_flags;
        return em == (XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI) || em == XEN_X86_EMU_LAPIC
                   ? -XEN_EINVAL : -XEN_EOPNOTSUPP;
    }
    if (cd->arch.emulation_flags && cd->arch.emulation_flags != XEN_X86_EMU_PIT)
        return -XEN_EOPNOTSUPP;
    return 0;
}

static long domctl_createdomain(struct hv *hv, struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *cd = &op->u.createdomain;
    long id = domctl_pick_id(hv, op->domain);
    if (id < 0)
        return id;
    long rc = domctl_config_check(cd);
    if (rc < 0)
        return rc;
    /* a new domain may have no memory until max_mem gives it some */
    rc = dom_create(hv, (domid_t)id, false, 0, cd->max_vcpus);
    if (rc < 0)
        return rc;
    if (op->domain == 0 || op->domain >= DOMID_FIRST_RESERVED)
        hv->domid_rover = (domid_t)id;
    struct domain *d = &hv->dom[id];
    /* the toolstack unpauses it once built (Xen's controller pause count starts at 1) */
    d->paused = 1;
    /* max_evtchn_port is the highest usable port; the model keeps an exclusive limit within its
       table. The grant limit may only be lowered, never below the frame gnttab_init gave it. */
    d->max_evtchn_port = cd->max_evtchn_port >= EVTCHN_MAX_PORTS - 1U ? EVTCHN_MAX_PORTS
                                                                       : cd->max_evtchn_port + 1U;
    if (cd->max_grant_frames >= 0 && (uint32_t)cd->max_grant_frames < d->gnt.max_frames)
        d->gnt.max_frames = (uint32_t)cd->max_grant_frames < d->gnt.nr_frames
                                ? d->gnt.nr_frames : (uint32_t)cd->max_grant_frames;
    op->domain = (domid_t)id;
    return 0;
}

/* Xen's getdomaininfo: on this one-CPU machine only the caller's vCPU is running. */
static void domctl_getdomaininfo(const struct domain *d, const struct vcpu *caller,
                                 struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = XEN_DOMINF_blocked;

    memset(info, 0, sizeof(*info));
    info->domain = d->id;
    info->max_vcpu_id = d->nr_vcpus ? d->nr_vcpus - 1U : XEN_INVALID_MAX_VCPU_ID;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *v = &d->vcpu[i];
        if (!v->up)
            continue;
        if (!v->blocked)
            flags &= ~XEN_DOMINF_blocked;
        if (v == caller)
            flags |= XEN_DOMINF_running;
        info->nr_online_vcpus++;
    }
    info->flags = (info->nr_online_vcpus ? flags : 0) | (d->dying ? XEN_DOMINF_dying : 0) |
                  (d->shutdown ? XEN_DOMINF_shutdown : 0) |
                  (d->paused ? XEN_DOMINF_paused : 0) |
                  (d->shutdown ? d->shutdown_reason << XEN_DOMINF_shutdownshift : 0);
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = 0;    /* no shared-info page in the model */
}

/* The domain getdomaininfo reports for id: that one, or the next that exists (Xen walks its
   domain list to the first id >= the one asked for). NULL: none. */
static struct domain *domctl_info_domain(struct hv *hv, domid_t id)
{
    for (unsigned i = id; i < HV_MAX_DOMAINS; i++)
        if (hv->dom[i].exists)
            return &hv->dom[i];
    return NULL;
}

long do_domctl(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    struct xen_domctl op;
    /* Xen's order: copy, interface version, the domain (-ESRCH), then the permission check */
    if (copy_from_guest(hv, v, &op, args[0], sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -XEN_EACCES;
    struct domain *self = dom_get(hv, v->domid);
    bool privileged = self && self->privileged;
    long rc;
    bool copyback = false;
    struct domain *d = NULL;

    if (op.cmd == XEN_DOMCTL_getdomaininfo) {
        if (op.domain >= DOMID_FIRST_RESERVED)
            return -XEN_EINVAL;
        d = domctl_info_domain(hv, op.domain);
        if (!d)
            return -XEN_ESRCH;
        if (!privileged)
            return -XEN_EPERM;
        domctl_getdomaininfo(d, v, &op.u.getdomaininfo);
        op.domain = d->id;
        rc = 0;
        copyback = true;
        goto out;
    }
    if (op.cmd != XEN_DOMCTL_createdomain) {
        d = dom_get(hv, op.domain);
        if (!d)
            return -XEN_ESRCH;
    }
    if (!privileged)
        return -XEN_EPERM;
    switch (op.cmd) {
    case XEN_DOMCTL_createdomain:
        rc = domctl_createdomain(hv, &op);
        copyback = rc == 0;
        break;
    case XEN_DOMCTL_destroydomain:
        /* arguments are unchanged: re-issuing resumes from d->relinquish_stage. Xen would
           kill the caller itself; the model refuses (its dom0 runs the program) */
        rc = d == self ? -XEN_EINVAL : dom_destroy(hv, d);
        break;
    case XEN_DOMCTL_pausedomain:
        rc = -XEN_EINVAL;
        if (d != self)
            rc = d->paused >= XEN_DOMCTL_PAUSE_MAX ? -XEN_EOVERFLOW : (d->paused++, 0);
        break;
    case XEN_DOMCTL_unpausedomain:
        rc = d->paused ? (d->paused--, 0) : -XEN_EINVAL;
        break;
    case XEN_DOMCTL_max_mem: {
        uint64_t pages = op.u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        /* lowering below tot_pages is allowed: it only stops further growth */
        d->max_pages = pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
        rc = 0;
        break;
    }
    case XEN_DOMCTL_max_vcpus:
        /* since 4.12 the vCPUs are made at creation: this only confirms their number */
        rc = d == self || op.u.max_vcpus.max != d->nr_vcpus ? -XEN_EINVAL : 0;
        break;
    case XEN_DOMCTL_shadow_op:
        /* Xen copies the reply back whatever the result (arch_do_domctl) */
        rc = domctl_shadow_op(hv, v, d, &op.u.shadow_op);
        copyback = true;
        break;
    default:
        /* what 4.17 does with a sub-op it has no case for: arch_do_domctl hands it to the
           IOMMU code, which refuses a domain without an IOMMU */
        rc = -XEN_EOPNOTSUPP;
        break;
    }
out:
    if (copyback && copy_to_guest(hv, v, args[0], &op, sizeof(op)) < 0)
        rc = -XEN_EFAULT;
    return rc;
}
