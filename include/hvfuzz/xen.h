/* Xen PV ABI facts modelled by the reference monitor: numbers, flags, guest-visible struct layouts. */
#ifndef HVFUZZ_XEN_H
#define HVFUZZ_XEN_H

#include <stdint.h>

/* Hypercall numbers (public/xen.h): HYPERVISOR_<name> comes from the ABI table, one row per
   hypercall with its name and argument hints. */
#include "hvfuzz/abi.h"
/* Xen's hypercall table size: every number is below it. */
#define NR_HYPERCALLS                       64

/* errno values as Xen returns them (negated). */
#define XEN_EPERM       1
#define XEN_ENOENT      2
#define XEN_ESRCH       3
#define XEN_EINTR       4
#define XEN_ENXIO       6
#define XEN_ENODEV     19
#define XEN_E2BIG       7
#define XEN_EAGAIN     11
#define XEN_ENOMEM     12
#define XEN_EACCES     13
#define XEN_EFAULT     14
#define XEN_EBUSY      16
#define XEN_EEXIST     17
#define XEN_EINVAL     22
#define XEN_ENOSPC     28
#define XEN_ERANGE     34
#define XEN_EILSEQ     84
#define XEN_ENOSYS     38
#define XEN_ENOBUFS   105
#define XEN_EOPNOTSUPP 95
#define XEN_EOVERFLOW  75
/* Internal only: the hypercall was preempted and its arguments now describe the continuation. */
#define XEN_ERESTART   85

/* Domain ids. */
typedef uint16_t domid_t;
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U
#define DOMID_IO             0x7FF1U
#define DOMID_XEN            0x7FF2U
#define DOMID_COW            0x7FF3U
#define DOMID_INVALID        0x7FF4U

/* x86-64 page-table entry bits. */
#define PAGE_SHIFT      12
#define PAGE_SIZE       4096U
#define PTES_PER_TABLE  512U
#define _PAGE_PRESENT   0x001ULL
#define _PAGE_RW        0x002ULL
#define _PAGE_USER      0x004ULL
#define _PAGE_PWT       0x008ULL
#define _PAGE_PCD       0x010ULL
#define _PAGE_ACCESSED  0x020ULL
#define _PAGE_DIRTY     0x040ULL
#define _PAGE_PSE       0x080ULL   /* PAT in an L1 entry */
#define _PAGE_PAT       0x080ULL
#define _PAGE_GLOBAL    0x100ULL
#define _PAGE_AVAIL     0xE00ULL
#define _PAGE_NX        (1ULL << 63)
#define PTE_ADDR_MASK   0x000FFFFFFFFFF000ULL
#define PTE_HIGH_SW     0x7FF0000000000000ULL /* bits 52..62: Xen's _PAGE_AVAIL_HIGH */
/* Bit 62, which a debug build of Xen sets in the grant code's PTEs and refuses in a guest's L1
   entries. A release build (Debian's, the model's reference) defines _PAGE_GNTTAB 0: the bit is
   the guest's, one of AVAIL_HIGH, and grant mappings are known by their maptrack entries
   (gnttab_pte_held). Kept by name for the generators, which try it as a flag. */
#define _PAGE_GNTTAB    (1ULL << 62)

/* Flags a PV guest may not set, per level (4.17's base_disallow_mask: anything but P, RW, US,
   A, D, AVAIL, AVAIL_HIGH and NX; an L1 entry may set G, and in a release build nothing else
   is refused). */
#define L1_DISALLOW_MASK  0ULL
/* ...but in an L1 entry of a domain without I/O rights (no iomem or ioport ranges: every domain
   but dom0 here), the cache attributes (4.17's l1_disallow_mask) */
