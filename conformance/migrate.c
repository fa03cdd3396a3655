/* Save/restore and live migration conformance: round trips, writes between rounds, grants and ports mid-way, errors. */
#include <string.h>
#include "grant_conf.h"
#include "hvfuzz/migrate.h"

/*
 * dom0's toolstack migrates dom1 (conf_migrate: the migration oracle compares the restored
 * domain with the source at the pause and fails the case on a mismatch; the audit runs after).
 * Each row sets a scene, runs the phases with the scene's writes between them, and checks what
 * the row states: the finish's result and the restored domain as the guest sees it.
 */
enum mg_scene {
    MG_BUILT,           /* the builder's domain, begin and finish */
    MG_ROUNDS,          /* stores and a PTE change between two pre-copy rounds */
    MG_PINNED,          /* an extra pinned L1 and a trap table */
    MG_GRANTED,         /* dom2 maps a page dom1 granted: the source lingers, the copy goes elsewhere */
    MG_FOREIGN,         /* dom1 maps a page of dom2: the save cannot canonicalise it */
    MG_EVTCHN,          /* an interdomain channel: not in the stream, the peer sees it closed */
    MG_DOM0,            /* the toolstack does not migrate itself */
    MG_ROUND_IDLE,      /* a round without a migration */
    MG_TWICE,           /* a second migration while one is open */
    MG_ABSENT,          /* a domain that does not exist */
    MG_STOLEN_CLEAN,    /* another caller cleans the bitmap between rounds: the toolstack aborts */
    MG_M2P_MOVED,       /* a mapped page whose m2p the guest pointed elsewhere: its L1 cannot be
                           canonicalised (Xen: "Bad mfn"), the save fails */
    MG_CR3_M2P,         /* the L4's m2p pointed elsewhere: the base pointer cannot be sent */
};

