/* Exits: random records of every reason give a defined action and leave an audit-clean machine. */
#include <string.h>
#include "hvfuzz/exit.h"
#include "audit_util.h"

/*
 * The error policy says any record (reason, qualification, registers, instruction bytes) gets a
 * defined action and never a crash or undefined behaviour (run under ASan/UBSan by make check).
 * Records are random but biased towards the interesting: device ports and the DMA page, real
 * opcode bytes, small rep counts. Every few records dom1's DMA ring is pointed at random bytes
 * in its memory and rung. A crashed domain is replaced by a fresh machine.
 */
static uint64_t er_state = 0x9E3779B97F4A7C15ULL;

static uint64_t er_rand(void)
{
    er_state ^= er_state << 13;
    er_state ^= er_state >> 7;
    er_state ^= er_state << 17;
    return er_state;
}

static const uint8_t er_opcodes[] = {
    0x8B, 0x89, 0x8A, 0x88, 0xC7, 0xAB, 0xA5, 0x09, 0x21, 0x31, 0x01, 0x29, 0x39, 0x85, 0x87,
    0x6C, 0x6D, 0x6E, 0x6F, 0xF3, 0x66, 0x67, 0x48, 0x0F, 0xF0, 0x83, 0x81, 0xA1, 0x64,
};

static void er_record(struct exit_record *x)
{
    memset(x, 0, sizeof(*x));
    x->reason = (uint8_t)(er_rand() % (EXIT_NR + 2));
    uint64_t r = er_rand();
    switch (x->reason) {
    case EXIT_IO: {
        static const uint16_t ports[] = { 0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FD, 0x3FF, 0x70, 0x71,
                                          0x80, 0xFFFF };
        x->qual = ports[r % 10] | ((uint64_t)(1U << (er_rand() % 4)) << 16) |
                  ((er_rand() % 8) << 24);
        break;
    }
    case EXIT_MMIO:
    case EXIT_EPT_VIOLATION:
        x->qual = (r & 1) ? DMA_MMIO_BASE + (er_rand() % 0x1010) : er_rand() % (1ULL << 24);
        x->gla = er_rand() % 8;
        break;
    case EXIT_EXCEPTION:
        x->qual = (er_rand() % 40) | ((er_rand() & 1) ? er_rand() << 32 : 0);
        break;
    default:
        x->qual = (r & 1) ? er_rand() : r % 0x100;
        break;
    }
    for (unsigned i = 0; i < 16; i++)
        x->regs.gpr[i] = (er_rand() & 1) ? er_rand() % 300 : er_rand();
    if (er_rand() & 1)
        x->regs.gpr[X86_RCX] = MSR_EFER + (er_rand() % 0x200);
    x->regs.rflags = er_rand();
    x->insn_len = (uint8_t)(er_rand() % 17);
    for (unsigned i = 0; i < X86_MAX_INSN_LEN; i++)
        x->insn[i] = (er_rand() % 3) ? er_opcodes[er_rand() % sizeof(er_opcodes)]
                                     : (uint8_t)er_rand();
}

/* Fill a page of dom1 with random descriptors pointing at small gpas and ring them. */
static void er_dma(struct hv *hv, struct vcpu *v)
{
    struct domain *d = &hv->dom[1];
    gfn_t gfn = AU_DATA_GFN + er_rand() % 8;
    uint8_t *p = frame_mem_w(hv, d->p2m[gfn]);
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++) {
        uint64_t q = (er_rand() & 1) ? er_rand() % (2 * AU_DOM_PAGES * PAGE_SIZE) : er_rand();
        if (i % 4 == 2)
            q = (er_rand() % 600) | ((er_rand() % 4) << 32);
        memcpy(p + 8 * i, &q, 8);
    }
    static const uint8_t st32[] = { 0x89, 0x03 }, st64[] = { 0x48, 0x89, 0x03 };
    const struct { unsigned reg; uint64_t val; } w[] = {
        { DMA_REG_RING_BASE, (uint64_t)gfn << PAGE_SHIFT }, { DMA_REG_RING_SIZE, 64 },
        { DMA_REG_CTRL, 1 }, { DMA_REG_TAIL, er_rand() % 70 },
    };
    for (unsigned i = 0; i < 4; i++) {
        struct exit_record x = { .reason = EXIT_MMIO, .qual = DMA_MMIO_BASE + w[i].reg };
        bool wide = w[i].reg == DMA_REG_RING_BASE;
        x.insn_len = wide ? 3 : 2;
        memcpy(x.insn, wide ? st64 : st32, x.insn_len);
        x.regs.gpr[X86_RAX] = w[i].val;
        struct exit_result r;
        hv_exit(hv, v, &x, &r);
    }
}

TEST(exit_random_records)
{
    struct hv *hv = au_machine();
    unsigned crashes = 0, actions[EXIT_INJECT_EXC + 1] = { 0 }, dma_done = 0, dma_refused = 0;
    for (unsigned n = 0; hv && n < 20000; n++) {
        struct vcpu *v = &hv->dom[1].vcpu[0];
        v->blocked = false;
        if (n % 16 == 0) {
            uint32_t done = hv->dom[1].dma.completed;
            er_dma(hv, v);
            dma_done += hv->dom[1].dma.completed - done;
            dma_refused += hv->dom[1].dma.error != DMA_ERR_NONE;
        }
        struct exit_record x;
        struct exit_result r;
        er_record(&x);
        enum exit_action a = hv_exit(hv, v, &x, &r);
        CU_ASSERT(a <= EXIT_INJECT_EXC);
        TEST_EQ(a, r.action);
        if (a <= EXIT_INJECT_EXC)
            actions[a]++;
        if (a == EXIT_INVALID)
            CU_ASSERT(memcmp(&x.regs, &r.regs, sizeof(x.regs)) == 0);
        if (n % 500 == 0 || a == EXIT_DOMAIN_CRASH)
            au_expect_clean(hv, "after random exits");
        if (hv->dom[1].shutdown) {
            crashes++;
            hv_destroy(hv);
            hv = au_machine();
        }
    }
    if (hv) {
        au_expect_clean(hv, "after random exits");
        hv_destroy(hv);
    }
    /* the mix reached every end, or the generator is too narrow to mean much */
    CU_ASSERT(crashes > 0);
    CU_ASSERT(dma_done > 0 && dma_refused > 0);
    CU_ASSERT(actions[EXIT_RESUME] > 0 && actions[EXIT_INJECT_GP] > 0 &&
              actions[EXIT_INJECT_UD] > 0 && actions[EXIT_INVALID] > 0 &&
              actions[EXIT_HALTED] > 0 && actions[EXIT_INJECT_EXC] > 0);
}