#define PAGE_CACHE_ATTRS  (_PAGE_PAT | _PAGE_PCD | _PAGE_PWT)
#define BASE_DISALLOW_MASK (_PAGE_PWT | _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL)
#define L2_DISALLOW_MASK  BASE_DISALLOW_MASK
#define L3_DISALLOW_MASK  BASE_DISALLOW_MASK
#define L4_DISALLOW_MASK  BASE_DISALLOW_MASK
/* Bits whose change alone takes the fast path (no revalidation). RW is not here: linear PTs exist. */
#define FASTPATH_FLAG_WHITELIST (_PAGE_NX | _PAGE_AVAIL | _PAGE_GLOBAL | _PAGE_DIRTY | \
                                 _PAGE_ACCESSED | _PAGE_USER)

/* Xen owns L4 slots 256..271 (0xffff800000000000 - 0xffff87ffffffffff). */
#define XEN_L4_FIRST_SLOT 256U
#define XEN_L4_LAST_SLOT  271U
/* public/arch-x86/xen.h's vcpu_guest_context of a 64-bit guest: VCPUOP_initialise and
   XEN_DOMCTL_setvcpucontext copy this many bytes before they look at anything. */
#define VCPU_GUEST_CONTEXT_SIZE 5168U

/* vm_assist (public xen.h): commands, and the assists a 64-bit PV domain may set (4.17's
   PV64_VM_ASSIST_MASK: 4gb_segments, _notify, writable_pagetables, pae_extended_cr3,
   architectural_iopl, runstate_update_flag, m2p_strict). */
#define VMASST_CMD_enable               0U
#define VMASST_CMD_disable              1U
#define VMASST_TYPE_architectural_iopl  4U
#define VMASST_PV64_VALID               (0x3FULL | (1ULL << 32))

/* set_segment_base (public arch-x86/xen-x86_64.h). */
#define SEGBASE_FS          0U
#define SEGBASE_GS_USER     1U
#define SEGBASE_GS_KERNEL   2U
#define SEGBASE_GS_USER_SEL 3U

/* A 64-bit PV kernel's flat selectors (public arch-x86/xen-x86_64.h): its ring is 3. */
#define PV_FLAT_KERNEL_CS 0xE033U
#define PV_FLAT_KERNEL_SS 0xE02BU
#define XEN_VIRT_START    0xFFFF800000000000ULL
#define XEN_VIRT_END      0xFFFF880000000000ULL

/* Descriptor tables (public arch-x86/xen.h, asm/desc.h): a guest GDT covers the pages below Xen's
   reserved GDT page; an LDT has at most 8192 entries; a 64-bit PV kernel's descriptors get DPL 3. */
#define FIRST_RESERVED_GDT_PAGE   14U
#define FIRST_RESERVED_GDT_ENTRY  (FIRST_RESERVED_GDT_PAGE * 4096U / 8U)
#define GDT_ENTRIES_PER_PAGE      512U
#define LDT_MAX_ENTRIES           8192U
#define PV_GUEST_KERNEL_RPL       3U
/* Bits of a descriptor's high word (asm/desc.h). */
#define SEG_TYPE_MASK   (15U << 8)
#define SEG_TYPE_CALL_GATE (12U << 8)  /* a 64-bit call gate in long mode */
#define SEG_S           (1U << 12)     /* code or data (not a system descriptor) */
#define SEG_DPL         (3U << 13)
#define SEG_P           (1U << 15)
#define SEG_L           (1U << 21)
#define SEG_GATE_RSVD   0xFFU          /* a 64-bit PV guest's call gate: reserved bits of its high word */
/* callback_op (public callback.h): commands, the 64-bit types (3 and 6 are not: -ENOSYS), the
   flag, and the two records. */
