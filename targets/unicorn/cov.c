/* The unicorn target's optional coverage: an edge id per translated block the guest enters, for the engines. */
#include "targets/unicorn/uni.h"

/*
 * Set by a harness before it opens a target (uni_cov_enable). Without it no hook is installed, so
 * the hvfuzz tool and the tests pay nothing; the hook installed at open reads it again on every
 * block, so clearing it later silences the targets already open.
 */
static void (*uni_cov_sink)(uint32_t edge);

void uni_cov_enable(void (*edge)(uint32_t edge))
{
    uni_cov_sink = edge;
}

/* A block address mixed into 32 bits (the finaliser of MurmurHash3's 64-bit hash): guest code
   sits at page-aligned VAs that differ only in a few middle bits, which a plain fold would lose. */
static uint32_t uni_cov_hash(uint64_t a)
{
    a ^= a >> 33;
    a *= 0xFF51AFD7ED558CCDULL;
    a ^= a >> 33;
    a *= 0xC4CEB9FE1A85EC53ULL;
    a ^= a >> 33;
    return (uint32_t)a;
}

/*
 * AFL's edge: hash(current) ^ (hash(previous) >> 1), so A->B and B->A differ and a block that
 * loops to itself does not give 0. uni_run sets prev to 0, so an op's first block is an edge from
 * nowhere and an input's edges depend on that input only.
 */
static void uni_cov_block(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
    struct uni *u = arg;
    void (*sink)(uint32_t) = uni_cov_sink;
    uint32_t cur = uni_cov_hash(addr);

    (void)uc;
    (void)size;
    if (sink)
        sink(cur ^ u->cov_prev);
    u->cov_prev = cur >> 1;
}

/* Only below the target's own pages: the stubs' blocks are the same for every input. */
int uni_cov_add(struct uni *u)
{
    uc_hook h;

    if (!uni_cov_sink)
        return 0;
    return uc_hook_add(u->uc, &h, UC_HOOK_BLOCK, (void *)uni_cov_block, u, 0, UNI_OWN - 1U) ==
           UC_ERR_OK ? 0 : -1;
}
