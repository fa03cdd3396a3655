/* Port I/O exit conformance: IN/OUT sizes, unclaimed ports, wide accesses, malformed records, string I/O. */
#include <string.h>
#include "exit_conf.h"

/* ---- IN / OUT -------------------------------------------------------------------------------- */

/*
 * A plain row runs one EXIT_IO on dom1 with rax preset to CI_RAX and compares the action, rip and
 * rax after it. Set-up rows prepare a device first.
 */
#define CI_RAX 0x1111111111111111ULL

enum ci_setup { CI_NONE = 0, CI_CMOS_WORD, CI_NO_LEN };

struct ci_row {
    enum ci_setup setup;
    uint64_t qual;
    enum exit_action expect;
    uint64_t rax;           /* expected rax after a resume (CI_RAX: unchanged) */
};

static void ci_run(struct conf_ctx *c)
{
    const struct ci_row *row = c->data;
    struct exit_record x;
    struct exit_result r;
    if (row->setup == CI_CMOS_WORD) {
        /* one 16-bit OUT to 0x70 writes the index (low byte) and the data port (high byte) */
        xc_out(c, c->v1, CMOS_PORT_INDEX, 2, 0x2A0E);
        xc_out(c, c->v1, CMOS_PORT_INDEX, 1, 0x0E);
        CONF_EXPECT_EQ(c, 0x2A, xc_in(c, c->v1, CMOS_PORT_DATA, 1));
    }
    xc_record(&x, EXIT_IO, row->qual);
    x.regs.gpr[X86_RAX] = CI_RAX;
    if (row->setup == CI_NO_LEN)
        x.insn_len = 0;
    CONF_EXPECT_EQ(c, row->expect, xc_run(c, c->v1, &x, &r));
    CONF_EXPECT_EQ(c, row->expect == EXIT_RESUME ? XC_RIP + 2 : XC_RIP, r.regs.rip);
    CONF_EXPECT_EQ(c, row->expect == EXIT_RESUME ? row->rax : CI_RAX, r.regs.gpr[X86_RAX]);
}


/* ---- INS / OUTS ------------------------------------------------------------------------------ */

/*
 * String rows run on dom1 against its scratch page 0 (or an unmapped VA). The UART's FIFOs are
 * switched on first so that several bytes fit. OUTS rows send "hvfuzz..." from memory; INS rows
 * have the far end send bytes first and compare memory afterwards.
 */
#define CS_QUAL_STR (1ULL << 25)
#define CS_QUAL_REP (1ULL << 26)

enum cs_va { CS_SCRATCH = 0, CS_UNMAPPED, CS_FS_BASED };

struct cs_row {
    uint64_t qual;
    uint8_t  insn[4];
    unsigned insn_len;
    uint64_t rcx;
    bool     df;
    enum cs_va va;
    enum exit_action expect;
    bool     retired;       /* rip advanced */
    uint64_t rcx_after;
    int64_t  index_delta;   /* rsi (OUTS) or rdi (INS) after minus before */
    unsigned moved;         /* bytes that reached the UART (OUTS) or memory (INS) */
};

static const uint8_t cs_text[] = "hvfuzz string i/o";

