/* Port I/O exits: the port dispatch table, IN/OUT, and string (INS/OUTS, rep) I/O through guest memory. */
#include <string.h>
#include "devices.h"

static const struct port_dev *const io_ports[] = {
    &uart_port_dev,
    &cmos_port_dev,
};

static const struct port_dev *io_find(uint16_t port)
{
    for (size_t i = 0; i < sizeof(io_ports) / sizeof(io_ports[0]); i++)
        if (port >= io_ports[i]->first && port <= io_ports[i]->last)
            return io_ports[i];
    return NULL;
}

/* Nothing answers on an unclaimed port: the bus floats high and writes go nowhere. */
uint8_t io_port_read(struct hv *hv, struct domain *d, uint16_t port)
{
    const struct port_dev *p = io_find(port);
    return p && p->read ? p->read(hv, d, port) : 0xFF;
}

void io_port_write(struct hv *hv, struct domain *d, uint16_t port, uint8_t val)
{
    const struct port_dev *p = io_find(port);
    if (p && p->write)
        p->write(hv, d, port, val);
}

/* A wide access reaches consecutive byte ports, low byte first, as on an 8-bit bus; the port
   number wraps at 0xFFFF like the 16-bit port address does. */
static uint32_t io_in(struct exit_ctx *c, uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)io_port_read(c->hv, c->d, (uint16_t)(port + i)) << (8 * i);
    return v;
}

static void io_out(struct exit_ctx *c, uint16_t port, unsigned size, uint32_t v)
{
    for (unsigned i = 0; i < size; i++)
        io_port_write(c->hv, c->d, (uint16_t)(port + i), (uint8_t)(v >> (8 * i)));
}

/* What the instruction bytes of INS/OUTS say beyond the qualification. */
struct io_string {
    unsigned addrsize;  /* 4 or 8 */
    uint8_t  seg;       /* segment override prefix or 0 (OUTS source only) */
    bool     in;        /* INS */
    unsigned size;
};

/*
 * The decoder's set has no INS/OUTS (they never touch MMIO), so the prefixes are read here: only
 * address size and the source segment matter. Anything but legacy prefixes, an optional REX and
 * one of 6C..6F is not a string I/O instruction: false.
 */
static bool io_string_parse(const struct exit_record *x, struct io_string *s)
{
    bool opsize16 = false;
    unsigned i = 0;
    s->addrsize = 8;
    s->seg = 0;
    for (; i < x->insn_len; i++) {
        uint8_t b = x->insn[i];
        if (b == 0x66)
            opsize16 = true;
        else if (b == 0x67)
            s->addrsize = 4;
        else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65)
            s->seg = b;
        else if (b == 0xF2 || b == 0xF3 || b == 0xF0)
            continue;
        else
            break;
    }
    /* REX.W does not widen INS/OUTS beyond 32 bits */
    if (i < x->insn_len && (x->insn[i] & 0xF0) == 0x40)
        i++;
    if (i + 1 != x->insn_len)
        return false;
    uint8_t op = x->insn[i];
    if (op < 0x6C || op > 0x6F)
        return false;
    s->in = op <= 0x6D;
    s->size = (op & 1) ? (opsize16 ? 2 : 4) : 1;
    return true;
}

static uint64_t io_seg_base(struct exit_ctx *c, uint8_t seg)
{
    /* in 64-bit mode only FS and GS have bases; the guest sets them through MSRs */
    if (seg == 0x64)
        return c->v->msr.fs_base;
    if (seg == 0x65)
        return c->v->msr.gs_base;
    return 0;
}

/*
 * String I/O: the qualification is authoritative for port, size, direction and rep; the bytes must
 * agree with it. Elements go through the vCPU's page tables; a fault injects #PF with the elements
 * done so far retired (rsi/rdi/rcx updated, rip not advanced), as the CPU does.
 */
static enum exit_action io_string(struct exit_ctx *c, uint16_t port, unsigned size, bool in,
                                  bool rep)
{
    struct io_string s;
    if (!io_string_parse(c->x, &s) || s.in != in || s.size != size)
        return EXIT_INVALID;
    struct vcpu_regs *g = &c->r->regs;
    uint64_t amask = s.addrsize == 4 ? 0xFFFFFFFFULL : ~0ULL;
    uint64_t count = rep ? g->gpr[X86_RCX] & amask : 1;
    int64_t step = (g->rflags & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    unsigned reg = in ? X86_RDI : X86_RSI;
    uint64_t base = in ? 0 : io_seg_base(c, s.seg);
    unsigned done = 0;

    while (count > 0 && done < EXIT_REP_MAX) {
        uint64_t va = base + (g->gpr[reg] & amask);
        uint8_t buf[4];
        uint32_t pfec = 0;
        if (in) {
            /* probe before the port read, whose side effects (a FIFO pop) cannot be undone */
            if (guest_read(c->hv, c->v, va, buf, size, &pfec) < 0 ||
                guest_write(c->hv, c->v, va, buf, size, &pfec) < 0)
                return exit_inject(c, EXC_PF, pfec, va);
            uint32_t v = io_in(c, port, size);
            memcpy(buf, &v, size);
            if (guest_write(c->hv, c->v, va, buf, size, &pfec) < 0)
                return exit_inject(c, EXC_PF, pfec, va);
        } else {
            if (guest_read(c->hv, c->v, va, buf, size, &pfec) < 0)
                return exit_inject(c, EXC_PF, pfec, va);
            uint32_t v = 0;
            memcpy(&v, buf, size);
            io_out(c, port, size, v);
        }
        exit_reg_set(g, reg, s.addrsize, g->gpr[reg] + (uint64_t)step);
        count--;
        if (rep)
            exit_reg_set(g, X86_RCX, s.addrsize, count);
        done++;
    }
    /* a rep cut short by the work bound re-executes: rip stays */
    if (count > 0)
        return EXIT_RESUME;
    return exit_resume(c);
}

enum exit_action exit_io(struct exit_ctx *c)
{
    uint64_t q = c->x->qual;
    uint16_t port = EXIT_IO_PORT(q);
    unsigned size = EXIT_IO_SIZE(q);
    bool in = EXIT_IO_IN(q);
    /* bits above the rep flag are undefined in the record format: a record using them is bad */
    if ((size != 1 && size != 2 && size != 4) || (q >> 27) != 0)
        return EXIT_INVALID;
    if (EXIT_IO_STRING(q))
        return io_string(c, port, size, in, EXIT_IO_REP(q));
    if (EXIT_IO_REP(q))
        return EXIT_INVALID;
    struct vcpu_regs *g = &c->r->regs;
    if (in)
        exit_reg_set(g, X86_RAX, size, io_in(c, port, size));
    else
        io_out(c, port, size, (uint32_t)g->gpr[X86_RAX]);
    return exit_resume(c);
}
