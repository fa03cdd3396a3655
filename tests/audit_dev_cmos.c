/* Audit DEV: a CMOS index past the 128 bytes of NVRAM, or a time register out of its range, is reported. */
#include "audit_util.h"

/*
 * The index register keeps 7 bits; an index of 0x80 (the NMI bit taken as index) would read and
 * write past the NVRAM. The time registers are kept in binary, so month 13 means a write skipped
 * its range check.
 */
TEST(audit_dev_cmos)
{
    struct hv *hv = au_machine();
    if (!hv)
        return;
    struct dev_cmos *m = &hv->dom[2].cmos;
    m->index = CMOS_SIZE - 1;
    au_expect_clean(hv, "cmos last index");
    m->index = CMOS_SIZE;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 2, "cmos index past nvram");
    m->index = 0;
    m->ram[0x08] = 13;
    au_expect_only(hv, INV_DEV, MFN_INVALID, 2, "cmos month 13");
    hv_destroy(hv);
}
