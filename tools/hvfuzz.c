/* The hvfuzz command: a table of subcommands (conform now; fuzz, replay, show, ... join the table). */
#include <stdio.h>
#include <string.h>
#include "conformance.h"
#include "hvfuzz/replay.h"
#include "hvfuzz/tools.h"
#include "hvfuzz/version.h"

#define HVFUZZ_EXIT_USAGE 2

/* A subcommand gets argv with argv[0] = its own name and answers --help itself. */
struct hvfuzz_cmd {
    const char *name;
    const char *summary;
    int (*main)(int argc, char **argv);
};

static const struct hvfuzz_cmd hvfuzz_cmds[] = {
    { .name = "conform", .summary = "run the conformance cases against the reference monitor",
      .main = conf_main },
    { .name = "replay", .summary = "replay program files or directories and report findings",
      .main = cmd_replay_main },
    { .name = "show", .summary = "print a program file as text", .main = cmd_show_main },
    { .name = "encode", .summary = "turn a program's text form into its binary", .main = cmd_encode_main },
    { .name = "fuzz", .summary = "fuzz a target with generated and mutated programs",
      .main = cmd_fuzz_main },
    { .name = "minimize", .summary = "shrink a finding's program, keeping its signature",
      .main = cmd_minimize_main },
    { .name = "bench", .summary = "measure programs/s and hypercalls/s of a target",
      .main = cmd_bench_main },
    { .name = "bugzoo", .summary = "list the re-created bugs; measure how fast each generator finds them",
      .main = cmd_bugzoo_main },
    { .name = "diff", .summary = "run programs on two targets and report where their results differ",
      .main = cmd_diff_main },
    { .name = "census", .summary = "count the value classes and states the generator produces", .main = cmd_census_main },
    { .name = "export", .summary = "write a reproducer that runs without hvfuzz (xen target)",
      .main = cmd_export_main },
};
#define HVFUZZ_NR_CMDS (sizeof(hvfuzz_cmds) / sizeof(hvfuzz_cmds[0]))

static void hvfuzz_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: hvfuzz COMMAND [OPTIONS]\n"
               "       hvfuzz --help | --version\n"
               "       hvfuzz help COMMAND\n"
               "\n"
               "A hypervisor fuzz and conformance suite.\n"
               "\n"
               "Commands:\n");
    for (i = 0; i < HVFUZZ_NR_CMDS; i++)
        fprintf(f, "  %-10s %s\n", hvfuzz_cmds[i].name, hvfuzz_cmds[i].summary);
    fprintf(f, "\n'hvfuzz COMMAND --help' describes a command's options.\n");
}

static const struct hvfuzz_cmd *hvfuzz_find(const char *name)
{
    size_t i;

    for (i = 0; i < HVFUZZ_NR_CMDS; i++)
        if (!strcmp(hvfuzz_cmds[i].name, name))
            return &hvfuzz_cmds[i];
    return NULL;
}

/* "hvfuzz help conform" is "hvfuzz conform --help": one place per command knows its options. */
static int hvfuzz_help(int argc, char **argv)
{
    const struct hvfuzz_cmd *cmd;
    char *sub_argv[3];

    if (argc < 2) {
        hvfuzz_usage(stdout);
        return 0;
    }
    cmd = hvfuzz_find(argv[1]);
    if (!cmd || argc > 2) {
        fprintf(stderr, "hvfuzz: no help for '%s'\n", argv[argc > 2 ? 2 : 1]);
        hvfuzz_usage(stderr);
        return HVFUZZ_EXIT_USAGE;
    }
    sub_argv[0] = argv[1];
    sub_argv[1] = (char *)"--help";
    sub_argv[2] = NULL;
    return cmd->main(2, sub_argv);
}

int main(int argc, char **argv)
{
    const struct hvfuzz_cmd *cmd;

    if (argc < 2) {
        hvfuzz_usage(stderr);
        return HVFUZZ_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        hvfuzz_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("hvfuzz %s\n", HVFUZZ_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "help"))
        return hvfuzz_help(argc - 1, argv + 1);
    /* every report and program text this process writes shows exit instructions by Capstone */
    tool_disasm_install();
    cmd = hvfuzz_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "hvfuzz: unknown command '%s'\n", argv[1]);
        hvfuzz_usage(stderr);
        return HVFUZZ_EXIT_USAGE;
    }
    return cmd->main(argc - 1, argv + 1);
}
