/* Findings on disk: a signature-named directory per distinct finding, written atomically. */
#ifndef HVFUZZ_FINDING_H
#define HVFUZZ_FINDING_H

#include <stddef.h>
#include <stdint.h>
#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"

/* 64-bit FNV-1a of the signature: the directory name's key, stable across builds. */
uint64_t finding_hash(const char *signature);

/*
 * The report a person reads: signature, oracle, the operation that broke, the detail (invariant,
 * frame/domain, expected/actual), then the program as text with each op's result and the breaking
 * op marked. results may be NULL. Like snprintf: returns the length it needed.
 */
size_t finding_format(const struct prog *p, const struct finding *f, const struct op_result *results,
                      char *buf, size_t cap);

/*
 * Store a finding in out_dir/<hash>-<signature>/ as report.txt and repro.bin (the canonical binary
 * program). Both files are written into a temporary directory that is renamed into place, so the
 * finding appears whole or not at all. Returns 1 if stored, 0 if that signature was already there
 * (a duplicate: nothing written), -1 on an error (errno says which). dir (if non-NULL) receives the
 * finding's directory path.
 */
int finding_write(const char *out_dir, const struct prog *p, const struct finding *f,
                  const struct op_result *results, char *dir, size_t dir_cap);

#endif
