/* Old format versions keep decoding unchanged: every stored v1/v2 corpus file decodes and re-encodes byte for byte. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * Format version 3 added expectations. A program that states none must still encode as the
 * version it was written in, so every file of the seed corpora (written as versions 1 and 2
 * before version 3 existed) must decode, keep its version and re-encode to the same bytes.
 */
static unsigned old_dir(const char *dir, struct prog *p, uint8_t *buf, uint8_t *enc,
                        unsigned seen[4])
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned bad = 0;

    CU_ASSERT_FATAL(d != NULL);
    while (d && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        char path[512];
        if (n < 4 || strcmp(de->d_name + n - 4, ".bin"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        size_t len = f ? fread(buf, 1, 1 << 20, f) : 0;
        if (f)
            fclose(f);
        enum prog_err e = prog_decode(p, buf, len);
        size_t m = e == PROG_OK ? prog_encode(p, enc, 1 << 20) : 0;
        if (e != PROG_OK || m != len || memcmp(buf, enc, len) || p->version < 1 ||
            p->version > 2) {
            fprintf(stderr, "%s: decode %s, version %u, re-encoded %zu of %zu bytes\n", path,
                    prog_strerror(e), p->version, m, len);
            bad++;
            continue;
        }
        seen[p->version]++;
    }
    if (d)
        closedir(d);
    return bad;
}

TEST(prog_old_versions)
{
    struct prog *p = malloc(sizeof(*p));
    uint8_t *buf = malloc(1 << 20), *enc = malloc(1 << 20);
    unsigned seen[4] = { 0 };

    CU_ASSERT_FATAL(p && buf && enc);
    TEST_EQ(0, old_dir("corpora/native", p, buf, enc, seen));
    TEST_EQ(0, old_dir("corpora/codec", p, buf, enc, seen));
    fprintf(stderr, "  %u version 1 files, %u version 2 files re-encode identically\n", seen[1],
            seen[2]);
    CU_ASSERT(seen[1] > 100);
    CU_ASSERT(seen[2] > 50);
    free(p);
    free(buf);
    free(enc);
}
