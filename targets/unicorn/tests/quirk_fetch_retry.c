/*
 * Unicorn 2.0.1 quirks of fetches the target works around (targets/unicorn/mmu.c): retrying a
 * fetch after a protection event crashes the library, and a block translated from a page mapped
 * inside its own fetch hook can never be dropped.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "targets/unicorn/tests/quirk.h"
#include "test.h"

static bool qr_allow(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                     void *arg)
{
    (void)type; (void)addr; (void)size; (void)value; (void)arg;
    uc_mem_protect(uc, QUIRK_CODE, 4096, UC_PROT_ALL);
    return true;
}

TEST(unicorn_quirk_fetch_prot_retry)
{
    static const uint8_t code[] = { 0x90, 0x90 };
    pid_t pid = fork();

    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        struct quirk q;
        uc_hook h;
        if (!quirk_open(&q, true))
            _exit(12);
        uc_mem_protect(q.uc, QUIRK_CODE, 4096, UC_PROT_READ);
        uc_hook_add(q.uc, &h, UC_HOOK_MEM_FETCH_PROT, (void *)qr_allow, NULL, 1, 0);
        _exit(quirk_run(&q, code, sizeof(code), QUIRK_CODE + 1) == UC_ERR_OK ? 10 : 11);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    /* a crash: a signal, or under ASan its report and exit status (not one of the child's) */
    bool crashed = WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 10 &&
                                       WEXITSTATUS(st) != 11 && WEXITSTATUS(st) != 12);
    quirk_report("a fetch retried after a protection event crashes", crashed);
    CU_ASSERT(crashed);
}

static uint8_t *qr_page;

static bool qr_map(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                   void *arg)
{
    (void)type; (void)addr; (void)size; (void)value; (void)arg;
    return uc_mem_map_ptr(uc, QUIRK_DATA, 4096, UC_PROT_ALL, qr_page) == UC_ERR_OK;
}

TEST(unicorn_quirk_fetch_map_in_hook)
{
    struct quirk q;
    uc_hook h;
    uint64_t rax = 0;

    CU_ASSERT_FATAL(quirk_open(&q, false));
    uc_mem_unmap(q.uc, QUIRK_DATA, 4096);
    qr_page = q.data;
    uc_hook_add(q.uc, &h, UC_HOOK_MEM_FETCH_UNMAPPED, (void *)qr_map, NULL, 1, 0);
    for (uint8_t i = 1; i <= 2; i++) {
        const uint8_t code[] = { 0xB8, i, 0, 0, 0, 0x90 };
        for (unsigned b = 0; b < sizeof(code); b++)
            q.data[b] = code[b];
        uc_ctl_remove_cache(q.uc, QUIRK_DATA, QUIRK_DATA + 4096);
        uc_emu_start(q.uc, QUIRK_DATA, QUIRK_DATA + 5, 0, 0);
    }
    uc_reg_read(q.uc, UC_X86_REG_RAX, &rax);
    quirk_report("a block from a page mapped in its own fetch hook cannot be dropped", rax == 1);
    TEST_EQ(1, rax);
    quirk_close(&q);
}
