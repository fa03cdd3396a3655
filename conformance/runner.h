/* Runner internals shared by the runner and its JUnit writer (not part of the case contract). */
#ifndef HVFUZZ_CONF_RUNNER_H
#define HVFUZZ_CONF_RUNNER_H

#include <CUnit/CUnit.h>
#include "conformance.h"
#include "hvfuzz/record.h"

#define CONF_NOTES_LEN 1024U

/* What a case run produces; fixed size so a child can send it through a pipe in one write. */
struct conf_result {
    enum conf_state state;
    unsigned checks;
    char msg[CONF_MSG_LEN];       /* the line a reader sees first */
    char notes[CONF_NOTES_LEN];   /* further lines: audit violations, a crash after the verdict */
    enum record_outcome rec;      /* what --record made of the case */
    char rec_why[160];            /* why a recording was dropped */
};

struct conf_entry {
    const char *area;
    const char *file;
    const struct conf_case *cc;
    CU_pTest test;
    struct conf_result r;
    double secs;
};

const char *conf_state_label(enum conf_state s);   /* PASS, SKIP, ERROR, FAILURE */
/* 0, or -errno if a report could not be written at path (checked before the run). */
int conf_junit_check(const char *path);
/* Write the JUnit report of entries grouped by area, atomically. 0 or -errno. */
int conf_junit_write(const char *path, const struct conf_entry *ent, unsigned nr);

#endif
