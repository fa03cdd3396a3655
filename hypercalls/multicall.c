/* multicall: a batch of hypercalls read from a guest array, each result written back. */
#include <stddef.h>
#include "hvfuzz/hypercall.h"

#define MC_ENTRY_SIZE ((uint64_t)sizeof(struct multicall_entry))

/*
 * Continuation: the guest re-issues multicall(list + i, nr - i). An entry that was itself
 * preempted is written back with its rewritten arguments first, so it resumes where it stopped.
 */
static long multicall_continue(uint64_t args[6], uint64_t list, uint32_t left)
{
    args[0] = list;
    args[1] = left;
    return -XEN_ERESTART;
}

long do_multicall(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    uint64_t list = args[0];
    uint32_t nr = (uint32_t)args[1];   /* Xen's prototype: unsigned int nr_calls */
    /* guest_handle_okay: Xen's access_ok looks at the list's first address only; an entry
       past the guest's range fails when it is read */
    if (!guest_range_ok(list, 1))
        return -XEN_EFAULT;

    for (uint32_t i = 0; i < nr; i++) {
        uint64_t at = list + (uint64_t)i * MC_ENTRY_SIZE;
        struct multicall_entry e;
        if (copy_from_guest(hv, v, &e, at, sizeof(e)) < 0)
            return -XEN_EFAULT;

        long rc;
        if (e.op == HYPERVISOR_multicall)
            rc = -XEN_EINVAL;   /* re-entry is refused, the batch goes on */
        else if (e.op >= NR_HYPERCALLS || !hypercall_table[e.op])
            rc = -XEN_ENOSYS;
        else
            rc = hypercall_table[e.op](hv, v, e.args);

        if (rc == -XEN_ERESTART) {
            if (copy_to_guest(hv, v, at, &e, sizeof(e)) < 0)
                return -XEN_EFAULT;
            return multicall_continue(args, at, nr - i);
        }
        e.result = rc;
        if (copy_to_guest(hv, v, at + offsetof(struct multicall_entry, result),
                          &e.result, sizeof(e.result)) < 0)
            return -XEN_EFAULT;
        /* iret does not return to the batch: the vCPU goes on where its frame said, with the
           frame's rax as the multicall's result (Xen's mc_exit). XSA-213: the batch went on, its
           next calls made in whatever mode the iret left (user mode, on the user table). */
        if (e.op == HYPERVISOR_iret && !hv_bug_on(hv, HV_BUG_XSA213))
            return rc;
        if (i + 1U < nr && hv_preempt_check(hv))
            return multicall_continue(args, at + MC_ENTRY_SIZE, nr - i - 1U);
    }
    return 0;
}
