/*
 * The recorder states what the case saw: a multicall's per-entry results that the case read back
 * become out@ fields, an exit's action, rax and injected #GP become action/value/fault/pfec; the
 * program replays with them on the native target, and a wrong out@ value is caught.
 */
#include <string.h>

#include "hvfuzz/exit.h"
#include "hvfuzz/hypercall.h"
#include "hvfuzz/record.h"
#include "hvfuzz/target.h"
#include "test.h"

#define RE_NO_SUCH_HC 63U    /* no handler: -ENOSYS */
#define RE_NO_SUCH_MSR 0xdeadbeefU

TEST(record_expect)
{
    const struct hv_config cfg = { .nr_frames = 512, .dom0_pages = 64, .dom0_vcpus = 2 };
    struct hv *hv = hv_create(&cfg);
    struct recorder *r = record_new(&record_conf_shape);
    char why[512] = "";

    CU_ASSERT_FATAL(hv && r);
    for (domid_t id = 1; id < 3; id++) {
        CU_ASSERT_FATAL(dom_create(hv, id, false, 128, 2) == 0);
        CU_ASSERT_FATAL(dom_build(hv, &hv->dom[id], 64) == 0);
    }
    struct vcpu *v = &hv->dom[1].vcpu[0];
    struct multicall_entry mc[2] = {
        { .op = HYPERVISOR_xen_version, .args = { XENVER_version } },
        { .op = RE_NO_SUCH_HC },
    };
    gva_t buf = DOM_VA(63);
    uint64_t args[6] = { buf, 2, 0, 0, 0, 0 };

    CU_ASSERT_FATAL(guest_write(hv, v, buf, mc, sizeof(mc), NULL) == 0);
    record_put(r, v, buf, sizeof(mc));
    int tok = record_hc_begin(r, hv, v, HYPERVISOR_multicall, args);
    long rc = hv_hypercall_complete(hv, v, HYPERVISOR_multicall, args, 100);
    record_hc_end(r, tok, rc, 0);
    CU_ASSERT_FATAL(guest_read(hv, v, buf, mc, sizeof(mc), NULL) == 0);
    record_get(r, v, buf, mc, sizeof(mc));

    const struct prog_op *op = &r->prog.ops[0];
    TEST_EQ(PE_STATUS | PE_RC | PE_OUT, op->expect.have);
    TEST_EQ(2, op->expect.nr_out);
    TEST_EQ(offsetof(struct multicall_entry, result), op->expect.out[0].off);
    TEST_EQ(8, op->expect.out[0].width);
    TEST_EQ(0x40011, (int64_t)op->expect.out[0].value);   /* the model's XENVER_version: 4.17 */
    TEST_EQ(sizeof(mc[0]) + offsetof(struct multicall_entry, result), op->expect.out[1].off);
    TEST_EQ(-XEN_ENOSYS, (int64_t)op->expect.out[1].value);

    /* rdmsr of an MSR the model lacks: #GP(0) injected, rax as it came in */
    struct exit_record x = { .reason = EXIT_MSR_READ, .insn_len = 2, .insn = { 0x0F, 0x32 } };
    struct exit_result res;
    x.regs.gpr[X86_RCX] = RE_NO_SUCH_MSR;
    x.regs.gpr[X86_RAX] = 0x1234;
    x.regs.rip = DOM_VA(10);
    x.regs.rflags = 0x202;
    tok = record_exit(r, hv, v, &x);
    enum exit_action a = hv_exit(hv, v, &x, &res);
    record_exit_end(r, tok, &res);
    const struct prog_expect *e = &r->prog.ops[1].expect;
    TEST_EQ(EXIT_INJECT_GP, a);
    TEST_EQ(PE_STATUS | PE_RC | PE_VALUE | PE_FAULT | PE_PFEC, e->have);
    TEST_EQ(EXIT_INJECT_GP, e->rc);
    TEST_EQ(13, e->fault);
    TEST_EQ(0, e->pfec);
    TEST_EQ(0x1234, e->value);

    TEST_EQ(0, record_replay_check(r, why, sizeof(why)));
    if (why[0])
        fprintf(stderr, "record_expect: %s\n", why);
    struct record_tally t = { 0 };
    record_tally_prog(&t, &r->prog);
    TEST_EQ(2 + 2 + 1 + 1 + 1 + 2, record_tally_total(&t));   /* status rc value fault pfec out */

    /* a result written back that the replay does not give must be caught */
    r->prog.ops[0].expect.out[1].value = 0;
    TEST_EQ(-1, record_replay_check(r, why, sizeof(why)));
    TEST_EQ(1, strstr(why, "out@") != NULL);
    record_free(r);
    hv_destroy(hv);
}
