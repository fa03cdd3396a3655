/* HLT, EPT violation, exception, triple-fault and malformed-record conformance. */
#include <string.h>
#include "exit_conf.h"

/*
 * Every row runs one record on dom1 after an optional set-up and checks the action, whether rip
 * moved, the injected vector/error code/cr2 and, per row, the state the exit must leave: vCPU
 * blocked, domain crashed, a gfn populated, nothing changed.
 */
enum cx_setup {
    CX_NONE = 0, CX_EVENT_PENDING, CX_HALTED, CX_AT_ALLOWANCE, CX_POOL_EMPTY, CX_SHUTDOWN,
    CX_CRASHED_BY_TRIPLE,
};
enum cx_check { CX_NOTHING = 0, CX_BLOCKED, CX_NOT_BLOCKED, CX_CRASHED, CX_POPULATED, CX_SAME };

struct cx_row {
    enum cx_setup setup;
    uint8_t  reason;
    uint64_t qual, gla;
    uint8_t  insn_len;      /* 0: the default 2-byte instruction */
    unsigned vcpu;
    enum exit_action expect;
    bool     retired;       /* rip advanced by the instruction length */
    uint8_t  vector;
    uint32_t error_code;
    uint64_t cr2;
    enum cx_check check;
};

#define CX_GFN_FREE 100U    /* below dom1's max_pages (2 * CONF_DOM_PAGES), never populated */

static void cx_setup(struct conf_ctx *c, enum cx_setup s, struct vcpu *v)
{
    struct exit_record x;
    switch (s) {
    case CX_EVENT_PENDING: {
        /* an IPI port bound to the vCPU with its event pending: HLT must not sleep through it */
        struct evtchn *e = &c->d1->evtchn[5];
        e->state = ECS_IPI;
        e->notify_vcpu = v->id;
        e->pending = true;
        break;
    }
    case CX_HALTED:
        xc_record(&x, EXIT_HLT, 0);
        CONF_EXPECT_EQ(c, EXIT_HALTED, xc_run(c, v, &x, NULL));
        break;
    case CX_AT_ALLOWANCE:
        c->d1->max_pages = c->d1->tot_pages;
        break;
    case CX_POOL_EMPTY: {
        /* dom0 takes every free frame (its allowance is the whole pool) */
        int err = 0;
        while (frame_alloc(c->hv, c->d0, false, &err) != MFN_INVALID)
            ;
        CONF_EXPECT_EQ(c, -XEN_ENOMEM, err);
        break;
    }
    case CX_SHUTDOWN:
        c->d1->shutdown = true;
        c->d1->shutdown_reason = SHUTDOWN_poweroff;
        break;
    case CX_CRASHED_BY_TRIPLE:
        xc_record(&x, EXIT_TRIPLE_FAULT, 0);
        CONF_EXPECT_EQ(c, EXIT_DOMAIN_CRASH, xc_run(c, &c->d1->vcpu[0], &x, NULL));
        break;
    default:
        break;
    }
}

