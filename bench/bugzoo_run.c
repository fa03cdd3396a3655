/* hvfuzz bugzoo's campaigns: one child per campaign (the fuzz loop, libFuzzer or AFL++), watched. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvfuzz/bugzoo.h"
#include "hvfuzz/fuzzer.h"
#include "hvfuzz/io.h"
#include "hvfuzz/sandbox.h"

/*
 * Every campaign runs in a child process in its own process group (engines fork servers and
 * workers of their own), with its stdout and stderr in DIR/log, in its own directory under the
 * work directory. The random generator's child calls fuzz_run with a fuzz_progress in shared
 * memory, so the parent sees programs and the first finding as they happen; an engine's child
 * execs the engine, and the parent reads what the engine leaves behind (crash files, its log,
 * fuzzer_stats). A campaign that outlives its time by the grace below is killed.
 */
#define BZ_GRACE_S(t) ((t) / 5 + 15)

enum bz_state { BZ_PENDING = 0, BZ_RUNNING, BZ_DONE };

struct bz_camp {
    struct bz_trial *t;
    enum bz_state state;
    pid_t pid;
    double start;
    bool killed;
    char dir[1024];
};

struct bz_ctx {
    const struct bz_opts *o;
    struct bz_camp *c;
    struct fuzz_progress *pr;      /* shared, one per campaign */
    size_t pr_size, n;
    char work[1024];
    char seeds[1100];              /* the campaigns' seeds: WORK/seeds, or --seeds with --all-seeds */
    char afl_fuzz[1024];
    bool tty;
};

static volatile sig_atomic_t bz_interrupted;

/* snprintf for paths and notes: a long work directory cuts a note short, which is fine, and a
   path that does not fit fails where it is used (the file is not found). */
__attribute__((format(printf, 3, 4)))
static void bz_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}

static void bz_on_signal(int sig)
{
    (void)sig;
    bz_interrupted = 1;
}

static double bz_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *bz_name(enum hv_bug b)
{
    return b == HV_BUG_NONE ? "none" : hv_bug_table[b].name;
}

