/* x86 decoder names: registers by width (REX-only and legacy high bytes), mnemonics, out of range. */
#include <string.h>
#include "hvfuzz/x86.h"
#include "test.h"

/* Exit handlers and the show command print operands with these; a wrong width name misleads. */
TEST(x86_decode_names)
{
    static const struct { enum x86_reg r; unsigned size; const char *name; } regs[] = {
        { X86_RAX, 1, "al" }, { X86_RSP, 1, "spl" }, { X86_RDI, 1, "dil" }, { X86_AH, 1, "ah" },
        { X86_BH, 1, "bh" }, { X86_R8, 1, "r8b" }, { X86_R12, 2, "r12w" }, { X86_R13, 4, "r13d" },
        { X86_RBP, 4, "ebp" }, { X86_R15, 8, "r15" }, { X86_RIP, 8, "rip" }, { X86_RIP, 4, "eip" },
        { X86_AH, 8, "?" }, { X86_RAX, 3, "?" }, { X86_RAX, 16, "?" }, { X86_NOREG, 8, "?" },
    };
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        CU_ASSERT_STRING_EQUAL(x86_reg_name(regs[i].r, regs[i].size), regs[i].name);
    CU_ASSERT_STRING_EQUAL(x86_mnemonic_name(X86_MOVSXD), "movsxd");
    CU_ASSERT_STRING_EQUAL(x86_mnemonic_name(X86_BTC), "btc");
    CU_ASSERT_STRING_EQUAL(x86_mnemonic_name(X86_NR_MNEMONICS), "(invalid)");
    for (unsigned m = X86_MOV; m < X86_NR_MNEMONICS; m++)
        CU_ASSERT(strcmp(x86_mnemonic_name((enum x86_mnemonic)m), "(invalid)") != 0);
}