/* MMU_MACHPHYS_UPDATE from dom1: the m2p entry of its data page k (or its L4) := pfn. */
static long mg_m2p(struct conf_ctx *c, mfn_t mfn, uint64_t pfn)
{
    struct mmu_update u = { (mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, pfn };
    gva_t va = conf_scratch(c, c->d1, 0);
    if (conf_put(c, c->v1, va, &u, sizeof(u)) < 0)
        return -XEN_EFAULT;
    return conf_hc(c, c->v1, HYPERVISOR_mmu_update, va, 1, 0, DOMID_SELF, 0);
}

struct mg_row {
    enum mg_scene scene;
    long expect;        /* the last phase's result */
};

static const uint64_t mg_tag = 0x4D49475241544531ULL;

static long mg_store(struct conf_ctx *c, unsigned k, uint64_t v)
{
    return conf_store(c, c->v1, conf_scratch(c, c->d1, k), v);
}

/* The restored domain reads back through its own page tables what the source wrote. */
static void mg_check_read(struct conf_ctx *c, domid_t id, unsigned k, uint64_t want)
{
    struct domain *n = dom_get(c->hv, id);
    uint64_t got = 0;
    CONF_EXPECT(c, n != NULL);
    if (!n)
        return;
    CONF_EXPECT_EQ(c, 0, guest_read(c->hv, &n->vcpu[0], conf_scratch(c, n, k), &got, 8, NULL));
    CONF_EXPECT_EQ(c, want, got);
}

static void mg_run(struct conf_ctx *c)
{
    const struct mg_row *r = c->data;
    long rc = 0;

    switch (r->scene) {
    case MG_BUILT:
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        CONF_EXPECT_EQ(c, CONF_DOM_PAGES, c->hv->dom[1].tot_pages);
        CONF_EXPECT(c, c->hv->dom[1].vcpu[0].up && !c->hv->dom[1].logdirty);
        break;
    case MG_ROUNDS:
        CONF_SETUP(c, mg_store(c, 3, mg_tag));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        CONF_SETUP(c, mg_store(c, 4, mg_tag + 1));
        CONF_EXPECT_EQ(c, 1, conf_migrate(c, 1, MIGRATE_ROUND));
        CONF_SETUP(c, mg_store(c, 5, mg_tag + 2));
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_update_va_mapping,
                                     conf_scratch(c, c->d1, 6), 0, UVMF_INVLPG, 0, 0));
        CONF_EXPECT_EQ(c, 2, conf_migrate(c, 1, MIGRATE_ROUND));
        CONF_SETUP(c, mg_store(c, 3, mg_tag + 3));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        mg_check_read(c, 1, 3, mg_tag + 3);
        mg_check_read(c, 1, 4, mg_tag + 1);
        mg_check_read(c, 1, 5, mg_tag + 2);
        break;
    case MG_PINNED: {
        uint64_t pte = gc_pte_of(c, c->d1, 8) & ~_PAGE_RW;
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_update_va_mapping,
                                     conf_scratch(c, c->d1, 8), pte, UVMF_INVLPG, 0, 0));
        struct mmuext_op x = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1 = conf_scratch_mfn(c, c->d1, 8) };
        /* trap_info (16 bytes: vector, flags, cs, pad, address): #PF, then the end entry */
        uint64_t t[4] = { 14ULL | (0xe033ULL << 16), DOM_VA(20), 0, 0 };
        CONF_SETUP(c, conf_put(c, c->v1, conf_scratch(c, c->d1, 0), &x, sizeof(x)));
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_mmuext_op, conf_scratch(c, c->d1, 0),
                                     1, 0, DOMID_SELF, 0));
        CONF_SETUP(c, conf_put(c, c->v1, conf_scratch(c, c->d1, 1), t, sizeof(t)));
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_set_trap_table,
                                     conf_scratch(c, c->d1, 1), 0, 0, 0, 0));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        mfn_t m = conf_scratch_mfn(c, c->d1, 8);
        CONF_EXPECT(c, mfn_valid(c->hv, m));
        if (mfn_valid(c->hv, m)) {
            CONF_EXPECT_EQ(c, PGT_l1, c->hv->frames[m].type);
            CONF_EXPECT(c, c->hv->frames[m].flags & FRAME_PINNED);
        }
        CONF_EXPECT_EQ(c, DOM_VA(20), c->hv->dom[1].vcpu[0].traps[14].address);
        break;
    }
    case MG_GRANTED: {
        grant_handle_t h = 0;
        gc_grant_std(c, GTF_permit_access);
        CONF_SETUP(c, mg_store(c, GC_PAGE, mg_tag));
        CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v2, 1, GC_REF, GNTMAP_host_map,
                                             GC_FREE_VA(0), &h, NULL));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        CONF_SETUP(c, mg_store(c, GC_PAGE, mg_tag + 1));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        /* dom1 lingers as long as dom2 maps its page; the copy is dom3, and its grant table
           starts empty (the stream carries no grants: the guest sets them up again) */
        CONF_EXPECT(c, c->hv->dom[1].exists && c->hv->dom[1].dying);
        mg_check_read(c, 3, GC_PAGE, mg_tag + 1);
        uint64_t got = 0;
        CONF_EXPECT_EQ(c, 0, guest_read(c->hv, c->v2, GC_FREE_VA(0), &got, 8, NULL));
        CONF_EXPECT_EQ(c, mg_tag + 1, got);
        CONF_EXPECT_EQ(c, 1, c->hv->dom[3].gnt.version);
        break;
    }
    case MG_FOREIGN: {
        grant_handle_t h = 0;
        struct domain *d2 = c->d2;
        gc_grant(c, d2, GC_REF, 1, conf_scratch_mfn(c, d2, 7), GTF_permit_access);
        CONF_EXPECT_EQ(c, GNTST_okay, gc_map(c, c->v1, 2, GC_REF, GNTMAP_host_map,
                                             GC_FREE_VA(0), &h, NULL));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        /* the save failed: the source runs on, out of log-dirty mode */
        CONF_EXPECT(c, !c->d1->dying && !c->d1->paused && !c->d1->logdirty);
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        break;
    }
    case MG_EVTCHN: {
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 1 };
        struct evtchn_bind_interdomain b = { .remote_dom = 2 };
        CONF_SETUP(c, conf_put(c, c->v2, conf_scratch(c, c->d2, 0), &a, sizeof(a)));
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v2, HYPERVISOR_event_channel_op,
                                     EVTCHNOP_alloc_unbound, conf_scratch(c, c->d2, 0), 0, 0, 0));
        CONF_SETUP(c, conf_get(c, c->v2, conf_scratch(c, c->d2, 0), &a, sizeof(a)));
        b.remote_port = a.port;
        CONF_SETUP(c, conf_put(c, c->v1, conf_scratch(c, c->d1, 0), &b, sizeof(b)));
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v1, HYPERVISOR_event_channel_op,
                                     EVTCHNOP_bind_interdomain, conf_scratch(c, c->d1, 0), 0, 0,
                                     0));
        CONF_SETUP(c, conf_get(c, c->v1, conf_scratch(c, c->d1, 0), &b, sizeof(b)));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        /* ports are not in the stream: the copy has none bound, the peer's end went unbound
           when the source was destroyed (the guest binds again after its resume) */
        CONF_EXPECT_EQ(c, ECS_FREE, c->hv->dom[1].evtchn[b.local_port].state);
        CONF_EXPECT_EQ(c, ECS_UNBOUND, c->d2->evtchn[a.port].state);
        break;
    }
    case MG_DOM0:
        rc = conf_migrate(c, 0, MIGRATE_BEGIN);
        break;
    case MG_ROUND_IDLE:
        rc = conf_migrate(c, 1, MIGRATE_ROUND);
        break;
    case MG_TWICE:
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        rc = conf_migrate(c, 2, MIGRATE_BEGIN);
        break;
    case MG_ABSENT:
        rc = conf_migrate(c, 5, MIGRATE_BEGIN);
        break;
    case MG_STOLEN_CLEAN: {
        struct xen_domctl dc;
        memset(&dc, 0, sizeof(dc));
        dc.cmd = XEN_DOMCTL_shadow_op;
        dc.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
        dc.domain = 1;
        dc.u.shadow_op.op = XEN_DOMCTL_SHADOW_OP_CLEAN;
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        CONF_SETUP(c, conf_put(c, c->v0, conf_scratch(c, c->d0, 0), &dc, sizeof(dc)));
        CONF_EXPECT_EQ(c, 0, conf_hc(c, c->v0, HYPERVISOR_domctl, conf_scratch(c, c->d0, 0), 0,
                                     0, 0, 0));
        rc = conf_migrate(c, 1, MIGRATE_ROUND);
        CONF_EXPECT(c, !c->d1->logdirty);
        break;
    }
    case MG_M2P_MOVED:
        CONF_EXPECT_EQ(c, 0, mg_m2p(c, conf_scratch_mfn(c, c->d1, 9), 3));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        CONF_SETUP(c, mg_store(c, 9, mg_tag));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        mg_check_read(c, 1, 9, mg_tag);   /* the source runs on */
        break;
    case MG_CR3_M2P:
        CONF_EXPECT_EQ(c, 0, mg_m2p(c, c->d1->p2m[DOM_GFN_L4], 0x123456));
        CONF_EXPECT_EQ(c, 0, conf_migrate(c, 1, MIGRATE_BEGIN));
        rc = conf_migrate(c, 1, MIGRATE_FINISH);
        CONF_EXPECT(c, !c->d1->dying && !c->d1->logdirty);
        break;
    }
    CONF_EXPECT_EQ(c, r->expect, rc);
}

