/* The xen target's machine: QEMU with Xen and the agent, its output read line by line, input paced. */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"

#ifndef HVFUZZ_XEN_DIR
#define HVFUZZ_XEN_DIR "build/xen"
#endif

double xen_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool xen_executable_in_path(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");

    if (strchr(name, '/')) {
        snprintf(out, cap, "%s", name);
        return access(name, X_OK) == 0;
    }
    while (path && *path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        snprintf(out, cap, "%.*s/%s", (int)n, path, name);
        if (access(out, X_OK) == 0)
            return true;
        path = c ? c + 1 : NULL;
    }
    return false;
}

static void xen_conf_path(char *out, size_t cap, const char *env, const char *file)
{
    const char *e = getenv(env);

    if (e && *e)
        snprintf(out, cap, "%s", e);
    else
        snprintf(out, cap, "%s/%s", HVFUZZ_XEN_DIR, file);
}

int xen_conf_find(struct xen_conf *c, char *why, size_t cap)
{
    const char *q = getenv("HVFUZZ_QEMU");

    const char *bs = getenv("HVFUZZ_XEN_BOOT_SECS"), *ps = getenv("HVFUZZ_XEN_PROG_SECS");

    memset(c, 0, sizeof(*c));
    /* ~1.2 s idle, far more on a loaded 2-core machine; a program takes milliseconds */
    c->boot_secs = bs && atof(bs) > 0 ? atof(bs) : 120;
    c->prog_secs = ps && atof(ps) > 0 ? atof(ps) : 30;
    if (!xen_executable_in_path(q && *q ? q : "qemu-system-x86_64", c->qemu, sizeof(c->qemu))) {
        snprintf(why, cap, "xen target: qemu-system-x86_64 not found (make deps installs it)");
        return -1;
    }
    xen_conf_path(c->xen_elf, sizeof(c->xen_elf), "HVFUZZ_XEN_ELF", "xen.elf");
    if (access(c->xen_elf, R_OK) != 0) {
        snprintf(why, cap, "xen target: no hypervisor at %s (make xen-image fetches it)",
                 c->xen_elf);
        return -1;
    }
    xen_conf_path(c->agent, sizeof(c->agent), "HVFUZZ_XEN_AGENT", "agent.elf");
    if (access(c->agent, R_OK) != 0) {
        snprintf(why, cap, "xen target: no agent at %s (make xen-agent builds it)", c->agent);
        return -1;
    }
    return 0;
}

void xen_vm_kill(struct xen_vm *vm)
{
    if (vm->pid > 0) {
        kill(vm->pid, SIGKILL);
        waitpid(vm->pid, NULL, 0);
    }
    if (vm->to_qemu > 0)
        close(vm->to_qemu);
    if (vm->from_qemu > 0)
        close(vm->from_qemu);
    vm->pid = 0;
    vm->to_qemu = vm->from_qemu = -1;
    vm->rx_len = 0;
    if (vm->module_file_pending)
        unlink(vm->module);
    vm->module_file_pending = false;
}