static int bz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static bool bz_exec_ok(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* A program on $PATH, as execvp would find it. */
static bool bz_which(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");

    while (path && *path) {
        size_t n = strcspn(path, ":");
        bz_fmt(out, cap, "%.*s/%s", (int)n, path, name);
        if (n && bz_exec_ok(out))
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static int bz_copy_file(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY), out;
    ssize_t n;

    if (in < 0)
        return -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (io_write_all(out, buf, (size_t)n) < 0) {
            n = -1;
            break;
        }
    close(in);
    close(out);
    return n < 0 ? -1 : 0;
}

/*
 * Regular files of dir, counted or copied into to (when to is not NULL). With advisories, the
 * seeds recorded from the advisory regression areas of the conformance suite (xsa_*.bin) are
 * left out: they replay the very triggers of the zoo's bugs, which a bug outside the zoo has no
 * seed for, so starting from them would measure the seeds, not the generator.
 */
static int bz_seed_files(const char *dir, const char *to, bool advisories)
{
    char from[2048], dst[2048];
    struct dirent *de;
    struct stat st;
    int count = 0;
    DIR *d = opendir(dir);

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || (!advisories && !strncmp(de->d_name, "xsa", 3)))
            continue;
        bz_fmt(from, sizeof(from), "%s/%s", dir, de->d_name);
        if (stat(from, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (to) {
            bz_fmt(dst, sizeof(dst), "%s/%s", to, de->d_name);
            if (bz_copy_file(from, dst) < 0)
                continue;
        }
        count++;
    }
    closedir(d);
    return count;
}

/* The whole of a small file (logs, stats) into buf, NUL-terminated; its last cap-1 bytes if big. */
static size_t bz_read_tail(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    off_t size;
    ssize_t n;

    buf[0] = 0;
    if (fd < 0)
        return 0;
    size = lseek(fd, 0, SEEK_END);
    if (size > (off_t)(cap - 1))
        lseek(fd, size - (off_t)(cap - 1), SEEK_SET);
    else
        lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = 0;
    /* a NUL in a log would end the string early: make it visible text */
    for (ssize_t i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = ' ';
    return (size_t)n;
}

/* The number after the last occurrence of key in text; false if absent. */
static bool bz_last_num(const char *text, const char *key, unsigned long long *v)
{
    const char *p = text, *last = NULL;

    while ((p = strstr(p, key)) != NULL) {
        last = p;
        p += strlen(key);
    }
    if (!last)
        return false;
    *v = strtoull(last + strlen(key), NULL, 10);
    return true;
}

/* The harness prints "==hvfuzz== FINDING <signature> (...)"; sanitizers print a SUMMARY line. */
static bool bz_log_signature(const char *log, char *sig, size_t cap)
{
    const char *p = strstr(log, "==hvfuzz== FINDING ");

    if (p) {
        /* signatures may hold spaces ("bug:<message>"): the line goes on " (oracle ..." */
        const char *end = strstr(p, " (oracle ");
        size_t n;
        p += strlen("==hvfuzz== FINDING ");
        n = strcspn(p, "\n");
        if (end && end > p && (size_t)(end - p) < n)
            n = (size_t)(end - p);
        bz_fmt(sig, cap, "%.*s", (int)n, p);
        return true;
    }
    if ((p = strstr(log, "SUMMARY: AddressSanitizer: ")) != NULL) {
        p += strlen("SUMMARY: AddressSanitizer: ");
        bz_fmt(sig, cap, "sanitizer:asan:%.*s", (int)strcspn(p, " \n"), p);
        return true;
    }
    if (strstr(log, "SUMMARY: UndefinedBehaviorSanitizer")) {
        bz_fmt(sig, cap, "sanitizer:ubsan");
        return true;
    }
    return false;
}

/* ---- the children ----------------------------------------------------------------------------- */

static void bz_child_setup(const char *dir)
{
    char log[1200];
    int fd;

    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    bz_fmt(log, sizeof(log), "%s/log", dir);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        close(fd);
    }
}

static void bz_child_random(const struct bz_ctx *x, const struct bz_camp *c,
                            struct fuzz_progress *pr)
{
    char corpus[1100], out[1100];
    struct fuzz_opts fo;

    bz_fmt(corpus, sizeof(corpus), "%s/corpus", c->dir);
    bz_fmt(out, sizeof(out), "%s/findings", c->dir);
    if (mkdir(corpus, 0777) < 0 || bz_seed_files(x->seeds, corpus, true) < 0) {
        fprintf(stderr, "bugzoo: cannot copy the seeds %s to %s\n", x->seeds, corpus);
        _exit(2);
    }
    memset(&fo, 0, sizeof(fo));
    fo.target = x->o->target;
    fo.time_s = x->o->time_s;
    fo.seed = c->t->seed;
    fo.corpus_dir = corpus;
    fo.out_dir = out;
    fo.jobs = 1;
    fo.bugs = c->t->bug == HV_BUG_NONE ? 0 : 1ULL << c->t->bug;
    fo.quiet = true;
    fo.progress = pr;
    fo.stop_at_finding = true;
    _exit(fuzz_run(&fo));
}

static void bz_child_exec(const struct bz_ctx *x, const struct bz_camp *c)
{
    char a[16][1200];
    char *argv[17];
    unsigned n = 0, secs = (unsigned)x->o->time_s;
    const char *bin = x->o->bin_dir;

    /* engines take whole seconds; no libm in the monitor library for one ceil() */
    if (secs < x->o->time_s)
        secs++;

    setenv("HVFUZZ_BUGS", c->t->bug == HV_BUG_NONE ? "" : bz_name(c->t->bug), 1);
    if (c->t->gen == BZ_GEN_LIBFUZZER) {
        bz_fmt(a[n++], sizeof(a[0]), "%s/native-libfuzzer", bin);
        bz_fmt(a[n++], sizeof(a[0]), "-max_total_time=%u", secs);
        bz_fmt(a[n++], sizeof(a[0]), "-seed=%llu", (unsigned long long)c->t->seed);
        bz_fmt(a[n++], sizeof(a[0]), "-print_final_stats=1");
        bz_fmt(a[n++], sizeof(a[0]), "-timeout=10");
        bz_fmt(a[n++], sizeof(a[0]), "-artifact_prefix=%s/", c->dir);
        if (x->o->dict && access(x->o->dict, R_OK) == 0)
            bz_fmt(a[n++], sizeof(a[0]), "-dict=%s", x->o->dict);
        bz_fmt(a[n++], sizeof(a[0]), "%s/corpus", c->dir);
        bz_fmt(a[n++], sizeof(a[0]), "%s", x->seeds);
    } else {
        char cmplog[1100];
        /* a lone instance: no UI, no CPU binding on a shared machine, stop at the first crash */
        setenv("AFL_NO_UI", "1", 1);
        setenv("AFL_SKIP_CPUFREQ", "1", 1);
        setenv("AFL_NO_AFFINITY", "1", 1);
        setenv("AFL_BENCH_UNTIL_CRASH", "1", 1);
        setenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", 1);
        setenv("AFL_SKIP_CRASHES", "1", 1);
        bz_fmt(a[n++], sizeof(a[0]), "%s", x->afl_fuzz);
        bz_fmt(a[n++], sizeof(a[0]), "-i");
        bz_fmt(a[n++], sizeof(a[0]), "%s", x->seeds);
        bz_fmt(a[n++], sizeof(a[0]), "-o");
        bz_fmt(a[n++], sizeof(a[0]), "%s/afl", c->dir);
        bz_fmt(a[n++], sizeof(a[0]), "-V%u", secs);
        bz_fmt(a[n++], sizeof(a[0]), "-s%llu", (unsigned long long)c->t->seed);
        if (x->o->dict && access(x->o->dict, R_OK) == 0) {
            bz_fmt(a[n++], sizeof(a[0]), "-x");
            bz_fmt(a[n++], sizeof(a[0]), "%s", x->o->dict);
        }
        bz_fmt(cmplog, sizeof(cmplog), "%s/native-afl-cmplog", bin);
        if (bz_exec_ok(cmplog)) {
            bz_fmt(a[n++], sizeof(a[0]), "-c");
            bz_fmt(a[n++], sizeof(a[0]), "%s", cmplog);
        }
        bz_fmt(a[n++], sizeof(a[0]), "--");
        bz_fmt(a[n++], sizeof(a[0]), "%s/native-afl", bin);
    }
    for (unsigned i = 0; i < n; i++)
        argv[i] = a[i];
    argv[n] = NULL;
    execv(argv[0], argv);
    fprintf(stderr, "bugzoo: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* ---- results of a finished campaign ----------------------------------------------------------- */

static void bz_finish_random(struct bz_camp *c, const struct fuzz_progress *pr, int status)
{
    struct bz_trial *t = c->t;

    if (__atomic_load_n(&pr->found, __ATOMIC_ACQUIRE)) {
        t->found = true;
        t->time_s = pr->first_s;
        t->programs = pr->first_execs;
        bz_fmt(t->signature, sizeof(t->signature), "%s", pr->first_signature);
        return;
    }
    t->time_s = pr->elapsed;
    t->programs = pr->execs;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) <= 1) && !c->killed) {
        t->status = BZ_FAILED;
        bz_fmt(t->note, sizeof(t->note), "fuzz loop ended with status %d (see %s/log)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), c->dir);
    }
}

/* The first artifact file of libFuzzer (crash-, timeout-, oom-, leak-) in dir, if any. */
static bool bz_find_prefixed(const char *dir, const char *const *prefixes, char *name, size_t cap)
{
    struct dirent *de;
    bool found = false;
    DIR *d = opendir(dir);

    if (!d)
        return false;
    while (!found && (de = readdir(d)) != NULL)
        for (const char *const *p = prefixes; *p && !found; p++)
            if (!strncmp(de->d_name, *p, strlen(*p))) {
                bz_fmt(name, cap, "%s", de->d_name);
                found = true;
            }
    closedir(d);
    return found;
}

static void bz_finish_libfuzzer(struct bz_camp *c, int status, double elapsed)
{
    static const char *const artifacts[] = { "crash-", "timeout-", "oom-", "leak-", NULL };
    static char log[1U << 20];
    struct bz_trial *t = c->t;
    char path[1200], name[256];
    unsigned long long v;

    bz_fmt(path, sizeof(path), "%s/log", c->dir);
    bz_read_tail(path, log, sizeof(log));
    t->time_s = elapsed;
    if (bz_last_num(log, "stat::number_of_executed_units: ", &v) || bz_last_num(log, "\n#", &v))
        t->programs = v;
    if (bz_find_prefixed(c->dir, artifacts, name, sizeof(name))) {
        t->found = true;
        if (!bz_log_signature(log, t->signature, sizeof(t->signature)))
            bz_fmt(t->signature, sizeof(t->signature), "%s",
                     !strncmp(name, "timeout-", 8) ? "hang:timeout" :
                     !strncmp(name, "oom-", 4) ? "oom" :
                     !strncmp(name, "leak-", 5) ? "sanitizer:leak" : "crash:libfuzzer");
        return;
    }
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && !c->killed) {
        t->status = BZ_FAILED;
        bz_fmt(t->note, sizeof(t->note), "libFuzzer ended with status %d and no artifact "
                 "(see %s/log)", WIFEXITED(status) ? WEXITSTATUS(status) :
                 128 + WTERMSIG(status), c->dir);
    }
}

/* "key : value" from AFL++'s fuzzer_stats. */
static bool bz_afl_stat(const char *stats, const char *key, unsigned long long *v)
{
    char k[64];
    const char *p;

    bz_fmt(k, sizeof(k), "\n%s", key);
    p = strstr(stats, k);
    if (!p && !strncmp(stats, key, strlen(key)))
        p = stats - 1;
    if (!p)
        return false;
    p = strchr(p + 1, ':');
    if (!p)
        return false;
    *v = strtoull(p + 1, NULL, 10);
    return true;
}

/* Replay an AFL++ crash with the engine binary (it replays file arguments) for its signature. */
static void bz_afl_replay(const struct bz_ctx *x, struct bz_camp *c, const char *file)
{
    char bin[1100], log[1200];
    static char text[1U << 18];
    pid_t pid;
    int st;

    bz_fmt(bin, sizeof(bin), "%s/native-afl", x->o->bin_dir);
    bz_fmt(log, sizeof(log), "%s/replay.log", c->dir);
    pid = sandbox_fork(NULL);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        setenv("HVFUZZ_BUGS", c->t->bug == HV_BUG_NONE ? "" : bz_name(c->t->bug), 1);
        execl(bin, bin, file, (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || sandbox_wait(pid, &st, 0) < 0)
        return;
    bz_read_tail(log, text, sizeof(text));
    if (!bz_log_signature(text, c->t->signature, sizeof(c->t->signature)))
        bz_fmt(c->t->signature, sizeof(c->t->signature), "crash:afl");
}

static void bz_finish_afl(const struct bz_ctx *x, struct bz_camp *c, int status, double elapsed)
{
    static const char *const ids[] = { "id:", NULL };
    static char stats[16384];
    struct bz_trial *t = c->t;
    char path[1300], name[512];
    unsigned long long v = 0, crashes = 0, hangs = 0;
    const char *kind = NULL;

    bz_fmt(path, sizeof(path), "%s/afl/default/fuzzer_stats", c->dir);
    bz_read_tail(path, stats, sizeof(stats));
    t->time_s = elapsed;
    if (bz_afl_stat(stats, "execs_done", &v))
        t->programs = v;
    if (!bz_afl_stat(stats, "saved_crashes", &crashes))
        bz_afl_stat(stats, "unique_crashes", &crashes);
    if (!bz_afl_stat(stats, "saved_hangs", &hangs))
        bz_afl_stat(stats, "unique_hangs", &hangs);
    bz_fmt(path, sizeof(path), "%s/afl/default/crashes", c->dir);
    if (crashes && bz_find_prefixed(path, ids, name, sizeof(name)))
        kind = "crashes";
    bz_fmt(path, sizeof(path), "%s/afl/default/hangs", c->dir);
    if (!kind && hangs && bz_find_prefixed(path, ids, name, sizeof(name)))
        kind = "hangs";
    if (kind) {
        const char *p;
        t->found = true;
        /* AFL++ names the input id:N,sig:S,src:..,time:MS,execs:N,op:..: the moment it found it */
        if ((p = strstr(name, ",time:")) != NULL)
            t->time_s = (double)strtoull(p + 6, NULL, 10) / 1000.0;
        if ((p = strstr(name, ",execs:")) != NULL)
            t->programs = strtoull(p + 7, NULL, 10);
        bz_fmt(path, sizeof(path), "%s/afl/default/%s/%s", c->dir, kind, name);
        if (!strcmp(kind, "hangs"))
            bz_fmt(t->signature, sizeof(t->signature), "hang:timeout");
        else
            bz_afl_replay(x, c, path);
        return;
    }
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && !c->killed) {
        t->status = BZ_FAILED;
        bz_fmt(t->note, sizeof(t->note), "afl-fuzz ended with status %d (see %s/log)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), c->dir);
    }
}

/* ---- the watcher ------------------------------------------------------------------------------ */

static uint64_t bz_live_programs(const struct bz_ctx *x, const struct bz_camp *c)
{
    static char text[8192];
    char path[1300];
    unsigned long long v = 0;

    switch (c->t->gen) {
    case BZ_GEN_RANDOM:
        return x->pr[c - x->c].execs;
    case BZ_GEN_LIBFUZZER:
        bz_fmt(path, sizeof(path), "%s/log", c->dir);
        bz_read_tail(path, text, sizeof(text));
        bz_last_num(text, "\n#", &v);
        return v;
    default:
        bz_fmt(path, sizeof(path), "%s/afl/default/fuzzer_stats", c->dir);
        bz_read_tail(path, text, sizeof(text));
        bz_afl_stat(text, "execs_done", &v);
        return v;
    }
}

static void bz_progress(const struct bz_ctx *x, unsigned done)
{
    char line[512];
    size_t len;
    double now = bz_now();

    len = (size_t)snprintf(line, sizeof(line), "bugzoo [%u/%zu]", done, x->n);
    for (size_t i = 0; i < x->n && len < sizeof(line) - 64; i++) {
        const struct bz_camp *c = &x->c[i];
        if (c->state != BZ_RUNNING)
            continue;
        len += (size_t)snprintf(line + len, sizeof(line) - len, "  %s %s #%u %.0fs %llu progs",
                                bz_name(c->t->bug), bz_gen_names[c->t->gen], c->t->trial + 1,
                                now - c->start, (unsigned long long)bz_live_programs(x, c));
    }
    fprintf(stderr, x->tty ? "\r\033[K%s" : "%s\n", line);
}

static void bz_report_done(const struct bz_ctx *x, const struct bz_camp *c)
{
    const struct bz_trial *t = c->t;

    if (x->o->quiet)
        return;
    if (x->tty)
        fprintf(stderr, "\r\033[K");
    if (t->status == BZ_INTERRUPTED)
        fprintf(stderr, "bugzoo: %s %s #%u (seed %llu): %s, %llu programs\n", bz_name(t->bug),
                bz_gen_names[t->gen], t->trial + 1, (unsigned long long)t->seed, t->note,
                (unsigned long long)t->programs);
    else if (t->status == BZ_FAILED)
        fprintf(stderr, "bugzoo: %s %s #%u (seed %llu): FAILED: %s\n", bz_name(t->bug),
                bz_gen_names[t->gen], t->trial + 1, (unsigned long long)t->seed, t->note);
    else if (t->found)
        fprintf(stderr, "bugzoo: %s %s #%u (seed %llu): found %s after %.1f s, %llu programs "
                "(expected %s: %s)\n", bz_name(t->bug), bz_gen_names[t->gen], t->trial + 1,
                (unsigned long long)t->seed, t->signature, t->time_s,
                (unsigned long long)t->programs, bz_expected(t->bug),
                bz_sig_matches(t->signature, bz_expected(t->bug)) ? "match" : "NO match");
    else
        fprintf(stderr, "bugzoo: %s %s #%u (seed %llu): nothing in %.1f s, %llu programs\n",
                bz_name(t->bug), bz_gen_names[t->gen], t->trial + 1, (unsigned long long)t->seed,
                t->time_s, (unsigned long long)t->programs);
}

static int bz_start(struct bz_ctx *x, struct bz_camp *c)
{
    struct fuzz_progress *pr = &x->pr[c - x->c];
    pid_t pid;

    bz_fmt(c->dir, sizeof(c->dir), "%s/%s-%s-%u", x->work, bz_name(c->t->bug),
             bz_gen_names[c->t->gen], c->t->trial + 1);
    if (mkdir(c->dir, 0777) < 0 && errno != EEXIST)
        return -1;
    if (c->t->gen == BZ_GEN_LIBFUZZER) {
        char corpus[1100];
        bz_fmt(corpus, sizeof(corpus), "%s/corpus", c->dir);
        if (mkdir(corpus, 0777) < 0 && errno != EEXIST)
            return -1;
    }
    memset(pr, 0, sizeof(*pr));
    pid = sandbox_fork(NULL);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        bz_child_setup(c->dir);
        if (c->t->gen == BZ_GEN_RANDOM)
            bz_child_random(x, c, pr);
        bz_child_exec(x, c);
    }
    setpgid(pid, pid);
    c->pid = pid;
    c->state = BZ_RUNNING;
    c->start = bz_now();
    return 0;
}

static void bz_end(struct bz_ctx *x, struct bz_camp *c, int status)
{
    double elapsed = bz_now() - c->start;

    /* whatever the engine left running in its group (fork servers, CmpLog children) goes too */
    kill(-c->pid, SIGKILL);
    switch (c->t->gen) {
    case BZ_GEN_RANDOM:
        bz_finish_random(c, &x->pr[c - x->c], status);
        break;
    case BZ_GEN_LIBFUZZER:
        bz_finish_libfuzzer(c, status, elapsed);
        break;
    default:
        bz_finish_afl(x, c, status, elapsed);
        break;
    }
    /* Ctrl-C cut it short: not a campaign that ran its time and missed */
    if (bz_interrupted && c->killed && !c->t->found && c->t->status == BZ_RAN) {
        c->t->status = BZ_INTERRUPTED;
        bz_fmt(c->t->note, sizeof(c->t->note), "interrupted after %.1f s", elapsed);
    }
    c->state = BZ_DONE;
    c->pid = 0;
    bz_report_done(x, c);
}

/* Which generators can run here; the others' trials are marked skipped with the reason. */
static void bz_check_tools(struct bz_ctx *x, char why[BZ_GEN_NR][160])
{
    char path[1100];

    memset(why, 0, BZ_GEN_NR * sizeof(why[0]));
    bz_fmt(path, sizeof(path), "%s/native-libfuzzer", x->o->bin_dir);
    if ((x->o->gens >> BZ_GEN_LIBFUZZER & 1) && !bz_exec_ok(path))
        bz_fmt(why[BZ_GEN_LIBFUZZER], 160, "%s is missing (make fuzz-libfuzzer)", path);
    bz_fmt(path, sizeof(path), "%s/native-afl", x->o->bin_dir);
    if ((x->o->gens >> BZ_GEN_AFL & 1)) {
        if (!bz_which("afl-fuzz", x->afl_fuzz, sizeof(x->afl_fuzz)))
            bz_fmt(why[BZ_GEN_AFL], 160, "afl-fuzz is not on PATH (make deps installs AFL++)");
        else if (!bz_exec_ok(path))
            bz_fmt(why[BZ_GEN_AFL], 160, "%s is missing (make fuzz-afl)", path);
    }
    for (unsigned g = 0; g < BZ_GEN_NR; g++)
        if (why[g][0] && !x->o->quiet)
            fprintf(stderr, "bugzoo: skipping generator %s: %s\n", bz_gen_names[g], why[g]);
}

int bz_run(const struct bz_opts *o, struct bz_trial **out, size_t *nout)
{
    struct bz_ctx x;
    char why[BZ_GEN_NR][160];
    struct bz_trial *t;
    unsigned running = 0, done = 0;
    double next_status = 0;
    int nseeds, rc = 0;
    size_t n = 0;

    memset(&x, 0, sizeof(x));
    x.o = o;
    x.tty = isatty(STDERR_FILENO);
    nseeds = bz_seed_files(o->seeds, NULL, o->all_seeds);
    if (nseeds <= 0) {
        fprintf(stderr, "hvfuzz bugzoo: no seed files in %s (run from the source tree, or give "
                "--seeds)\n", o->seeds);
        return -1;
    }
    for (unsigned b = 0; b < HV_BUG_NR; b++)
        for (unsigned g = 0; g < BZ_GEN_NR; g++)
            if ((o->bugs >> b & 1) && (o->gens >> g & 1))
                n += o->trials;
    t = calloc(n ? n : 1, sizeof(*t));
    x.c = calloc(n ? n : 1, sizeof(*x.c));
    x.pr_size = (n ? n : 1) * sizeof(*x.pr);
    x.pr = mmap(NULL, x.pr_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!t || !x.c || x.pr == MAP_FAILED) {
        fprintf(stderr, "hvfuzz bugzoo: out of memory\n");
        free(t);
        free(x.c);
        return -1;
    }
    x.n = n;
    if (o->work_dir) {
        bz_fmt(x.work, sizeof(x.work), "%s", o->work_dir);
        if (mkdir(x.work, 0777) < 0 && errno != EEXIST) {
            fprintf(stderr, "hvfuzz bugzoo: cannot create %s: %s\n", x.work, strerror(errno));
            rc = -1;
        }
    } else {
        const char *tmp = getenv("TMPDIR");
        bz_fmt(x.work, sizeof(x.work), "%s/hvfuzz-bugzoo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(x.work)) {
            fprintf(stderr, "hvfuzz bugzoo: cannot create %s: %s\n", x.work, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0 && o->all_seeds) {
        bz_fmt(x.seeds, sizeof(x.seeds), "%s", o->seeds);
    } else if (rc == 0) {
        bz_fmt(x.seeds, sizeof(x.seeds), "%s/seeds", x.work);
        if ((mkdir(x.seeds, 0777) < 0 && errno != EEXIST) ||
            bz_seed_files(o->seeds, x.seeds, false) != nseeds) {
            fprintf(stderr, "hvfuzz bugzoo: cannot copy the seeds to %s\n", x.seeds);
            rc = -1;
        }
    }
    bz_check_tools(&x, why);
    n = 0;
    for (unsigned b = 0; b < HV_BUG_NR; b++)
        for (unsigned g = 0; g < BZ_GEN_NR; g++)
            for (unsigned i = 0; (o->bugs >> b & 1) && (o->gens >> g & 1) && i < o->trials; i++) {
                struct bz_trial *y = &t[n];
                y->bug = (enum hv_bug)b;
                y->gen = (enum bz_gen)g;
                y->trial = i;
                y->seed = o->seed + i;
                if (why[g][0]) {
                    y->status = BZ_SKIPPED;
                    bz_fmt(y->note, sizeof(y->note), "%s", why[g]);
                }
                x.c[n].t = y;
                x.c[n].state = y->status == BZ_SKIPPED ? BZ_DONE : BZ_PENDING;
                done += x.c[n].state == BZ_DONE;
                n++;
            }
    bz_interrupted = 0;
    signal(SIGINT, bz_on_signal);
    signal(SIGTERM, bz_on_signal);
    while (rc == 0 && done < n) {
        double now = bz_now();
        for (size_t i = 0; i < n && running < o->jobs && !bz_interrupted; i++)
            if (x.c[i].state == BZ_PENDING) {
                if (bz_start(&x, &x.c[i]) < 0) {
                    fprintf(stderr, "hvfuzz bugzoo: cannot start a campaign in %s: %s\n",
                            x.c[i].dir, strerror(errno));
                    rc = -1;
                    break;
                }
                running++;
            }
        for (size_t i = 0; i < n; i++) {
            struct bz_camp *c = &x.c[i];
            int status = 0;
            if (c->state != BZ_RUNNING)
                continue;
            if (sandbox_wait(c->pid, &status, WNOHANG) == c->pid) {
                bz_end(&x, c, status);
                running--;
                done++;
                continue;
            }
            /* the engines end themselves at the time limit; this bounds a stuck one */
            if (bz_interrupted || now - c->start > o->time_s + BZ_GRACE_S(o->time_s)) {
                c->killed = true;
                kill(-c->pid, bz_interrupted ? SIGTERM : SIGKILL);
            }
        }
        if (bz_interrupted && !running)
            break;
        if (!o->quiet && now >= next_status) {
            bz_progress(&x, done);
            next_status = now + (x.tty ? 1.0 : 10.0);
        }
        usleep(50000);
    }
    if (x.tty && !o->quiet)
        fprintf(stderr, "\r\033[K");
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (size_t i = 0; i < n; i++)
        if (x.c[i].state == BZ_PENDING) {
            x.c[i].t->status = BZ_SKIPPED;
            bz_fmt(x.c[i].t->note, sizeof(x.c[i].t->note), "interrupted");
        }
    if (x.work[0] && !o->keep && !o->work_dir)
        nftw(x.work, bz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else if (x.work[0] && !o->quiet)
        fprintf(stderr, "bugzoo: campaign directories are in %s\n", x.work);
    munmap(x.pr, x.pr_size);
    free(x.c);
    if (rc < 0) {
        free(t);
        return -1;
    }
    *out = t;
    *nout = n;
    return bz_interrupted ? 1 : 0;
}
