/* Generator templates for the per-vCPU PV registers: callback_op, set_callbacks, nmi_op, set/get_debugreg and physdev_op. */
#include "gen/gen_internal.h"

/*
 * An address at a boundary of the ranges a 64-bit PV guest's pointers are checked against: the
 * ends of the lower canonical half, the non-canonical gap, Xen's range and the landmarks inside
 * it (4.17's layout: the M2P, the per-domain slots, the argument-translation area of vCPU 0 or
 * 1, the direct map), the first address above Xen, the top of memory; a few bytes either side.
 */
struct prog_arg gen_range_va(struct gen *g)
{
    static const uint64_t edge[] = {
        0, PV_GUEST_LOW_END - 8, PV_GUEST_LOW_END, XEN_VIRT_START, PERDOMAIN_VIRT_START,
        PERDOMAIN_VIRT_START + (1ULL << 30), ARG_XLAT_VIRT_START,
        ARG_XLAT_VIRT_START + (1ULL << ARG_XLAT_VCPU_SHIFT), DIRECTMAP_VIRT_START,
        XEN_VIRT_END - 8, XEN_VIRT_END, 0xFFFFFFFFFFFFFFF8ULL,
    };
    uint64_t v = edge[gen_below(g, sizeof(edge) / sizeof(edge[0]))];

    if (gen_chance(g, 1, 4))
        v += gen_chance(g, 1, 2) ? 8U * gen_below(g, 8) : -(uint64_t)(8U * (1 + gen_below(g, 8)));
    return GEN_IMM(v);
}

/* A DR6/DR7 value: a few of the architectural bits, sometimes a reserved or upper-half bit, any
   value now and then. DR7: enables, R/W types (I/O among them), lengths, GD. */
static uint64_t gen_dr_bits(struct gen *g, bool control)
{
    uint64_t v = 0;
    unsigned n = 1 + gen_below(g, 4);

    if (gen_chance(g, 1, 8))
        return gen_rand(g);
    for (unsigned i = 0; i < n; i++)
        v |= 1ULL << (control ? gen_below(g, 32) : gen_below(g, 16));
    if (control && gen_chance(g, 1, 2)) {
        unsigned bp = gen_below(g, 4);
        v |= (uint64_t)gen_below(g, 4) << (DR7_RW_SHIFT + 4U * bp);
        v |= 1ULL << (2U * bp + gen_below(g, 2));
    }
    if (gen_chance(g, 1, 8))
        v |= 1ULL << (32 + gen_below(g, 32));
    return v;
}

static void gen_debugreg(struct gen *g, struct gen_hc *h, unsigned dom, bool set)
{
    unsigned reg = gen_chance(g, 7, 8) ? gen_below(g, 8) : (unsigned)gen_count(g, 16);

    if (gen_chance(g, 1, 32))
        reg = 0xFFFFFFFFU;
    gen_hc_arg(h, 0, GEN_IMM(reg));
    if (!set)
        return;
    if (reg < 4)
        gen_hc_arg(h, 1, gen_chance(g, 1, 2) ? gen_range_va(g) : gen_va(g, dom));
    else
        gen_hc_arg(h, 1, GEN_IMM(gen_dr_bits(g, reg == 5 || reg == 7)));
}

/* callback_op: each 64-bit type and a few it lacks, the mask flag alone, with unknown bits, or
   none; an address of every kind. */
static void gen_callback(struct gen *g, struct gen_hc *h, unsigned dom)
{
    static const uint16_t types[] = { CALLBACKTYPE_event, CALLBACKTYPE_failsafe,
                                      CALLBACKTYPE_syscall, CALLBACKTYPE_nmi,
                                      CALLBACKTYPE_sysenter, CALLBACKTYPE_syscall32, 3, 6, 8 };
    uint32_t cmd = gen_chance(g, 15, 16) ? gen_below(g, 2) : gen_below(g, 8);
    int rec = gen_pl_alloc(h, sizeof(struct callback_register));

    gen_hc_arg(h, 0, GEN_IMM(cmd));
    if (rec < 0)
        return;
    uint16_t type = types[gen_below(g, sizeof(types) / sizeof(types[0]))];
    uint16_t flags = gen_chance(g, 1, 2) ? CALLBACKF_mask_events : 0;
    if (gen_chance(g, 1, 8))
        flags |= (uint16_t)(2U << gen_below(g, 15));
    gen_pl_put(h, (unsigned)rec, 2, gen_chance(g, 15, 16) ? type : gen_below(g, 0x10000));
    gen_pl_put(h, (unsigned)rec + 2, 2, flags);
    gen_pl_fix(h, (unsigned)rec + 8, 8, gen_chance(g, 3, 4) ? gen_va(g, dom) : gen_range_va(g));
    gen_hc_arg(h, 1, gen_chance(g, 15, 16) ? GEN_PAYLOAD((uint32_t)rec) : gen_va(g, dom));
}

