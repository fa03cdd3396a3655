/* Conformance helpers: the reference machine every case starts from, guest access, result reporting. */
#include <stdarg.h>
#include <string.h>
#include "conformance.h"
#include "exit_conf.h"
#include "hvfuzz/migrate.h"
#include "hvfuzz/record.h"

/* A continuation that needs more re-issues than this is a livelock in the monitor, not slowness. */
#define CONF_MAX_RESTARTS 100000U

static FILE *conf_log;
static struct recorder *conf_recorder;

void conf_set_recorder(struct recorder *r)
{
    conf_recorder = r;
}

void conf_set_log(FILE *f)
{
    conf_log = f;
}

static const char *conf_state_name(enum conf_state s)
{
    switch (s) {
    case CONF_SUCCESS: return "SUCCESS";
    case CONF_SKIP:    return "SKIP";
    case CONF_ERROR:   return "ERROR";
    case CONF_FAILURE: return "FAILURE";
    }
    return "?";
}

/*
 * The message shown is the first one of the most severe state reached: a SKIP or ERROR noted
 * before a FAILURE would otherwise hide the mismatch a reader needs to see.
 */
void conf_report(struct conf_ctx *c, enum conf_state s, const char *file, int line,
                 const char *fmt, ...)
{
    char text[CONF_MSG_LEN];
    va_list ap;
    int n;

    n = snprintf(text, sizeof(text), "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof(text))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
    va_end(ap);
    if (conf_log)
        fprintf(conf_log, "    %s %s\n", conf_state_name(s), text);
    if (s > c->state || (s == c->state && s != CONF_SUCCESS && !c->msg[0])) {
        c->state = s;
        memcpy(c->msg, text, sizeof(c->msg));
    }
}

/* Set-up failures are the suite's problem (ERROR), never the monitor's verdict. */
#define CONF_SETUP_FAIL(c, ...) conf_report((c), CONF_ERROR, __FILE__, __LINE__, __VA_ARGS__)

static int conf_domain_setup(struct conf_ctx *c, domid_t id, struct domain **dp, struct vcpu **vp)
{
    struct domain *d;
    int rc;

    rc = dom_create(c->hv, id, false, 2 * CONF_DOM_PAGES, 2);
    if (rc < 0) {
        CONF_SETUP_FAIL(c, "machine set-up: dom_create(dom%u) returned %d", (unsigned)id, rc);
        return -1;
    }
    d = dom_get(c->hv, id);
    if (!d) {
        CONF_SETUP_FAIL(c, "machine set-up: dom%u missing after dom_create", (unsigned)id);
        return -1;
    }
    rc = dom_build(c->hv, d, CONF_DOM_PAGES);
    if (rc < 0) {
        CONF_SETUP_FAIL(c, "machine set-up: dom_build(dom%u, %u) returned %d", (unsigned)id,
                        CONF_DOM_PAGES, rc);
        return -1;
    }
    *dp = d;
    *vp = dom_vcpu(d, 0);
    if (!*vp) {
        CONF_SETUP_FAIL(c, "machine set-up: dom%u has no vCPU 0", (unsigned)id);
        return -1;
    }
    return 0;
}

int conf_machine_setup(struct conf_ctx *c)
{
    const struct hv_config cfg = {
        .nr_frames = CONF_FRAMES,
        .dom0_pages = CONF_DOM_PAGES,
        .dom0_vcpus = 2,
    };

    c->hv = hv_create(&cfg);
    if (!c->hv) {
        CONF_SETUP_FAIL(c, "machine set-up: hv_create(%u frames, dom0 %u pages) failed",
                        CONF_FRAMES, CONF_DOM_PAGES);
        return -1;
    }
    c->d0 = dom_get(c->hv, 0);
    c->v0 = c->d0 ? dom_vcpu(c->d0, 0) : NULL;
    if (!c->d0 || !c->v0) {
        CONF_SETUP_FAIL(c, "machine set-up: hv_create made no dom0 with a vCPU 0");
        return -1;
    }
    if (c->d0->tot_pages < CONF_DOM_PAGES) {
        CONF_SETUP_FAIL(c, "machine set-up: dom0 has %u pages, wanted %u", c->d0->tot_pages,
                        CONF_DOM_PAGES);
        return -1;
    }
    if (conf_domain_setup(c, 1, &c->d1, &c->v1) < 0)
        return -1;
    if (conf_domain_setup(c, 2, &c->d2, &c->v2) < 0)
        return -1;
    return 0;
}

void conf_machine_teardown(struct conf_ctx *c)
{
    if (c->hv)
        hv_destroy(c->hv);
    c->hv = NULL;
    c->d0 = c->d1 = c->d2 = NULL;
    c->v0 = c->v1 = c->v2 = NULL;
}

int conf_record_exit(struct conf_ctx *c, struct vcpu *v, const struct exit_record *x)
{
    return conf_recorder ? record_exit(conf_recorder, c->hv, v, x) : -1;
}

void conf_record_exit_end(int token, const struct exit_result *r)
{
    if (conf_recorder)
        record_exit_end(conf_recorder, token, r);
}

long conf_hc(struct conf_ctx *c, struct vcpu *v, unsigned nr, uint64_t a0, uint64_t a1,
             uint64_t a2, uint64_t a3, uint64_t a4)
{
    uint64_t args[6] = { a0, a1, a2, a3, a4, 0 };
    unsigned restarts = 0;
    long rc;
    int tok;

    if (!conf_recorder) {
        rc = hv_hypercall_complete(c->hv, v, nr, args, CONF_MAX_RESTARTS);
    } else {
        /* hv_hypercall_complete's loop by hand: the program needs one re-issue op per restart */
        tok = record_hc_begin(conf_recorder, c->hv, v, nr, args);
        rc = hv_hypercall(c->hv, v, nr, args);
        for (; rc == -XEN_ERESTART && restarts < CONF_MAX_RESTARTS; restarts++)
            rc = hv_continue(c->hv, v);
        record_hc_end(conf_recorder, tok, rc, restarts);
    }
    if (rc == -XEN_ERESTART)
        CONF_FAIL(c, "%s (hypercall %u) still -ERESTART after %u continuations",
                  abi_hypercall_name(nr), nr, CONF_MAX_RESTARTS);
    return rc;
}

long conf_store(struct conf_ctx *c, struct vcpu *v, gva_t va, uint64_t value)
{
    long rc = guest_write(c->hv, v, va, &value, sizeof(value), NULL);

    if (conf_recorder)
        record_guest_write(conf_recorder, c->hv, v, va, sizeof(value), rc);
    return rc;
}

long conf_migrate(struct conf_ctx *c, domid_t dom, unsigned phase)
{
    struct mig_report rep;
    long rc = mig_op(c->hv, dom, phase, &rep);

    if (conf_recorder)
        record_migrate(conf_recorder, dom, phase, rc);
    if (rep.found)
        CONF_FAIL(c, "migrate:%s: %s", rep.what, rep.detail);
    return rc;
}

/* Data pages follow the builder's page tables; k must stay inside the built memory. */
static gfn_t conf_data_gfn(struct conf_ctx *c, struct domain *d, unsigned k)
{
    const gfn_t first = DOM_FIRST_DATA_GFN(CONF_DOM_PAGES);

    if (!d) {
        CONF_ERROR(c, "scratch page %u of a NULL domain", k);
        return GFN_INVALID;
    }
    if (first + k >= CONF_DOM_PAGES) {
        CONF_ERROR(c, "scratch page %u of dom%u out of range (%llu data pages)", k,
                   (unsigned)d->id, (unsigned long long)(CONF_DOM_PAGES - first));
        return GFN_INVALID;
    }
    return first + k;
}

gva_t conf_scratch(struct conf_ctx *c, struct domain *d, unsigned k)
{
    gfn_t gfn = conf_data_gfn(c, d, k);

    return gfn == GFN_INVALID ? 0 : DOM_VA(gfn);
}

mfn_t conf_scratch_mfn(struct conf_ctx *c, struct domain *d, unsigned k)
{
    gfn_t gfn = conf_data_gfn(c, d, k);

    return gfn == GFN_INVALID ? MFN_INVALID : d->p2m[gfn];
}

int conf_put(struct conf_ctx *c, struct vcpu *v, gva_t va, const void *buf, size_t len)
{
    uint32_t pfec = 0;
    int rc = guest_write(c->hv, v, va, buf, len, &pfec);

    if (rc == 0 && conf_recorder)
        record_put(conf_recorder, v, va, len);
    if (rc < 0)
        CONF_ERROR(c, "guest write of %zu bytes at 0x%llx by dom%u vCPU %u faulted "
                   "(rc %d, pfec 0x%x)", len, (unsigned long long)va, (unsigned)v->domid,
                   (unsigned)v->id, rc, pfec);
    return rc;
}

int conf_get(struct conf_ctx *c, struct vcpu *v, gva_t va, void *buf, size_t len)
{
    uint32_t pfec = 0;
    int rc = guest_read(c->hv, v, va, buf, len, &pfec);

    /* what the case reads back after a hypercall is what it checks of the fields written back */
    if (rc == 0 && conf_recorder)
        record_get(conf_recorder, v, va, buf, len);
    if (rc < 0)
        CONF_ERROR(c, "guest read of %zu bytes at 0x%llx by dom%u vCPU %u faulted "
                   "(rc %d, pfec 0x%x)", len, (unsigned long long)va, (unsigned)v->domid,
                   (unsigned)v->id, rc, pfec);
    return rc;
}

/*
 * DOM_VA_BASE is 1 GiB aligned, so DOM_VA(gfn) uses L2 slot gfn / 512 and L1 slot gfn % 512;
 * the builder put L1 number n at gfn DOM_GFN_L1 + n.
 */
uint64_t conf_l1e_maddr(struct conf_ctx *c, struct domain *d, unsigned k)
{
    gfn_t gfn = conf_data_gfn(c, d, k);
    gfn_t l1_gfn;
    mfn_t l1;

    if (gfn == GFN_INVALID)
        return 0;
    l1_gfn = DOM_GFN_L1 + gfn / PTES_PER_TABLE;
    l1 = d->p2m[l1_gfn];
    if (l1 == MFN_INVALID) {
        CONF_ERROR(c, "dom%u has no L1 table at gfn %llu", (unsigned)d->id,
                   (unsigned long long)l1_gfn);
        return 0;
    }
    return ((uint64_t)l1 << PAGE_SHIFT) + (gfn % PTES_PER_TABLE) * sizeof(uint64_t);
}
