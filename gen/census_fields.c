/* The field table: every hypercall, sub-op and exit field the generators fill, with its kind and real range. */
#include <stddef.h>

#include "hvfuzz/census.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/xen.h"

/*
 * Rows are (hypercall, sub-op) or (exit reason); fields are at an argument, at offsetof() in the
 * struct the record argument points at, or in an exit's qualification and registers. Ranges are
 * the model's limits (monitor.h, the handlers' bounds) where it has one, Xen's otherwise. It
 * lives in gen/ rather than beside the ABI table in ir/ because the ranges are the monitor's
 * (ir/ builds without it). Adding a hypercall: its rows here, next to its row in hvfuzz/abi.h.
 */

#define SZ(t, m) ((uint8_t)sizeof(((t *)0)->m))
/* an argument (Xen's prototype width) and a record field */
#define A(nm, i, w, k, mx, ...) { .name = nm, .where = CW_ARG, .kind = k, .width = w, .off = i, \
                                  .max = mx, __VA_ARGS__ }
#define F(t, m, nm, k, mx, ...) { .name = nm, .where = CW_REC, .kind = k, .width = SZ(t, m),   \
                                  .off = (uint16_t)offsetof(t, m), .max = mx, __VA_ARGS__ }
#define FO(off_, w, nm, k, mx, ...) { .name = nm, .where = CW_REC, .kind = k, .width = w,      \
                                      .off = off_, .max = mx, __VA_ARGS__ }
#define ROW(n, s, nm, ra, ca, sz, fl, ...) { .nr = n, .sub = s, .name = nm, .rec_arg = ra,     \
                                             .cnt_arg = ca, .rec_size = sz, .f = fl,           \
                                             .nf = sizeof(fl) / sizeof(fl[0]), __VA_ARGS__ }
#define ROW0(n, s, nm, ra, ca, sz, ...) { .nr = n, .sub = s, .name = nm, .rec_arg = ra,        \
                                          .cnt_arg = ca, .rec_size = sz, __VA_ARGS__ }
#define BIT(c) (1ULL << (c))
#define NONE CENSUS_NONE

/* Counts of the ABI's batched calls: bit 31 is the continuation flag (MMU_UPDATE_PREEMPTED). */
#define BATCH_MAX 0x7FFFFFFFULL
#define PTE_BITS (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_ACCESSED | \
                  _PAGE_DIRTY | _PAGE_PSE | _PAGE_GLOBAL | 0x200ULL | _PAGE_NX | _PAGE_GNTTAB |  \
                  (1ULL << 52))
#define UVMF_BITS (UVMF_TLB_FLUSH | UVMF_INVLPG | UVMF_ALL)
#define GNTMAP_BITS (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly | \
                     GNTMAP_application_map | GNTMAP_contains_pte)

/* ---- mmu_update: the call, then each request by cmd = ptr & 7 ---------------------------------- */
static const struct census_field f_mmu[] = {
    A("req", 0, 8, CK_VA, 0),
    A("count", 1, 4, CK_COUNT, BATCH_MAX),
    A("pdone", 2, 8, CK_VA, 0),
    A("foreigndom", 3, 2, CK_DOMID, 0),
};
static const struct census_field f_mmu_pt[] = {
    F(struct mmu_update, ptr, "ptr", CK_FRAME, 0, .shift = PAGE_SHIFT),
    /* the entry the request writes: bits 3..11 of ptr (its low bits are the cmd) */
    F(struct mmu_update, ptr, "ptr.entry", CK_ENUM, PTES_PER_TABLE - 1, .shift = 3,
      .mask = PTES_PER_TABLE - 1),
    F(struct mmu_update, val, "val", CK_PTE, 0, .mask = PTE_BITS),
};
static const struct census_field f_mmu_m2p[] = {
    F(struct mmu_update, ptr, "ptr", CK_FRAME, 0, .shift = PAGE_SHIFT),
    F(struct mmu_update, val, "gfn", CK_ENUM, HV_MAX_GFNS - 1),
};

/* ---- update_va_mapping (+ _otherdomain), set_gdt -------------------------------------------- */
static const struct census_field f_uva[] = {
    A("va", 0, 8, CK_VA, 0),
    A("val", 1, 8, CK_PTE, 0, .mask = PTE_BITS),
    A("flags", 2, 8, CK_FLAGS, 0, .mask = UVMF_BITS),
};
static const struct census_field f_uva_other[] = {
    A("va", 0, 8, CK_VA, 0),
    A("val", 1, 8, CK_PTE, 0, .mask = PTE_BITS),
    A("flags", 2, 8, CK_FLAGS, 0, .mask = UVMF_BITS),
    A("domid", 3, 2, CK_DOMID, 0),
};
static const struct census_field f_gdt[] = {
    A("frames", 0, 8, CK_VA, 0),
    A("entries", 1, 4, CK_COUNT, FIRST_RESERVED_GDT_ENTRY),
    FO(0, 8, "frames[0]", CK_FRAME, 0),
};
/* update_descriptor: the machine address (its frame, its misalignment) and the descriptor's
   high word: S, DPL, P and L tell check_descriptor's classes apart */
static const struct census_field f_upd[] = {
    A("maddr", 0, 8, CK_FRAME, 0, .shift = PAGE_SHIFT),
    A("maddr.misalign", 0, 1, CK_ENUM, 7, .mask = 7),
    A("desc.high", 1, 4, CK_FLAGS, 0, .shift = 32, .mask = SEG_S | SEG_DPL | SEG_P | SEG_L),
};

