/* Child processes: fork, wait and signal names for every caller; a callback run in a child. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvfuzz/sandbox.h"

pid_t sandbox_fork(int fds[2])
{
    if (fds) {
        if (pipe(fds) < 0)
            return -1;
        fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        if (fds) {
            close(fds[0]);
            close(fds[1]);
        }
        errno = e;
        return -1;
    }
    if (fds) {
        unsigned other = pid == 0 ? 0 : 1;
        close(fds[other]);
        fds[other] = -1;
    }
    return pid;
}

pid_t sandbox_wait(pid_t pid, int *status, int options)
{
    pid_t got;

    while ((got = waitpid(pid, status, options)) < 0 && errno == EINTR)
        ;
    return got;
}

const char *sandbox_signame(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS:  return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGTERM: return "SIGTERM";
    case SIGALRM: return "SIGALRM";
    case SIGINT:  return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    case SIGXCPU: return "SIGXCPU";
    default:      return "SIG?";
    }
}

void sandbox_describe_signal(int sig, char *buf, size_t len)
{
    const char *name = sandbox_signame(sig);
    const char *text = strsignal(sig);

    if (strcmp(name, "SIG?"))
        snprintf(buf, len, "%s (%s)", name, text ? text : "?");
    else
        snprintf(buf, len, "signal %d (%s)", sig, text ? text : "?");
}

static long sandbox_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The child's stderr until it closes (exit) or the deadline passes; false on the deadline. */
static bool sandbox_drain(int fd, long deadline, struct sandbox_result *r)
{
    char sink[4096];

    for (;;) {
        int wait_ms = -1;
        if (deadline) {
            long left = deadline - sandbox_now_ms();
            if (left <= 0)
                return false;
            wait_ms = (int)left;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = poll(&p, 1, wait_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return false;
        if (n < 0)
            return true;
        /* keep the beginning: a sanitizer's summary comes first, any flood after it */
        size_t room = SANDBOX_ERR_MAX - 1U - r->err_len;
        char *dst = room ? r->err + r->err_len : sink;
        ssize_t got = read(fd, dst, room ? room : sizeof(sink));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return true;
        if (room)
            r->err_len += (size_t)got;
        else
            r->err_lost += (size_t)got;
    }
}

int sandbox_run(sandbox_fn fn, void *arg, unsigned timeout_ms, void *reply, size_t reply_cap,
                struct sandbox_result *r)
{
    const struct sandbox_opts o = { .timeout_ms = timeout_ms };

    return sandbox_run_opts(&o, fn, arg, reply, reply_cap, r);
}

int sandbox_run_opts(const struct sandbox_opts *o, sandbox_fn fn, void *arg, void *reply,
                     size_t reply_cap, struct sandbox_result *r)
{
    size_t shm_len = sizeof(long) + reply_cap;
    int pfd[2];

    memset(r, 0, sizeof(*r));
    r->how = SANDBOX_ERROR;
    void *shm = mmap(NULL, shm_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED)
        return -1;
    pid_t pid = sandbox_fork(pfd);
    if (pid < 0) {
        int e = errno;
        munmap(shm, shm_len);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[1]);
        long n = fn(arg, (char *)shm + sizeof(long), reply_cap);
        memcpy(shm, &n, sizeof(n));
        if (o->leak_check)
            exit(n < 0 ? 1 : 0);
        fflush(stdout);
        fflush(stderr);
        /* _exit: the parent's atexit handlers and leak checks are not the child's business */
        _exit(n < 0 ? 1 : 0);
    }
    long deadline = o->timeout_ms ? sandbox_now_ms() + (long)o->timeout_ms : 0;
    bool done = sandbox_drain(pfd[0], deadline, r);
    if (!done)
        kill(pid, SIGKILL);
    close(pfd[0]);
    int st = 0;
    sandbox_wait(pid, &st, 0);
    r->err[r->err_len] = '\0';
    if (!done) {
        r->how = SANDBOX_TIMEOUT;
    } else if (WIFSIGNALED(st)) {
        r->how = SANDBOX_SIGNALED;
        r->status = WTERMSIG(st);
    } else {
        r->how = SANDBOX_EXITED;
        r->status = WEXITSTATUS(st);
    }
    /* a reply stored before the end counts whatever ended the child afterwards */
    long n;
    memcpy(&n, shm, sizeof(n));
    if (n > 0 && reply)
        r->reply_len = (size_t)n < reply_cap ? (size_t)n : reply_cap;
    if (r->reply_len)
        memcpy(reply, (char *)shm + sizeof(long), r->reply_len);
    munmap(shm, shm_len);
    return 0;
}

void sandbox_describe(const struct sandbox_result *r, unsigned timeout_ms, char *buf, size_t len)
{
    char sig[96];

    switch (r->how) {
    case SANDBOX_EXITED:
        snprintf(buf, len, "exited with status %d", r->status);
        break;
    case SANDBOX_SIGNALED:
        sandbox_describe_signal(r->status, sig, sizeof(sig));
        snprintf(buf, len, "killed by signal %s", sig);
        break;
    case SANDBOX_TIMEOUT:
        snprintf(buf, len, "timed out after %u ms (killed by SIGKILL)", timeout_ms);
        break;
    default:
        snprintf(buf, len, "could not be started");
        break;
    }
}

/* Copy the word after prefix (up to a space or the line's end) into out. */
static bool sandbox_word_after(const char *s, const char *prefix, char *out, size_t cap)
{
    const char *p = strstr(s, prefix);
    size_t n = 0;

    if (!p)
        return false;
    p += strlen(prefix);
    while (p[n] && p[n] != ' ' && p[n] != '\n' && n + 1 < cap)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
    return n > 0;
}

/* "SUMMARY: <tool>: <kind> <file:line:col> in <function>": the kind, and the function (or the
   file:line without a directory and column when the report names no function). */
static void sandbox_summary(const char *err, const char *tool, char *kind, size_t kcap,
                            char *site, size_t scap)
{
    char prefix[64], loc[256] = "";
    const char *sum;

    kind[0] = site[0] = '\0';
    snprintf(prefix, sizeof(prefix), "SUMMARY: %s: ", tool);
    sum = strstr(err, prefix);
    if (!sum)
        return;
    sandbox_word_after(sum, prefix, kind, kcap);
    const char *eol = strchr(sum, '\n');
    const char *in = strstr(sum, " in ");
    if (in && (!eol || in < eol) && sandbox_word_after(in, " in ", site, scap))
        return;
    char after[128];
    snprintf(after, sizeof(after), "%s%s ", prefix, kind);
    if (sandbox_word_after(sum, after, loc, sizeof(loc))) {
        const char *base = strrchr(loc, '/');
        base = base ? base + 1 : loc;
        const char *c1 = strchr(base, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        size_t n = c2 ? (size_t)(c2 - base) : strlen(base);
        snprintf(site, scap, "%.*s", (int)n, base);
    }
}

bool sandbox_finding(const struct sandbox_result *r, int expect_code, struct finding *f)
{
    char kind[32], site[80];
    const char *err = r->err;

    memset(f, 0, sizeof(*f));
    f->op_index = -1;
    if (r->how == SANDBOX_EXITED && r->status == expect_code && !strstr(err, "runtime error:"))
        return false;
    if (r->how == SANDBOX_TIMEOUT) {
        f->oracle = ORACLE_HANG;
        snprintf(f->signature, sizeof(f->signature), "hang:timeout");
        snprintf(f->detail, sizeof(f->detail), "the run did not finish within its time limit");
        return true;
    }
    const char *rep = strstr(err, "ERROR: AddressSanitizer");
    if (rep || strstr(err, "SUMMARY: AddressSanitizer")) {
        sandbox_summary(err, "AddressSanitizer", kind, sizeof(kind), site, sizeof(site));
        /* ASan reports wild accesses as SEGV: that is a crash with a known site */
        f->oracle = !strcmp(kind, "SEGV") ? ORACLE_CRASH : ORACLE_SANITIZER;
        if (f->oracle == ORACLE_CRASH)
            snprintf(f->signature, sizeof(f->signature), "crash:SIGSEGV%s%s", site[0] ? ":" : "",
                     site);
        else
            snprintf(f->signature, sizeof(f->signature), "sanitizer:%s:%s",
                     kind[0] ? kind : "asan", site[0] ? site : "unknown");
    } else if ((rep = strstr(err, "runtime error:")) != NULL) {
        sandbox_summary(err, "UndefinedBehaviorSanitizer", kind, sizeof(kind), site, sizeof(site));
        f->oracle = ORACLE_SANITIZER;
        snprintf(f->signature, sizeof(f->signature), "sanitizer:ubsan:%s",
                 site[0] ? site : "unknown");
        /* the report line starts with its file:line:col */
        while (rep > err && rep[-1] != '\n')
            rep--;
    } else if (r->how == SANDBOX_SIGNALED) {
        f->oracle = ORACLE_CRASH;
        snprintf(f->signature, sizeof(f->signature), "crash:%s", sandbox_signame(r->status));
    } else {
        f->oracle = ORACLE_CRASH;
        snprintf(f->signature, sizeof(f->signature), "crash:exit:%d", r->status);
    }
    /* the report's beginning is what a person needs; the rest stays in the child's log */
    const char *src = rep ? rep : (err[0] ? err : "(no output)");
    size_t n = strnlen(src, sizeof(f->detail) - 1);
    memcpy(f->detail, src, n);
    f->detail[n] = '\0';
    return true;
}
