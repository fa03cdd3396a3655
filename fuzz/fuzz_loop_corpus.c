/* A fuzz worker's corpus: packed programs in memory, bounded, written to --corpus in batches. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/io.h"
#include "fuzz_loop.h"

/*
 * Policy:
 *  - a worker keeps at most o->corpus_max programs and o->corpus_max_bytes bytes of them in
 *    memory; when a new one does not fit, the victim is the one of a few sampled entries whose
 *    rare feature (one it brought when it came in) has since been seen the most often: the
 *    programs that alone hold rare behaviour stay;
 *  - new programs are written to the directory in batches, off the hot path (every
 *    FUZZ_FLUSH_SECS and at the end), each as temp + rename, without fsync: a corpus file lost in
 *    a power cut costs nothing but its rediscovery.
 *    A program evicted before its batch is never written: early in a campaign most programs are
 *    new and soon superseded, and creating and deleting their files cost more than running them;
 *  - the directory mirrors what the worker keeps: an evicted program's file is removed. Files the
 *    campaign did not write (the user's seeds) are never removed; files named like ours
 *    (<16 hex digits>.bin, an earlier campaign's) are worker 0's to evict.
 */
#define FUZZ_FLUSH_SECS  10.0
#define FUZZ_EVICT_SAMPLE 8U

