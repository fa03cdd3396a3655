/* The xen target: programs run by the dom0 agent on Debian's Xen 4.17 under QEMU (docs/XEN.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"

struct xen_target {
    struct xen_conf conf;
    struct xen_vm vm;
    uint8_t *rec;           /* {u32 flags, the program's canonical binary} */
};

/*
 * A machine outlives the target that booted it: a command that re-opens the target (hvfuzz
 * diff does on every change of shape) takes it back instead of booting again. It is shut down
 * when the process exits (and QEMU dies with the process in any case: vm.c).
 */
static struct xen_vm *xen_parked;
static struct xen_conf xen_parked_conf;

static void xen_parked_stop(void)
{
    if (!xen_parked)
        return;
    if (xen_parked->pid > 0 && write(xen_parked->to_qemu, "00000000", 8) < 0) {
        /* gone already */
    }
    xen_vm_kill(xen_parked);
    free(xen_parked);
    xen_parked = NULL;
}

static int xen_open(struct target *t, const struct prog_shape *shape, const struct target_opts *o)
{
    struct xen_target *x = calloc(1, sizeof(*x));
    char why[256];

    if (!x)
        return -1;
    if (xen_conf_find(&x->conf, why, sizeof(why)) < 0) {
        /* the one line a command shows for a target that cannot run here */
        fprintf(stderr, "hvfuzz: %s\n", why);
        free(x);
        return -1;
    }
    x->vm.to_qemu = x->vm.from_qemu = -1;
    /* only the same files: a test may point the target at a stand-in */
    if (xen_parked && (strcmp(xen_parked_conf.qemu, x->conf.qemu) ||
                       strcmp(xen_parked_conf.xen_elf, x->conf.xen_elf) ||
                       strcmp(xen_parked_conf.agent, x->conf.agent)))
        xen_parked_stop();
    if (xen_parked) {
        x->vm = *xen_parked;
        free(xen_parked);
        xen_parked = NULL;
    }
    x->rec = malloc(XP_MAX_PROG);
    if (!x->rec) {
        free(x);
        return -1;
    }
    t->priv = x;
    return 0;
}

/* The agent undoes each program itself (or says it could not, and is rebooted): nothing here. */
static int xen_reset(struct target *t)
{
    return 0;
}

static void xen_close(struct target *t)
{
    struct xen_target *x = t->priv;

    if (!x)
        return;
    if (x->vm.pid > 0) {
        static bool hooked;
        xen_parked_stop();
        xen_parked = malloc(sizeof(*xen_parked));
        if (xen_parked) {
            *xen_parked = x->vm;
            xen_parked_conf = x->conf;
            if (!hooked)
                atexit(xen_parked_stop);
            hooked = true;
        } else {
            xen_vm_kill(&x->vm);
        }
    }
    free(x->rec);
    free(x);
    t->priv = NULL;
}

/* Results of one program from the agent's lines; returns 0, 1 with a finding, -1. */
static int xen_collect(struct target *t, const struct prog *p, struct op_result *res,
                       struct finding *f, uint32_t idx)
{
    struct xen_target *x = t->priv;
    double deadline = xen_now() + x->conf.prog_secs;
    uint32_t got = 0;
    struct xen_line l;

