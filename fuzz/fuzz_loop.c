/* The campaign loop: forked workers generate/mutate and run programs; the parent keeps findings. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/finding.h"
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/gen.h"
#include "hvfuzz/sandbox.h"
#include "fuzz_loop.h"
#include "ir/prog_internal.h"

/*
 * Shape of a campaign:
 *  - each worker owns a slot in shared memory: its program counter and the encoded program it
 *    is running now, so that when the worker dies (a crash or a sanitizer abort in the monitor)
 *    the parent still has the program, records the death as a finding and starts a new worker;
 *  - the behaviour bitmap is shared, so a program is "new" for the whole campaign;
 *  - oracle findings travel to the parent through a pipe per worker; the parent deduplicates by
 *    signature and writes each new one once.
 */

static volatile sig_atomic_t fuzz_stop;

static void fuzz_on_signal(int sig)
{
    (void)sig;
    fuzz_stop = 1;
}

double fuzz_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the parent's side -------------------------------------------------------------------------- */

struct fuzz_parent {
    const struct fuzz_opts *o;
    struct fuzz_shared *sh;
    size_t sh_size;
    pid_t pid[FUZZ_MAX_JOBS];
    int   fd[FUZZ_MAX_JOBS];        /* read end of the worker's finding pipe */
    double last_progress[FUZZ_MAX_JOBS];
    uint64_t last_execs[FUZZ_MAX_JOBS];
    char (*sigs)[128];
    unsigned nr_sigs, cap_sigs;
    uint8_t *msg;                   /* one message buffer */
    struct prog *prog;
    struct prog *store;             /* a finding's program as stored (minimized) */
    struct op_result *res;          /* its results */
    struct target_opts topts;
    struct target t;                /* the parent's own target: re-runs programs that killed workers */
    struct target tb;               /* --diff: the same for the second target (ops NULL: none) */
    bool tty;
    bool write_failed;              /* a finding could not be stored (printed on stderr instead) */
    double start;
};

static bool fuzz_seen(struct fuzz_parent *fp, const char *sig)
{
    for (unsigned i = 0; i < fp->nr_sigs; i++)
        if (!strcmp(fp->sigs[i], sig))
            return true;
    if (fp->nr_sigs == fp->cap_sigs) {
        unsigned cap = fp->cap_sigs ? 2 * fp->cap_sigs : 64;
        void *n = realloc(fp->sigs, cap * sizeof(*fp->sigs));
        if (!n)
            return true;
        fp->sigs = n;
        fp->cap_sigs = cap;
    }
    snprintf(fp->sigs[fp->nr_sigs++], 128, "%s", sig);
    return false;
}

static void fuzz_clear_status(struct fuzz_parent *fp)
{
    if (fp->tty && !fp->o->quiet)
        fprintf(stderr, "\r\033[K");
}

static uint64_t fuzz_total_execs(struct fuzz_parent *fp)
{
    uint64_t execs = 0;

    for (unsigned w = 0; w < fp->o->jobs; w++)
        execs += fuzz_slot(fp->sh, w)->execs;
    return execs;
}

/* Distinct programs the campaign holds: every worker read the same seeds. */
static uint64_t fuzz_corpus_size(struct fuzz_parent *fp, uint64_t *bytes)
{
    uint64_t n = 0, b = 0;

    for (unsigned w = 0; w < fp->o->jobs; w++) {
        struct fuzz_worker_shm *ws = fuzz_slot(fp->sh, w);
        n += ws->corpus_live - (w ? ws->corpus_seeds : 0);
        b += ws->corpus_bytes;
    }
    if (bytes)
        *bytes = b;
    return n;
}

static uint64_t fuzz_corpus_sum(struct fuzz_parent *fp, size_t field)
{
    uint64_t n = 0;

    for (unsigned w = 0; w < fp->o->jobs; w++)
        n += *(volatile uint64_t *)(void *)((uint8_t *)fuzz_slot(fp->sh, w) + field);
    return n;
}

static double fuzz_fill(struct fuzz_parent *fp)
{
    return (double)fp->sh->features / (double)FUZZ_MAP_BITS_N;
}

/* The first finding for a watching caller; a worker counts a program after sending its finding,
   so the program that found it is one more than the count. */