#define CALLBACKOP_register    0U
#define CALLBACKOP_unregister  1U
#define CALLBACKTYPE_event     0U
#define CALLBACKTYPE_failsafe  1U
#define CALLBACKTYPE_syscall   2U
#define CALLBACKTYPE_nmi       4U
#define CALLBACKTYPE_sysenter  5U
#define CALLBACKTYPE_syscall32 7U
#define CALLBACKTYPE_NR        8U   /* one past the highest type */
#define CALLBACKF_mask_events  0x1U
struct callback_register {
    uint16_t type;
    uint16_t flags;
    uint32_t pad;
    uint64_t address;
};
struct callback_unregister {
    uint16_t type;
    uint16_t unused;
};
/* nmi_op (public nmi.h). */
#define XENNMI_register_callback   0U
#define XENNMI_unregister_callback 1U
struct xennmi_callback {
    uint64_t handler_address;
    uint64_t pad;
};
#define PV_TRAP_NMI 2U

/* Debug registers as set_debugreg keeps them (4.17's asm/debugreg.h): DR6 reads its reserved
   bits as 1 (0xffff0ff0) and bit 12 as 0; DR7 reads bit 10 as 1 and bits 11, 12, 14, 15 as 0;
   the upper halves of both are reserved (-EINVAL). */
#define DR6_RESERVED_ONE   0xFFFF0FF0ULL
#define DR6_WRITABLE       0xFFFFEFFFULL
#define DR7_RESERVED_ONE   0x00000400ULL
#define DR7_WRITABLE       0xFFFF27FFULL
#define DR7_GD             0x00002000ULL
#define DR7_ACTIVE_MASK    0xFFULL         /* L0..3 and G0..3 */
#define DR7_RW_SHIFT       16U             /* then 4 bits per breakpoint: R/W (2), LEN (2) */
#define DR7_RW_IO          2U              /* an I/O breakpoint: needs CR4.DE */
/* What Xen lets a 64-bit PV guest name in DR0-3 (breakpoint_addr_ok, __addr_ok): the lower
   canonical half, or at and above the end of Xen's range. Before XSA-444's fix access_ok also let
   the vCPU's compat argument-translation area through; up to Xen 4.13 that was ARG_XLAT_START(v),
   2 pages, 16 KiB apart per vCPU, in the per-domain slot 2 of Xen's range (4.14 and later check
   a mirror of it in the guest's lower half, which __addr_ok admits anyway). */
#define PV_GUEST_LOW_END   0x0000800000000000ULL
#define ARG_XLAT_VIRT_START 0xFFFF820080000000ULL
#define ARG_XLAT_VCPU_SHIFT 14U
#define ARG_XLAT_SIZE       0x2000U
/* Landmarks of Xen's range in 4.17's layout (asm/config.h): the read-only M2P at its start, the
   per-domain area (slot 0 maps the GDT/LDT; slot 2 the argument translation), the direct map. */
#define PERDOMAIN_VIRT_START 0xFFFF820000000000ULL
#define DIRECTMAP_VIRT_START 0xFFFF830000000000ULL

/* physdev_op (public physdev.h): the two a PV domU without devices uses; the I/O bitmap covers
   65536 ports (IOBMP_BYTES). */
#define PHYSDEVOP_set_iopl      6U
#define PHYSDEVOP_set_iobitmap  7U
#define PHYSDEVOP_dbgp_op      29U
#define PHYSDEV_DBGP_OP_SIZE    6U     /* struct physdev_dbgp_op: op, bus, pci {seg, bus, devfn} */
#define IOBMP_BYTES          8192U
#define IOBMP_MAX_PORTS     65536U
struct physdev_set_iopl {
    uint32_t iopl;
};
struct physdev_set_iobitmap {
    uint64_t bitmap;
    uint32_t nr_ports;
    uint32_t pad;
};

/* Page-fault error code bits. */
#define PFEC_PRESENT  0x01U
#define PFEC_WRITE    0x02U
#define PFEC_USER     0x04U
#define PFEC_RSVD     0x08U
#define PFEC_INSN     0x10U

