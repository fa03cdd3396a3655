/* DMA device conformance: registers, the descriptor ring, copies, and every refusal of a DMA outside the domain. */
#include <string.h>
#include "exit_conf.h"
#include "grant_conf.h"

/*
 * The driver is dom1 (dom2 for the grant rows), programming the device through MMIO exits with
 * real mov instructions. The ring lives in the driver's scratch page 0; buffers are scratch pages
 * 1.., filled with a byte pattern. A descriptor's address is a place (a scratch page, a page table,
 * a frame planted in the p2m) plus an offset. Each row checks the registers after the doorbell,
 * the result the device wrote back into every descriptor, and the destination bytes.
 */
enum cd_place {
    CD_PAGE = 0,    /* scratch page n of the driver */
    CD_PT,          /* gfn 0: the driver's L4 page table */
    CD_UNPOP,       /* an unpopulated gfn below the allowance */
    CD_FOREIGN,     /* another domain's frame planted in the driver's p2m */
    CD_GRANTED,     /* dom1's frame granted to dom2 (driver) as a device mapping, planted */
    CD_GPA_END,     /* the last bytes below the p2m's reach */
    CD_LAST_OWNED,  /* the driver's last built gfn, followed by the planted foreign frame */
};
#define CD_FOREIGN_GFN CONF_DOM_PAGES   /* right after the driver's last built gfn */
#define CD_GRANT_GFN   103U

struct cd_addr {
    uint8_t  place;
    uint8_t  page;
    uint32_t off;
};

struct cd_desc {
    struct cd_addr src, dst;
    uint32_t len, flags;
    uint64_t result;        /* expected write-back */
};

enum cd_setup { CD_NONE = 0, CD_NOT_ENABLED, CD_RING_UNALIGNED, CD_RING_UNPOP, CD_GRANT_RW,
                CD_GRANT_RO, CD_SMALL_RING };

struct cd_row {
    enum cd_setup setup;
    bool     dom2;          /* dom2 drives the device */
    unsigned nr;            /* descriptors written to the ring */
    struct cd_desc d[3];
    unsigned repeat;        /* > 0: nr copies of d[0] */
    uint32_t ring_size, tail;
    unsigned doorbells;
    uint32_t head, completed, error;
    bool     status_error;
    bool     copied;        /* every accepted descriptor's bytes arrived */
    bool     foreign_intact;/* the planted foreign frame is unchanged */
};

struct cd_env {
    struct domain *d;
    struct vcpu *v;
    mfn_t foreign;
};

static uint64_t cd_gpa(struct conf_ctx *c, const struct cd_env *e, struct cd_addr a)
{
    switch (a.place) {
    case CD_PT:      return ((uint64_t)DOM_GFN_L4 << PAGE_SHIFT) + a.off;
    case CD_UNPOP:   return (100ULL << PAGE_SHIFT) + a.off;
    case CD_FOREIGN: return ((uint64_t)CD_FOREIGN_GFN << PAGE_SHIFT) + a.off;
    case CD_GRANTED: return ((uint64_t)CD_GRANT_GFN << PAGE_SHIFT) + a.off;
    case CD_GPA_END: return ((uint64_t)HV_MAX_GFNS << PAGE_SHIFT) - 16;
    case CD_LAST_OWNED: return ((uint64_t)(CONF_DOM_PAGES - 1) << PAGE_SHIFT) + a.off;
    default:
        return ((uint64_t)DOM_FIRST_DATA_GFN(CONF_DOM_PAGES) + a.page) * PAGE_SIZE + a.off;
    }
}

static void cd_reg_write(struct conf_ctx *c, const struct cd_env *e, unsigned reg, unsigned size,
                         uint64_t v)
{
    xc_mmio_write(c, e->v, DMA_MMIO_BASE + reg, size, v);
}

static uint32_t cd_reg(struct conf_ctx *c, const struct cd_env *e, unsigned reg)
{
    return (uint32_t)xc_mmio_read(c, e->v, DMA_MMIO_BASE + reg, 4);
}

/* Set-up that needs the grant code: dom1 grants its page GC_PAGE to dom2, dom2 maps it for its
   device, and the frame is planted in dom2's p2m where the driver will point the device. */
