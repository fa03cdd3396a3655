/* Shared set-up of the Unicorn 2.0.1 quirk tests: a bare engine, flat 64-bit or with page tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/unicorn/tests/quirk.h"

bool quirk_open(struct quirk *q, bool paging)
{
    memset(q, 0, sizeof(*q));
    q->code = aligned_alloc(4096, 4096);
    q->data = aligned_alloc(4096, 4096);
    q->tables = aligned_alloc(4096, 4 * 4096);
    if (!q->code || !q->data || !q->tables || uc_open(UC_ARCH_X86, UC_MODE_64, &q->uc))
        return false;
    memset(q->code, 0x90, 4096);
    memset(q->data, 0, 4096);
    memset(q->tables, 0, 4 * 4096);
    if (uc_mem_map_ptr(q->uc, QUIRK_CODE, 4096, UC_PROT_ALL, q->code) ||
        uc_mem_map_ptr(q->uc, QUIRK_DATA, 4096, UC_PROT_ALL, q->data) ||
        uc_mem_map_ptr(q->uc, QUIRK_TABLES, 4 * 4096, UC_PROT_ALL, q->tables))
        return false;
    if (!paging)
        return true;
    /* L4 -> L3 -> L2 -> L1, present and writable; the L1 maps the code and data pages */
    uint64_t *l4 = (uint64_t *)q->tables, *l3 = l4 + 512, *l2 = l3 + 512, *l1 = l2 + 512;
    l4[0] = (QUIRK_TABLES + 0x1000) | 3;
    l3[0] = (QUIRK_TABLES + 0x2000) | 3;
    l2[0] = (QUIRK_TABLES + 0x3000) | 3;
    l2[QUIRK_DATA >> 21] = (QUIRK_TABLES + 0x3000) | 3;
    l1[(QUIRK_CODE >> 12) & 511] = QUIRK_CODE | 3;
    l1[(QUIRK_DATA >> 12) & 511] = QUIRK_DATA | 3;
    q->data_pte = &l1[(QUIRK_DATA >> 12) & 511];
    uint64_t cr3 = QUIRK_TABLES, cr4 = 0x20, cr0 = 0x80010033ULL;
    uc_x86_msr efer = { .rid = 0xC0000080U, .value = 0x500 };
    return !uc_reg_write(q->uc, UC_X86_REG_CR3, &cr3) && !uc_reg_write(q->uc, UC_X86_REG_CR4, &cr4) &&
           !uc_reg_write(q->uc, UC_X86_REG_CR0, &cr0) && !uc_reg_write(q->uc, UC_X86_REG_MSR, &efer);
}

void quirk_close(struct quirk *q)
{
    if (q->uc)
        uc_close(q->uc);
    free(q->code);
    free(q->data);
    free(q->tables);
}

uc_err quirk_run(struct quirk *q, const uint8_t *bytes, unsigned len, uint64_t until)
{
    memcpy(q->code, bytes, len);
    return uc_emu_start(q->uc, QUIRK_CODE, until, 0, 0);
}

void quirk_report(const char *name, bool still)
{
    if (!still)
        fprintf(stderr, "Unicorn quirk '%s' no longer holds: this library differs from Debian 12's "
                "2.0.1; review targets/unicorn (docs/TARGETS.md lists what relies on it)\n", name);
}
