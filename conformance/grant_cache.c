/* Conformance: grant_table_op cache_flush, the caller's frames and frames granted to it, and its argument checks. */
#include <string.h>
#include "grant_conf.h"

/*
 * dom2 issues cache_flush elements from its scratch page 0 (hypercalls/grant_cache.c states
 * 4.17's checks and their order). A row names the frame of its first element, the prep that
 * makes it reachable (dom1's GC_PAGE granted to dom2 and device-mapped by it), the element's
 * offset, length and op, the continuation bits of the cmd, and a second element that fails when
 * asked. On x86 a clean is a cache flush and an invalidate alone is not supported.
 */
enum cf_frame { CFF_OWN = 0, CFF_GRANTED, CFF_FREE, CFF_PAST_POOL, CFF_HUGE };
enum cf_prep { CFP_NONE = 0, CFP_GRANT, CFP_GRANT_MAP };

struct cf_row {
    enum cf_prep  prep;
    enum cf_frame frame;
    uint16_t      offset, length;
    uint32_t      op;
    uint32_t      cur_ref;    /* cmd bits above GNTTABOP_CMD_MASK, shifted down */
    bool          second_bad; /* a second element, past the pool */
    bool          bad_ptr;
    unsigned      cmd;        /* 0: cache_flush */
    long          expect;
};

#define CF(...) (&(const struct cf_row){ __VA_ARGS__ })

static uint64_t cf_frame(struct conf_ctx *c, enum cf_frame f)
{
    switch (f) {
    case CFF_OWN:
        return conf_scratch_mfn(c, c->d2, 1);
    case CFF_GRANTED:
        return conf_scratch_mfn(c, c->d1, GC_PAGE);
    case CFF_FREE:
        for (mfn_t m = 0; m < c->hv->nr_frames; m++)
            if (c->hv->frames[m].list_id == LIST_FREE)
                return m;
        return 0;
    case CFF_PAST_POOL:
        return c->hv->nr_frames + 1U;
    case CFF_HUGE:
        return 1ULL << 40;
    }
    return 0;
}

static void cf_run(struct conf_ctx *c)
{
    const struct cf_row *r = c->data;
    struct gnttab_cache_flush e[2];
    unsigned cmd = r->cmd ? r->cmd : GNTTABOP_cache_flush;
    long rc;

    if (r->prep != CFP_NONE) {
        grant_handle_t h;
        uint64_t dev;

        gc_grant_std(c, GTF_permit_access);
        if (r->prep == CFP_GRANT_MAP &&
            gc_map(c, c->v2, 1, GC_REF, GNTMAP_device_map, 0, &h, &dev) != GNTST_okay) {
            CONF_ERROR(c, "prep: dom2's device map of dom1's grant failed");
            return;
        }
    }
    memset(e, 0, sizeof(e));
    e[0].dev_bus_addr = cf_frame(c, r->frame) << PAGE_SHIFT;
    e[0].offset = r->offset;
    e[0].length = r->length;
    e[0].op = r->op;
    e[1] = e[0];
    e[1].dev_bus_addr = cf_frame(c, CFF_PAST_POOL) << PAGE_SHIFT;
    cmd |= r->cur_ref << GNTTABOP_CONTINUATION_ARG_SHIFT;
    if (r->bad_ptr)
        rc = conf_hc(c, c->v2, HYPERVISOR_grant_table_op, cmd, DOM_VA(CONF_DOM_PAGES), 1, 0, 0);
    else
        rc = gc_op(c, c->v2, cmd, e, sizeof(e[0]), r->second_bad ? 2 : 1);
    CONF_EXPECT_EQ(c, r->expect, rc);
}

