/* The bug zoo's registry, made from hvfuzz/bugs.def: look-up by switch name and switch lists. */
#include <string.h>
#include "hvfuzz/monitor.h"

const struct hv_bug_desc hv_bug_table[HV_BUG_NR] = {
    [HV_BUG_NONE] = { HV_BUG_NONE, "none", "-", "no bug", "-" },
#define HV_BUG(id, name, advisory, cause, oracle) \
    [HV_BUG_##id] = { HV_BUG_##id, name, advisory, cause, oracle },
#include "hvfuzz/bugs.def"
#undef HV_BUG
};

const struct hv_bug_desc *hv_bug_find(const char *name)
{
    for (unsigned i = 1; i < HV_BUG_NR; i++)
        if (!strcmp(hv_bug_table[i].name, name))
            return &hv_bug_table[i];
    return NULL;
}

int hv_bugs_parse(const char *list, uint64_t *bits, const char **bad, size_t *bad_len)
{
    uint64_t set = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[32];
        if (n && n < sizeof(name)) {
            memcpy(name, p, n);
            name[n] = 0;
            const struct hv_bug_desc *b = hv_bug_find(name);
            if (b) {
                set |= 1ULL << b->id;
                p += n + (p[n] == ',');
                continue;
            }
        }
        if (bad)
            *bad = p;
        if (bad_len)
            *bad_len = n;
        return -1;
    }
    *bits = set;
    return 0;
}
