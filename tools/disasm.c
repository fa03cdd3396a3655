/* Capstone disassembly of exit instructions for the text form: the only place the hvfuzz tool uses Capstone. */
#include <stdio.h>
#include <capstone/capstone.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/tools.h"

/*
 * Capstone is the decoder the monitor's own is tested against, so a report shows what the bytes
 * are by a reference, not by the code under test. The handle is opened on first use; if it
 * cannot be, exit lines simply have no comment.
 */
static csh tool_cs;
static int tool_cs_state;   /* 0: not opened yet, 1: open, -1: failed */

static bool tool_disasm(const uint8_t *bytes, size_t len, char *out, size_t cap)
{
    cs_insn *insn;

    if (tool_cs_state == 0)
        tool_cs_state = cs_open(CS_ARCH_X86, CS_MODE_64, &tool_cs) == CS_ERR_OK ? 1 : -1;
    if (tool_cs_state < 0)
        return false;
    size_t n = cs_disasm(tool_cs, bytes, len, 0, 1, &insn);
    if (n == 0) {
        snprintf(out, cap, "(no instruction: Capstone cannot decode these bytes)");
        return true;
    }
    snprintf(out, cap, "%s%s%s%s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "", insn[0].op_str,
             insn[0].size < len ? "  (then trailing bytes)" : "");
    cs_free(insn, n);
    return true;
}

void tool_disasm_install(void)
{
    prog_set_disasm(tool_disasm);
}
