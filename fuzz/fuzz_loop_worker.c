/* A fuzz worker: generation or corpus mutation, the target run, feedback, findings to the parent. */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvfuzz/gen.h"
#include "fuzz_loop.h"
#include "ir/prog_internal.h"

#define FUZZ_CORPUS_MAX 4096U   /* per worker; when full, a new program replaces a random one */
/* Programs from the corpus are mutated this share of the time; the rest are fresh. */
#define FUZZ_MUTATE_NUM 2U
#define FUZZ_MUTATE_DEN 3U

/* A corpus program, compact: the header and its ops only (a struct prog is 300 KiB). */
struct fuzz_entry {
    struct prog *p;
};

struct fuzz_wk {
    const struct fuzz_opts *o;
    struct fuzz_shared *sh;
    struct fuzz_worker_shm *ws;
    unsigned w;
    int fd;
    struct fuzz_entry *corpus;
    unsigned nr_corpus;
    char (*sent)[128];              /* signatures already sent by this worker */
    unsigned nr_sent;
    unsigned new_features;
};

size_t fuzz_prog_max(void)
{
    return prog_max_encoded_size();
}

/* The slot holds a whole struct prog, of which only the ops in use are ever copied. */
struct fuzz_shared *fuzz_shared_new(unsigned jobs, size_t *size)
{
    size_t slot = (sizeof(struct fuzz_worker_shm) + 63U) & ~(size_t)63U;
    size_t total = sizeof(struct fuzz_shared) + jobs * slot;
    struct fuzz_shared *sh = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                  -1, 0);

    if (sh == MAP_FAILED)
        return NULL;
    sh->slot_size = slot;
    *size = total;
    return sh;
}

static void fuzz_copy_prog(struct prog *dst, const struct prog *src)
{
    uint32_t n = src->nr_ops < PROG_MAX_OPS ? src->nr_ops : PROG_MAX_OPS;

    memcpy(dst, src, offsetof(struct prog, ops));
    memcpy(dst->ops, src->ops, n * sizeof(src->ops[0]));
}

bool fuzz_slot_prog(const struct fuzz_opts *o, const struct fuzz_worker_shm *ws, struct prog *p)
{
    struct gen g;

    struct gen_cfg cfg = gen_default_cfg;

    if (o->shape.nr_domains)
        cfg.shape = o->shape;
    switch (ws->cur_mode) {
    case FUZZ_CUR_FRESH:
        gen_init(&g, &cfg, o->seed);
        g.env = ws->env;
        gen_reseed(&g, o->seed, ws->cur_index);
        gen_program(&g, p);
        return true;
    case FUZZ_CUR_COPY:
        fuzz_copy_prog(p, &ws->cur);
        return true;
    default:
        return false;
    }
}

static uint64_t fuzz_hash(const uint8_t *b, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001B3ULL;
    return h;
}

static void fuzz_corpus_add(struct fuzz_wk *k, const struct prog *p)
{
    size_t size = offsetof(struct prog, ops) + p->nr_ops * sizeof(p->ops[0]);
    struct prog *copy;

    copy = malloc(size);
    if (!copy)
        return;
    memcpy(copy, p, size);
    if (k->nr_corpus >= FUZZ_CORPUS_MAX) {
        /* the stream is only used for the slot, so the campaign stays seed-driven */
        unsigned i = (unsigned)(fuzz_hash((const uint8_t *)copy->ops, 64) % FUZZ_CORPUS_MAX);
        free(k->corpus[i].p);
        k->corpus[i].p = copy;
        return;
    }
    k->corpus[k->nr_corpus++].p = copy;
}

/* Seeds: every program file of the corpus directory that decodes (binary or text). */
static void fuzz_corpus_load(struct fuzz_wk *k, struct prog *p)
{
    char path[4096];
    struct dirent *de;
    DIR *d;

    if (!k->o->corpus_dir || !(d = opendir(k->o->corpus_dir)))
        return;
    while ((de = readdir(d)) != NULL && k->nr_corpus < FUZZ_CORPUS_MAX) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", k->o->corpus_dir, de->d_name);
        if (prog_load(p, path) == PROG_OK && p->nr_ops)
            fuzz_corpus_add(k, p);
    }
    closedir(d);
}

static void fuzz_feature(uint32_t feature, void *arg)
{
    struct fuzz_wk *k = arg;
    uint8_t *slot = &k->sh->map[feature & (FUZZ_MAP_SIZE - 1U)];

    if (*slot)
        return;
    if (__atomic_exchange_n(slot, 1, __ATOMIC_RELAXED) == 0) {
        k->new_features++;
        __atomic_fetch_add(&k->sh->features, 1, __ATOMIC_RELAXED);
    }
}

static void fuzz_send(struct fuzz_wk *k, const struct prog *p, uint8_t *enc, const struct finding *f)
{
    struct fuzz_msg_hdr h;
    size_t len;

    for (unsigned i = 0; i < k->nr_sent; i++)
        if (!strcmp(k->sent[i], f->signature))
            return;
    if (k->nr_sent < 256)
        snprintf(k->sent[k->nr_sent++], 128, "%s", f->signature);
    len = prog_encode(p, enc, fuzz_prog_max());
    if (!len)
        return;
    memset(&h, 0, sizeof(h));
    h.len = (uint32_t)len;
    h.from = (struct fuzz_origin){ .worker = k->w, .mode = k->ws->cur_mode,
                                   .index = k->ws->cur_index };
    h.f = *f;
    if (io_write_all(k->fd, &h, sizeof(h)) < 0 || io_write_all(k->fd, enc, len) < 0)
        k->sh->stop = 1;
}

