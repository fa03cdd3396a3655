/* Payload fixups of every width store the value's low bytes, least significant first. */
#include <stdlib.h>

#include "targets/native/native.h"
#include "test.h"

/*
 * native_place_payload stores widths 8, 4 and 2 in one go and width 1 byte by byte (the only
 * widths a program may name); each row is one fixup over a payload of 0xee bytes, placed by a
 * hypercall the monitor does not have (it leaves the payload as placed), then read back from the
 * payload frame.
 */
struct fixup_width_row {
    const char *text;
    uint8_t want[16];
};

TEST(native_fixup_widths)
{
    static const struct fixup_width_row rows[] = {
        { "fixup@0:8=0x0807060504030201",
          { 1, 2, 3, 4, 5, 6, 7, 8, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
        { "fixup@3:4=0x0807060504030201",
          { 0xee, 0xee, 0xee, 1, 2, 3, 4, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
        { "fixup@1:2=0x0807060504030201",
          { 0xee, 1, 2, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee } },
        { "fixup@15:1=0x0807060504030201 fixup@6:2=0x0807060504030201",
          { 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 1, 2, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 1 } },
    };
    struct prog *p = malloc(sizeof(*p));
    char text[256];
    struct target t;
    struct op_result r = { .out = NULL };
    unsigned line = 0;

    CU_ASSERT_FATAL(p != NULL);
    snprintf(text, sizeof(text), "hypercall d1 v0 hc60(0)\n");
    TEST_EQ(PROG_OK, prog_parse_text(p, text, &line));
    CU_ASSERT_FATAL(target_open(&t, target_find("native"), &p->shape, &target_default_opts) == 0);
    struct hv *hv = ((struct native *)t.priv)->hv;

    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        snprintf(text, sizeof(text), "hypercall d1 v0 hc60(0) payload=hex:%s %s\n",
                 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", rows[i].text);
        enum prog_err e = prog_parse_text(p, text, &line);
        TEST_EQ(PROG_OK, e);
        if (e != PROG_OK)
            continue;
        t.ops->reset(&t);
        target_run_op(&t, &p->ops[0], &r);
        const uint8_t *got = frame_mem(hv, hv->dom[1].p2m[NATIVE_PAYLOAD_GFN(&t.shape)]);
        for (unsigned b = 0; b < 16; b++) {
            if (got[b] != rows[i].want[b])
                fprintf(stderr, "%s:%d: %s: byte %u: expected %#x, actual %#x\n", __FILE__,
                        __LINE__, rows[i].text, b, rows[i].want[b], got[b]);
            CU_ASSERT(got[b] == rows[i].want[b]);
        }
    }
    target_close(&t);
    free(p);
}
