/* Running a callback in a forked child: timeout, exit/signal, captured sanitizer output. */
#ifndef HVFUZZ_SANDBOX_H
#define HVFUZZ_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include "hvfuzz/target.h"

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
};

/*
 * The child runs fn(arg, reply, reply_cap) with stderr captured and exits with its return value;
 * reply is shared memory the parent reads afterwards (*reply_len from the return of fn: >= 0 is a
 * length). timeout_ms 0: no timeout. Returns 0, or -1 if the child could not be started.
 */
typedef long (*sandbox_fn)(void *arg, void *reply, size_t reply_cap);
int sandbox_run(sandbox_fn fn, void *arg, unsigned timeout_ms, void *reply, size_t reply_cap,
                struct sandbox_result *r);

/*
 * Turn a child's abnormal end into a finding: a sanitizer report (signature
 * "sanitizer:<kind>:<function>"), a signal ("crash:SIGSEGV[:<function>]") or the timeout
 * ("hang:timeout"). False if the child exited normally with exit code expect_code.
 */
bool sandbox_finding(const struct sandbox_result *r, int expect_code, struct finding *f);

#endif
