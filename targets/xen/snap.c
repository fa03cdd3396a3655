/* The xen target's saved machine: QEMU's migration to a file at a process's second boot, loaded instead of later boots. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "targets/xen/xen.h"

static struct {
    bool off;               /* given up, or HVFUZZ_XEN_SNAPSHOT=0 */
    bool saved;
    char file[256];         /* where QEMU writes it; unlinked once written */
    int fd;                 /* the saved machine, open: it goes when this process goes */
    char conf_key[1600];    /* the files the saved machine was booted from */
} xen_snap = { .fd = -1 };

static void xen_snap_cleanup(void)
{
    if (xen_snap.fd >= 0)
        close(xen_snap.fd);
    xen_snap.fd = -1;
    xen_snap.saved = false;
}

/* Read from fd until "(qemu) " has been seen after the command was sent (HMP's prompt). */
static int xen_hmp_prompt(int fd, char *out, size_t cap, size_t *len, double deadline)
{
    for (;;) {
        out[*len] = 0;
        if (strstr(out, "(qemu) "))
            return 0;
        double left = deadline - xen_now();
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            return -1;
        ssize_t n = read(fd, out + *len, cap - 1 - *len);
        if (n <= 0)
            return -1;
        *len += (size_t)n;
        if (*len >= cap - 1)
            *len = 0;   /* an endless answer: keep the tail, where the prompt comes */
    }
}

int xen_hmp(const char *sock, const char *cmd, char *out, size_t cap, double deadline)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    size_t len = 0;
    int fd = -1;

    /* Linux's abstract namespace, as QEMU's abstract=on (tight: the name's exact length) */
    size_t n = strnlen(sock, sizeof(a.sun_path) - 1);
    memcpy(a.sun_path + 1, sock, n);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    /* QEMU creates the socket as it starts: a little patience, not more (a stand-in for QEMU
       in the tests has no monitor at all) */
    double connect_by = xen_now() + 2 < deadline ? xen_now() + 2 : deadline;
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        if (connect(fd, (struct sockaddr *)&a, alen) == 0)
            break;
        close(fd);
        if (xen_now() > connect_by)
            return -1;
        usleep(20000);
    }
    int rc = -1;
    if (xen_hmp_prompt(fd, out, cap, &len, deadline) == 0) {
        len = 0;
        out[0] = 0;
        size_t k = strlen(cmd);
        if (write(fd, cmd, k) == (ssize_t)k && write(fd, "\n", 1) == 1)
            rc = xen_hmp_prompt(fd, out, cap, &len, deadline);
    }
    close(fd);
    return rc;
}

static void xen_snap_key(const struct xen_conf *c, char *key, size_t cap)
{
    snprintf(key, cap, "%s|%s|%s|%s", c->qemu, c->xen_elf, c->agent, xen_append());
}

void xen_snap_save(struct xen_vm *vm, const struct xen_conf *c)
{
    static char out[8192];
    char cmd[400];
    const char *e = getenv("HVFUZZ_XEN_SNAPSHOT");
    double deadline = xen_now() + 60;

    if (xen_snap.saved || xen_snap.off || (e && !strcmp(e, "0")))
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(xen_snap.file, sizeof(xen_snap.file), "%s/hvfuzz-xen-snap.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(xen_snap.file);
    if (fd < 0) {
        xen_snap.off = true;
        return;
    }
    close(fd);
    snprintf(cmd, sizeof(cmd), "migrate \"exec:cat > %s\"", xen_snap.file);
    bool done = false;
    if (xen_hmp(vm->mon, cmd, out, sizeof(out), deadline) == 0) {
        while (xen_now() < deadline) {
            if (xen_hmp(vm->mon, "info migrate", out, sizeof(out), deadline) < 0)
                break;
            if (strstr(out, "Migration status: completed")) {
                done = true;
                break;
            }
            if (strstr(out, "Migration status: failed") || strstr(out, "cancelled"))
                break;
            usleep(50000);
        }
    }
    /* the machine stops when its state is saved: it goes on from there */
    if (!done || xen_hmp(vm->mon, "cont", out, sizeof(out), deadline) < 0) {
        unlink(xen_snap.file);
        xen_snap.off = true;
        if (!done)
            xen_hmp(vm->mon, "cont", out, sizeof(out), xen_now() + 5);
        return;
    }
    /* held open and unlinked: ~11 MB that cannot outlive the process, even killed */
    xen_snap.fd = open(xen_snap.file, O_RDONLY | O_CLOEXEC);
    unlink(xen_snap.file);
    if (xen_snap.fd < 0) {
        xen_snap.off = true;
        return;
    }
    snprintf(xen_snap.file, sizeof(xen_snap.file), "/proc/%d/fd/%d", (int)getpid(), xen_snap.fd);
    xen_snap.saved = true;
    xen_snap_key(c, xen_snap.conf_key, sizeof(xen_snap.conf_key));
}

int xen_snap_restore(struct xen_vm *vm, const struct xen_conf *c)
{
    static char out[8192];
    char key[sizeof(xen_snap.conf_key)];
    double deadline = xen_now() + c->boot_secs;

    const char *e = getenv("HVFUZZ_XEN_SNAPSHOT");

    xen_snap_key(c, key, sizeof(key));
    if (!xen_snap.saved || xen_snap.off || strcmp(key, xen_snap.conf_key) || (e && !strcmp(e, "0")))
        return -1;
    if (xen_vm_start(vm, c, xen_snap.file) < 0)
        return -1;
    /* input sent before the machine runs would be lost in the load */
    while (xen_now() < deadline) {
        if (xen_hmp(vm->mon, "info status", out, sizeof(out), deadline) < 0)
            break;
        if (strstr(out, "status: running")) {
            xen_vm_module_done(vm);
            return 0;
        }
        usleep(20000);
    }
    /* from now on this process boots */
    xen_vm_kill(vm);
    xen_snap_cleanup();
    xen_snap.off = true;
    return -1;
}
