/* gen_mutate_lazy fetches the splice partner only for a splice, and mutates exactly as gen_mutate. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "test.h"

struct lazy_ctx {
    const struct prog *other;
    unsigned calls;
};

static const struct prog *lazy_get(void *ctx)
{
    struct lazy_ctx *c = ctx;

    c->calls++;
    return c->other;
}

/* The campaign draws both corpus indices, then unpacks the partner only when asked: the programs
   it makes must be gen_mutate's, or a campaign would no longer replay from its seed. */
TEST(gen_mutate_lazy_same)
{
    struct prog *pre = malloc(sizeof(*pre)), *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
    struct prog *o = malloc(sizeof(*o));
    struct gen g, go, saved;
    unsigned fetched = 0, spliced_differs = 0;

    CU_ASSERT_FATAL(pre && a && b && o);
    gen_init(&g, NULL, 11);
    gen_init(&go, NULL, 12);
    for (unsigned i = 0; i < 400; i++) {
        struct lazy_ctx c = { .other = o }, none = { .other = NULL };
        gen_program(&go, o);
        gen_program(&g, pre);
        saved = g;
        memcpy(a, pre, sizeof(*a));
        gen_mutate(&g, a, o);
        g = saved;
        memcpy(b, pre, sizeof(*b));
        gen_mutate_lazy(&g, b, lazy_get, &c);
        CU_ASSERT(prog_equal(a, b));
        CU_ASSERT(c.calls <= 1);
        fetched += c.calls;
        if (!c.calls)
            continue;
        /* the partner it fetched is the one spliced in: without it the result differs */
        g = saved;
        memcpy(b, pre, sizeof(*b));
        gen_mutate_lazy(&g, b, lazy_get, &none);
        TEST_EQ(1, none.calls);
        spliced_differs += !prog_equal(a, b);
        g = saved;
        gen_mutate(&g, pre, o);   /* the stream as the first run left it */
    }
    /* about one mutation in seven splices: drawn, but far from always */
    printf("  partner fetched in %u of 400 mutations, %u of them changed by the splice\n",
           fetched, spliced_differs);
    CU_ASSERT(fetched > 20 && fetched < 200);
    CU_ASSERT(spliced_differs > 0);
    free(pre);
    free(a);
    free(b);
    free(o);
}
