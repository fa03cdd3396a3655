/* The census table's meaning: the classes and states each field and row has, their names, rows by number. */
#include <stdio.h>
#include <string.h>

#include "hvfuzz/census.h"
#include "hvfuzz/xen.h"

#define CS_BIT(s) (1U << (s))
#define CC_SET(bm, c) ((bm)[(c) / 64] |= 1ULL << ((c) % 64))

static const char *const census_fixed_names[CC_NR_FIXED] = {
    [CC_ZERO] = "0", [CC_ONE] = "1", [CC_MAX_M1] = "max-1", [CC_MAX] = "max",
    [CC_MAX_P1] = "max+1", [CC_HUGE] = "huge", [CC_PAGE_NEAR] = "frame-end-8..1",
    [CC_PAGE] = "4096", [CC_SUM_END] = "sum=frame-end", [CC_SUM_CROSS] = "sum>frame-end",
    [CC_SELF] = "self", [CC_OWN] = "own", [CC_OTHER] = "other-domain's", [CC_DOM0] = "dom0's",
    [CC_FREE] = "free", [CC_XEN] = "hypervisor's", [CC_GRANTED] = "granted",
    [CC_STALE] = "stale", [CC_INVALID] = "invalid", [CC_PT] = "page-table",
    [CC_NONCANON] = "non-canonical", [CC_UNKNOWN_BIT] = "undefined-bit",
};

static const char *const census_state_names[CS_NR] = {
    [CS_TYPE_NONE] = "type:none", [CS_TYPE_WRITABLE] = "type:writable", [CS_TYPE_L1] = "type:l1",
    [CS_TYPE_L2] = "type:l2", [CS_TYPE_L3] = "type:l3", [CS_TYPE_L4] = "type:l4",
    [CS_TYPE_SEG_DESC] = "type:seg_desc", [CS_TYPE_SHARED] = "type:shared",
    [CS_PINNED] = "pinned", [CS_MAPPED] = "mapped", [CS_GRANTED] = "granted",
    [CS_BATCH] = "in-batch", [CS_PREEMPTED] = "preempted", [CS_OTHER_VCPU] = "other-vcpu",
};

const char *census_state_name(unsigned st)
{
    return st < CS_NR ? census_state_names[st] : "?";
}

/* ---- the table's meaning ------------------------------------------------------------------------ */

unsigned census_nr_bits(const struct census_field *f)
{
    return (unsigned)__builtin_popcountll(f->mask);
}

uint64_t census_bit(const struct census_field *f, unsigned i)
{
    uint64_t m = f->mask;

    while (m) {
        uint64_t b = m & -m;
        if (!i--)
            return b;
        m &= m - 1;
    }
    return 0;
}

unsigned census_pair_class(unsigned i, unsigned j)
{
    /* pairs (i < j) in order: (0,1) (0,2) (1,2) (0,3) ... */
    return CC_PAIR + j * (j - 1) / 2 + i;
}

uint64_t census_wmax(const struct census_field *f)
{
    uint64_t w = f->width >= 8 ? ~0ULL : (1ULL << (8 * f->width)) - 1;

    if (f->mask && f->kind != CK_FLAGS && f->kind != CK_PTE)
        w &= f->mask;
    return w;
}

uint64_t census_field_max(const struct census_field *f, const struct prog_shape *s)
{
    switch (f->kind) {
    case CK_FRAME:
        return s->nr_frames - 1U;
    case CK_VCPU:
        return s->nr_vcpus - 1U;
    case CK_DOMID:
        return DOMID_FIRST_RESERVED - 1U;
    default:
        return f->max;
    }
}

static bool census_numeric(unsigned kind)
{
    return kind == CK_COUNT || kind == CK_LEN || kind == CK_OFFSET || kind == CK_ORDER ||
           kind == CK_ENUM || kind == CK_REF || kind == CK_PORT || kind == CK_HANDLE ||
           kind == CK_VCPU;
}