static void fuzz_note_first(struct fuzz_parent *fp, const struct finding *f)
{
    struct fuzz_progress *pr = fp->o->progress;

    /* guest code that loops past its budget is the guest's own doing, not the monitor's: it is
       stored like any finding, but a caller waiting for the first finding (bugzoo) waits on */
    if (!strcmp(f->signature, FINDING_GUEST_HANG))
        return;
    if (pr && !pr->found) {
        pr->first_s = fuzz_now() - fp->start;
        pr->first_execs = fuzz_total_execs(fp) + 1;
        pr->first_oracle = (int)f->oracle;
        snprintf(pr->first_signature, sizeof(pr->first_signature), "%s", f->signature);
        __atomic_store_n(&pr->found, 1, __ATOMIC_RELEASE);
    }
    if (fp->o->stop_at_finding)
        fp->sh->stop = 1;
}

/* Written by finding_write (one directory per signature, atomically) after minimization within
   --minimize-time; a signature already in the out directory from an earlier campaign still counts
   as found and is left as it is. */
static void fuzz_report_prog(struct fuzz_parent *fp, const struct prog *p, const struct finding *f,
                             const struct fuzz_origin *from, enum fuzz_side side)
{
    const struct fuzz_opts *o = fp->o;
    const char *dir = o->out_dir ? o->out_dir : "findings";
    const char *target = o->target ? o->target : "native";
    struct finding g = *f;
    char where[4096], note[160];
    bool have_res, shrunk;
    int rc;

    if (fuzz_seen(fp, f->signature))
        return;
    fp->sh->findings++;
    fuzz_note_first(fp, f);
    fuzz_clear_status(fp);
    if (finding_stored(dir, f->signature, where, sizeof(where))) {
        fprintf(stderr, "hvfuzz fuzz: known finding %s (%s, op %d) in %s\n", f->signature,
                oracle_name(f->oracle), f->op_index, where);
        return;
    }
    *fp->store = *p;
    /* the second target's own finding is that target's; a difference is minimized on both */
    if (side == FUZZ_SIDE_B)
        target = o->diff_target;
    if (side == FUZZ_SIDE_DIFF)
        shrunk = finding_minimize_diff(target_find(target), target_find(o->diff_target),
                                       &fp->topts, fp->store, &g, fp->res, &have_res,
                                       o->minimize_time, note, sizeof(note));
    else
        shrunk = finding_minimize(target_find(target), &fp->topts, fp->store, &g, fp->res,
                                  &have_res, o->minimize_time, note, sizeof(note));
    struct finding_info info = {
        .target = target, .diff_target = side == FUZZ_SIDE_DIFF ? o->diff_target : NULL,
        .bugs = o->bugs,
        .audit_each_op = o->audit_each_op, .campaign = true, .seed = o->seed,
        .worker = from->worker, .fresh = from->mode == FUZZ_CUR_FRESH, .index = from->index,
        .orig = shrunk ? p : NULL, .minimized = note,
    };
    rc = finding_write(dir, fp->store, &g, have_res ? fp->res : NULL, &info, where, sizeof(where));
    /* workers ran on while this one was minimized: their silence was the parent's, not a hang */
    for (unsigned w = 0; w < o->jobs; w++)
        fp->last_progress[w] = fuzz_now();
    if (rc < 0) {
        /* the finding must not be lost: its report goes to stderr, and the campaign ends */
        int e = errno;
        size_t cap = finding_format(fp->store, &g, have_res ? fp->res : NULL, NULL, 0) + 1;
        char *text = malloc(cap);
        fprintf(stderr, "hvfuzz fuzz: finding %s could not be written to %s: %s; its report:\n",
                f->signature, dir, strerror(e));
        if (text) {
            finding_format(fp->store, &g, have_res ? fp->res : NULL, text, cap);
            fputs(text, stderr);
            free(text);
        }
        fp->write_failed = true;
        fp->sh->stop = 1;
        return;
    }
    fprintf(stderr, "hvfuzz fuzz: %s finding %s (%s, op %d) in %s%s%s\n", rc ? "new" : "known",
            g.signature, oracle_name(g.oracle), g.op_index, where,
            shrunk ? ", minimized: " : "", shrunk ? note : "");
}