/* ---- memory_op --------------------------------------------------------------------------------- */
static const struct census_field f_mem[] = {
    /* the continuation's start extent rides in cmd's upper bits */
    { .name = "cmd.start", .where = CW_ARG, .kind = CK_COUNT, .width = 4, .shift = MEMOP_EXTENT_SHIFT,
      .off = 0, .max = HV_MAX_GFNS },
};
static const struct census_field f_mem_res[] = {
    F(struct xen_memory_reservation, extent_start, "extent_start", CK_VA, 0),
    F(struct xen_memory_reservation, nr_extents, "nr_extents", CK_COUNT, HV_MAX_GFNS),
    F(struct xen_memory_reservation, extent_order, "extent_order", CK_ORDER, XENMEM_DOMU_MAX_ORDER),
    F(struct xen_memory_reservation, mem_flags, "mem_flags", CK_FLAGS, 0, .mask = 0xFF),
    F(struct xen_memory_reservation, domid, "domid", CK_DOMID, 0),
};
static const struct census_field f_mem_xch[] = {
    F(struct xen_memory_exchange, in.extent_start, "in.extent_start", CK_VA, 0),
    F(struct xen_memory_exchange, in.nr_extents, "in.nr_extents", CK_COUNT, HV_MAX_GFNS),
    F(struct xen_memory_exchange, in.extent_order, "in.extent_order", CK_ORDER,
      XENMEM_DOMU_MAX_ORDER),
    F(struct xen_memory_exchange, in.domid, "in.domid", CK_DOMID, 0),
    F(struct xen_memory_exchange, out.extent_start, "out.extent_start", CK_VA, 0),
    F(struct xen_memory_exchange, out.nr_extents, "out.nr_extents", CK_COUNT, HV_MAX_GFNS),
    F(struct xen_memory_exchange, out.extent_order, "out.extent_order", CK_ORDER,
      XENMEM_DOMU_MAX_ORDER),
    F(struct xen_memory_exchange, out.domid, "out.domid", CK_DOMID, 0),
    F(struct xen_memory_exchange, nr_exchanged, "nr_exchanged", CK_COUNT, HV_MAX_GFNS),
};
static const struct census_field f_mem_dom[] = {
    FO(0, 2, "domid", CK_DOMID, 0),
};

/* ---- grant_table_op ------------------------------------------------------------------------------ */
static const struct census_field f_gnt[] = {
    A("count", 2, 4, CK_COUNT, GNT_BATCH_MAX),
};
static const struct census_field f_gnt_map[] = {
    F(struct gnttab_map_grant_ref, host_addr, "host_addr", CK_VA, 0),
    F(struct gnttab_map_grant_ref, flags, "flags", CK_FLAGS, 0, .mask = GNTMAP_BITS),
    F(struct gnttab_map_grant_ref, ref, "ref", CK_REF, GNT_MAX_REFS - 1, .rel = 4),
    F(struct gnttab_map_grant_ref, dom, "dom", CK_DOMID, 0),
};
static const struct census_field f_gnt_unmap[] = {
    F(struct gnttab_unmap_grant_ref, host_addr, "host_addr", CK_VA, 0),
    F(struct gnttab_unmap_grant_ref, dev_bus_addr, "dev_bus_addr", CK_FRAME, 0, .shift = PAGE_SHIFT),
    F(struct gnttab_unmap_grant_ref, handle, "handle", CK_HANDLE, GNT_MAX_MAPTRACK - 1),
};
static const struct census_field f_gnt_setup[] = {
    F(struct gnttab_setup_table, dom, "dom", CK_DOMID, 0),
    F(struct gnttab_setup_table, nr_frames, "nr_frames", CK_COUNT, GNT_MAX_FRAMES),
    F(struct gnttab_setup_table, frame_list, "frame_list", CK_VA, 0),
};
static const struct census_field f_gnt_xfer[] = {
    F(struct gnttab_transfer, mfn, "mfn", CK_FRAME, 0),
    F(struct gnttab_transfer, domid, "domid", CK_DOMID, 0),
    F(struct gnttab_transfer, ref, "ref", CK_REF, GNT_MAX_REFS - 1, .rel = 2),
};
static const struct census_field f_gnt_swap[] = {
    /* both refs index the caller's own table: no other owner can be named */
    F(struct gnttab_swap_grant_ref, ref_a, "ref_a", CK_REF, GNT_MAX_REFS - 1,
      .never = BIT(CC_OTHER) | BIT(CC_DOM0) | BIT(CC_GRANTED), .why = "the caller's refs only"),
    F(struct gnttab_swap_grant_ref, ref_b, "ref_b", CK_REF, GNT_MAX_REFS - 1,
      .never = BIT(CC_OTHER) | BIT(CC_DOM0) | BIT(CC_GRANTED), .why = "the caller's refs only"),
};
static const struct census_field f_gnt_copy[] = {
    /* u is a grant ref of domid when flags has the side's _gref bit, else a frame */
    F(struct gnttab_copy, source.u, "source.u", CK_FRAME, GNT_MAX_REFS - 1, .rel = 2, .alt = 8,
      .alt_bit = GNTCOPY_source_gref),
    F(struct gnttab_copy, source.domid, "source.domid", CK_DOMID, 0),
    F(struct gnttab_copy, source.offset, "source.offset", CK_OFFSET, PAGE_SIZE - 1, .rel = 7),
    F(struct gnttab_copy, dest.u, "dest.u", CK_FRAME, GNT_MAX_REFS - 1, .rel = 5, .alt = 8,
      .alt_bit = GNTCOPY_dest_gref),
    F(struct gnttab_copy, dest.domid, "dest.domid", CK_DOMID, 0),
    F(struct gnttab_copy, dest.offset, "dest.offset", CK_OFFSET, PAGE_SIZE - 1, .rel = 7),
    F(struct gnttab_copy, len, "len", CK_LEN, PAGE_SIZE),
    F(struct gnttab_copy, flags, "flags", CK_FLAGS, 0, .mask = GNTCOPY_source_gref | GNTCOPY_dest_gref),
};
static const struct census_field f_gnt_query[] = {
    F(struct gnttab_query_size, dom, "dom", CK_DOMID, 0),
};
static const struct census_field f_gnt_uar[] = {
    F(struct gnttab_unmap_and_replace, host_addr, "host_addr", CK_VA, 0),
    F(struct gnttab_unmap_and_replace, new_addr, "new_addr", CK_VA, 0),
    F(struct gnttab_unmap_and_replace, handle, "handle", CK_HANDLE, GNT_MAX_MAPTRACK - 1),
};
static const struct census_field f_gnt_setver[] = {
    F(struct gnttab_set_version, version, "version", CK_ENUM, 2),
};
static const struct census_field f_gnt_status[] = {
    F(struct gnttab_get_status_frames, nr_frames, "nr_frames", CK_COUNT, GNT_MAX_STATUS),
    F(struct gnttab_get_status_frames, dom, "dom", CK_DOMID, 0),
    F(struct gnttab_get_status_frames, frame_list, "frame_list", CK_VA, 0),
};
static const struct census_field f_gnt_cflush[] = {
    F(struct gnttab_cache_flush, dev_bus_addr, "dev_bus_addr", CK_FRAME, 0, .shift = PAGE_SHIFT),
    F(struct gnttab_cache_flush, offset, "offset", CK_OFFSET, PAGE_SIZE - 1, .rel = 3),
    F(struct gnttab_cache_flush, length, "length", CK_LEN, PAGE_SIZE),
    F(struct gnttab_cache_flush, op, "op", CK_FLAGS, 0,
      .mask = GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL | GNTTAB_CACHE_SOURCE_GREF),
};
static const struct census_field f_gnt_getver[] = {
    F(struct gnttab_get_version, dom, "dom", CK_DOMID, 0),
};

