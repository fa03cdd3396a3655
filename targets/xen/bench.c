/* hvfuzz bench --target xen: boot time, and programs/s within a boot (fixed and generated dom0 programs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/gen.h"
#include "targets/xen/xen.h"

/* A short dom0 program of the kinds the agent runs: hypercalls, reads, a write, a PTE update. */
static const char xen_bench_text[] =
    "shape frames=512 domains=1 vcpus=1 pages=64\n"
    "hypercall d0 v0 xen_version(0, 0)\n"
    "hypercall d0 v0 xen_version(7, 0)\n"
    "guest_read d0 v0 gva(d0,g3,+8) size=8\n"
    "guest_write d0 v0 gva(d0,g3,+8) size=8\n"
    "guest_read d0 v0 0x1000 size=4\n"
    "hypercall d0 v0 update_va_mapping(gva(d0,g5,+0), pte(d0,g5,0x25), 2)\n"
    "hypercall d0 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) "
    "payload=hex:000000000000000000000000000000000000000000000000 fixup@8:8=mfn(d0,g5)\n"
    "hypercall d0 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) "
    "payload=hex:00000000000000000000000000000000 fixup@0:8=maddr(d0,g5,+0) "
    "fixup@8:8=pte(d0,g6,0x67)\n";

struct xen_bench_figure {
    double progs_per_s, ops_per_s;
    unsigned progs, findings;
};

/* Programs run for secs (at least one); p_of(i) gives the i-th. */
static void xen_bench_loop(struct target *t, struct prog *(*p_of)(unsigned i, void *arg),
                           void *arg, double secs, struct xen_bench_figure *r)
{
    static struct op_result res[PROG_MAX_OPS];
    struct finding f;
    unsigned long ops = 0;
    double t0 = xen_now(), el;

    memset(r, 0, sizeof(*r));
    do {
        struct prog *p = p_of(r->progs, arg);
        r->findings += target_run(t, p, res, &f);
        ops += p->nr_ops;
        r->progs++;
        el = xen_now() - t0;
    } while (el < secs);
    r->progs_per_s = r->progs / el;
    r->ops_per_s = (double)ops / el;
}

static struct prog *xen_bench_fixed(unsigned i, void *arg)
{
    return arg;
}

struct xen_bench_gen {
    struct gen g;
    struct prog p;
};

static struct prog *xen_bench_generated(unsigned i, void *arg)
{
    struct xen_bench_gen *b = arg;

    gen_program(&b->g, &b->p);
    return &b->p;
}

int xen_bench(FILE *out, double secs, bool json)
{
    static struct prog fixed;
    static struct xen_bench_gen gb;
    static struct op_result res[PROG_MAX_OPS];
    struct xen_bench_figure ff, fg;
    struct gen_cfg cfg = gen_default_cfg;
    struct finding f;
    struct target t;
    unsigned line = 0;

    if (prog_parse_text(&fixed, xen_bench_text, &line) != PROG_OK ||
        target_open(&t, target_find("xen"), &fixed.shape, NULL) < 0)
        return -1;
    /* the boot: QEMU's start to the agent's first word, then the first program's answer */
    xen_target_reboot(&t);
    double t0 = xen_now();
    if (target_run(&t, &fixed, res, &f)) {
        fprintf(stderr, "hvfuzz bench: xen: the first program gave %s\n", f.signature);
        target_close(&t);
        return -1;
    }
    double boot = xen_now() - t0;
    unsigned boots0 = xen_boots + xen_restores;
    xen_bench_loop(&t, xen_bench_fixed, &fixed, secs, &ff);
    /* generated programs on one domain and vCPU (what the agent runs), exits off: those the
       agent cannot undo cost a reboot each, which the figure includes */
    cfg.shape = fixed.shape;
    cfg.weight[GEN_F_EXIT] = 0;
    gen_init(&gb.g, &cfg, 1);
    unsigned boots1 = xen_boots + xen_restores, b1 = xen_boots, r1 = xen_restores;
    xen_bench_loop(&t, xen_bench_generated, &gb, secs, &fg);
    unsigned reboots = xen_boots + xen_restores - boots1;
    target_close(&t);
    if (json) {
        fprintf(out, "{\"target\": \"xen\", \"boot_s\": %.3f, \"fixed_ops\": %u, "
                     "\"fixed_programs_per_s\": %.1f, \"fixed_ops_per_s\": %.1f, "
                     "\"generated_ops\": %u, \"generated_programs_per_s\": %.1f, "
                     "\"generated_reboots\": %u, \"generated_restores\": %u, "
                     "\"generated_programs\": %u, "
                     "\"generated_findings\": %u}\n",
                boot, fixed.nr_ops, ff.progs_per_s, ff.ops_per_s, cfg.nr_ops, fg.progs_per_s,
                xen_boots - b1, xen_restores - r1, fg.progs, fg.findings);
        return 0;
    }
    fprintf(out, "target xen (Xen 4.17 under QEMU TCG), %.1f s per figure\n", secs);
    fprintf(out, "  boot to the first program's results  %8.2f s\n", boot);
    fprintf(out, "  fixed %u-op dom0 program             %8.1f programs/s  (%.0f ops/s, "
                 "%u reboots)\n", fixed.nr_ops, ff.progs_per_s, ff.ops_per_s,
            xen_boots + xen_restores - boots0 - reboots);
    fprintf(out, "  generated %u-op dom0 programs        %8.1f programs/s  (%u programs, "
                 "%u boots, %u restores, %u findings)\n", cfg.nr_ops, fg.progs_per_s, fg.progs,
            xen_boots - b1, xen_restores - r1, fg.findings);
    return 0;
}
