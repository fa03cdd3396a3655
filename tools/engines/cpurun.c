/* cpurun: run a command and print the user+system CPU seconds of its whole process tree. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * afl-fuzz kills its fork server at exit and leaves the persistent target to init, so the CPU a
 * target burnt never reaches the shell's times(). As a child subreaper this process inherits
 * such orphans; once the command exits, the rest of its process group is killed and every
 * descendant reaped, and RUSAGE_CHILDREN then holds the CPU of the whole tree.
 * Output (stderr, one line): "cpurun: user <s> sys <s>". Exit status: the command's.
 */
int main(int argc, char **argv)
{
    struct rusage ru;
    int status = 0, rc;
    pid_t pid;

    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: cpurun COMMAND [ARG...]\n");
        return argc < 2 ? 2 : 0;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        perror("cpurun: prctl(PR_SET_CHILD_SUBREAPER)");
        return 2;
    }
    pid = fork();
    if (pid < 0) {
        perror("cpurun: fork");
        return 2;
    }
    if (pid == 0) {
        setpgid(0, 0);
        execvp(argv[1], argv + 1);
        fprintf(stderr, "cpurun: %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            perror("cpurun: waitpid");
            return 2;
        }
    kill(-pid, SIGKILL);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    if (getrusage(RUSAGE_CHILDREN, &ru) < 0) {
        perror("cpurun: getrusage");
        return 2;
    }
    fprintf(stderr, "cpurun: user %ld.%06ld sys %ld.%06ld\n", (long)ru.ru_utime.tv_sec,
            (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return rc;
}
