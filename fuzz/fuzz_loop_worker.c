/* A fuzz worker: generation or corpus mutation, the target run, feedback, findings to the parent. */
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvfuzz/diff.h"
#include "hvfuzz/gen.h"
#include "fuzz_loop.h"
#include "ir/prog_internal.h"

/* Programs from the corpus are mutated this share of the time; the rest are fresh. */
#define FUZZ_MUTATE_NUM 2U
#define FUZZ_MUTATE_DEN 3U
/* Machines a worker keeps open, by shape: seeds and fresh programs need not share one. */
#define FUZZ_TCACHE 4U
/* Feature frequencies (for eviction) are counted in one run of this many. */
#define FUZZ_HIT_SAMPLE 8U

enum fuzz_tstate { FUZZ_T_EMPTY = 0, FUZZ_T_OPEN, FUZZ_T_FAILED };
struct fuzz_tslot {
    struct target t;
    struct prog_shape shape;
    uint64_t used;
    uint8_t state;              /* enum fuzz_tstate */
};

struct fuzz_wk {
    const struct fuzz_opts *o;
    struct fuzz_shared *sh;
    struct fuzz_worker_shm *ws;
    uint64_t *map;
    unsigned w;
    int fd;
    struct fuzz_corpus corpus;
    char (*sent)[128];              /* signatures already sent by this worker */
    unsigned nr_sent;
    const struct target_ops *ops;
    struct target_opts topts;
    struct fuzz_tslot tc[FUZZ_TCACHE];
    /* --diff: the second target's machines, its results and the comparison (ops_b NULL: off) */
    const struct target_ops *ops_b;
    struct fuzz_tslot tc_b[FUZZ_TCACHE];
    struct op_result *res_b;
    struct diff_result *dr;
    uint64_t tick;
    /* the current run's features */
    unsigned new_features, nr_features;
    uint32_t first_new, first_feature;
    bool sample;
};

size_t fuzz_prog_max(void)
{
    return prog_max_encoded_size();
}

/* The slot holds a whole struct prog, of which only the ops in use are ever copied. */
struct fuzz_shared *fuzz_shared_new(unsigned jobs, size_t *size)
{
    size_t slot = (sizeof(struct fuzz_worker_shm) + 63U) & ~(size_t)63U;
    size_t map_off = (sizeof(struct fuzz_shared) + jobs * slot + 4095U) & ~(size_t)4095U;
    size_t total = map_off + FUZZ_MAP_WORDS * sizeof(uint64_t);
    struct fuzz_shared *sh = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                  -1, 0);

    if (sh == MAP_FAILED)
        return NULL;
    sh->slot_size = slot;
    sh->map_off = map_off;
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

static bool fuzz_shape_eq(const struct prog_shape *a, const struct prog_shape *b)
{
    return a->nr_frames == b->nr_frames && a->nr_domains == b->nr_domains &&
           a->nr_vcpus == b->nr_vcpus && a->dom_pages == b->dom_pages;
}

/* The open machine of that shape in cache tc of target ops (the least recently used one is
   rebuilt); NULL if the target cannot build it. */
static struct target *fuzz_cached(struct fuzz_wk *k, struct fuzz_tslot *tc,
                                  const struct target_ops *ops, const struct prog_shape *s)
{
    struct fuzz_tslot *v = &tc[0];

    k->tick++;
    for (unsigned i = 0; i < FUZZ_TCACHE; i++)
        if (tc[i].state != FUZZ_T_EMPTY && fuzz_shape_eq(&tc[i].shape, s)) {
            tc[i].used = k->tick;
            return tc[i].state == FUZZ_T_OPEN ? &tc[i].t : NULL;
        }
    for (unsigned i = 0; i < FUZZ_TCACHE; i++) {
        if (tc[i].state == FUZZ_T_EMPTY) {
            v = &tc[i];
            break;
        }
        if (tc[i].used < v->used)
            v = &tc[i];
    }
    if (v->state == FUZZ_T_OPEN)
        target_close(&v->t);
    v->shape = *s;
    v->used = k->tick;
    v->state = target_open(&v->t, ops, s, &k->topts) == 0 ? FUZZ_T_OPEN : FUZZ_T_FAILED;
    return v->state == FUZZ_T_OPEN ? &v->t : NULL;
}

static struct target *fuzz_target_for(struct fuzz_wk *k, const struct prog_shape *s)
{
    return fuzz_cached(k, k->tc, k->ops, s);
}

static void fuzz_feature(uint32_t feature, void *arg)
{
    struct fuzz_wk *k = arg;
    uint32_t idx = fuzz_map_index(feature);
    uint64_t *word = &k->map[idx >> 6], bit = 1ULL << (idx & 63U);

    if (k->sample)
        fuzz_corpus_hit(&k->corpus, idx);
    if (!k->nr_features++)
        k->first_feature = idx;
    if (__atomic_load_n(word, __ATOMIC_RELAXED) & bit)
        return;
    if (!(__atomic_fetch_or(word, bit, __ATOMIC_RELAXED) & bit)) {
        if (!k->new_features++)
            k->first_new = idx;
        __atomic_fetch_add(&k->sh->features, 1, __ATOMIC_RELAXED);
    }
}