/* The module: an empty batch that asks the agent to serve programs from the console. */
static int xen_vm_module(char *path, size_t cap)
{
    const uint8_t mod[12] = { 0x48, 0x56, 0x58, 0x42, XP_BOOT_SERVE, 0, 0, 0, 0, 0, 0, 0 };
    const char *tmp = getenv("TMPDIR");
    snprintf(path, cap, "%s/hvfuzz-xen-mod.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);

    if (fd < 0)
        return -1;
    if (write(fd, mod, sizeof(mod)) != (ssize_t)sizeof(mod)) {
        close(fd);
        unlink(path);
        return -1;
    }
    close(fd);
    return 0;
}

/*
 * Xen's command line (HVFUZZ_XEN_APPEND replaces it, for experiments). COM1 polled (irq 0):
 * input then reaches dom0 at ~12 characters/ms instead of ~1 with Xen's interrupt default
 * under QEMU (measured, docs/XEN.md). No sync_console: it costs a fixed 3 s countdown at every
 * boot; the agent's lines are checksummed instead, and a larger transmit buffer keeps Xen from
 * dropping them.
 */
#define XEN_APPEND "console=com1 com1=115200,8n1,0x3f8,0 dom0_mem=16M serial_tx_buffer=256K"

const char *xen_append(void)
{
    const char *append = getenv("HVFUZZ_XEN_APPEND");

    return append && *append ? append : XEN_APPEND;
}

/* The machine targets.md measured: one CPU, no network, the console on our stdio, no monitor. */
const char *const xen_qemu_opts[XEN_QEMU_NR_OPTS] = {
    "-machine", "q35", "-cpu", "max", "-m", "256", "-smp", "1", "-nic", "none", "-no-reboot",
    "-nographic", "-monitor", "none", "-serial", "stdio",
};

unsigned xen_boots, xen_restores;

/* QEMU with Xen and the agent, its monitor on a socket of its own; incoming: a saved machine to
   load instead of booting (snap.c). 0, or -1. */
int xen_vm_start(struct xen_vm *vm, const struct xen_conf *c, const char *incoming)
{
    static unsigned seq;
    int in[2], out[2];
    char mod[256], initrd[1200], mon[200], inc[300];

    xen_vm_kill(vm);
    memset(vm, 0, sizeof(*vm));
    vm->to_qemu = vm->from_qemu = -1;
    /* the module file is read when QEMU starts, before a saved machine is loaded too */
    if (xen_vm_module(mod, sizeof(mod)) < 0)
        return -1;
    snprintf(initrd, sizeof(initrd), "%s,%s", c->agent, mod);
    /* an abstract socket: nothing in the file system to leave behind if we are killed */
    snprintf(vm->mon, sizeof(vm->mon), "hvfuzz-mon-%d-%u", (int)getpid(), seq++);
    snprintf(mon, sizeof(mon), "socket,id=hvmon,path=%s,abstract=on,server=on,wait=off",
             vm->mon);
    snprintf(inc, sizeof(inc), "exec:cat %s", incoming ? incoming : "");
    /* close-on-exec: a later child (another machine, a sandbox) must not hold QEMU's stdin */
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        unlink(mod);
        return -1;
    }
    char *argv[XEN_QEMU_NR_OPTS + 16];
    unsigned n = 0;
    argv[n++] = (char *)c->qemu;
    for (unsigned i = 0; i < XEN_QEMU_NR_OPTS; i++)
        argv[n++] = (char *)xen_qemu_opts[i];
    argv[n++] = "-kernel";
    argv[n++] = (char *)c->xen_elf;
    argv[n++] = "-initrd";
    argv[n++] = initrd;
    argv[n++] = "-append";
    argv[n++] = (char *)xen_append();
    /* a second monitor (the first is "none"): snapshots are taken and checked through it */
    argv[n++] = "-chardev";
    argv[n++] = mon;
    argv[n++] = "-mon";
    argv[n++] = "chardev=hvmon,mode=readline";
    if (incoming) {
        argv[n++] = "-incoming";
        argv[n++] = inc;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        unlink(mod);
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        /* QEMU dies with us: a killed hvfuzz leaves no machine running */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execv(c->qemu, argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    vm->pid = pid;
    vm->to_qemu = in[1];
    vm->from_qemu = out[0];
    fcntl(vm->from_qemu, F_SETFL, O_NONBLOCK);
    /* a QEMU that died is a finding (the write fails with EPIPE), not the end of hvfuzz */
    signal(SIGPIPE, SIG_IGN);
    /* removed once QEMU is up (xen_vm_module_done) */
    vm->module_file_pending = true;
    snprintf(vm->module, sizeof(vm->module), "%s", mod);
    return 0;
}

/* QEMU read the module when it started: the file can go (a killed hvfuzz leaves none). */
void xen_vm_module_done(struct xen_vm *vm)
{
    if (vm->module_file_pending)
        unlink(vm->module);
    vm->module_file_pending = false;
}

int xen_vm_boot(struct xen_vm *vm, const struct xen_conf *c, struct finding *f)
{
    double t0 = xen_now();
    struct xen_line l;

    /* a machine saved earlier in this process comes back in a fraction of a boot */
    if (xen_snap_restore(vm, c) == 0) {
        xen_restores++;
        vm->booted_in = xen_now() - t0;
        return 0;
    }
    xen_boots++;
    if (xen_vm_start(vm, c, NULL) < 0)
        return -1;
    for (;;) {
        int r = xen_vm_line(vm, t0 + c->boot_secs, &l);
        if (r == 1 && l.kind == XL_READY && l.f[0] == XP_ABI)
            break;
        if (r == 1 && l.kind != XL_CRASH && l.kind != XL_AGENT_DIED)
            continue;
        xen_vm_finding(vm, f, r == 1 ? &l : NULL, -1,
                       r == 0 ? "no HVREADY from the agent before the boot deadline"
                              : "Xen or the agent died while booting");
        xen_vm_kill(vm);
        return 1;
    }
    xen_vm_module_done(vm);
    vm->booted_in = xen_now() - t0;
    /* the agent waits for its first program: the state every restore starts from. Saved at
       the second boot of the process, so commands that never need one do not pay for it */
    if (xen_boots >= 2)
        xen_snap_save(vm, c);
    return 0;
}

/* HVFUZZ_XEN_LOG=FILE: every line of QEMU's output appended there (debugging the agent). */
static void xen_vm_log(const char *line)
{
    static FILE *log;
    static bool tried;
    const char *path = getenv("HVFUZZ_XEN_LOG");

    if (!tried && path && *path)
        log = fopen(path, "a");
    tried = true;
    if (log) {
        fprintf(log, "%s\n", line);
        fflush(log);
    }
}

static void xen_vm_keep(struct xen_vm *vm, const char *line)
{
    char *t = vm->tail[vm->tail_at % XEN_TAIL_LINES];
    size_t n = strnlen(line, sizeof(vm->tail[0]) - 1);

    memcpy(t, line, n);
    t[n] = 0;
    vm->tail_at++;
}

int xen_vm_line(struct xen_vm *vm, double deadline, struct xen_line *l)
{
    for (;;) {
        char *nl = memchr(vm->rx, '\n', vm->rx_len);
        if (!nl && vm->rx_len == sizeof(vm->rx) - 1)
            nl = vm->rx + vm->rx_len - 1;   /* an endless line: cut it */
        if (nl) {
            *nl = 0;
            size_t n = (size_t)(nl - vm->rx);
            if (n && vm->rx[n - 1] == '\r')
                vm->rx[n - 1] = 0;
            xen_parse_line(vm->rx, l);
            xen_vm_log(vm->rx);
            if (l->kind != XL_ACK && l->kind != XL_RESULT && l->kind != XL_OUT)
                xen_vm_keep(vm, vm->rx);
            memmove(vm->rx, nl + 1, vm->rx_len - n - 1);
            vm->rx_len -= n + 1;
            if (l->kind == XL_ACK && l->f[0] > vm->acked_digits)
                vm->acked_digits = l->f[0];
            return 1;
        }
        double left = deadline - xen_now();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = vm->from_qemu, .events = POLLIN };
        int pr = poll(&p, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        ssize_t got = read(vm->from_qemu, vm->rx + vm->rx_len, sizeof(vm->rx) - 1 - vm->rx_len);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
            return -1;
        /* a program's own console writes may hold NULs: they would end the line early */
        char *in = vm->rx + vm->rx_len;
        for (ssize_t i = 0; i < got; i++)
            if (in[i] != 0)
                vm->rx[vm->rx_len++] = in[i];
    }
}

int xen_vm_send(struct xen_vm *vm, const uint8_t *rec, size_t len, double deadline,
                struct xen_line *l, struct finding *f)
{
    static const char hex[] = "0123456789abcdef";
    size_t ndig = 0, at = 0;
    char *d = malloc(8 + 2 * len);

    if (!d)
        return -1;
    for (int i = 0; i < 8; i++)
        d[ndig++] = hex[(len >> (28 - 4 * i)) & 15];
    for (size_t i = 0; i < len;) {
        size_t z = 0;
        while (i + z < len && !rec[i + z] && z < XP_ZERO_RUN_MAX)
            z++;
        if (z) {
            d[ndig++] = (char)(XP_ZERO_RUN + z - 1);
            i += z;
            continue;
        }
        d[ndig++] = hex[rec[i] >> 4];
        d[ndig++] = hex[rec[i] & 15];
        i++;
    }
    /* the last symbols' acknowledgement is not waited for: the results that follow say more */
    while (at < ndig) {
        /* never more than XP_CHUNK digits the agent has not acknowledged: Xen's ring is small */
        size_t room = vm->sent_digits - vm->acked_digits < XP_CHUNK ?
                      XP_CHUNK - (size_t)(vm->sent_digits - vm->acked_digits) : 0;
        if (room && at < ndig) {
            size_t n = ndig - at < room ? ndig - at : room;
            if (write(vm->to_qemu, d + at, n) != (ssize_t)n) {
                free(d);
                xen_vm_finding(vm, f, NULL, 0, "QEMU stopped taking input");
                return 1;
            }
            at += n;
            vm->sent_digits += n;
            continue;
        }
        int r = xen_vm_line(vm, deadline, l);
        if (r == 1 && (l->kind == XL_CRASH || l->kind == XL_AGENT_DIED)) {
            free(d);
            xen_vm_finding(vm, f, l, 0, "Xen or the agent died while taking a program");
            return 1;
        }
        if (r != 1) {
            free(d);
            xen_vm_finding(vm, f, NULL, 0, r == 0 ? "the agent stopped acknowledging input"
                                                   : "QEMU exited while taking a program");
            return 1;
        }
    }
    free(d);
    return 0;
}

void xen_vm_finding(struct xen_vm *vm, struct finding *f, const struct xen_line *l, int op,
                    const char *what)
{
    size_t n = 0;

    memset(f, 0, sizeof(*f));
    f->op_index = op;
    if (l && l->kind == XL_CRASH) {
        f->oracle = ORACLE_CRASH;
        snprintf(f->signature, sizeof(f->signature), "crash:xen:%s", l->text);
    } else if (l && l->kind == XL_AGENT_DIED) {
        f->oracle = ORACLE_CRASH;
        snprintf(f->signature, sizeof(f->signature), "target:xen-agent");
    } else {
        f->oracle = ORACLE_HANG;
        snprintf(f->signature, sizeof(f->signature), "hang:xen");
    }
    n += (size_t)snprintf(f->detail, sizeof(f->detail), "%s; Xen's last lines:\n", what);
    unsigned first = vm->tail_at > 6 ? vm->tail_at - 6 : 0;
    for (unsigned i = first; i < vm->tail_at && n < sizeof(f->detail); i++)
        n += (size_t)snprintf(f->detail + n, sizeof(f->detail) - n, "%s\n",
                              vm->tail[i % XEN_TAIL_LINES]);
}