/* mmu_update: cmd = ptr & 7 (4.17; 4..7 are -ENOSYS). */
#define MMU_NORMAL_PT_UPDATE      0
#define MMU_MACHPHYS_UPDATE       1
#define MMU_PT_UPDATE_PRESERVE_AD 2
#define MMU_PT_UPDATE_NO_TRANSLATE 3
#define MMU_UPDATE_PREEMPTED      (1U << 31)  /* in count: continuation flag */
struct mmu_update {
    uint64_t ptr;
    uint64_t val;
};

/* mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE       0
#define MMUEXT_PIN_L2_TABLE       1
#define MMUEXT_PIN_L3_TABLE       2
#define MMUEXT_PIN_L4_TABLE       3
#define MMUEXT_UNPIN_TABLE        4
#define MMUEXT_NEW_BASEPTR        5
#define MMUEXT_TLB_FLUSH_LOCAL    6
#define MMUEXT_INVLPG_LOCAL       7
#define MMUEXT_TLB_FLUSH_MULTI    8
#define MMUEXT_INVLPG_MULTI       9
#define MMUEXT_TLB_FLUSH_ALL     10
#define MMUEXT_INVLPG_ALL        11
#define MMUEXT_FLUSH_CACHE       12
#define MMUEXT_SET_LDT           13
#define MMUEXT_NEW_USER_BASEPTR  15
#define MMUEXT_CLEAR_PAGE        16
#define MMUEXT_COPY_PAGE         17
#define MMUEXT_MARK_SUPER        19
#define MMUEXT_UNMARK_SUPER      20
struct mmuext_op {
    uint32_t cmd;
    uint32_t pad;
    uint64_t arg1;      /* mfn or linear_addr */
    uint64_t arg2;      /* nr_ents, vcpumask (guest pointer) or src_mfn */
};

/* update_va_mapping flags. */
#define UVMF_NONE           0ULL
#define UVMF_TLB_FLUSH      1ULL
#define UVMF_INVLPG         2ULL
#define UVMF_FLUSHTYPE_MASK 3ULL
#define UVMF_MULTI          0ULL  /* flags & ~3 is then a guest pointer to a vCPU bitmap */
#define UVMF_LOCAL          0ULL
#define UVMF_ALL            4ULL

/* memory_op. */
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page     2
#define XENMEM_current_reservation  3
#define XENMEM_maximum_reservation  4
#define XENMEM_populate_physmap     6
#define XENMEM_add_to_physmap       7
#define XENMEM_exchange            11
/* The largest extent order memory_op takes from a caller (Xen's max_order() with x86's Kconfig
   defaults): a domU's CONFIG_DOMU_MAX_ORDER (PAGETABLE_ORDER) and the control domain's
   CONFIG_CTLDOM_MAX_ORDER (PAGEALLOC_MAX_ORDER, twice that). */
#define XENMEM_DOMU_MAX_ORDER       9U
#define XENMEM_CTLDOM_MAX_ORDER    18U
#define MEMOP_EXTENT_SHIFT          6
#define MEMOP_CMD_MASK              ((1U << MEMOP_EXTENT_SHIFT) - 1)
struct xen_memory_reservation {
    uint64_t extent_start;  /* guest handle: array of xen_pfn_t (uint64_t) */
    uint64_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    domid_t  domid;
    uint16_t pad[3];
};
struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    uint64_t nr_exchanged;
};

/* grant_table_op. */
#define GNTTABOP_map_grant_ref        0
#define GNTTABOP_unmap_grant_ref      1
#define GNTTABOP_setup_table          2
#define GNTTABOP_dump_table           3
#define GNTTABOP_transfer             4
#define GNTTABOP_copy                 5
#define GNTTABOP_query_size           6
#define GNTTABOP_unmap_and_replace    7
#define GNTTABOP_set_version          8
#define GNTTABOP_get_status_frames    9
#define GNTTABOP_get_version         10
#define GNTTABOP_swap_grant_ref      11
#define GNTTABOP_cache_flush         12
/* cmd bits above the command: cache_flush's continuation (the ref its search reached); any
   other command with them set is -EINVAL */
