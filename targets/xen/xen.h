/* The xen target's host side: where Xen, QEMU and the agent are, the QEMU process, the line parser. */
#ifndef HVFUZZ_TARGETS_XEN_H
#define HVFUZZ_TARGETS_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "hvfuzz/target.h"

/* The files a boot needs; HVFUZZ_QEMU, HVFUZZ_XEN_ELF and HVFUZZ_XEN_AGENT override them. */
struct xen_conf {
    char qemu[512];
    char xen_elf[512];
    char agent[512];
    double boot_secs;       /* from QEMU's start to the agent's HVREADY */
    double prog_secs;       /* from a program's last input byte to its HVE */
};
/* 0, or -1 with one line saying what is missing (and how to get it) in why. */
int xen_conf_find(struct xen_conf *c, char *why, size_t cap);

/* QEMU's options before -kernel, and Xen's command line (both vm.c; hvfuzz export writes them). */
#define XEN_QEMU_NR_OPTS 16
extern const char *const xen_qemu_opts[XEN_QEMU_NR_OPTS];
const char *xen_append(void);
/* A reproducer in dir (hvfuzz export): agent.elf, xen.elf, programs.bin holding p, run.sh,
   program.txt. 0, or -1 with why in err. */
int xen_export(const struct prog *p, const char *dir, char *err, size_t cap);

/* What one line of QEMU's output is (targets/xen/proto.h has the agent's lines). */
enum xen_line_kind {
    XL_OTHER = 0,       /* Xen's own output, or a line too damaged to be the agent's */
    XL_READY,
    XL_ACK,
    XL_RESULT,
    XL_OUT,
    XL_END,
    XL_AGENT_DIED,      /* HVX: the agent trapped or met what it cannot go on from */
    XL_CRASH,           /* Xen panicked, crashed dom0 or took a fatal trap */
};
struct xen_line {
    enum xen_line_kind kind;
    uint64_t f[7];          /* the numbers, in the line's order */
    unsigned nf;
    char text[96];          /* XL_CRASH: the reason word; HVE: why; HVX: the text */
    uint8_t bytes[PROG_MAX_PAYLOAD];
    uint16_t nbytes;        /* HVO */
};
/* Classify one line (no newline). A damaged agent line (bad checksum) is XL_OTHER. */
enum xen_line_kind xen_parse_line(const char *line, struct xen_line *l);

/* The running machine. */
#define XEN_TAIL_LINES 24
struct xen_vm {
    pid_t pid;              /* 0: none */
    int to_qemu, from_qemu;
    char rx[65536];
    size_t rx_len;
    uint64_t sent_digits, acked_digits;
    uint32_t next_prog;     /* the agent's index of the next program */
    char tail[XEN_TAIL_LINES][160];   /* the last lines of output, for a finding's detail */
    unsigned tail_at;
    double booted_in;       /* seconds to HVREADY of the last boot (or restore) */
    char mon[108];          /* QEMU's monitor socket, in the abstract namespace (snap.c) */
    char module[256];       /* the boot module's file, removed with the machine */
    bool module_file_pending;
};
/* Start QEMU and wait for the agent's HVREADY; 0, or 1 with a finding, or -1 (cannot start). */
int xen_vm_boot(struct xen_vm *vm, const struct xen_conf *c, struct finding *f);
void xen_vm_kill(struct xen_vm *vm);
/*
 * The next line within deadline (seconds since the epoch of xen_now), classified into *l;
 * returns 1, 0 on timeout, -1 when QEMU has gone. Acknowledgements update vm->acked_digits.
 */
int xen_vm_line(struct xen_vm *vm, double deadline, struct xen_line *l);
/* Send bytes as a record, XP_CHUNK digits at a time as the agent acknowledges them. */
int xen_vm_send(struct xen_vm *vm, const uint8_t *rec, size_t len, double deadline,
                struct xen_line *l, struct finding *f);
double xen_now(void);
/* A finding from a crash line or a silence: "crash:xen:<reason>" / "hang:xen", the tail in
   the detail. */
void xen_vm_finding(struct xen_vm *vm, struct finding *f, const struct xen_line *l, int op,
                    const char *what);

/* Machines booted, and restored from the saved one, by this process (the bench counts them). */
extern unsigned xen_boots, xen_restores;
/*
 * snap.c: the machine as it is right after a boot, saved once per process (QEMU's migration to a
 * file, ~2 s) at its second boot, and loaded (~0.3 s) instead of booting again whenever a
 * program leaves the agent dirty or Xen crashed. HVFUZZ_XEN_SNAPSHOT=0 switches it off. Both
 * give up quietly (the machine boots as before) if QEMU's monitor does not cooperate.
 */
void xen_snap_save(struct xen_vm *vm, const struct xen_conf *c);
int xen_snap_restore(struct xen_vm *vm, const struct xen_conf *c);
/* One HMP command on the monitor socket; its answer (echo and all) in out. 0, or -1. */
int xen_hmp(const char *sock, const char *cmd, char *out, size_t cap, double deadline);
/* QEMU with Xen and the agent; incoming: a saved machine's file to load (vm.c). 0, or -1. */
int xen_vm_start(struct xen_vm *vm, const struct xen_conf *c, const char *incoming);
/* The machine is up: its boot module's file is no longer needed. */
void xen_vm_module_done(struct xen_vm *vm);
/* hvfuzz bench --target xen (targets/xen/bench.c): 0, or -1 if the target cannot run. */
int xen_bench(FILE *out, double secs, bool json);
/* The next program of this xen target boots a fresh machine (tests, one boot per batch). */
void xen_target_reboot(struct target *t);

#endif
