/* Robustness: random argument values and random guest buffers to every hypercall never crash the
   monitor nor break an invariant. */
#include <string.h>
#include "hvfuzz/audit.h"
#include "hvfuzz/hypercall.h"
#include "test.h"

/*
 * The quality bar of the core: any argument value and any guest pointer gives an error return and
 * leaves the machine consistent. Arguments and buffer words are drawn from a mix that reaches past
 * the first argument check: small integers, the caller's own buffer, machine addresses of PTE
 * slots, frame numbers, domain ids, and raw noise. Preemption is switched on at random and
 * continuations are resumed or abandoned at random. The audit runs after every call.
 */
#define RA_FRAMES     384U
#define RA_PAGES      48U
#define RA_MACHINES   80U   /* random shutdowns end machines early: many short lives */
#define RA_CALLS      500U

static uint64_t ra_rng;
static uint64_t ra_next(void)
{
    ra_rng ^= ra_rng << 13;
    ra_rng ^= ra_rng >> 7;
    ra_rng ^= ra_rng << 17;
    return ra_rng;
}

static const unsigned ra_calls[] = {
    HYPERVISOR_mmu_update, HYPERVISOR_memory_op, HYPERVISOR_multicall,
    HYPERVISOR_update_va_mapping, HYPERVISOR_xen_version, HYPERVISOR_console_io,
    HYPERVISOR_grant_table_op, HYPERVISOR_vcpu_op, HYPERVISOR_mmuext_op, HYPERVISOR_sched_op,
    HYPERVISOR_event_channel_op, HYPERVISOR_domctl,
};
#define RA_NR_CALLS (sizeof(ra_calls) / sizeof(ra_calls[0]))

/* A value a hypercall might plausibly be given, as seen from domain d. */
static uint64_t ra_value(struct hv *hv, struct domain *d)
{
    gfn_t data = DOM_FIRST_DATA_GFN(RA_PAGES);
    switch (ra_next() % 9) {
    case 0: return ra_next() % 16;
    case 1: return DOM_VA(data + ra_next() % 4) + (ra_next() % 64) * 8;
    case 2: return (((ra_next() % hv->nr_frames)) << PAGE_SHIFT) | (ra_next() % 512) * 8
                   | (ra_next() % 3);
    case 3: return ra_next() % hv->nr_frames;
    case 4: return (ra_next() % 2) ? DOMID_SELF : ra_next() % 4;
    case 5: {  /* a PTE value: one of the domain's frames with common flags */
        gfn_t g = ra_next() % RA_PAGES;
        mfn_t m = d->p2m[g] == MFN_INVALID ? 0 : d->p2m[g];
        return (m << PAGE_SHIFT) | (ra_next() & 0x1ffULL);
    }
    case 6: return ra_next() % 2 ? 0 : ~0ULL;
    case 7: return XEN_VIRT_START + (ra_next() % 4096);
    default: return ra_next();
    }
}

static struct vcpu *ra_pick_vcpu(struct hv *hv)
{
    for (unsigned tries = 0; tries < 8; tries++) {
        struct domain *d = dom_get(hv, (domid_t)(ra_next() % 3));
        if (!d)
            continue;
        struct vcpu *v = &d->vcpu[ra_next() % d->nr_vcpus];
        if (vcpu_runnable(hv, v))
            return v;
    }
    return NULL;
}

static struct hv *ra_machine(void)
{
    struct hv_config cfg = { .nr_frames = RA_FRAMES, .dom0_pages = RA_PAGES, .dom0_vcpus = 2 };
    struct hv *hv = hv_create(&cfg);
    if (!hv)
        return NULL;
    for (domid_t id = 1; id <= 2; id++) {
        if (dom_create(hv, id, false, 2 * RA_PAGES, 2) < 0 ||
            dom_build(hv, &hv->dom[id], RA_PAGES) < 0) {
            hv_destroy(hv);
            return NULL;
        }
    }
    return hv;
}

TEST(hypercall_random_args)
{
    unsigned succeeded[NR_HYPERCALLS] = { 0 };
    unsigned calls = 0, violations = 0;
    struct audit_report rep;

    ra_rng = 0x9E3779B97F4A7C15ULL;
    for (unsigned m = 0; m < RA_MACHINES && !violations; m++) {
        struct hv *hv = ra_machine();
        CU_ASSERT_PTR_NOT_NULL_FATAL(hv);
        for (unsigned i = 0; i < RA_CALLS && !violations; i++) {
            struct vcpu *v = ra_pick_vcpu(hv);
            if (!v)
                break;
            struct domain *d = &hv->dom[v->domid];
            hv->preempt_pattern = (ra_next() % 4 == 0) ? ra_next() : 0;
            long rc;
            if (v->cont.pending && ra_next() % 2) {
                rc = hv_continue(hv, v);
            } else {
                /* the guest fills its buffer pages first, through its own page tables */
                uint64_t words[64];
                for (unsigned w = 0; w < 64; w++)
                    words[w] = ra_value(hv, d);
                gva_t buf = DOM_VA(DOM_FIRST_DATA_GFN(RA_PAGES) + ra_next() % 4);
                (void)guest_write(hv, v, buf, words, sizeof(words), NULL);
                uint64_t args[6];
                for (unsigned a = 0; a < 6; a++)
                    args[a] = ra_value(hv, d);
                unsigned nr = ra_next() % 8 ? ra_calls[ra_next() % RA_NR_CALLS]
                                            : (unsigned)(ra_next() % 80);
                rc = hv_hypercall(hv, v, nr, args);
                if (rc >= 0 && nr < NR_HYPERCALLS)
                    succeeded[nr]++;
            }
            calls++;
            if (audit_run(hv, &rep)) {
                char line[160];
                violations = rep.total;
                audit_format(&rep.v[0], line, sizeof(line));
                fprintf(stderr, "machine %u call %u (rc %ld): %s\n", m, i, rc, line);
            }
        }
        hv_destroy(hv);
    }
    unsigned families = 0;
    for (unsigned n = 0; n < NR_HYPERCALLS; n++) {
        families += succeeded[n] > 0;
        if (succeeded[n])
            printf("  %s: %u", abi_hypercall_name(n), succeeded[n]);
    }
    printf("\n  %u random hypercalls, %u families with successes, %u violations\n", calls,
           families, violations);
    TEST_EQ(0, violations);
    /* the mix must reach past argument checking in most families, or the test proves little */
    CU_ASSERT(families >= 9);
}
