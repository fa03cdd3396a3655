/* Entry points of the hvfuzz subcommands in tools/cmd_*.c (the table in tools/hvfuzz.c). */
#ifndef HVFUZZ_TOOLS_H
#define HVFUZZ_TOOLS_H

int cmd_fuzz_main(int argc, char **argv);
int cmd_minimize_main(int argc, char **argv);
int cmd_bench_main(int argc, char **argv);
int cmd_bugzoo_main(int argc, char **argv);
int cmd_census_main(int argc, char **argv);
int cmd_diff_main(int argc, char **argv);
int cmd_export_main(int argc, char **argv);

#include <stdint.h>
/* --bug NAME[,NAME...] or --bug none: 0, or -1 after naming the unknown bug on stderr. */
int tool_parse_bugs(const char *cmd, const char *list, uint64_t *bits);

#include <stdbool.h>
/* True if this binary was built with AddressSanitizer (SANITIZE=address,...). */
bool tool_built_with_asan(void);
/* --sanitized: exec <dir of this binary>/asan/hvfuzz CMD with argv[1..] minus --sanitized; returns
   only on error (2, said on stderr), or 0 at once if this binary is the sanitized build. */
int tool_exec_sanitized(const char *cmd, int argc, char **argv);
/* Numeric option values (tools/num_opt.c): 0, or -1 after naming the option and its range on
   stderr (the caller exits 2). A sign, trailing text or overflow is never accepted. */
int tool_parse_u64(const char *cmd, const char *name, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out);
int tool_parse_unsigned(const char *cmd, const char *name, const char *s, unsigned min,
                        unsigned max, unsigned *out);
int tool_parse_secs(const char *cmd, const char *name, const char *s, double min, double max,
                    double *out);

/* Exit lines of the text form get Capstone's disassembly as a comment (tools/disasm.c). */
void tool_disasm_install(void);

#endif
