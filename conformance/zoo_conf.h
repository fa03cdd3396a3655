/* Helpers of the bug-zoo conformance areas (zoo_grant, zoo_memory, zoo_devices). */
#ifndef HVFUZZ_ZOO_CONF_H
#define HVFUZZ_ZOO_CONF_H

#include "conformance.h"

/* Switch exactly one re-created bug on for the rest of the case (include/hvfuzz/bugs.def). */
void zoo_conf_switch(struct conf_ctx *c, enum hv_bug bug);
/*
 * The verdict of a bug-zoo case: the machine is broken on purpose, so the case judges the oracles
 * itself (c->audited: the runner's audit after the case is skipped). The signature the native
 * target would give (a latched BUG() first: "bug:<message>", else "audit:<invariant>" of the
 * audit's first violation) must start with the registry's expected oracle; FAILURE otherwise.
 */
void zoo_conf_expect_caught(struct conf_ctx *c, enum hv_bug bug);

#endif