#define GNTTABOP_CONTINUATION_ARG_SHIFT 12
#define GNTTABOP_CMD_MASK            ((1U << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1U)
#define GNTTAB_CACHE_CLEAN           (1U << 0)
#define GNTTAB_CACHE_INVAL           (1U << 1)
#define GNTTAB_CACHE_SOURCE_GREF     (1U << 31)
struct gnttab_cache_flush {
    uint64_t dev_bus_addr;   /* union with a grant_ref_t (SOURCE_GREF: not implemented in Xen) */
    uint16_t offset;
    uint16_t length;
    uint32_t op;
};

#define GNTST_okay                 0
#define GNTST_general_error      (-1)
#define GNTST_bad_domain         (-2)
#define GNTST_bad_gntref         (-3)
#define GNTST_bad_handle         (-4)
#define GNTST_bad_virt_addr      (-5)
#define GNTST_bad_dev_addr       (-6)
#define GNTST_no_device_space    (-7)
#define GNTST_permission_denied  (-8)
#define GNTST_bad_page           (-9)
#define GNTST_bad_copy_arg      (-10)
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)
#define GNTST_no_space          (-13)

/* Grant entry flags (v1 entry and v2 header). */
#define GTF_invalid          0x0000U
#define GTF_permit_access    0x0001U
#define GTF_accept_transfer  0x0002U
#define GTF_transitive       0x0003U
#define GTF_type_mask        0x0003U
#define GTF_readonly         0x0004U
#define GTF_reading          0x0008U
#define GTF_writing          0x0010U
#define GTF_transfer_committed 0x0004U
#define GTF_transfer_completed 0x0008U
#define GTF_sub_page         0x0100U  /* v2 only: sub_page entry layout */

#define GNTMAP_device_map       0x01U
#define GNTMAP_host_map         0x02U
#define GNTMAP_readonly         0x04U
#define GNTMAP_application_map  0x08U
#define GNTMAP_contains_pte     0x10U

#define GNTCOPY_source_gref     0x01U
#define GNTCOPY_dest_gref       0x02U

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

struct grant_entry_v1 {          /* 8 bytes */
    uint16_t flags;
    domid_t  domid;
    uint32_t frame;
};
struct grant_entry_v2 {          /* 16 bytes: header + full_page */
    uint16_t flags;
    domid_t  domid;
    uint32_t pad0;
    uint64_t frame;
};
typedef uint16_t grant_status_t; /* v2 status frames: GTF_reading | GTF_writing */

struct gnttab_map_grant_ref {
    uint64_t host_addr;
    uint32_t flags;
    grant_ref_t ref;
    domid_t  dom;
    int16_t  status;
    grant_handle_t handle;
    uint64_t dev_bus_addr;
};
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    grant_handle_t handle;
    int16_t  status;
    uint16_t pad;
};
struct gnttab_setup_table {
    domid_t  dom;
    uint16_t pad0;
    uint32_t nr_frames;
    int16_t  status;
    uint16_t pad1[3];
    uint64_t frame_list;     /* guest handle: xen_pfn_t[] */
};
struct gnttab_transfer {
    uint64_t mfn;
    domid_t  domid;
    uint16_t pad0;
    grant_ref_t ref;
    int16_t  status;
    uint16_t pad1[3];
};
struct gnttab_swap_grant_ref {
    grant_ref_t ref_a;
    grant_ref_t ref_b;
    int16_t  status;
    uint16_t pad;
};
struct gnttab_copy_ptr {
    uint64_t u;              /* grant_ref_t ref, or xen_pfn_t gmfn */
    domid_t  domid;
    uint16_t offset;
    uint32_t pad;
};
struct gnttab_copy {
    struct gnttab_copy_ptr source;
    struct gnttab_copy_ptr dest;
    uint16_t len;
    uint16_t flags;
    int16_t  status;
    uint16_t pad;
};
struct gnttab_query_size {
    domid_t  dom;
    uint16_t pad0;
    uint32_t nr_frames;
    uint32_t max_nr_frames;
    int16_t  status;
    uint16_t pad1;
};
struct gnttab_unmap_and_replace {
    uint64_t host_addr;
    uint64_t new_addr;
    grant_handle_t handle;
    int16_t  status;
    uint16_t pad;
};
struct gnttab_set_version {
    uint32_t version;
};
struct gnttab_get_status_frames {
    uint32_t nr_frames;
    domid_t  dom;
    int16_t  status;
    uint64_t frame_list;     /* guest handle: uint64_t[] */
};
struct gnttab_get_version {
    domid_t  dom;
    uint16_t pad;
    uint32_t version;
};

