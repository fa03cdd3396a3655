/* Numeric option values for every subcommand: whole, in range, no sign games, no overflow. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hvfuzz/tools.h"

/* The value of --name for command cmd, or -1 after saying on stderr what it must be. */
int tool_parse_u64(const char *cmd, const char *name, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out)
{
    const char *p = s;
    char *end;
    unsigned long long v;

    while (*p == ' ' || *p == '\t')
        p++;
    /* strtoull takes "-1" as 2^64-1: a sign is never a number here */
    if (*p == '-' || *p == '+' || !*p)
        goto bad;
    errno = 0;
    v = strtoull(p, &end, 0);
    if (errno == ERANGE || end == p || *end || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    fprintf(stderr, "hvfuzz %s: bad value '%s' for --%s (a whole number, %llu..%llu)\n", cmd, s,
            name, (unsigned long long)min, (unsigned long long)max);
    return -1;
}

int tool_parse_unsigned(const char *cmd, const char *name, const char *s, unsigned min,
                        unsigned max, unsigned *out)
{
    uint64_t v;

    if (tool_parse_u64(cmd, name, s, min, max, &v) < 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int tool_parse_secs(const char *cmd, const char *name, const char *s, double min, double max,
                    double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE || end == s || *end || !isfinite(v) || v < min || v > max) {
        fprintf(stderr, "hvfuzz %s: bad value '%s' for --%s (seconds, %g..%g)\n", cmd, s, name,
                min, max);
        return -1;
    }
    *out = v;
    return 0;
}
