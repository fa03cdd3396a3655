/* MMIO exit conformance: real instruction bytes (mov, movzx/movsx, stos/movs with rep, ALU RMW, xchg, bt*) against the DMA device. */
#include <string.h>
#include "exit_conf.h"

/*
 * The target is the DMA device's 64-bit RING_BASE register (read/write, no side effect but
 * resetting an empty ring), preset per row; the device answers only 4- and 8-byte accesses, so
 * narrower ones read all-ones. rflags starts at 0x202; CK_* selects what a row compares after the
 * exit: rax, the register's value, the arithmetic flags, rcx, the rdi/rsi movement, and the dword
 * at the guest side of MOVS.
 */
#define CM_REG   (DMA_MMIO_BASE + DMA_REG_RING_BASE)
#define CM_RAX   0xAAAAAAAAAAAAAAAAULL
#define CM_ARITH 0x8D5ULL   /* CF PF AF ZF SF OF */
enum {
    CK_RAX = 1, CK_REG = 2, CK_FLAGS = 4, CK_RCX = 8, CK_RDI = 16, CK_RSI = 32, CK_MEM = 64,
};
/* Upper-half garbage a row ORs into rcx, rdi and rsi: with a 67 prefix (addrsize 4) the CPU
   addresses through ecx/edi/esi only and writes them back zero-extended. */
#define CM_HI 0xDEAD000100000000ULL
enum cm_mode { CM_MMIO = 0, CM_EPT_READ, CM_EPT_WRITE, CM_MOVS_TO, CM_MOVS_FROM,
               CM_MOVS_UNMAPPED };

struct cm_row {
    uint8_t  insn[15];
    uint8_t  len;
    uint64_t reg;           /* RING_BASE before */
    uint64_t rax;           /* 0: CM_RAX */
    uint64_t rcx;
    bool     df;
    uint32_t off;           /* the access's offset from RING_BASE (gpa = CM_REG + off) */
    uint64_t gpa;           /* overrides the gpa when set */
    enum cm_mode mode;
    enum exit_action expect;
    int      rip_delta;
    unsigned ck;
    uint64_t rax_after, reg_after, flags_after, rcx_after;
    int64_t  index_delta;   /* rdi (and rsi for MOVS) */
    uint32_t mem_after;
    bool     a32;           /* OR CM_HI into rcx/rdi/rsi; index registers compare mod 2^32 */
};

