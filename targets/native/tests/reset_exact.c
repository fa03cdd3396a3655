/*
 * The native target's reset is exact: after random programs, reset gives the machine a fresh
 * build gives, byte for byte (frame table, every frame's memory, m2p, domains, the rest of struct
 * hv). Reset copies only what it believes can have changed, so a write site that does not mark
 * its frame dirty, or a domain part past the high-water marks, shows up here. Before each reset,
 * every byte that differs from the snapshot must also lie in a chunk hv->dchunk marks (a ranged
 * write site marking less than it writes), and some frames must be only partly marked, so the
 * partial copy is what the comparison checks.
 */
#include "hvfuzz/gen.h"
#include "targets/native/native.h"
#include "targets/native/tests/reset_util.h"
#include "test.h"

/* Frames whose bytes differ from the snapshot outside the chunks marked; *partial counts the
   frames marked with only some chunks. */
static unsigned exact_chunk_misses(const struct native *n, unsigned *partial)
{
    unsigned miss = 0;

    for (size_t m = 0; m < n->hv->nr_frames; m++) {
        const uint8_t *a = n->hv->mem + m * PAGE_SIZE, *b = n->snap.mem + m * PAGE_SIZE;
        bool dirty = (n->dirty[m / 64U] >> (m % 64U)) & 1U;
        uint16_t mask = dirty ? n->dchunk[m] : 0;
        if (dirty && (mask == 0 || mask == FRAME_CHUNKS_ALL))
            continue;
        *partial += mask != 0;
        for (unsigned c = 0; c < PAGE_SIZE / FRAME_CHUNK; c++) {
            size_t off = (size_t)c * FRAME_CHUNK;
            if (!((mask >> c) & 1U) && memcmp(a + off, b + off, FRAME_CHUNK)) {
                fprintf(stderr, "reset: mfn 0x%zx chunk %u written but not marked (mask 0x%04x)\n",
                        m, c, mask);
                miss++;
                break;
            }
        }
    }
    return miss;
}

TEST(native_reset_exact)
{
    static struct prog p;
    static struct op_result res[PROG_MAX_OPS];
    struct target run, fresh;
    struct gen g;
    uint8_t bytes[512];
    unsigned ok_calls = 0, bad = 0, partial = 0;

    CU_ASSERT_FATAL(target_open(&run, &native_target_ops, &prog_default_shape, NULL) == 0);
    CU_ASSERT_FATAL(target_open(&fresh, &native_target_ops, &prog_default_shape, NULL) == 0);
    gen_init(&g, &gen_default_cfg, 0x5eed);
    /* the structured generator for meaningful programs, fuzz bytes for odd ones */
    for (unsigned k = 0; k < 3000 && !bad; k++) {
        if (k % 4 == 3) {
            for (size_t i = 0; i < sizeof(bytes); i++)
                bytes[i] = (uint8_t)gen_rand(&g);
            prog_from_fuzz(&p, bytes, sizeof(bytes));
            p.shape = prog_default_shape;
        } else {
            gen_program(&g, &p);
        }
        struct finding f;
        target_run(&run, &p, res, &f);
        for (uint32_t i = 0; i < p.nr_ops; i++)
            ok_calls += p.ops[i].kind == OP_HYPERCALL && res[i].status == OPS_RAN && res[i].rc == 0;
        struct native *a = run.priv, *b = fresh.priv;
        bad = exact_chunk_misses(a, &partial);
        TEST_EQ(0, bad);
        CU_ASSERT(run.ops->reset(&run) == 0);
        bad += reset_diffs(a->hv, b->hv);
        if (bad)
            fprintf(stderr, "reset: inexact after program %u\n", k);
        TEST_EQ(0, bad);
    }
    /* the programs must have done something for the comparison to mean anything */
    fprintf(stderr, "native_reset_exact: %u successful hypercalls, %u partly marked frames\n",
            ok_calls, partial);
    CU_ASSERT(ok_calls > 100);
    CU_ASSERT(partial > 100);
    target_close(&run);
    target_close(&fresh);
}