static bool cd_grant(struct conf_ctx *c, bool readonly)
{
    mfn_t m = gc_grant_std(c, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)));
    int st = gc_map(c, c->v2, 1, GC_REF,
                    GNTMAP_device_map | (readonly ? GNTMAP_readonly : 0), 0, NULL, NULL);
    if (st != GNTST_okay) {
        CONF_ERROR(c, "set-up: device grant map returned %d", st);
        return false;
    }
    c->d2->p2m[CD_GRANT_GFN] = m;
    return true;
}

static void cd_fill(struct conf_ctx *c, const struct cd_env *e)
{
    uint8_t buf[PAGE_SIZE];
    for (unsigned k = 1; k <= 4; k++) {
        for (unsigned i = 0; i < PAGE_SIZE; i++)
            buf[i] = (uint8_t)(k * 31U + i);
        if (conf_put(c, e->v, conf_scratch(c, e->d, k), buf, sizeof(buf)) < 0)
            return;
    }
}

static void cd_run(struct conf_ctx *c)
{
    const struct cd_row *row = c->data;
    struct cd_env e = { .d = row->dom2 ? c->d2 : c->d1, .v = row->dom2 ? c->v2 : c->v1 };
    struct domain *other = row->dom2 ? c->d0 : c->d2;
    uint8_t foreign_before[64];

    if ((row->setup == CD_GRANT_RW || row->setup == CD_GRANT_RO) &&
        !cd_grant(c, row->setup == CD_GRANT_RO))
        return;
    /* a frame of another domain, put in the driver's p2m: the device must still refuse it */
    e.foreign = conf_scratch_mfn(c, other, 3);
    e.d->p2m[CD_FOREIGN_GFN] = e.foreign;
    memcpy(foreign_before, frame_mem(c->hv, e.foreign), sizeof(foreign_before));
    cd_fill(c, &e);

    unsigned nr = row->repeat ? row->repeat : row->nr;
    uint64_t ring = cd_gpa(c, &e, (struct cd_addr){ CD_PAGE, 0, 0 });
    gva_t ring_va = conf_scratch(c, e.d, 0);
    for (unsigned i = 0; i < nr; i++) {
        const struct cd_desc *d = &row->d[row->repeat ? 0 : i];
        struct dma_desc dd = { .src = cd_gpa(c, &e, d->src), .dst = cd_gpa(c, &e, d->dst),
                               .len = d->len, .flags = d->flags, .result = 0xEEEE };
        if (conf_put(c, e.v, ring_va + i * DMA_DESC_SIZE, &dd, sizeof(dd)) < 0)
            return;
    }
    if (row->setup == CD_RING_UNALIGNED)
        ring += 8;
    if (row->setup == CD_RING_UNPOP)
        ring = cd_gpa(c, &e, (struct cd_addr){ CD_UNPOP, 0, 0 });
    cd_reg_write(c, &e, DMA_REG_RING_BASE, 8, ring);
    cd_reg_write(c, &e, DMA_REG_RING_SIZE, 4, row->ring_size ? row->ring_size : 32);
    if (row->setup != CD_NOT_ENABLED)
        cd_reg_write(c, &e, DMA_REG_CTRL, 4, DMA_CTRL_ENABLE);
    for (unsigned k = 0; k < (row->doorbells ? row->doorbells : 1); k++)
        cd_reg_write(c, &e, DMA_REG_TAIL, 4, row->tail ? row->tail : nr);

    CONF_EXPECT_EQ(c, row->head, cd_reg(c, &e, DMA_REG_HEAD));
    CONF_EXPECT_EQ(c, row->completed, cd_reg(c, &e, DMA_REG_COMPLETED));
    CONF_EXPECT_EQ(c, row->error, cd_reg(c, &e, DMA_REG_ERROR));
    CONF_EXPECT_EQ(c, row->status_error, (cd_reg(c, &e, DMA_REG_STATUS) & DMA_STATUS_ERROR) != 0);
    for (unsigned i = 0; i < nr && !row->repeat; i++) {
        struct dma_desc dd;
        if (conf_get(c, e.v, ring_va + i * DMA_DESC_SIZE, &dd, sizeof(dd)) < 0)
            return;
        CONF_EXPECT_EQ(c, row->d[i].result, dd.result);
        if (!row->copied || dd.result != 0 || row->d[i].dst.place == CD_GPA_END)
            continue;
        /* compare what arrived: the source pattern, or zeros for a fill */
        uint8_t want[256], got[256];
        uint32_t n = row->d[i].len < sizeof(got) ? row->d[i].len : sizeof(got);
        uint64_t dst = cd_gpa(c, &e, row->d[i].dst), src = cd_gpa(c, &e, row->d[i].src);
        for (uint32_t k = 0; k < n; k++) {
            mfn_t dm = e.d->p2m[(dst + k) >> PAGE_SHIFT], sm = e.d->p2m[(src + k) >> PAGE_SHIFT];
            got[k] = frame_mem(c->hv, dm)[(dst + k) & (PAGE_SIZE - 1)];
            want[k] = (row->d[i].flags & DMA_DESC_FILL) ? 0 :
                      frame_mem(c->hv, sm)[(src + k) & (PAGE_SIZE - 1)];
        }
        CONF_EXPECT(c, memcmp(want, got, n) == 0);
    }
    if (row->foreign_intact)
        CONF_EXPECT(c, memcmp(foreign_before, frame_mem(c->hv, e.foreign),
                              sizeof(foreign_before)) == 0);
    /* the planted entries are the case's own doing: take them back before the audit */
    e.d->p2m[CD_FOREIGN_GFN] = MFN_INVALID;
    if (row->setup == CD_GRANT_RW || row->setup == CD_GRANT_RO)
        c->d2->p2m[CD_GRANT_GFN] = MFN_INVALID;
}

