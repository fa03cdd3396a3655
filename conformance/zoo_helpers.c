/* Bug-zoo conformance helpers: one switch on, and the oracle's verdict judged by the case. */
#include <string.h>
#include "zoo_conf.h"
#include "hvfuzz/audit.h"

void zoo_conf_switch(struct conf_ctx *c, enum hv_bug bug)
{
    c->hv->bugs = 1ULL << bug;
}

void zoo_conf_expect_caught(struct conf_ctx *c, enum hv_bug bug)
{
    const struct hv_bug_desc *b = &hv_bug_table[bug];
    struct audit_report rep;
    char sig[160] = "none", first[200] = "no violation";

    c->audited = true;
    if (audit_run(c->hv, &rep) && rep.n) {
        audit_format(&rep.v[0], first, sizeof(first));
        /* the native oracle names a latched BUG() by its message, every other violation by
           its invariant */
        if (rep.v[0].inv == INV_BUG && c->hv->bug_msg)
            snprintf(sig, sizeof(sig), "bug:%s", c->hv->bug_msg);
        else
            snprintf(sig, sizeof(sig), "audit:%s", audit_inv_name(rep.v[0].inv));
    }
    c->checks++;
    if (strncmp(sig, b->oracle, strlen(b->oracle)) != 0)
        CONF_FAIL(c, "%s: expected the oracle to report %s first, actual %s (%s)", b->advisory,
                  b->oracle, sig, first);
}
