/* The dom0 agent's shared declarations: start_info, hypercalls, output, the program area. */
#ifndef HVFUZZ_XEN_AGENT_H
#define HVFUZZ_XEN_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvfuzz/prog.h"
#include "hvfuzz/xen.h"
#include "hvfuzz/target.h"
#include "targets/xen/proto.h"

/* public/xen.h's start_info for a 64-bit guest: the fields the agent reads. */
struct start_info {
    char     magic[32];
    uint64_t nr_pages;
    uint64_t shared_info;
    uint32_t flags;
    uint64_t store_mfn;
    uint32_t store_evtchn;
    uint64_t console_mfn;
    uint32_t console_evtchn;
    uint64_t pt_base;
    uint64_t nr_pt_frames;
    uint64_t mfn_list;
    uint64_t mod_start;
    uint64_t mod_len;
    char     cmd_line[1024];
};

/* Where the image, and so pseudo-physical page 0, starts (head.S's notes, agent.lds). */
#define AGENT_BASE     0x400000ULL
/* The read-only machine-to-physical table Xen maps into every 64-bit PV guest. */
#define AGENT_M2P      ((const uint64_t *)0xFFFF800000000000ULL)
#define AGENT_MAX_PAGES 512U
#define AGENT_MAX_EXTRA 64U
/* Where the program's gfns are mapped: the model's DOM_VA_BASE (include/hvfuzz/monitor.h). */
#define AGENT_DOM_VA   0x40000000ULL

/* The entries the agent writes: its builders' flags (the model's dom_build uses the same). */
#define AGENT_PT_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define AGENT_PT_RO (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define AGENT_UVMF_INVLPG (UVMF_INVLPG | UVMF_LOCAL)

extern struct start_info *agent_si;
extern const uint64_t *agent_p2m;
/* The frames of the program's gfns 0..511, in order (baseline.c); mapped at AGENT_DOM_VA. */
extern uint8_t agent_area[AGENT_MAX_PAGES * PAGE_SIZE];

/* hypercall.c: a call through the hypercall page. */
long hc(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* out.c: one framed line at a time (targets/xen/proto.h). */
void out_begin(const char *tag);
void out_hex(uint64_t v);
void out_bytes(const uint8_t *p, size_t n);
void out_str(const char *s);
void out_end(void);
void agent_shutdown(void) __attribute__((noreturn));
void agent_die(const char *why) __attribute__((noreturn));
/* The agent's own trap table (its guarded reads and writes rely on its #PF and #GP handlers). */
void agent_traps(void);

/* head.S: accesses that may fault; a fault sets agent_fault_vec (0xff: none) and the code. */
extern volatile uint64_t agent_fault_vec, agent_fault_code;
uint64_t agent_read8(uint64_t va), agent_read16(uint64_t va), agent_read32(uint64_t va);
uint64_t agent_read64(uint64_t va);
void agent_write8(uint64_t va, uint64_t v), agent_write16(uint64_t va, uint64_t v);
void agent_write32(uint64_t va, uint64_t v), agent_write64(uint64_t va, uint64_t v);
/* One byte read or written safely: false if it faulted. */
bool agent_peek(uint64_t va, uint8_t *b);
bool agent_poke(uint64_t va, uint8_t b);

/* baseline.c: the state every program starts from. */
struct agent_run {
    const struct prog_shape *shape;
    bool tainted;             /* the program did what the undo does not cover */
    char why[48];             /* the first reason it is tainted or dirty */
    /* extents increase_reservation and populate_physmap gave the agent: given back after */
    uint64_t extra_mfn[AGENT_MAX_EXTRA];
    uint32_t extra_order[AGENT_MAX_EXTRA];
    unsigned nr_extra;
    /* maptrack handles the program's grant maps returned and its unmaps have not ended */
    uint32_t handle[AGENT_MAX_EXTRA];
    unsigned nr_handles;
};
void baseline_init(void);
/* Before a program: the L1 maps exactly the shape's gfns. */
void baseline_enter(const struct prog_shape *s);
/* An entry of the agent's own mapping (L4 and L3 slot 0): mmu_update may not write it. */
bool baseline_entry_forbidden(uint64_t maddr);
uint64_t baseline_mfn(unsigned gfn);
uint64_t baseline_pfn(unsigned gfn);
/* The machine frame mfn is the agent's own but outside the program area. */
bool baseline_agent_frame(uint64_t mfn);
/* Undo what the program did; returns enum xp_state and says why in r->why when dirty. */
int baseline_restore(struct agent_run *r);
void agent_taint(struct agent_run *r, const char *why);

/*
 * Several domains (issue 11 item 6, build.c, domu.c): dom0 builds domUs 1..AGENT_MAX_DOMS-1 at
 * boot, each a copy of this image started with its index in start_info's cmd_line, and runs
 * their ops through a page each domU shares with it.
 */
#define AGENT_MAX_DOMS XP_DOMS
extern unsigned agent_dom;       /* this agent's domain: 0 in dom0, n in domU n (domid n) */
extern unsigned agent_nr_doms;   /* dom0 and the domUs that were built */
/* every domain's area frames (gfn g of domain d), so any domain resolves another's resources */
extern uint64_t agent_dom_mfn[AGENT_MAX_DOMS][AGENT_MAX_PAGES];

enum domu_cmd { DOMU_OP = 1, DOMU_RESTORE };
/* The shared page: dom0 writes a command and bumps req, the domU does it and sets ack = req. */
struct domu_box {
    volatile uint32_t req, ack;
    volatile uint32_t hello;     /* the domU's baseline is built: it serves */
    volatile uint32_t dead;      /* the domU cannot go on: text says why */
    uint32_t cmd;                /* enum domu_cmd */
    /* the program: a command of a program the domU has not seen first enters its shape
       (a round trip less per domain and program: each costs milliseconds under TCG) */
    uint32_t prog;
    struct prog_shape shape;
    int32_t state;               /* DOMU_RESTORE: enum xp_state, and the taint's reason */
    uint8_t tainted;
    char why[48];
    char text[96];
    uint16_t out_len;            /* DOMU_OP: the result and the payload after */
    struct op_result res;
    uint8_t out[PROG_MAX_PAYLOAD];
    struct prog_op op;
};
union domu_box_page {
    struct domu_box b;
    uint8_t page[PAGE_SIZE];
};
extern union domu_box_page domu_box;
/* build.c: the domUs, before dom0's own baseline (the copies are taken of a fresh image);
   build_error says why the next domain could not be built (NULL: all were). */
void build_domus(void);
extern const char *build_error;
static inline uint64_t agent_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
/* domu.c: dom0's side and the domU's loop. */
bool domu_exists(unsigned dom);
void domu_map(unsigned dom, uint64_t box_mfn);
struct agent_run;
bool domu_call(struct agent_run *r, unsigned dom, enum domu_cmd cmd);
bool domu_pause(unsigned dom, bool pause);
struct domu_box *domu_peer(unsigned dom);
void domu_serve(void) __attribute__((noreturn));
/* where a domU's other vCPU starts if a program brings it up, and its stack */
void domu_park(void) __attribute__((noreturn));
extern uint8_t domu_park_stack[PAGE_SIZE];
void domu_die(const char *text) __attribute__((noreturn));

/* run.c: one op. */
void run_op(struct agent_run *r, const struct prog_op *op, struct op_result *res,
            uint8_t *out, uint16_t *out_len);
/* dom0: another domain's grant refs and ports in op made immediates before a domU runs it. */
void run_resolve_foreign(struct agent_run *r, struct prog_op *op);

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
