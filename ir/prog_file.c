/* Program files: atomic save (temp + fsync + rename), load of binary or text by content. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvfuzz/io.h"
#include "ir/prog_internal.h"

/* Text files can hold comments, so they may be far larger than the biggest binary file. */
#define PROG_MAX_FILE (4U << 20)

static bool prog_is_text_path(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".txt") == 0;
}

/* The rename is only durable once the directory entry is on disk too. */
static void prog_sync_dir(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        /* Best effort: the file is already complete and in place; some filesystems refuse. */
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* A "*.txt" path gets the text form, anything else the canonical binary. */
enum prog_err prog_save(const struct prog *p, const char *path)
{
    enum prog_err e = prog_validate(p);
    if (e != PROG_OK)
        return e;

    bool text = prog_is_text_path(path);
    size_t len = text ? prog_format_text(p, NULL, 0) + 1 : prog_encoded_size(p);
    uint8_t *buf = malloc(len);
    size_t tlen = strlen(path) + sizeof(".tmp.XXXXXX");
    char *tmp = malloc(tlen);
    int fd = -1, saved;

    if (!buf || !tmp)
        goto fail_nofile;
    if (text)
        len = prog_format_text(p, (char *)buf, len);
    else
        len = prog_encode(p, buf, len);
    /* Same directory as the target, so the rename cannot cross filesystems. */
    snprintf(tmp, tlen, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0)
        goto fail_nofile;
    /* mkstemp makes 0600 files; corpus files are meant to be shared. */
    if (fchmod(fd, 0644) < 0 || io_write_all(fd, buf, len) < 0 || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto fail;
    prog_sync_dir(path);
    free(tmp);
    free(buf);
    return PROG_OK;

fail:
    /* The caller reads errno: keep the first failure's, not the clean-up's. */
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    errno = saved;
fail_nofile:
    saved = errno;
    free(tmp);
    free(buf);
    errno = saved;
    return PROG_E_IO;
}

/* Reads at most max bytes; *len = max + 1 means the file is bigger. */
static uint8_t *prog_read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;

    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap > max)
                break;
            uint8_t *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int saved = errno;
            free(buf);
            close(fd);
            errno = saved;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    if (buf) {
        buf[n] = '\0';   /* the +1 in every allocation: the text parser wants a C string */
        *len = n > max ? max + 1 : n;
    }
    return buf;
}

static bool prog_looks_like_text(const uint8_t *d, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t')
            return false;
    return true;
}

enum prog_err prog_load_err(struct prog *p, const char *path, struct prog_text_error *err,
                            char **text)
{
    uint8_t magic[4];
    size_t len = 0;
    enum prog_err e;
    bool is_text = false;

    prog_init(p, NULL);
    if (err)
        memset(err, 0, sizeof(*err));
    if (text)
        *text = NULL;
    uint8_t *d = prog_read_file(path, PROG_MAX_FILE, &len);
    if (!d)
        return PROG_E_IO;
    prog_put32(magic, PROG_MAGIC);
    if (len > PROG_MAX_FILE) {
        e = PROG_E_TOO_BIG;
    } else if (len == 0) {
        e = PROG_E_EMPTY;
    } else if (memcmp(d, magic, len < 4 ? len : 4) == 0) {
        e = prog_decode(p, d, len);
    } else if (prog_looks_like_text(d, len)) {
        is_text = true;
        e = prog_parse_text_err(p, (const char *)d, err);
    } else {
        e = PROG_E_MAGIC;
    }
    if (text && is_text && e == PROG_OK)
        *text = (char *)d;
    else
        free(d);
    return e;
}

enum prog_err prog_load(struct prog *p, const char *path)
{
    return prog_load_err(p, path, NULL, NULL);
}

size_t prog_load_strerror(char *buf, size_t cap, const char *tool, const char *path,
                          enum prog_err e, const struct prog_text_error *err)
{
    int n;

    if (err && err->line && (e == PROG_E_SYNTAX || e == PROG_E_TOO_BIG))
        return prog_text_error_format(err, path, buf, cap);
    n = snprintf(buf, cap, "%s: %s: %s", tool, path,
                 e == PROG_E_IO ? strerror(errno) : prog_strerror(e));
    return n < 0 ? 0 : (size_t)n;
}