/* event_channel_op. */
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_bind_pirq        2
struct evtchn_bind_pirq { uint32_t pirq; uint32_t flags; uint32_t port; };
/* A domU's pirqs: nr_static_irqs (the GSIs: 24 on QEMU's q35) + extra_domU_irqs (32). */
#define EVTCHN_DOMU_NR_PIRQS      56U
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset           10
#define EVTCHNOP_init_control    11
#define EVTCHNOP_expand_array    12
#define EVTCHNOP_set_priority    13

#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

#define VIRQ_TIMER    0
#define VIRQ_DEBUG    1
#define VIRQ_CONSOLE  2
#define VIRQ_DOM_EXC  3
#define NR_VIRQS     24
/* Global VIRQs may only be bound on vCPU 0. */
#define VIRQ_IS_GLOBAL(v) ((v) == VIRQ_CONSOLE || (v) == VIRQ_DOM_EXC)

typedef uint32_t evtchn_port_t;
/* The 2-level ABI's ports for a 64-bit guest: one bit per port in 64 words of 64 bits. */
#define EVTCHN_2L_NR_CHANNELS   4096U
/* Xen allocates ports in buckets (EVTCHNS_PER_BUCKET: a page of 64-byte struct evtchn on x86-64)
   and a port is valid, nameable by the guest, below the buckets allocated so far; a bucket is
   freed only with its domain. */
#define EVTCHN_BUCKET 64U
/* The FIFO ABI (event_channel.h): priorities 0 (highest) .. 15, the link bits and its ports. */
#define EVTCHN_FIFO_PRIORITY_MAX      0U
#define EVTCHN_FIFO_PRIORITY_DEFAULT  7U
#define EVTCHN_FIFO_PRIORITY_MIN     15U
#define EVTCHN_FIFO_LINK_BITS        17U
#define EVTCHN_FIFO_NR_CHANNELS      (1U << EVTCHN_FIFO_LINK_BITS)
#define EVTCHN_FIFO_WORDS_PER_PAGE   (PAGE_SIZE / 4U)   /* event_word_t */
#define EVTCHN_FIFO_MAX_ARRAY_PAGES  (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_WORDS_PER_PAGE)
#define EVTCHN_FIFO_CONTROL_SIZE     72U   /* ready, _rsvd, head[16] */
struct evtchn_init_control { uint64_t control_gfn; uint32_t offset; uint32_t vcpu;
                             uint8_t link_bits; uint8_t pad[7]; };
struct evtchn_expand_array { uint64_t array_gfn; };
struct evtchn_set_priority { evtchn_port_t port; uint32_t priority; };
struct evtchn_alloc_unbound { domid_t dom, remote_dom; evtchn_port_t port; };
struct evtchn_bind_interdomain { domid_t remote_dom; uint16_t pad; evtchn_port_t remote_port;
                                 evtchn_port_t local_port; };
