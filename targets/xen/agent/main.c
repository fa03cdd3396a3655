/* The agent's main loop: boot, the module's programs, then programs read from the console. */
#include "targets/xen/agent/agent.h"
#include "targets/xen/proto.h"
#include "targets/xen/agent/xen417.h"

#define HC_SET_TRAP_TABLE 0U
#define CONSOLEIO_READ 1U
#define FLAT_KERNEL_CS64 0xE033U

struct start_info *agent_si;
const uint64_t *agent_p2m;

static struct prog run_prog;
static uint8_t run_out[PROG_MAX_PAYLOAD];
static uint8_t rx_buf[XP_MAX_PROG];
static uint32_t prog_index;

/* public/xen.h's trap_info: vector, flags (DPL), code selector, handler. */
struct trap_info {
    uint8_t  vector;
    uint8_t  flags;
    uint16_t cs;
    uint64_t address;
};

extern char trap_0[], trap_1[], trap_3[], trap_4[], trap_5[], trap_6[], trap_7[], trap_8[];
extern char trap_10[], trap_11[], trap_12[], trap_13[], trap_14[], trap_16[], trap_17[];
extern char trap_19[];

void agent_traps(void)
{
    static struct trap_info t[] = {
        { 0, 0, FLAT_KERNEL_CS64, (uint64_t)trap_0 },   { 1, 0, FLAT_KERNEL_CS64, (uint64_t)trap_1 },
        { 3, 3, FLAT_KERNEL_CS64, (uint64_t)trap_3 },   { 4, 3, FLAT_KERNEL_CS64, (uint64_t)trap_4 },
        { 5, 0, FLAT_KERNEL_CS64, (uint64_t)trap_5 },   { 6, 0, FLAT_KERNEL_CS64, (uint64_t)trap_6 },
        { 7, 0, FLAT_KERNEL_CS64, (uint64_t)trap_7 },   { 8, 0, FLAT_KERNEL_CS64, (uint64_t)trap_8 },
        { 10, 0, FLAT_KERNEL_CS64, (uint64_t)trap_10 }, { 11, 0, FLAT_KERNEL_CS64, (uint64_t)trap_11 },
        { 12, 0, FLAT_KERNEL_CS64, (uint64_t)trap_12 }, { 13, 0, FLAT_KERNEL_CS64, (uint64_t)trap_13 },
        { 14, 0, FLAT_KERNEL_CS64, (uint64_t)trap_14 }, { 16, 0, FLAT_KERNEL_CS64, (uint64_t)trap_16 },
        { 17, 0, FLAT_KERNEL_CS64, (uint64_t)trap_17 }, { 19, 0, FLAT_KERNEL_CS64, (uint64_t)trap_19 },
        { 0, 0, 0, 0 },
    };
    if (hc(HC_SET_TRAP_TABLE, (uint64_t)t, 0, 0, 0, 0) != 0)
        agent_die("set_trap_table failed");
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A resource of domain d: a frame, address, grant, port or the domid of it. */
static bool agent_arg_names(const struct prog_arg *a, unsigned d)
{
    return a->dom == d && a->kind != ARG_IMM && a->kind != ARG_PAYLOAD &&
           a->kind != ARG_VCPUID && !(a->kind == ARG_DOMID && a->a == 1);
}

/*
 * The domUs a program has ops of or names resources of: these are unpaused for it (domu.c,
 * domu_pause), with those of its shape. A domU outside the shape that the program reaches only
 * by an immediate domid finds it paused.
 */
static void agent_doms_named(const struct prog *p, bool *named)
{
    for (uint32_t i = 0; i < p->nr_ops; i++) {
        const struct prog_op *op = &p->ops[i];
        for (unsigned d = 1; d < agent_nr_doms; d++) {
            bool n = op->dom == d;
            for (unsigned k = 0; k < op->nr_args && k < PROG_MAX_ARGS; k++)
                n = n || agent_arg_names(&op->args[k], d);
            for (unsigned k = 0; k < op->nr_fixups && k < PROG_MAX_FIXUPS; k++)
                n = n || agent_arg_names(&op->fixups[k].arg, d);
            named[d] = named[d] || n;
        }
    }
}

/* An op of dom0 runs here; one of a domU the agent built runs there. */
static void agent_run_op(struct agent_run *r, const struct prog_op *op, bool *entered,
                         struct op_result *res, uint16_t *out_len)
{
    if (op->dom == 0 || !domu_exists(op->dom)) {
        run_op(r, op, res, run_out, out_len);
        return;
    }
    struct domu_box *b = domu_peer(op->dom);
    /* entered at the program's start (agent_run_one), unless it could not be woken */
    if (!entered[op->dom]) {
        run_op(r, op, res, run_out, out_len);
        return;
    }
    b->op = *op;
    run_resolve_foreign(r, &b->op);
    /* a domU that died on the way: its op is unsupported (run_op refuses another domain's) */
    if (!domu_call(r, op->dom, DOMU_OP)) {
        run_op(r, op, res, run_out, out_len);
        return;
    }
    *res = b->res;
    *out_len = b->out_len <= PROG_MAX_PAYLOAD ? b->out_len : PROG_MAX_PAYLOAD;
    memcpy(run_out, b->out, *out_len);
}

/* One program: decode, each op with its result line, then the undo and its verdict. */
static void agent_run_one(uint32_t flags, const uint8_t *bin, uint32_t len)
{
    struct agent_run r = { .shape = &run_prog.shape };
    uint32_t idx = prog_index++, done = 0;
    enum prog_err e = prog_decode(&run_prog, bin, len);

    if (e != PROG_OK) {
        out_begin("HVE");
        out_hex(idx);
        out_hex(0);
        out_hex(XP_CLEAN);
        out_str(" decode-error");
        out_end();
        return;
    }
    /* every domU of the shape is woken, given the program, and undone after, even without ops
       of its own: dom0's ops may change it (a port dom0 allocates in it, a mapping of its
       frames) */
    bool entered[AGENT_MAX_DOMS] = { false }, awake[AGENT_MAX_DOMS] = { false };
    agent_doms_named(&run_prog, awake);
    for (unsigned d = 1; d < agent_nr_doms; d++) {
        awake[d] = awake[d] || d < run_prog.shape.nr_domains;
        if (!awake[d])
            continue;
        if (!domu_pause(d, false)) {
            agent_taint(&r, "domU-unpause");
            continue;
        }
        domu_peer(d)->shape = run_prog.shape;
        domu_peer(d)->prog = idx;
        entered[d] = true;
    }
    baseline_enter(&run_prog.shape);
    for (uint32_t i = 0; i < run_prog.nr_ops; i++, done++) {
        struct op_result res;
        uint16_t out_len;
        agent_run_op(&r, &run_prog.ops[i], entered, &res, &out_len);
        out_begin("HVR");
        out_hex(idx);
        out_hex(i);
        out_hex(res.status);
        out_hex(res.fault);
        out_hex(res.pfec);
        out_hex((uint64_t)res.rc);
        out_hex(res.value);
        out_end();
        if ((flags & XP_PROG_OUT) && out_len) {
            out_begin("HVO");
            out_hex(idx);
            out_hex(i);
            out_bytes(run_out, out_len);
            out_end();
        }
    }
    int state = baseline_restore(&r);
    for (unsigned d = 1; d < AGENT_MAX_DOMS; d++) {
        if (!entered[d])
            continue;
        struct domu_box *b = domu_peer(d);
        if (!domu_call(&r, d, DOMU_RESTORE)) {
            state = XP_DIRTY;
            continue;
        }
        if (b->tainted) {
            char why[sizeof(r.why)] = "d?:";
            why[1] = (char)('0' + d);
            memcpy(why + 3, b->why, sizeof(why) - 4);
            why[sizeof(why) - 1] = 0;
            agent_taint(&r, why);
        }
        if (b->state != XP_CLEAN)
            state = b->state;
    }
    for (unsigned d = 1; d < agent_nr_doms; d++)
        if (awake[d] && !domu_pause(d, true)) {
            agent_taint(&r, "domU-pause");
            state = XP_DIRTY;
        }
    out_begin("HVE");
    out_hex(idx);
    out_hex(done);
    out_hex((uint64_t)state);
    out_str(r.tainted ? " " : " -");
    if (r.tainted)
        out_str(r.why);
    out_end();
}

static void agent_run_module(void)
{
    const uint8_t *m = (const uint8_t *)agent_si->mod_start;
    uint64_t len = agent_si->mod_len, at = 12;

    if (!m || len < 12 || get32(m) != XP_MAGIC)
        agent_die("the module is not a program batch");
    for (uint32_t n = get32(m + 8); n; n--) {
        if (at + 8 > len || get32(m + at + 4) > len - at - 8)
            agent_die("the module ends inside a program");
        uint32_t plen = get32(m + at + 4);
        agent_run_one(get32(m + at), m + at + 8, plen);
        at += 8 + plen;
    }
    if (!(get32(m + 4) & XP_BOOT_SERVE))
        agent_shutdown();
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Console input (proto.h): hex digits and zero-run letters, acknowledged every XP_CHUNK of them. */
static uint64_t rx_total;

static bool rx_symbol(char c)
{
    return hexval(c) >= 0 || (c >= XP_ZERO_RUN && c < XP_ZERO_RUN + (int)XP_ZERO_RUN_MAX);
}

static char rx_char(void)
{
    static char buf[XP_CHUNK * 2];
    static long have, at;

    for (;;) {
        while (at < have) {
            char c = buf[at++];
            if (!rx_symbol(c))
                continue;
            if (++rx_total % XP_CHUNK == 0) {
                out_begin("HVN");
                out_hex(rx_total);
                out_end();
            }
            return c;
        }
        at = 0;
        have = hc(HYPERVISOR_console_io, CONSOLEIO_READ, sizeof(buf), (uint64_t)buf, 0, 0);
        if (have <= 0) {
            have = 0;
            hc(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
        }
    }
}

/* A hex digit where the protocol wants one (a zero-run letter there counts as 0). */
static uint32_t rx_digit(void)
{
    int v = hexval(rx_char());
    return v < 0 ? 0U : (uint32_t)v;
}

static uint32_t rx_u32_digits(void)
{
    uint32_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 4 | rx_digit();
    return v;
}

/* n bytes: a pair of hex digits each, or a letter for a run of zero bytes. */
static void rx_bytes(uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n;) {
        char c = rx_char();
        if (hexval(c) < 0) {
            for (int k = c - XP_ZERO_RUN + 1; k > 0 && i < n; k--)
                b[i++] = 0;
            continue;
        }
        b[i++] = (uint8_t)((uint32_t)hexval(c) << 4 | rx_digit());
    }
}

static void agent_serve(void)
{
    out_begin("HVREADY");
    out_hex(XP_ABI);
    out_end();
    for (;;) {
        uint32_t n = rx_u32_digits();
        if (n == 0)
            agent_shutdown();
        if (n > sizeof(rx_buf) || n < 4)
            agent_die("a record longer than XP_MAX_PROG");
        rx_bytes(rx_buf, n);
        /* the record's end is acknowledged too, so the host never waits on a partial chunk */
        out_begin("HVN");
        out_hex(rx_total);
        out_end();
        agent_run_one(get32(rx_buf), rx_buf + 4, n - 4);
    }
}

void agent_main(struct start_info *si);
void agent_main(struct start_info *si)
{
    agent_si = si;
    agent_p2m = (const uint64_t *)si->mfn_list;
    agent_traps();
    /* a domU (build.c started it): its index in cmd_line, its work through its shared page */
    if (!(si->flags & XEN417_SIF_INITDOMAIN)) {
        agent_dom = (unsigned)(si->cmd_line[0] - '0');
        baseline_init();
        domu_serve();
    }
    uint64_t t0 = agent_rdtsc();
    build_domus();
    uint64_t t1 = agent_rdtsc();
    baseline_init();
    /* for the log (the host ignores the line): how many domains, what building them cost in
       TSC cycles (QEMU's TCG passes the host's TSC through), and why the last one failed */
    out_begin("HVD domains");
    out_hex(agent_nr_doms);
    out_hex(t1 - t0);
    out_str(build_error ? " " : " -");
    if (build_error)
        out_str(build_error);
    out_end();
    if (si->mod_len)
        agent_run_module();
    agent_serve();
}
