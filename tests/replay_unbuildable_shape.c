/*
 * Replay of a program whose machine the target cannot build (64 frames for four domains of 512
 * pages: it decodes, the native target refuses it): forked and --no-fork alike say so and count
 * it as a bad file (exit 2). The forked replay used to see its child's exit status 1 and report a
 * false crash:exit:1 finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/replay.h"
#include "test.h"

static int ru_replay(bool fork, const char *path, char **err)
{
    struct replay_opts o = { .target = target_find("native"), .topts = target_default_opts,
                             .fork = fork, .timeout_ms = 10000, .quiet = true };
    char *out = NULL, *paths[1] = { (char *)path };
    size_t ol, el;
    FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(err, &el);
    int rc = replay_paths(&o, paths, 1, fo, fe);

    fclose(fo);
    fclose(fe);
    free(out);
    return rc;
}

TEST(replay_unbuildable_shape)
{
    char path[] = "/tmp/hvfuzz-shape-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "# hvfuzz program v1\nshape frames=64 domains=4 vcpus=4 pages=512\n"
               "hypercall d0 v0 xen_version(0, 0)\n");
    fclose(f);
    for (int fork = 0; fork < 2; fork++) {
        char *err = NULL;
        int rc = ru_replay(fork, path, &err);
        TEST_EQ(REPLAY_EXIT_BAD, rc);
        if (!strstr(err, "could not run this program's shape") || strstr(err, "crash"))
            fprintf(stderr, "replay (fork %d): expected the shape error, actual:\n%s", fork, err);
        CU_ASSERT(strstr(err, "could not run this program's shape") != NULL);
        free(err);
    }
    unlink(path);
}
