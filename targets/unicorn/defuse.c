/* Instruction bytes Unicorn 2.0.1 aborts the process on while translating, rewritten into valid ones of the same length. */
#include "targets/unicorn/uni.h"

/*
 * Unicorn 2.0.1 (Debian 12's) aborts the whole process, "tcg fatal error", while it translates
 * some invalid instructions (unicorn issues #1716 and #1869; a run of every opcode with every
 * ModRM byte behind each prefix, with and without LOCK, each in a forked engine, found the rest):
 * FF /3 and FF /5 with a register operand (far call and far jump through a register), and LOCK,
 * behind any prefixes, before CMP r/m,r (38, 39), CMP r/m,imm (80, 81, 83 /7), CMPS (A6, A7) or
 * BT, BTS, BTR, BTC (0F A3, AB, B3, BB, BA). No hook runs before a translation, so the bytes are
 * rewritten before the guest gets them: FF /2 and FF /4 (near call and jump through the
 * register), and CS, a no-op prefix in 64-bit mode, for the LOCK. Bytes that end in FF, or in a
 * LOCK and prefixes, could complete a sequence with whatever follows them in guest memory, so
 * their end is rewritten too (the FF becomes a NOP). targets/unicorn/tests/defuse_aborts.c
 * checks the list against the library.
 */
static bool uni_defuse_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 ||
           b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || (b & 0xF0) == 0x40;
}

/* The opcode after a LOCK and its prefixes; past the end it could be anything. */
static bool uni_defuse_lock(const uint8_t *op, size_t n)
{
    if (n == 0 || op[0] == 0x38 || op[0] == 0x39 || op[0] == 0xA6 || op[0] == 0xA7)
        return true;
    if (op[0] == 0x80 || op[0] == 0x81 || op[0] == 0x83)
        return n == 1 || ((op[1] >> 3) & 7U) == 7U;
    if (op[0] != 0x0F)
        return false;
    return n == 1 || op[1] == 0xA3 || op[1] == 0xAB || op[1] == 0xB3 || op[1] == 0xBB ||
           op[1] == 0xBA;
}

/* One pass; true if it changed a byte. A rewritten byte can also be the ModRM or the opcode of an
   instruction that starts before it, so passes repeat until one changes nothing (each change
   removes a LOCK or a far form: there are few passes). */
static bool uni_defuse_pass(uint8_t *b, size_t n)
{
    bool changed = false;

    for (size_t i = 0; i < n; i++) {
        if (b[i] == 0xFF) {
            unsigned reg = i + 1 < n ? (b[i + 1] >> 3) & 7U : 0;
            if (i + 1 == n) {
                b[i] = 0x90;
                changed = true;
            } else if (b[i + 1] >= 0xC0 && (reg == 3 || reg == 5)) {
                b[i + 1] = (uint8_t)(b[i + 1] - 0x08);
                changed = true;
            }
        } else if (b[i] == 0xF0) {
            size_t j = i + 1;
            while (j < n && uni_defuse_prefix(b[j]))
                j++;
            if (uni_defuse_lock(b + j, n - j)) {
                b[i] = 0x2E;
                changed = true;
            }
        }
    }
    return changed;
}

void uni_defuse(uint8_t *b, size_t n)
{
    while (uni_defuse_pass(b, n))
        ;
}

