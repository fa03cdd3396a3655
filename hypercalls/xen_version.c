/* xen_version: version numbers, strings, feature bits and platform parameters. */
#include <string.h>
#include "hvfuzz/hypercall.h"

#define XEN_VER_MAJOR 4
#define XEN_VER_MINOR 17
#define XENVER_EXTRAVERSION_LEN 16U     /* xen_extraversion_t */
#define XENVER_CAPABILITIES_LEN 1024U   /* xen_capabilities_info_t */
/* XENFEAT_pae_pgdir_above_4gb (4) and XENFEAT_mmu_pt_update_preserve_ad (5): what a 64-bit PV
   guest of this model may rely on */
#define XENVER_FEATURES_SUBMAP0 ((1U << 4) | (1U << 5))

long do_xen_version(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint64_t arg = args[1];
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
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(hv, v, &fi, arg, sizeof(fi)) < 0)
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL;
        fi.submap = XENVER_FEATURES_SUBMAP0;
        return copy_to_guest(hv, v, arg, &fi, sizeof(fi)) < 0 ? -XEN_EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { .virt_start = XEN_VIRT_START };
        return copy_to_guest(hv, v, arg, &pp, sizeof(pp)) < 0 ? -XEN_EFAULT : 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