#define P(n, o) { CD_PAGE, (n), (o) }
#define AT(pl, o) { (pl), 0, (o) }
#define CD(...) (&(const struct cd_row){ __VA_ARGS__ })

/* ---- registers ------------------------------------------------------------------------------- */

/* Register behaviour on dom1 without a ring: each step writes (size 4 or 8) or reads and
   compares. Size 2 reads use a 16-bit mov: the device answers only 4/8-byte accesses. */
enum { DR_END = 0, DR_W, DR_R };
struct dr_step {
    uint8_t  op, size;
    uint16_t reg;
    uint64_t val;
};
struct dr_row {
    struct dr_step s[8];
};

static void dr_run(struct conf_ctx *c)
{
    const struct dr_row *row = c->data;
    for (unsigned i = 0; i < 8 && row->s[i].op != DR_END; i++) {
        const struct dr_step *s = &row->s[i];
        uint64_t gpa = DMA_MMIO_BASE + s->reg;
        if (s->op == DR_W) {
            xc_mmio_write(c, c->v1, gpa, s->size, s->val);
            continue;
        }
        uint64_t got;
        if (s->size == 2) {
            static const uint8_t ld16[] = { 0x66, 0x8B, 0x03 };   /* mov ax, [rbx] */
            struct exit_record x;
            struct exit_result r;
            xc_record(&x, EXIT_MMIO, gpa);
            xc_insn(&x, ld16, sizeof(ld16));
            x.regs.gpr[X86_RAX] = 0x1234567800000000ULL;
            CONF_EXPECT_EQ(c, EXIT_RESUME, xc_run(c, c->v1, &x, &r));
            got = r.regs.gpr[X86_RAX];
        } else {
            got = xc_mmio_read(c, c->v1, gpa, s->size);
        }
        if (got != s->val)
            CONF_FAIL(c, "step %u: read reg 0x%x size %u: expected 0x%llx, actual 0x%llx", i,
                      s->reg, s->size, (unsigned long long)s->val, (unsigned long long)got);
        c->checks++;
    }
}

