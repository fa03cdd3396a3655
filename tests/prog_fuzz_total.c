/* prog_from_fuzz is total: edge inputs give valid, bounded programs that round-trip. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

/*
 * The fuzz engines feed any byte string, starting from nothing. Each edge input must give a valid
 * program (prog_validate), with no more operations than input bytes allow, that encodes and
 * decodes back equal. Inputs live in exact-size heap buffers so ASan catches any overread.
 */
static void prog_ft_check(const char *what, const uint8_t *src, size_t len, uint32_t max_ops)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t *in = malloc(len ? len : 1), *enc = malloc(1 << 18);

    CU_ASSERT_FATAL(p && q && in && enc);
    if (len)
        memcpy(in, src, len);
    prog_from_fuzz(p, in, len);
    enum prog_err v = prog_validate(p);
    size_t n = prog_encode(p, enc, 1 << 18);
    enum prog_err d = prog_decode(q, enc, n);
    bool ok = v == PROG_OK && p->nr_ops <= max_ops && n > 0 && d == PROG_OK && prog_equal(p, q);
    if (!ok)
        fprintf(stderr, "%s (%zu bytes): validate %s, %u ops (max %u), decode %s\n", what, len,
                prog_strerror(v), p->nr_ops, max_ops, prog_strerror(d));
    CU_ASSERT(ok);
    free(p);
    free(q);
    free(in);
    free(enc);
}

TEST(prog_fuzz_total)
{
    static uint8_t big[1 << 20];
    uint8_t one;

    prog_ft_check("empty", NULL, 0, 0);
    for (unsigned b = 0; b < 256; b++) {
        one = (uint8_t)b;
        prog_ft_check("one byte", &one, 1, 0);
    }
    /* Two bytes: the shape and one opcode, whose fields all read as zero. */
    for (unsigned b = 0; b < 256; b++) {
        uint8_t two[2] = { 0x55, (uint8_t)b };
        prog_ft_check("two bytes", two, 2, 1);
    }

    memset(big, 0xff, sizeof(big));
    prog_ft_check("64 x 0xff", big, 64, 64);
    prog_ft_check("1 MiB of 0xff", big, sizeof(big), PROG_MAX_OPS);
    memset(big, 0, sizeof(big));
    prog_ft_check("1 MiB of 0x00", big, sizeof(big), PROG_MAX_OPS);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 2654435761U >> 13);
    prog_ft_check("1 MiB pattern", big, sizeof(big), PROG_MAX_OPS);
    for (unsigned b = 0; b < 256; b++) {
        memset(big, (int)b, 4096);
        prog_ft_check("4 KiB of one byte", big, 4096, PROG_MAX_OPS);
    }
}

/* Mostly meaningful: hypercalls dominate the non-exit ops and their args are mostly resources,
   not raw numbers; exits are a sizeable share but not the majority. */
TEST(prog_fuzz_meaningful)
{
    struct prog *p = malloc(sizeof(*p));
    uint8_t in[512];
    uint64_t s = 88172645463325252ULL;
    unsigned hc = 0, ops = 0, args = 0, imm = 0, fixups = 0, exits = 0;

    CU_ASSERT_FATAL(p != NULL);
    for (unsigned iter = 0; iter < 500; iter++) {
        for (size_t i = 0; i < sizeof(in); i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            in[i] = (uint8_t)s;
        }
        prog_from_fuzz(p, in, sizeof(in));
        for (uint32_t i = 0; i < p->nr_ops; i++, ops++) {
            const struct prog_op *op = &p->ops[i];
            exits += op->kind == OP_EXIT;
            if (op->kind != OP_HYPERCALL)
                continue;
            hc++;
            fixups += op->nr_fixups;
            for (unsigned a = 0; a < op->nr_args; a++, args++)
                imm += op->args[a].kind == ARG_IMM;
        }
    }
    fprintf(stderr, "  %u ops, %u hypercalls, %u exits, %u args (%u immediates), %u fixups\n",
            ops, hc, exits, args, imm, fixups);
    CU_ASSERT(hc * 2 > ops - exits);
    CU_ASSERT(exits * 6 > ops && exits * 2 < ops);
    CU_ASSERT(imm * 2 < args);
    CU_ASSERT(fixups > 0);
    free(p);
}
