/* physdev_op for a PV domU without devices: set_iopl, set_iobitmap, and the refusals of the rest. */
#include "hvfuzz/hypercall.h"

/*
 * physdev_op(cmd, arg): set_iopl (0..3, else -EINVAL) sets the vCPU's virtual IOPL;
 * set_iobitmap takes a bitmap address and a port count up to 65536 (else -EINVAL); a record
 * that cannot be read is -EFAULT. dbgp_op is -EPERM outside the hardware domain. The interrupt
 * and PCI ops are not modelled: -ENOSYS (docs/MODEL.md says what Xen answers).
 */
long do_physdev_op(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    switch ((int)args[0]) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl si;
        if (copy_from_guest(hv, v, &si, args[1], sizeof(si)) < 0)
            return -XEN_EFAULT;
        if (si.iopl > 3)
            return -XEN_EINVAL;
        v->iopl = si.iopl << 12;
        return 0;
    }
    case PHYSDEVOP_set_iobitmap: {
        struct physdev_set_iobitmap sb;
        if (copy_from_guest(hv, v, &sb, args[1], sizeof(sb)) < 0)
            return -XEN_EFAULT;
        /* the bitmap passes Xen's guest_handle_okay for IOBMP_BYTES: a start in the guest's
           part of the address space (__addr_ok; access_ok's other arm, the compat
           argument-translation area, is mirrored in the guest's lower half since 4.14 and adds
           nothing). It is not read until a port is accessed. */
        if (!guest_range_ok(sb.bitmap, 1) || sb.nr_ports > IOBMP_MAX_PORTS)
            return -XEN_EINVAL;
        v->iobmp = sb.bitmap;
        v->iobmp_limit = sb.nr_ports;
        return 0;
    }
    case PHYSDEVOP_dbgp_op: {
        /* the hardware domain's record is read; without an EHCI debug port Xen answers 0 */
        uint8_t op[PHYSDEV_DBGP_OP_SIZE];
        if (!hv->dom[v->domid].privileged)
            return -XEN_EPERM;
        return copy_from_guest(hv, v, op, args[1], sizeof(op)) < 0 ? -XEN_EFAULT : 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