/* ---- event_channel_op ---------------------------------------------------------------------------- */
static const struct census_field f_ev_alloc[] = {
    F(struct evtchn_alloc_unbound, dom, "dom", CK_DOMID, 0),
    F(struct evtchn_alloc_unbound, remote_dom, "remote_dom", CK_DOMID, 0),
};
static const struct census_field f_ev_inter[] = {
    F(struct evtchn_bind_interdomain, remote_dom, "remote_dom", CK_DOMID, 0),
    F(struct evtchn_bind_interdomain, remote_port, "remote_port", CK_PORT, EVTCHN_MAX_PORTS - 1,
      .rel = 1),
};
static const struct census_field f_ev_virq[] = {
    F(struct evtchn_bind_virq, virq, "virq", CK_ENUM, NR_VIRQS - 1),
    F(struct evtchn_bind_virq, vcpu, "vcpu", CK_VCPU, 0),
};
static const struct census_field f_ev_ipi[] = {
    F(struct evtchn_bind_ipi, vcpu, "vcpu", CK_VCPU, 0),
};
static const struct census_field f_ev_port[] = {
    FO(0, 4, "port", CK_PORT, EVTCHN_MAX_PORTS - 1),
};
static const struct census_field f_ev_bvcpu[] = {
    F(struct evtchn_bind_vcpu, port, "port", CK_PORT, EVTCHN_MAX_PORTS - 1),
    F(struct evtchn_bind_vcpu, vcpu, "vcpu", CK_VCPU, 0),
};
static const struct census_field f_ev_status[] = {
    F(struct evtchn_status, dom, "dom", CK_DOMID, 0),
    F(struct evtchn_status, port, "port", CK_PORT, EVTCHN_MAX_PORTS - 1, .rel = 1),
};
static const struct census_field f_ev_dom[] = {
    FO(0, 2, "dom", CK_DOMID, 0),
};
static const struct census_field f_ev_init[] = {
    F(struct evtchn_init_control, control_gfn, "control_gfn", CK_FRAME, 0),
    F(struct evtchn_init_control, offset, "offset", CK_OFFSET,
      PAGE_SIZE - EVTCHN_FIFO_CONTROL_SIZE),
    F(struct evtchn_init_control, vcpu, "vcpu", CK_VCPU, 0),
};
static const struct census_field f_ev_expand[] = {
    F(struct evtchn_expand_array, array_gfn, "array_gfn", CK_FRAME, 0),
};
static const struct census_field f_ev_prio[] = {
    F(struct evtchn_set_priority, port, "port", CK_PORT, EVTCHN_MAX_PORTS - 1),
    F(struct evtchn_set_priority, priority, "priority", CK_ENUM, EVTCHN_FIFO_PRIORITY_MIN),
};

/* ---- sched_op, vcpu_op ----------------------------------------------------------------------- */
static const struct census_field f_sched_shutdown[] = {
    F(struct sched_shutdown, reason, "reason", CK_ENUM, SHUTDOWN_watchdog),
};
static const struct census_field f_sched_poll[] = {
    F(struct sched_poll, ports, "ports", CK_VA, 0),
    F(struct sched_poll, nr_ports, "nr_ports", CK_COUNT, 128),   /* SCHED_POLL_MAX_PORTS */
};
static const struct census_field f_sched_remote[] = {
    F(struct sched_remote_shutdown, domain_id, "domain_id", CK_DOMID, 0),
    F(struct sched_remote_shutdown, reason, "reason", CK_ENUM, SHUTDOWN_watchdog),
};
static const struct census_field f_vcpu[] = {
    A("vcpuid", 1, 4, CK_VCPU, 0),
};

