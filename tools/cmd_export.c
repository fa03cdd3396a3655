/* hvfuzz export: a program (or a finding's) as a reproducer that runs without hvfuzz. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/tools.h"
#include "targets/xen/xen.h"

static void cmd_export_usage(FILE *f)
{
    fprintf(f, "usage: hvfuzz export --target xen FILE|FINDING_DIR -o DIR\n"
               "\n"
               "Write a reproducer for the program in FILE (binary or text), or for a finding\n"
               "(its directory: the minimized repro.bin), into DIR: the agent with the program\n"
               "in its boot module, Xen's image, and run.sh with the exact QEMU command line.\n"
               "It runs without hvfuzz (docs/XEN.md). Only the xen target exports.\n"
               "Exit status: 0 written, 2 a bad file, a missing image or usage.\n");
}

int cmd_export_main(int argc, char **argv)
{
    static struct prog p;
    const char *target = NULL, *in = NULL, *out = NULL;
    char path[1024], err[512];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cmd_export_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--target") && i + 1 < argc) {
            target = argv[++i];
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] != '-' && !in) {
            in = argv[i];
        } else {
            cmd_export_usage(stderr);
            return 2;
        }
    }
    if (!target || !in || !out) {
        cmd_export_usage(stderr);
        return 2;
    }
    if (strcmp(target, "xen")) {
        fprintf(stderr, "hvfuzz export: only the xen target exports (not '%s')\n", target);
        return 2;
    }
    struct stat st;
    if (stat(in, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, sizeof(path), "%s/repro.bin", in);
    else
        snprintf(path, sizeof(path), "%s", in);
    struct prog_text_error terr;
    enum prog_err e = prog_load_err(&p, path, &terr, NULL);
    if (e != PROG_OK) {
        char msg[4400];
        prog_load_strerror(msg, sizeof(msg), "hvfuzz export", path, e, &terr);
        fprintf(stderr, "%s\n", msg);
        return 2;
    }
    if (xen_export(&p, out, err, sizeof(err)) < 0) {
        fprintf(stderr, "hvfuzz export: %s\n", err);
        return 2;
    }
    printf("%s: run.sh boots Xen with the program of %s\n", out, path);
    return 0;
}
