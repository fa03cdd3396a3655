/* The differential oracle leaves machine frame numbers out: ops that name frames by number, values that hold them. */
#include <string.h>

#include "diff_util.h"
#include "hvfuzz/abi.h"

/* Which ops name a machine frame by its number (abi_op_raw_frame): one op per row. */
struct dfn_row {
    const char *op;
    bool raw;
};

static const struct dfn_row dfn_rows[] = {
    { "hypercall d1 v0 update_va_mapping(gva(d1,g5,+0), 0x9027, 0)", true },
    { "hypercall d1 v0 update_va_mapping(gva(d1,g5,+0), pte(d1,g5,0x27), 0)", false },
    { "hypercall d1 v0 update_va_mapping(gva(d1,g5,+0), 0x9026, 0)", false },   /* not present */
    { "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) "
      "payload=hex:10300000000000002790000000000000", true },
    { "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) "
      "payload=hex:00000000000000000000000000000000 fixup@0:8=maddr(d1,g3,+16) "
      "fixup@8:8=pte(d1,g9,0x27)", false },
    { "hypercall d1 v0 mmu_update(payload+0, 1, 0, DOMID_SELF) "
      "payload=hex:00000000000000002790000000000000 fixup@0:8=maddr(d1,g3,+16)", true },
    { "hypercall d1 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) "
      "payload=hex:000000000000000009000000000000000000000000000000", true },   /* PIN_L1 */
    { "hypercall d1 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) "
      "payload=hex:000000000000000000000000000000000000000000000000 fixup@8:8=mfn(d1,g9)",
      false },
    { "hypercall d1 v0 mmuext_op(payload+0, 1, 0, DOMID_SELF) "
      "payload=hex:060000000000000009000000000000000000000000000000", false },  /* a flush */
    { "hypercall d1 v0 grant_table_op(5, payload+0, 1) payload=hex:"
      "0900000000000000010000000000000009000000000000000100000000000000100000000000",
      true },   /* a copy between gmfns */
    { "hypercall d1 v0 grant_table_op(5, payload+0, 1) payload=hex:"
      "0000000000000000000000000000000000000000000000000000000000000000100003000000"
      " fixup@0:8=gref(d2,1) fixup@8:2=domid(d2) fixup@16:8=gref(d2,2) fixup@24:2=domid(d2)",
      false },  /* source and dest by grant reference */
    { "hypercall d1 v0 memory_op(1, payload+0) payload=hex:00000000000000000100000000000000", true },
    { "hypercall d1 v0 memory_op(6, payload+0) payload=hex:00000000000000000100000000000000", false },
    { "hypercall d1 v0 update_descriptor(0x47038, 0)", true },
    { "hypercall d1 v0 update_descriptor(maddr(d1,g7,+8), 0)", false },
    { "hypercall d1 v0 set_gdt(payload+0, 512) payload=hex:4900000000000000", true },
    { "hypercall d1 v0 set_gdt(payload+0, 512) payload=hex:0000000000000000 fixup@0:8=mfn(d1,g7)",
      false },
    { "hypercall d1 v0 xen_version(0, 0)", false },
};

TEST(diff_frame_numbers)
{
    static struct prog p;
    char text[512];

    for (size_t i = 0; i < sizeof(dfn_rows) / sizeof(dfn_rows[0]); i++) {
        snprintf(text, sizeof(text), "shape frames=256 domains=3 vcpus=2 pages=64\n%s\n",
                 dfn_rows[i].op);
        dp_parse(&p, text);
        bool raw = abi_op_raw_frame(&p.ops[0]);
        if (raw != dfn_rows[i].raw)
            printf("\n  row %zu: expected raw=%d, got %d: %s", i, dfn_rows[i].raw, raw,
                   dfn_rows[i].op);
        CU_ASSERT(raw == dfn_rows[i].raw);
    }

    /* A value flagged as holding frame numbers is not compared; unflagged, it differs. */
    static struct op_result ra[PROG_MAX_OPS], rb[PROG_MAX_OPS];
    static struct diff_result r;
    const struct target_ops *nat = target_find("native"), *xen = target_find("xen");
    const struct target_ops *uni = target_find("unicorn");
    dp_parse(&p, "shape frames=256 domains=3 vcpus=2 pages=64\n"
                 "guest_read d1 v0 gva(d1,g3,+0) size=8\n"
                 "hypercall d1 v0 update_va_mapping(gva(d1,g5,+0), 0x9027, 0)\n"
                 "hypercall d1 v0 xen_version(0, 0)\n");
    for (unsigned i = 0; i < p.nr_ops; i++)
        ra[i].status = rb[i].status = OPS_RAN;
    ra[0].value = 0x2025;
    rb[0].value = 0xf011125;
    CU_ASSERT(diff_compare(&p, nat, ra, NULL, xen, rb, NULL, &r));
    TEST_EQ(DIFF_STOP_DIFFERENCE, r.stop);
    TEST_EQ(PE_VALUE, r.fields);
    rb[0].flags = OPR_VALUE_MACHINE;
    CU_ASSERT(!diff_compare(&p, nat, ra, NULL, xen, rb, NULL, &r));
    /* op 1 names frame 9 by number: comparison stops there, whatever op 2 gives */
    TEST_EQ(DIFF_STOP_FRAME, r.stop);
    TEST_EQ(1, r.stop_op);
    TEST_EQ(1, r.compared);
    rb[2].rc = -22;
    CU_ASSERT(!diff_compare(&p, nat, ra, NULL, xen, rb, NULL, &r));
    /* two targets of the model's numbering compare both: the value and everything after */
    CU_ASSERT(diff_compare(&p, nat, ra, NULL, uni, rb, NULL, &r));
    TEST_EQ(0, r.stop_op);
    rb[0].value = ra[0].value;
    CU_ASSERT(diff_compare(&p, nat, ra, NULL, nat, rb, NULL, &r));
    TEST_EQ(2, r.stop_op);
}
