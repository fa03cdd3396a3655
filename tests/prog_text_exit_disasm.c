/*
 * An exit's expectations survive the text form when a disassembler is installed (hvfuzz does):
 * the `# insn` comment must come after `=> ...`, or a parser drops the expectations as comment.
 * The recorded conformance corpus lost every exit's results this way.
 */
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"
#include "test.h"

static bool ptd_disasm(const uint8_t *bytes, size_t len, char *out, size_t cap)
{
    (void)bytes;
    (void)len;
    snprintf(out, cap, "cpuid");
    return true;
}

TEST(prog_text_exit_disasm)
{
    static struct prog p, q;
    static char text[8192];
    unsigned line = 0;

    prog_init(&p, NULL);
    p.nr_ops = 1;
    struct prog_op *op = &p.ops[0];
    op->kind = OP_EXIT;
    op->dom = 1;
    op->exit_reason = EXIT_CPUID;
    op->insn_len = 2;
    op->insn[0] = 0x0F;
    op->insn[1] = 0xA2;
    op->expect.have = PE_STATUS | PE_RC | PE_VALUE | PE_FAULT | PE_PFEC;
    op->expect.status = OPS_RAN;
    op->expect.rc = EXIT_INJECT_GP;
    op->expect.value = 0x1234;
    op->expect.fault = 13;
    op->expect.pfec = 0;

    prog_set_disasm(ptd_disasm);
    prog_format_text(&p, text, sizeof(text));
    prog_set_disasm(NULL);
    const char *arrow = strstr(text, "=>"), *hash = strstr(text, "# cpuid");
    TEST_EQ(1, arrow != NULL && hash != NULL && arrow < hash);
    TEST_EQ(PROG_OK, prog_parse_text(&q, text, &line));
    TEST_EQ(p.ops[0].expect.have, q.ops[0].expect.have);
    TEST_EQ(1, prog_expect_equal(&p.ops[0].expect, &q.ops[0].expect));
    if (!arrow || !hash || arrow > hash)
        fprintf(stderr, "prog_text_exit_disasm: %s", text);
}
