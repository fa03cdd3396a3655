/* The agent's output: framed, checksummed lines through console_io (targets/xen/proto.h). */
#include "targets/xen/agent/agent.h"
#include "targets/xen/proto.h"

#define CONSOLEIO_WRITE 0

static char out_line[1280];
static size_t out_n;

static void out_char(char c)
{
    if (out_n < sizeof(out_line) - 16)
        out_line[out_n++] = c;
}

void out_str(const char *s)
{
    while (*s)
        out_char(*s++);
}

void out_begin(const char *tag)
{
    out_n = 0;
    out_str(tag);
}

void out_hex(uint64_t v)
{
    char d[16];
    int n = 0;

    out_char(' ');
    do {
        d[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        out_char(d[--n]);
}

void out_bytes(const uint8_t *p, size_t n)
{
    out_char(' ');
    for (size_t i = 0; i < n; i++) {
        out_char("0123456789abcdef"[p[i] >> 4]);
        out_char("0123456789abcdef"[p[i] & 15]);
    }
}

/* The checksum covers the text before " ~", so the host checks exactly what it parses. */
void out_end(void)
{
    uint32_t h = xp_fnv(out_line, out_n);

    out_str(" ~");
    for (int s = 28; s >= 0; s -= 4)
        out_char("0123456789abcdef"[(h >> s) & 15]);
    out_char('\n');
    /* a domU has no console (4.17's dummy XSM policy): its last words go to its box instead */
    if (agent_dom) {
        out_line[out_n - 1] = 0;
        domu_die(out_line);
    }
    hc(HYPERVISOR_console_io, CONSOLEIO_WRITE, out_n, (uint64_t)out_line, 0, 0);
}

/* SHUTDOWN_reboot: QEMU runs with -no-reboot, so this ends the machine (poweroff would hang). */
void agent_shutdown(void)
{
    uint32_t reason = SHUTDOWN_reboot;

    for (;;)
        hc(HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)&reason, 0, 0, 0);
}

void agent_die(const char *why)
{
    out_begin("HVX");
    out_char(' ');
    out_str(why);
    out_end();
    agent_shutdown();
}

void agent_trap_fatal(uint64_t vec, uint64_t rip, uint64_t err);
void agent_trap_fatal(uint64_t vec, uint64_t rip, uint64_t err)
{
    out_begin("HVX trap");
    out_hex(vec);
    out_hex(rip);
    out_hex(err);
    out_end();
    agent_shutdown();
}