/* This worker's share of --runs (0: unbounded). */
static uint64_t fuzz_share(const struct fuzz_opts *o, unsigned w)
{
    if (!o->runs)
        return 0;
    return o->runs / o->jobs + (w < o->runs % o->jobs ? 1 : 0);
}

/* Exit ops that ran, per reason: the campaign's evidence that it reaches the exit layer. */
static void fuzz_count_exits(struct fuzz_shared *sh, const struct prog *p,
                             const struct op_result *res)
{
    for (uint32_t i = 0; i < p->nr_ops; i++)
        if (p->ops[i].kind == OP_EXIT && res[i].status == OPS_RAN) {
            unsigned r = p->ops[i].exit_reason;
            __atomic_fetch_add(&sh->exits[r < FUZZ_EXIT_KINDS - 1 ? r : FUZZ_EXIT_KINDS - 1], 1,
                               __ATOMIC_RELAXED);
        }
}

int fuzz_worker(const struct fuzz_opts *o, struct fuzz_shared *sh, unsigned w, int fd)
{
    struct fuzz_wk k = { .o = o, .sh = sh, .ws = fuzz_slot(sh, w), .w = w, .fd = fd };
    struct target_opts topts = target_default_opts;
    struct prog *p = malloc(sizeof(*p));
    struct op_result *res = malloc(PROG_MAX_OPS * sizeof(*res));
    uint8_t *enc = malloc(fuzz_prog_max());
    uint64_t share = fuzz_share(o, w);
    const struct target_ops *ops = target_find(o->target ? o->target : "native");
    struct target t;
    struct finding f;
    struct gen g;
    int rc = 0;

    k.corpus = calloc(FUZZ_CORPUS_MAX, sizeof(*k.corpus));
    k.sent = calloc(256, sizeof(*k.sent));
    topts.bugs = o->bugs;
    topts.audit_each_op = o->audit_each_op;
    topts.audit_full = o->audit_full;
    struct gen_cfg cfg = gen_default_cfg;
    if (o->shape.nr_domains)
        cfg.shape = o->shape;
    if (!p || !res || !enc || !k.corpus || !k.sent || !ops ||
        target_open(&t, ops, &cfg.shape, &topts) < 0) {
        fprintf(stderr, "hvfuzz fuzz: worker %u could not build the machine on target %s\n", w,
                o->target ? o->target : "native");
        sh->setup_failed = 1;
        sh->stop = 1;
        return FUZZ_EXIT_SETUP;
    }
    gen_init(&g, &cfg, o->seed);
    gen_probe(&g, &t);
    k.ws->env = g.env;   /* the parent regenerates fresh programs with the same facts */
    fuzz_corpus_load(&k, p);
    if (w == 0)
        __atomic_fetch_add(&sh->corpus, k.nr_corpus, __ATOMIC_RELAXED);

    while (!sh->stop && (!share || k.ws->execs < share)) {
        bool mutated = false;
        if (k.nr_corpus && gen_below(&g, FUZZ_MUTATE_DEN) < FUZZ_MUTATE_NUM) {
            const struct prog *e = k.corpus[gen_below(&g, k.nr_corpus)].p;
            const struct prog *x = k.corpus[gen_below(&g, k.nr_corpus)].p;
            fuzz_copy_prog(p, e);
            gen_mutate(&g, p, x);
            mutated = true;
            /* the parent needs the program if this run kills the worker */
            fuzz_copy_prog(&k.ws->cur, p);
            __atomic_store_n(&k.ws->cur_mode, FUZZ_CUR_COPY, __ATOMIC_RELEASE);
        }
        if (!mutated) {
            /* fresh program number i of the campaign: workers interleave, restarts continue */
            uint64_t i = (uint64_t)w + k.ws->next_fresh++ * o->jobs;
            gen_reseed(&g, o->seed, i);
            gen_program(&g, p);
            k.ws->cur_index = i;
            __atomic_store_n(&k.ws->cur_mode, FUZZ_CUR_FRESH, __ATOMIC_RELEASE);
        }
        bool found = target_run(&t, p, res, &f);
        if (found)
            fuzz_send(&k, p, enc, &f);
        fuzz_count_exits(sh, p, res);
        k.new_features = 0;
        fuzz_features(&t, p, res, fuzz_feature, &k);
        if (k.new_features && !found) {
            fuzz_corpus_add(&k, p);
            __atomic_fetch_add(&sh->corpus, 1, __ATOMIC_RELAXED);
            size_t n;
            if (o->corpus_dir && (n = prog_encode(p, enc, fuzz_prog_max())) > 0) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%016llx.bin", o->corpus_dir,
                         (unsigned long long)fuzz_hash(enc, n));
                prog_save(p, path);
            }
        }
        __atomic_store_n(&k.ws->cur_mode, FUZZ_CUR_NONE, __ATOMIC_RELEASE);
        __atomic_fetch_add(&k.ws->execs, 1, __ATOMIC_RELAXED);
    }
    target_close(&t);
    for (unsigned i = 0; i < k.nr_corpus; i++)
        free(k.corpus[i].p);
    free(k.corpus);
    free(k.sent);
    free(p);
    free(res);
    free(enc);
    close(fd);
    return rc;
}