void census_field_classes(const struct census_field *f, const struct prog_shape *s, uint64_t out[4])
{
    uint64_t max = census_field_max(f, s), wmax = census_wmax(f);
    unsigned nb = census_nr_bits(f);

    memset(out, 0, 4 * sizeof(out[0]));
    if (census_numeric(f->kind)) {
        CC_SET(out, CC_ZERO);
        CC_SET(out, CC_ONE);
        if (max >= 2)
            CC_SET(out, CC_MAX_M1);
        CC_SET(out, CC_MAX);
        if (max < wmax)
            CC_SET(out, CC_MAX_P1);
        /* the top half of the field, when it is more than max+1 */
        if (!(f->mask && f->kind != CK_FLAGS) && max + 1 < (wmax >> 1) + 1)
            CC_SET(out, CC_HUGE);
    }
    if ((f->kind == CK_LEN || f->kind == CK_OFFSET) && wmax >= PAGE_SIZE - 1) {
        CC_SET(out, CC_PAGE_NEAR);
        if (wmax >= PAGE_SIZE)
            CC_SET(out, CC_PAGE);
    }
    if (f->rel && (f->kind == CK_OFFSET || f->kind == CK_VA || f->kind == CK_GPA)) {
        CC_SET(out, CC_SUM_END);
        CC_SET(out, CC_SUM_CROSS);
    }
    switch (f->kind) {
    case CK_DOMID:
        CC_SET(out, CC_SELF); CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_DOM0);
        CC_SET(out, CC_FREE); CC_SET(out, CC_XEN); CC_SET(out, CC_INVALID); CC_SET(out, CC_MAX);
        break;
    case CK_FRAME:
        CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_DOM0); CC_SET(out, CC_FREE);
        CC_SET(out, CC_XEN); CC_SET(out, CC_GRANTED); CC_SET(out, CC_STALE);
        CC_SET(out, CC_INVALID); CC_SET(out, CC_MAX); CC_SET(out, CC_MAX_P1);
        break;
    case CK_PTE:
        CC_SET(out, CC_ZERO); CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_DOM0);
        CC_SET(out, CC_FREE); CC_SET(out, CC_XEN); CC_SET(out, CC_GRANTED); CC_SET(out, CC_STALE);
        CC_SET(out, CC_INVALID);
        break;
    case CK_REF:
        CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_DOM0); CC_SET(out, CC_GRANTED);
        CC_SET(out, CC_FREE);
        break;
    case CK_PORT:
        CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_DOM0); CC_SET(out, CC_FREE);
        CC_SET(out, CC_STALE);
        break;
    case CK_HANDLE:
        CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_FREE); CC_SET(out, CC_STALE);
        break;
    case CK_VA:
        CC_SET(out, CC_ZERO); CC_SET(out, CC_OWN); CC_SET(out, CC_PT); CC_SET(out, CC_FREE);
        CC_SET(out, CC_XEN); CC_SET(out, CC_NONCANON); CC_SET(out, CC_PAGE_NEAR);
        break;
    case CK_GPA:
        CC_SET(out, CC_ZERO); CC_SET(out, CC_OWN); CC_SET(out, CC_PT); CC_SET(out, CC_FREE);
        CC_SET(out, CC_XEN); CC_SET(out, CC_INVALID); CC_SET(out, CC_PAGE_NEAR);
        break;
    default:
        break;
    }
    /* a copy pointer that is a grant ref when its flag says so: the ref's owners too */
    if (f->alt) {
        CC_SET(out, CC_OWN); CC_SET(out, CC_OTHER); CC_SET(out, CC_DOM0); CC_SET(out, CC_GRANTED);
    }
    if (f->kind == CK_FLAGS || f->kind == CK_PTE) {
        if (f->kind == CK_FLAGS)
            CC_SET(out, CC_ZERO);
        CC_SET(out, CC_UNKNOWN_BIT);
        for (unsigned i = 0; i < nb && i < 16; i++) {
            CC_SET(out, CC_BIT + i);
            for (unsigned j = i + 1; j < nb && j < 16; j++)
                CC_SET(out, census_pair_class(i, j));
        }
    }
    for (unsigned c = 0; c < CC_NR_FIXED; c++)
        if (f->never >> c & 1)
            out[0] &= ~(1ULL << c);
}

