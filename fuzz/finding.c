/* Findings: readable reports and atomic, deduplicated storage (report.txt, repro.bin, meta). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvfuzz/finding.h"
#include "hvfuzz/io.h"
#include "hvfuzz/monitor.h"
#include "hvfuzz/version.h"

uint64_t finding_hash(const char *signature)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const unsigned char *s = (const unsigned char *)signature; *s; s++) {
        h ^= *s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* What the op did, in the expectation syntax of programs (docs/PROGRAMS.md), as a comment. */
static void finding_result(struct io_buf *o, const struct prog_op *op, const struct op_result *r)
{
    struct prog_op shown;
    char text[512];

    if (r->status == OPS_NOT_RUN && r->rc == 0) {
        io_printf(o, "  # not run");
        return;
    }
    shown.kind = op->kind;
    target_observe(op, r, NULL, &shown.expect);
    prog_expect_format(&shown, text, sizeof(text));
    io_printf(o, "  # result: %s", text + 4);   /* past " => " */
}

size_t finding_format(const struct prog *p, const struct finding *f, const struct op_result *results,
                      char *buf, size_t cap)
{
    struct io_buf o = { .buf = buf, .cap = cap, .len = 0 };
    size_t tlen = prog_format_text(p, NULL, 0) + 1;
    char *text = malloc(tlen);

    if (cap)
        buf[0] = '\0';
    io_printf(&o, "signature: %s\n", f->signature);
    io_printf(&o, "oracle:    %s\n", oracle_name(f->oracle));
    if (f->op_index >= 0)
        io_printf(&o, "operation: %d (marked >>> below)\n", f->op_index);
    else
        io_printf(&o, "operation: none (seen at the end of the program)\n");
    io_printf(&o, "detail:\n");
    for (const char *s = f->detail; *s;) {
        const char *nl = strchr(s, '\n');
        int n = nl ? (int)(nl - s) : (int)strlen(s);
        io_printf(&o, "  %.*s\n", n, s);
        s += n + (nl ? 1 : 0);
    }
    io_printf(&o, "program:\n");
    if (!text) {
        io_printf(&o, "  (out of memory formatting the program)\n");
        return o.len;
    }
    prog_format_text(p, text, tlen);
    /* the text form has two header lines, then one line per op */
    int line = 0;
    for (char *s = text; *s; line++) {
        char *nl = strchr(s, '\n');
        int n = nl ? (int)(nl - s) : (int)strlen(s);
        int op = line - 2;
        const char *mark = op >= 0 && op == f->op_index ? ">>> " : "    ";
        if (op < 0)
            io_printf(&o, "    %.*s", n, s);
        else
            io_printf(&o, "%s%3d %.*s", mark, op, n, s);
        if (op >= 0 && results && (uint32_t)op < p->nr_ops)
            finding_result(&o, &p->ops[op], &results[op]);
        io_printf(&o, "\n");
        s += n + (nl ? 1 : 0);
    }
    free(text);
    return o.len;
}