static void cm_run(struct conf_ctx *c)
{
    const struct cm_row *row = c->data;
    gva_t va = conf_scratch(c, c->d1, 0) + 0x200;
    uint32_t seed = 0x55667788U;
    if (conf_put(c, c->v1, va, &seed, sizeof(seed)) < 0)
        return;
    xc_mmio_write(c, c->v1, CM_REG, 8, row->reg);

    struct exit_record x;
    struct exit_result r;
    uint64_t gpa = row->gpa ? row->gpa : CM_REG + row->off;
    xc_record(&x, row->mode == CM_EPT_READ || row->mode == CM_EPT_WRITE ?
                  EXIT_EPT_VIOLATION : EXIT_MMIO, gpa);
    xc_insn(&x, row->insn, row->len);
    x.gla = row->mode == CM_EPT_READ ? 1 : row->mode == CM_EPT_WRITE ? 2 : 0;
    x.regs.gpr[X86_RAX] = row->rax ? row->rax : CM_RAX;
    x.regs.gpr[X86_RBX] = gpa;
    x.regs.gpr[X86_RCX] = row->rcx;
    x.regs.gpr[X86_RDI] = 0x7000;
    x.regs.gpr[X86_RSI] = 0x9000;
    if (row->df)
        x.regs.rflags |= 0x400;
    if (row->mode == CM_MOVS_TO) {
        x.regs.gpr[X86_RSI] = va;
        x.gla = x.regs.gpr[X86_RDI];
    } else if (row->mode == CM_MOVS_FROM) {
        x.regs.gpr[X86_RDI] = va;
        x.gla = x.regs.gpr[X86_RSI];
    } else if (row->mode == CM_MOVS_UNMAPPED) {
        x.regs.gpr[X86_RDI] = DOM_VA(CONF_DOM_PAGES + 7);
    }
    uint64_t imask = row->a32 ? 0xFFFFFFFFULL : ~0ULL;
    if (row->a32) {
        x.regs.gpr[X86_RCX] |= CM_HI;
        x.regs.gpr[X86_RDI] |= CM_HI;
        x.regs.gpr[X86_RSI] |= CM_HI;
    }
    const struct vcpu_regs in = x.regs;

    CONF_EXPECT_EQ(c, row->expect, xc_run(c, c->v1, &x, &r));
    CONF_EXPECT_EQ(c, XC_RIP + row->rip_delta, r.regs.rip);
    if (row->ck & CK_RAX)
        CONF_EXPECT_EQ(c, row->rax_after, r.regs.gpr[X86_RAX]);
    if (row->ck & CK_REG)
        CONF_EXPECT_EQ(c, row->reg_after, xc_mmio_read(c, c->v1, CM_REG, 8));
    if (row->ck & CK_FLAGS)
        CONF_EXPECT_EQ(c, row->flags_after, r.regs.rflags & CM_ARITH);
    if (row->ck & CK_RCX)
        CONF_EXPECT_EQ(c, row->rcx_after, r.regs.gpr[X86_RCX]);
    if (row->ck & CK_RDI)
        CONF_EXPECT_EQ(c, (in.gpr[X86_RDI] + (uint64_t)row->index_delta) & imask,
                       r.regs.gpr[X86_RDI]);
    if (row->ck & CK_RSI)
        CONF_EXPECT_EQ(c, (in.gpr[X86_RSI] + (uint64_t)row->index_delta) & imask,
                       r.regs.gpr[X86_RSI]);
    if (row->ck & CK_MEM) {
        uint32_t m = 0;
        if (conf_get(c, c->v1, va, &m, sizeof(m)) == 0)
            CONF_EXPECT_EQ(c, row->mem_after, m);
    }
    /* every exit that does not resume leaves the registers as they came */
    if (row->expect != EXIT_RESUME)
        CONF_EXPECT(c, memcmp(&in.gpr, &r.regs.gpr, sizeof(in.gpr)) == 0);
}

