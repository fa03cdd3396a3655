/* The xen target's line parser: the agent's framed lines and Xen's crash texts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"

/* Xen's words for a dead machine (targets.md) and the signature each gives. */
static const struct { const char *text, *reason; } xen_crash_texts[] = {
    { "Panic on CPU", "panic" },
    { "Hardware Dom0 crashed", "dom0-crashed" },
    { "FATAL TRAP", "fatal-trap" },
    { "FATAL PAGE FAULT", "fatal-page-fault" },
};

static int xen_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "<text> ~xxxxxxxx" with the FNV-1a of text: the length of text, or -1. */
static long xen_frame_ok(const char *line)
{
    const char *t = strstr(line, " ~");
    uint32_t want = 0;

    if (!t || strlen(t + 2) != 8)
        return -1;
    for (int i = 0; i < 8; i++) {
        int v = xen_hexval(t[2 + i]);
        if (v < 0)
            return -1;
        want = want << 4 | (uint32_t)v;
    }
    return xp_fnv(line, (unsigned long)(t - line)) == want ? t - line : -1;
}

/* Up to max hex numbers separated by blanks, from s to end; the rest (after them) in rest. */
static unsigned xen_numbers(const char *s, const char *end, uint64_t *v, unsigned max,
                            const char **rest)
{
    unsigned n = 0;

    while (s < end && n < max) {
        while (s < end && *s == ' ')
            s++;
        const char *b = s;
        uint64_t x = 0;
        while (s < end && xen_hexval(*s) >= 0)
            x = x << 4 | (uint64_t)xen_hexval(*s++);
        if (s == b || (s < end && *s != ' ')) {
            s = b;
            break;
        }
        v[n++] = x;
    }
    *rest = s;
    return n;
}

enum xen_line_kind xen_parse_line(const char *line, struct xen_line *l)
{
    static const struct { const char *tag; enum xen_line_kind kind; unsigned nf; } tags[] = {
        { "HVREADY ", XL_READY, 1 }, { "HVN ", XL_ACK, 1 }, { "HVR ", XL_RESULT, 7 },
        { "HVO ", XL_OUT, 2 }, { "HVE ", XL_END, 3 }, { "HVX ", XL_AGENT_DIED, 0 },
    };
    memset(l, 0, sizeof(*l));
    /* only Xen's own lines: a program's console writes reach the same line unprefixed */
    const char *xen = strstr(line, "(XEN)");
    for (size_t i = 0; xen && i < sizeof(xen_crash_texts) / sizeof(xen_crash_texts[0]); i++)
        if (strstr(xen, xen_crash_texts[i].text)) {
            snprintf(l->text, sizeof(l->text), "%s", xen_crash_texts[i].reason);
            return l->kind = XL_CRASH;
        }
    /* the agent's lines may follow Xen's partial output on the same line */
    const char *s = strstr(line, "HV");
    long n = s ? xen_frame_ok(s) : -1;
    if (n < 0)
        return l->kind = XL_OTHER;
    const char *end = s + n, *rest;
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        size_t tl = strlen(tags[i].tag);
        if (strncmp(s, tags[i].tag, tl))
            continue;
        l->nf = xen_numbers(s + tl, end, l->f, tags[i].nf, &rest);
        if (l->nf != tags[i].nf)
            return l->kind = XL_OTHER;
        while (rest < end && *rest == ' ')
            rest++;
        if (tags[i].kind == XL_OUT) {
            for (; rest + 1 < end && l->nbytes < PROG_MAX_PAYLOAD; rest += 2) {
                int hi = xen_hexval(rest[0]), lo = xen_hexval(rest[1]);
                if (hi < 0 || lo < 0)
                    return l->kind = XL_OTHER;
                l->bytes[l->nbytes++] = (uint8_t)(hi << 4 | lo);
            }
        } else {
            snprintf(l->text, sizeof(l->text), "%.*s", (int)(end - rest), rest);
        }
        return l->kind = tags[i].kind;
    }
    return l->kind = XL_OTHER;
}
