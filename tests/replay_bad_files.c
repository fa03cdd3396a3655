/*
 * Replay of a directory with bad files: every bad file gets one clear line naming it and what is
 * wrong (empty, truncated, corrupt, future version, not a program), the good files still replay,
 * and the exit status is 2 when nothing else failed, 1 when a finding is among them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hvfuzz/replay.h"
#include "test.h"

static void rb_put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    if (len)
        fwrite(data, 1, len, f);
    fclose(f);
}

static int rb_replay(const struct replay_opts *o, const char *dir, char **out, char **err)
{
    size_t ol, el;
    FILE *fo = open_memstream(out, &ol), *fe = open_memstream(err, &el);
    char *paths[1] = { (char *)dir };
    int rc = replay_paths(o, paths, 1, fo, fe);
    fclose(fo);
    fclose(fe);
    return rc;
}

TEST(replay_bad_files)
{
    static struct prog p;
    uint8_t bin[4096];
    char tmpl[] = "/tmp/hvfuzz-replay-XXXXXX";
    struct replay_opts o = { .target = target_find("native"), .topts = target_default_opts };

    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    prog_init(&p, &prog_default_shape);
    p.nr_ops = 3;
    for (unsigned i = 0; i < 3; i++)
        p.ops[i].kind = OP_PREEMPT;
    size_t n = prog_encode(&p, bin, sizeof(bin));
    CU_ASSERT_FATAL(n > 16 && n <= 4096);
    if (n <= 16 || n > 4096)   /* said again for the compiler, which cannot see the assert stop */
        return;
    rb_put(tmpl, "good.bin", bin, n);
    rb_put(tmpl, "empty.bin", "", 0);
    rb_put(tmpl, "trunc.bin", bin, n - 5);
    uint8_t bad[4096];
    memcpy(bad, bin, n);
    bad[n - 1] ^= 0x40;   /* the last operation's byte: the checksum no longer matches */
    rb_put(tmpl, "corrupt.bin", bad, n);
    memcpy(bad, bin, n);
    bad[4] = 0x7F;        /* version field */
    rb_put(tmpl, "future.bin", bad, n);
    rb_put(tmpl, "junk.bin", "\x01\x02\x03\x04\x05", 5);

    static const struct { const char *line; } want[] = {
        { "corrupt.bin: program file corrupt" },
        { "empty.bin: empty program file" },
        { "future.bin: unknown program format version" },
        { "junk.bin: not a program file (bad magic)" },
        { "trunc.bin: program file ends inside the header or an operation" },
    };
    char *out = NULL, *err = NULL;
    int rc = rb_replay(&o, tmpl, &out, &err);
    TEST_EQ(REPLAY_EXIT_BAD, rc);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        bool seen = strstr(err, want[i].line) != NULL;
        if (!seen)
            fprintf(stderr, "replay: expected an error line with '%s', actual errors:\n%s", want[i].line,
                    err);
        CU_ASSERT(seen);
    }
    /* one line per bad file, and the good file replayed */
    unsigned lines = 0;
    for (const char *s = err; *s; s++)
        lines += *s == '\n';
    TEST_EQ(5, lines);
    CU_ASSERT(strstr(out, "good.bin: ok (3 ops)") != NULL);
    free(out);
    free(err);

    /* a finding wins over bad files */
    o.topts.max_steps = 2;
    rc = rb_replay(&o, tmpl, &out, &err);
    TEST_EQ(REPLAY_EXIT_FINDING, rc);
    CU_ASSERT(strstr(out, "FINDING hang:max-steps") != NULL);
    free(out);
    free(err);

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
    TEST_EQ(0, system(cmd));
}
