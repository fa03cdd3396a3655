/* The differential oracle: two targets' results for one program, compared op by op. */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/abi.h"
#include "hvfuzz/diff.h"
#include "hvfuzz/io.h"

const char *diff_op_name(const struct prog_op *op)
{
    /* as targets/target.c names an op in expect:<op>, so one op has one name in every oracle */
    return op->kind == OP_HYPERCALL ? abi_hypercall_name(op->nr) : prog_kind_name(op->kind);
}

size_t diff_seen_format(const struct prog_op *op, const struct prog_expect *e, char *buf,
                        size_t cap)
{
    static struct prog_op shown;   /* big; only the kind and the expectation matter here */
    char text[768];

    shown.kind = op->kind;
    shown.expect = *e;
    size_t n = prog_expect_format(&shown, text, sizeof(text));
    /* " => " starts the text; cut to cap like snprintf, which -O3 warns about here */
    const char *seen = n >= 4 ? text + 4 : "nothing";
    size_t len = strlen(seen);

    if (cap) {
        size_t k = len < cap ? len : cap - 1;
        memcpy(buf, seen, k);
        buf[k] = '\0';
    }
    return len;
}

size_t diff_fields_format(uint8_t fields, char *buf, size_t cap)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        { PE_STATUS, "status" }, { PE_RC, "rc" },     { PE_VALUE, "value" },
        { PE_FAULT, "fault" },   { PE_PFEC, "pfec" }, { PE_OUT, "out" },
        { PE_EXITS, "exits" },
    };
    struct io_buf o = { .buf = buf, .cap = cap, .len = 0 };

    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (fields & names[i].bit)
            io_printf(&o, "%s%s", o.len ? ", " : "", names[i].name);
    return o.len;
}

/* The fields that differ: stated by one side only, or stated by both with other values. */
static uint8_t diff_fields(const struct prog_expect *a, const struct prog_expect *b)
{
    uint8_t both = a->have & b->have;
    uint8_t d = (uint8_t)((a->have ^ b->have) & PE_ALL);

    if ((both & PE_STATUS) && a->status != b->status)
        d |= PE_STATUS;
    if ((both & PE_RC) && a->rc != b->rc)
        d |= PE_RC;
    if ((both & PE_VALUE) && a->value != b->value)
        d |= PE_VALUE;
    if ((both & PE_FAULT) && a->fault != b->fault)
        d |= PE_FAULT;
    if ((both & PE_PFEC) && a->pfec != b->pfec)
        d |= PE_PFEC;
    if ((both & PE_EXITS) &&
        (a->nr_exits != b->nr_exits || memcmp(a->exits, b->exits, a->nr_exits)))
        d |= PE_EXITS;
    if (both & PE_OUT) {
        bool same = a->nr_out == b->nr_out;
        for (unsigned i = 0; same && i < a->nr_out; i++)
            same = a->out[i].off == b->out[i].off && a->out[i].width == b->out[i].width &&
                   a->out[i].value == b->out[i].value;
        if (!same)
            d |= PE_OUT;
    }
    return d;
}

/*
 * Payload write-backs count where both targets captured them: without a capture on either side
 * none is compared, and of the fields, those both could read back (a target whose guest could
 * not read its payload page has no value to compare; its other results say what differs).
 */
static void diff_out_common(const struct op_result *ra, const struct op_result *rb,
                            struct prog_expect *a, struct prog_expect *b)
{
    struct prog_expect_out ka[PROG_MAX_EXPECT_OUT], kb[PROG_MAX_EXPECT_OUT];
    unsigned n = 0;

    if (ra->out && rb->out)
        for (unsigned i = 0; i < a->nr_out; i++)
            for (unsigned j = 0; j < b->nr_out; j++)
                if (a->out[i].off == b->out[j].off && a->out[i].width == b->out[j].width) {
                    ka[n] = a->out[i];
                    kb[n++] = b->out[j];
                    break;
                }
    memcpy(a->out, ka, n * sizeof(ka[0]));
    memcpy(b->out, kb, n * sizeof(kb[0]));
    a->nr_out = b->nr_out = (uint8_t)n;
    if (!n) {
        a->have &= (uint8_t)~PE_OUT;
        b->have &= (uint8_t)~PE_OUT;
    }
}

/* The difference at op i as a finding: both sides' fields, named by target. */
static void diff_finding(const struct prog *p, uint32_t i, struct diff_result *r)
{
    const struct prog_op *op = &p->ops[i];
    char side[2][400], fields[64];

    for (unsigned s = 0; s < 2; s++)
        diff_seen_format(op, &r->seen[s], side[s], sizeof(side[s]));
    diff_fields_format(r->fields, fields, sizeof(fields));
    r->f.oracle = ORACLE_DIFF;
    r->f.op_index = (int)i;
    snprintf(r->f.signature, sizeof(r->f.signature), "diff:%s/%s:%s", r->name[0], r->name[1],
             diff_op_name(op));
    /* io_printf cuts at the detail's size (eight out fields a side can fill it) */
    struct io_buf d = { .buf = r->f.detail, .cap = sizeof(r->f.detail), .len = 0 };
    io_printf(&d, "op %u (%s): %s and %s differ in %s\n%s: %s\n%s: %s\nthe results below are "
              "%s's", i, diff_op_name(op), r->label[0], r->label[1], fields, r->label[0],
              side[0], r->label[1], side[1], r->label[0]);
}

