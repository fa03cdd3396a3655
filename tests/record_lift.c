/* The recorder lifts an mmu_update's buffer, frames and domid into resources, and the program replays. */
#include <stdlib.h>
#include <string.h>

#include "hvfuzz/hypercall.h"
#include "hvfuzz/record.h"
#include "hvfuzz/target.h"
#include "test.h"

/*
 * The conformance machine's dom1 remaps its data page 4 read-only through mmu_update, with the
 * request in a buffer it wrote at gfn 63 and DOMID_SELF as the foreign domain. The recording must
 * say what the raw numbers were: the buffer is the payload (arg 0 = payload+0), the request's ptr a
 * machine address inside dom1's first L1 (gfn 3), its val a PTE of dom1's gfn 4, the domain
 * DOMID_SELF; and it must replay on the native target with the recorded result.
 */
TEST(record_lift)
{
    const struct hv_config cfg = { .nr_frames = 512, .dom0_pages = 64, .dom0_vcpus = 2 };
    struct hv *hv = hv_create(&cfg);
    struct recorder *r = record_new(&record_conf_shape);
    char why[160] = "";

    CU_ASSERT_FATAL(hv && r);
    for (domid_t id = 1; id < 3; id++) {
        CU_ASSERT_FATAL(dom_create(hv, id, false, 128, 2) == 0);
        CU_ASSERT_FATAL(dom_build(hv, &hv->dom[id], 64) == 0);
    }
    struct domain *d = &hv->dom[1];
    struct vcpu *v = &d->vcpu[0];
    mfn_t l1 = d->p2m[DOM_GFN_L1], data = d->p2m[4];
    struct mmu_update u = {
        .ptr = (l1 << PAGE_SHIFT) + 4 * 8,
        .val = (data << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
    };
    gva_t buf = DOM_VA(63);
    uint64_t args[6] = { buf, 1, 0, DOMID_SELF, 0, 0 };

    CU_ASSERT_FATAL(guest_write(hv, v, buf, &u, sizeof(u), NULL) == 0);
    record_put(r, v, buf, sizeof(u));
    int tok = record_hc_begin(r, hv, v, HYPERVISOR_mmu_update, args);
    long rc = hv_hypercall_complete(hv, v, HYPERVISOR_mmu_update, args, 100);
    record_hc_end(r, tok, rc, 0);
    TEST_EQ(0, rc);

    const struct prog_op *op = &r->prog.ops[0];
    TEST_EQ(1, r->prog.nr_ops);
    TEST_EQ(OP_HYPERCALL, op->kind);
    TEST_EQ(4, op->nr_args);
    TEST_EQ(ARG_PAYLOAD, op->args[0].kind);
    TEST_EQ(0, op->args[0].b);
    TEST_EQ(ARG_IMM, op->args[1].kind);
    TEST_EQ(ARG_DOMID, op->args[3].kind);
    TEST_EQ(1, op->args[3].a);
    TEST_EQ(sizeof(u), op->payload_len);
    TEST_EQ(2, op->nr_fixups);
    TEST_EQ(ARG_MADDR, op->fixups[0].arg.kind);
    TEST_EQ(1, op->fixups[0].arg.dom);
    TEST_EQ(DOM_GFN_L1, op->fixups[0].arg.a);
    TEST_EQ(32, op->fixups[0].arg.b);
    TEST_EQ(ARG_PTE, op->fixups[1].arg.kind);
    TEST_EQ(4, op->fixups[1].arg.a);
    TEST_EQ(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED, op->fixups[1].arg.imm);
    TEST_EQ(PE_STATUS | PE_RC, op->expect.have);
    TEST_EQ(OPS_RAN, op->expect.status);
    TEST_EQ(0, op->expect.rc);
    TEST_EQ(PROG_OK, prog_validate(&r->prog));
    TEST_EQ(0, record_replay_check(r, why, sizeof(why)));
    if (why[0])
        fprintf(stderr, "record_lift: %s\n", why);

    /* a recorded result the replay does not give must be caught */
    r->prog.ops[0].expect.rc = -XEN_EINVAL;
    TEST_EQ(-1, record_replay_check(r, why, sizeof(why)));
    record_free(r);
    hv_destroy(hv);
}