static void fuzz_read_msgs(struct fuzz_parent *fp, unsigned w)
{
    struct fuzz_msg_hdr h;

    /* the worker writes one header then its encoded program; both arrive in order */
    while (io_read_full(fp->fd[w], &h, sizeof(h)) == 0) {
        if (h.len > fuzz_prog_max() || io_read_full(fp->fd[w], fp->msg, h.len) < 0)
            break;
        if (prog_decode(fp->prog, fp->msg, h.len) == PROG_OK)
            fuzz_report_prog(fp, fp->prog, &h.f, &h.from, (enum fuzz_side)h.side);
        struct pollfd pfd = { .fd = fp->fd[w], .events = POLLIN };
        if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
            break;
    }
}

static int fuzz_spawn(struct fuzz_parent *fp, unsigned w)
{
    int pfd[2];
    pid_t parent = getpid();
    pid_t pid = sandbox_fork(pfd);

    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* a worker dies with its parent (even by SIGKILL): nobody else would stop it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        for (unsigned i = 0; i < fp->o->jobs; i++)
            if (i != w && fp->fd[i] >= 0)
                close(fp->fd[i]);
        signal(SIGINT, SIG_IGN);
        _exit(fuzz_worker(fp->o, fp->sh, w, pfd[1]));
    }
    fp->pid[w] = pid;
    fp->fd[w] = pfd[0];
    fp->last_progress[w] = fuzz_now();
    fp->last_execs[w] = fuzz_slot(fp->sh, w)->execs;
    return 0;
}

/* A worker that died abnormally died running its current program: that is the finding. */
static void fuzz_reap(struct fuzz_parent *fp, unsigned w, int status, bool hung)
{
    struct fuzz_worker_shm *ws = fuzz_slot(fp->sh, w);
    struct finding f;

    fuzz_read_msgs(fp, w);
    close(fp->fd[w]);
    fp->fd[w] = -1;
    fp->pid[w] = 0;
    if (!hung && WIFEXITED(status) &&
        (WEXITSTATUS(status) == 0 ||
         (WEXITSTATUS(status) == FUZZ_EXIT_SETUP && fp->sh->setup_failed)))
        return;
    memset(&f, 0, sizeof(f));
    f.op_index = -1;
    if (hung) {
        f.oracle = ORACLE_HANG;
        snprintf(f.signature, sizeof(f.signature), "hang:timeout");
        snprintf(f.detail, sizeof(f.detail), "the worker made no progress for %d s",
                 FUZZ_HANG_SECS);
    } else if (WIFSIGNALED(status)) {
        char sig[96];
        sandbox_describe_signal(WTERMSIG(status), sig, sizeof(sig));
        f.oracle = ORACLE_CRASH;
        /* named as the sandbox names a crash, so a re-run that dies the same way agrees */
        snprintf(f.signature, sizeof(f.signature), "crash:%s", sandbox_signame(WTERMSIG(status)));
        snprintf(f.detail, sizeof(f.detail), "the worker died of signal %s", sig);
    } else {
        f.oracle = ORACLE_SANITIZER;
        snprintf(f.signature, sizeof(f.signature), "sanitizer:exit%d", WEXITSTATUS(status));
        snprintf(f.detail, sizeof(f.detail), "the worker exited with status %d (a sanitizer "
                 "report is on stderr above)", WEXITSTATUS(status));
    }
    struct fuzz_origin from = { .worker = w, .mode = ws->cur_mode, .index = ws->cur_index };
    if (fuzz_slot_prog(fp->o, ws, fp->prog)) {
        /* run it again alone, in a sandbox, for the signature replay would give (the sanitizer's
           kind and function); a death that does not repeat keeps the coarse name above */
        struct finding g;
        enum fuzz_side side = FUZZ_SIDE_A;
        /* with --diff the worker ran it on both targets: the death is the one that repeats it */
        if (fp->t.ops && fuzz_run_isolated(&fp->t, fp->prog, NULL, FUZZ_HANG_SECS * 1000U, &g)) {
            f = g;
        } else if (fp->tb.ops &&
                   fuzz_run_isolated(&fp->tb, fp->prog, NULL, FUZZ_HANG_SECS * 1000U, &g)) {
            f = g;
            side = FUZZ_SIDE_B;
        }
        fuzz_report_prog(fp, fp->prog, &f, &from, side);
    }
    ws->cur_mode = FUZZ_CUR_NONE;
    ws->restarts++;
}

