/*
 * Guest code runs as a PV guest kernel's does: hypercalls by syscall, exits from the
 * instructions that raise them, faults with the monitor's error codes, the domain crashed at an
 * exception it has no handler for, the budget as a hang. Each row is a program stating its
 * results (=> ...); a wrong result is the finding expect:<op>.
 */
#include <string.h>

#include "test.h"
#include "targets/unicorn/tests/uni_test.h"

#define UNI_SHAPE "shape frames=256 domains=3 vcpus=2 pages=64\n"

static const struct {
    const char *name;
    const char *text;
    const char *finding;   /* expected signature, or NULL */
} code_cases[] = {
    { "hypercall by syscall",   /* xen_version(0): 4.17 */
      UNI_SHAPE "guest_code d1 v0 payload=hex:b81100000031ff0f05c3 => rc=0x40011, fault=none, exits=none\n",
      NULL },
    { "cpuid from the policy",
      UNI_SHAPE "guest_code d1 v0 payload=hex:31c00fa2c3 => rc=7, exits=cpuid\n", NULL },
    { "rdmsr emulated after #GP",
      UNI_SHAPE "guest_code d1 v0 payload=hex:b91b0000000f32c3 => rc=0xfee00900, exits=msr_read\n",
      NULL },
    { "out to the UART",
      UNI_SHAPE "guest_code d1 v0 payload=hex:66baf803b041eec3 => rc=65, exits=io\n", NULL },
    { "rdtsc reads the monitor's TSC",
      UNI_SHAPE "guest_code d1 v0 payload=hex:b8ffffffff0f31c3 => rc=0, fault=none\n", NULL },
    { "self-modifying code runs the new bytes",   /* mov byte [rip], 0xc3 turns mov into ret */
      UNI_SHAPE "guest_code d1 v0 payload=hex:c60500000000c3b801000000c3 => rc=0, fault=none\n",
      NULL },
    { "a store into its own L1 faults and is undone",   /* the audit would see a changed L1 */
      UNI_SHAPE "guest_code d1 v0 payload=hex:48bf000000000000000048c70734120000c3 fixup@2:8=gva(d1,g3,+8) => fault=pf, pfec=0x3\n"
      "guest_read d1 v1 gva(d1,g5,+0) size=8 => status=not_run\n", NULL },
    { "a fetch from an NX page",
      UNI_SHAPE "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) payload=hex:00000000000000000000000000000000 fixup@0:8=maddr(d1,g3,+48) fixup@8:8=pte(d1,g6,0x8000000000000067) => rc=0\n"
      "guest_code d1 v0 payload=hex:48b80000000000000000ffe0 fixup@2:8=gva(d1,g6,+0) => fault=pf, pfec=0x11\n",
      NULL },
    { "a privileged instruction crashes the domain",
      UNI_SHAPE "guest_code d2 v0 payload=hex:fac3 => fault=gp\n"
      "guest_code d2 v1 payload=hex:c3 => status=not_run\n"
      "guest_code d1 v0 payload=hex:c3 => status=ran, fault=none\n", NULL },
    { "the DMA device's registers through the device window",
      /* mov ebx, 0xfeb00008; mov eax, 0x3f000; mov [rbx], rax; xor eax, eax; mov rax, [rbx]; ret */
      UNI_SHAPE "guest_code d1 v0 payload=hex:bb0800b0feb800f0030048890331c0488b03c3 => rc=0x3f000, exits=mmio+mmio\n",
      NULL },
    { "code whose page the guest made read-only is not placed, and does not run",
      /* gfn 63 is the payload page; its PTE without RW, the TLB entry flushed (UVMF_INVLPG) */
      UNI_SHAPE "hypercall d1 v0 update_va_mapping(gva(d1,g63,+0), pte(d1,g63,0x25), 0x2) => rc=0\n"
      "guest_code d1 v0 payload=hex:b801000000c3 => status=not_run, rc=-EFAULT, pfec=0x3\n"
      "guest_code d2 v0 payload=hex:b802000000c3 => rc=2\n", NULL },
    { "ud2", UNI_SHAPE "guest_code d1 v0 payload=hex:0f0b => fault=ud\n", NULL },
    { "hlt blocks the vCPU",
      UNI_SHAPE "guest_code d1 v0 payload=hex:f4c3 => exits=hlt, fault=none\n"
      "guest_code d1 v0 payload=hex:c3 => status=not_run\n", NULL },
    { "one domain's code is not another's",   /* same VA, other frames */
      UNI_SHAPE "guest_code d2 v0 payload=hex:b802000000c3 => rc=2\n"
      "guest_code d1 v0 payload=hex:b801000000c3 => rc=1\n"
      "guest_code d2 v0 payload=hex:b803000000c3 => rc=3\n", NULL },
    { "the budget", UNI_SHAPE "guest_code d0 v0 budget=100 payload=hex:ebfe\n", "hang:guest_code" },
    { "a wrong expectation is caught",
      UNI_SHAPE "guest_code d1 v0 payload=hex:31c00fa2c3 => rc=8\n", "expect:guest_code" },
};

TEST(unicorn_guest_code)
{
    for (size_t i = 0; i < sizeof(code_cases) / sizeof(code_cases[0]); i++) {
        static struct prog p;
        struct target t;
        struct finding f;
        struct target_opts o = target_default_opts;
        unsigned line = 0;

        if (prog_parse_text(&p, code_cases[i].text, &line) != PROG_OK) {
            fprintf(stderr, "%s: line %u does not parse\n", code_cases[i].name, line);
            CU_FAIL("parse");
            continue;
        }
        o.check_expect = true;
        CU_ASSERT_FATAL(target_open(&t, target_find("unicorn"), &p.shape, &o) == 0);
        bool found = target_run(&t, &p, NULL, &f);
        const char *got = found ? f.signature : "none";
        const char *want = code_cases[i].finding ? code_cases[i].finding : "none";
        if (strcmp(got, want))
            fprintf(stderr, "%s: expected %s, actual %s\n%s\n", code_cases[i].name, want, got,
                    found ? f.detail : "");
        CU_ASSERT_STRING_EQUAL(got, want);
        target_close(&t);
    }
}
