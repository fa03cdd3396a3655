/* Shared set-up of the Unicorn 2.0.1 quirk tests: a bare engine, flat 64-bit or with page tables. */
#ifndef HVFUZZ_UNI_QUIRK_H
#define HVFUZZ_UNI_QUIRK_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

/* Code at QUIRK_CODE, data at QUIRK_DATA, one 4 KiB page each (host memory code/data). With
   paging, tables at QUIRK_TABLES map both pages 4 KiB each (the data page's L1 entry is
   *data_pte). */
#define QUIRK_CODE   0x10000ULL
#define QUIRK_DATA   0x400000ULL
#define QUIRK_TABLES 0x200000ULL
struct quirk {
    uc_engine *uc;
    uint8_t *code, *data, *tables;
    uint64_t *data_pte;
};
bool quirk_open(struct quirk *q, bool paging);
void quirk_close(struct quirk *q);
/* Copy bytes to the code page (behind Unicorn's back) and run from its start until until. */
uc_err quirk_run(struct quirk *q, const uint8_t *bytes, unsigned len, uint64_t until);
/* The quirk held (true) or changed: say which, so a library upgrade is noticed in the log. */
void quirk_report(const char *name, bool still);

#endif