static void cx_run(struct conf_ctx *c)
{
    const struct cx_row *row = c->data;
    struct vcpu *v = &c->d1->vcpu[row->vcpu];
    cx_setup(c, row->setup, v);
    uint32_t pages = c->d1->tot_pages;
    struct exit_record x;
    struct exit_result r;
    xc_record(&x, (enum exit_reason)row->reason, row->qual);
    x.gla = row->gla;
    if (row->insn_len) {
        x.insn_len = row->insn_len;
        memset(x.insn, 0x90, sizeof(x.insn));
        if (row->reason == EXIT_HLT)
            x.insn[0] = 0xF4;   /* the instruction itself, then padding */
    }
    x.regs.gpr[X86_RAX] = 0x42;
    CONF_EXPECT_EQ(c, row->expect, xc_run(c, v, &x, &r));
    CONF_EXPECT_EQ(c, row->retired ? XC_RIP + x.insn_len : XC_RIP, r.regs.rip);
    CONF_EXPECT_EQ(c, 0x42, r.regs.gpr[X86_RAX]);
    if (row->expect == EXIT_INJECT_GP || row->expect == EXIT_INJECT_UD ||
        row->expect == EXIT_INJECT_PF || row->expect == EXIT_INJECT_EXC) {
        CONF_EXPECT_EQ(c, row->vector, r.vector);
        CONF_EXPECT_EQ(c, row->error_code, r.error_code);
        CONF_EXPECT_EQ(c, row->cr2, r.cr2);
    }
    switch (row->check) {
    case CX_BLOCKED:
        CONF_EXPECT(c, v->blocked);
        break;
    case CX_NOT_BLOCKED:
        CONF_EXPECT(c, !v->blocked);
        break;
    case CX_CRASHED:
        CONF_EXPECT(c, c->d1->shutdown);
        CONF_EXPECT_EQ(c, SHUTDOWN_crash, c->d1->shutdown_reason);
        break;
    case CX_POPULATED: {
        mfn_t m = c->d1->p2m[CX_GFN_FREE];
        CONF_EXPECT_EQ(c, pages + 1, c->d1->tot_pages);
        CONF_EXPECT(c, mfn_valid(c->hv, m));
        if (mfn_valid(c->hv, m)) {
            CONF_EXPECT_EQ(c, c->d1->id, c->hv->frames[m].owner);
            CONF_EXPECT_EQ(c, CX_GFN_FREE, c->hv->m2p[m]);
            static const uint8_t zero[PAGE_SIZE];
            CONF_EXPECT(c, memcmp(frame_mem(c->hv, m), zero, PAGE_SIZE) == 0);
        }
        break;
    }
    case CX_SAME:
        CONF_EXPECT_EQ(c, pages, c->d1->tot_pages);
        CONF_EXPECT(c, !c->d1->shutdown || row->setup == CX_SHUTDOWN ||
                       row->setup == CX_CRASHED_BY_TRIPLE);
        break;
    default:
        break;
    }
}

