/*
 * The sandbox turns a child's end into the right finding: a normal exit is none, a signal a
 * crash, a run past its time limit a hang; sanitizer reports (as ASan and UBSan print them) give
 * the kind and the function or file:line in the signature.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hvfuzz/sandbox.h"
#include "test.h"

static long sb_normal(void *arg, void *reply, size_t cap)
{
    memcpy(reply, "ok", 3);
    return 3;
}

static long sb_segv(void *arg, void *reply, size_t cap)
{
    raise(SIGSEGV);
    return 0;
}

static long sb_spin(void *arg, void *reply, size_t cap)
{
    for (;;)
        pause();
    return 0;
}

TEST(sandbox_children)
{
    /* only the spinning child may run into its limit: the others get one far above a loaded
       machine's fork time under ASan, so a slow start is never taken for a hang */
    static const struct { sandbox_fn fn; const char *prefix; unsigned limit_ms; } cases[] = {
        { sb_normal, "", 20000 },
        { sb_segv, "crash:SIGSEGV", 20000 },
        { sb_spin, "hang:timeout", 300 },
    };
    static struct sandbox_result r;
    char reply[16];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct finding f;
        CU_ASSERT_FATAL(sandbox_run(cases[i].fn, NULL, cases[i].limit_ms, reply, sizeof(reply), &r) == 0);
        bool found = sandbox_finding(&r, 0, &f);
        const char *sig = found ? f.signature : "";
        if (strncmp(sig, cases[i].prefix, strlen(cases[i].prefix)) || found != (cases[i].prefix[0] != 0))
            fprintf(stderr, "sandbox case %zu: expected '%s', actual '%s'\n", i, cases[i].prefix, sig);
        CU_ASSERT(found == (cases[i].prefix[0] != 0));
        CU_ASSERT(!strncmp(sig, cases[i].prefix, strlen(cases[i].prefix)));
        if (i == 0)
            CU_ASSERT(r.reply_len == 3 && !strcmp(reply, "ok"));
    }
}

TEST(sandbox_sanitizer_text)
{
    static const struct { const char *err; const char *sig; } cases[] = {
        { "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1\n"
          "SUMMARY: AddressSanitizer: heap-buffer-overflow /w/monitor/mm.c:120:5 in put_page\n",
          "sanitizer:heap-buffer-overflow:put_page" },
        { "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x0\n"
          "SUMMARY: AddressSanitizer: SEGV /w/monitor/walk.c:58:9 in pt_walk\n",
          "crash:SIGSEGV:pt_walk" },
        { "monitor/frame.c:71:9: runtime error: signed integer overflow\n"
          "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior monitor/frame.c:71:9 \n",
          "sanitizer:ubsan:frame.c:71" },
    };
    static struct sandbox_result r;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct finding f;
        memset(&r, 0, sizeof(r));
        r.how = SANDBOX_EXITED;
        r.status = 1;
        snprintf(r.err, sizeof(r.err), "%s", cases[i].err);
        CU_ASSERT(sandbox_finding(&r, 0, &f));
        if (strcmp(f.signature, cases[i].sig))
            fprintf(stderr, "sanitizer case %zu: expected %s, actual %s\n", i, cases[i].sig, f.signature);
        CU_ASSERT_STRING_EQUAL(f.signature, cases[i].sig);
    }
}
