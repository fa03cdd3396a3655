/* The machine: frame pool, frame table, m2p, dom0, preemption points and the BUG() latch. */
#include <stdlib.h>
#include <string.h>
#include "hvfuzz/migrate.h"

struct hv *hv_create(const struct hv_config *cfg)
{
    if (!cfg || cfg->nr_frames == 0 || cfg->nr_frames > HV_MAX_FRAMES)
        return NULL;
    uint32_t vcpus = cfg->dom0_vcpus ? cfg->dom0_vcpus : 1;
    if (vcpus > HV_MAX_VCPUS || cfg->dom0_pages > HV_MAX_GFNS)
        return NULL;

    struct hv *hv = calloc(1, sizeof(*hv));
    if (!hv)
        return NULL;
    hv->nr_frames = cfg->nr_frames;
    hv->frames = calloc(cfg->nr_frames, sizeof(*hv->frames));
    /* calloc of this size is served by fresh zero pages: memory starts zero, not need_scrub */
    hv->mem = calloc(cfg->nr_frames, PAGE_SIZE);
    hv->m2p = malloc((size_t)cfg->nr_frames * sizeof(*hv->m2p));
    hv->ld_hash = calloc((size_t)HV_MAX_DOMAINS * HV_MAX_GFNS, sizeof(*hv->ld_hash));
    hv->ld_hash_top = calloc(HV_MAX_DOMAINS, sizeof(*hv->ld_hash_top));
    if (!hv->frames || !hv->mem || !hv->m2p || !hv->ld_hash || !hv->ld_hash_top ||
        mig_alloc(hv) < 0) {
        hv_destroy(hv);
        return NULL;
    }
    /* Clock starts at 1 so that fresh frames (stamp 0) never force a flush of new vCPUs. */
    hv->tlbclock = 1;
    page_list_init(&hv->free);
    for (mfn_t m = 0; m < cfg->nr_frames; m++) {
        hv->m2p[m] = GFN_INVALID;
        hv->frames[m].owner = DOMID_INVALID;
        hv->frames[m].type = PGT_none;
        hv->frames[m].list_id = LIST_NONE;
        page_list_add(hv, &hv->free, LIST_FREE, m);
    }
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
        hv->dom[i].id = (domid_t)i;
        hv->dom[i].exists = false;
        if (dom_tables_alloc(&hv->dom[i]) < 0) {
            hv_destroy(hv);
            return NULL;
        }
    }
    /* dom0 may grow up to the whole pool, as an unrestricted control domain would. */
    if (dom_create(hv, 0, true, cfg->nr_frames, vcpus) < 0) {
        hv_destroy(hv);
        return NULL;
    }
    if (cfg->dom0_pages && dom_build(hv, &hv->dom[0], cfg->dom0_pages) < 0) {
        hv_destroy(hv);
        return NULL;
    }
    return hv;
}

void hv_destroy(struct hv *hv)
{
    if (!hv)
        return;
    for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
        dom_tables_free(&hv->dom[i]);
    free(hv->frames);
    free(hv->mem);
    free(hv->m2p);
    free(hv->ld_hash);
    free(hv->ld_hash_top);
    mig_free(hv);
    free(hv);
}

void hv_bug(struct hv *hv, const char *msg)
{
    /* keep the first: later ones are usually consequences of it */
    if (!hv->bug_msg)
        hv->bug_msg = msg ? msg : "BUG";
}
