/* console_io: the control domain writes to the monitor's console buffer. */
#include <string.h>
#include "hvfuzz/hypercall.h"

#define CONSOLE_CHUNK 128U   /* bytes copied per step; preemption may fall between steps */

/* Append keeping the newest bytes, like a ring that overwrites its oldest data. */
static void console_append(struct hv *hv, const char *buf, size_t n)
{
    const size_t cap = HV_CONSOLE_SIZE - 1U;   /* room for the terminating NUL */
    if (n > cap) {
        buf += n - cap;
        n = cap;
    }
    if (hv->console_len + n > cap) {
        size_t drop = hv->console_len + n - cap;
        memmove(hv->console, hv->console + drop, hv->console_len - drop);
        hv->console_len -= (uint32_t)drop;
    }
    memcpy(hv->console + hv->console_len, buf, n);
    hv->console_len += (uint32_t)n;
    hv->console[hv->console_len] = '\0';
}

long do_console_io(struct hv *hv, struct vcpu *v, uint64_t args[6])
{
    const struct domain *d = dom_get(hv, v->domid);
    /* release builds of Xen give the console to the control domain only */
    if (!d || !d->privileged)
        return -XEN_EPERM;
    uint32_t count = (uint32_t)args[1];   /* Xen's prototype: unsigned int count */
    switch ((uint32_t)args[0]) {
    case CONSOLEIO_write:
        while (count) {
            char chunk[CONSOLE_CHUNK];
            uint32_t n = count < CONSOLE_CHUNK ? count : CONSOLE_CHUNK;
            if (copy_from_guest(hv, v, chunk, args[2], n) < 0)
                return -XEN_EFAULT;
            console_append(hv, chunk, n);
            count -= n;
            args[2] += n;
            if (count && hv_preempt_check(hv)) {
                args[1] = count;
                return -XEN_ERESTART;
            }
        }
        return 0;
    case CONSOLEIO_read:
        /* the model has no serial input: nothing is ever waiting to be read */
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
