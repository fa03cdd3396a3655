/* hvfuzz encode: a program's text form back to the canonical binary. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/replay.h"

static void cmd_encode_usage(FILE *f)
{
    fprintf(f, "usage: hvfuzz encode TEXT -o FILE\n\n"
               "Read the program in TEXT (text or binary) and write its canonical binary to FILE\n"
               "(atomically; FILE ending in .txt gets the text form instead).\n");
}

int cmd_encode_main(int argc, char **argv)
{
    static struct prog p;
    const char *in = NULL, *out = NULL;
    enum prog_err e;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cmd_encode_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!in && (argv[i][0] != '-' || !argv[i][1])) {
            in = argv[i];
        } else {
            cmd_encode_usage(stderr);
            return 2;
        }
    }
    if (!in || !out) {
        cmd_encode_usage(stderr);
        return 2;
    }
    struct prog_text_error terr;
    e = prog_load_err(&p, in, &terr, NULL);
    if (e != PROG_OK) {
        char msg[4400];
        prog_load_strerror(msg, sizeof(msg), "hvfuzz encode", in, e, &terr);
        fprintf(stderr, "%s\n", msg);
        return 2;
    }
    e = prog_save(&p, out);
    if (e != PROG_OK) {
        fprintf(stderr, "hvfuzz encode: %s: %s\n", out,
                e == PROG_E_IO ? strerror(errno) : prog_strerror(e));
        return 2;
    }
    return 0;
}
