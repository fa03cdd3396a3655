/* PV exception conformance: set_trap_table's checks, the bounce frame a delivered exception leaves, and iret. */
#include <string.h>

#include "conformance.h"

/*
 * Rows run on dom1's vCPU 0. set_trap_table reads trap_info entries (vector, flags, cs,
 * address: 16 bytes) from data page 0 until an entry with address 0; pv_inject_exception writes
 * Xen's bounce frame below the vCPU's stack (data page 1's top) and enters the handler; iret
 * reads its frame (rax, r11, rcx, flags, rip, cs, rflags, rsp, ss) at the vCPU's rsp.
 */
#define TR_HANDLER 0x40005000ULL
#define TR_NONCANON 0x0000800000000000ULL

struct tr_entry {
    uint8_t  vector, flags;
    uint16_t cs;
    uint32_t pad;
    uint64_t address;
};

/* ---- set_trap_table ---------------------------------------------------------------------------- */

struct tt_row {
    struct tr_entry e[3];      /* up to the first with address 0 (the rest zero) */
    bool null_handle, unmapped, preempt, planted;
    long expect;
    bool check;                /* check entry vector after */
    uint8_t vector;
    uint16_t cs_after;
    uint64_t address_after;
};

static void tt_run(struct conf_ctx *c)
{
    const struct tt_row *r = c->data;
    struct vcpu *v = c->v1;
    gva_t table = conf_scratch(c, c->d1, 0);

    if (r->planted)
        v->traps[14] = (struct pv_trap){ .address = TR_HANDLER, .cs = PV_FLAT_KERNEL_CS };
    if (conf_put(c, v, table, r->e, sizeof(r->e)) < 0)
        return;
    if (r->preempt)
        c->hv->preempt_pattern = ~0ULL;
    uint64_t arg = r->null_handle ? 0 : r->unmapped ? DOM_VA(CONF_DOM_PAGES + 3) : table;
    long rc = conf_hc(c, v, HYPERVISOR_set_trap_table, arg, 0, 0, 0, 0);
    c->hv->preempt_pattern = 0;
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->null_handle) {
        for (unsigned i = 0; i < PV_TRAP_VECTORS; i++)
            CONF_EXPECT_EQ(c, 0, v->traps[i].address);
    }
    if (r->check) {
        CONF_EXPECT_EQ(c, r->address_after, v->traps[r->vector].address);
        CONF_EXPECT_EQ(c, r->cs_after, v->traps[r->vector].cs);
    }
}

#define TT(...) (&(const struct tt_row){ __VA_ARGS__ })
#define E(v, f, s, a) { .vector = (v), .flags = (f), .cs = (s), .address = (a) }
static const struct conf_case tt_cases[] = {
    { "one_entry", tt_run, TT(.e = { E(14, 4, PV_FLAT_KERNEL_CS, TR_HANDLER) }, .check = true, .vector = 14,
      .cs_after = PV_FLAT_KERNEL_CS, .address_after = TR_HANDLER) },
    { "selector_gets_kernel_rpl", tt_run, TT(.e = { E(6, 0, 0xE030, TR_HANDLER) }, .check = true, .vector = 6,
      .cs_after = PV_FLAT_KERNEL_CS, .address_after = TR_HANDLER) },
    { "stops_at_address_0", tt_run, TT(.e = { E(6, 0, PV_FLAT_KERNEL_CS, 0),
      E(13, 0, PV_FLAT_KERNEL_CS, TR_HANDLER) }, .check = true, .vector = 13, .cs_after = 0, .address_after = 0) },
    { "non_canonical_einval", tt_run, TT(.e = { E(6, 0, PV_FLAT_KERNEL_CS, TR_HANDLER),
      E(13, 0, PV_FLAT_KERNEL_CS, TR_NONCANON) }, .expect = -XEN_EINVAL, .check = true, .vector = 6,
      .cs_after = PV_FLAT_KERNEL_CS, .address_after = TR_HANDLER) },
    { "software_vector_accepted", tt_run, TT(.e = { E(0x80, 3, PV_FLAT_KERNEL_CS, TR_HANDLER) }) },
    { "null_handle_clears", tt_run, TT(.null_handle = true, .planted = true) },
    { "unmapped_efault", tt_run, TT(.unmapped = true, .expect = -XEN_EFAULT) },
    { "preempted_continues", tt_run, TT(.e = { E(3, 0, PV_FLAT_KERNEL_CS, TR_HANDLER),
      E(14, 0, PV_FLAT_KERNEL_CS, TR_HANDLER + 16) }, .preempt = true, .check = true, .vector = 14,
      .cs_after = PV_FLAT_KERNEL_CS, .address_after = TR_HANDLER + 16) },
};
CONF_AREA("set_trap_table", tt_cases)

