/* PV debug registers: set_debugreg and get_debugreg with Xen's address, reserved-bit and DR7 enable checks. */
#include "hvfuzz/hypercall.h"

/*
 * A breakpoint may name the lower canonical half or what lies above Xen's range, never Xen
 * itself (Xen's breakpoint_addr_ok). XSA-444: the check used to be access_ok, which also lets
 * the vCPU's compat argument-translation area through, inside Xen's range.
 */
static bool dr_addr_ok(struct hv *hv, const struct vcpu *v, uint64_t a)
{
    if (guest_range_ok(a, 1))
        return true;
    if (hv_bug_on(hv, HV_BUG_XSA444)) {
        uint64_t off = a - (ARG_XLAT_VIRT_START + ((uint64_t)v->id << ARG_XLAT_VCPU_SHIFT));
        return off < ARG_XLAT_SIZE && off + 8U <= ARG_XLAT_SIZE;
    }
    return false;
}

/* DR6 (and DR4 while CR4.DE is clear): the upper half is reserved (-EINVAL); the reserved
   bits are forced to what the register reads. */
static long dr_set_status(struct vcpu *v, uint64_t value)
{
    if (value != (uint32_t)value)
        return -XEN_EINVAL;
    v->dr6 = (value & DR6_WRITABLE) | DR6_RESERVED_ONE;
    return 0;
}

/*
 * DR7 (and DR5 while CR4.DE is clear): upper half reserved (-EINVAL), reserved bits forced,
 * GD refused (-EPERM). With an enable bit set, an I/O breakpoint needs CR4.DE (-EPERM, nothing
 * changed); its enables are kept apart (Xen emulates them) and out of DR7.
 */
static long dr_set_control(struct hv *hv, struct vcpu *v, uint64_t value)
{
    if (hv_bug_on(hv, HV_BUG_XSA12)) {
        /* XSA-12: the reserved-bit mask was an int, so the upper half went through as it came */
        value = (value & (DR7_WRITABLE | 0xFFFFFFFF00000000ULL)) | DR7_RESERVED_ONE;
    } else {
        if (value != (uint32_t)value)
            return -XEN_EINVAL;
        value = (value & DR7_WRITABLE) | DR7_RESERVED_ONE;
    }
    if (value & DR7_GD)
        return -XEN_EPERM;
    uint32_t io = 0;
    if (value & DR7_ACTIVE_MASK) {
        for (unsigned i = 0; i < 4; i++) {
            if (((value >> (DR7_RW_SHIFT + 4U * i)) & 3U) != DR7_RW_IO)
                continue;
            if (!v->cr4_de)
                return -XEN_EPERM;
            io |= (uint32_t)(value & (3ULL << (2U * i)));
        }
    }
    v->dr7_emul = io;
    v->dr7 = value & ~(uint64_t)io;
    return 0;
}

/* The register reg names: DR4 and DR5 alias DR6 and DR7 while CR4.DE is clear and name none
   (-1) while it is set; another number names itself. */
static int dr_alias(const struct vcpu *v, unsigned reg)
{
    if (reg == 4 || reg == 5)
        return v->cr4_de ? -1 : (int)reg + 2;
    return (int)reg;
}

/* set_debugreg(reg, value): DR0-3 take addresses dr_addr_ok allows (-EPERM); DR4 and DR5 alias
   DR6 and DR7 unless CR4.DE is set (-ENODEV); any other register is -ENODEV. */
long do_set_debugreg(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    int r = dr_alias(v, (unsigned)(int)args[0]);
    uint64_t value = args[1];

    switch (r) {
    case 0: case 1: case 2: case 3:
        if (!dr_addr_ok(hv, v, value))
            return -XEN_EPERM;
        v->dr[r] = value;
        return 0;
    case 6:
        return dr_set_status(v, value);
    case 7:
        return dr_set_control(hv, v, value);
    default:
        return -XEN_ENODEV;
    }
}

/* get_debugreg(reg): the register's value as the return (DR7 with the emulated I/O enables
   folded back in); DR4/DR5 alias as for set_debugreg; another register is -ENODEV. */
long do_get_debugreg(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    int r = dr_alias(v, (unsigned)(int)args[0]);

    (void)hv;
    switch (r) {
    case 0: case 1: case 2: case 3:
        return (long)v->dr[r];
    case 6:
        return (long)v->dr6;
    case 7:
        return (long)(v->dr7 | v->dr7_emul);
    default:
        return -XEN_ENODEV;
    }
}
