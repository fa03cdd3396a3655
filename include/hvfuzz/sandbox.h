/* Child processes, one implementation: fork, wait, signal names, and a callback run in a child. */
#ifndef HVFUZZ_SANDBOX_H
#define HVFUZZ_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "hvfuzz/target.h"

/*
 * fork() with every stdio stream flushed first (buffered output would be written twice, once by
 * each process). With fds, also a pipe: the child keeps fds[1] (the write end), the parent fds[0]
 * (close-on-exec, so a grandchild does not hold it open); the other end is closed and set to -1
 * on each side. The pid, 0 in the child, or -1 with errno and nothing left open.
 */
pid_t sandbox_fork(int fds[2]);
/* waitpid, again after a signal interrupted it. */
pid_t sandbox_wait(pid_t pid, int *status, int options);
/* "SIGSEGV" for the signals a child ends by (crash, sanitizer, limit, interrupt); "SIG?" else. */
const char *sandbox_signame(int sig);
/* For a person: "SIGSEGV (Segmentation fault)", or "signal 40 (Real-time signal 6)". */
void sandbox_describe_signal(int sig, char *buf, size_t len);

enum sandbox_how {
    SANDBOX_EXITED = 0,   /* status = exit code */
    SANDBOX_SIGNALED,     /* status = signal number */
    SANDBOX_TIMEOUT,      /* killed after the timeout */
    SANDBOX_ERROR,        /* fork/pipe/mmap failed: nothing ran */
};

#define SANDBOX_ERR_MAX 16384U   /* stderr kept (the first bytes: sanitizers report first) */

struct sandbox_result {
    enum sandbox_how how;
    int    status;
    size_t reply_len;             /* bytes the child put in the reply buffer */
    char   err[SANDBOX_ERR_MAX];  /* the child's stderr, NUL-terminated */
    size_t err_len;
    size_t err_lost;              /* stderr bytes after the first SANDBOX_ERR_MAX - 1, dropped */
};

struct sandbox_opts {
    unsigned timeout_ms;          /* 0: none */
    bool     leak_check;          /* the child ends with exit(), so LeakSanitizer checks it and
                                     atexit handlers run; else _exit() */
};

/*
 * The child runs fn(arg, reply, reply_cap) with stderr captured and exits with its return value;
 * reply is shared memory the parent reads afterwards (reply_len from the return of fn: > 0 is a
 * length; kept even if the child died after fn returned, in exit handlers or a leak check).
 * timeout_ms 0: no timeout. Returns 0, or -1 with errno if the child could not be started.
 */
typedef long (*sandbox_fn)(void *arg, void *reply, size_t reply_cap);
int sandbox_run(sandbox_fn fn, void *arg, unsigned timeout_ms, void *reply, size_t reply_cap,
                struct sandbox_result *r);
int sandbox_run_opts(const struct sandbox_opts *o, sandbox_fn fn, void *arg, void *reply,
                     size_t reply_cap, struct sandbox_result *r);
/* How the child ended, for a person: "killed by signal SIGSEGV (Segmentation fault)", "exited
   with status 1", "timed out after 2000 ms". */
void sandbox_describe(const struct sandbox_result *r, unsigned timeout_ms, char *buf, size_t len);

/*
 * Turn a child's abnormal end into a finding: a sanitizer report (signature
 * "sanitizer:<kind>:<function>"), a signal ("crash:SIGSEGV[:<function>]") or the timeout
 * ("hang:timeout"). False if the child exited normally with exit code expect_code.
 */
bool sandbox_finding(const struct sandbox_result *r, int expect_code, struct finding *f);

#endif