static void fuzz_send(struct fuzz_wk *k, const struct prog *p, uint8_t *enc, const struct finding *f,
                      enum fuzz_side side)
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
    h.side = side;
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

/* --diff: p again on the second target, compared with the first one's results (res, and its
   finding fa or NULL); the second target's own finding and a difference go to the parent. */
static void fuzz_diff_one(struct fuzz_wk *k, const struct prog *p, const struct op_result *res,
                          const struct finding *fa, uint8_t *enc)
{
    struct target *tb = fuzz_cached(k, k->tc_b, k->ops_b, &p->shape);
    struct finding fb;

    /* a machine B cannot build: none of its ops is compared, and the count says so */
    if (!tb) {
        __atomic_fetch_add(&k->sh->diff_ops, p->nr_ops, __ATOMIC_RELAXED);
        return;
    }
    bool found_b = target_run(tb, p, k->res_b, &fb);
    if (found_b)
        fuzz_send(k, p, enc, &fb, FUZZ_SIDE_B);
    if (diff_compare(p, k->ops, res, fa, k->ops_b, k->res_b, found_b ? &fb : NULL, k->dr))
        fuzz_send(k, p, enc, &k->dr->f, FUZZ_SIDE_DIFF);
    __atomic_fetch_add(&k->sh->diff_ops, k->dr->nr_ops, __ATOMIC_RELAXED);
    __atomic_fetch_add(&k->sh->diff_compared, k->dr->compared, __ATOMIC_RELAXED);
    if (k->dr->stop == DIFF_STOP_ONLY_ONE)
        __atomic_fetch_add(&k->sh->diff_only, k->dr->nr_ops - k->dr->compared, __ATOMIC_RELAXED);
}

/* Run p on t and take its features; true at a finding (sent to the parent). */
static bool fuzz_run_one(struct fuzz_wk *k, struct target *t, const struct prog *p,
                         struct op_result *res, uint8_t *enc)
{
    struct finding f;
    bool found = target_run(t, p, res, &f);

    if (found)
        fuzz_send(k, p, enc, &f, FUZZ_SIDE_A);
    /* feedback stays the first target's: the second one only judges */
    if (k->ops_b)
        fuzz_diff_one(k, p, res, found ? &f : NULL, enc);
    fuzz_count_exits(k->sh, p, res);
    k->new_features = k->nr_features = 0;
    k->sample = k->ws->execs % FUZZ_HIT_SAMPLE == 0;
    fuzz_features(t, p, res, fuzz_feature, k);
    return found;
}

static void fuzz_set_copy(struct fuzz_wk *k, const struct prog *p)
{
    /* the parent needs the program if this run kills the worker */
    fuzz_copy_prog(&k->ws->cur, p);
    __atomic_store_n(&k->ws->cur_mode, FUZZ_CUR_COPY, __ATOMIC_RELEASE);
}

static void fuzz_done_one(struct fuzz_wk *k)
{
    __atomic_store_n(&k->ws->cur_mode, FUZZ_CUR_NONE, __ATOMIC_RELEASE);
    __atomic_fetch_add(&k->ws->execs, 1, __ATOMIC_RELAXED);
}

/* A mutation's splice partner, unpacked from the corpus only when a splice is drawn. */
struct fuzz_other {
    const struct fuzz_corpus *c;
    unsigned i;
    struct prog *p;
};

static const struct prog *fuzz_other_get(void *ctx)
{
    struct fuzz_other *o = ctx;

    fuzz_corpus_get(o->c, o->i, o->p);
    return o->p;
}

/* Stop at the campaign's end, asked or due: the worker keeps time itself, so a parent that
   cannot tell it (stopped, or gone) does not leave it running. */
static bool fuzz_should_stop(struct fuzz_wk *k, uint64_t share)
{
    if (k->sh->stop || (share && k->ws->execs >= share))
        return true;
    if (k->ws->execs % 16U == 0 && k->sh->deadline > 0 && fuzz_now() >= k->sh->deadline)
        return true;
    if (fuzz_corpus_flush(&k->corpus, false) < 0) {
        k->sh->corpus_errno = k->corpus.err;
        k->sh->stop = 1;
        return true;
    }
    return false;
}

/* Each seed runs once first: its features enter the map (mutants are then new only for what
   they add), its rare feature is known, and a seed the target cannot build is dropped. */
static void fuzz_seed_run(struct fuzz_wk *k, struct prog *p, struct op_result *res, uint8_t *enc,
                          uint64_t share)
{
    unsigned dropped = 0;

    for (unsigned i = 0; i < k->corpus.nr && !fuzz_should_stop(k, share);) {
        struct target *t;
        fuzz_corpus_get(&k->corpus, i, p);
        t = fuzz_target_for(k, &p->shape);
        if (!t) {
            fuzz_corpus_remove(&k->corpus, i);
            dropped++;
            continue;
        }
        fuzz_set_copy(k, p);
        fuzz_run_one(k, t, p, res, enc);
        k->corpus.e[i].rare = k->new_features ? k->first_new : k->first_feature;
        fuzz_done_one(k);
        i++;
    }
    if (dropped && k->w == 0)
        fprintf(stderr, "hvfuzz fuzz: %u corpus programs have a machine the target cannot build: "
                "not used\n", dropped);
}

