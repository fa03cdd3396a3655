/* The agent's hypercall call, the few libc functions the compiler and ir/ expect, safe bytes. */
#include "targets/xen/agent/agent.h"

extern uint8_t hypercall_page[4096];

/*
 * 64-bit PV: the stub at page + nr * 32 takes rdi, rsi, rdx, r10, r8 and keeps rcx and r11.
 * Xen may change the argument registers (debug builds scramble them), so all are outputs.
 */
long hc(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    register uint64_t r10 __asm__("r10") = a4;
    register uint64_t r8 __asm__("r8") = a5;
    long ret;

    /* the page holds 128 stubs; a number past Xen's table (a program may ask for any) is made
       as the stubs make it, syscall with the number in rax, and gets -ENOSYS */
    if (nr >= NR_HYPERCALLS) {
        __asm__ volatile("syscall"
                         : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                         : "a"((uint64_t)nr)
                         : "memory", "r9", "rcx", "r11", "cc");
        return ret;
    }
    __asm__ volatile("call *%[fn]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : [fn] "r"(hypercall_page + nr * 32U)
                     : "memory", "r9", "cc");
    return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dd = d;
    const uint8_t *ss = s;

    while (n--)
        *dd++ = *ss++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *dd = d;
    const uint8_t *ss = s;

    if (dd < ss)
        return memcpy(d, s, n);
    while (n--)
        dd[n] = ss[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dd = d;

    while (n--)
        *dd++ = (uint8_t)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

volatile uint64_t agent_fault_vec = 0xFF, agent_fault_code;

bool agent_peek(uint64_t va, uint8_t *b)
{
    agent_fault_vec = 0xFF;
    uint64_t v = agent_read8(va);
    if (agent_fault_vec != 0xFF)
        return false;
    *b = (uint8_t)v;
    return true;
}

bool agent_poke(uint64_t va, uint8_t b)
{
    agent_fault_vec = 0xFF;
    agent_write8(va, b);
    return agent_fault_vec == 0xFF;
}

/* libgcc's, which -nostdlib leaves out: __builtin_popcount on a target without popcnt. */
int __popcountdi2(uint64_t v);
int __popcountdi2(uint64_t v)
{
    int n = 0;

    for (; v; v &= v - 1)
        n++;
    return n;
}