/* Where a target's own finding stops the comparison: its op, or op 0 when nothing ran. */
static uint32_t diff_own_limit(const struct finding *f, uint32_t n)
{
    if (!strcmp(f->signature, "target:open-failed"))
        return 0;
    return f->op_index >= 0 && (uint32_t)f->op_index < n ? (uint32_t)f->op_index : n;
}

/* Whether targets a and b number machine frames alike (unknown ones: the model's numbering). */
static bool diff_same_frames(const struct target_ops *ta, const struct target_ops *tb)
{
    const char *fa = ta && ta->frames ? ta->frames : "", *fb = tb && tb->frames ? tb->frames : "";

    return !strcmp(fa, fb);
}

bool diff_compare(const struct prog *p, const struct target_ops *a, const struct op_result *ra,
                  const struct finding *fa, const struct target_ops *b,
                  const struct op_result *rb, const struct finding *fb, struct diff_result *r)
{
    const struct finding *own[2] = { fa, fb };
    uint32_t n = p->nr_ops < PROG_MAX_OPS ? p->nr_ops : PROG_MAX_OPS, limit = n;
    int by = -1;

    memset(r, 0, sizeof(*r));
    r->name[0] = a ? a->name : "?";
    r->name[1] = b ? b->name : "?";
    for (unsigned s = 0; s < 2; s++)
        snprintf(r->label[s], sizeof(r->label[s]), "%.38s%s", r->name[s],
                 strcmp(r->name[0], r->name[1]) ? "" : s ? " (B)" : " (A)");
    r->nr_ops = n;
    r->stop_op = -1;
    r->only = -1;
    for (unsigned s = 0; s < 2; s++) {
        if (!own[s])
            continue;
        r->own[s] = true;
        r->own_f[s] = *own[s];
        uint32_t l = diff_own_limit(own[s], n);
        if (l < limit) {
            limit = l;
            by = (int)s;
        }
    }
    bool frames = diff_same_frames(a, b);
    for (uint32_t i = 0; i < limit; i++) {
        const struct prog_op *op = &p->ops[i];
        uint8_t sa = ra[i].status, sb = rb[i].status;

        if (!frames && abi_op_raw_frame(op)) {
            r->stop = DIFF_STOP_FRAME;
            r->stop_op = (int)i;
            snprintf(r->note, sizeof(r->note), "op %u (%s) names a machine frame by number; ops "
                     "%u.. not compared", i, diff_op_name(op), i);
            return false;
        }
        if (sa == OPS_NOT_RUN && sb == OPS_NOT_RUN) {
            r->compared++;
            continue;
        }
        if ((sa == OPS_UNSUPPORTED) != (sb == OPS_UNSUPPORTED)) {
            r->stop = DIFF_STOP_ONLY_ONE;
            r->stop_op = (int)i;
            r->only = sa == OPS_UNSUPPORTED ? 1 : 0;
            snprintf(r->note, sizeof(r->note), "op %u (%s): only %s runs it; ops %u.. not compared",
                     i, diff_op_name(op), r->label[r->only], i);
            return false;
        }
        r->compared++;
        if (sa == OPS_UNSUPPORTED)
            continue;
        target_observe(op, &ra[i], NULL, &r->seen[0]);
        target_observe(op, &rb[i], NULL, &r->seen[1]);
        diff_out_common(&ra[i], &rb[i], &r->seen[0], &r->seen[1]);
        r->fields = diff_fields(&r->seen[0], &r->seen[1]);
        if (!frames && ((ra[i].flags | rb[i].flags) & OPR_VALUE_MACHINE))
            r->fields &= (uint8_t)~PE_VALUE;
        if (!r->fields)
            continue;
        r->stop = DIFF_STOP_DIFFERENCE;
        r->stop_op = (int)i;
        diff_finding(p, i, r);
        if (i + 1 < n)
            snprintf(r->note, sizeof(r->note), "op %u differs; ops %u.. not compared", i, i + 1);
        return true;
    }
    memset(r->seen, 0, sizeof(r->seen));
    r->fields = 0;
    /* a finding at the end of the program (op -1) left every op to compare */
    if (by >= 0) {
        r->stop = DIFF_STOP_FINDING;
        r->stop_op = (int)limit;
        snprintf(r->note, sizeof(r->note), "op %u (%s): %s's own oracles found %s; ops %u.. not "
                 "compared", limit, diff_op_name(&p->ops[limit]), r->label[by],
                 r->own_f[by].signature, limit);
    }
    return false;
}

bool diff_run(struct target *a, struct target *b, const struct prog *p, struct op_result *ra,
              struct op_result *rb, struct diff_result *r)
{
    /* a target that cannot build a machine forgets its ops: take them first */
    const struct target_ops *oa = a->ops, *ob = b->ops;
    struct finding fa, fb;
    bool found_a = target_run(a, p, ra, &fa);
    bool found_b = target_run(b, p, rb, &fb);

    return diff_compare(p, oa, ra, found_a ? &fa : NULL, ob, rb, found_b ? &fb : NULL, r);
}
