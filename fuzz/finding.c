/* Findings: readable reports and atomic, deduplicated storage (report.txt + repro.bin). */
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

uint64_t finding_hash(const char *signature)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const unsigned char *s = (const unsigned char *)signature; *s; s++) {
        h ^= *s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* An snprintf-like sink over one buffer. */
struct finding_out {
    char *buf;
    size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void finding_printf(struct finding_out *o, const char *fmt, ...)
{
    va_list ap;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;

    va_start(ap, fmt);
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static const char *finding_status_name(uint8_t s)
{
    switch (s) {
    case OPS_RAN: return "ran";
    case OPS_RESTART: return "restart";
    case OPS_NOT_RUN: return "not run";
    case OPS_UNSUPPORTED: return "unsupported";
    default: return "?";
    }
}

static void finding_result(struct finding_out *o, const struct prog_op *op, const struct op_result *r)
{
    if (r->status != OPS_RAN && r->status != OPS_RESTART) {
        finding_printf(o, "  => %s", finding_status_name(r->status));
        return;
    }
    finding_printf(o, "  => rc %lld", (long long)r->rc);
    if (r->status == OPS_RESTART)
        finding_printf(o, " (continuation pending)");
    if (op->kind == OP_GUEST_READ && r->rc == 0)
        finding_printf(o, " value 0x%llx", (unsigned long long)r->value);
    if ((op->kind == OP_GUEST_READ || op->kind == OP_GUEST_WRITE) && r->rc != 0)
        finding_printf(o, " pfec 0x%x", r->pfec);
}

size_t finding_format(const struct prog *p, const struct finding *f, const struct op_result *results,
                      char *buf, size_t cap)
{
    struct finding_out o = { .buf = buf, .cap = cap, .len = 0 };
    size_t tlen = prog_format_text(p, NULL, 0) + 1;
    char *text = malloc(tlen);

    if (cap)
        buf[0] = '\0';
    finding_printf(&o, "signature: %s\n", f->signature);
    finding_printf(&o, "oracle:    %s\n", oracle_name(f->oracle));
    if (f->op_index >= 0)
        finding_printf(&o, "operation: %d (marked >>> below)\n", f->op_index);
    else
        finding_printf(&o, "operation: none (seen at the end of the program)\n");
    finding_printf(&o, "detail:\n");
    for (const char *s = f->detail; *s;) {
        const char *nl = strchr(s, '\n');
        int n = nl ? (int)(nl - s) : (int)strlen(s);
        finding_printf(&o, "  %.*s\n", n, s);
        s += n + (nl ? 1 : 0);
    }
    finding_printf(&o, "program:\n");
    if (!text) {
        finding_printf(&o, "  (out of memory formatting the program)\n");
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
            finding_printf(&o, "    %.*s", n, s);
        else
            finding_printf(&o, "%s%3d %.*s", mark, op, n, s);
        if (op >= 0 && results && (uint32_t)op < p->nr_ops)
            finding_result(&o, &p->ops[op], &results[op]);
        finding_printf(&o, "\n");
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
    char path[4096 + 32];

    snprintf(path, sizeof(path), "%s/report.txt", tmp);
    unlink(path);
    snprintf(path, sizeof(path), "%s/repro.bin", tmp);
    unlink(path);
    rmdir(tmp);
}

int finding_write(const char *out_dir, const struct prog *p, const struct finding *f,
                  const struct op_result *results, char *dir, size_t dir_cap)
{
    char slug[64], final[4096], tmp[4096], path[4096 + 32];
    uint64_t h = finding_hash(f->signature);
    struct stat st;
    int rc = -1, saved;

    finding_slug(f->signature, slug, sizeof(slug));
    snprintf(final, sizeof(final), "%s/%016llx-%s", out_dir, (unsigned long long)h, slug);
    if (dir && dir_cap)
        snprintf(dir, dir_cap, "%s", final);
    if (stat(final, &st) == 0)
        return 0;
    if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s/.tmp-%016llx-%ld", out_dir, (unsigned long long)h, (long)getpid());
    finding_rmtmp(tmp);
    if (mkdir(tmp, 0755) < 0)
        return -1;

    size_t rlen = finding_format(p, f, results, NULL, 0) + 1;
    size_t blen = prog_encoded_size(p);
    char *report = malloc(rlen);
    uint8_t *bin = malloc(blen ? blen : 1);
    if (!report || !bin) {
        errno = ENOMEM;
        goto out;
    }
    finding_format(p, f, results, report, rlen);
    if (prog_encode(p, bin, blen) != blen) {
        errno = EINVAL;
        goto out;
    }
    snprintf(path, sizeof(path), "%s/report.txt", tmp);
    if (finding_put(path, report, rlen - 1) < 0)
        goto out;
    snprintf(path, sizeof(path), "%s/repro.bin", tmp);
    if (finding_put(path, bin, blen) < 0)
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
    free(bin);
    if (rc != 1)
        finding_rmtmp(tmp);
    errno = saved;
    return rc;
}
