/* Each kind of expectation catches a planted wrong value: right values replay clean, wrong ones are an expect: finding at their op. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/target.h"
#include "planted_ops.h"
#include "test.h"

/*
 * One program whose ops give every kind of result on the native target: a hypercall's rc, a
 * read's value, a faulting read's vector and error code, an event channel's port written back
 * into the payload, an exit's action and injected #GP, a preempted batch's status, and no exits. Each row states one field of one
 * op, first as the target answers (clean), then changed (a finding expect:<op> at that op).
 */

struct ep_row {
    const char *what;
    unsigned op;
    unsigned bit;        /* enum prog_expect_bit */
    const char *sig;     /* the finding's signature when the value is wrong */
};

static const struct ep_row ep_rows[] = {
    { "rc of a hypercall",         0, PE_RC,     "expect:xen_version" },
    { "status of a hypercall",     0, PE_STATUS, "expect:xen_version" },
    { "value of a guest read",     2, PE_VALUE,  "expect:guest_read" },
    { "fault of a faulting read",  3, PE_FAULT,  "expect:guest_read" },
    { "pfec of a faulting read",   3, PE_PFEC,   "expect:guest_read" },
    { "fault of a clean write",    1, PE_FAULT,  "expect:guest_write" },
    { "port written back",         4, PE_OUT,    "expect:event_channel_op" },
    { "exits of a hypercall",      0, PE_EXITS,  "expect:xen_version" },
    { "action of an exit",         5, PE_RC,     "expect:exit" },
    { "injected vector of an exit", 5, PE_FAULT, "expect:exit" },
    { "rax after an exit",         5, PE_VALUE,  "expect:exit" },
    { "status of a preempted one", 7, PE_STATUS, "expect:memory_op" },
    { "rc of a preempted one",     7, PE_RC,     "expect:memory_op" },
};

/* Change the stated field so it cannot match. */
static void ep_plant(struct prog_expect *e, unsigned bit)
{
    switch (bit) {
    case PE_RC:     e->rc = e->rc == -22 ? 0 : -22; break;
    case PE_STATUS: e->status = e->status == 1 ? 0 : 1; break;
    case PE_VALUE:  e->value ^= 1; break;
    case PE_FAULT:  e->fault = e->fault == 13 ? 14 : 13; break;
    case PE_PFEC:   e->pfec ^= 4; break;
    case PE_OUT:    e->out[0].value ^= 1; break;
    case PE_EXITS:  e->exits[e->nr_exits++] = 3; break;
    }
}

/* Keep only the one field bit of a full observation. */
static void ep_only(struct prog_expect *e, unsigned bit)
{
    struct prog_expect k;

    memset(&k, 0, sizeof(k));
    k.have = (uint8_t)bit;
    switch (bit) {
    case PE_RC:     k.rc = e->rc; break;
    case PE_STATUS: k.status = e->status; break;
    case PE_VALUE:  k.value = e->value; break;
    case PE_FAULT:  k.fault = e->fault; break;
    case PE_PFEC:   k.pfec = e->pfec; break;
    case PE_OUT:    k.nr_out = 1; k.out[0] = e->out[0]; break;
    case PE_EXITS:  k.nr_exits = e->nr_exits; memcpy(k.exits, e->exits, e->nr_exits); break;
    }
    *e = k;
}

TEST(expect_planted)
{
    struct prog *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    struct op_result res[PROG_MAX_OPS];
    struct prog_expect seen[PROG_MAX_OPS];
    struct target_opts o = target_default_opts;
    struct target t;
    struct finding f;
    unsigned line;

    CU_ASSERT_FATAL(p && q);
    CU_ASSERT_FATAL(prog_parse_text(p, planted_ops_text, &line) == PROG_OK);
    o.capture_out = true;
    o.check_expect = true;
    CU_ASSERT_FATAL(target_open(&t, target_find("native"), &p->shape, &o) == 0);
    CU_ASSERT_FATAL(!target_run(&t, p, res, &f));
    for (uint32_t i = 0; i < p->nr_ops; i++)
        target_observe(&p->ops[i], &res[i], NULL, &seen[i]);
    /* the program must give each kind of result, or the rows below prove nothing */
    TEST_EQ(14, seen[3].fault);
    TEST_EQ(1, seen[4].nr_out);
    TEST_EQ(13, seen[5].fault);
    TEST_EQ(OPS_RESTART, res[7].status);
    seen[0].have |= PE_STATUS | PE_EXITS;   /* ran, no exits: stated explicitly */
    for (size_t i = 0; i < sizeof(ep_rows) / sizeof(ep_rows[0]); i++) {
        const struct ep_row *row = &ep_rows[i];
        bool right, wrong;
        *q = *p;
        q->ops[row->op].expect = seen[row->op];
        ep_only(&q->ops[row->op].expect, row->bit);
        right = target_run(&t, q, NULL, &f);
        ep_plant(&q->ops[row->op].expect, row->bit);
        wrong = target_run(&t, q, NULL, &f);
        bool ok = !right && wrong && f.oracle == ORACLE_EXPECT && f.op_index == (int)row->op &&
                  !strcmp(f.signature, row->sig);
        fprintf(stderr, "  %-26s right: %-7s wrong: %-24s (expected %s at op %u)\n", row->what,
                right ? "FINDING" : "clean", wrong ? f.signature : "clean", row->sig, row->op);
        CU_ASSERT(ok);
    }
    /* without check_expect a wrong expectation is not looked at (the fuzz loop's setting) */
    t.opts.check_expect = false;
    CU_ASSERT(!target_run(&t, q, NULL, &f));
    target_close(&t);
    free(p);
    free(q);
}