#define GPA(g) ((uint64_t)(g) << PAGE_SHIFT)
#define EXC(vec, ec) ((uint64_t)(vec) | ((uint64_t)(ec) << 32))
#define CX(...) (&(const struct cx_row){ __VA_ARGS__ })
static const struct conf_case cx_cases[] = {
    /* HLT */
    { "hlt_blocks_and_retires", cx_run, CX(.reason = EXIT_HLT, .insn_len = 1,
      .expect = EXIT_HALTED, .retired = true, .check = CX_BLOCKED) },
    { "hlt_with_event_pending_resumes", cx_run, CX(.setup = CX_EVENT_PENDING,
      .reason = EXIT_HLT, .insn_len = 1, .expect = EXIT_RESUME, .retired = true,
      .check = CX_NOT_BLOCKED) },
    { "exit_of_halted_vcpu_invalid", cx_run, CX(.setup = CX_HALTED, .reason = EXIT_CPUID,
      .expect = EXIT_INVALID, .check = CX_BLOCKED) },
    /* EPT / NPT violations */
    { "ept_populated_gfn_spurious", cx_run, CX(.reason = EXIT_EPT_VIOLATION,
      .qual = GPA(DOM_FIRST_DATA_GFN(CONF_DOM_PAGES)) + 0x10, .gla = 2,
      .expect = EXIT_RESUME, .check = CX_SAME) },
    { "ept_unpopulated_gfn_below_max_populated", cx_run, CX(.reason = EXIT_EPT_VIOLATION,
      .qual = GPA(CX_GFN_FREE) + 0x234, .gla = 1, .expect = EXIT_RESUME,
      .check = CX_POPULATED) },
    { "ept_gfn_beyond_max_pages_crashes", cx_run, CX(.reason = EXIT_EPT_VIOLATION,
      .qual = GPA(2 * CONF_DOM_PAGES + 3), .gla = 2, .expect = EXIT_DOMAIN_CRASH,
      .check = CX_CRASHED) },
    { "ept_gpa_beyond_p2m_crashes", cx_run, CX(.reason = EXIT_EPT_VIOLATION,
      .qual = 1ULL << 40, .gla = 1, .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "ept_populate_over_allowance_crashes", cx_run, CX(.setup = CX_AT_ALLOWANCE,
      .reason = EXIT_EPT_VIOLATION, .qual = GPA(CX_GFN_FREE), .gla = 2,
      .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "ept_populate_pool_empty_crashes", cx_run, CX(.setup = CX_POOL_EMPTY,
      .reason = EXIT_EPT_VIOLATION, .qual = GPA(CX_GFN_FREE), .gla = 2,
      .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "ept_execute_from_mmio_crashes", cx_run, CX(.reason = EXIT_EPT_VIOLATION,
      .qual = DMA_MMIO_BASE, .gla = 4, .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "ept_without_access_bits_invalid", cx_run, CX(.reason = EXIT_EPT_VIOLATION,
      .qual = GPA(CX_GFN_FREE), .gla = 0, .expect = EXIT_INVALID, .check = CX_SAME) },
    /* exceptions */
    { "exc_gp_reflected_with_error_code", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(13, 0x18), .expect = EXIT_INJECT_GP, .vector = 13, .error_code = 0x18) },
    { "exc_pf_reflected_with_address", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(14, 6), .gla = 0xDEAD000, .expect = EXIT_INJECT_PF, .vector = 14,
      .error_code = 6, .cr2 = 0xDEAD000) },
    { "exc_ud_reflected", cx_run, CX(.reason = EXIT_EXCEPTION, .qual = EXC(6, 0),
      .expect = EXIT_INJECT_UD, .vector = 6) },
    { "exc_de_reflected_error_code_dropped", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(0, 77), .expect = EXIT_INJECT_EXC, .vector = 0) },
    { "exc_bp_reflected", cx_run, CX(.reason = EXIT_EXCEPTION, .qual = EXC(3, 0),
      .expect = EXIT_INJECT_EXC, .vector = 3) },
    { "exc_ac_reflected_with_error_code", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(17, 0), .expect = EXIT_INJECT_EXC, .vector = 17) },
    { "exc_np_reflected_with_selector", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(11, 0x2B), .expect = EXIT_INJECT_EXC, .vector = 11, .error_code = 0x2B) },
    { "exc_nmi_handled_by_host", cx_run, CX(.reason = EXIT_EXCEPTION, .qual = EXC(2, 0),
      .expect = EXIT_RESUME, .check = CX_SAME) },
    { "exc_double_fault_crashes", cx_run, CX(.reason = EXIT_EXCEPTION, .qual = EXC(8, 0),
      .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "exc_machine_check_crashes", cx_run, CX(.reason = EXIT_EXCEPTION, .qual = EXC(18, 0),
      .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "exc_reserved_vector_15_invalid", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(15, 0), .expect = EXIT_INVALID, .check = CX_SAME) },
    { "exc_vector_32_invalid", cx_run, CX(.reason = EXIT_EXCEPTION, .qual = EXC(32, 0),
      .expect = EXIT_INVALID, .check = CX_SAME) },
    { "exc_undefined_qual_bits_invalid", cx_run, CX(.reason = EXIT_EXCEPTION,
      .qual = EXC(13, 0) | 0x100, .expect = EXIT_INVALID, .check = CX_SAME) },
    /* triple fault and records that cannot happen */
    { "triple_fault_crashes", cx_run, CX(.reason = EXIT_TRIPLE_FAULT,
      .expect = EXIT_DOMAIN_CRASH, .check = CX_CRASHED) },
    { "exit_after_crash_invalid", cx_run, CX(.setup = CX_CRASHED_BY_TRIPLE,
      .reason = EXIT_CPUID, .expect = EXIT_INVALID, .check = CX_SAME) },
    { "exit_of_shut_down_domain_invalid", cx_run, CX(.setup = CX_SHUTDOWN,
      .reason = EXIT_CPUID, .expect = EXIT_INVALID, .check = CX_SAME) },
    { "exit_of_down_vcpu_invalid", cx_run, CX(.reason = EXIT_CPUID, .vcpu = 1,
      .expect = EXIT_INVALID, .check = CX_SAME) },
    { "reason_out_of_range_invalid", cx_run, CX(.reason = 200, .expect = EXIT_INVALID,
      .check = CX_SAME) },
    { "instruction_over_15_bytes_invalid", cx_run, CX(.reason = EXIT_CPUID, .insn_len = 16,
      .expect = EXIT_INVALID, .check = CX_SAME) },
};
CONF_AREA("exit_misc", cx_cases)
