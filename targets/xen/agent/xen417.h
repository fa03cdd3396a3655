/* Xen 4.17's own domctl layouts and PV start-up structures, as the agent's builder needs them. */
#ifndef HVFUZZ_XEN_AGENT_XEN417_H
#define HVFUZZ_XEN_AGENT_XEN417_H

#include <stdint.h>

/*
 * The model follows a newer domctl (include/hvfuzz/xen.h: interface version 0x18, its own
 * subset of the union); the Xen the agent runs on is 4.17, which refuses any version but its
 * own. These are 4.17's public/domctl.h numbers and offsets (RELEASE-4.17.7), the command
 * numbers being the same in both.
 */
#define XEN417_DOMCTL_VERSION        0x15U
#define XEN417_DOMCTL_setvcpucontext 12U
#define XEN417_GRANT_VERSION_MAX     2U     /* grant_opts: the highest version the domain may use */

/* struct xen_domctl_createdomain (64 bytes) */
struct xen417_createdomain {
    uint32_t ssidref;
    uint8_t  handle[16];
    uint32_t flags;                 /* XEN_DOMCTL_CDF_*: 0 for a PV guest without IOMMU */
    uint32_t iommu_opts;
    uint32_t max_vcpus;
    uint32_t max_evtchn_port;
    int32_t  max_grant_frames;      /* < 0: Xen's default */
    int32_t  max_maptrack_frames;
    uint32_t grant_opts;
    uint32_t vmtrace_size;
    uint32_t cpupool_id;
    uint32_t emulation_flags;       /* arch: 0 for PV */
    uint32_t misc_flags;
};

/* struct xen_domctl_getdomaininfo: the fields up to shared_info_frame */
struct xen417_getdomaininfo {
    uint16_t domain;
    uint16_t pad1;
    uint32_t flags;                 /* XEN_DOMINF_* */
    uint64_t tot_pages, max_pages, outstanding_pages, shr_pages, paged_pages;
    uint64_t shared_info_frame;
};

struct xen417_domctl {
    uint32_t cmd;
    uint32_t interface_version;
    uint16_t domain;
    uint16_t pad[3];
    union {
        struct xen417_createdomain createdomain;
        struct xen417_getdomaininfo getdomaininfo;
        struct { uint32_t max; } max_vcpus;
        struct { uint64_t max_memkb; } max_mem;
        struct { uint32_t vcpu, pad; uint64_t ctxt; } vcpucontext;
        uint8_t pad[128];
    } u;
};

/*
 * public/arch-x86/xen.h's vcpu_guest_context for a 64-bit guest (5168 bytes), as offsets: the
 * builder fills a zeroed buffer with the few fields a PV vCPU starts from.
 */
#define XEN417_VGC_SIZE        VCPU_GUEST_CONTEXT_SIZE
#define XEN417_VGC_FLAGS       512U     /* VGCF_* */
#define XEN417_VGC_REGS        520U     /* struct cpu_user_regs */
#define XEN417_REGS_RSI        104U
#define XEN417_REGS_RIP        128U
#define XEN417_REGS_CS         136U
#define XEN417_REGS_RFLAGS     144U
#define XEN417_REGS_RSP        152U
#define XEN417_REGS_SS         160U
#define XEN417_VGC_KERNEL_SS   4968U
#define XEN417_VGC_KERNEL_SP   4976U
#define XEN417_VGC_CTRLREG     4984U    /* ctrlreg[8]; [3] is CR3 = L4 mfn << 12 */
#define XEN417_VGCF_in_kernel  (1U << 2)
#define XEN417_VGCF_online     (1U << 5)
#define XEN417_FLAT_KERNEL_SS  0xE02BU
#define XEN417_FLAT_KERNEL_CS  0xE033U

/* public/xen.h: start_info's magic for a 64-bit guest, and its flags. */
#define XEN417_SI_MAGIC        "xen-3.0-x86_64"
#define XEN417_SIF_INITDOMAIN  (1U << 1)
/* shared_info starts with 32 vcpu_info of 64 bytes: upcall_pending, upcall_mask, ... */
#define XEN417_VCPU_INFO_SIZE  64U
#define XEN417_UPCALL_MASK     1U

#endif
