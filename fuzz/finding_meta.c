/* finding.meta: the key=value record of how a finding was made, and replay's use of it. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hvfuzz/io.h"
#include "hvfuzz/finding.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/version.h"

/*
 * Why a file of its own beside report.txt: the report is for people and changes its wording;
 * replay needs a few facts in a form that stays put. One "key=value" a line, '#' comments; keys a
 * reader does not know are passed over, so later versions can add some. format=1 is this layout.
 */
#define FINDING_META_FORMAT 1
#define FINDING_META_MAX    8192   /* a meta file is a few hundred bytes; more is not one */

/* The bug names, comma-separated ("none" for no switch): what --bug takes. */
static void meta_bugs(struct io_buf *o, uint64_t bugs)
{
    bool any = false;

    for (unsigned b = 1; b < HV_BUG_NR; b++)
        if ((bugs >> b) & 1) {
            io_printf(o, "%s%s", any ? "," : "", hv_bug_table[b].name);
            any = true;
        }
    if (!any)
        io_printf(o, "none");
}

size_t finding_meta_format(const struct prog *p, const struct finding *f,
                           const struct finding_info *in, char *buf, size_t cap)
{
    struct io_buf o = { .buf = buf, .cap = cap, .len = 0 };

    if (cap)
        buf[0] = '\0';
    io_printf(&o, "# hvfuzz finding: what `hvfuzz replay` reads (report.txt is for people)\n");
    io_printf(&o, "format=%d\n", FINDING_META_FORMAT);
    io_printf(&o, "version=%s\n", HVFUZZ_VERSION);
    io_printf(&o, "target=%s\n", in->target ? in->target : "native");
    /* replay passes over keys it does not know; hvfuzz diff --targets target,diff replays it */
    if (in->diff_target)
        io_printf(&o, "diff=%s\n", in->diff_target);
    io_printf(&o, "bugs=");
    meta_bugs(&o, in->bugs);
    io_printf(&o, "\naudit_each_op=%d\n", in->audit_each_op ? 1 : 0);
    /* a signature is one line (finding_slug names the directory); a newline would end the value */
    io_printf(&o, "signature=%.*s\n", (int)strcspn(f->signature, "\n"), f->signature);
    io_printf(&o, "shape=%u,%u,%u,%u\n", p->shape.nr_frames, p->shape.nr_domains,
                p->shape.nr_vcpus, p->shape.dom_pages);
    if (in->campaign) {
        io_printf(&o, "seed=%llu\nworker=%u\n", (unsigned long long)in->seed, in->worker);
        if (in->fresh)
            io_printf(&o, "program=generated:%llu\n", (unsigned long long)in->index);
        else
            io_printf(&o, "program=mutated\n");
    }
    io_printf(&o, "repro=%s\n", FINDING_REPRO);
    io_printf(&o, "original=%s\n", in->orig ? FINDING_ORIG : FINDING_REPRO);
    return o.len;
}

__attribute__((format(printf, 3, 4)))
static int meta_fail(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return -1;
}

static int meta_bool(const char *v, bool *out)
{
    if (!strcmp(v, "0") || !strcmp(v, "1")) {
        *out = v[0] == '1';
        return 0;
    }
    return -1;
}

int finding_meta_parse(const char *text, struct finding_meta *m, char *why, size_t why_cap)
{
    bool have_format = false, have_bugs = false;
    char line[1024];

    memset(m, 0, sizeof(*m));
    snprintf(m->target, sizeof(m->target), "native");
    for (const char *s = text; *s;) {
        size_t n = strcspn(s, "\n");
        m->line++;
        if (n >= sizeof(line))
            return meta_fail(why, why_cap, "line too long");
        memcpy(line, s, n);
        line[n] = '\0';
        s += n + (s[n] == '\n');
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq)
            return meta_fail(why, why_cap, "'%s' is not key=value", line);
        *eq = '\0';
        const char *k = line, *v = eq + 1;
        if (!strcmp(k, "format")) {
            if (strcmp(v, "1"))
                return meta_fail(why, why_cap, "format %s is not one this hvfuzz reads (1)", v);
            have_format = true;
        } else if (!strcmp(k, "bugs")) {
            const char *bad = NULL;
            size_t bad_len = 0;
            m->bugs = 0;
            if (strcmp(v, "none") && hv_bugs_parse(v, &m->bugs, &bad, &bad_len) < 0)
                return meta_fail(why, why_cap, "no bug named '%.*s' in this hvfuzz",
                                 (int)bad_len, bad ? bad : "");
            have_bugs = true;
        } else if (!strcmp(k, "audit_each_op")) {
            if (meta_bool(v, &m->audit_each_op) < 0)
                return meta_fail(why, why_cap, "audit_each_op wants 0 or 1, not '%s'", v);
        } else if (!strcmp(k, "target")) {
            if (!*v || strlen(v) >= sizeof(m->target))
                return meta_fail(why, why_cap, "bad target name '%s'", v);
            snprintf(m->target, sizeof(m->target), "%s", v);
        } else if (!strcmp(k, "diff")) {
            if (!*v || strlen(v) >= sizeof(m->diff))
                return meta_fail(why, why_cap, "bad target name '%s'", v);
            snprintf(m->diff, sizeof(m->diff), "%s", v);
        }
    }
    m->line = 0;
    if (!have_format)
        return meta_fail(why, why_cap, "no format= line (not a finding.meta file?)");
    if (!have_bugs)
        return meta_fail(why, why_cap, "no bugs= line");
    return 0;
}

