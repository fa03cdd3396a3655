/* The isolation oracle: a foreign read is a finding for an unprivileged reader with a planted mapping, not for dom0's foreign mapping. */
#include <string.h>

#include "diff_util.h"
#include "targets/native/native.h"

static const char iso_prog[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "guest_write d1 v0 gva(d1,g5,+0) size=8\n"
    "hypercall d0 v0 update_va_mapping_otherdomain(gva(d0,g7,+0), pte(d1,g5,0x25), 0x1, domid(d1))\n"
    "guest_read d0 v0 gva(d0,g7,+0) size=8\n"
    "guest_read d2 v0 gva(d2,g7,+0) size=8\n";

TEST(iso_foreign_read)
{
    static struct prog p;
    static struct op_result res;
    struct target t;
    struct finding f;
    struct target_opts o = target_default_opts;

    dp_parse(&p, iso_prog);
    CU_ASSERT_FATAL(target_open(&t, &native_target_ops, &p.shape, &o) == 0);
    /* dom0 maps d1's page through its foreign mapping and reads d1's tag: allowed */
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT(target_run_op(&t, &p.ops[i], &res) == 0);
        bool found = t.ops->check(&t, false, (int)i, &f);
        printf("%s  op %u: rc %lld, %s", i ? "" : "\n", i, (long long)res.rc,
               found ? f.signature : "no finding\n");
        CU_ASSERT(!found);
    }
    CU_ASSERT(res.value != 0);
    /* plant: d2's L1 maps d1's page at gfn 7's slot, as no hypercall would let it */
    struct native *n = t.priv;
    struct hv *hv = n->hv;
    mfn_t l1 = hv->dom[2].p2m[DOM_GFN_L1], page = hv->dom[1].p2m[5];
    uint64_t pte = (uint64_t)page << PAGE_SHIFT | 0x25;
    memcpy(hv->mem + (size_t)l1 * PAGE_SIZE + 7 * 8, &pte, sizeof(pte));
    CU_ASSERT(target_run_op(&t, &p.ops[3], &res) == 0);
    bool found = t.ops->check(&t, false, 3, &f);
    printf("  planted: expected isolation:foreign-read, actual %s\n", found ? f.signature : "none");
    CU_ASSERT(found && !strcmp(f.signature, "isolation:foreign-read"));
    target_close(&t);
}