static void gen_nmi(struct gen *g, struct gen_hc *h, unsigned dom)
{
    int rec = gen_pl_alloc(h, sizeof(struct xennmi_callback));

    gen_hc_arg(h, 0, GEN_IMM(gen_chance(g, 15, 16) ? gen_below(g, 2) : gen_below(g, 8)));
    if (rec < 0)
        return;
    gen_pl_fix(h, (unsigned)rec, 8, gen_chance(g, 3, 4) ? gen_va(g, dom) : gen_range_va(g));
    gen_hc_arg(h, 1, gen_chance(g, 15, 16) ? GEN_PAYLOAD((uint32_t)rec) : gen_va(g, dom));
}

/* physdev_op: set_iopl 0..4 and any, set_iobitmap with a bitmap at a range boundary or in the
   guest's memory and a port count at its limits, the refused and unknown commands. */
static void gen_physdev(struct gen *g, struct gen_hc *h, unsigned dom)
{
    static const uint32_t ports[] = { 0, 1, 1024, IOBMP_MAX_PORTS - 1, IOBMP_MAX_PORTS,
                                      IOBMP_MAX_PORTS + 1, 0xFFFFFFFFU };
    unsigned r = gen_below(g, 16);
    int rec = gen_pl_alloc(h, sizeof(struct physdev_set_iobitmap));

    if (rec < 0)
        return;
    if (r < 7) {
        gen_hc_arg(h, 0, GEN_IMM(PHYSDEVOP_set_iopl));
        gen_pl_put(h, (unsigned)rec, 4, gen_chance(g, 7, 8) ? gen_below(g, 5) : gen_rand(g));
    } else if (r < 14) {
        gen_hc_arg(h, 0, GEN_IMM(PHYSDEVOP_set_iobitmap));
        gen_pl_fix(h, (unsigned)rec, 8, gen_chance(g, 1, 2) ? gen_va(g, dom) : gen_range_va(g));
        gen_pl_put(h, (unsigned)rec + 8, 4, ports[gen_below(g, sizeof(ports) / sizeof(ports[0]))]);
    } else {
        gen_hc_arg(h, 0, GEN_IMM(gen_chance(g, 1, 2) ? PHYSDEVOP_dbgp_op : gen_below(g, 40)));
    }
    gen_hc_arg(h, 1, gen_chance(g, 15, 16) ? GEN_PAYLOAD((uint32_t)rec) : gen_va(g, dom));
}

void gen_pv_regs(struct gen *g, struct gen_hc *h, unsigned dom, unsigned vcpu)
{
    static const uint32_t nrs[] = { HYPERVISOR_callback_op, HYPERVISOR_set_callbacks,
                                    HYPERVISOR_nmi_op, HYPERVISOR_set_debugreg,
                                    HYPERVISOR_set_debugreg, HYPERVISOR_get_debugreg,
                                    HYPERVISOR_physdev_op };
    uint32_t nr = nrs[gen_below(g, sizeof(nrs) / sizeof(nrs[0]))];

    gen_hc_start(h, g, h->op, dom, vcpu, nr);
    switch (nr) {
    case HYPERVISOR_callback_op:
        gen_callback(g, h, dom);
        break;
    case HYPERVISOR_set_callbacks:
        for (unsigned i = 0; i < 3; i++)
            gen_hc_arg(h, i, gen_chance(g, 3, 4) ? gen_va(g, dom) : gen_range_va(g));
        break;
    case HYPERVISOR_nmi_op:
        gen_nmi(g, h, dom);
        break;
    case HYPERVISOR_physdev_op:
        gen_physdev(g, h, dom);
        break;
    default:
        gen_debugreg(g, h, dom, nr == HYPERVISOR_set_debugreg);
        break;
    }
}