#define B(...) .insn = { __VA_ARGS__ }, .len = sizeof((uint8_t[]){ __VA_ARGS__ })
#define OK(n) .expect = EXIT_RESUME, .rip_delta = (n)
#define CM(...) (&(const struct cm_row){ __VA_ARGS__ })
static const struct conf_case cm_cases[] = {
    /* loads */
    { "mov_load32_zero_extends", cm_run, CM(B(0x8B, 0x03), .reg = 0xFFFFFFFF12345678ULL,
      OK(2), .ck = CK_RAX, .rax_after = 0x12345678) },
    { "mov_load64", cm_run, CM(B(0x48, 0x8B, 0x03), .reg = 0xFFFFFFFF12345678ULL, OK(3),
      .ck = CK_RAX, .rax_after = 0xFFFFFFFF12345678ULL) },
    { "mov_load8_narrow_reads_ones_merges", cm_run, CM(B(0x8A, 0x03), .reg = 0x12345678,
      OK(2), .ck = CK_RAX, .rax_after = 0xAAAAAAAAAAAAAAFFULL) },
    { "mov_load_high_byte_register", cm_run, CM(B(0x8A, 0x23), .reg = 0x12345678, OK(2),
      .ck = CK_RAX, .rax_after = 0xAAAAAAAAAAAAFFAAULL) },
    { "mov_load_moffs64", cm_run, CM(B(0xA1, 0x08, 0x00, 0xB0, 0xFE, 0, 0, 0, 0),
      .reg = 0x0BADCAFE, OK(9), .ck = CK_RAX, .rax_after = 0x0BADCAFE) },
    { "mov_load_rip_relative", cm_run, CM(B(0x8B, 0x05, 0x00, 0x10, 0x00, 0x00),
      .reg = 0x600D, OK(6), .ck = CK_RAX, .rax_after = 0x600D) },
    { "movzx_word_narrow_reads_ones", cm_run, CM(B(0x0F, 0xB7, 0x03), .reg = 0x1234, OK(3),
      .ck = CK_RAX, .rax_after = 0xFFFF) },
    { "movsx_byte_to_dword", cm_run, CM(B(0x0F, 0xBE, 0x03), .reg = 0x1234, OK(3),
      .ck = CK_RAX, .rax_after = 0xFFFFFFFFULL) },
    { "movsx_byte_to_qword", cm_run, CM(B(0x48, 0x0F, 0xBE, 0x03), .reg = 0x1234, OK(4),
      .ck = CK_RAX, .rax_after = ~0ULL) },
    { "movsxd_dword_to_qword", cm_run, CM(B(0x48, 0x63, 0x03), .reg = 0x80000001ULL, OK(3),
      .ck = CK_RAX, .rax_after = 0xFFFFFFFF80000001ULL) },
    /* stores */
    { "mov_store32_register", cm_run, CM(B(0x89, 0x03), .reg = 0x1111111122222222ULL,
      .rax = 0x99999999CAFEF00DULL, OK(2), .ck = CK_REG, .reg_after = 0x11111111CAFEF00DULL) },
    { "mov_store64_register", cm_run, CM(B(0x48, 0x89, 0x03), .rax = 0x0123456789ABCDEFULL,
      OK(3), .ck = CK_REG, .reg_after = 0x0123456789ABCDEFULL) },
    { "mov_store_imm32", cm_run, CM(B(0xC7, 0x03, 0xEF, 0xBE, 0xAD, 0xDE), OK(6),
      .ck = CK_REG, .reg_after = 0xDEADBEEFULL) },
    { "mov_store_imm32_sign_extended_to_64", cm_run, CM(B(0x48, 0xC7, 0x03, 0xFF, 0xFF,
      0xFF, 0xFF), OK(7), .ck = CK_REG, .reg_after = ~0ULL) },
    { "mov_store_high_half", cm_run, CM(B(0x89, 0x03), .off = 4, .reg = 0x5555,
      .rax = 0x77, OK(2), .ck = CK_REG, .reg_after = 0x0000007700005555ULL) },
    { "mov_store8_dropped", cm_run, CM(B(0x88, 0x03), .reg = 0x12345678, OK(2), .ck = CK_REG,
      .reg_after = 0x12345678) },
    /* string stores */
    { "stos_dword_advances_rdi", cm_run, CM(B(0xAB), .rax = 0x11223344, .rcx = 9, OK(1),
      .ck = CK_REG | CK_RDI | CK_RCX, .reg_after = 0x11223344, .index_delta = 4,
      .rcx_after = 9) },
    { "rep_stos_two_dwords", cm_run, CM(B(0xF3, 0xAB), .rax = 0x11223344, .rcx = 2, OK(2),
      .ck = CK_REG | CK_RDI | CK_RCX, .reg_after = 0x1122334411223344ULL, .index_delta = 8) },
    { "rep_stos_direction_down", cm_run, CM(B(0xF3, 0xAB), .off = 4, .df = true,
      .rax = 0x5A5A5A5A, .rcx = 2, OK(2), .ck = CK_REG | CK_RDI | CK_RCX,
      .reg_after = 0x5A5A5A5A5A5A5A5AULL, .index_delta = -8) },
    { "rep_stos_qword", cm_run, CM(B(0xF3, 0x48, 0xAB), .rax = 0x0102030405060708ULL,
      .rcx = 1, OK(3), .ck = CK_REG | CK_RCX, .reg_after = 0x0102030405060708ULL) },
    { "rep_stos_count_zero_noop", cm_run, CM(B(0xF3, 0xAB), .reg = 0x77, .rcx = 0, OK(2),
      .ck = CK_REG | CK_RDI, .reg_after = 0x77) },
    { "rep_stos_bounded_per_exit", cm_run, CM(B(0xF3, 0xAB), .off = 0x100 - DMA_REG_RING_BASE,
      .rcx = EXIT_REP_MAX + 36, OK(0), .ck = CK_RCX | CK_RDI, .rcx_after = 36,
      .index_delta = 4 * EXIT_REP_MAX) },
    { "rep_stos_stops_at_page_end", cm_run, CM(B(0xF3, 0xAB), .gpa = DMA_MMIO_BASE + 0xFF8,
      .rcx = 4, OK(0), .ck = CK_RCX | CK_RDI, .rcx_after = 2, .index_delta = 8) },
    /* 67 prefix: ecx counts, edi/esi address and are written back zero-extended */
    { "a32_rep_stos_uses_ecx_edi", cm_run, CM(B(0x67, 0xF3, 0xAB), .rax = 0x11223344,
      .rcx = 2, .a32 = true, OK(3), .ck = CK_REG | CK_RDI | CK_RCX,
      .reg_after = 0x1122334411223344ULL, .index_delta = 8) },
    { "a32_movs_source_esi_to_mmio", cm_run, CM(B(0x67, 0xA5), .mode = CM_MOVS_TO,
      .a32 = true, OK(2), .ck = CK_REG | CK_RDI | CK_RSI, .reg_after = 0x55667788,
      .index_delta = 4) },
    { "a32_movs_mmio_to_destination_edi", cm_run, CM(B(0x67, 0xA5), .mode = CM_MOVS_FROM,
      .a32 = true, .reg = 0x0D15EA5E, OK(2), .ck = CK_MEM | CK_RDI | CK_RSI,
      .mem_after = 0x0D15EA5E, .index_delta = 4) },
    /* string moves */
    { "movs_guest_memory_to_mmio", cm_run, CM(B(0xA5), .mode = CM_MOVS_TO, OK(1),
      .ck = CK_REG | CK_RDI | CK_RSI, .reg_after = 0x55667788, .index_delta = 4) },
    { "movs_mmio_to_guest_memory", cm_run, CM(B(0xA5), .mode = CM_MOVS_FROM,
      .reg = 0x0D15EA5E, OK(1), .ck = CK_MEM | CK_RDI | CK_RSI, .mem_after = 0x0D15EA5E,
      .index_delta = 4) },
    { "movs_unmapped_guest_side_pf", cm_run, CM(B(0xA5), .mode = CM_MOVS_UNMAPPED,
      .expect = EXIT_INJECT_PF) },
    /* read-modify-write */
    { "or_register_into_mmio", cm_run, CM(B(0x09, 0x03), .reg = 0x12345678,
      .rax = 0x80000000, OK(2), .ck = CK_REG | CK_FLAGS, .reg_after = 0x92345678,
      .flags_after = 0x84) },
    { "and_imm8_zero", cm_run, CM(B(0x83, 0x23, 0x00), .reg = 0xFFFFFFFF12345678ULL, OK(3),
      .ck = CK_REG | CK_FLAGS, .reg_after = 0xFFFFFFFF00000000ULL, .flags_after = 0x44) },
    { "xor_mmio_into_register", cm_run, CM(B(0x33, 0x03), .reg = 0x12345678,
      .rax = 0xFFFFFFFF12345678ULL, OK(2), .ck = CK_RAX | CK_REG | CK_FLAGS, .rax_after = 0,
      .reg_after = 0x12345678, .flags_after = 0x44) },
    { "add_carries_out", cm_run, CM(B(0x01, 0x03), .reg = 0xFFFFFFFF, .rax = 1, OK(2),
      .ck = CK_REG | CK_FLAGS, .reg_after = 0, .flags_after = 0x55) },
    { "sub_signed_overflow", cm_run, CM(B(0x29, 0x03), .reg = 0x80000000, .rax = 1, OK(2),
      .ck = CK_REG | CK_FLAGS, .reg_after = 0x7FFFFFFF, .flags_after = 0x814) },
    { "cmp_sets_flags_only", cm_run, CM(B(0x39, 0x03), .reg = 0x42, .rax = 0x42, OK(2),
      .ck = CK_REG | CK_FLAGS | CK_RAX, .reg_after = 0x42, .rax_after = 0x42,
      .flags_after = 0x44) },
    { "cmp_imm_below_sets_carry", cm_run, CM(B(0x83, 0x3B, 0x10), .reg = 0x0F, OK(3),
      .ck = CK_FLAGS, .flags_after = 0x85) },
    { "test_no_common_bits", cm_run, CM(B(0x85, 0x03), .reg = 0xF0, .rax = 0x0F, OK(2),
      .ck = CK_REG | CK_FLAGS, .reg_after = 0xF0, .flags_after = 0x44) },
    { "lock_or_allowed", cm_run, CM(B(0xF0, 0x09, 0x03), .reg = 0x1, .rax = 0x2, OK(3),
      .ck = CK_REG, .reg_after = 0x3) },
    { "xchg_swaps", cm_run, CM(B(0x87, 0x03), .reg = 0x1234, .rax = 0x5678, OK(2),
      .ck = CK_REG | CK_RAX, .reg_after = 0x5678, .rax_after = 0x1234) },
    /* bit tests */
    { "bt_imm_sets_carry", cm_run, CM(B(0x0F, 0xBA, 0x23, 0x04), .reg = 0x10, OK(4),
      .ck = CK_REG | CK_FLAGS, .reg_after = 0x10, .flags_after = 0x01) },
    { "bts_imm_sets_bit", cm_run, CM(B(0x0F, 0xBA, 0x2B, 0x00), .reg = 0x10, OK(4),
      .ck = CK_REG | CK_FLAGS, .reg_after = 0x11, .flags_after = 0) },
    { "btr_register_offset_modulo_width", cm_run, CM(B(0x0F, 0xB3, 0x03), .reg = 0x30,
      .rax = 36, OK(3), .ck = CK_REG | CK_FLAGS, .reg_after = 0x20, .flags_after = 0x01) },
    { "btc_imm_toggles_top_bit", cm_run, CM(B(0x0F, 0xBA, 0x3B, 0x1F), .reg = 0x1, OK(4),
      .ck = CK_REG, .reg_after = 0x80000001ULL) },
    /* the EPT path and unclaimed MMIO */
    { "ept_violation_on_device_emulated", cm_run, CM(B(0x8B, 0x03), .mode = CM_EPT_READ,
      .reg = 0x4242, OK(2), .ck = CK_RAX, .rax_after = 0x4242) },
    { "ept_write_on_device_emulated", cm_run, CM(B(0x89, 0x03), .mode = CM_EPT_WRITE,
      .rax = 0x31337, OK(2), .ck = CK_REG, .reg_after = 0x31337) },
    { "unclaimed_mmio_reads_ones", cm_run, CM(B(0x8B, 0x03), .gpa = 0xFEC00000ULL, OK(2),
      .ck = CK_RAX, .rax_after = 0xFFFFFFFFULL) },
    { "unclaimed_mmio_write_dropped", cm_run, CM(B(0x89, 0x03), .gpa = 0xFEC00000ULL,
      .reg = 0x99, OK(2), .ck = CK_REG, .reg_after = 0x99) },
    { "trailing_bytes_rip_by_decoded_length", cm_run, CM(B(0x8B, 0x03, 0x90, 0x90, 0x90),
      .reg = 7, OK(2), .ck = CK_RAX, .rax_after = 7) },
    /* refusals */
    { "lock_mov_ud", cm_run, CM(B(0xF0, 0x89, 0x03), .reg = 0x5, .expect = EXIT_INJECT_UD,
      .ck = CK_REG, .reg_after = 0x5) },
    { "unsupported_instruction_ud", cm_run, CM(B(0x0F, 0xA2), .expect = EXIT_INJECT_UD) },
    { "register_only_instruction_ud", cm_run, CM(B(0x89, 0xD8), .expect = EXIT_INJECT_UD) },
    { "truncated_bytes_invalid", cm_run, CM(B(0xC7, 0x03, 0xEF, 0xBE), .reg = 0x5,
      .expect = EXIT_INVALID, .ck = CK_REG, .reg_after = 0x5) },
    { "fifteen_prefixes_too_long_gp", cm_run, CM(B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66), .expect = EXIT_INJECT_GP) },
};
CONF_AREA("exit_mmio", cm_cases)
