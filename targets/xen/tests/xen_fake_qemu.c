/*
 * The xen target's host side against a stand-in for QEMU (a shell script, HVFUZZ_QEMU): Xen's
 * panic text becomes the finding crash:xen:panic naming the op that was running, and is acted on
 * at once (not after Xen's reboot delay); silence past the boot or program deadline becomes
 * hang:xen. No Xen or QEMU needed, so these run everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"
#include "test.h"

/* A script printing lines (agent lines framed as the agent frames them), then sleeping. */
static void xen_fake_write(const char *path, const char *const *lines, unsigned n)
{
    FILE *f = fopen(path, "w");

    CU_ASSERT_FATAL(f != NULL);
    fprintf(f, "#!/bin/sh\n");
    for (unsigned i = 0; i < n; i++) {
        if (!strcmp(lines[i], "pause")) {
            fprintf(f, "sleep 0.3\n");
        } else if (!strncmp(lines[i], "HV", 2)) {
            fprintf(f, "echo '%s ~%08x'\n", lines[i], (unsigned)xp_fnv(lines[i], strlen(lines[i])));
        } else {
            fprintf(f, "echo '%s'\n", lines[i]);
        }
    }
    fprintf(f, "exec sleep 30\n");
    fclose(f);
    chmod(path, 0755);
}

/* Runs a two-op dom0 program on the fake machine; returns the finding's signature. */
static bool xen_fake_run(const char *const *lines, unsigned n, struct finding *f, double *secs)
{
    char script[] = "/tmp/hvfuzz-fake-qemu.XXXXXX";
    int fd = mkstemp(script);
    static struct prog p;
    static struct op_result res[PROG_MAX_OPS];
    struct target t;
    unsigned line = 0;

    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    xen_fake_write(script, lines, n);
    setenv("HVFUZZ_QEMU", script, 1);
    setenv("HVFUZZ_XEN_ELF", "/dev/null", 1);
    setenv("HVFUZZ_XEN_AGENT", "/dev/null", 1);
    setenv("HVFUZZ_XEN_BOOT_SECS", "1", 1);
    setenv("HVFUZZ_XEN_PROG_SECS", "1", 1);
    setenv("HVFUZZ_XEN_SNAPSHOT", "0", 1);
    CU_ASSERT_FATAL(prog_parse_text(&p, "shape frames=512 domains=1 vcpus=1 pages=64\n"
                                        "hypercall d0 v0 xen_version(0, 0)\n"
                                        "hypercall d0 v0 xen_version(0, 0)\n", &line) == PROG_OK);
    bool found = false;
    double t0 = xen_now();
    if (target_open(&t, target_find("xen"), &p.shape, NULL) == 0) {
        found = target_run(&t, &p, res, f);
        target_close(&t);
    }
    *secs = xen_now() - t0;
    unsetenv("HVFUZZ_QEMU");
    unsetenv("HVFUZZ_XEN_ELF");
    unsetenv("HVFUZZ_XEN_AGENT");
    unsetenv("HVFUZZ_XEN_BOOT_SECS");
    unsetenv("HVFUZZ_XEN_PROG_SECS");
    unsetenv("HVFUZZ_XEN_SNAPSHOT");
    unlink(script);
    return found;
}

TEST(xen_fake_panic_mid_program)
{
    const char *const lines[] = {
        "(XEN) Xen version 4.17", "HVREADY 1", "pause", "HVR 0 0 0 ff 0 40011 0",
        "(XEN) ****************************************", "(XEN) Panic on CPU 0:",
        "(XEN) FATAL TRAP: vector = 6 (invalid opcode)",
    };
    struct finding f;
    double secs;

    CU_ASSERT(xen_fake_run(lines, sizeof(lines) / sizeof(lines[0]), &f, &secs));
    CU_ASSERT_STRING_EQUAL(f.signature, "crash:xen:panic");
    TEST_EQ(1, f.op_index);
    /* the script sleeps 30 s after the panic: QEMU is killed at the text, not waited for */
    CU_ASSERT(secs < 10);
}

TEST(xen_fake_hang_at_boot)
{
    const char *const lines[] = { "(XEN) Xen version 4.17" };
    struct finding f;
    double secs;

    CU_ASSERT(xen_fake_run(lines, 1, &f, &secs));
    CU_ASSERT_STRING_EQUAL(f.signature, "hang:xen");
    CU_ASSERT(secs < 10);
}

TEST(xen_fake_hang_in_program)
{
    const char *const lines[] = { "HVREADY 1", "pause", "HVR 0 0 0 ff 0 40011 0" };
    struct finding f;
    double secs;

    CU_ASSERT(xen_fake_run(lines, 3, &f, &secs));
    CU_ASSERT_STRING_EQUAL(f.signature, "hang:xen");
    TEST_EQ(1, f.op_index);
    CU_ASSERT(secs < 10);
}