int fuzz_worker(const struct fuzz_opts *o, struct fuzz_shared *sh, unsigned w, int fd)
{
    struct fuzz_wk k = { .o = o, .sh = sh, .ws = fuzz_slot(sh, w), .map = fuzz_map(sh), .w = w,
                         .fd = fd };
    struct prog *p = malloc(sizeof(*p));
    struct prog *x = malloc(sizeof(*x));
    struct op_result *res = malloc(PROG_MAX_OPS * sizeof(*res));
    uint8_t *enc = malloc(fuzz_prog_max());
    uint64_t share = fuzz_share(o, w);
    struct target *t0 = NULL;
    struct gen g;

    k.ops = target_find(o->target ? o->target : "native");
    k.sent = calloc(256, sizeof(*k.sent));
    k.topts = target_default_opts;
    k.topts.bugs = o->bugs;
    k.topts.audit_each_op = o->audit_each_op;
    k.topts.audit_full = o->audit_full;
    struct gen_cfg cfg = gen_default_cfg;
    if (o->shape.nr_domains)
        cfg.shape = o->shape;
    bool diff_ok = true;
    if (o->diff_target) {
        /* the payloads written back are compared: both targets capture them */
        k.topts.capture_out = true;
        k.ops_b = target_find(o->diff_target);
        k.res_b = malloc(PROG_MAX_OPS * sizeof(*k.res_b));
        k.dr = malloc(sizeof(*k.dr));
        diff_ok = k.ops_b && k.res_b && k.dr;
    }
    if (p && x && res && enc && k.sent && k.ops && diff_ok &&
        fuzz_corpus_init(&k.corpus, o, k.ws, w) == 0)
        t0 = fuzz_target_for(&k, &cfg.shape);
    if (!t0 || (k.ops_b && !fuzz_cached(&k, k.tc_b, k.ops_b, &cfg.shape))) {
        fprintf(stderr, "hvfuzz fuzz: worker %u could not build the machine on target %s\n", w,
                !t0 ? (o->target ? o->target : "native") : o->diff_target);
        sh->setup_failed = 1;
        sh->stop = 1;
        return FUZZ_EXIT_SETUP;
    }
    gen_init(&g, &cfg, o->seed);
    gen_probe(&g, t0);
    k.ws->env = g.env;   /* the parent regenerates fresh programs with the same facts */
    fuzz_corpus_load(&k.corpus, p);
    fuzz_seed_run(&k, p, res, enc, share);

    while (!fuzz_should_stop(&k, share)) {
        struct target *t;
        if (k.corpus.nr && gen_below(&g, FUZZ_MUTATE_DEN) < FUZZ_MUTATE_NUM) {
            unsigned ip = (unsigned)gen_below(&g, k.corpus.nr);
            struct fuzz_other other = { .c = &k.corpus, .i = (unsigned)gen_below(&g, k.corpus.nr),
                                        .p = x };
            fuzz_corpus_get(&k.corpus, ip, p);
            gen_mutate_lazy(&g, p, fuzz_other_get, &other);
            fuzz_set_copy(&k, p);
        } else {
            /* fresh program number i of the campaign: workers interleave, restarts continue */
            uint64_t i = (uint64_t)w + k.ws->next_fresh++ * o->jobs;
            gen_reseed(&g, o->seed, i);
            gen_program(&g, p);
            k.ws->cur_index = i;
            __atomic_store_n(&k.ws->cur_mode, FUZZ_CUR_FRESH, __ATOMIC_RELEASE);
        }
        /* a corpus program's machine was built at its seed run; a fresh one's is the default */
        t = fuzz_target_for(&k, &p->shape);
        if (t && !fuzz_run_one(&k, t, p, res, enc) && k.new_features)
            fuzz_corpus_add(&k.corpus, p, k.first_new, false);
        fuzz_done_one(&k);
    }
    /* not synced: a corpus file lost in a crash costs its rediscovery (findings are synced) */
    if (fuzz_corpus_flush(&k.corpus, true) < 0) {
        sh->corpus_errno = k.corpus.err;
        sh->stop = 1;
    }
    for (unsigned i = 0; i < FUZZ_TCACHE; i++) {
        if (k.tc[i].state == FUZZ_T_OPEN)
            target_close(&k.tc[i].t);
        if (k.tc_b[i].state == FUZZ_T_OPEN)
            target_close(&k.tc_b[i].t);
    }
    fuzz_corpus_free(&k.corpus);
    free(k.res_b);
    free(k.dr);
    free(k.sent);
    free(p);
    free(x);
    free(res);
    free(enc);
    close(fd);
    return 0;
}
