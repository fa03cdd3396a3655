/* Text round trip: format + parse gives the same program; hand-written text parses as meant. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/xen.h"
#include "test.h"

/*
 * The text form is for reports and hand-written regressions: everything the fuzz decoder makes
 * must print and read back equal, and the documented example must mean what it says.
 */
static uint64_t prog_rt_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const char example[] =
    "# hvfuzz program v1\n"
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:"
    "00112233445566778899aabbccddeeff fixup@0:8=maddr(d1,g3,+16) fixup@8:8=pte(d1,g40,0x67)\n"
    "guest_write d1 v0 gva(d1,g40,+8) size=8   # a trailing comment\r\n"
    "\n"
    "guest_read d2 v1 gva(d1,g40,+8) size=8\n"
    "preempt 0x5\n"
    "switch_vcpu d1 v1\n"
    "hypercall d0 v1 hc63(0xffff800000000000, mfn(d2,g7), gfn(d0,g1), gref(d1,4), port(d2,3), "
    "handle(d0,9))\n"
    "hypercall d0 v0 vcpu_op(1, vcpuid(1), domid(d2))\n";

TEST(prog_text_example)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    unsigned line = 99;

    CU_ASSERT_FATAL(p && q);
    TEST_EQ(PROG_OK, prog_parse_text(p, example, &line));
    TEST_EQ(0, line);
    TEST_EQ(7, p->nr_ops);
    TEST_EQ(3, p->shape.nr_domains);
    TEST_EQ(OP_HYPERCALL, p->ops[0].kind);
    TEST_EQ(HYPERVISOR_mmu_update, p->ops[0].nr);
    TEST_EQ(4, p->ops[0].nr_args);
    TEST_EQ(ARG_PAYLOAD, p->ops[0].args[0].kind);
    TEST_EQ(1, p->ops[0].args[1].imm);
    TEST_EQ(ARG_DOMID, p->ops[0].args[3].kind);
    TEST_EQ(1, p->ops[0].args[3].a);
    TEST_EQ(16, p->ops[0].payload_len);
    TEST_EQ(0xff, p->ops[0].payload[15]);
    TEST_EQ(2, p->ops[0].nr_fixups);
    TEST_EQ(ARG_PTE, p->ops[0].fixups[1].arg.kind);
    TEST_EQ(0x67, p->ops[0].fixups[1].arg.imm);
    TEST_EQ(40, p->ops[0].fixups[1].arg.a);
    TEST_EQ(OP_GUEST_WRITE, p->ops[1].kind);
    TEST_EQ(8, p->ops[1].args[0].b);
    TEST_EQ(2, p->ops[2].dom);
    TEST_EQ(5, p->ops[3].imm);
    TEST_EQ(OP_SWITCH_VCPU, p->ops[4].kind);
    TEST_EQ(63, p->ops[5].nr);
    TEST_EQ(0xffff800000000000ULL, p->ops[5].args[0].imm);
    TEST_EQ(ARG_HANDLE, p->ops[5].args[5].kind);
    TEST_EQ(ARG_VCPUID, p->ops[6].args[1].kind);

    /* And the canonical text of the example reads back equal. */
    size_t n = prog_format_text(p, NULL, 0);
    char *txt = malloc(n + 1);
    CU_ASSERT_FATAL(txt != NULL);
    TEST_EQ(n, prog_format_text(p, txt, n + 1));
    TEST_EQ(PROG_OK, prog_parse_text(q, txt, &line));
    CU_ASSERT(prog_equal(p, q));
    free(txt);
    free(p);
    free(q);
}

TEST(prog_roundtrip_text)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    uint8_t *in = malloc(8192);
    size_t cap = 1 << 20;
    char *txt = malloc(cap);
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    unsigned failures = 0;

    CU_ASSERT_FATAL(p && q && in && txt);
    for (unsigned iter = 0; iter < 1500 && failures < 5; iter++) {
        size_t len = prog_rt_rand(&seed) % (iter < 800 ? 256 : 8192);
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)prog_rt_rand(&seed);
        prog_from_fuzz(p, in, len);

        unsigned line = 0;
        size_t n = prog_format_text(p, txt, cap);
        enum prog_err e = n < cap ? prog_parse_text(q, txt, &line) : PROG_E_TOO_BIG;
        bool ok = e == PROG_OK && prog_equal(p, q);
        if (!ok) {
            failures++;
            fprintf(stderr, "iter %u: %zu text bytes, parse %s at line %u, equal %d\n", iter, n,
                    prog_strerror(e), line, prog_equal(p, q));
        }
        CU_ASSERT(ok);
        /* A short buffer still gets the full length back and a terminated prefix. */
        char small[16];
        TEST_EQ(n, prog_format_text(p, small, sizeof(small)));
        TEST_EQ(sizeof(small) - 1, strlen(small));
    }
    free(p);
    free(q);
    free(in);
    free(txt);
}