/* ---- mmuext_op: the call, each record's cmd, then each cmd's arguments ---------------------- */
static const struct census_field f_ext[] = {
    A("ops", 0, 8, CK_VA, 0),
    A("count", 1, 4, CK_COUNT, BATCH_MAX),
    A("pdone", 2, 8, CK_VA, 0),
    A("foreigndom", 3, 2, CK_DOMID, 0),
    F(struct mmuext_op, cmd, "cmd", CK_ENUM, MMUEXT_UNMARK_SUPER),
};
static const struct census_field f_ext_mfn[] = {
    F(struct mmuext_op, arg1, "mfn", CK_FRAME, 0),
};
static const struct census_field f_ext_va[] = {
    F(struct mmuext_op, arg1, "linear_addr", CK_VA, 0),
};
static const struct census_field f_ext_mask[] = {
    F(struct mmuext_op, arg2, "vcpumask", CK_VA, 0),
};
static const struct census_field f_ext_invlpg_multi[] = {
    F(struct mmuext_op, arg1, "linear_addr", CK_VA, 0),
    F(struct mmuext_op, arg2, "vcpumask", CK_VA, 0),
};
static const struct census_field f_ext_copy[] = {
    F(struct mmuext_op, arg1, "mfn", CK_FRAME, 0),
    F(struct mmuext_op, arg2, "src_mfn", CK_FRAME, 0),
};
static const struct census_field f_ext_ldt[] = {
    F(struct mmuext_op, arg1, "linear_addr", CK_VA, 0),
    F(struct mmuext_op, arg2, "nr_ents", CK_COUNT, 8192),
};

/* ---- domctl, multicall, xen_version, console_io ---------------------------------------------- */
static const struct census_field f_domctl[] = {
    F(struct xen_domctl, cmd, "cmd", CK_ENUM, XEN_DOMCTL_max_vcpus),
    F(struct xen_domctl, interface_version, "interface_version", CK_ENUM, XEN_DOMCTL_INTERFACE_VERSION),
    F(struct xen_domctl, domain, "domain", CK_DOMID, 0),
};
static const struct census_field f_domctl_create[] = {
    F(struct xen_domctl, u.createdomain.flags, "flags", CK_FLAGS, 0, .mask = XEN_DOMCTL_CDF_ALL),
    F(struct xen_domctl, u.createdomain.iommu_opts, "iommu_opts", CK_FLAGS, 0, .mask = XEN_DOMCTL_IOMMU_no_sharept),
    F(struct xen_domctl, u.createdomain.max_vcpus, "max_vcpus", CK_COUNT, HV_MAX_VCPUS),
    F(struct xen_domctl, u.createdomain.max_evtchn_port, "max_evtchn_port", CK_COUNT, 4095),   /* 2-level ABI */
    F(struct xen_domctl, u.createdomain.max_grant_frames, "max_grant_frames", CK_COUNT, 64),
    F(struct xen_domctl, u.createdomain.max_maptrack_frames, "max_maptrack_frames", CK_COUNT, 1024),
    F(struct xen_domctl, u.createdomain.grant_opts, "grant_opts", CK_ENUM, 2),
    F(struct xen_domctl, u.createdomain.arch.emulation_flags, "emulation_flags", CK_ENUM, XEN_X86_EMU_PIT),
    F(struct xen_domctl, u.createdomain.arch.misc_flags, "misc_flags", CK_FLAGS, 0, .mask = XEN_X86_MSR_RELAXED),
};
static const struct census_field f_domctl_maxmem[] = {
    F(struct xen_domctl, u.max_mem.max_memkb, "max_memkb", CK_COUNT, HV_MAX_GFNS * (PAGE_SIZE / 1024U)),
};
static const struct census_field f_domctl_maxvcpus[] = {
    F(struct xen_domctl, u.max_vcpus.max, "max", CK_COUNT, HV_MAX_VCPUS),
};
static const struct census_field f_domctl_shadow[] = {
    F(struct xen_domctl, u.shadow_op.op, "op", CK_ENUM, XEN_DOMCTL_SHADOW_OP_ENABLE),
    F(struct xen_domctl, u.shadow_op.mode, "mode", CK_FLAGS, 0,
      .mask = XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL | XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY),
    F(struct xen_domctl, u.shadow_op.dirty_bitmap, "dirty_bitmap", CK_VA, 0),
    F(struct xen_domctl, u.shadow_op.pages, "pages", CK_COUNT, HV_MAX_GFNS),
};
/* The migrate op's round and finish (a synthetic argument, gen/census.c): what the migrating
   domain did since the previous phase, the interleaving a pre-copy round has to catch. */
static const struct census_field f_migrate[] = {
    A("since", 0, 1, CK_ENUM, CENSUS_MIG_HYPERCALL,
      .never = BIT(CC_MAX_P1) | BIT(CC_HUGE), .why = "a kind of op, not a value"),
};
static const struct census_field f_mc[] = {
    A("calls", 0, 8, CK_VA, 0),
    A("nr_calls", 1, 4, CK_COUNT, BATCH_MAX),
    F(struct multicall_entry, op, "op", CK_ENUM, NR_HYPERCALLS - 1),
};
static const struct census_field f_ver[] = {
    A("cmd", 0, 4, CK_ENUM, XENVER_build_id),
    A("arg", 1, 8, CK_VA, 0),
};
static const struct census_field f_con[] = {
    A("cmd", 0, 4, CK_ENUM, CONSOLEIO_read),
    /* the buffer's page offset plus count: a copy across the frame end */
    A("count", 1, 4, CK_LEN, HV_CONSOLE_SIZE),
    A("buf", 2, 8, CK_VA, 0, .rel = 2),
};

