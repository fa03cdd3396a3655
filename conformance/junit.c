/* JUnit XML for the conformance runner, written by hand: CUnit 2.1-3's own JUnit mode is broken. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runner.h"

/* Length of a valid UTF-8 sequence at s that XML 1.0 allows, or 0. */
static size_t conf_utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;   /* overlong, surrogate or beyond U+10FFFF */
    if (c == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
        return 0;   /* U+FFFE and U+FFFF are not XML characters */
    return n;
}

/* Escape for text or attribute values; bytes XML cannot carry are shown as \xNN. */
static void conf_xml_put(FILE *f, const char *str, bool attr)
{
    const unsigned char *s = (const unsigned char *)str;

    while (*s) {
        size_t n;

        switch (*s) {
        case '&':  fputs("&amp;", f);  s++; continue;
        case '<':  fputs("&lt;", f);   s++; continue;
        case '>':  fputs("&gt;", f);   s++; continue;
        case '"':  fputs("&quot;", f); s++; continue;
        case '\'': fputs("&apos;", f); s++; continue;
        case '\n': fputs(attr ? "&#10;" : "\n", f); s++; continue;
        case '\t': fputs(attr ? "&#9;" : "\t", f);  s++; continue;
        case '\r': fputs("&#13;", f);  s++; continue;
        }
        n = *s < 0x20 ? 0 : conf_utf8_len(s);
        if (!n) {
            fprintf(f, "\\x%02x", *s);
            s++;
            continue;
        }
        fwrite(s, 1, n, f);
        s += n;
    }
}

struct conf_tally {
    unsigned tests, failures, errors, skipped;
    double secs;
};

static void conf_tally_add(struct conf_tally *t, const struct conf_entry *e)
{
    t->tests++;
    t->failures += e->r.state == CONF_FAILURE;
    t->errors += e->r.state == CONF_ERROR;
    t->skipped += e->r.state == CONF_SKIP;
    t->secs += e->secs;
}

static void conf_xml_tally(FILE *f, const struct conf_tally *t)
{
    fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\"",
            t->tests, t->failures, t->errors, t->skipped, t->secs);
}

static void conf_xml_case(FILE *f, const struct conf_entry *e)
{
    const struct conf_result *r = &e->r;
    const char *tag = r->state == CONF_FAILURE ? "failure" : "error";

    fputs("    <testcase classname=\"", f);
    conf_xml_put(f, e->area, true);
    fputs("\" name=\"", f);
    conf_xml_put(f, e->cc->name, true);
    fprintf(f, "\" time=\"%.3f\"", e->secs);
    switch (r->state) {
    case CONF_SUCCESS:
        fputs("/>\n", f);
        return;
    case CONF_SKIP:
        fputs(">\n      <skipped message=\"", f);
        conf_xml_put(f, r->msg, true);
        fputs("\"/>\n    </testcase>\n", f);
        return;
    case CONF_FAILURE:
    case CONF_ERROR:
        fprintf(f, ">\n      <%s type=\"%s\" message=\"", tag, conf_state_label(r->state));
        conf_xml_put(f, r->msg, true);
        fputs("\">", f);
        conf_xml_put(f, r->msg, false);
        if (r->notes[0]) {
            fputs("\n", f);
            conf_xml_put(f, r->notes, false);
        }
        fprintf(f, "</%s>\n    </testcase>\n", tag);
        return;
    }
}

/* Entries are grouped by area already: one testsuite per run of equal area names. */
static void conf_xml_write(FILE *f, const struct conf_entry *ent, unsigned nr)
{
    struct conf_tally all = { 0 };
    unsigned i, j;

    for (i = 0; i < nr; i++)
        conf_tally_add(&all, &ent[i]);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hvfuzz conform\"", f);
    conf_xml_tally(f, &all);
    fputs(">\n", f);
    for (i = 0; i < nr; i = j) {
        struct conf_tally t = { 0 };

        for (j = i; j < nr && !strcmp(ent[j].area, ent[i].area); j++)
            conf_tally_add(&t, &ent[j]);
        fputs("  <testsuite name=\"", f);
        conf_xml_put(f, ent[i].area, true);
        fputs("\"", f);
        conf_xml_tally(f, &t);
        fputs(">\n", f);
        for (j = i; j < nr && !strcmp(ent[j].area, ent[i].area); j++)
            conf_xml_case(f, &ent[j]);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
}

/* Write next to the target and rename, so a reader never sees half a report. */
int conf_junit_write(const char *path, const struct conf_entry *ent, unsigned nr)
{
    size_t len = strlen(path) + sizeof(".XXXXXX");
    char *tmp = malloc(len);
    mode_t mask;
    FILE *f;
    int fd, err;

    if (!tmp)
        return -ENOMEM;
    snprintf(tmp, len, "%s.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        err = -errno;
        free(tmp);
        return err;
    }
    /* mkstemp makes the file 0600; a report should be as readable as any other output */
    mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);   /* on failure a 0600 report is still a report */
    f = fdopen(fd, "w");
    if (!f) {
        err = -errno;
        close(fd);
        goto fail;
    }
    conf_xml_write(f, ent, nr);
    if (fflush(f) || ferror(f) || fsync(fileno(f))) {
        err = -(errno ? errno : EIO);
        fclose(f);
        goto fail;
    }
    if (fclose(f)) {
        err = -errno;
        goto fail;
    }
    if (rename(tmp, path)) {
        err = -errno;
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    unlink(tmp);
    free(tmp);
    return err;
}

/* Refuse an unwritable --junit path before spending the run, not after. */
int conf_junit_check(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if (!path[0] || path[strlen(path) - 1] == '/')
        return -EISDIR;
    return access(dir, W_OK) ? -errno : 0;
}