#define W4(r, v) { DR_W, 4, (r), (v) }
#define W8(r, v) { DR_W, 8, (r), (v) }
#define R4(r, v) { DR_R, 4, (r), (v) }
#define R8(r, v) { DR_R, 8, (r), (v) }
#define DR(...) (&(const struct dr_row){ { __VA_ARGS__ } })
static const struct conf_case cd_cases[] = {
    { "copy_one_descriptor", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), P(2, 0), 64, 0, 0 } }, .head = 1, .completed = 1, .copied = true) },
    { "copy_crosses_page_boundaries", cd_run, CD(.nr = 1,
      .d = { { P(1, 4000), P(3, 100), 200, 0, 0 } }, .head = 1, .completed = 1,
      .copied = true) },
    { "fill_zeroes_destination", cd_run, CD(.nr = 1,
      .d = { { P(0, 0), P(2, 8), 100, DMA_DESC_FILL, 0 } }, .head = 1, .completed = 1,
      .copied = true) },
    { "three_descriptors_in_order", cd_run, CD(.nr = 3,
      .d = { { P(1, 0), P(2, 0), 16, 0, 0 }, { P(2, 0), P(3, 0), 16, 0, 0 },
             { P(3, 0), P(4, 0), 16, 0, 0 } }, .head = 3, .completed = 3, .copied = true) },
    { "batch_bounded_per_doorbell", cd_run, CD(.repeat = 20,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0 } }, .head = DMA_BATCH_MAX,
      .completed = DMA_BATCH_MAX) },
    { "second_doorbell_finishes_batch", cd_run, CD(.repeat = 20, .doorbells = 2,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0 } }, .head = 20, .completed = 20) },
    { "ring_wraps_at_size", cd_run, CD(.nr = 3, .ring_size = 4, .tail = 3,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0 }, { P(1, 0), P(2, 0), 8, 0, 0 },
             { P(1, 0), P(2, 0), 8, 0, 0 } }, .head = 3, .completed = 3) },
    { "dst_foreign_frame_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), AT(CD_FOREIGN, 0), 64, 0, DMA_ERR_ACCESS } }, .head = 1,
      .error = DMA_ERR_ACCESS, .status_error = true, .foreign_intact = true) },
    { "src_foreign_frame_refused", cd_run, CD(.nr = 1,
      .d = { { AT(CD_FOREIGN, 0), P(2, 0), 64, 0, DMA_ERR_ACCESS } }, .head = 1,
      .error = DMA_ERR_ACCESS, .status_error = true, .foreign_intact = true) },
    { "dst_runs_into_foreign_frame_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), AT(CD_LAST_OWNED, 4064), 64, 0, DMA_ERR_ACCESS } }, .head = 1,
      .error = DMA_ERR_ACCESS, .status_error = true, .foreign_intact = true) },
    { "refused_descriptor_does_not_stop_the_next", cd_run, CD(.nr = 2,
      .d = { { P(1, 0), AT(CD_FOREIGN, 0), 64, 0, DMA_ERR_ACCESS },
             { P(1, 0), P(2, 0), 32, 0, 0 } }, .head = 2, .completed = 1,
      .error = DMA_ERR_ACCESS, .status_error = true, .copied = true,
      .foreign_intact = true) },
    { "dst_page_table_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), AT(CD_PT, 0), 8, 0, DMA_ERR_ACCESS } }, .head = 1,
      .error = DMA_ERR_ACCESS, .status_error = true) },
    { "src_page_table_readable", cd_run, CD(.nr = 1,
      .d = { { AT(CD_PT, 0), P(2, 0), 8, 0, 0 } }, .head = 1, .completed = 1,
      .copied = true) },
    { "dst_unpopulated_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), AT(CD_UNPOP, 0), 8, 0, DMA_ERR_ACCESS } }, .head = 1,
      .error = DMA_ERR_ACCESS, .status_error = true) },
    { "dst_past_guest_memory_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), AT(CD_GPA_END, 0), 64, 0, DMA_ERR_LEN } }, .head = 1,
      .error = DMA_ERR_LEN, .status_error = true) },
    { "len_zero_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), P(2, 0), 0, 0, DMA_ERR_LEN } }, .head = 1, .error = DMA_ERR_LEN,
      .status_error = true) },
    { "len_over_max_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), P(2, 0), DMA_LEN_MAX + 1, 0, DMA_ERR_LEN } }, .head = 1,
      .error = DMA_ERR_LEN, .status_error = true) },
    { "unknown_flags_refused", cd_run, CD(.nr = 1,
      .d = { { P(1, 0), P(2, 0), 8, 0x80, DMA_ERR_FLAGS } }, .head = 1,
      .error = DMA_ERR_FLAGS, .status_error = true) },
    { "granted_frame_writable", cd_run, CD(.setup = CD_GRANT_RW, .dom2 = true, .nr = 1,
      .d = { { P(1, 0), AT(CD_GRANTED, 16), 32, 0, 0 } }, .head = 1, .completed = 1,
      .copied = true) },
    { "readonly_grant_not_writable", cd_run, CD(.setup = CD_GRANT_RO, .dom2 = true, .nr = 1,
      .d = { { P(1, 0), AT(CD_GRANTED, 16), 32, 0, DMA_ERR_ACCESS } }, .head = 1,
      .error = DMA_ERR_ACCESS, .status_error = true) },
    { "readonly_grant_readable", cd_run, CD(.setup = CD_GRANT_RO, .dom2 = true, .nr = 1,
      .d = { { AT(CD_GRANTED, 0), P(2, 0), 32, 0, 0 } }, .head = 1, .completed = 1,
      .copied = true) },
    { "doorbell_while_disabled_refused", cd_run, CD(.setup = CD_NOT_ENABLED, .nr = 1,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0xEEEE } }, .error = DMA_ERR_DISABLED,
      .status_error = true) },
    { "tail_beyond_ring_refused", cd_run, CD(.nr = 1, .ring_size = 4, .tail = 4,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0xEEEE } }, .error = DMA_ERR_INDEX,
      .status_error = true) },
    { "unaligned_ring_refused", cd_run, CD(.setup = CD_RING_UNALIGNED, .nr = 1,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0xEEEE } }, .error = DMA_ERR_RING,
      .status_error = true) },
    { "ring_in_unpopulated_memory_stops", cd_run, CD(.setup = CD_RING_UNPOP, .nr = 1,
      .d = { { P(1, 0), P(2, 0), 8, 0, 0xEEEE } }, .error = DMA_ERR_DESC,
      .status_error = true) },
    { "reg_id", dr_run, DR(R4(DMA_REG_ID, DMA_ID)) },
    { "reg_reset_state_idle", dr_run, DR(R4(DMA_REG_RING_SIZE, 0), R4(DMA_REG_HEAD, 0),
      R4(DMA_REG_TAIL, 0), R4(DMA_REG_STATUS, DMA_STATUS_IDLE), R4(DMA_REG_ERROR, 0),
      R4(DMA_REG_CTRL, 0)) },
    { "reg_ring_base_64_and_halves", dr_run, DR(W8(DMA_REG_RING_BASE, 0x123456789A0ULL),
      R4(DMA_REG_RING_BASE, 0x456789A0ULL), R4(DMA_REG_RING_BASE + 4, 0x123),
      W4(DMA_REG_RING_BASE + 4, 0), R8(DMA_REG_RING_BASE, 0x456789A0ULL)) },
    { "reg_ring_size_over_max_refused", dr_run, DR(W4(DMA_REG_RING_SIZE, 8),
      W4(DMA_REG_RING_SIZE, DMA_RING_MAX + 1), R4(DMA_REG_RING_SIZE, 8),
      R4(DMA_REG_ERROR, DMA_ERR_RING), R4(DMA_REG_STATUS, DMA_STATUS_ERROR | DMA_STATUS_IDLE)) },
    { "reg_status_write_one_to_clear", dr_run, DR(W4(DMA_REG_TAIL, 0),
      R4(DMA_REG_STATUS, DMA_STATUS_ERROR | DMA_STATUS_IDLE), W4(DMA_REG_STATUS, 1),
      R4(DMA_REG_STATUS, DMA_STATUS_IDLE), R4(DMA_REG_ERROR, DMA_ERR_DISABLED)) },
    { "reg_ctrl_reset_clears", dr_run, DR(W8(DMA_REG_RING_BASE, 0x5000),
      W4(DMA_REG_RING_SIZE, 4), W4(DMA_REG_CTRL, 1), W4(DMA_REG_CTRL, DMA_CTRL_RESET),
      R4(DMA_REG_CTRL, 0), R8(DMA_REG_RING_BASE, 0), R4(DMA_REG_RING_SIZE, 0)) },
    { "reg_read_only_ignore_writes", dr_run, DR(W4(DMA_REG_ID, 0), W4(DMA_REG_HEAD, 3),
      W4(DMA_REG_COMPLETED, 9), R4(DMA_REG_ID, DMA_ID), R4(DMA_REG_HEAD, 0),
      R4(DMA_REG_COMPLETED, 0)) },
    { "reg_unknown_offset_reads_ones", dr_run, DR(R4(0x100, 0xFFFFFFFFULL),
      R8(0x800, ~0ULL)) },
    { "reg_16bit_access_reads_ones", dr_run, DR({ DR_R, 2, DMA_REG_ID,
      0x123456780000FFFFULL }) },
};
CONF_AREA("dev_dma", cd_cases)