/* The file name in the directory of prog_path. */
static void meta_path_beside(const char *prog_path, const char *name, char *out, size_t cap)
{
    const char *slash = strrchr(prog_path, '/');

    if (slash)
        snprintf(out, cap, "%.*s/%s", (int)(slash - prog_path), prog_path, name);
    else
        snprintf(out, cap, "%s", name);
}

/* Read the meta file: 1 read and parsed, 0 there is none, -1 bad (why says so). */
static int meta_load(const char *path, struct finding_meta *m, char *why, size_t cap)
{
    FILE *f = fopen(path, "r");
    char *text;
    size_t n;

    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(why, cap, "%s", strerror(errno));
        return -1;
    }
    text = malloc(FINDING_META_MAX + 1);
    if (!text) {
        fclose(f);
        snprintf(why, cap, "out of memory");
        return -1;
    }
    n = fread(text, 1, FINDING_META_MAX + 1, f);
    bool err = ferror(f);
    fclose(f);
    int rc = 1;
    if (err) {
        snprintf(why, cap, "cannot read it");
        rc = -1;
    } else if (n > FINDING_META_MAX) {
        snprintf(why, cap, "larger than %u bytes: not a finding.meta", FINDING_META_MAX);
        rc = -1;
    } else if (memchr(text, '\0', n)) {
        snprintf(why, cap, "holds a NUL byte: not text");
        rc = -1;
    } else {
        text[n] = '\0';
        if (finding_meta_parse(text, m, why, cap) < 0)
            rc = -1;
    }
    free(text);
    return rc;
}

int finding_replay_opts(const char *prog_path, const struct target_opts *given, bool bugs_given,
                        struct target_opts *use, FILE *out, FILE *err)
{
    char meta[4096 + 32], why[256];
    struct finding_meta m;
    struct stat st;

    *use = *given;
    if (bugs_given)
        return 0;
    meta_path_beside(prog_path, FINDING_META, meta, sizeof(meta));
    int rc = meta_load(meta, &m, why, sizeof(why));
    if (rc == 0) {
        /* a finding directory from before finding.meta: its switches are only in the report */
        meta_path_beside(prog_path, FINDING_REPORT, meta, sizeof(meta));
        if (stat(meta, &st) == 0)
            fprintf(err, "hvfuzz replay: %s: no %s beside it: replaying without recorded switches "
                         "(%s may name them: give --bug LIST)\n", prog_path, FINDING_META,
                    FINDING_REPORT);
        return 0;
    }
    if (rc < 0) {
        char at[32] = "";
        if (m.line)
            snprintf(at, sizeof(at), "line %u: ", m.line);
        fprintf(err, "hvfuzz replay: %s: %s%s (give --bug LIST, or --bug none, to replay without "
                     "the recorded switches)\n", meta, at, why);
        return -1;
    }
    /* replay runs one target, where a difference does not show */
    if (m.diff[0])
        fprintf(out, "%s: a difference between %s and %s (from %s): hvfuzz diff --targets %s,%s "
                "replays it\n", prog_path, m.target, m.diff, FINDING_META, m.target, m.diff);
    if (!m.bugs && !m.audit_each_op)
        return 0;
    use->bugs = m.bugs;
    use->audit_each_op |= m.audit_each_op;

    struct io_buf o = { .buf = why, .cap = sizeof(why), .len = 0 };
    why[0] = '\0';
    if (m.bugs) {
        io_printf(&o, " --bug ");
        meta_bugs(&o, m.bugs);
    }
    if (m.audit_each_op)
        io_printf(&o, " --audit-each-op");
    fprintf(out, "%s: using the recorded%s (from %s; --bug none replays without)\n", prog_path, why,
            FINDING_META);
    return 0;
}

bool finding_skip_name(const char *name)
{
    return !strcmp(name, FINDING_REPORT) || !strcmp(name, FINDING_META) ||
           !strcmp(name, FINDING_ORIG);
}
