/*
 * The xen target's line parser: the agent's framed lines are read back field by field, a line
 * with a damaged checksum is not taken for one, and each of Xen's crash texts (targets.md) is
 * recognised, with the reason its finding's signature carries.
 */
#include <stdio.h>
#include <string.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"
#include "test.h"

/* text plus " ~" and its checksum, as the agent frames it */
static void xen_test_frame(char *buf, size_t cap, const char *text)
{
    snprintf(buf, cap, "%s ~%08x", text, (unsigned)xp_fnv(text, strlen(text)));
}

TEST(xen_parse_lines)
{
    char line[256];
    struct xen_line l;

    xen_test_frame(line, sizeof(line), "HVR 3 1 0 ff 0 ffffffffffffffea 0");
    TEST_EQ(XL_RESULT, xen_parse_line(line, &l));
    TEST_EQ(3, l.f[0]);
    TEST_EQ(1, l.f[1]);
    TEST_EQ(0xFF, l.f[3]);
    TEST_EQ(-22, (int64_t)l.f[5]);

    /* Xen's own output may precede the agent's line on the same line */
    char both[300];
    xen_test_frame(line, sizeof(line), "HVE 3 2 1 grant_table_op");
    snprintf(both, sizeof(both), "(XEN) something%s", line);
    TEST_EQ(XL_END, xen_parse_line(both, &l));
    TEST_EQ(1, l.f[2]);
    CU_ASSERT_STRING_EQUAL(l.text, "grant_table_op");

    xen_test_frame(line, sizeof(line), "HVO 0 4 00ff10");
    TEST_EQ(XL_OUT, xen_parse_line(line, &l));
    TEST_EQ(3, l.nbytes);
    TEST_EQ(0x10, l.bytes[2]);

    xen_test_frame(line, sizeof(line), "HVREADY 1");
    TEST_EQ(XL_READY, xen_parse_line(line, &l));

    /* one character changed on the line: not the agent's any more */
    xen_test_frame(line, sizeof(line), "HVR 3 1 0 ff 0 0 0");
    line[5] = '4';
    TEST_EQ(XL_OTHER, xen_parse_line(line, &l));
    TEST_EQ(XL_OTHER, xen_parse_line("(XEN) Freed 656kB init memory", &l));
}

TEST(xen_parse_crash_texts)
{
    static const struct { const char *line, *reason; } cases[] = {
        { "(XEN) Panic on CPU 0:", "panic" },
        { "(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.", "dom0-crashed" },
        { "(XEN) FATAL TRAP: vector = 6 (invalid opcode)", "fatal-trap" },
        { "(XEN) FATAL PAGE FAULT", "fatal-page-fault" },
    };
    struct xen_line l;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int k = xen_parse_line(cases[i].line, &l);
        if (k != XL_CRASH || strcmp(l.text, cases[i].reason))
            fprintf(stderr, "%s:%d: '%s': expected crash '%s', actual kind %d '%s'\n", __FILE__,
                    __LINE__, cases[i].line, cases[i].reason, k, l.text);
        CU_ASSERT(k == XL_CRASH && !strcmp(l.text, cases[i].reason));
    }
    /* the same words written by a program through console_io are not Xen's */
    TEST_EQ(XL_OTHER, xen_parse_line("Panic on CPU 0:", &l));
}
