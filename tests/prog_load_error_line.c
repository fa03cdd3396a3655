/*
 * A text file that does not load is named the way compilers name an error, FILE:LINE:COL:
 * reason (near 'token'), by prog_load_strerror and so by hvfuzz replay (and show, encode,
 * minimize); a binary or I/O error keeps the "TOOL: FILE: message" line.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/replay.h"
#include "test.h"

static const struct {
    const char *name, *text;
    const char *want;     /* after the directory */
} le_cases[] = {
    { "gva.txt", "# a comment\nshape pages=16\nguest_read d1 v0 gva(d1,g16,+0) size=8\n",
      "gva.txt:3:25: gva page g16 is past the domain's pages (g0..g15) (near 'g16')" },
    { "end.txt", "switch_vcpu d1\n", "end.txt:1:15: expected a vCPU (vN) (at the end of the line)" },
    { "empty.txt", "", "hvfuzz replay: DIR/empty.txt: empty program file" },
};

TEST(prog_load_error_line)
{
    char dir[] = "/tmp/hvfuzz-loaderr-XXXXXX", path[256], want[512], msg[512];
    static struct prog p;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    for (size_t i = 0; i < sizeof(le_cases) / sizeof(le_cases[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, le_cases[i].name);
        FILE *f = fopen(path, "w");
        CU_ASSERT_FATAL(f != NULL);
        fputs(le_cases[i].text, f);
        fclose(f);
        /* "DIR/" stands for the directory in the table */
        const char *w = le_cases[i].want, *d = strstr(w, "DIR/");
        if (d)
            snprintf(want, sizeof(want), "%.*s%s/%s", (int)(d - w), w, dir, d + 4);
        else
            snprintf(want, sizeof(want), "%s/%s", dir, w);

        struct prog_text_error err;
        enum prog_err e = prog_load_err(&p, path, &err, NULL);
        prog_load_strerror(msg, sizeof(msg), "hvfuzz replay", path, e, &err);
        if (strcmp(msg, want))
            fprintf(stderr, "%s: expected '%s', actual '%s'\n", le_cases[i].name, want, msg);
        CU_ASSERT(!strcmp(msg, want));

        /* replay prints the same line */
        char *out = NULL, *errs = NULL;
        size_t ol, el;
        FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(&errs, &el);
        struct replay_opts o = { .target = target_find("native"), .topts = target_default_opts };
        char *paths[1] = { path };
        replay_paths(&o, paths, 1, fo, fe);
        fclose(fo);
        fclose(fe);
        if (!strstr(errs, want))
            fprintf(stderr, "replay %s: expected a line '%s', actual:\n%s", le_cases[i].name, want,
                    errs);
        CU_ASSERT(strstr(errs, want) != NULL);
        free(out);
        free(errs);
        unlink(path);
    }
    rmdir(dir);
}
