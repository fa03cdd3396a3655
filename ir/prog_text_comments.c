/* The text form with a source file's comments kept in place (what hvfuzz show prints for a .txt). */
#include <stdlib.h>
#include <string.h>

#include "ir/prog_internal.h"

/*
 * Why here and not in the IR: a comment means nothing to a target, the binary form has no room
 * for one, and struct prog is copied per run by the fuzz loop. So the IR stays without comments
 * and this re-reads the source text: the parser's line rules say which lines are operations, in
 * order, so the k-th operation line of the source is op k, and the comments around it go with it.
 */

struct prog_cm_out {
    char *buf;
    size_t cap, len;
};

static void prog_cm_put(struct prog_cm_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->cap) {
            o->buf[o->len] = s[i];
            o->buf[o->len + 1] = '\0';
        }
}

static size_t prog_cm_rtrim(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return n;
}

/* The header prog_format_text writes: dropped from the source, which gets a fresh one. */
static bool prog_cm_is_header(const char *c, size_t n)
{
    static const char h[] = "# hvfuzz program v";
    size_t k = sizeof(h) - 1;

    if (n <= k || memcmp(c, h, k) != 0)
        return false;
    for (; k < n; k++)
        if (c[k] < '0' || c[k] > '9')
            return false;
    return true;
}

/* Line i of text (0-based) and its length without the newline; text has at least i+1 lines. */
static const char *prog_cm_line(const char *text, unsigned i, size_t *n)
{
    while (i--)
        text = strchr(text, '\n') + 1;
    const char *nl = strchr(text, '\n');
    *n = nl ? (size_t)(nl - text) : strlen(text);
    return text;
}

/* A formatted op line with the source's comment instead of any comment the printer added. */
static void prog_cm_op(struct prog_cm_out *o, const char *line, size_t n, const char *c, size_t cn)
{
    if (cn) {
        const char *hash = memchr(line, '#', n);
        if (hash)
            n = prog_cm_rtrim(line, (size_t)(hash - line));
    }
    prog_cm_put(o, line, n);
    if (cn) {
        prog_cm_put(o, "  ", 2);
        prog_cm_put(o, c, cn);
    }
    prog_cm_put(o, "\n", 1);
}

static bool prog_cm_merge(struct prog_cm_out *o, const struct prog *p, const char *src,
                          const char *fmt)
{
    bool have_shape = false;
    uint32_t k = 0;
    size_t n;
    const char *f;

    f = prog_cm_line(fmt, 0, &n);
    prog_cm_put(o, f, n);
    prog_cm_put(o, "\n", 1);
    for (const char *s = src; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        const char *hash = memchr(s, '#', len);
        size_t code = prog_cm_rtrim(s, hash ? (size_t)(hash - s) : len);
        size_t lead = 0;
        while (lead < code && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        const char *c = hash ? hash : s + len;
        size_t cn = hash ? prog_cm_rtrim(hash, len - (size_t)(hash - s)) : 0;

        if (lead == code) {
            /* a comment or blank line, as written */
            if (!(cn && prog_cm_is_header(c, cn))) {
                prog_cm_put(o, s, prog_cm_rtrim(s, len));
                prog_cm_put(o, "\n", 1);
            }
        } else if (code - lead >= 5 && !memcmp(s + lead, "shape", 5) &&
                   (code - lead == 5 || s[lead + 5] == ' ' || s[lead + 5] == '\t')) {
            f = prog_cm_line(fmt, 1, &n);
            prog_cm_op(o, f, n, c, cn);
            have_shape = true;
        } else {
            if (k >= p->nr_ops)
                return false;
            if (!have_shape) {
                f = prog_cm_line(fmt, 1, &n);
                prog_cm_op(o, f, n, NULL, 0);
                have_shape = true;
            }
            f = prog_cm_line(fmt, 2 + k++, &n);
            prog_cm_op(o, f, n, c, cn);
        }
        s = nl ? nl + 1 : s + len;
    }
    if (!have_shape) {
        f = prog_cm_line(fmt, 1, &n);
        prog_cm_op(o, f, n, NULL, 0);
    }
    return k == p->nr_ops;
}

size_t prog_format_text_comments(const struct prog *p, const char *src, char *buf, size_t cap)
{
    struct prog_cm_out o = { .buf = buf, .cap = cap, .len = 0 };
    size_t flen = prog_format_text(p, NULL, 0) + 1;
    char *fmt = src ? malloc(flen) : NULL;

    if (cap)
        buf[0] = '\0';
    /* without the source (or memory for the plain text) the comments cannot be placed */
    if (!fmt)
        return prog_format_text(p, buf, cap);
    prog_format_text(p, fmt, flen);
    bool ok = prog_cm_merge(&o, p, src, fmt);
    free(fmt);
    if (!ok) {
        /* src is not the text p was parsed from */
        if (cap)
            buf[0] = '\0';
        return prog_format_text(p, buf, cap);
    }
    return o.len;
}
