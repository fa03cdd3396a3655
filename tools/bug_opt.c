/* The --bug LIST option shared by the subcommands: bug zoo names to a switch bit set. */
#include <stdio.h>
#include <string.h>
#include "hvfuzz/monitor.h"
#include "hvfuzz/tools.h"

int tool_parse_bugs(const char *cmd, const char *list, uint64_t *bits)
{
    const char *bad = NULL;
    size_t bad_len = 0;
    /* "none" says so explicitly: replay then ignores the switches a finding recorded */
    if (!strcmp(list, "none")) {
        *bits = 0;
        return 0;
    }
    if (hv_bugs_parse(list, bits, &bad, &bad_len) == 0)
        return 0;
    fprintf(stderr, "hvfuzz %s: unknown bug '%.*s' in --bug (hvfuzz bugzoo --list names them)\n",
            cmd, (int)bad_len, bad);
    return -1;
}
