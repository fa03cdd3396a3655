/* Replaying program files and directories: reports on a stream, exit status by outcome. */
#ifndef HVFUZZ_REPLAY_H
#define HVFUZZ_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include "hvfuzz/target.h"

/* Exit statuses of `hvfuzz replay` (and replay_paths). */
#define REPLAY_EXIT_OK      0   /* every file replayed, no finding */
#define REPLAY_EXIT_FINDING 1   /* at least one finding (wins over bad files) */
#define REPLAY_EXIT_BAD     2   /* some file could not be read or decoded, nothing else failed */

struct replay_opts {
    const struct target_ops *target;
    struct target_opts topts;
    bool     bugs_given;      /* --bug was given: a finding's recorded switches are not used */
    bool     fork;            /* each program in a sandboxed child: crashes and hangs are findings */
    unsigned timeout_ms;      /* per program, with fork */
    const char *out_dir;      /* also store findings there (finding_write), or NULL */
    bool     quiet;           /* no line for clean programs */
    bool     no_expect;       /* do not check the programs' stated expectations (=> ...) */
    bool     verbose;         /* print each program with what every op did, as `=> ...` */
    const char *results_path; /* write that program (one input program only), or NULL */
};

/*
 * Replay each path (a program file, or a directory replayed recursively in name order; dot files
 * and a finding directory's report, meta file and original are skipped: finding_skip_name).
 * A program beside a finding.meta replays with the switches it records unless bugs_given.
 * Reports go to out, one-line errors about bad files to err.
 */
int replay_paths(const struct replay_opts *o, char *const *paths, int n, FILE *out, FILE *err);

/*
 * The program files under paths, as replay takes them: a file as is, a directory recursively in
 * name order, passing over dot files and finding_skip_name's; fn(path, arg) for each. A path
 * that cannot be read is one line "TOOL: PATH: reason" on err. Returns how many could not be.
 */
unsigned replay_walk(const char *tool, char *const *paths, int n,
                     void (*fn)(const char *path, void *arg), void *arg, FILE *err);

/* Subcommands (tools/cmd_*.c). */
int cmd_replay_main(int argc, char **argv);
int cmd_show_main(int argc, char **argv);
int cmd_encode_main(int argc, char **argv);

#endif