static uint64_t fuzz_corpus_rand(struct fuzz_corpus *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

static uint64_t fuzz_fnv(const uint8_t *b, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001B3ULL;
    return h;
}

#define FUZZ_OP_HEAD offsetof(struct prog_op, payload)

static size_t fuzz_packed_size(const struct prog *p)
{
    size_t n = offsetof(struct prog, ops);

    for (uint32_t i = 0; i < p->nr_ops && i < PROG_MAX_OPS; i++)
        n += FUZZ_OP_HEAD + p->ops[i].payload_len + p->ops[i].nr_fixups * sizeof(struct prog_fixup);
    return n;
}

static void fuzz_pack(const struct prog *p, uint8_t *d)
{
    memcpy(d, p, offsetof(struct prog, ops));
    d += offsetof(struct prog, ops);
    for (uint32_t i = 0; i < p->nr_ops && i < PROG_MAX_OPS; i++) {
        const struct prog_op *op = &p->ops[i];
        size_t fx = op->nr_fixups * sizeof(op->fixups[0]);
        memcpy(d, op, FUZZ_OP_HEAD);
        d += FUZZ_OP_HEAD;
        memcpy(d, op->payload, op->payload_len);
        d += op->payload_len;
        memcpy(d, op->fixups, fx);
        d += fx;
    }
}

void fuzz_corpus_get(const struct fuzz_corpus *c, unsigned i, struct prog *p)
{
    const uint8_t *d = c->e[i].data;

    memcpy(p, d, offsetof(struct prog, ops));
    d += offsetof(struct prog, ops);
    for (uint32_t j = 0; j < p->nr_ops && j < PROG_MAX_OPS; j++) {
        struct prog_op *op = &p->ops[j];
        memcpy(op, d, FUZZ_OP_HEAD);
        d += FUZZ_OP_HEAD;
        /* the lengths were checked when the program was packed */
        memcpy(op->payload, d, op->payload_len);
        memset(op->payload + op->payload_len, 0, sizeof(op->payload) - op->payload_len);
        d += op->payload_len;
        memcpy(op->fixups, d, op->nr_fixups * sizeof(op->fixups[0]));
        memset(op->fixups + op->nr_fixups, 0,
               (PROG_MAX_FIXUPS - op->nr_fixups) * sizeof(op->fixups[0]));
        d += op->nr_fixups * sizeof(op->fixups[0]);
    }
}

static void fuzz_corpus_path(const struct fuzz_corpus *c, uint64_t hash, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%016llx.bin", c->o->corpus_dir, (unsigned long long)hash);
}

static void fuzz_corpus_publish(struct fuzz_corpus *c)
{
    uint64_t seeds = 0;

    for (unsigned i = 0; i < c->nr; i++)
        seeds += c->e[i].state == FUZZ_E_SEED;
    c->ws->corpus_live = c->nr;
    c->ws->corpus_seeds = seeds;
    c->ws->corpus_bytes = c->bytes;
}

int fuzz_corpus_init(struct fuzz_corpus *c, const struct fuzz_opts *o, struct fuzz_worker_shm *ws,
                     unsigned w)
{
    memset(c, 0, sizeof(*c));
    c->o = o;
    c->ws = ws;
    c->w = w;
    c->cap = o->corpus_max ? o->corpus_max : FUZZ_CORPUS_MAX;
    c->max_bytes = o->corpus_max_bytes ? o->corpus_max_bytes : FUZZ_CORPUS_MAX_BYTES;
    c->rng = (o->seed ^ 0x9E3779B97F4A7C15ULL * (w + 1)) | 1;
    c->e = calloc(c->cap, sizeof(*c->e));
    c->hits = calloc(1U << 16, sizeof(*c->hits));
    c->next_flush = fuzz_now() + FUZZ_FLUSH_SECS;
    return c->e && c->hits ? 0 : -1;
}

static void fuzz_entry_drop(struct fuzz_corpus *c, struct fuzz_entry *e)
{
    if (e->state == FUZZ_E_SAVED && c->o->corpus_dir) {
        char path[4096];
        fuzz_corpus_path(c, e->hash, path, sizeof(path));
        unlink(path);
    }
    if (e->state == FUZZ_E_PENDING)
        c->nr_pending--;
    c->bytes -= e->size;
    free(e->data);
    free(e->enc);
    memset(e, 0, sizeof(*e));
}

void fuzz_corpus_free(struct fuzz_corpus *c)
{
    for (unsigned i = 0; i < c->nr; i++) {
        free(c->e[i].data);
        free(c->e[i].enc);
    }
    free(c->e);
    free(c->hits);
    memset(c, 0, sizeof(*c));
}

/* The sampled entry whose rare feature is now the most common (the larger on a tie). */
static unsigned fuzz_corpus_victim(struct fuzz_corpus *c)
{
    unsigned best = (unsigned)(fuzz_corpus_rand(c) % c->nr);

    for (unsigned s = 1; s < FUZZ_EVICT_SAMPLE && s < c->nr; s++) {
        unsigned i = (unsigned)(fuzz_corpus_rand(c) % c->nr);
        uint16_t hb = c->hits[c->e[best].rare & 0xFFFFU], hi = c->hits[c->e[i].rare & 0xFFFFU];
        if (hi > hb || (hi == hb && c->e[i].size > c->e[best].size))
            best = i;
    }
    return best;
}

void fuzz_corpus_add(struct fuzz_corpus *c, const struct prog *p, uint32_t rare, bool seed)
{
    size_t size = fuzz_packed_size(p);
    struct fuzz_entry e = { .rare = rare, .state = seed ? FUZZ_E_SEED : FUZZ_E_PENDING };

    if (size > c->max_bytes)
        return;
    e.data = malloc(size);
    if (!e.data)
        return;
    fuzz_pack(p, e.data);
    e.size = (uint32_t)size;
    if (!seed && c->o->corpus_dir) {
        size_t n = prog_encoded_size(p);
        e.enc = malloc(n ? n : 1);
        if (e.enc && n && prog_encode(p, e.enc, n) == n) {
            e.enc_len = (uint32_t)n;
            e.hash = fuzz_fnv(e.enc, n);
            c->nr_pending++;
        } else {
            free(e.enc);
            e.enc = NULL;
            e.state = FUZZ_E_SEED;   /* kept in memory only */
        }
    } else if (!seed) {
        e.state = FUZZ_E_SEED;       /* no directory: nothing to write */
    }
    while (c->nr && (c->nr >= c->cap || c->bytes + size > c->max_bytes)) {
        unsigned v = fuzz_corpus_victim(c);
        fuzz_entry_drop(c, &c->e[v]);
        c->e[v] = c->e[--c->nr];
        c->ws->corpus_evicted++;
    }
    c->e[c->nr++] = e;
    c->bytes += size;
    fuzz_corpus_publish(c);
}

static int fuzz_corpus_write(struct fuzz_corpus *c, struct fuzz_entry *e)
{
    char path[4096], tmp[4096 + 64];
    int fd;

    fuzz_corpus_path(c, e->hash, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s/.tmp-%016llx-%ld", c->o->corpus_dir,
             (unsigned long long)e->hash, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (io_write_all(fd, e->enc, e->enc_len) < 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

int fuzz_corpus_flush(struct fuzz_corpus *c, bool now)
{
    if (!c->nr_pending || c->err)
        return c->err ? -1 : 0;
    if (!now) {
        double t = fuzz_now();
        if (t < c->next_flush)
            return 0;
        c->next_flush = t + FUZZ_FLUSH_SECS;
    }
    for (unsigned i = 0; i < c->nr && c->nr_pending; i++) {
        struct fuzz_entry *e = &c->e[i];
        if (e->state != FUZZ_E_PENDING)
            continue;
        if (fuzz_corpus_write(c, e) < 0) {
            c->err = errno ? errno : EIO;
            return -1;
        }
        free(e->enc);
        e->enc = NULL;
        e->state = FUZZ_E_SAVED;
        c->nr_pending--;
        c->ws->corpus_saved++;
    }
    return 0;
}

/* An earlier campaign's file: exactly 16 hex digits and .bin. */
static bool fuzz_corpus_ours(const char *name, uint64_t *hash)
{
    char *end;

    if (strlen(name) != 20 || strcmp(name + 16, ".bin"))
        return false;
    for (unsigned i = 0; i < 16; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return false;
    *hash = strtoull(name, &end, 16);
    return end == name + 16;
}

void fuzz_corpus_load(struct fuzz_corpus *c, struct prog *p)
{
    char path[4096];
    struct dirent *de;
    DIR *d;

    if (!c->o->corpus_dir || !(d = opendir(c->o->corpus_dir)))
        return;
    while ((de = readdir(d)) != NULL && c->nr < c->cap) {
        uint64_t hash;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", c->o->corpus_dir, de->d_name);
        enum prog_err e = prog_load(p, path);
        if (e != PROG_OK || !p->nr_ops) {
            /* one line per bad seed, from one worker: a campaign never loses seeds silently */
            if (c->w == 0)
                fprintf(stderr, "hvfuzz fuzz: %s: seed skipped: %s\n", path,
                        e != PROG_OK ? prog_strerror(e) : "no operations");
            continue;
        }
        if (c->bytes + fuzz_packed_size(p) > c->max_bytes) {
            if (c->w == 0)
                fprintf(stderr, "hvfuzz fuzz: %s: seeds past --corpus-max-mb not loaded\n",
                        c->o->corpus_dir);
            break;
        }
        /* a mutant's results are unknown: the seed's stated ones would only mislead a replay of
           a saved mutant, so they go once here, not on every mutation */
        for (uint32_t i = 0; i < p->nr_ops; i++)
            memset(&p->ops[i].expect, 0, sizeof(p->ops[i].expect));
        fuzz_corpus_add(c, p, 0, true);
        if (c->w == 0 && fuzz_corpus_ours(de->d_name, &hash)) {
            c->e[c->nr - 1].state = FUZZ_E_SAVED;
            c->e[c->nr - 1].hash = hash;
        }
    }
    closedir(d);
    fuzz_corpus_publish(c);
}

void fuzz_corpus_remove(struct fuzz_corpus *c, unsigned i)
{
    /* the program stays on disk: only the campaign cannot use it */
    if (c->e[i].state == FUZZ_E_SAVED)
        c->e[i].state = FUZZ_E_SEED;
    fuzz_entry_drop(c, &c->e[i]);
    c->e[i] = c->e[--c->nr];
    fuzz_corpus_publish(c);
}
