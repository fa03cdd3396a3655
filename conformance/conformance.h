/* The conformance-case contract: table-driven cases against a fresh reference machine. */
#ifndef HVFUZZ_CONFORMANCE_H
#define HVFUZZ_CONFORMANCE_H

#include <stdint.h>
#include <stdio.h>
#include "hvfuzz/monitor.h"
#include "hvfuzz/hypercall.h"

/* Result states with fixed meanings; the most severe wins. */
enum conf_state { CONF_SUCCESS = 0, CONF_SKIP, CONF_ERROR, CONF_FAILURE };

/*
 * The machine every case starts from (conf_machine_setup): CONF_FRAMES frames; dom0 privileged
 * with CONF_DOM_PAGES pages, dom1 and dom2 unprivileged with CONF_DOM_PAGES pages each, all built
 * by dom_build (2 vCPUs each, vCPU 0 up). Scratch memory: each domain's data gfns start at
 * DOM_FIRST_DATA_GFN(CONF_DOM_PAGES); conf_scratch(c, d, k) is the VA of the k-th data page.
 */
#define CONF_FRAMES     512U
#define CONF_DOM_PAGES  64U
#define CONF_MSG_LEN    512U

struct conf_ctx {
    struct hv     *hv;
    struct domain *d0, *d1, *d2;
    struct vcpu   *v0, *v1, *v2;     /* vCPU 0 of each */
    const void    *data;             /* the case's table row */
    enum conf_state state;
    unsigned       checks;           /* comparisons made */
    char           msg[CONF_MSG_LEN];/* first failure: file:line, expression, expected, actual */
};

typedef void (*conf_fn)(struct conf_ctx *c);
struct conf_case {
    const char *name;    /* unique within its area */
    conf_fn     fn;
    const void *data;    /* row passed as c->data */
};
struct conf_area {
    const char *name;                 /* "mmu_update", "grant_table", ... */
    const struct conf_case *cases;
    unsigned    nr_cases;
    struct conf_area *next;
    const char *file;                 /* source file, for reports (set by CONF_AREA) */
};
void conf_register(struct conf_area *a);
struct conf_area *conf_areas(void);

/* Register an area from a static table; no hand-kept list of files. */
#define CONF_AREA(area_name, table)                                                    \
    static struct conf_area conf_area_##table = {                                      \
        .name = (area_name), .cases = (table),                                         \
        .nr_cases = sizeof(table) / sizeof((table)[0]), .file = __FILE__ };            \
    __attribute__((constructor)) static void conf_register_##table(void)               \
    {                                                                                  \
        conf_register(&conf_area_##table);                                             \
    }

/* Record a result; keeps the first message, the most severe state wins. */
void conf_report(struct conf_ctx *c, enum conf_state s, const char *file, int line,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Also log every report, not only the first, to f (NULL: off); the runner's -v sets it. */
void conf_set_log(FILE *f);
#define CONF_FAIL(c, ...)  conf_report((c), CONF_FAILURE, __FILE__, __LINE__, __VA_ARGS__)
#define CONF_ERROR(c, ...) conf_report((c), CONF_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define CONF_SKIP(c, ...)  conf_report((c), CONF_SKIP, __FILE__, __LINE__, __VA_ARGS__)
/* Compare and keep going; names the expression and prints both values. */
#define CONF_EXPECT_EQ(c, expected, actual)                                            \
    do {                                                                               \
        long long e_ = (long long)(expected), a_ = (long long)(actual);                \
        (c)->checks++;                                                                 \
        if (e_ != a_)                                                                  \
            CONF_FAIL((c), "%s: expected %lld, actual %lld", #actual, e_, a_);         \
    } while (0)
#define CONF_EXPECT(c, cond)                                                           \
    do {                                                                               \
        (c)->checks++;                                                                 \
        if (!(cond))                                                                   \
            CONF_FAIL((c), "expected true: %s", #cond);                                \
    } while (0)
/* A set-up step that must succeed: an ERROR (the suite broke), not a FAILURE. */
#define CONF_SETUP(c, expr)                                                            \
    do {                                                                               \
        long long r_ = (long long)(expr);                                              \
        if (r_ < 0) {                                                                  \
            CONF_ERROR((c), "set-up %s returned %lld", #expr, r_);                     \
            return;                                                                    \
        }                                                                              \
    } while (0)

/* Helpers for cases (conformance/helpers.c). */
int  conf_machine_setup(struct conf_ctx *c);   /* 0, or -1 with c->state = ERROR */
void conf_machine_teardown(struct conf_ctx *c);
/* Issue a hypercall from v, completing continuations; returns the final result. */
long conf_hc(struct conf_ctx *c, struct vcpu *v, unsigned nr, uint64_t a0, uint64_t a1,
             uint64_t a2, uint64_t a3, uint64_t a4);
gva_t conf_scratch(struct conf_ctx *c, struct domain *d, unsigned k);  /* VA of data page k */
mfn_t conf_scratch_mfn(struct conf_ctx *c, struct domain *d, unsigned k);
/* Write/read guest memory of v's domain through its page tables (ERROR on fault). */
int conf_put(struct conf_ctx *c, struct vcpu *v, gva_t va, const void *buf, size_t len);
int conf_get(struct conf_ctx *c, struct vcpu *v, gva_t va, void *buf, size_t len);
/* Machine address of the L1 entry that maps data page k of d (for mmu_update ptr). */
uint64_t conf_l1e_maddr(struct conf_ctx *c, struct domain *d, unsigned k);

/* A guest's own 8-byte store of value at va through v's page tables, recorded as a guest_write
   op (a target stores its own value): 0, or -EFAULT. */
long conf_store(struct conf_ctx *c, struct vcpu *v, gva_t va, uint64_t value);
/* Run a migration phase on dom (hvfuzz/migrate.h) as the toolstack, recorded as a migrate op;
   a mismatch the migration oracle finds fails the case. Returns mig_op's result. */
long conf_migrate(struct conf_ctx *c, domid_t dom, unsigned phase);

/* Record every conf_hc and conf_put of this process's case into r (NULL: off): --record. */
struct recorder;
void conf_set_recorder(struct recorder *r);

/* Run the registered cases (tools/hvfuzz conform). */
int conf_main(int argc, char **argv);

#endif