/* ---- VM exits ----------------------------------------------------------------------------------- */
#define QUAL(nm, sh, w, k, mx, ...) { .name = nm, .where = CW_QUAL, .kind = k, .width = w, \
                                      .shift = sh, .max = mx, __VA_ARGS__ }
#define REG(nm, r, w, k, mx, ...) { .name = nm, .where = CW_REG, .kind = k, .width = w,    \
                                    .off = ABI_REG_##r, .max = mx, __VA_ARGS__ }
static const struct census_field f_x_cpuid[] = {
    REG("leaf", RAX, 4, CK_ENUM, CPUID_HV_MAX),
    REG("subleaf", RCX, 4, CK_ENUM, 2),
};
static const struct census_field f_x_msr[] = {
    REG("msr", RCX, 4, CK_ENUM, MSR_TSC_AUX),
};
static const struct census_field f_x_io[] = {
    QUAL("port", 0, 2, CK_ENUM, 0xFFFF),
    QUAL("size", 16, 1, CK_LEN, 4),
    QUAL("dir", 24, 1, CK_FLAGS, 0, .mask = 0x7),   /* in, string, rep */
    REG("count", RCX, 8, CK_COUNT, EXIT_REP_MAX),
    REG("rsi", RSI, 8, CK_VA, 0),
    REG("rdi", RDI, 8, CK_VA, 0),
};
static const struct census_field f_x_mmio[] = {
    QUAL("offset", 0, 8, CK_OFFSET, DMA_MMIO_SIZE - 1, .base = DMA_MMIO_BASE),
};
/* the doorbell's descriptors: the payload holds the ring the device reads */
static const struct census_field f_x_dma[] = {
    F(struct dma_desc, src, "src", CK_GPA, 0, .rel = 3),
    F(struct dma_desc, dst, "dst", CK_GPA, 0, .rel = 3),
    F(struct dma_desc, len, "len", CK_LEN, DMA_LEN_MAX),
    F(struct dma_desc, flags, "flags", CK_FLAGS, 0, .mask = DMA_DESC_FILL),
};
static const struct census_field f_x_ept[] = {
    QUAL("gpa", 0, 8, CK_GPA, 0),
    { .name = "access", .where = CW_GLA, .kind = CK_FLAGS, .width = 1, .mask = 0x7 },
};
static const struct census_field f_x_exc[] = {
    QUAL("vector", 0, 1, CK_ENUM, 31),
    QUAL("error_code", 32, 4, CK_FLAGS, 0, .mask = 0x1F),
};

/* ---- set_trap_table, iret ------------------------------------------------------------------------- */
static const struct census_field f_trap[] = {
    FO(0, 1, "vector", CK_ENUM, 255),
    FO(1, 1, "flags", CK_FLAGS, 0, .mask = 0x7),                  /* DPL, TI_IF */
    FO(2, 2, "cs", CK_FLAGS, 0, .mask = 0x3),                     /* its RPL */
    FO(8, 8, "address", CK_VA, 0),
};
static const struct census_field f_iret[] = {
    FO(24, 8, "flags", CK_FLAGS, 0, .mask = 0x100),               /* VGCF_in_syscall */
    FO(32, 8, "rip", CK_VA, 0),
    FO(40, 8, "cs", CK_FLAGS, 0, .mask = 0x3),
    FO(48, 8, "rflags", CK_FLAGS, 0, .mask = 0x100 | 0x200 | 0x3000 | 0x20000 | 0x40000),
    FO(56, 8, "rsp", CK_VA, 0),
};
static const struct census_field f_stack_switch[] = {
    A("ss", 0, 8, CK_FLAGS, 0, .mask = 0x3),                      /* its RPL */
    A("sp", 1, 8, CK_VA, 0),
};
static const struct census_field f_fpu_ts[] = {
    A("set", 0, 4, CK_ENUM, 1),
};
static const struct census_field f_timer[] = {
    A("timeout", 0, 8, CK_COUNT, 1ULL << 50),                     /* 2^50 ns: Xen's "huge" */
};
static const struct census_field f_vm_assist[] = {
    A("cmd", 0, 4, CK_ENUM, VMASST_CMD_disable),
    A("type", 1, 4, CK_ENUM, 32),                                  /* m2p_strict, the last */
};
static const struct census_field f_segbase[] = {
    A("which", 0, 4, CK_ENUM, SEGBASE_GS_USER_SEL),
    A("base", 1, 8, CK_VA, 0),
};
/* ---- callback_op, set_callbacks, nmi_op, set/get_debugreg, physdev_op -------------------------- */
static const struct census_field f_set_callbacks[] = {
    A("event", 0, 8, CK_VA, 0),
    A("failsafe", 1, 8, CK_VA, 0),
    A("syscall", 2, 8, CK_VA, 0),
};
static const struct census_field f_cb_reg[] = {
    F(struct callback_register, type, "type", CK_ENUM, CALLBACKTYPE_syscall32),
    F(struct callback_register, flags, "flags", CK_FLAGS, 0, .mask = CALLBACKF_mask_events),
    F(struct callback_register, address, "address", CK_VA, 0),
};
static const struct census_field f_cb_unreg[] = {
    F(struct callback_unregister, type, "type", CK_ENUM, CALLBACKTYPE_syscall32),
};
static const struct census_field f_nmi_reg[] = {
    F(struct xennmi_callback, handler_address, "handler_address", CK_VA, 0),
};
static const struct census_field f_dr_addr[] = {
    A("value", 1, 8, CK_VA, 0),
};
/* DR6: B0-3, bit 12 (reads 0), BD, BS, BT, RTM; DR7: L0-G3, LE, GE, RTM, GD, R/W0, R/W1 */
static const struct census_field f_dr_status[] = {
    A("value", 1, 8, CK_FLAGS, 0, .mask = 0x1F00FULL),
};
static const struct census_field f_dr_control[] = {
    A("value", 1, 8, CK_FLAGS, 0, .mask = 0x332BFFULL),
};
static const struct census_field f_iopl[] = {
    F(struct physdev_set_iopl, iopl, "iopl", CK_ENUM, 3),
};
static const struct census_field f_iobmp[] = {
    F(struct physdev_set_iobitmap, bitmap, "bitmap", CK_VA, 0),
    F(struct physdev_set_iobitmap, nr_ports, "nr_ports", CK_COUNT, IOBMP_MAX_PORTS),
};
#define NO_PREEMPT .never_states = 1U << CS_PREEMPTED, \
                   .why_states = "not preemptible (nor is Xen's)"