_Static_assert(FUZZ_EXIT_KINDS == EXIT_NR + 1, "one counter per exit reason and one for the rest");

static void fuzz_status(struct fuzz_parent *fp, bool final)
{
    uint64_t execs = fuzz_total_execs(fp);
    double t = fuzz_now() - fp->start;

    if (fp->o->quiet && !final)
        return;
    fprintf(stderr, "%s[%6.1fs] programs %llu (%.0f/s)  findings %llu  corpus %llu  features %llu "
            "(map %.2f%% full)%s%s", fp->tty && !final ? "\r\033[K" : "", t,
            (unsigned long long)execs, t > 0 ? (double)execs / t : 0.0,
            (unsigned long long)fp->sh->findings, (unsigned long long)fuzz_corpus_size(fp, NULL),
            (unsigned long long)fp->sh->features, 100.0 * fuzz_fill(fp),
            final && fuzz_stop ? "  (interrupted)" : "", fp->tty && !final ? "" : "\n");
    if (!final)
        return;
    if (fp->o->diff_target)
        fprintf(stderr, "diff %s/%s: %llu ops compared, %llu not compared (%llu from an op only one "
                "target runs)\n", fp->o->target ? fp->o->target : "native", fp->o->diff_target,
                (unsigned long long)fp->sh->diff_compared,
                (unsigned long long)(fp->sh->diff_ops - fp->sh->diff_compared),
                (unsigned long long)fp->sh->diff_only);
    uint64_t nexits = 0;
    for (unsigned r = 0; r < FUZZ_EXIT_KINDS; r++)
        nexits += fp->sh->exits[r];
    if (!nexits)
        return;
    fprintf(stderr, "exits run %llu:", (unsigned long long)nexits);
    for (unsigned r = 0; r < FUZZ_EXIT_KINDS; r++)
        fprintf(stderr, " %s %llu", r < EXIT_NR ? abi_exit_reason_name(r) : "other",
                (unsigned long long)fp->sh->exits[r]);
    fprintf(stderr, "\n");
}

/* The summary object of --json, on stdout. */
static void fuzz_summary_json(struct fuzz_parent *fp, int rc)
{
    uint64_t execs = fuzz_total_execs(fp), bytes;
    uint64_t corpus = fuzz_corpus_size(fp, &bytes);
    double t = fuzz_now() - fp->start;

    printf("{\"format_version\": 1, \"programs\": %llu, \"seconds\": %.3f, \"programs_per_s\": %.1f,\n"
           " \"findings\": %llu, \"corpus\": %llu, \"corpus_bytes\": %llu, \"corpus_saved\": %llu,\n"
           " \"corpus_evicted\": %llu, \"features\": %llu, \"map_bits\": %u, \"map_fill\": %.6f,\n"
           " \"jobs\": %u, \"seed\": %llu, \"interrupted\": %s, \"exit_status\": %d",
           (unsigned long long)execs, t, t > 0 ? (double)execs / t : 0.0,
           (unsigned long long)fp->sh->findings, (unsigned long long)corpus,
           (unsigned long long)bytes,
           (unsigned long long)fuzz_corpus_sum(fp, offsetof(struct fuzz_worker_shm, corpus_saved)),
           (unsigned long long)fuzz_corpus_sum(fp, offsetof(struct fuzz_worker_shm,
                                                            corpus_evicted)),
           (unsigned long long)fp->sh->features, FUZZ_MAP_BITS, fuzz_fill(fp), fp->o->jobs,
           (unsigned long long)fp->o->seed, fuzz_stop ? "true" : "false", rc);
    /* only with --diff: a campaign without it reads as before */
    if (fp->o->diff_target)
        printf(",\n \"diff_targets\": \"%s,%s\", \"diff_ops_compared\": %llu, "
               "\"diff_ops_not_compared\": %llu, \"diff_ops_only_one\": %llu",
               fp->o->target ? fp->o->target : "native", fp->o->diff_target,
               (unsigned long long)fp->sh->diff_compared,
               (unsigned long long)(fp->sh->diff_ops - fp->sh->diff_compared),
               (unsigned long long)fp->sh->diff_only);
    printf("}\n");
    fflush(stdout);
}