const char *census_class_name(unsigned cls, const struct census_field *f, char *buf, size_t cap)
{
    if (cls < CC_NR_FIXED)
        return census_fixed_names[cls];
    if (cls >= CC_BIT && cls < CC_PAIR) {
        snprintf(buf, cap, "bit:%#llx", (unsigned long long)census_bit(f, cls - CC_BIT));
        return buf;
    }
    for (unsigned j = 1; j < 16; j++)
        for (unsigned i = 0; i < j; i++)
            if (census_pair_class(i, j) == cls) {
                snprintf(buf, cap, "bits:%#llx|%#llx", (unsigned long long)census_bit(f, i),
                         (unsigned long long)census_bit(f, j));
                return buf;
            }
    return "?";
}

uint32_t census_row_states(const struct census_row *r)
{
    uint32_t s = CS_BIT(CS_PREEMPTED) | CS_BIT(CS_OTHER_VCPU);
    bool frame = false, ref = false;

    for (unsigned i = 0; i < r->nf; i++) {
        frame |= r->f[i].kind == CK_FRAME || r->f[i].kind == CK_PTE;
        ref |= r->f[i].kind == CK_REF || r->f[i].alt;
    }
    if (frame)
        s |= CS_BIT(CS_TYPE_NONE) | CS_BIT(CS_TYPE_WRITABLE) | CS_BIT(CS_TYPE_L1) |
             CS_BIT(CS_TYPE_L2) | CS_BIT(CS_TYPE_L3) | CS_BIT(CS_TYPE_L4) |
             CS_BIT(CS_TYPE_SEG_DESC) | CS_BIT(CS_TYPE_SHARED) | CS_BIT(CS_PINNED);
    if (frame || ref)
        s |= CS_BIT(CS_MAPPED) | CS_BIT(CS_GRANTED);
    if (r->cnt_arg != CENSUS_NONE && r->sub != CENSUS_ANY)
        s |= CS_BIT(CS_BATCH);
    if (r->nr == HYPERVISOR_update_va_mapping)
        s |= CS_BIT(CS_BATCH);   /* the multicall builder's most common entry */
    return s & ~r->never_states;
}

/* Rows of one number are adjacent: an index by number (hypercalls, then exits). */
#define CENSUS_IDX (NR_HYPERCALLS + EXIT_NR + 1U)
static struct { uint8_t first, n; } census_idx[CENSUS_IDX];
static bool census_idx_ready;

static unsigned census_key(uint32_t nr)
{
    if (nr < NR_HYPERCALLS)
        return nr;
    if (nr >= CENSUS_EXIT && nr < CENSUS_EXIT + EXIT_NR)
        return NR_HYPERCALLS + (nr - CENSUS_EXIT);
    if (nr == CENSUS_MIGRATE)
        return NR_HYPERCALLS + EXIT_NR;
    return CENSUS_IDX;
}

static void census_index(void)
{
    if (census_idx_ready)
        return;
    for (unsigned i = census_nr_rows; i-- > 0;) {
        unsigned k = census_key(census_rows[i].nr);
        if (k >= CENSUS_IDX)
            continue;
        census_idx[k].first = (uint8_t)i;
        census_idx[k].n++;
    }
    census_idx_ready = true;
}

const struct census_row *census_row_find(uint32_t nr, int32_t sub)
{
    unsigned k = census_key(nr);

    census_index();
    if (k >= CENSUS_IDX)
        return NULL;
    for (unsigned i = census_idx[k].first; i < census_idx[k].first + census_idx[k].n; i++)
        if (census_rows[i].sub == sub)
            return &census_rows[i];
    return NULL;
}
