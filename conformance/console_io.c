/* console_io conformance: dom0 writes reach the console, others get -EPERM, bad handles fault. */
#include <string.h>
#include "conformance.h"

enum co_handle { CO_OK = 0, CO_UNMAPPED, CO_NONCANON, CO_TAIL_UNMAPPED };

struct co_row {
    uint32_t cmd;
    bool     unprivileged;
    uint32_t count;            /* bytes written; filled with a pattern from scratch page 0 on */
    enum co_handle handle;
    bool     preempt;          /* every preemption check fires */
    long     expect;
    bool     check_text;       /* the console ends with the bytes written */
};

static char co_byte(uint32_t i)
{
    return (char)('a' + i % 26U);
}

static void co_run(struct conf_ctx *c)
{
    const struct co_row *r = c->data;
    struct vcpu *v = r->unprivileged ? c->v1 : c->v0;
    struct domain *d = r->unprivileged ? c->d1 : c->d0;
    gva_t va = conf_scratch(c, d, 0);
    static char buf[3 * PAGE_SIZE];

    for (uint32_t i = 0; i < sizeof(buf); i++)
        buf[i] = co_byte(i);
    if (conf_put(c, v, va, buf, sizeof(buf)) < 0)
        return;
    switch (r->handle) {
    case CO_UNMAPPED:
        va = DOM_VA(CONF_DOM_PAGES + 4);
        break;
    case CO_NONCANON:
        va = 0x8000000000000000ULL;
        break;
    case CO_TAIL_UNMAPPED:
        /* the last data page: a long write runs off the end of the domain's memory */
        va = DOM_VA(CONF_DOM_PAGES - 1);
        break;
    default:
        break;
    }
    if (r->preempt)
        c->hv->preempt_pattern = ~0ULL;
    uint32_t before = c->hv->console_len;
    long rc = conf_hc(c, v, HYPERVISOR_console_io, r->cmd, r->count, va, 0, 0);
    c->hv->preempt_pattern = 0;
    CONF_EXPECT_EQ(c, r->expect, rc);
    CONF_EXPECT(c, c->hv->console_len < HV_CONSOLE_SIZE);
    CONF_EXPECT_EQ(c, 0, c->hv->console[c->hv->console_len]);
    if (r->expect != 0)
        CONF_EXPECT(c, r->handle == CO_TAIL_UNMAPPED || c->hv->console_len == before);
    if (!r->check_text)
        return;
    uint32_t keep = r->count < HV_CONSOLE_SIZE - 1U ? r->count : HV_CONSOLE_SIZE - 1U;
    CONF_EXPECT(c, c->hv->console_len >= keep);
    if (c->hv->console_len < keep)
        return;
    /* the newest bytes survive, so the buffer ends with the tail of what was written */
    const char *tail = c->hv->console + c->hv->console_len - keep;
    CONF_EXPECT(c, memcmp(tail, buf + (r->count - keep), keep) == 0);
}

#define CO(...) (&(const struct co_row){ __VA_ARGS__ })
static const struct conf_case co_cases[] = {
    { "write_short", co_run, CO(.cmd = CONSOLEIO_write, .count = 5, .check_text = true) },
    { "write_zero_bytes", co_run, CO(.cmd = CONSOLEIO_write, .count = 0) },
    { "write_page_crossing", co_run, CO(.cmd = CONSOLEIO_write, .count = PAGE_SIZE + 300,
      .check_text = true) },
    { "write_preempted_continues", co_run, CO(.cmd = CONSOLEIO_write, .count = 1000,
      .preempt = true, .check_text = true) },
    { "write_overflow_keeps_newest", co_run, CO(.cmd = CONSOLEIO_write,
      .count = 2 * PAGE_SIZE + 17, .check_text = true) },
    { "write_unprivileged_eperm", co_run, CO(.cmd = CONSOLEIO_write, .count = 5,
      .unprivileged = true, .expect = -XEN_EPERM) },
    { "write_unmapped_efault", co_run, CO(.cmd = CONSOLEIO_write, .count = 5,
      .handle = CO_UNMAPPED, .expect = -XEN_EFAULT) },
    { "write_noncanonical_efault", co_run, CO(.cmd = CONSOLEIO_write, .count = 5,
      .handle = CO_NONCANON, .expect = -XEN_EFAULT) },
    { "write_runs_off_memory_efault", co_run, CO(.cmd = CONSOLEIO_write, .count = 2 * PAGE_SIZE,
      .handle = CO_TAIL_UNMAPPED, .expect = -XEN_EFAULT) },
    { "read_nothing_pending", co_run, CO(.cmd = CONSOLEIO_read, .count = 16) },
    { "read_unprivileged_eperm", co_run, CO(.cmd = CONSOLEIO_read, .count = 16,
      .unprivileged = true, .expect = -XEN_EPERM) },
    { "unknown_cmd_enosys", co_run, CO(.cmd = 9, .expect = -XEN_ENOSYS) },
};
CONF_AREA("console_io", co_cases)
