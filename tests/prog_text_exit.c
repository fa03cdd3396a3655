/* Text form of exits: the documented line parses as meant, prints back, and bad exit lines are syntax errors. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/prog.h"
#include "test.h"

/*
 * docs/EXITS.md's example line, a register given as a resource, an unknown reason number and a
 * payload with a fixup; then rows of lines that must not parse (each names what is wrong).
 */
static const char exit_example[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "exit d1 v0 mmio qual=0xfeb00010 gla=0x0 rax=0x5 rip=0x1000 insn=8b00  # mov eax, dword ptr [rax]\n"
    "exit d2 v1 io qual=0x10003f8 gla=0 rsi=gva(d2,g63,+8) rflags=0x202 insn=6e\n"
    "exit d0 v0 reason77 qual=0 gla=0\n"
    "exit d1 v0 mmio qual=0xfeb00018 gla=0 rax=1 insn=8903 payload=hex:00000000000000000000000000000000"
    " fixup@8:8=gpa(g10,+64)\n";

TEST(prog_text_exit_example)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    unsigned line = 99;

    CU_ASSERT_FATAL(p && q);
    TEST_EQ(PROG_OK, prog_parse_text(p, exit_example, &line));
    TEST_EQ(4, p->nr_ops);
    TEST_EQ(OP_EXIT, p->ops[0].kind);
    TEST_EQ(EXIT_MMIO, p->ops[0].exit_reason);
    TEST_EQ(0xfeb00010ULL, p->ops[0].qual.imm);
    TEST_EQ(5, p->ops[0].regs[X86_RAX].imm);
    TEST_EQ(0x1000, p->ops[0].regs[PROG_EXIT_RIP].imm);
    TEST_EQ(2, p->ops[0].insn_len);
    TEST_EQ(0x8b, p->ops[0].insn[0]);
    TEST_EQ(ARG_GVA, p->ops[1].regs[X86_RSI].kind);
    TEST_EQ(63, p->ops[1].regs[X86_RSI].a);
    TEST_EQ(0x202, p->ops[1].regs[PROG_EXIT_RFLAGS].imm);
    TEST_EQ(77, p->ops[2].exit_reason);
    TEST_EQ(0, p->ops[2].insn_len);
    TEST_EQ(16, p->ops[3].payload_len);
    TEST_EQ(ARG_GPA, p->ops[3].fixups[0].arg.kind);
    TEST_EQ(64, p->ops[3].fixups[0].arg.b);
    TEST_EQ(2, prog_format_version(p));

    /* printed: unset registers are left out, and it reads back equal */
    size_t n = prog_format_text(p, NULL, 0);
    char *txt = malloc(n + 1);
    CU_ASSERT_FATAL(txt != NULL);
    prog_format_text(p, txt, n + 1);
    CU_ASSERT(strstr(txt, "exit d1 v0 mmio qual=0xfeb00010 gla=0 rax=5 rip=0x1000 insn=8b00") != NULL);
    CU_ASSERT(strstr(txt, " rcx=") == NULL);
    TEST_EQ(PROG_OK, prog_parse_text(q, txt, &line));
    CU_ASSERT(prog_equal(p, q));
    free(txt);
    free(p);
    free(q);
}

static const struct {
    const char *what;
    const char *line;
    enum prog_err err;
} exit_bad[] = {
    { "no reason", "exit d1 v0\n", PROG_E_SYNTAX },
    { "unknown reason name", "exit d1 v0 vmcall qual=0\n", PROG_E_SYNTAX },
    { "reason number over 255", "exit d1 v0 reason256\n", PROG_E_SYNTAX },
    { "unknown register", "exit d1 v0 cpuid rzz=1\n", PROG_E_SYNTAX },
    { "register twice", "exit d1 v0 cpuid rax=1 rax=2\n", PROG_E_SYNTAX },
    { "qual twice", "exit d1 v0 cpuid qual=1 qual=2\n", PROG_E_SYNTAX },
    { "insn of 16 bytes", "exit d1 v0 mmio insn=66666666666666666666666666666666\n",
      PROG_E_TOO_BIG },
    { "insn twice", "exit d1 v0 mmio insn=90 insn=90\n", PROG_E_SYNTAX },
    { "odd hex digit glued on", "exit d1 v0 mmio insn=8b0\n", PROG_E_SYNTAX },
    { "dom out of shape", "exit d5 v0 hlt\n", PROG_E_SYNTAX },
    { "gpa with a domain", "exit d1 v0 mmio rax=gpa(d1,g3,+0)\n", PROG_E_SYNTAX },
    { "fixup past payload", "exit d1 v0 mmio payload=hex:00 fixup@0:8=gpa(g1,+0)\n",
      PROG_E_SYNTAX },
};

TEST(prog_text_exit_errors)
{
    struct prog *p = malloc(sizeof(*p));

    CU_ASSERT_FATAL(p != NULL);
    for (size_t i = 0; i < sizeof(exit_bad) / sizeof(exit_bad[0]); i++) {
        unsigned line = 0;
        enum prog_err e = prog_parse_text(p, exit_bad[i].line, &line);
        if (e != exit_bad[i].err)
            fprintf(stderr, "  %-28s expected %s, actual %s\n", exit_bad[i].what,
                    prog_strerror(exit_bad[i].err), prog_strerror(e));
        TEST_EQ(exit_bad[i].err, e);
        TEST_EQ(1, line);
    }
    free(p);
}