/* The corpus directory must be one: read and written (a typo must not start an empty campaign). */
static int fuzz_check_corpus(const char *dir)
{
    struct stat st;
    DIR *d;

    if (stat(dir, &st) < 0) {
        fprintf(stderr, "hvfuzz fuzz: --corpus %s: %s%s\n", dir, strerror(errno),
                errno == ENOENT ? " (create it first: an empty directory starts a campaign "
                                  "from nothing)" : "");
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "hvfuzz fuzz: --corpus %s: not a directory\n", dir);
        return -1;
    }
    if (!(d = opendir(dir))) {
        fprintf(stderr, "hvfuzz fuzz: --corpus %s: cannot read it: %s\n", dir, strerror(errno));
        return -1;
    }
    closedir(d);
    if (access(dir, W_OK | X_OK) < 0) {
        fprintf(stderr, "hvfuzz fuzz: --corpus %s: cannot write to it: %s\n", dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* Remove what a killed writer left in dir: .tmp-<hash>-<pid> files and directories whose
   process is gone (a live campaign sharing the directory keeps its own). */
static void fuzz_clear_tmp(const char *dir)
{
    char path[4096], inner[4096 + 256];
    struct dirent *de;
    unsigned n = 0;
    DIR *d = dir ? opendir(dir) : NULL;

    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *dash = strrchr(de->d_name, '-');
        char *end;
        long pid;
        if (strncmp(de->d_name, ".tmp-", 5) || !dash)
            continue;
        pid = strtol(dash + 1, &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            struct dirent *se;
            while ((se = readdir(sub)) != NULL)
                if (strcmp(se->d_name, ".") && strcmp(se->d_name, "..")) {
                    snprintf(inner, sizeof(inner), "%s/%s", path, se->d_name);
                    unlink(inner);
                }
            closedir(sub);
            n += rmdir(path) == 0;
        } else {
            n += unlink(path) == 0;
        }
    }
    closedir(d);
    if (n)
        fprintf(stderr, "hvfuzz fuzz: removed %u temporary entries an interrupted run left in %s\n",
                n, dir);
}

static bool fuzz_all_done(struct fuzz_parent *fp)
{
    for (unsigned w = 0; w < fp->o->jobs; w++)
        if (fp->pid[w])
            return false;
    return true;
}

int fuzz_run(const struct fuzz_opts *o)
{
    struct fuzz_parent fp;
    double next_status, status_every;
    int rc = 0;

    memset(&fp, 0, sizeof(fp));
    fp.o = o;
    if (o->jobs < 1 || o->jobs > FUZZ_MAX_JOBS) {
        fprintf(stderr, "hvfuzz fuzz: --jobs must be 1..%u\n", FUZZ_MAX_JOBS);
        return 2;
    }
    /* the findings directory is made by finding_write when there is something to put there */
    if (o->corpus_dir && fuzz_check_corpus(o->corpus_dir) < 0)
        return 2;
    fuzz_clear_tmp(o->corpus_dir);
    fuzz_clear_tmp(o->out_dir ? o->out_dir : "findings");
    fp.sh = fuzz_shared_new(o->jobs, &fp.sh_size);
    fp.msg = malloc(fuzz_prog_max());
    fp.prog = malloc(sizeof(*fp.prog));
    fp.store = malloc(sizeof(*fp.store));
    fp.res = calloc(PROG_MAX_OPS, sizeof(*fp.res));
    if (!fp.sh || !fp.msg || !fp.prog || !fp.store || !fp.res) {
        fprintf(stderr, "hvfuzz fuzz: out of memory\n");
        rc = 2;
        goto out;
    }
    for (unsigned w = 0; w < o->jobs; w++)
        fp.fd[w] = -1;
    fp.topts = target_default_opts;
    fp.topts.bugs = o->bugs;
    fp.topts.audit_each_op = o->audit_each_op;
    fp.topts.audit_full = o->audit_full;
    if (target_open(&fp.t, target_find(o->target ? o->target : "native"), &prog_default_shape,
                    &fp.topts) < 0)
        memset(&fp.t, 0, sizeof(fp.t));
    if (o->diff_target &&
        target_open(&fp.tb, target_find(o->diff_target), &prog_default_shape, &fp.topts) < 0)
        memset(&fp.tb, 0, sizeof(fp.tb));
    fp.tty = isatty(STDERR_FILENO);
    fp.start = fuzz_now();
    fp.sh->deadline = o->time_s > 0 ? fp.start + o->time_s : 0;
    /* plain lines (logs) every 10 s; a live line on a terminal every second */
    status_every = fp.tty ? 1.0 : 10.0;
    next_status = fp.start + status_every;
    fuzz_stop = 0;
    signal(SIGINT, fuzz_on_signal);
    signal(SIGTERM, fuzz_on_signal);
    signal(SIGPIPE, SIG_IGN);
    for (unsigned w = 0; w < o->jobs; w++)
        if (fuzz_spawn(&fp, w) < 0) {
            fprintf(stderr, "hvfuzz fuzz: cannot start worker %u: %s\n", w, strerror(errno));
            fuzz_stop = 1;
            rc = 2;
            break;
        }

    while (!fuzz_all_done(&fp)) {
        struct pollfd pfd[FUZZ_MAX_JOBS];
        unsigned map[FUZZ_MAX_JOBS], n = 0;
        double now = fuzz_now();

        if (fuzz_stop || (o->time_s > 0 && now - fp.start >= o->time_s))
            fp.sh->stop = 1;
        for (unsigned w = 0; w < o->jobs; w++)
            if (fp.pid[w]) {
                pfd[n].fd = fp.fd[w];
                pfd[n].events = POLLIN;
                map[n++] = w;
            }
        if (poll(pfd, n, 100) > 0)
            for (unsigned i = 0; i < n; i++)
                if (pfd[i].revents & POLLIN)
                    fuzz_read_msgs(&fp, map[i]);
        now = fuzz_now();
        if (o->progress) {
            o->progress->execs = fuzz_total_execs(&fp);
            o->progress->elapsed = now - fp.start;
        }
        for (unsigned w = 0; w < o->jobs; w++) {
            int status;
            struct fuzz_worker_shm *ws = fuzz_slot(fp.sh, w);
            if (!fp.pid[w])
                continue;
            if (ws->execs != fp.last_execs[w]) {
                fp.last_execs[w] = ws->execs;
                fp.last_progress[w] = now;
            } else if (now - fp.last_progress[w] > FUZZ_HANG_SECS) {
                kill(fp.pid[w], SIGKILL);
                sandbox_wait(fp.pid[w], &status, 0);
                fuzz_reap(&fp, w, status, true);
                if (!fp.sh->stop && fuzz_spawn(&fp, w) < 0)
                    fp.sh->stop = 1;
                continue;
            }
            if (sandbox_wait(fp.pid[w], &status, WNOHANG) == fp.pid[w]) {
                bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
                fuzz_reap(&fp, w, status, false);
                /* a worker that finished its share stays down; a dead one is replaced */
                if (!clean && !fp.sh->stop && fuzz_spawn(&fp, w) < 0)
                    fp.sh->stop = 1;
            }
        }
        if (now >= next_status) {
            fuzz_status(&fp, false);
            next_status = now + status_every;
        }
    }
    if (fp.tty && !o->quiet)
        fprintf(stderr, "\r\033[K");
    fuzz_status(&fp, true);
    if (o->progress) {
        o->progress->execs = fuzz_total_execs(&fp);
        o->progress->elapsed = fuzz_now() - fp.start;
    }
    if (fp.sh->corpus_errno) {
        fprintf(stderr, "hvfuzz fuzz: cannot save programs in the corpus %s: %s\n",
                o->corpus_dir, strerror(fp.sh->corpus_errno));
        rc = 2;
    }
    if (rc == 0)
        rc = fp.sh->setup_failed || fp.write_failed ? 2 : fp.sh->findings ? 1 : 0;
    if (o->json)
        fuzz_summary_json(&fp, rc);
out:
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (fp.t.ops)
        target_close(&fp.t);
    if (fp.tb.ops)
        target_close(&fp.tb);
    if (fp.sh)
        munmap(fp.sh, fp.sh_size);
    free(fp.sigs);
    free(fp.msg);
    free(fp.prog);
    free(fp.store);
    free(fp.res);
    return rc;
}
