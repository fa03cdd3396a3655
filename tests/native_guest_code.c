/* The native target refuses guest_code (it has no CPU) as unsupported, without placing the code or touching anything. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/target.h"
#include "test.h"

/*
 * Each program ends with a read of dom1's payload page (g63 of 64), where a target that runs
 * guest code would place it. After a guest_code op the read must give what it gives on a fresh
 * machine; after a hypercall with the same bytes as its payload it gives those bytes (the read
 * does see the payload page). The guest_code op itself: status unsupported, rc 0, no exits.
 */
#define NGC_READ "guest_read d1 v0 gva(d1,g63,+0) size=8\n"
#define NGC_CODE "payload=hex:1111111111111111c3"

static const struct {
    const char *what, *text;
    bool fresh;           /* the read gives the fresh machine's value, else 0x1111111111111111 */
} ngc_rows[] = {
    { "the read alone", NGC_READ, true },
    { "guest_code first", "guest_code d1 v0 budget=100 " NGC_CODE " fixup@0:4=gfn(d1,g2)\n" NGC_READ,
      true },
    { "guest_code of a vCPU that is down", "guest_code d1 v1 " NGC_CODE "\n" NGC_READ, true },
    { "a hypercall with the same bytes first", "hypercall d1 v0 hc99() " NGC_CODE "\n" NGC_READ,
      false },
};

TEST(native_guest_code)
{
    struct prog *p = malloc(sizeof(*p));
    struct op_result res[4];
    struct finding f;
    struct target t;
    uint64_t fresh = 0;

    CU_ASSERT_FATAL(p != NULL);
    for (size_t i = 0; i < sizeof(ngc_rows) / sizeof(ngc_rows[0]); i++) {
        memset(res, 0, sizeof(res));
        TEST_EQ(PROG_OK, prog_parse_text(p, ngc_rows[i].text, NULL));
        CU_ASSERT_FATAL(target_open(&t, target_find("native"), &p->shape, NULL) == 0);
        bool found = target_run(&t, p, res, &f);
        target_close(&t);
        const struct op_result *read = &res[p->nr_ops - 1];
        if (i == 0)
            fresh = read->value;
        uint64_t want = ngc_rows[i].fresh ? fresh : 0x1111111111111111ULL;
        bool ok = !found && read->status == OPS_RAN && read->value == want;
        if (p->ops[0].kind == OP_GUEST_CODE)
            ok = ok && res[0].status == OPS_UNSUPPORTED && res[0].rc == 0 && res[0].nr_exits == 0;
        fprintf(stderr, "  %-38s expected read 0x%llx%s, actual read 0x%llx (status %u), op 0 "
                "status %u rc %lld%s\n", ngc_rows[i].what, (unsigned long long)want,
                p->ops[0].kind == OP_GUEST_CODE ? ", op 0 unsupported" : "",
                (unsigned long long)read->value, read->status, res[0].status,
                (long long)res[0].rc, found ? ", a finding" : "");
        CU_ASSERT(ok);
    }
    free(p);
}
