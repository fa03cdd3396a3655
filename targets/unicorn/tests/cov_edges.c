/*
 * The unicorn target's coverage (targets/unicorn/cov.c) is real edge coverage: two guest-code
 * programs that differ only in which way one branch goes give different edge sets, a loop gives
 * its back edge, the same program gives the same set on every run and after other programs (the
 * previous block is forgotten at each run's start), and a target opened with no sink installs no
 * hook, so the hvfuzz tool's runs cost what they did.
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/target.h"
#include "targets/unicorn/uni.h"
#include "test.h"

#define COV_MAX 256U

struct cov_set {
    unsigned n;
    uint32_t e[COV_MAX];
};

static struct cov_set cov_seen;   /* what the sink got during one run, repeats included */
static unsigned cov_calls;

static void cov_sink(uint32_t edge)
{
    cov_calls++;
    if (cov_seen.n < COV_MAX)
        cov_seen.e[cov_seen.n++] = edge;
}

static int cov_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* One guest_code op in domain 1 that runs code with a small budget. */
static void cov_prog(struct prog *p, const uint8_t *code, size_t len)
{
    prog_init(p, &prog_default_shape);
    p->nr_ops = 1;
    p->ops[0].kind = OP_GUEST_CODE;
    p->ops[0].dom = 1;
    p->ops[0].imm = 200;
    p->ops[0].payload_len = (uint16_t)len;
    memcpy(p->ops[0].payload, code, len);
}

/* The distinct edges of one run of p, sorted; sig is the finding it must end with ("" none). */
static void cov_run(struct target *t, const struct prog *p, const char *sig, struct cov_set *out)
{
    struct finding f;

    cov_seen.n = 0;
    cov_calls = 0;
    bool found = target_run(t, p, NULL, &f);
    TEST_EQ(sig[0] != '\0', found);
    if (found)
        CU_ASSERT_STRING_EQUAL(f.signature, sig);
    qsort(cov_seen.e, cov_seen.n, sizeof(cov_seen.e[0]), cov_cmp);
    out->n = 0;
    for (unsigned i = 0; i < cov_seen.n; i++)
        if (!out->n || out->e[out->n - 1] != cov_seen.e[i])
            out->e[out->n++] = cov_seen.e[i];
}

static bool cov_eq(const struct cov_set *a, const struct cov_set *b)
{
    return a->n == b->n && !memcmp(a->e, b->e, a->n * sizeof(a->e[0]));
}

TEST(uni_cov_edges)
{
    /* mov eax, imm32; test eax, eax; jnz over; nop; over: ret (the stack's top is the sentinel) */
    static const uint8_t taken[] = { 0xB8, 1, 0, 0, 0, 0x85, 0xC0, 0x75, 0x01, 0x90, 0xC3 };
    static const uint8_t not_taken[] = { 0xB8, 0, 0, 0, 0, 0x85, 0xC0, 0x75, 0x01, 0x90, 0xC3 };
    /* mov ecx, 5; again: dec ecx; jnz again; ret */
    static const uint8_t loop[] = { 0xB9, 5, 0, 0, 0, 0xFF, 0xC9, 0x75, 0xFC, 0xC3 };
    /* again: jmp again (the budget ends it) */
    static const uint8_t spin[] = { 0xEB, 0xFE };
    static struct prog p;
    static struct cov_set a, a2, b, l, s, s2, off;
    const struct target_ops *ops = target_find("unicorn");
    struct target t;

    CU_ASSERT_FATAL(ops != NULL);
    uni_cov_enable(cov_sink);
    cov_prog(&p, taken, sizeof(taken));
    CU_ASSERT_FATAL(target_open(&t, ops, &p.shape, NULL) == 0);

    cov_run(&t, &p, "", &a);
    TEST_EQ(2, a.n);   /* the test-and-branch block from nowhere, the ret block from it */
    cov_run(&t, &p, "", &a2);
    CU_ASSERT(cov_eq(&a, &a2));

    cov_prog(&p, not_taken, sizeof(not_taken));
    cov_run(&t, &p, "", &b);
    TEST_EQ(2, b.n);
    CU_ASSERT(!cov_eq(&a, &b));
    /* the first block is the same in both, so is its edge from nowhere */
    unsigned shared = 0;
    for (unsigned i = 0; i < a.n; i++)
        shared += bsearch(&a.e[i], b.e, b.n, sizeof(b.e[0]), cov_cmp) != NULL;
    TEST_EQ(1, shared);

    cov_prog(&p, loop, sizeof(loop));
    cov_run(&t, &p, "", &l);
    TEST_EQ(4, l.n);   /* into the first block, into the loop, the back edge, out to ret */

    cov_prog(&p, spin, sizeof(spin));
    cov_run(&t, &p, "hang:guest_code", &s);
    TEST_EQ(2, s.n);   /* into the jmp from nowhere, and from itself */
    cov_run(&t, &p, "hang:guest_code", &s2);
    CU_ASSERT(cov_eq(&s, &s2));

    /* after other programs, in a fresh target too: the same edges */
    cov_prog(&p, taken, sizeof(taken));
    cov_run(&t, &p, "", &a2);
    CU_ASSERT(cov_eq(&a, &a2));
    target_close(&t);
    CU_ASSERT_FATAL(target_open(&t, ops, &p.shape, NULL) == 0);
    cov_run(&t, &p, "", &a2);
    CU_ASSERT(cov_eq(&a, &a2));
    target_close(&t);

    /* opened with no sink: no hook, so setting one afterwards sees nothing */
    uni_cov_enable(NULL);
    CU_ASSERT_FATAL(target_open(&t, ops, &p.shape, NULL) == 0);
    uni_cov_enable(cov_sink);
    cov_run(&t, &p, "", &off);
    TEST_EQ(0, cov_calls);
    uni_cov_enable(NULL);
    target_close(&t);
}
