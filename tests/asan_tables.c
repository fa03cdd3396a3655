/* Under ASan, an index one past the end of a domain's guest-indexed tables is reported, not absorbed by a neighbour. */
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvfuzz/monitor.h"
#include "test.h"

/*
 * The tables guest-supplied numbers index (grant active entries by ref, maptrack by handle, event
 * channels by port, CMOS RAM by the index register) are separate allocations (dom_tables_alloc),
 * so an off-by-one bound check (XSA-342's class) reads or writes outside any object and ASan
 * reports a heap-buffer-overflow; inline in struct domain it would land in the next field and only
 * an invariant, if any, would notice. Each case runs in a child whose stderr is read back.
 */

#if defined(__SANITIZE_ADDRESS__)
#define AT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AT_ASAN 1
#endif
#endif

#ifdef AT_ASAN
static void at_touch(struct domain *d, unsigned which)
{
    volatile uint8_t *p;

    switch (which) {
    case 0: p = (volatile uint8_t *)&d->gnt.active[GNT_MAX_REFS]; break;
    case 1: p = (volatile uint8_t *)&d->gnt.maptrack[GNT_MAX_MAPTRACK]; break;
    case 2: p = (volatile uint8_t *)&d->evtchn[EVTCHN_MAX_PORTS]; break;
    default: p = (volatile uint8_t *)&d->cmos.ram[CMOS_SIZE]; break;
    }
    *p = 1;
}

/* True if the child's write one past the end of table `which` drew an ASan report. */
static bool at_caught(struct hv *hv, unsigned which)
{
    int fd[2];
    char buf[8192];
    size_t len = 0;
    ssize_t r;
    int status;

    if (pipe(fd) < 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        at_touch(&hv->dom[0], which);
        _exit(0);
    }
    close(fd[1]);
    while (len + 1 < sizeof(buf) && (r = read(fd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    close(fd[0]);
    waitpid(pid, &status, 0);
    return strstr(buf, "heap-buffer-overflow") != NULL;
}
#endif

TEST(asan_tables)
{
#ifndef AT_ASAN
    printf("asan_tables: skipped, not built with ASan (make asan, or SANITIZE=address,undefined)\n");
#else
    static const char *const names[] = { "gnt.active", "gnt.maptrack", "evtchn", "cmos.ram" };
    struct hv_config cfg = { .nr_frames = 64, .dom0_pages = 16, .dom0_vcpus = 1 };
    struct hv *hv = hv_create(&cfg);

    CU_ASSERT_FATAL(hv != NULL);
    for (unsigned i = 0; i < 4; i++) {
        bool caught = at_caught(hv, i);
        if (!caught)
            fprintf(stderr, "asan_tables: one past the end of %s: expected heap-buffer-overflow, "
                    "actual no report\n", names[i]);
        CU_ASSERT(caught);
    }
    hv_destroy(hv);
#endif
}