struct evtchn_bind_virq { uint32_t virq; uint32_t vcpu; evtchn_port_t port; };
struct evtchn_bind_ipi { uint32_t vcpu; evtchn_port_t port; };
struct evtchn_close { evtchn_port_t port; };
struct evtchn_send { evtchn_port_t port; };
struct evtchn_unmask { evtchn_port_t port; };
struct evtchn_bind_vcpu { evtchn_port_t port; uint32_t vcpu; };
struct evtchn_status {
    domid_t  dom;
    uint16_t pad0;
    evtchn_port_t port;
    uint32_t status;
    uint32_t vcpu;
    union {
        struct { domid_t dom; } unbound;
        struct { domid_t dom; uint16_t pad; evtchn_port_t port; } interdomain;
        uint32_t virq;
    } u;
};

/* sched_op. */
#define SCHEDOP_yield           0
#define SCHEDOP_block           1
#define SCHEDOP_shutdown        2
#define SCHEDOP_poll            3
#define SCHEDOP_remote_shutdown 4
#define SHUTDOWN_poweroff  0
#define SHUTDOWN_reboot    1
#define SHUTDOWN_suspend   2
#define SHUTDOWN_crash     3
#define SHUTDOWN_watchdog  4
struct sched_shutdown { uint32_t reason; };
struct sched_poll { uint64_t ports; uint32_t nr_ports; uint32_t pad; uint64_t timeout; };
struct sched_remote_shutdown { domid_t domain_id; uint16_t pad; uint32_t reason; };

/* vcpu_op. */
#define VCPUOP_initialise 0
#define VCPUOP_up         1
#define VCPUOP_down       2
#define VCPUOP_is_up      3
#define VCPUOP_set_periodic_timer   6
#define VCPUOP_stop_periodic_timer  7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
struct vcpu_set_singleshot_timer { uint64_t timeout_abs_ns; uint32_t flags; uint32_t pad; };

