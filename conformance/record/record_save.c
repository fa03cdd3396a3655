/* Conformance recorder output: the replay gate and the seed files it lets through. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hvfuzz/record.h"

/* File names keep to the characters every engine, archive and OSS-Fuzz zip accepts. */
static void rec_file_name(char *buf, size_t len, const char *dir, const char *name,
                          const char *ext)
{
    size_t n;

    snprintf(buf, len, "%s/", dir);
    n = strlen(buf);
    for (const char *p = name; *p && n + 1 < len; p++, n++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        buf[n] = ok ? ch : '_';
    }
    buf[n] = '\0';
    snprintf(buf + n, len - n, "%s", ext);
}

/*
 * Write r in one form and read it back: the file must be the program the gate replayed, with
 * every expectation (a codec that drops one would leave a corpus that checks less than it says).
 * PROG_E_CORRUPT when it reads back different.
 */
static enum prog_err rec_save_checked(const struct recorder *r, const char *dir, const char *name,
                                      const char *ext, char *path, size_t cap)
{
    static struct prog back;
    enum prog_err err;

    rec_file_name(path, cap, dir, name, ext);
    err = prog_save(&r->prog, path);
    if (err == PROG_OK)
        err = prog_load(&back, path);
    if (err == PROG_OK && !prog_equal(&r->prog, &back))
        err = PROG_E_CORRUPT;
    return err;
}

enum record_outcome record_save(const struct recorder *r, const char *dir, const char *name,
                                char *why, size_t len)
{
    char path[1024];
    enum prog_err err;

    if (why && len)
        why[0] = '\0';
    if (r->overflow)
        return RECORD_TOO_LONG;
    if (r->prog.nr_ops == 0)
        return RECORD_EMPTY;
    if (prog_validate(&r->prog) != PROG_OK) {
        snprintf(why, len, "recorded program is invalid (%s)",
                 prog_strerror(prog_validate(&r->prog)));
        return RECORD_DROPPED;
    }
    if (record_replay_check(r, why, len) != 0)
        return RECORD_DROPPED;
    err = rec_save_checked(r, dir, name, ".bin", path, sizeof(path));
    if (err == PROG_OK)
        err = rec_save_checked(r, dir, name, ".txt", path, sizeof(path));
    if (err == PROG_E_CORRUPT) {
        snprintf(why, len, "%s reads back as a different program", path);
        return RECORD_IO;
    }
    if (err != PROG_OK) {
        snprintf(why, len, "%s: %s (%s)", path, prog_strerror(err), strerror(errno));
        return RECORD_IO;
    }
    return RECORD_SAVED;
}
