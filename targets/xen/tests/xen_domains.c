/*
 * Which programs the xen target's host side sends to the agent (no Xen needed): ops of the
 * domUs the agent builds (1..XP_DOMS-1), of any vCPU, go to it, so a machine boots; a program
 * whose every op belongs to a domain past them is answered unsupported at once, without a
 * boot. A stand-in for QEMU that never says HVREADY tells the two apart: a boot is hang:xen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/xen/proto.h"
#include "targets/xen/xen.h"
#include "test.h"

/* Runs text on a machine that never boots; true if that produced a finding (a boot happened). */
static bool xen_domains_booted(const char *text, struct op_result *res)
{
    char script[] = "/tmp/hvfuzz-fake-qemu.XXXXXX";
    int fd = mkstemp(script);
    static struct prog p;
    struct finding f;
    struct target t;
    unsigned line = 0;
    bool found = false;

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, "#!/bin/sh\nexec sleep 30\n", 24) == 24);
    close(fd);
    chmod(script, 0755);
    setenv("HVFUZZ_QEMU", script, 1);
    setenv("HVFUZZ_XEN_ELF", "/dev/null", 1);
    setenv("HVFUZZ_XEN_AGENT", "/dev/null", 1);
    setenv("HVFUZZ_XEN_BOOT_SECS", "1", 1);
    setenv("HVFUZZ_XEN_SNAPSHOT", "0", 1);
    CU_ASSERT_FATAL(prog_parse_text(&p, text, &line) == PROG_OK);
    if (target_open(&t, target_find("xen"), &p.shape, NULL) == 0) {
        found = target_run(&t, &p, res, &f) != 0;
        target_close(&t);
    }
    unsetenv("HVFUZZ_QEMU");
    unsetenv("HVFUZZ_XEN_ELF");
    unsetenv("HVFUZZ_XEN_AGENT");
    unsetenv("HVFUZZ_XEN_BOOT_SECS");
    unsetenv("HVFUZZ_XEN_SNAPSHOT");
    unlink(script);
    return found;
}

TEST(xen_domains_sent_to_agent)
{
    static struct op_result res[PROG_MAX_OPS];

    TEST_EQ(3, XP_DOMS);
    /* domain 2 is the agent's last domU: the program goes to the machine */
    CU_ASSERT(xen_domains_booted("shape frames=512 domains=4 vcpus=1 pages=64\n"
                                 "hypercall d2 v0 xen_version(0, 0)\n", res));
    /* an op of vCPU 1 goes too: the agent answers whether that vCPU can run */
    CU_ASSERT(xen_domains_booted("shape frames=512 domains=4 vcpus=2 pages=64\n"
                                 "hypercall d1 v1 xen_version(0, 0)\n", res));
    /* domain 3 the agent does not build: unsupported, no boot */
    CU_ASSERT(!xen_domains_booted("shape frames=512 domains=4 vcpus=2 pages=64\n"
                                  "hypercall d3 v0 xen_version(0, 0)\n"
                                  "hypercall d3 v1 xen_version(0, 0)\n", res));
    TEST_EQ(OPS_UNSUPPORTED, res[0].status);
    TEST_EQ(OPS_UNSUPPORTED, res[1].status);
}