#define GNT HYPERVISOR_grant_table_op
#define EV HYPERVISOR_event_channel_op
#define EXT HYPERVISOR_mmuext_op
#define X(r) (CENSUS_EXIT + (r))
#define DC_SZ ((uint16_t)sizeof(struct xen_domctl))
#define NO_OTHER_VCPU .never_states = 1U << CS_OTHER_VCPU, \
                      .why_states = "the toolstack's op has no vCPU"
#define NO_SEG .never_states = 1U << CS_TYPE_SEG_DESC, \
               .why_states = "seg_desc frames come from set_gdt; no generator aims this row at one"

const struct census_row census_rows[] = {
    ROW(HYPERVISOR_set_trap_table, CENSUS_ANY, "set_trap_table", 0, NONE, 16, f_trap),
    ROW(HYPERVISOR_mmu_update, CENSUS_ANY, "mmu_update", 0, 1, 16, f_mmu),
    ROW(HYPERVISOR_mmu_update, MMU_NORMAL_PT_UPDATE, "mmu_update.normal", 0, 1, 16, f_mmu_pt, NO_SEG),
    ROW(HYPERVISOR_mmu_update, MMU_MACHPHYS_UPDATE, "mmu_update.machphys", 0, 1, 16, f_mmu_m2p,
        NO_SEG),
    ROW(HYPERVISOR_mmu_update, MMU_PT_UPDATE_PRESERVE_AD, "mmu_update.preserve_ad", 0, 1, 16,
        f_mmu_pt, NO_SEG),
    ROW(HYPERVISOR_update_va_mapping, CENSUS_ANY, "update_va_mapping", NONE, NONE, 0, f_uva),
    ROW(HYPERVISOR_update_va_mapping_otherdomain, CENSUS_ANY, "update_va_mapping_otherdomain",
        NONE, NONE, 0, f_uva_other, NO_SEG),
    ROW(HYPERVISOR_set_gdt, CENSUS_ANY, "set_gdt", 0, NONE, 8, f_gdt),
    ROW(HYPERVISOR_update_descriptor, CENSUS_ANY, "update_descriptor", NONE, NONE, 0, f_upd),
    ROW(HYPERVISOR_stack_switch, CENSUS_ANY, "stack_switch", NONE, NONE, 0, f_stack_switch,
        NO_PREEMPT),
    ROW(HYPERVISOR_fpu_taskswitch, CENSUS_ANY, "fpu_taskswitch", NONE, NONE, 0, f_fpu_ts,
        NO_PREEMPT),
    ROW(HYPERVISOR_set_timer_op, CENSUS_ANY, "set_timer_op", NONE, NONE, 0, f_timer, NO_PREEMPT),
    ROW(HYPERVISOR_vm_assist, CENSUS_ANY, "vm_assist", NONE, NONE, 0, f_vm_assist, NO_PREEMPT),
    ROW(HYPERVISOR_set_segment_base, CENSUS_ANY, "set_segment_base", NONE, NONE, 0, f_segbase,
        NO_PREEMPT),
    ROW(HYPERVISOR_set_callbacks, CENSUS_ANY, "set_callbacks", NONE, NONE, 0, f_set_callbacks,
        NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 0, "set_debugreg.dr0", NONE, NONE, 0, f_dr_addr, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 1, "set_debugreg.dr1", NONE, NONE, 0, f_dr_addr, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 2, "set_debugreg.dr2", NONE, NONE, 0, f_dr_addr, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 3, "set_debugreg.dr3", NONE, NONE, 0, f_dr_addr, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 4, "set_debugreg.dr4", NONE, NONE, 0, f_dr_status, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 5, "set_debugreg.dr5", NONE, NONE, 0, f_dr_control, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 6, "set_debugreg.dr6", NONE, NONE, 0, f_dr_status, NO_PREEMPT),
    ROW(HYPERVISOR_set_debugreg, 7, "set_debugreg.dr7", NONE, NONE, 0, f_dr_control, NO_PREEMPT),
    ROW0(HYPERVISOR_get_debugreg, CENSUS_ANY, "get_debugreg", NONE, NONE, 0, NO_PREEMPT),
    ROW(HYPERVISOR_memory_op, CENSUS_ANY, "memory_op", NONE, NONE, 0, f_mem),
    ROW(HYPERVISOR_memory_op, XENMEM_increase_reservation, "memory_op.increase_reservation", 1,
        NONE, 32, f_mem_res),
    ROW(HYPERVISOR_memory_op, XENMEM_decrease_reservation, "memory_op.decrease_reservation", 1,
        NONE, 32, f_mem_res),
    ROW(HYPERVISOR_memory_op, XENMEM_populate_physmap, "memory_op.populate_physmap", 1, NONE, 32,
        f_mem_res),
    ROW(HYPERVISOR_memory_op, XENMEM_exchange, "memory_op.exchange", 1, NONE, 72, f_mem_xch),
    ROW(HYPERVISOR_memory_op, XENMEM_current_reservation, "memory_op.current_reservation", 1,
        NONE, 8, f_mem_dom),
    ROW(HYPERVISOR_memory_op, XENMEM_maximum_reservation, "memory_op.maximum_reservation", 1,
        NONE, 8, f_mem_dom),
    ROW(GNT, CENSUS_ANY, "grant_table_op", NONE, NONE, 0, f_gnt),
    ROW(GNT, GNTTABOP_map_grant_ref, "grant_table_op.map_grant_ref", 1, 2, 32, f_gnt_map),
    ROW(GNT, GNTTABOP_unmap_grant_ref, "grant_table_op.unmap_grant_ref", 1, 2, 24, f_gnt_unmap,
        NO_SEG),
    ROW(GNT, GNTTABOP_setup_table, "grant_table_op.setup_table", 1, NONE, 24, f_gnt_setup),
    ROW(GNT, GNTTABOP_transfer, "grant_table_op.transfer", 1, 2, 24, f_gnt_xfer),
    ROW(GNT, GNTTABOP_copy, "grant_table_op.copy", 1, 2, 40, f_gnt_copy, NO_SEG),
    ROW(GNT, GNTTABOP_query_size, "grant_table_op.query_size", 1, NONE, 16, f_gnt_query),
    ROW(GNT, GNTTABOP_unmap_and_replace, "grant_table_op.unmap_and_replace", 1, 2, 24, f_gnt_uar),
    ROW(GNT, GNTTABOP_set_version, "grant_table_op.set_version", 1, NONE, 4, f_gnt_setver),
    ROW(GNT, GNTTABOP_get_status_frames, "grant_table_op.get_status_frames", 1, NONE, 16,
        f_gnt_status),
    ROW(GNT, GNTTABOP_get_version, "grant_table_op.get_version", 1, NONE, 8, f_gnt_getver),
    ROW(GNT, GNTTABOP_cache_flush, "grant_table_op.cache_flush", 1, 2, 16, f_gnt_cflush, NO_SEG),
    ROW(GNT, GNTTABOP_swap_grant_ref, "grant_table_op.swap_grant_ref", 1, 2, 12, f_gnt_swap),
    ROW(EV, EVTCHNOP_bind_interdomain, "event_channel_op.bind_interdomain", 1, NONE, 12, f_ev_inter),
    ROW(EV, EVTCHNOP_bind_virq, "event_channel_op.bind_virq", 1, NONE, 12, f_ev_virq),
    ROW(EV, EVTCHNOP_close, "event_channel_op.close", 1, NONE, 4, f_ev_port),
    ROW(EV, EVTCHNOP_send, "event_channel_op.send", 1, NONE, 4, f_ev_port),
    ROW(EV, EVTCHNOP_status, "event_channel_op.status", 1, NONE, 24, f_ev_status),
    ROW(EV, EVTCHNOP_alloc_unbound, "event_channel_op.alloc_unbound", 1, NONE, 8, f_ev_alloc),
    ROW(EV, EVTCHNOP_bind_ipi, "event_channel_op.bind_ipi", 1, NONE, 8, f_ev_ipi),
    ROW(EV, EVTCHNOP_bind_vcpu, "event_channel_op.bind_vcpu", 1, NONE, 8, f_ev_bvcpu),
    ROW(EV, EVTCHNOP_unmask, "event_channel_op.unmask", 1, NONE, 4, f_ev_port),
    ROW(EV, EVTCHNOP_reset, "event_channel_op.reset", 1, NONE, 4, f_ev_dom),
    ROW(EV, EVTCHNOP_init_control, "event_channel_op.init_control", 1, NONE, 24, f_ev_init,
        NO_SEG),
    ROW(EV, EVTCHNOP_expand_array, "event_channel_op.expand_array", 1, NONE, 8, f_ev_expand,
        NO_SEG),
    ROW(EV, EVTCHNOP_set_priority, "event_channel_op.set_priority", 1, NONE, 8, f_ev_prio),
    ROW(HYPERVISOR_nmi_op, XENNMI_register_callback, "nmi_op.register_callback", 1, NONE, 16,
        f_nmi_reg, NO_PREEMPT),
    ROW0(HYPERVISOR_nmi_op, XENNMI_unregister_callback, "nmi_op.unregister_callback", NONE, NONE,
         0, NO_PREEMPT),
    ROW(HYPERVISOR_sched_op, SCHEDOP_shutdown, "sched_op.shutdown", 1, NONE, 4, f_sched_shutdown),
    ROW(HYPERVISOR_sched_op, SCHEDOP_poll, "sched_op.poll", 1, NONE, 24, f_sched_poll),
    ROW(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, "sched_op.remote_shutdown", 1, NONE, 8,
        f_sched_remote),
    ROW(HYPERVISOR_callback_op, CALLBACKOP_register, "callback_op.register", 1, NONE, 16,
        f_cb_reg, NO_PREEMPT),
    ROW(HYPERVISOR_callback_op, CALLBACKOP_unregister, "callback_op.unregister", 1, NONE, 4,
        f_cb_unreg, NO_PREEMPT),
    ROW(HYPERVISOR_iret, CENSUS_ANY, "iret", CENSUS_PL0, NONE, 72, f_iret, NO_PREEMPT),
    ROW(HYPERVISOR_vcpu_op, CENSUS_ANY, "vcpu_op", NONE, NONE, 0, f_vcpu),
    ROW(EXT, CENSUS_ANY, "mmuext_op", 0, 1, 24, f_ext),
    ROW(EXT, MMUEXT_PIN_L1_TABLE, "mmuext_op.pin_l1_table", 0, 1, 24, f_ext_mfn),
    ROW(EXT, MMUEXT_PIN_L2_TABLE, "mmuext_op.pin_l2_table", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_PIN_L3_TABLE, "mmuext_op.pin_l3_table", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_PIN_L4_TABLE, "mmuext_op.pin_l4_table", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_UNPIN_TABLE, "mmuext_op.unpin_table", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_NEW_BASEPTR, "mmuext_op.new_baseptr", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_NEW_USER_BASEPTR, "mmuext_op.new_user_baseptr", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_CLEAR_PAGE, "mmuext_op.clear_page", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_COPY_PAGE, "mmuext_op.copy_page", 0, 1, 24, f_ext_copy, NO_SEG),
    ROW(EXT, MMUEXT_INVLPG_LOCAL, "mmuext_op.invlpg_local", 0, 1, 24, f_ext_va),
    ROW(EXT, MMUEXT_INVLPG_ALL, "mmuext_op.invlpg_all", 0, 1, 24, f_ext_va),
    ROW(EXT, MMUEXT_INVLPG_MULTI, "mmuext_op.invlpg_multi", 0, 1, 24, f_ext_invlpg_multi),
    ROW(EXT, MMUEXT_TLB_FLUSH_MULTI, "mmuext_op.tlb_flush_multi", 0, 1, 24, f_ext_mask),
    ROW(EXT, MMUEXT_SET_LDT, "mmuext_op.set_ldt", 0, 1, 24, f_ext_ldt),
    ROW0(EXT, MMUEXT_TLB_FLUSH_LOCAL, "mmuext_op.tlb_flush_local", 0, 1, 24),
    ROW0(EXT, MMUEXT_TLB_FLUSH_ALL, "mmuext_op.tlb_flush_all", 0, 1, 24),
    ROW0(EXT, MMUEXT_FLUSH_CACHE, "mmuext_op.flush_cache", 0, 1, 24),
    ROW(EXT, MMUEXT_MARK_SUPER, "mmuext_op.mark_super", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(EXT, MMUEXT_UNMARK_SUPER, "mmuext_op.unmark_super", 0, 1, 24, f_ext_mfn, NO_SEG),
    ROW(HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, "physdev_op.set_iopl", 1, NONE, 4, f_iopl,
        NO_PREEMPT),
    ROW(HYPERVISOR_physdev_op, PHYSDEVOP_set_iobitmap, "physdev_op.set_iobitmap", 1, NONE, 16,
        f_iobmp, NO_PREEMPT),
    ROW(HYPERVISOR_domctl, CENSUS_ANY, "domctl", 0, NONE, DC_SZ, f_domctl),
    ROW(HYPERVISOR_domctl, XEN_DOMCTL_createdomain, "domctl.createdomain", 0, NONE, DC_SZ,
        f_domctl_create),
    ROW(HYPERVISOR_domctl, XEN_DOMCTL_max_mem, "domctl.max_mem", 0, NONE, DC_SZ, f_domctl_maxmem),
    ROW(HYPERVISOR_domctl, XEN_DOMCTL_max_vcpus, "domctl.max_vcpus", 0, NONE, DC_SZ,
        f_domctl_maxvcpus),
    ROW(HYPERVISOR_domctl, XEN_DOMCTL_shadow_op, "domctl.shadow_op", 0, NONE, DC_SZ,
        f_domctl_shadow),
    ROW(HYPERVISOR_multicall, CENSUS_ANY, "multicall", 0, 1, 72, f_mc),
    ROW(HYPERVISOR_xen_version, CENSUS_ANY, "xen_version", NONE, NONE, 0, f_ver),
    ROW(HYPERVISOR_console_io, CENSUS_ANY, "console_io", NONE, NONE, 0, f_con),
    ROW(X(EXIT_CPUID), CENSUS_ANY, "exit.cpuid", NONE, NONE, 0, f_x_cpuid),
    ROW(X(EXIT_MSR_READ), CENSUS_ANY, "exit.msr_read", NONE, NONE, 0, f_x_msr),
    ROW(X(EXIT_MSR_WRITE), CENSUS_ANY, "exit.msr_write", NONE, NONE, 0, f_x_msr),
    ROW(X(EXIT_IO), CENSUS_ANY, "exit.io", NONE, NONE, 0, f_x_io),
    ROW(X(EXIT_MMIO), CENSUS_ANY, "exit.mmio", NONE, NONE, 0, f_x_mmio),
    ROW(X(EXIT_MMIO), DMA_REG_TAIL, "exit.mmio.dma_doorbell", CENSUS_PL0, NONE, DMA_DESC_SIZE,
        f_x_dma),
    ROW(X(EXIT_EPT_VIOLATION), CENSUS_ANY, "exit.ept_violation", NONE, NONE, 0, f_x_ept),
    ROW(X(EXIT_EXCEPTION), CENSUS_ANY, "exit.exception", NONE, NONE, 0, f_x_exc),
    ROW0(CENSUS_MIGRATE, MIGRATE_BEGIN, "migrate.begin", NONE, NONE, 0, NO_OTHER_VCPU),
    ROW(CENSUS_MIGRATE, MIGRATE_ROUND, "migrate.round", NONE, NONE, 0, f_migrate, NO_OTHER_VCPU),
    ROW(CENSUS_MIGRATE, MIGRATE_FINISH, "migrate.finish", NONE, NONE, 0, f_migrate,
        NO_OTHER_VCPU),
};
const unsigned census_nr_rows = sizeof(census_rows) / sizeof(census_rows[0]);
