/*
 * Exceptions in guest code go to the trap table the guest registered (set_trap_table), with
 * Xen's bounce frame on its stack, and iret returns from them: a #UD handler that irets past
 * the ud2, a #PF handler that reads the error code from its frame, and a vector the table does
 * not name (the domain crashes, as without a table). Each program's code is laid out in the
 * payload page: the code at 0, a handler at 0x40, the trap table at 0x100 (fixups point them at
 * each other).
 */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/target.h"
#include "test.h"

/* mov rbx, rsp (the target's stack, which leads back to it); mov rsp, <a stack in the domain's
   own memory: Xen refuses a frame in its range>; mov rdi, <table>; mov eax, 0 (set_trap_table);
   syscall. The code puts rsp back from rbx before its ret. */
#define TRAPS_SET  "4889e3" "48bc0000000000000000" "48bf0000000000000000" "b800000000" "0f05"

static const struct {
    const char *name;
    const char *body;       /* after TRAPS_SET */
    const char *handler;    /* at 0x40 */
    unsigned vector;        /* the table's one entry */
    const char *expect;
    const char *next;       /* a second op and its expectation, or NULL */
} trap_cases[] = {
    { "#UD delivered; the handler irets past the ud2",
      "0f0b" "b807000000" "4889dc" "c3",                   /* ud2; mov eax, 7; ret */
      /* pop rcx; pop r11; add qword [rsp], 2; push 0 (flags); push rcx; push r11; push rax;
         mov eax, 23 (iret); syscall */
      "59" "415b" "4883042402" "6a00" "51" "4153" "50" "b817000000" "0f05",
      6, "rc=7, fault=none", NULL },
    { "#PF delivered with its error code in the frame",
      "48be0000104000000000" "c60601" "b863000000" "4889dc" "c3",   /* mov byte [0x40100000], 1 */
      "488b442410" "4889dc" "c3",       /* mov rax, [rsp+16] (the error code); ret */
      14, "rc=2, fault=none", NULL },
    { "a vector the table does not name crashes the domain",
      "cc" "c3",                                           /* int3 */
      "c3", 6, "fault=bp", "guest_code d1 v1 payload=hex:c3 => status=not_run" },
};

static void traps_hex_pad(char *buf, size_t cap, size_t *n, size_t to)
{
    while (*n / 2 < to && *n + 2 < cap) {
        memcpy(buf + *n, "90", 2);
        *n += 2;
    }
    buf[*n] = 0;
}

TEST(unicorn_traps)
{
    static char text[8192];

    for (size_t i = 0; i < sizeof(trap_cases) / sizeof(trap_cases[0]); i++) {
        char code[2048];
        size_t n = (size_t)snprintf(code, sizeof(code), "%s%s", TRAPS_SET, trap_cases[i].body);
        traps_hex_pad(code, sizeof(code), &n, 0x40);
        n += (size_t)snprintf(code + n, sizeof(code) - n, "%s", trap_cases[i].handler);
        traps_hex_pad(code, sizeof(code), &n, 0x100);
        /* trap_info: vector, flags 0, cs 0xe033, address (a fixup); then the end entry */
        n += (size_t)snprintf(code + n, sizeof(code) - n, "%02x0033e000000000%016x", trap_cases[i].vector, 0);
        n += (size_t)snprintf(code + n, sizeof(code) - n, "%032x", 0);
        int len = snprintf(text, sizeof(text),
                           "shape frames=256 domains=3 vcpus=2 pages=64\n"
                           "guest_code d1 v0 payload=hex:%s fixup@5:8=gva(d1,g61,+0) "
                           "fixup@15:8=gva(d1,g63,+256) "
                           "fixup@264:8=gva(d1,g63,+64) => %s\n%s%s",
                           code, trap_cases[i].expect,
                           trap_cases[i].next ? trap_cases[i].next : "",
                           trap_cases[i].next ? "\n" : "");
        CU_ASSERT_FATAL(len > 0 && (size_t)len < sizeof(text));
        static struct prog p;
        unsigned line = 0;
        CU_ASSERT_FATAL(prog_parse_text(&p, text, &line) == PROG_OK);
        struct target_opts o = target_default_opts;
        o.check_expect = true;   /* a result other than the row states is expect:<op> */
        struct target t;
        struct finding f;
        CU_ASSERT_FATAL(target_open(&t, target_find("unicorn"), &p.shape, &o) == 0);
        bool found = target_run(&t, &p, NULL, &f);
        fprintf(stderr, "%s: expected no finding, actual %s%s%s\n", trap_cases[i].name,
                found ? f.signature : "none", found ? "\n" : "", found ? f.detail : "");
        CU_ASSERT(!found);
        target_close(&t);
    }
}
