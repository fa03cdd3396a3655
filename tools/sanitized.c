/* hvfuzz fuzz --sanitized: run the campaign (parent and workers) from the ASan+UBSan build. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/tools.h"

#if defined(__SANITIZE_ADDRESS__)
#define TOOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TOOL_ASAN 1
#endif
#endif
#ifndef TOOL_ASAN
#define TOOL_ASAN 0
#endif

bool tool_built_with_asan(void)
{
    return TOOL_ASAN;
}

/*
 * The workers are forked from the campaign's parent and share its memory map (the feature map, the
 * slots that hold each worker's program in flight), so they cannot be a different binary than the
 * parent; the whole campaign is re-executed instead, with the same arguments minus --sanitized.
 * Its workers' sanitizer deaths become sanitizer:* findings the way fuzz_reap already names them.
 * The sanitized binary is the one `make asan` builds next to this one: <dir>/asan/hvfuzz.
 */
int tool_exec_sanitized(const char *cmd, int argc, char **argv)
{
    char self[PATH_MAX], path[PATH_MAX + 16];
    ssize_t n;

    if (TOOL_ASAN)
        return 0;   /* this is the sanitized build already */
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) {
        fprintf(stderr, "hvfuzz %s: --sanitized: cannot find the running binary: %s\n", cmd,
                strerror(errno));
        return 2;
    }
    self[n] = '\0';
    snprintf(path, sizeof(path), "%s/asan/hvfuzz", dirname(self));
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "hvfuzz %s: --sanitized needs the ASan+UBSan build at %s (make asan): %s\n",
                cmd, path, strerror(errno));
        return 2;
    }
    char **args = calloc((size_t)argc + 2U, sizeof(*args));
    if (!args) {
        fprintf(stderr, "hvfuzz %s: out of memory\n", cmd);
        return 2;
    }
    int k = 0;
    args[k++] = path;
    args[k++] = (char *)cmd;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--sanitized"))
            args[k++] = argv[i];
    args[k] = NULL;
    /* reports with a stack, and UBSan stops the worker (the build has -fno-sanitize-recover) */
    setenv("UBSAN_OPTIONS", "print_stacktrace=1", 0);
    fprintf(stderr, "hvfuzz %s: running the campaign from the sanitized build %s\n", cmd, path);
    execv(path, args);
    fprintf(stderr, "hvfuzz %s: --sanitized: cannot run %s: %s\n", cmd, path, strerror(errno));
    free(args);
    return 2;
}
