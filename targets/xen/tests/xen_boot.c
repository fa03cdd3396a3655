/*
 * The xen target on real Xen (only with HVFUZZ_XEN_TESTS=1, as make check-xen sets it: each
 * boot costs seconds): a program's results do not depend on the program before it, because the
 * agent undoes what a program did or says it could not (then the host reboots). baseline_b.txt
 * runs first in a fresh boot, then after baseline_a.txt (which leaves a written page, a
 * read-only mapping, a pinned L1 and an open port behind) in the same boot, then after
 * taint.txt (which the agent cannot undo: the machine is restored from the one saved after the
 * boot): the same results each time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/xen.h"
#include "targets/xen/xen.h"
#include "test.h"

#define XEN_PROGS "targets/xen/tests/progs/"

static bool xen_boot_wanted(void)
{
    const char *e = getenv("HVFUZZ_XEN_TESTS");

    return e && !strcmp(e, "1");
}

static void xen_boot_load(struct prog *p, const char *name)
{
    char path[256];

    /* a bare name is one of this directory's programs, a path is taken as it is */
    snprintf(path, sizeof(path), "%s%s", strchr(name, '/') ? "" : XEN_PROGS, name);
    if (prog_load(p, path) != PROG_OK) {
        fprintf(stderr, "%s:%d: cannot load %s (run from the source tree)\n", __FILE__, __LINE__,
                path);
        CU_FAIL_FATAL("program file");
    }
}

static void xen_boot_same(const struct prog *p, const struct op_result *a,
                          const struct op_result *b)
{
    for (uint32_t i = 0; i < p->nr_ops; i++) {
        bool same = a[i].status == b[i].status && a[i].rc == b[i].rc &&
                    a[i].value == b[i].value && a[i].fault == b[i].fault &&
                    a[i].pfec == b[i].pfec && a[i].out_len == b[i].out_len &&
                    (!a[i].out_len || !memcmp(a[i].out, b[i].out, a[i].out_len));
        if (!same)
            fprintf(stderr, "%s:%d: op %u: alone: status %u rc %lld value %#llx fault %u; "
                            "after another program: status %u rc %lld value %#llx fault %u\n",
                    __FILE__, __LINE__, i, a[i].status, (long long)a[i].rc,
                    (unsigned long long)a[i].value, a[i].fault, b[i].status, (long long)b[i].rc,
                    (unsigned long long)b[i].value, b[i].fault);
        CU_ASSERT(same);
    }
}

/* Open the xen target on b's machine, freshly booted, and run b alone into alone[] (payloads
   kept in out[], the driver reuses its buffers). False, with a SKIP line, when it cannot open. */
static bool xen_boot_alone(struct target *t, const char *test, const struct prog *b,
                           struct op_result *alone, uint8_t (*out)[PROG_MAX_PAYLOAD])
{
    struct target_opts o = target_default_opts;
    struct finding f;

    o.capture_out = true;
    if (target_open(t, target_find("xen"), &b->shape, &o) < 0) {
        printf("SKIP: %s: the xen target does not open here (the line above says why)\n", test);
        return false;
    }
    xen_target_reboot(t);
    CU_ASSERT(!target_run(t, b, alone, &f));
    for (uint32_t i = 0; i < b->nr_ops; i++) {
        if (alone[i].out)
            memcpy(out[i], alone[i].out, alone[i].out_len);
        alone[i].out = out[i];
    }
    return true;
}

/* Run first, then b, whose results must be those b gave alone; first's results are left in ra
   for the caller. restores: the machines (boots and restores) first must cost, -1 unchecked. */
static void xen_boot_then(struct target *t, const struct prog *first, const struct prog *b,
                          const struct op_result *alone, struct op_result *ra, int restores)
{
    static struct op_result after[PROG_MAX_OPS];
    struct finding f;
    unsigned machines = xen_boots + xen_restores;

    CU_ASSERT(!target_run(t, first, ra, &f));
    CU_ASSERT(!target_run(t, b, after, &f));
    if (restores >= 0)
        TEST_EQ(machines + (unsigned)restores, xen_boots + xen_restores);
    xen_boot_same(b, alone, after);
}

