/*
 * What the conformance runner needs from the sandbox it shares with the fuzz loop: with
 * leak_check the child ends by exit() (its atexit handlers run, as LeakSanitizer's does), a
 * verdict stored before a death in those handlers still arrives, and the end reads as text.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvfuzz/sandbox.h"
#include "test.h"

static void sce_die_at_exit(void)
{
    fprintf(stderr, "dying in an exit handler\n");
    raise(SIGABRT);
}

static long sce_verdict_then_die(void *arg, void *reply, size_t cap)
{
    atexit(sce_die_at_exit);
    memcpy(reply, "verdict", 8);
    return 8;
}

TEST(sandbox_child_end)
{
    static struct sandbox_result r;
    const struct sandbox_opts leak = { .timeout_ms = 20000, .leak_check = true };
    const struct sandbox_opts plain = { .timeout_ms = 20000 };
    char reply[16] = "", how[128];

    /* exit(): the handler runs and kills the child, the verdict is kept */
    CU_ASSERT_FATAL(sandbox_run_opts(&leak, sce_verdict_then_die, NULL, reply, sizeof(reply),
                                     &r) == 0);
    TEST_EQ(SANDBOX_SIGNALED, r.how);
    TEST_EQ(SIGABRT, r.status);
    TEST_EQ(8, r.reply_len);
    CU_ASSERT(!strcmp(reply, "verdict"));
    CU_ASSERT(strstr(r.err, "dying in an exit handler") != NULL);
    sandbox_describe(&r, leak.timeout_ms, how, sizeof(how));
    if (strncmp(how, "killed by signal SIGABRT (", 26))
        fprintf(stderr, "sandbox_child_end: expected 'killed by signal SIGABRT (...)', actual '%s'\n",
                how);
    CU_ASSERT(!strncmp(how, "killed by signal SIGABRT (", 26));

    /* _exit(): no handler, a clean end */
    memset(reply, 0, sizeof(reply));
    CU_ASSERT_FATAL(sandbox_run_opts(&plain, sce_verdict_then_die, NULL, reply, sizeof(reply),
                                     &r) == 0);
    TEST_EQ(SANDBOX_EXITED, r.how);
    TEST_EQ(0, r.status);
    TEST_EQ(8, r.reply_len);
    sandbox_describe(&r, plain.timeout_ms, how, sizeof(how));
    CU_ASSERT(!strcmp(how, "exited with status 0"));

    /* the fork every caller uses: the child has the pipe's write end, the parent the read end */
    int fds[2];
    pid_t pid = sandbox_fork(fds);
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        _exit(write(fds[1], "x", 1) == 1 && fds[0] == -1 ? 7 : 1);
    }
    char c = 0;
    int st = 0;
    TEST_EQ(-1, fds[1]);
    TEST_EQ(1, read(fds[0], &c, 1));
    close(fds[0]);
    TEST_EQ(pid, sandbox_wait(pid, &st, 0));
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7);
    TEST_EQ('x', c);
    CU_ASSERT(!strcmp(sandbox_signame(SIGSEGV), "SIGSEGV"));
}