/* ---- delivery (the bounce frame) --------------------------------------------------------------- */

struct bf_row {
    unsigned vector;
    uint32_t ec;
    uint8_t  flags;            /* the handler's TI flags */
    bool no_handler, xen_stack, mask_before;
    int  expect;
    unsigned words;            /* frame words written */
};

static void bf_run(struct conf_ctx *c)
{
    const struct bf_row *r = c->data;
    struct vcpu *v = c->v1;
    uint64_t sp = conf_scratch(c, c->d1, 1) + PAGE_SIZE - 8;   /* aligned down to 16 */

    if (!r->no_handler)
        v->traps[r->vector] = (struct pv_trap){ .address = TR_HANDLER, .cs = PV_FLAT_KERNEL_CS,
                                                .flags = r->flags };
    v->upcall_mask = r->mask_before;
    v->uregs = (struct pv_uregs){ .rax = 1, .rcx = 0x11, .r11 = 0x22, .rip = 0x40001234,
                                  .rsp = r->xen_stack ? XEN_VIRT_START + 0x1000 : sp,
                                  .rflags = 0x10346, .cs = PV_FLAT_KERNEL_CS,
                                  .ss = PV_FLAT_KERNEL_SS };
    int rc = pv_inject_exception(c->hv, v, r->vector, pv_exc_has_ec(r->vector), r->ec, 0x40777000);
    CONF_EXPECT_EQ(c, r->expect, rc);
    CONF_EXPECT_EQ(c, r->expect < 0, c->d1->crashed);
    if (r->xen_stack || !r->words)
        return;
    uint64_t base = (sp & ~0xFULL) - 8U * r->words, w[8];
    if (conf_get(c, v, base, w, 8U * r->words) < 0)
        return;
    unsigned k = 0;
    CONF_EXPECT_EQ(c, 0x11, w[k++]);                               /* rcx */
    CONF_EXPECT_EQ(c, 0x22, w[k++]);                               /* r11 */
    if (pv_exc_has_ec(r->vector))
        CONF_EXPECT_EQ(c, r->vector == 14 ? r->ec & ~4U : r->ec, w[k++]);   /* no user bit */
    CONF_EXPECT_EQ(c, 0x40001234, w[k++]);                         /* rip */
    CONF_EXPECT_EQ(c, ((uint64_t)r->mask_before << 32) | 0xE030U, w[k++]);   /* kernel context */
    CONF_EXPECT_EQ(c, 0x10146U | (r->mask_before ? 0 : 0x200U), w[k++]);    /* IF = events on */
    CONF_EXPECT_EQ(c, sp, w[k++]);
    CONF_EXPECT_EQ(c, PV_FLAT_KERNEL_SS, w[k++]);
    if (r->expect < 0)
        return;
    CONF_EXPECT_EQ(c, TR_HANDLER, v->uregs.rip);
    CONF_EXPECT_EQ(c, base, v->uregs.rsp);
    CONF_EXPECT_EQ(c, 0x246, v->uregs.rflags);                     /* RF gone */
    CONF_EXPECT_EQ(c, r->mask_before || (r->flags & PV_TI_IF), v->upcall_mask);
    if (r->vector == 14)
        CONF_EXPECT_EQ(c, 0x40777000, v->cr2);
}

