/* xen_version: version numbers, strings, feature bits and platform parameters. */
#include <string.h>
#include "hvfuzz/hypercall.h"

#define XEN_VER_MAJOR 4
#define XEN_VER_MINOR 17
#define XENVER_EXTRAVERSION_LEN 16U     /* xen_extraversion_t */
#define XENVER_CAPABILITIES_LEN 1024U   /* xen_capabilities_info_t */
#define XENVER_COMPILE_INFO_LEN 144U    /* xen_compile_info_t: 64 + 16 + 32 + 32 */
#define XENVER_CHANGESET_LEN    64U     /* xen_changeset_info_t */
#define XENVER_HANDLE_LEN       16U     /* xen_domain_handle_t */
#define XENVER_COMMANDLINE_LEN  1024U   /* xen_commandline_t */
#define XENVER_BUILD_ID_LEN     20U     /* a GNU build id (SHA-1), as Debian's Xen has */
/* XENFEAT bits 4.17 gives a PV domain: mmu_pt_update_preserve_ad (5), highmem_assist (6),
   gnttab_map_avail_bits (7), memory_op_vnode_supported (13), direct_mapped (17); dom0 (11) to
   the hardware domain; pae_pgdir_above_4gb (4) under the pae_extended_cr3 assist */
#define XENVER_FEATURES_PV ((1U << 5) | (1U << 6) | (1U << 7) | (1U << 13) | (1U << 17))
#define XENVER_VMASST_PAE_EXTCR3 3U

/* A fixed-size string answer: the whole array goes to the guest, as Xen copies it. */
static long xenver_string(struct hv *hv, struct vcpu *v, uint64_t arg, const char *s, size_t len)
{
    char buf[XENVER_COMMANDLINE_LEN];

    memset(buf, 0, len);
    strncpy(buf, s, len - 1);
    return copy_to_guest(hv, v, arg, buf, len) < 0 ? -XEN_EFAULT : 0;
}

/*
 * Xen 4.17's answers and its default XSM policy: version, platform_parameters and get_features
 * for everyone; extraversion, compile_info, capabilities, changeset, pagesize and guest_handle
 * for everyone; commandline and build_id only for a privileged domain (others get "<denied>"
 * and -EPERM). The strings are the model's own (they name no build of Xen).
 */
long do_xen_version(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint64_t arg = args[1];
    const struct domain *d = &hv->dom[v->domid];
    switch ((uint32_t)args[0]) {
    case XENVER_version:
        return (XEN_VER_MAJOR << 16) | XEN_VER_MINOR;
    case XENVER_extraversion: {
        /* the whole fixed-size array goes to the guest, as Xen copies it */
        char extra[XENVER_EXTRAVERSION_LEN] = ".0-hvfuzz";
        return copy_to_guest(hv, v, arg, extra, sizeof(extra)) < 0 ? -XEN_EFAULT : 0;
    }
    case XENVER_capabilities: {
        static const char caps[] = "xen-3.0-x86_64 ";
        char info[XENVER_CAPABILITIES_LEN];
        memset(info, 0, sizeof(info));
        memcpy(info, caps, sizeof(caps));
        return copy_to_guest(hv, v, arg, info, sizeof(info)) < 0 ? -XEN_EFAULT : 0;
    }
    case XENVER_compile_info: {
        char info[XENVER_COMPILE_INFO_LEN];
        memset(info, 0, sizeof(info));
        strcpy(info, "hvfuzz model");            /* compiler[64] */
        strcpy(info + 64, "hvfuzz");             /* compile_by[16] */
        strcpy(info + 80, "model");              /* compile_domain[32] */
        return copy_to_guest(hv, v, arg, info, sizeof(info)) < 0 ? -XEN_EFAULT : 0;
    }
    case XENVER_changeset:
        return xenver_string(hv, v, arg, "hvfuzz model", XENVER_CHANGESET_LEN);
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(hv, v, &fi, arg, sizeof(fi)) < 0)
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL;
        fi.submap = XENVER_FEATURES_PV;
        if ((d->vm_assist >> XENVER_VMASST_PAE_EXTCR3) & 1U)
            fi.submap |= 1U << 4;
        if (d->privileged && d->id == 0)
            fi.submap |= 1U << 11;
        return copy_to_guest(hv, v, arg, &fi, sizeof(fi)) < 0 ? -XEN_EFAULT : 0;
    }
    case XENVER_pagesize:
        return arg ? -XEN_EINVAL : (long)PAGE_SIZE;   /* a non-null handle is refused */
    case XENVER_guest_handle: {
        uint8_t hdl[XENVER_HANDLE_LEN] = { 0 };  /* the model's domains have no handle */
        return copy_to_guest(hv, v, arg, hdl, sizeof(hdl)) < 0 ? -XEN_EFAULT : 0;
    }
    case XENVER_commandline:
        if (!d->privileged)
            return copy_to_guest(hv, v, arg, "<denied>", 9) < 0 ? -XEN_EFAULT : 0;
        return xenver_string(hv, v, arg, "", XENVER_COMMANDLINE_LEN);
    case XENVER_build_id: {
        /* struct xen_build_id { uint32_t len; unsigned char buf[]; }: a null handle asks the size */
        uint32_t len;
        if (!d->privileged)
            return -XEN_EPERM;
        if (!arg)
            return XENVER_BUILD_ID_LEN;
        if (copy_from_guest(hv, v, &len, arg, sizeof(len)) < 0)
            return -XEN_EFAULT;
        if (len == 0)
            return -XEN_EINVAL;
        if (len < XENVER_BUILD_ID_LEN)
            return -XEN_ENOBUFS;
        uint8_t id[XENVER_BUILD_ID_LEN];
        memset(id, 0x5A, sizeof(id));
        return copy_to_guest(hv, v, arg + sizeof(len), id, sizeof(id)) < 0 ? (long)-XEN_EFAULT
                                                                          : XENVER_BUILD_ID_LEN;
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { .virt_start = XEN_VIRT_START };
        return copy_to_guest(hv, v, arg, &pp, sizeof(pp)) < 0 ? -XEN_EFAULT : 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
