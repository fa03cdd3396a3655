/* The xen target's wire protocol between the host (targets/xen) and the dom0 agent (agent/). */
#ifndef HVFUZZ_XEN_PROTO_H
#define HVFUZZ_XEN_PROTO_H

#include <stdint.h>

/*
 * The multiboot module the agent boots with (little-endian): u32 magic, u32 flags, u32 count,
 * then count programs of {u32 flags, u32 len, len bytes of canonical binary}. With
 * XP_BOOT_SERVE the agent then reads more programs from the console (below); without, it
 * shuts down after the module's programs.
 *
 * Console input (host -> agent, CONSOLEIO_read): printable symbols only (Xen's serial input
 * takes Ctrl-A as its focus switch and its dom0 ring holds 128 bytes, so no binary and no more
 * than XP_CHUNK symbols in flight). A record is 8 hex digits of byte length n, then n bytes of
 * {u32 flags, canonical binary}, each byte two hex digits, except that a letter
 * XP_ZERO_RUN + k stands for k + 1 zero bytes (programs are mostly zeros, and input is the
 * slow direction: ~12 symbols/ms). n == 0 asks the agent to shut down. Other characters are
 * ignored. The agent acknowledges every XP_CHUNK symbols, and the end of a record, with
 * "HVN <total symbols read>".
 *
 * Console output (agent -> host, CONSOLEIO_write, one line each, hex numbers): every line
 * starts with "HV" and ends with " ~" and the FNV-1a 32 of the text before it, so lines that
 * Xen's own output interleaves or the serial line damages are recognised and dropped.
 *   HVREADY <abi>                      booted, baseline recorded, waiting for input
 *   HVN <digits>                       input acknowledged
 *   HVR <prog> <op> <status> <fault> <pfec> <rc> <value>    one op's result
 *   HVO <prog> <op> <hex bytes>        the op's payload after it ran (XP_PROG_OUT)
 *   HVE <prog> <ops> <state> <why>     the program ended; state: enum xp_state
 *   HVX <text>                         the agent cannot go on (the host reboots it)
 */
#define XP_MAGIC        0x42585648U     /* "HVXB" */
#define XP_ABI          1U              /* bumped when the protocol changes */
#define XP_BOOT_SERVE   1U
#define XP_PROG_OUT     1U              /* report each op's payload afterwards (HVO) */
#define XP_CHUNK        112U            /* of the 128 bytes Xen keeps for dom0 */
#define XP_MAX_PROG     65536U          /* bytes of one record */
#define XP_ZERO_RUN     'g'             /* 'g'..'z': a run of 1..20 zero bytes */
#define XP_ZERO_RUN_MAX 20U

/* Domains the agent runs ops of: dom0 and the domUs it builds at boot, 1..XP_DOMS-1 (domid =
   the program's domain index). An op of a domain past them is unsupported. */
#define XP_DOMS         3U

/* What the agent says of its state after a program. */
enum xp_state {
    XP_CLEAN = 0,       /* baseline restored and verified: the next program may run */
    XP_DIRTY = 1,       /* the program did what the agent does not undo: reboot first */
};

static inline uint32_t xp_fnv(const char *s, unsigned long n)
{
    uint32_t h = 2166136261U;

    for (unsigned long i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619U;
    }
    return h;
}

#endif
