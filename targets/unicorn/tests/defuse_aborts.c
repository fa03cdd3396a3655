/*
 * uni_defuse (targets/unicorn/defuse.c) leaves nothing Unicorn 2.0.1 aborts on: each listed form
 * and 500 random strings over an alphabet of LOCK, FF, the listed opcodes, prefixes and
 * ModRM bytes, rewritten, run in an engine forked per string without killing it. The listed forms
 * unrewritten must still kill it: if a newer library stopped aborting, the test says so (the
 * rewrite can then go) without failing.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "targets/unicorn/uni.h"
#include "test.h"

#define DEFUSE_BASE 0x1000U
#define DEFUSE_LEN  32U

/* The signal that ended an engine running code (0: none); stderr is Unicorn's, so it goes away. */
static int defuse_run(uc_engine *uc, const uint8_t *code, size_t len)
{
    uint8_t page[DEFUSE_LEN];
    int st = 0;

    memset(page, 0x90, sizeof(page));
    memcpy(page, code, len);
    page[DEFUSE_LEN - 1] = 0xF4;
    fflush(NULL);
    pid_t p = fork();
    if (p == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        uc_mem_write(uc, DEFUSE_BASE, page, sizeof(page));
        uc_emu_start(uc, DEFUSE_BASE, DEFUSE_BASE + DEFUSE_LEN - 1U, 0, 40);
        _exit(0);
    }
    if (p < 0 || waitpid(p, &st, 0) != p)
        return -1;
    return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

TEST(uni_defuse_aborts)
{
    /* raw: the form aborts as it is; the last one does not, but a rewrite of its inner LOCK that
       made it a ModRM with /7 (DS, 3E) turned it into LOCK CMP [rsi], imm32 (a campaign found it) */
    static const struct { const char *name; bool raw; uint8_t len; uint8_t b[8]; } forms[] = {
        { "call far rax", true, 2, { 0xFF, 0xD8 } },
        { "jmp far rbp", true, 2, { 0xFF, 0xED } },
        { "lock cmp [rax], al", true, 3, { 0xF0, 0x38, 0x00 } },
        { "lock rex.w cmp [rcx], rdx", true, 4, { 0xF0, 0x48, 0x39, 0x11 } },
        { "lock cmpsb", true, 2, { 0xF0, 0xA6 } },
        { "lock o16 cmpsw", true, 3, { 0xF0, 0x66, 0xA7 } },
        { "lock cmp dword [rbx], imm32", true, 7, { 0xF0, 0x81, 0x3B, 0x90, 0x90, 0x90, 0x90 } },
        { "lock bt eax, eax", true, 4, { 0xF0, 0x0F, 0xA3, 0xC0 } },
        { "lock btc eax, ebx", true, 4, { 0xF0, 0x0F, 0xBB, 0xD8 } },
        { "lock bts eax, imm8", true, 5, { 0xF0, 0x0F, 0xBA, 0xE8, 0x01 } },
        { "lock 81 before lock cmp", false, 7, { 0xF0, 0x81, 0xF0, 0x80, 0x7B, 0x02, 0x00 } },
    };
    const unsigned nr_raw = sizeof(forms) / sizeof(forms[0]) - 1U;
    static const uint8_t alpha[] = {
        0xF0, 0xF0, 0xFF, 0xFF, 0x38, 0x39, 0x80, 0x81, 0x83, 0xA6, 0xA7, 0x0F, 0x0F, 0xA3,
        0xAB, 0xB3, 0xBB, 0xBA, 0xD8, 0xE8, 0xE0, 0x3B, 0x7B, 0x3E, 0x2E, 0x66, 0x48, 0x00,
        0x90, 0xC0, 0xF8, 0x3C, 0xBC, 0xDD, 0xEC,
    };
    unsigned still = 0, bad = 0;
    uint32_t seed = 1;
    uc_engine *uc;

    CU_ASSERT_FATAL(uc_open(UC_ARCH_X86, UC_MODE_64, &uc) == UC_ERR_OK);
    CU_ASSERT_FATAL(uc_mem_map(uc, DEFUSE_BASE, PAGE_SIZE, UC_PROT_ALL) == UC_ERR_OK);
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        uint8_t b[8];
        memcpy(b, forms[i].b, forms[i].len);
        still += forms[i].raw && defuse_run(uc, b, forms[i].len) == SIGABRT;
        uni_defuse(b, forms[i].len);
        int sig = defuse_run(uc, b, forms[i].len);
        if (sig != 0)
            fprintf(stderr, "%s:%d: %s, rewritten: signal %d\n", __FILE__, __LINE__,
                    forms[i].name, sig);
        CU_ASSERT(sig == 0);
    }
    if (still < nr_raw)
        printf("\nuni_defuse_aborts: only %u of %u forms abort this Unicorn unrewritten\n", still,
               nr_raw);
    for (unsigned k = 0; k < 500; k++) {
        uint8_t b[24];
        size_t len = 4U + (seed >> 16) % 20U;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245U + 12345U;
            b[i] = alpha[(seed >> 16) % sizeof(alpha)];
        }
        seed = seed * 1103515245U + 12345U;
        uni_defuse(b, len);
        int sig = defuse_run(uc, b, len);
        if (sig != 0 && bad++ < 5) {
            fprintf(stderr, "%s:%d: rewritten string killed the engine (signal %d):", __FILE__,
                    __LINE__, sig);
            for (size_t i = 0; i < len; i++)
                fprintf(stderr, " %02x", b[i]);
            fprintf(stderr, "\n");
        }
    }
    TEST_EQ(0, bad);
    uc_close(uc);
}
