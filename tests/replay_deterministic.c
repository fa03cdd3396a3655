/*
 * Replay is deterministic: the same file gives the same report, byte for byte, twice in one
 * process, in-process and in a sandboxed child alike (generated programs, and one with a finding).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/gen.h"
#include "hvfuzz/replay.h"
#include "test.h"

static char *rd_replay(const struct replay_opts *o, const char *path, int *rc)
{
    char *out = NULL, *err = NULL;
    size_t ol, el;
    FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(&err, &el);
    char *paths[1] = { (char *)path };

    *rc = replay_paths(o, paths, 1, fo, fe);
    fclose(fo);
    fclose(fe);
    free(err);
    return out;
}

TEST(replay_deterministic)
{
    static struct prog p;
    struct gen g;
    char path[] = "/tmp/hvfuzz-det-XXXXXX";
    struct replay_opts o = { .target = target_find("native"), .topts = target_default_opts };
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    gen_init(&g, &gen_default_cfg, 42);
    for (unsigned k = 0; k < 6; k++) {
        gen_program(&g, &p);
        CU_ASSERT_FATAL(prog_save(&p, path) == PROG_OK);
        o.topts.max_steps = k % 3 == 2 ? 7 : target_default_opts.max_steps;   /* some findings */
        int rc1, rc2, rc3;
        o.fork = false;
        char *a = rd_replay(&o, path, &rc1);
        char *b = rd_replay(&o, path, &rc2);
        o.fork = true;
        o.timeout_ms = 10000;
        char *c = rd_replay(&o, path, &rc3);
        CU_ASSERT_FATAL(a && b && c);
        TEST_EQ(rc1, rc2);
        TEST_EQ(rc1, rc3);
        if (strcmp(a, b) || strcmp(a, c))
            fprintf(stderr, "replay %u differs:\n--- first\n%s--- second\n%s--- forked\n%s", k, a, b, c);
        CU_ASSERT(!strcmp(a, b) && !strcmp(a, c));
        if (k % 3 == 2)
            TEST_EQ(REPLAY_EXIT_FINDING, rc1);
        free(a);
        free(b);
        free(c);
    }
    unlink(path);
}