#define BF(...) (&(const struct bf_row){ __VA_ARGS__ })
static const struct conf_case bf_cases[] = {
    { "ud_no_error_code", bf_run, BF(.vector = 6, .words = 7) },
    { "pf_error_code_without_user_bit", bf_run, BF(.vector = 14, .ec = 0x7, .words = 8) },
    { "gp_error_code", bf_run, BF(.vector = 13, .ec = 0x402, .words = 8) },
    { "events_masked_before", bf_run, BF(.vector = 6, .mask_before = true, .words = 7) },
    { "handler_masks_events", bf_run, BF(.vector = 3, .flags = PV_TI_IF, .words = 7) },
    { "no_handler_frame_then_crash", bf_run, BF(.vector = 6, .no_handler = true, .expect = -1,
      .words = 7) },
    { "stack_in_xen_range_crash", bf_run, BF(.vector = 6, .xen_stack = true, .expect = -1) },
};
CONF_AREA("bounce_frame", bf_cases)

/* ---- iret --------------------------------------------------------------------------------------- */

struct ir_row {
    uint64_t flags, rflags;
    uint64_t cs;               /* 0: the kernel-context selector a bounce frame holds */
    bool unmapped, in_multicall;
    bool crash;
    uint64_t rflags_after;
    bool mask_after;
};

static void ir_run(struct conf_ctx *c)
{
    const struct ir_row *r = c->data;
    struct vcpu *v = c->v1;
    gva_t sp = conf_scratch(c, c->d1, 2);
    uint64_t cs = r->cs ? r->cs : 0xE030U;
    uint64_t frame[9] = { 0x77, 0x33, 0x44, r->flags, 0x40002000, cs, r->rflags, 0x40003000,
                          PV_FLAT_KERNEL_SS & ~3U };

    if (conf_put(c, v, sp, frame, sizeof(frame)) < 0)
        return;
    v->uregs = (struct pv_uregs){ .rax = 23, .rcx = 1, .r11 = 2, .rsp = r->unmapped
                                  ? DOM_VA(CONF_DOM_PAGES + 3) : sp, .rflags = 0x202,
                                  .cs = PV_FLAT_KERNEL_CS, .ss = PV_FLAT_KERNEL_SS };
    long rc;
    if (r->in_multicall) {
        /* iret, then xen_version: the batch ends at the iret */
        struct multicall_entry mc[2] = { { .op = HYPERVISOR_iret, .result = 99 },
                                         { .op = HYPERVISOR_xen_version, .result = 99 } };
        gva_t list = conf_scratch(c, c->d1, 3);
        if (conf_put(c, v, list, mc, sizeof(mc)) < 0)
            return;
        rc = conf_hc(c, v, HYPERVISOR_multicall, list, 2, 0, 0, 0);
        CONF_EXPECT_EQ(c, 0x77, rc);   /* mc_exit: the batch returns iret's result */
        if (conf_get(c, v, list, mc, sizeof(mc)) < 0)
            return;
        CONF_EXPECT_EQ(c, 0x77, mc[0].result);
        CONF_EXPECT_EQ(c, 99, mc[1].result);
    } else {
        rc = conf_hc(c, v, HYPERVISOR_iret, 0, 0, 0, 0, 0);
        CONF_EXPECT_EQ(c, r->crash ? 0 : 0x77, rc);
    }
    CONF_EXPECT_EQ(c, r->crash, c->d1->crashed);
    if (r->crash)
        return;
    CONF_EXPECT_EQ(c, 0x40002000, v->uregs.rip);
    CONF_EXPECT_EQ(c, cs | 3U, v->uregs.cs);
    CONF_EXPECT_EQ(c, r->rflags_after, v->uregs.rflags);
    CONF_EXPECT_EQ(c, 0x40003000, v->uregs.rsp);
    CONF_EXPECT_EQ(c, PV_FLAT_KERNEL_SS, v->uregs.ss);
    CONF_EXPECT_EQ(c, r->flags & 0x100 ? 1 : 0x44, v->uregs.rcx);   /* VGCF_in_syscall keeps it */
    CONF_EXPECT_EQ(c, r->flags & 0x100 ? 2 : 0x33, v->uregs.r11);
    CONF_EXPECT_EQ(c, r->mask_after, v->upcall_mask);
}