static const struct conf_case cf_cases[] = {
    { "own_clean", cf_run, CF(.length = PAGE_SIZE, .op = GNTTAB_CACHE_CLEAN) },
    { "own_clean_and_invalidate", cf_run, CF(.op = GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL,
      .length = 8) },
    { "own_invalidate_only_eopnotsupp", cf_run, CF(.op = GNTTAB_CACHE_INVAL,
      .expect = -XEN_EOPNOTSUPP, .length = 8) },
    { "own_up_to_page_end", cf_run, CF(.offset = 4000, .length = 96, .op = GNTTAB_CACHE_CLEAN) },
    { "granted_and_mapped", cf_run, CF(.prep = CFP_GRANT_MAP, .frame = CFF_GRANTED, .length = 8,
      .op = GNTTAB_CACHE_CLEAN) },
    { "granted_not_mapped_einval", cf_run, CF(.prep = CFP_GRANT, .frame = CFF_GRANTED,
      .expect = -XEN_EINVAL, .length = 8, .op = GNTTAB_CACHE_CLEAN) },
    { "foreign_frame_einval", cf_run, CF(.frame = CFF_GRANTED, .expect = -XEN_EINVAL,
      .length = 8, .op = GNTTAB_CACHE_CLEAN) },
    { "free_frame_eperm", cf_run, CF(.frame = CFF_FREE, .expect = -XEN_EPERM, .length = 8,
      .op = GNTTAB_CACHE_CLEAN) },
    { "frame_past_pool_einval", cf_run, CF(.frame = CFF_PAST_POOL, .expect = -XEN_EINVAL,
      .length = 8, .op = GNTTAB_CACHE_CLEAN) },
    { "frame_huge_einval", cf_run, CF(.frame = CFF_HUGE, .expect = -XEN_EINVAL, .length = 8,
      .op = GNTTAB_CACHE_CLEAN) },
    { "offset_page_einval", cf_run, CF(.offset = PAGE_SIZE, .length = 0,
      .expect = -XEN_EINVAL, .op = GNTTAB_CACHE_CLEAN) },
    { "length_past_page_einval", cf_run, CF(.length = PAGE_SIZE + 1, .expect = -XEN_EINVAL,
      .op = GNTTAB_CACHE_CLEAN) },
    { "offset_length_cross_einval", cf_run, CF(.offset = 4000, .length = 97,
      .expect = -XEN_EINVAL, .op = GNTTAB_CACHE_CLEAN) },
    { "unknown_op_bit_einval", cf_run, CF(.op = GNTTAB_CACHE_CLEAN | 4, .expect = -XEN_EINVAL,
      .length = 8) },
    { "source_gref_einval", cf_run, CF(.op = GNTTAB_CACHE_SOURCE_GREF | GNTTAB_CACHE_CLEAN,
      .expect = -XEN_EINVAL, .length = 8) },
    { "empty_length_ignored", cf_run, CF(.frame = CFF_PAST_POOL, .length = 0,
      .op = GNTTAB_CACHE_CLEAN) },
    { "empty_op_ignored", cf_run, CF(.frame = CFF_PAST_POOL, .op = 0, .length = 8) },
    { "empty_with_continuation_eilseq", cf_run, CF(.length = 0, .cur_ref = 1,
      .expect = -XEN_EILSEQ, .op = GNTTAB_CACHE_CLEAN) },
    { "continuation_own_frame", cf_run, CF(.cur_ref = 3, .length = 8, .op = GNTTAB_CACHE_CLEAN) },
    { "continuation_past_the_pin_einval", cf_run, CF(.prep = CFP_GRANT_MAP,
      .frame = CFF_GRANTED, .cur_ref = GC_REF + 1, .expect = -XEN_EINVAL, .length = 8,
      .op = GNTTAB_CACHE_CLEAN) },
    { "second_element_fails", cf_run, CF(.second_bad = true, .expect = -XEN_EINVAL, .length = 8,
      .op = GNTTAB_CACHE_CLEAN) },
    { "bad_arg_efault", cf_run, CF(.bad_ptr = true, .expect = -XEN_EFAULT, .length = 8,
      .op = GNTTAB_CACHE_CLEAN) },
    { "other_op_with_continuation_einval", cf_run, CF(.cmd = GNTTABOP_query_size, .cur_ref = 1,
      .expect = -XEN_EINVAL, .length = 8, .op = GNTTAB_CACHE_CLEAN) },
};
CONF_AREA("grant_cache_flush", cf_cases)