TEST(xen_boot_baseline)
{
    static struct prog a, b, taint;
    static struct op_result alone[PROG_MAX_OPS], ra[PROG_MAX_OPS];
    static uint8_t out_alone[PROG_MAX_OPS][PROG_MAX_PAYLOAD];
    struct target t;

    if (!xen_boot_wanted())
        return;
    xen_boot_load(&a, "baseline_a.txt");
    xen_boot_load(&b, "baseline_b.txt");
    xen_boot_load(&taint, "taint.txt");
    if (!xen_boot_alone(&t, "xen_boot_baseline", &b, alone, out_alone))
        return;
    xen_boot_then(&t, &a, &b, alone, ra, -1);
    /* a ran its ops: the undo had something to do */
    TEST_EQ(0, ra[3].rc);
    /* a program the agent cannot undo: the next one runs on the saved machine, restored (or,
       where QEMU would not save it, on a fresh boot) */
    xen_boot_then(&t, &taint, &b, alone, ra, 1);
    target_close(&t);
}

/* The same for a domU (docs/XEN.md, "Several domains"): domU 1's agent undoes its program's
   state, so domu_baseline_b.txt gives the same results alone, after domu_baseline_a.txt and
   after domu_by_dom0.txt (dom0 allocating a port in domU 1), with no restore in between. */
TEST(xen_boot_domu_undo)
{
    static struct prog a, b, by0;
    static struct op_result alone[PROG_MAX_OPS], ra[PROG_MAX_OPS];
    static uint8_t out_alone[PROG_MAX_OPS][PROG_MAX_PAYLOAD];
    struct target t;

    if (!xen_boot_wanted())
        return;
    xen_boot_load(&a, "domu_baseline_a.txt");
    xen_boot_load(&b, "domu_baseline_b.txt");
    xen_boot_load(&by0, "domu_by_dom0.txt");
    if (!xen_boot_alone(&t, "xen_boot_domu_undo", &b, alone, out_alone))
        return;
    for (uint32_t i = 0; i < b.nr_ops; i++)
        TEST_EQ(OPS_RAN, alone[i].status);   /* the domU ran it: nothing is unsupported */
    xen_boot_then(&t, &a, &b, alone, ra, 0);
    TEST_EQ(0, ra[3].rc);
    /* dom0 changing the domU (a port allocated in it) is undone too, though domU 1 ran no op */
    xen_boot_then(&t, &by0, &b, alone, ra, 0);
    TEST_EQ(0, ra[0].rc);
    target_close(&t);
}

/* Xen frees an event channel bucket only with its domain: a program that grew domU 1's ports
   past the first 64 cannot be undone (the agent sees port 64 still valid and taints it), so the
   next program's status of port 64 is -EINVAL as alone, on a restored machine. */
TEST(xen_boot_evtchn_bucket)
{
    static struct prog grow, b;
    static struct op_result alone[PROG_MAX_OPS], ra[PROG_MAX_OPS];
    static uint8_t out_alone[PROG_MAX_OPS][PROG_MAX_PAYLOAD];
    struct target t;

    if (!xen_boot_wanted())
        return;
    xen_boot_load(&grow, "corpora/conformance/event_channel.bucket_grows_past_64.txt");
    xen_boot_load(&b, "corpora/conformance/event_channel.status_past_bucket_einval.txt");
    if (!xen_boot_alone(&t, "xen_boot_evtchn_bucket", &b, alone, out_alone))
        return;
    TEST_EQ(-XEN_EINVAL, alone[0].rc);
    xen_boot_then(&t, &grow, &b, alone, ra, 1);
    TEST_EQ(0, ra[grow.nr_ops - 2].rc);   /* port 127 unmasked: the second bucket exists */
    target_close(&t);
}
