/* Helpers shared by the grant-table conformance cases: writing grants, issuing ops, reading state. */
#include <string.h>
#include "grant_conf.h"

struct domain *gc_dom(struct conf_ctx *c, unsigned id)
{
    return id == 0 ? c->d0 : id == 1 ? c->d1 : c->d2;
}

struct vcpu *gc_vcpu(struct conf_ctx *c, unsigned id)
{
    return id == 0 ? c->v0 : id == 1 ? c->v1 : c->v2;
}

/* Entries are written at byte offsets through memcpy: grant frames are plain guest memory. */
static uint8_t *gc_entry_ptr(struct conf_ctx *c, struct domain *d, grant_ref_t ref)
{
    size_t esz = d->gnt.version == 2 ? sizeof(struct grant_entry_v2)
                                     : sizeof(struct grant_entry_v1);
    size_t per = PAGE_SIZE / esz;

    if (ref / per >= d->gnt.nr_frames) {
        CONF_ERROR(c, "grant ref %u beyond dom%u's %u grant frames", ref, (unsigned)d->id,
                   d->gnt.nr_frames);
        return NULL;
    }
    return frame_mem(c->hv, d->gnt.frames[ref / per]) + (ref % per) * esz;
}

void gc_grant(struct conf_ctx *c, struct domain *d, grant_ref_t ref, domid_t to, uint64_t frame,
              uint16_t flags)
{
    uint8_t *p = gc_entry_ptr(c, d, ref);

    if (!p)
        return;
    if (d->gnt.version == 2) {
        struct grant_entry_v2 e = { .flags = flags, .domid = to, .frame = frame };
        memcpy(p, &e, sizeof(e));
    } else {
        struct grant_entry_v1 e = { .flags = flags, .domid = to, .frame = (uint32_t)frame };
        memcpy(p, &e, sizeof(e));
    }
}

uint16_t gc_entry_flags(struct conf_ctx *c, struct domain *d, grant_ref_t ref)
{
    uint8_t *p = gc_entry_ptr(c, d, ref);
    uint16_t f = 0;

    if (p)
        memcpy(&f, p, sizeof(f));
    return f;
}

uint64_t gc_entry_frame(struct conf_ctx *c, struct domain *d, grant_ref_t ref)
{
    uint8_t *p = gc_entry_ptr(c, d, ref);

    if (!p)
        return 0;
    if (d->gnt.version == 2) {
        struct grant_entry_v2 e;
        memcpy(&e, p, sizeof(e));
        return e.frame;
    }
    struct grant_entry_v1 e;
    memcpy(&e, p, sizeof(e));
    return e.frame;
}

uint16_t gc_status_bits(struct conf_ctx *c, struct domain *d, grant_ref_t ref)
{
    uint16_t st = 0;

    if (d->gnt.version != 2)
        return gc_entry_flags(c, d, ref) & (GTF_reading | GTF_writing);
    if (d->gnt.nr_status_frames == 0) {
        CONF_ERROR(c, "dom%u is v2 without status frames", (unsigned)d->id);
        return 0;
    }
    memcpy(&st, frame_mem(c->hv, d->gnt.status[0]) + ref * sizeof(grant_status_t), sizeof(st));
    return st;
}

long gc_op(struct conf_ctx *c, struct vcpu *v, unsigned cmd, void *ops, size_t size,
           unsigned count)
{
    struct domain *d = dom_get(c->hv, v->domid);
    gva_t va = conf_scratch(c, d, 0);
    size_t len = size * count;
    long rc;

    if (len > PAGE_SIZE) {
        CONF_ERROR(c, "op array of %zu bytes does not fit the scratch page", len);
        return -XEN_EINVAL;
    }
    if (len && conf_put(c, v, va, ops, len) < 0)
        return -XEN_EFAULT;
    rc = conf_hc(c, v, HYPERVISOR_grant_table_op, cmd, va, count, 0, 0);
    if (len && conf_get(c, v, va, ops, len) < 0)
        return -XEN_EFAULT;
    return rc;
}

int gc_map(struct conf_ctx *c, struct vcpu *v, domid_t dom, grant_ref_t ref, uint32_t flags,
           uint64_t host_addr, grant_handle_t *handle, uint64_t *dev_bus_addr)
{
    struct gnttab_map_grant_ref op = { .host_addr = host_addr, .flags = flags, .ref = ref,
                                       .dom = dom, .handle = ~0U };
    long rc = gc_op(c, v, GNTTABOP_map_grant_ref, &op, sizeof(op), 1);

    if (rc)
        return (int)rc;
    if (handle)
        *handle = op.handle;
    if (dev_bus_addr)
        *dev_bus_addr = op.dev_bus_addr;
    return op.status;
}

int gc_unmap(struct conf_ctx *c, struct vcpu *v, grant_handle_t handle, uint64_t host_addr,
             uint64_t dev_bus_addr)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = host_addr, .dev_bus_addr = dev_bus_addr,
                                         .handle = handle };
    long rc = gc_op(c, v, GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1);

    return rc ? (int)rc : op.status;
}

uint64_t gc_l1e_maddr(struct domain *d, gfn_t gfn)
{
    return (d->p2m[DOM_GFN_L1] << PAGE_SHIFT) + (gfn % PTES_PER_TABLE) * sizeof(uint64_t);
}

uint64_t gc_pte_of(struct conf_ctx *c, struct domain *d, unsigned k)
{
    uint64_t ma = conf_l1e_maddr(c, d, k);

    return frame_ptes(c->hv, ma >> PAGE_SHIFT)[(ma & (PAGE_SIZE - 1)) / sizeof(uint64_t)];
}

long gc_set_pte(struct conf_ctx *c, struct vcpu *v, struct domain *d, unsigned k, uint64_t val)
{
    struct mmu_update u = { .ptr = conf_l1e_maddr(c, d, k) | MMU_NORMAL_PT_UPDATE, .val = val };
    gva_t va = conf_scratch(c, d, 1);

    if (conf_put(c, v, va, &u, sizeof(u)) < 0)
        return -XEN_EFAULT;
    return conf_hc(c, v, HYPERVISOR_mmu_update, va, 1, 0, DOMID_SELF, 0);
}

mfn_t gc_grant_std(struct conf_ctx *c, uint16_t flags)
{
    mfn_t m = conf_scratch_mfn(c, c->d1, GC_PAGE);

    gc_grant(c, c->d1, GC_REF, 2, m, flags);
    return m;
}

struct gnt_active *gc_act(struct domain *d, grant_ref_t ref)
{
    return gnt_act_w(&d->gnt, ref);
}
