/* Helpers for the native reset tests: two machines compared byte for byte. */
#ifndef HVFUZZ_NATIVE_TESTS_RESET_UTIL_H
#define HVFUZZ_NATIVE_TESTS_RESET_UTIL_H

#include "hvfuzz/monitor.h"

/* The differences between two machines of the same shape: frame table, every frame's memory,
   m2p, domains (their separately allocated tables by contents), the rest of struct hv up to
   its tracking pointers. Each difference is printed; the count is returned. */
unsigned reset_diffs(const struct hv *a, const struct hv *b);

/* A write planted on a native target's machine that its reset must undo. */
struct reset_row {
    const char *name;
    void (*write)(struct hv *hv);
};
/* Each row on one native target of the default shape: the write must change the machine (or the
   row checks nothing), with want_partial leave a frame with only some chunks marked (or the row
   misses the partial copy), and the reset must give a fresh build's machine byte for byte. */
void reset_rows_check(const struct reset_row *rows, size_t n, bool want_partial);

#endif
