/* Bad expectations in the text form are refused with the token and the reason, never half-parsed. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "test.h"

static const struct {
    const char *after;     /* what follows "hypercall d1 v0 xen_version(0, 0) payload=<16 bytes> => " */
    const char *reason;    /* a word of the reason the error must give ("" = it parses) */
} ete_rows[] = {
    { "rc=0", "" },
    { "rc=-EINVAL, status=restart", "" },
    { "rc=-22", "" },
    { "rc=0x40011, value=0x1, fault=pf, pfec=0x2", "" },
    { "out@12:2=-1, out@0:8=0xffffffffffffffff", "" },
    { "out@16:2=0", "outside the op's payload" },
    { "exits=io+cpuid", "" },
    { "exits=none, fault=none", "" },
    { "", "nothing after" },
    { "rc=", "rc is not" },
    { "rc=-EBOGUS", "rc is not" },
    { "rc=12abc", "rc is not" },
    { "status=sleeping", "status must be" },
    { "fault=xx", "fault must be" },
    { "pfec=0x100000000", "pfec is not" },
    { "out@12=1", "expected out@" },
    { "out@12:3=1", "width must be" },
    { "out@510:4=1", "outside the op's payload" },
    { "out@0:1=256", "does not fit" },
    { "out@0:1=-129", "does not fit" },
    { "exits=io+bogus", "unknown exit reason" },
    { "colour=red", "unknown expectation" },
    { "rc=0,,status=ran", "empty expectation" },
    { "rc", "expected KEY=VALUE" },
};

TEST(expect_text_errors)
{
    struct prog *p = malloc(sizeof(*p));
    char text[512];

    CU_ASSERT_FATAL(p != NULL);
    for (size_t i = 0; i < sizeof(ete_rows) / sizeof(ete_rows[0]); i++) {
        struct prog_text_error terr;
        snprintf(text, sizeof(text), "shape frames=256 domains=3 vcpus=2 pages=64\n"
                 "hypercall d1 v0 xen_version(0, 0) payload=hex:00000000000000000000000000000000 => %s\n", ete_rows[i].after);
        enum prog_err e = prog_parse_text_err(p, text, &terr);
        const char *detail = terr.reason;
        bool want_ok = !ete_rows[i].reason[0];
        bool ok = want_ok ? e == PROG_OK && p->nr_ops == 1 && p->ops[0].expect.have :
                            e == PROG_E_SYNTAX && terr.line == 2 && p->nr_ops == 0 &&
                            strstr(detail, ete_rows[i].reason) != NULL;
        fprintf(stderr, "  %-44s expected %-20s actual %s%s%s\n", ete_rows[i].after,
                want_ok ? "ok" : ete_rows[i].reason, prog_strerror(e), *detail ? ": " : "",
                detail);
        CU_ASSERT(ok);
    }
    free(p);
}
