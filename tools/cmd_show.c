/* hvfuzz show: print a program file (binary or text) as text, a text file's comments kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/replay.h"

int cmd_show_main(int argc, char **argv)
{
    static struct prog p;
    enum prog_err e;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: hvfuzz show FILE\n\nPrint the program in FILE (binary or text) as text; the "
               "comments of a text file are kept.\n");
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: hvfuzz show FILE\n");
        return 2;
    }
    struct prog_text_error terr;
    char *src = NULL;
    e = prog_load_err(&p, argv[1], &terr, &src);
    if (e != PROG_OK) {
        char msg[4400];
        prog_load_strerror(msg, sizeof(msg), "hvfuzz show", argv[1], e, &terr);
        fprintf(stderr, "%s\n", msg);
        return 2;
    }
    size_t len = prog_format_text_comments(&p, src, NULL, 0) + 1;
    char *text = malloc(len);
    if (!text) {
        fprintf(stderr, "hvfuzz show: out of memory\n");
        free(src);
        return 2;
    }
    prog_format_text_comments(&p, src, text, len);
    fputs(text, stdout);
    free(text);
    free(src);
    return 0;
}