/*
 * XSA-213's fixed rule: an iret to user mode inside a multicall ends the batch (Xen's mc_exit),
 * so the MMUEXT_NEW_USER_BASEPTR after it is never made in user mode; the vCPU runs on its user
 * table until its next hypercall, which its kernel makes again.
 */
static void ir_user_multicall(struct conf_ctx *c)
{
    struct vcpu *v = c->v1;
    gva_t sp = conf_scratch(c, c->d1, 2), list = conf_scratch(c, c->d1, 3);
    mfn_t l4 = c->d1->p2m[DOM_GFN_L4];
    struct mmuext_op set = { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1 = l4 };
    struct mmuext_op clear = { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1 = 0 };
    uint64_t frame[9] = { 0x55, 0, 0, 0, 0x40002000, PV_FLAT_KERNEL_CS, 0x202, 0x40003000,
                          PV_FLAT_KERNEL_SS };

    if (conf_put(c, v, sp, frame, sizeof(frame)) < 0 ||
        conf_put(c, v, list + 256, &set, sizeof(set)) < 0 ||
        conf_put(c, v, list + 512, &clear, sizeof(clear)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0, conf_hc(c, v, HYPERVISOR_mmuext_op, list + 256, 1, 0, DOMID_SELF, 0));
    struct multicall_entry mc[2] = {
        { .op = HYPERVISOR_iret, .result = 99 },
        { .op = HYPERVISOR_mmuext_op, .result = 99, .args = { list + 512, 1, 0, DOMID_SELF } },
    };
    if (conf_put(c, v, list, mc, sizeof(mc)) < 0)
        return;
    v->uregs.rsp = sp;
    CONF_EXPECT_EQ(c, 0x55, conf_hc(c, v, HYPERVISOR_multicall, list, 2, 0, 0, 0));
    if (conf_get(c, v, list, mc, sizeof(mc)) < 0)
        return;
    CONF_EXPECT_EQ(c, 0x55, mc[0].result);
    CONF_EXPECT_EQ(c, 99, mc[1].result);
    CONF_EXPECT_EQ(c, true, v->user_mode);
    CONF_EXPECT_EQ(c, l4, v->guest_table_user);
    CONF_EXPECT_EQ(c, l4, v->user_table_live);
    CONF_EXPECT_EQ(c, 0, conf_hc(c, v, HYPERVISOR_xen_version, 0, 0, 0, 0, 0) < 0);
    CONF_EXPECT_EQ(c, false, v->user_mode);
}

#define IR(...) (&(const struct ir_row){ __VA_ARGS__ })
static const struct conf_case ir_cases[] = {
    { "to_kernel", ir_run, IR(.rflags = 0x246, .rflags_after = 0x246) },
    { "events_masked_without_if", ir_run, IR(.rflags = 0x46, .rflags_after = 0x246,
      .mask_after = true) },
    { "iopl_and_vm_dropped", ir_run, IR(.rflags = 0x23200, .rflags_after = 0x202) },
    { "reserved_bits_dropped", ir_run, IR(.rflags = 0xFFFFFFFF00000200ULL, .rflags_after = 0x202) },
    { "in_syscall_keeps_rcx_r11", ir_run, IR(.flags = 0x100, .rflags = 0x200,
      .rflags_after = 0x202) },
    { "to_user_without_user_tables_crashes", ir_run, IR(.cs = PV_FLAT_KERNEL_CS, .rflags = 0x200,
      .crash = true) },
    { "unreadable_frame_crashes", ir_run, IR(.unmapped = true, .crash = true) },
    { "ends_a_multicall", ir_run, IR(.in_multicall = true, .rflags = 0x200,
      .rflags_after = 0x202) },
    { "to_user_ends_a_multicall", ir_user_multicall, NULL },
};
CONF_AREA("iret", ir_cases)
