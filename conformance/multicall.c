/* multicall conformance: per-entry results written back, nesting refused, preemption, bad lists. */
#include <string.h>
#include "conformance.h"

#define MC_MAX 6U
#define MC_VERSION ((4 << 16) | 17)

/*
 * Each row is a batch issued by dom0 from its scratch page 0 (console text in scratch page 1).
 * After the call every entry's result field is read back and compared with the row's.
 */
enum mc_list { MC_LIST_OK = 0, MC_LIST_UNMAPPED, MC_LIST_XEN_RANGE, MC_LIST_TAIL_UNMAPPED };

struct mc_row {
    unsigned nr;
    struct { uint64_t op, a0, a1; } e[MC_MAX];   /* a1 == 1 in a console entry: its text */
    enum mc_list list;
    bool     preempt;
    long     expect;
    int64_t  results[MC_MAX];
};

static void mc_run(struct conf_ctx *c)
{
    const struct mc_row *r = c->data;
    struct multicall_entry ents[MC_MAX];
    gva_t list = conf_scratch(c, c->d0, 0), text = conf_scratch(c, c->d0, 1);
    static const char msg[] = "multicall console text";

    if (conf_put(c, c->v0, text, msg, sizeof(msg) - 1) < 0)
        return;
    memset(ents, 0, sizeof(ents));
    for (unsigned i = 0; i < r->nr; i++) {
        ents[i].op = r->e[i].op;
        ents[i].result = 0x5A5A;    /* must be overwritten */
        ents[i].args[0] = r->e[i].a0;
        ents[i].args[1] = r->e[i].a1;
        if (r->e[i].op == HYPERVISOR_console_io) {
            ents[i].args[1] = sizeof(msg) - 1;
            ents[i].args[2] = text;
        }
        if (r->e[i].op == HYPERVISOR_multicall) {
            ents[i].args[0] = list;
            ents[i].args[1] = 1;
        }
    }
    if (conf_put(c, c->v0, list, ents, sizeof(ents)) < 0)
        return;
    gva_t arg = list;
    if (r->list == MC_LIST_UNMAPPED)
        arg = DOM_VA(CONF_DOM_PAGES + 9);
    else if (r->list == MC_LIST_XEN_RANGE)
        arg = XEN_VIRT_END - sizeof(struct multicall_entry);
    if (r->preempt)
        c->hv->preempt_pattern = ~0ULL;
    uint32_t console_before = c->hv->console_len;
    long rc = conf_hc(c, c->v0, HYPERVISOR_multicall, arg, r->nr, 0, 0, 0);
    c->hv->preempt_pattern = 0;
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->list != MC_LIST_OK || rc != 0)
        return;
    if (conf_get(c, c->v0, list, ents, sizeof(ents)) < 0)
        return;
    unsigned consoles = 0;
    for (unsigned i = 0; i < r->nr; i++) {
        CONF_EXPECT_EQ(c, r->results[i], ents[i].result);
        consoles += r->e[i].op == HYPERVISOR_console_io;
    }
    /* each console entry ran exactly once, however often the batch was continued */
    CONF_EXPECT_EQ(c, console_before + consoles * (sizeof(msg) - 1), c->hv->console_len);
}

/* The list starts on the last data page and its second entry lies past the domain's memory. */
static void mc_tail_unmapped(struct conf_ctx *c)
{
    struct multicall_entry e = { .op = HYPERVISOR_xen_version, .args = { XENVER_version } };
    gva_t list = DOM_VA(CONF_DOM_PAGES) - sizeof(e);
    if (conf_put(c, c->v0, list, &e, sizeof(e)) < 0)
        return;
    CONF_EXPECT_EQ(c, -XEN_EFAULT, conf_hc(c, c->v0, HYPERVISOR_multicall, list, 2, 0, 0, 0));
    /* entries before the fault ran and have their results */
    if (conf_get(c, c->v0, list, &e, sizeof(e)) < 0)
        return;
    CONF_EXPECT_EQ(c, MC_VERSION, e.result);
}

#define XV_E { HYPERVISOR_xen_version, XENVER_version, 0 }
#define PS_E { HYPERVISOR_xen_version, XENVER_pagesize, 0 }
#define CO_E { HYPERVISOR_console_io, CONSOLEIO_write, 1 }
#define MC(...) (&(const struct mc_row){ __VA_ARGS__ })
static const struct conf_case mc_cases[] = {
    { "two_version_calls", mc_run, MC(.nr = 2, .e = { XV_E, PS_E },
      .results = { MC_VERSION, PAGE_SIZE }) },
    { "empty_batch", mc_run, MC(.nr = 0) },
    { "nested_multicall_refused", mc_run, MC(.nr = 3,
      .e = { XV_E, { HYPERVISOR_multicall, 0, 0 }, PS_E },
      .results = { MC_VERSION, -XEN_EINVAL, PAGE_SIZE }) },
    { "unknown_op_enosys", mc_run, MC(.nr = 3, .e = { XV_E, { 63, 0, 0 }, PS_E },
      .results = { MC_VERSION, -XEN_ENOSYS, PAGE_SIZE }) },
    /* 11: a number public/xen.h leaves unassigned */
    { "unimplemented_op_enosys", mc_run, MC(.nr = 1, .e = { { 11, 0, 0 } },
      .results = { -XEN_ENOSYS }) },
    { "huge_op_number_enosys", mc_run, MC(.nr = 1, .e = { { 1ULL << 40, 0, 0 } },
      .results = { -XEN_ENOSYS }) },
    { "entry_error_does_not_stop_batch", mc_run, MC(.nr = 2,
      .e = { { HYPERVISOR_xen_version, 99, 0 }, XV_E },
      .results = { -XEN_ENOSYS, MC_VERSION }) },
    { "preempted_between_entries", mc_run, MC(.nr = 5, .e = { XV_E, PS_E, XV_E, PS_E, XV_E },
      .preempt = true, .results = { MC_VERSION, PAGE_SIZE, MC_VERSION, PAGE_SIZE, MC_VERSION }) },
    { "console_entries", mc_run, MC(.nr = 3, .e = { CO_E, XV_E, CO_E },
      .results = { 0, MC_VERSION, 0 }) },
    { "console_entries_preempted", mc_run, MC(.nr = 3, .e = { CO_E, XV_E, CO_E },
      .preempt = true, .results = { 0, MC_VERSION, 0 }) },
    { "unmapped_list_efault", mc_run, MC(.nr = 1, .e = { XV_E }, .list = MC_LIST_UNMAPPED,
      .expect = -XEN_EFAULT) },
    { "xen_range_list_efault", mc_run, MC(.nr = 2, .e = { XV_E, XV_E },
      .list = MC_LIST_XEN_RANGE, .expect = -XEN_EFAULT) },
    { "list_runs_off_memory_efault", mc_tail_unmapped, NULL },
};
CONF_AREA("multicall", mc_cases)
