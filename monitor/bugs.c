/* The bug zoo's registry: each re-created bug's switch name, advisory, cause and expected oracle. */
#include <string.h>
#include "hvfuzz/monitor.h"

/*
 * The oracle column is what a finding's signature is expected to start with when the bug fires;
 * `hvfuzz bugzoo` and the zoo replay tests compare against it.
 */
const struct hv_bug_desc hv_bug_table[HV_BUG_NR] = {
    [HV_BUG_NONE] = { HV_BUG_NONE, "none", "-", "no bug", "-" },
    [HV_BUG_XSA148] = { HV_BUG_XSA148, "xsa148", "XSA-148",
        "PSE accepted in a PV L2 entry: a 2 MiB writable mapping over page tables", "audit:I4" },
    [HV_BUG_XSA182] = { HV_BUG_XSA182, "xsa182", "XSA-182",
        "fast path lets RW flip on an L2..L4 entry: a writable linear page table", "audit:I3" },
    [HV_BUG_XSA212] = { HV_BUG_XSA212, "xsa212", "XSA-212",
        "exchange checks only the base of its lists: unchecked copies reach hypervisor memory",
        "bug" },
    [HV_BUG_XSA218] = { HV_BUG_XSA218, "xsa218", "XSA-218",
        "grant unmap releases a maptrack handle twice", "audit:GNTTAB" },
    [HV_BUG_XSA224] = { HV_BUG_XSA224, "xsa224", "XSA-224",
        "host+device grant map drops the wrong references on unmap", "audit:I1" },
    [HV_BUG_XSA227] = { HV_BUG_XSA227, "xsa227", "XSA-227",
        "grant map writes a PTE at an unaligned address", "audit:I4" },
    [HV_BUG_XSA234] = { HV_BUG_XSA234, "xsa234", "XSA-234",
        "unmap_and_replace checks only the frame of the PTE it replaces", "audit:GNTTAB" },
    [HV_BUG_XSA240] = { HV_BUG_XSA240, "xsa240", "XSA-240",
        "linear page-table chains are not bounded to depth 1", "audit:I8" },
    [HV_BUG_XSA241] = { HV_BUG_XSA241, "xsa241", "XSA-241",
        "type change filters the TLB flush with a stale timestamp", "audit:I3" },
    [HV_BUG_XSA255] = { HV_BUG_XSA255, "xsa255", "XSA-255",
        "grant v2 -> v1 frees status frames the guest still maps", "audit:I6" },
    [HV_BUG_XSA284] = { HV_BUG_XSA284, "xsa284", "XSA-284",
        "grant transfer takes a page that is no longer allocated", "audit:I5" },
    [HV_BUG_XSA286] = { HV_BUG_XSA286, "xsa286", "XSA-286",
        "an L2+ update leaves stale linear translations in other vCPUs' TLBs", "audit:I5" },
    [HV_BUG_XSA299] = { HV_BUG_XSA299, "xsa299", "XSA-299",
        "preempted promote/demote loses the partial state's reference", "audit:I1" },
    [HV_BUG_XSA342] = { HV_BUG_XSA342, "xsa342", "XSA-342",
        "event channel port checked truncated, recorded whole", "audit:EVTCHN" },
    [HV_BUG_XSA401] = { HV_BUG_XSA401, "xsa401", "XSA-401",
        "a type change skips the flush its ABA race needs", "audit:I3" },
    [HV_BUG_UART_FIFO] = { HV_BUG_UART_FIFO, "uart-fifo", "VENOM-style",
        "UART FIFO write index is not bounded by the FIFO size", "audit:DEV" },
    [HV_BUG_DMA_ESCAPE] = { HV_BUG_DMA_ESCAPE, "dma-escape", "DMA escape",
        "DMA checks ownership of the first frame of a transfer only", "audit:DMA" },
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