/* domctl: xen_domctl of Xen 4.17 (interface version 0x15), with the sub-ops the monitor has. */
#define XEN_DOMCTL_INTERFACE_VERSION 0x15
#define XEN_DOMCTL_createdomain   1
#define XEN_DOMCTL_destroydomain  2
#define XEN_DOMCTL_pausedomain    3
#define XEN_DOMCTL_unpausedomain  4
#define XEN_DOMCTL_getdomaininfo  5
#define XEN_DOMCTL_shadow_op     10
#define XEN_DOMCTL_max_mem       11
#define XEN_DOMCTL_max_vcpus     15
#define XEN_DOMCTL_CDF_hvm          (1U << 0)
#define XEN_DOMCTL_CDF_hap          (1U << 1)
#define XEN_DOMCTL_CDF_s3_integrity (1U << 2)
#define XEN_DOMCTL_CDF_oos_off      (1U << 3)
#define XEN_DOMCTL_CDF_xs_domain    (1U << 4)
#define XEN_DOMCTL_CDF_iommu        (1U << 5)
#define XEN_DOMCTL_CDF_nested_virt  (1U << 6)
#define XEN_DOMCTL_CDF_vpmu         (1U << 7)
#define XEN_DOMCTL_CDF_ALL          0xFFU       /* the flags 4.17 knows */
#define XEN_DOMCTL_IOMMU_no_sharept (1U << 0)
#define XEN_DOMCTL_GRANT_version_mask 0xFU
#define XEN_X86_EMU_LAPIC           (1U << 0)
#define XEN_X86_EMU_PIT             (1U << 8)
#define XEN_X86_EMU_VPCI            (1U << 10)
#define XEN_X86_EMU_ALL             0x7FFU      /* lapic..vpci */
#define XEN_X86_MSR_RELAXED         (1U << 0)
#define XEN_DOMINF_dying     (1U << 0)
#define XEN_DOMINF_hvm_guest (1U << 1)
#define XEN_DOMINF_shutdown  (1U << 2)
#define XEN_DOMINF_paused    (1U << 3)
#define XEN_DOMINF_blocked   (1U << 4)
#define XEN_DOMINF_running   (1U << 5)
#define XEN_DOMINF_shutdownshift 16
#define XEN_INVALID_MAX_VCPU_ID  (~0U)
#define XEN_DOMCTL_PAUSE_MAX 255   /* the control domain's pause count limit (-EOVERFLOW past it) */
struct xen_arch_domainconfig {
    uint32_t emulation_flags;
    uint32_t misc_flags;
};
struct xen_domctl_createdomain {
    uint32_t ssidref;
    uint8_t  handle[16];
    uint32_t flags;              /* XEN_DOMCTL_CDF_* */
    uint32_t iommu_opts;
    uint32_t max_vcpus;
    uint32_t max_evtchn_port;
    int32_t  max_grant_frames;   /* < 0: the hypervisor's default */
    int32_t  max_maptrack_frames;
    uint32_t grant_opts;         /* low 4 bits: the highest grant version allowed (0: default) */
    uint32_t vmtrace_size;
    uint32_t cpupool_id;
    struct xen_arch_domainconfig arch;
};
struct xen_domctl_getdomaininfo {
    domid_t  domain;
    uint16_t pad1;
    uint32_t flags;              /* XEN_DOMINF_*, the shutdown code from bit 16 */
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time;
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    uint8_t  handle[16];
    uint32_t cpupool;
    uint8_t  gpaddr_bits;
    uint8_t  pad2[7];
    struct xen_arch_domainconfig arch_config;
};
struct xen_domctl_max_mem { uint64_t max_memkb; };
struct xen_domctl_max_vcpus { uint32_t max; };
/* shadow_op: the log-dirty part (public/domctl.h); the other shadow modes are not modelled. */
#define XEN_DOMCTL_SHADOW_OP_OFF              0
#define XEN_DOMCTL_SHADOW_OP_ENABLE_TEST      1
#define XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY  2
#define XEN_DOMCTL_SHADOW_OP_CLEAN           11
#define XEN_DOMCTL_SHADOW_OP_PEEK            12
#define XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION  30
#define XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION  31
#define XEN_DOMCTL_SHADOW_OP_ENABLE          32
#define XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY   (1U << 2)
#define XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL     (1U << 0)
struct xen_domctl_shadow_op_stats {
    uint32_t fault_count;
    uint32_t dirty_count;
};
struct xen_domctl_shadow_op {
    uint32_t op;
    uint32_t mode;
    uint32_t mb;
    uint32_t pad;
    uint64_t dirty_bitmap;      /* guest handle of uint8: bit n = pfn n */
    uint64_t pages;             /* bits the buffer holds */
    struct xen_domctl_shadow_op_stats stats;
};
_Static_assert(sizeof(struct xen_domctl_shadow_op) == 40, "public/domctl.h layout");
struct xen_domctl {
    uint32_t cmd;
    uint32_t interface_version;
    domid_t  domain;
    uint16_t pad[3];
    union {
        struct xen_domctl_createdomain createdomain;
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_shadow_op shadow_op;
        struct xen_domctl_max_mem max_mem;
        struct xen_domctl_max_vcpus max_vcpus;
        uint8_t pad[128];
    } u;
};
_Static_assert(sizeof(struct xen_domctl_createdomain) == 64, "4.17 layout");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, nr_online_vcpus) == 64, "4.17 layout");
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 112, "4.17 layout");

/* multicall. */
struct multicall_entry {
    uint64_t op;
    int64_t  result;
    uint64_t args[6];
};

/* console_io. */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* xen_version. */
#define XENVER_version      0
#define XENVER_extraversion 1
#define XENVER_compile_info 2
#define XENVER_capabilities 3
#define XENVER_changeset    4
#define XENVER_platform_parameters 5
#define XENVER_get_features 6
#define XENVER_pagesize     7
#define XENVER_guest_handle 8
#define XENVER_commandline  9
#define XENVER_build_id     10
struct xen_feature_info { uint32_t submap_idx; uint32_t submap; };
struct xen_platform_parameters { uint64_t virt_start; };

#endif