    for (;;) {
        int r = xen_vm_line(&x->vm, deadline, &l);
        if (r != 1 || l.kind == XL_CRASH || l.kind == XL_AGENT_DIED) {
            xen_vm_finding(&x->vm, f, r == 1 ? &l : NULL, (int)got,
                           r == 0 ? "the agent gave no result before the program's deadline"
                                  : r < 0 ? "QEMU exited during the program"
                                          : "Xen or the agent died during the program");
            xen_vm_kill(&x->vm);
            return 1;
        }
        if (l.kind == XL_RESULT && l.f[0] == idx && l.f[1] < p->nr_ops) {
            struct op_result *o = &res[l.f[1]];
            o->status = (uint8_t)l.f[2];
            o->fault = (uint8_t)l.f[3];
            o->pfec = (uint32_t)l.f[4];
            o->rc = (int64_t)l.f[5];
            o->value = l.f[6];
            got = (uint32_t)l.f[1] + 1;
        } else if (l.kind == XL_OUT && l.f[0] == idx && l.f[1] < p->nr_ops && res[l.f[1]].out) {
            memcpy(res[l.f[1]].out, l.bytes, l.nbytes);
            res[l.f[1]].out_len = l.nbytes;
        } else if (l.kind == XL_END && l.f[0] == idx) {
            if (l.f[1] != p->nr_ops || got != p->nr_ops) {
                /* lines lost on the serial line (or a program the agent could not decode):
                   the results would be made up */
                fprintf(stderr, "hvfuzz: xen target: program %u: %u of %u results arrived (%s)\n",
                        idx, got, p->nr_ops, l.text);
                xen_vm_kill(&x->vm);
                return -1;
            }
            /* a program the agent could not fully undo: the next one boots afresh */
            if (l.f[2] != XP_CLEAN)
                xen_vm_kill(&x->vm);
            return 0;
        }
    }
}

/* Whether the agent would refuse op before looking at its arguments (agent/run.c, run_op). */
static bool xen_op_refused(const struct prog_op *op)
{
    return op->dom != 0 || op->vcpu != 0 ||
           (op->kind != OP_HYPERCALL && op->kind != OP_GUEST_READ && op->kind != OP_GUEST_WRITE);
}

static int xen_run_prog(struct target *t, const struct prog *p, struct op_result *res,
                        struct finding *f)
{
    struct xen_target *x = t->priv;
    struct xen_line l;
    uint32_t refused = 0;

    /* a program of ops the agent refuses all (most of the conformance corpus runs in domU 1)
       gets the agent's answers without a boot or a round trip */
    for (uint32_t i = 0; i < p->nr_ops; i++)
        refused += xen_op_refused(&p->ops[i]);
    if (refused == p->nr_ops) {
        for (uint32_t i = 0; i < p->nr_ops; i++)
            res[i].status = OPS_UNSUPPORTED;
        return 0;
    }

    if (x->vm.pid <= 0) {
        int r = xen_vm_boot(&x->vm, &x->conf, f);
        if (r)
            return r;
    }
    size_t n = prog_encode(p, x->rec + 4, XP_MAX_PROG - 4);
    if (!n)
        return -1;
    uint32_t flags = t->opts.capture_out ? XP_PROG_OUT : 0;
    memcpy(x->rec, &flags, 4);
    uint32_t idx = x->vm.next_prog++;
    int r = xen_vm_send(&x->vm, x->rec, n + 4, xen_now() + x->conf.prog_secs, &l, f);
    if (r) {
        xen_vm_kill(&x->vm);
        return r;
    }
    return xen_collect(t, p, res, f, idx);
}

/* One op alone: a program of that op (the target keeps no state between run_op calls). */
static int xen_run_op(struct target *t, const struct prog_op *op, struct op_result *res)
{
    static struct prog p;
    struct finding f;

    prog_init(&p, &t->shape);
    p.ops[0] = *op;
    p.nr_ops = 1;
    int r = xen_run_prog(t, &p, res, &f);
    return r == 0 ? 0 : -1;
}

void xen_target_reboot(struct target *t)
{
    struct xen_target *x = t->priv;

    xen_parked_stop();
    if (x)
        xen_vm_kill(&x->vm);
}

const struct target_ops xen_target_ops = {
    .name = "xen",
    .frames = "xen",
    .description = "Debian's Xen 4.17 under QEMU (software emulation), programs run by a dom0 agent",
    .open = xen_open,
    .reset = xen_reset,
    .run_op = xen_run_op,
    .run_prog = xen_run_prog,
    .close = xen_close,
};
