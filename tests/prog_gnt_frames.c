/*
 * Grant and status frame args (gntframe, statusframe, gntpte, statuspte): their text form round
 * trips, a program using one is written as format version 3, a version 1 or 2 header on the same
 * bytes is refused (those versions never had the kinds). Reproducers name these frames instead
 * of hard-coding machine frame numbers (targets/native/tests/gnt_frames.c resolves them).
 */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

static const char gf_text[] =
    "hypercall d1 v0 grant_table_op(8, payload+0, 1) payload=hex:02000000\n"
    "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:0000000000000000000000000000"
    "0000 fixup@0:8=maddr(d1,g3,+800) fixup@8:8=statuspte(d1,0,0x25)\n"
    "hypercall d1 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) payload=hex:0000000000000000 "
    "fixup@0:8=gntframe(d1,0)\n"
    "hypercall d2 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) payload=hex:0000000000000000 "
    "fixup@0:8=statusframe(d2,1)\n"
    "guest_read d1 v0 gva(d1,g1,+0) size=8\n"
    "hypercall d0 v0 update_va_mapping(0x40064000, gntpte(d2,3,0x8000000000000025), 2)\n";

static void gf_put(uint8_t *d, size_t off, unsigned bytes, uint32_t v)
{
    for (unsigned i = 0; i < bytes; i++)
        d[off + i] = (uint8_t)(v >> (8 * i));
}

TEST(prog_gnt_frames)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t *enc = malloc(1 << 16);
    char *txt = malloc(1 << 16);
    unsigned line = 0;

    CU_ASSERT_FATAL(p && q && enc && txt);
    TEST_EQ(PROG_OK, prog_parse_text(p, gf_text, &line));
    TEST_EQ(0, line);
    TEST_EQ(ARG_STATUSPTE, p->ops[1].fixups[1].arg.kind);
    TEST_EQ(0x25, p->ops[1].fixups[1].arg.imm);
    TEST_EQ(ARG_GNTFRAME, p->ops[2].fixups[0].arg.kind);
    TEST_EQ(ARG_STATUSFRAME, p->ops[3].fixups[0].arg.kind);
    TEST_EQ(1, p->ops[3].fixups[0].arg.a);
    TEST_EQ(ARG_GNTPTE, p->ops[5].args[1].kind);
    TEST_EQ(3, prog_format_version(p));

    /* text and binary round trips */
    prog_format_text(p, txt, 1 << 16);
    TEST_EQ(PROG_OK, prog_parse_text(q, txt, &line));
    CU_ASSERT(prog_equal(p, q));
    size_t n = prog_encode(p, enc, 1 << 16);
    CU_ASSERT_FATAL(n > 24);
    TEST_EQ(3, enc[4]);
    TEST_EQ(PROG_OK, prog_decode(q, enc, n));
    CU_ASSERT(prog_equal(p, q));

    /* the same bytes under an older version are corrupt, not misread */
    for (unsigned v = 1; v <= 2; v++) {
        gf_put(enc, 4, 2, v);
        prog_reseal(enc, n);
        enum prog_err e = prog_decode(q, enc, n);
        if (e != PROG_E_CORRUPT)
            fprintf(stderr, "version %u header: expected %s, actual %s\n", v,
                    prog_strerror(PROG_E_CORRUPT), prog_strerror(e));
        TEST_EQ(PROG_E_CORRUPT, e);
    }

    /* a PTE's flags may not carry a frame; the frame comes from the monitor */
    TEST_EQ(PROG_E_SYNTAX, prog_parse_text(q, "hypercall d0 v0 hc5(gntpte(d0,0,0x1000))\n", &line));
    TEST_EQ(PROG_E_SYNTAX, prog_parse_text(q, "hypercall d0 v0 hc5(statusframe(d3,0))\n", &line));

    free(p);
    free(q);
    free(enc);
    free(txt);
}