static const struct mg_row mg_rows[] = {
    { MG_BUILT, 1 },
    { MG_ROUNDS, 1 },
    { MG_PINNED, 1 },
    { MG_GRANTED, 3 },
    { MG_FOREIGN, -XEN_ERANGE },
    { MG_EVTCHN, 1 },
    { MG_DOM0, -XEN_EINVAL },
    { MG_ROUND_IDLE, -XEN_EINVAL },
    { MG_TWICE, -XEN_EBUSY },
    { MG_ABSENT, -XEN_ESRCH },
    { MG_STOLEN_CLEAN, -XEN_EBUSY },
    { MG_M2P_MOVED, -XEN_ERANGE },
    { MG_CR3_M2P, -XEN_ERANGE },
};

static const struct conf_case mg_cases[] = {
    { "built_domain_round_trip", mg_run, &mg_rows[0] },
    { "writes_between_rounds", mg_run, &mg_rows[1] },
    { "pinned_table_and_traps", mg_run, &mg_rows[2] },
    { "granted_page_mapped_by_peer", mg_run, &mg_rows[3] },
    { "foreign_mapping_erange", mg_run, &mg_rows[4] },
    { "interdomain_channel_not_carried", mg_run, &mg_rows[5] },
    { "dom0_einval", mg_run, &mg_rows[6] },
    { "round_without_begin_einval", mg_run, &mg_rows[7] },
    { "second_migration_ebusy", mg_run, &mg_rows[8] },
    { "absent_esrch", mg_run, &mg_rows[9] },
    { "bitmap_cleaned_by_another_ebusy", mg_run, &mg_rows[10] },
    { "m2p_moved_mapped_page_erange", mg_run, &mg_rows[11] },
    { "base_pointer_m2p_moved_erange", mg_run, &mg_rows[12] },
};
CONF_AREA("migrate", mg_cases)
