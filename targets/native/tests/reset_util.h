/* Helpers for the native reset tests: two machines compared byte for byte. */
#ifndef HVFUZZ_NATIVE_TESTS_RESET_UTIL_H
#define HVFUZZ_NATIVE_TESTS_RESET_UTIL_H

#include "hvfuzz/monitor.h"

/* The differences between two machines of the same shape: frame table, every frame's memory,
   m2p, domains (their separately allocated tables by contents), the rest of struct hv up to
   its tracking pointers. Each difference is printed; the count is returned. */
unsigned reset_diffs(const struct hv *a, const struct hv *b);

#endif