static void cs_run(struct conf_ctx *c)
{
    const struct cs_row *row = c->data;
    bool in = EXIT_IO_IN(row->qual);
    gva_t base = conf_scratch(c, c->d1, 0);
    gva_t va = base + 0x100;
    if (row->df)
        va += 0x40;
    if (row->va == CS_UNMAPPED)
        va = DOM_VA(CONF_DOM_PAGES + 5);
    if (conf_put(c, c->v1, base, cs_text, sizeof(cs_text)) < 0 ||
        conf_put(c, c->v1, base + 0x100, cs_text, sizeof(cs_text)) < 0)
        return;
    xc_out(c, c->v1, UART_PORT_BASE + 2, 1, 0x01);
    if (in)
        for (unsigned i = 0; i < 8; i++)
            CONF_EXPECT(c, uart_host_rx(c->d1, (uint8_t)('A' + i)));

    struct exit_record x;
    struct exit_result r;
    xc_record(&x, EXIT_IO, row->qual);
    xc_insn(&x, row->insn, row->insn_len);
    x.regs.gpr[X86_RCX] = row->rcx;
    uint64_t idx = va;
    if (row->va == CS_FS_BASED) {
        /* OUTS with an FS override reads fs_base + rsi */
        CONF_EXPECT_EQ(c, 0, msr_write(c->d1, c->v1, MSR_FS_BASE, base));
        idx = 0x100;
    }
    x.regs.gpr[in ? X86_RDI : X86_RSI] = idx;
    if (row->df)
        x.regs.rflags |= 0x400;
    CONF_EXPECT_EQ(c, row->expect, xc_run(c, c->v1, &x, &r));
    CONF_EXPECT_EQ(c, row->retired ? XC_RIP + row->insn_len : XC_RIP, r.regs.rip);
    CONF_EXPECT_EQ(c, row->rcx_after, r.regs.gpr[X86_RCX]);
    CONF_EXPECT_EQ(c, (int64_t)idx + row->index_delta,
                   (int64_t)r.regs.gpr[in ? X86_RDI : X86_RSI]);
    if (row->expect == EXIT_INJECT_PF)
        CONF_EXPECT_EQ(c, va, r.cr2);

    uint8_t got[32] = { 0 };
    if (in && row->expect == EXIT_INJECT_PF)
        CONF_EXPECT_EQ(c, 8, c->d1->uart.rx_count);
    if (in && row->moved) {
        if (conf_get(c, c->v1, row->df ? va - row->moved + 1 : va, got, row->moved) < 0)
            return;
        for (unsigned i = 0; i < row->moved; i++)
            CONF_EXPECT_EQ(c, 'A' + (row->df ? row->moved - 1 - i : i), got[i]);
    } else if (!in) {
        unsigned n = uart_host_tx(c->d1, got, sizeof(got));
        CONF_EXPECT_EQ(c, row->moved, n);
        for (unsigned i = 0; i < n && i < row->moved; i++)
            CONF_EXPECT_EQ(c, cs_text[i], got[i]);
    }
}

