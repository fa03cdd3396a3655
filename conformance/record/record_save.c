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
    rec_file_name(path, sizeof(path), dir, name, ".bin");
    err = prog_save(&r->prog, path);
    if (err == PROG_OK) {
        rec_file_name(path, sizeof(path), dir, name, ".txt");
        err = prog_save(&r->prog, path);
    }
    if (err != PROG_OK) {
        snprintf(why, len, "%s: %s (%s)", path, prog_strerror(err), strerror(errno));
        return RECORD_IO;
    }
    return RECORD_SAVED;
}