static int finding_put(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    if (io_write_all(fd, data, len) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* the rename publishes the directory: its files must be on disk before it */
    if (fsync(fd) < 0 || close(fd) < 0)
        return -1;
    return 0;
}

/* Signatures go into names: keep letters, digits and a few marks, the rest becomes '_'. */
static void finding_slug(const char *sig, char *out, size_t cap)
{
    size_t i = 0;

    for (; *sig && i + 1 < cap && i < 48; sig++, i++) {
        char c = *sig;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
}

static void finding_rmtmp(const char *tmp)
{
    static const char *const files[] = {
        FINDING_REPORT, FINDING_REPRO, FINDING_ORIG, FINDING_META,
    };
    char path[4096 + 32];

    for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
        unlink(path);
    }
    rmdir(tmp);
}

bool finding_stored(const char *out_dir, const char *signature, char *dir, size_t dir_cap)
{
    char slug[64], final[4096];
    struct stat st;

    finding_slug(signature, slug, sizeof(slug));
    snprintf(final, sizeof(final), "%s/%016llx-%s", out_dir,
             (unsigned long long)finding_hash(signature), slug);
    if (dir && dir_cap)
        snprintf(dir, dir_cap, "%s", final);
    return stat(final, &st) == 0;
}

/* " --bug a,b" (or "" with none), as the command line spells it. */
static void finding_bug_opt(uint64_t bugs, char *buf, size_t cap)
{
    size_t len = 0;

    buf[0] = '\0';
    for (unsigned b = 1; b < HV_BUG_NR && len + 1 < cap; b++)
        if ((bugs >> b) & 1) {
            int n = snprintf(buf + len, cap - len, "%s%s", len ? "," : " --bug ",
                             hv_bug_table[b].name);
            if (n > 0)
                len += (size_t)n;
        }
}

/* The header of report.txt: provenance, the files and the command that replays the finding. */
static void finding_head(struct io_buf *o, const struct prog *p, const struct finding_info *in,
                         const char *dir)
{
    const char *target = in->target ? in->target : "native";
    char bugs[512];

    finding_bug_opt(in->bugs, bugs, sizeof(bugs));
    if (in->diff_target) {
        io_printf(o, "replay:    hvfuzz diff --targets %s,%s%s %s/%s\n", target, in->diff_target,
                  bugs, dir, FINDING_REPRO);
        io_printf(o, "version:   hvfuzz %s\n", HVFUZZ_VERSION);
        io_printf(o, "targets:   %s and %s (a difference between them)\n", target,
                  in->diff_target);
    } else {
        io_printf(o, "replay:    hvfuzz replay%s%s%s%s %s/%s\n",
                   strcmp(target, "native") ? " --target " : "",
                   strcmp(target, "native") ? target : "", bugs,
                   in->audit_each_op ? " --audit-each-op" : "", dir, FINDING_REPRO);
        io_printf(o, "version:   hvfuzz %s\n", HVFUZZ_VERSION);
        io_printf(o, "target:    %s\n", target);
    }
    io_printf(o, "bugs:      %s\n", bugs[0] ? bugs + 1 : "none (no --bug)");
    io_printf(o, "audit:     %s\n", in->audit_each_op ? "after every op (--audit-each-op)"
                                                             : "at the end of the program");
    io_printf(o, "machine:   %u frames, %u domains, %u vCPUs and %u pages per domain\n",
                   p->shape.nr_frames, p->shape.nr_domains, p->shape.nr_vcpus, p->shape.dom_pages);
    if (in->campaign && in->fresh)
        io_printf(o, "found by:  hvfuzz fuzz --seed %llu, worker %u, generated program %llu\n",
                       (unsigned long long)in->seed, in->worker, (unsigned long long)in->index);
    else if (in->campaign)
        io_printf(o, "found by:  hvfuzz fuzz --seed %llu, worker %u, a program mutated from "
                       "the corpus\n", (unsigned long long)in->seed, in->worker);
    else if (in->source)
        io_printf(o, "found by:  hvfuzz replay %s\n", in->source);
    if (in->orig)
        io_printf(o, "files:     %s = minimized (%s); %s = the program as found (%u ops)\n",
                       FINDING_REPRO, in->minimized ? in->minimized : "?", FINDING_ORIG,
                       in->orig->nr_ops);
    else
        io_printf(o, "files:     %s = the program as found (not minimized%s%s)\n",
                       FINDING_REPRO, in->minimized ? ": " : "",
                       in->minimized ? in->minimized : "");
}

/* report.txt: the header, then finding_format's text. */
static char *finding_report(const struct prog *p, const struct finding *f,
                            const struct op_result *results, const struct finding_info *in,
                            const char *dir, size_t *len)
{
    struct io_buf o = { .buf = NULL, .cap = 0, .len = 0 };
    size_t body = finding_format(p, f, results, NULL, 0);
    char *buf;

    finding_head(&o, p, in, dir);
    o.cap = o.len + body + 1;
    o.len = 0;
    o.buf = buf = malloc(o.cap);
    if (!buf)
        return NULL;
    finding_head(&o, p, in, dir);
    finding_format(p, f, results, buf + o.len, o.cap - o.len);
    *len = strlen(buf);
    return buf;
}

/* Encode p and store it at tmp/name. */
static int finding_put_prog(const char *tmp, const char *name, const struct prog *p)
{
    char path[4096 + 32];
    size_t blen = prog_encoded_size(p);
    uint8_t *bin = malloc(blen ? blen : 1);
    int rc = -1;

    if (!bin) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    if (prog_encode(p, bin, blen) != blen)
        errno = EINVAL;
    else
        rc = finding_put(path, bin, blen);
    int saved = errno;
    free(bin);
    errno = saved;
    return rc;
}

int finding_write(const char *out_dir, const struct prog *p, const struct finding *f,
                  const struct op_result *results, const struct finding_info *info, char *dir,
                  size_t dir_cap)
{
    static const struct finding_info none;
    const struct finding_info *in = info ? info : &none;
    char final[4096], tmp[4096], path[4096 + 32];
    uint64_t h = finding_hash(f->signature);
    char *report = NULL, *meta = NULL;
    size_t rlen = 0, mlen;
    int rc = -1, saved;

    if (finding_stored(out_dir, f->signature, final, sizeof(final))) {
        if (dir && dir_cap)
            snprintf(dir, dir_cap, "%s", final);
        return 0;
    }
    if (dir && dir_cap)
        snprintf(dir, dir_cap, "%s", final);
    if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s/.tmp-%016llx-%ld", out_dir, (unsigned long long)h, (long)getpid());
    finding_rmtmp(tmp);
    if (mkdir(tmp, 0755) < 0)
        return -1;

    report = finding_report(p, f, results, in, final, &rlen);
    mlen = finding_meta_format(p, f, in, NULL, 0) + 1;
    meta = malloc(mlen);
    if (!report || !meta) {
        errno = ENOMEM;
        goto out;
    }
    finding_meta_format(p, f, in, meta, mlen);
    snprintf(path, sizeof(path), "%s/%s", tmp, FINDING_REPORT);
    if (finding_put(path, report, rlen) < 0)
        goto out;
    snprintf(path, sizeof(path), "%s/%s", tmp, FINDING_META);
    if (finding_put(path, meta, mlen - 1) < 0)
        goto out;
    if (finding_put_prog(tmp, FINDING_REPRO, p) < 0)
        goto out;
    if (in->orig && finding_put_prog(tmp, FINDING_ORIG, in->orig) < 0)
        goto out;
    /* atomic publication; another process that stored the same signature first wins */
    if (rename(tmp, final) == 0) {
        rc = 1;
    } else if (errno == EEXIST || errno == ENOTEMPTY) {
        rc = 0;
    }
out:
    saved = errno;
    free(report);
    free(meta);
    if (rc != 1)
        finding_rmtmp(tmp);
    errno = saved;
    return rc;
}