#define IN(p, s) EXIT_IO_QUAL((p), (s), true)
#define OUT(p, s) EXIT_IO_QUAL((p), (s), false)
#define CI(...) (&(const struct ci_row){ __VA_ARGS__ })
#define OUTS_Q(p) (EXIT_IO_QUAL((p), 1, false) | CS_QUAL_STR)
#define INS_Q(p)  (EXIT_IO_QUAL((p), 1, true) | CS_QUAL_STR)
#define CS(...) (&(const struct cs_row){ __VA_ARGS__ })
static const struct conf_case io_cases[] = {
    { "unclaimed_port_inb_all_ones_merges", ci_run, CI(.qual = IN(0x80, 1),
      .expect = EXIT_RESUME, .rax = 0x11111111111111FFULL) },
    { "unclaimed_port_inw_all_ones_merges", ci_run, CI(.qual = IN(0x80, 2),
      .expect = EXIT_RESUME, .rax = 0x111111111111FFFFULL) },
    { "unclaimed_port_inl_zero_extends", ci_run, CI(.qual = IN(0x80, 4),
      .expect = EXIT_RESUME, .rax = 0xFFFFFFFFULL) },
    { "unclaimed_port_out_ignored", ci_run, CI(.qual = OUT(0x80, 4), .expect = EXIT_RESUME,
      .rax = CI_RAX) },
    { "inl_spans_uart_msr_scr_and_unclaimed", ci_run, CI(.qual = IN(0x3FE, 4),
      .expect = EXIT_RESUME, .rax = 0xFFFF00B0ULL) },
    { "inw_port_wraps_at_ffff", ci_run, CI(.qual = IN(0xFFFF, 2), .expect = EXIT_RESUME,
      .rax = 0x111111111111FFFFULL) },
    { "outw_cmos_index_and_data", ci_run, CI(.setup = CI_CMOS_WORD, .qual = IN(0x80, 1),
      .expect = EXIT_RESUME, .rax = 0x11111111111111FFULL) },
    { "size_0_invalid", ci_run, CI(.qual = IN(0x80, 0), .expect = EXIT_INVALID) },
    { "size_3_invalid", ci_run, CI(.qual = IN(0x80, 3), .expect = EXIT_INVALID) },
    { "size_8_invalid", ci_run, CI(.qual = OUT(0x80, 8), .expect = EXIT_INVALID) },
    { "rep_without_string_invalid", ci_run, CI(.qual = IN(0x80, 1) | (1ULL << 26),
      .expect = EXIT_INVALID) },
    { "undefined_qual_bits_invalid", ci_run, CI(.qual = IN(0x80, 1) | (1ULL << 40),
      .expect = EXIT_INVALID) },
    { "no_instruction_length_invalid", ci_run, CI(.setup = CI_NO_LEN, .qual = IN(0x80, 1),
      .expect = EXIT_INVALID) },
    { "outsb_one_byte", cs_run, CS(.qual = OUTS_Q(UART_PORT_BASE), .insn = { 0x6E },
      .insn_len = 1, .rcx = 77, .expect = EXIT_RESUME, .retired = true, .rcx_after = 77,
      .index_delta = 1, .moved = 1) },
    { "rep_outsb_three_bytes", cs_run, CS(.qual = OUTS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0xF3, 0x6E }, .insn_len = 2, .rcx = 3, .expect = EXIT_RESUME, .retired = true,
      .index_delta = 3, .moved = 3) },
    { "rep_outsb_count_zero_is_noop", cs_run, CS(.qual = OUTS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0xF3, 0x6E }, .insn_len = 2, .rcx = 0, .expect = EXIT_RESUME, .retired = true) },
    { "rep_outsb_fs_override", cs_run, CS(.qual = OUTS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0x64, 0xF3, 0x6E }, .insn_len = 3, .rcx = 2, .va = CS_FS_BASED,
      .expect = EXIT_RESUME, .retired = true, .index_delta = 2, .moved = 2) },
    { "rep_outsb_addr32_uses_ecx", cs_run, CS(.qual = OUTS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0x67, 0xF3, 0x6E }, .insn_len = 3, .rcx = 0x100000002ULL,
      .expect = EXIT_RESUME, .retired = true, .index_delta = 2, .moved = 2) },
    { "rep_outsb_bounded_per_exit", cs_run, CS(.qual = OUTS_Q(0x80) | CS_QUAL_REP,
      .insn = { 0xF3, 0x6E }, .insn_len = 2, .rcx = EXIT_REP_MAX + 36, .expect = EXIT_RESUME,
      .retired = false, .rcx_after = 36, .index_delta = EXIT_REP_MAX, .moved = 0) },
    { "outsb_unmapped_source_pf", cs_run, CS(.qual = OUTS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0xF3, 0x6E }, .insn_len = 2, .rcx = 4, .va = CS_UNMAPPED,
      .expect = EXIT_INJECT_PF, .rcx_after = 4, .moved = 0) },
    { "rep_insb_four_bytes", cs_run, CS(.qual = INS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0xF3, 0x6C }, .insn_len = 2, .rcx = 4, .expect = EXIT_RESUME, .retired = true,
      .index_delta = 4, .moved = 4) },
    { "rep_insb_direction_flag_down", cs_run, CS(.qual = INS_Q(UART_PORT_BASE) | CS_QUAL_REP,
      .insn = { 0xF3, 0x6C }, .insn_len = 2, .rcx = 3, .df = true, .expect = EXIT_RESUME,
      .retired = true, .index_delta = -3, .moved = 3) },
    { "insb_unmapped_destination_pf_keeps_fifo", cs_run, CS(.qual = INS_Q(UART_PORT_BASE),
      .insn = { 0x6C }, .insn_len = 1, .va = CS_UNMAPPED, .expect = EXIT_INJECT_PF) },
    { "string_bytes_disagree_with_direction_invalid", cs_run, CS(.qual = INS_Q(0x80),
      .insn = { 0x6E }, .insn_len = 1, .rcx = 5, .expect = EXIT_INVALID, .rcx_after = 5) },
    { "string_bytes_not_ins_outs_invalid", cs_run, CS(.qual = OUTS_Q(0x80),
      .insn = { 0x0F, 0xA2 }, .insn_len = 2, .rcx = 5, .expect = EXIT_INVALID, .rcx_after = 5) },
    { "string_size_disagrees_invalid", cs_run, CS(.qual = OUTS_Q(0x80),
      .insn = { 0x6F }, .insn_len = 1, .rcx = 5, .expect = EXIT_INVALID, .rcx_after = 5) },
};
CONF_AREA("exit_io", io_cases)
