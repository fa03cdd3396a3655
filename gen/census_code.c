/* The census of guest code: instructions per exit reason, access targets, sizes and page ends, hypercalls from code, self-modification, races. */
#include "gen/census_internal.h"
#include "gen/gen_asm.h"

/*
 * A guest_code op is read as the code family writes it (gen_asm_scan), with the registers
 * followed from their `mov reg, imm` (a fixup's resource, or the number): so a load through rbx
 * knows the page rbx names, a syscall knows its number and arguments, an `out dx` its port. The
 * hypercalls and exits found go through the rows of the other ops too (census_hypercall,
 * census_exit), with the registers as their arguments; what only code has is counted in the
 * fields below. Code that stops scanning (mutated bytes) is counted as far as it scans.
 */

enum { CCF_IO = 0, CCF_EXIT, CCF_INSN, CCF_LOAD, CCF_STORE, CCF_FETCH, CCF_SIZE, CCF_OFFSET,
       CCF_HC, CCF_HANDLE, CCF_SMC, CCF_RACE };

static const char *const cc_io[] = { "in-imm8", "in-dx", "out-imm8", "out-dx", "ins", "rep-ins",
                                     "outs", "rep-outs", "size:1", "size:2", "size:4" };
static const char *const cc_exit[] = { "cpuid", "rdmsr", "wrmsr", "hlt" };
enum { CI_SYSCALL = 0, CI_RDTSC, CI_RDTSCP, CI_PRIV, CI_UD, CI_STD, CI_LOOP, CI_CALL, CI_RET };
static const char *const cc_insn[] = { "syscall", "rdtsc", "rdtscp", "privileged", "invalid",
                                       "std", "loop", "call", "ret" };
static const char *const cc_target[GEN_CT_NR] = {
    [GEN_CT_OWN] = "own", [GEN_CT_PT] = "page-table", [GEN_CT_CODE] = "own-code",
    [GEN_CT_FOREIGN] = "other-domain's", [GEN_CT_UNMAPPED] = "unmapped",
    [GEN_CT_XEN] = "hypervisor's", [GEN_CT_NONCANON] = "non-canonical",
    [GEN_CT_REMAP] = "remapped",
};
static const char *const cc_size[] = { "load:1", "load:2", "load:4", "load:8",
                                       "store:1", "store:2", "store:4", "store:8" };
static const char *const cc_offset[] = { "load:aligned", "load:unaligned", "load:frame-end",
                                         "load:crossing", "store:aligned", "store:unaligned",
                                         "store:frame-end", "store:crossing" };
/* the hypercalls the families make, by number; anything else is "other" */
static const uint32_t cc_hc_nr[] = {
    HYPERVISOR_mmu_update, HYPERVISOR_update_va_mapping, HYPERVISOR_mmuext_op,
    HYPERVISOR_memory_op, HYPERVISOR_grant_table_op, HYPERVISOR_event_channel_op,
    HYPERVISOR_multicall, HYPERVISOR_vcpu_op, HYPERVISOR_sched_op, HYPERVISOR_domctl,
    HYPERVISOR_xen_version, HYPERVISOR_console_io, HYPERVISOR_set_gdt,
};
#define CC_HC_OTHER (sizeof(cc_hc_nr) / sizeof(cc_hc_nr[0]))
static const char *const cc_hc[] = { "mmu_update", "update_va_mapping", "mmuext_op",
                                     "memory_op", "grant_table_op", "event_channel_op",
                                     "multicall", "vcpu_op", "sched_op", "domctl", "xen_version",
                                     "console_io", "set_gdt", "other" };
/* where a pointer argument goes: the data after the code, own data, a page table, the code */
enum { CH_PAYLOAD = 0, CH_OWN, CH_PT, CH_CODE };
static const char *const cc_handle[] = { "payload", "own-data", "page-table", "own-code" };
enum { CS_RIP = 0, CS_REG, CS_NEXT, CS_LATER, CS_OPCODE, CS_IMM };
static const char *const cc_smc_names[] = { "rip-relative", "via-register", "next-insn", "later-insn",
                                      "opcode", "immediate" };
enum { CR_PREEMPTIBLE = 0, CR_OTHER_OP, CR_OTHER_CODE, CR_RESUME };
static const char *const cc_race[] = { "preemptible-call", "other-vcpu-op", "other-vcpu-code",
                                       "resume" };

#define N(t) (uint8_t)(sizeof(t) / sizeof((t)[0]))
const struct census_code_field census_code_fields[CENSUS_CODE_FIELDS] = {
    [CCF_IO] = { "code.exit.io", N(cc_io), cc_io, 0, NULL },
    [CCF_EXIT] = { "code.exit.other", N(cc_exit), cc_exit, 0, NULL },
    [CCF_INSN] = { "code.insn", N(cc_insn), cc_insn, 0, NULL },
    [CCF_LOAD] = { "code.load.target", N(cc_target), cc_target, 0, NULL },
    [CCF_STORE] = { "code.store.target", N(cc_target), cc_target, 0, NULL },
    [CCF_FETCH] = { "code.fetch.target", N(cc_target), cc_target, 1ULL << GEN_CT_PT,
                    "the generator never runs page-table entries as instructions" },
    [CCF_SIZE] = { "code.access.size", N(cc_size), cc_size, 0, NULL },
    [CCF_OFFSET] = { "code.access.offset", N(cc_offset), cc_offset, 0, NULL },
    [CCF_HC] = { "code.hypercall", N(cc_hc), cc_hc, 0, NULL },
    [CCF_HANDLE] = { "code.hypercall.handle", N(cc_handle), cc_handle, 0, NULL },
    [CCF_SMC] = { "code.self_modifying", N(cc_smc_names), cc_smc_names, 0, NULL },
    [CCF_RACE] = { "code.race", N(cc_race), cc_race, 0, NULL },
};
#undef N

static void cc_set(struct census_ctx *x, unsigned field, unsigned cls)
{
    x->c->code_seen[field] |= 1ULL << cls;
}

/* The registers as the code set them: a resource (a fixup's), a number, or unknown. */
struct cc_regs {
    struct prog_arg a[16];
    bool known[16];
};

static void cc_forget(struct cc_regs *r, unsigned reg)
{
    if (reg < 16)
        r->known[reg] = false;
}

/* The page VA an address names, when it names one in the guest's range (0: none). */
static uint64_t cc_page(const struct prog_shape *s, const struct prog_arg *a)
{
    switch (a->kind) {
    case ARG_GVA:     return DOM_VA(a->a) + (a->b & ~(PAGE_SIZE - 1U));
    case ARG_PAYLOAD: return DOM_VA(s->dom_pages - 1U) + (a->b & ~(PAGE_SIZE - 1U));
    case ARG_IMM:     return a->imm & ~(uint64_t)(PAGE_SIZE - 1U);
    default:          return 0;
    }
}

static void cc_remapped_add(struct census_model *m, uint64_t page)
{
    if (page)
        m->remapped[m->nr_remapped++ % CM_REMAPPED] = page;
}

static unsigned cc_class(const struct census_ctx *x, const struct prog_arg *a)
{
    const struct census_model *m = x->m;
    uint64_t page = cc_page(&x->c->env.shape, a);
    unsigned n = m->nr_remapped < CM_REMAPPED ? m->nr_remapped : CM_REMAPPED;

    for (unsigned i = 0; page && i < n; i++)
        if (m->remapped[i] == page)
            return GEN_CT_REMAP;
    return gen_code_classify(&x->c->env.shape, x->caller, a);
}

/* Where in its page an access starts, as far as the address says. */
static unsigned cc_page_off(const struct prog_arg *a)
{
    return (unsigned)((a->kind == ARG_IMM ? a->imm : a->b) & (PAGE_SIZE - 1U));
}

static void cc_access(struct census_ctx *x, const struct prog_arg *a, unsigned dir, unsigned size)
{
    static const uint8_t field[] = { CCF_LOAD, CCF_STORE, CCF_FETCH };
    unsigned off = cc_page_off(a), k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

    cc_set(x, field[dir], cc_class(x, a));
    if (dir == 2 || !size)
        return;
    cc_set(x, CCF_SIZE, dir * 4U + k);
    if (off + size > PAGE_SIZE)
        k = 3;
    else if (off + size == PAGE_SIZE)
        k = 2;
    else
        k = off % size ? 1 : 0;
    cc_set(x, CCF_OFFSET, dir * 4U + k);
}

/* A store into the code's own bytes at target, from the instruction [at, end). */
static void cc_smc(struct census_ctx *x, unsigned target, unsigned end, unsigned code,
                   const uint8_t *starts, bool rip)
{
    if (target >= code || target < end)
        return;   /* past the code, or behind rip: data or code that already ran */
    cc_set(x, CCF_SMC, rip ? CS_RIP : CS_REG);
    cc_set(x, CCF_SMC, target == end ? CS_NEXT : CS_LATER);
    cc_set(x, CCF_SMC, starts[target / 8] >> (target % 8) & 1 ? CS_OPCODE : CS_IMM);
}

/* An exit of the instruction, through the exit rows, with the registers as its record's. */
static void cc_exit_row(struct census_ctx *x, const struct cc_regs *r, unsigned reason, uint64_t qual)
{
    static struct prog_op fake;
    const struct prog_op *op = x->op;

    memset(&fake, 0, offsetof(struct prog_op, payload));
    fake.kind = OP_EXIT;
    fake.dom = op->dom;
    fake.vcpu = op->vcpu;
    fake.exit_reason = (uint8_t)reason;
    fake.qual = GEN_IMM(qual);
    for (unsigned i = 0; i < 16; i++)
        fake.regs[i] = r->known[i] ? r->a[i] : GEN_IMM(0);
    x->op = &fake;
    census_exit(x);
    x->op = op;
}

static void cc_io_insn(struct census_ctx *x, struct cc_regs *r, const struct gen_asm_insn *in)
{
    bool string = in->cls == GA_INS || in->cls == GA_OUTS;
    bool input = in->cls == GA_IN || in->cls == GA_INS;
    unsigned k;

    if (string)
        k = (input ? 4U : 6U) + in->rep;
    else
        k = (input ? 0U : 2U) + !in->port_imm;
    cc_set(x, CCF_IO, k);
    cc_set(x, CCF_IO, in->size == 1 ? 8U : in->size == 2 ? 9U : 10U);
    uint64_t port = in->imm;
    if (!in->port_imm) {
        if (!r->known[X86_RDX] || r->a[X86_RDX].kind != ARG_IMM)
            return;
        port = r->a[X86_RDX].imm & 0xFFFFU;
    }
    cc_exit_row(x, r, EXIT_IO, EXIT_IO_QUAL(port, in->size, input) |
                               (string ? 1ULL << 25 : 0) | (string && in->rep ? 1ULL << 26 : 0));
    if (input)
        cc_forget(r, X86_RAX);
    if (string) {
        cc_forget(r, X86_RCX);
        cc_forget(r, input ? X86_RDI : X86_RSI);
    }
}

/* A syscall: its number, where its pointer arguments go, the hypercall rows, a race's start. */
static void cc_syscall(struct census_ctx *x, struct cc_regs *r, unsigned code)
{
    static const uint8_t regs[PROG_MAX_ARGS] = { X86_RDI, X86_RSI, X86_RDX, X86_R10, X86_R8,
                                                 X86_R9 };
    struct prog_arg args[PROG_MAX_ARGS];
    const struct prog_arg *saved = x->args;
    unsigned saved_n = x->nargs;

    cc_set(x, CCF_INSN, CI_SYSCALL);
    if (!r->known[X86_RAX] || r->a[X86_RAX].kind != ARG_IMM)
        return;
    uint32_t nr = (uint32_t)r->a[X86_RAX].imm;
    unsigned k = 0;
    while (k < CC_HC_OTHER && cc_hc_nr[k] != nr)
        k++;
    cc_set(x, CCF_HC, k);
    for (unsigned i = 0; i < PROG_MAX_ARGS; i++) {
        args[i] = r->known[regs[i]] ? r->a[regs[i]] : GEN_IMM(0);
        if (args[i].kind == ARG_PAYLOAD)
            cc_set(x, CCF_HANDLE, args[i].b < code ? CH_CODE : CH_PAYLOAD);
        else if (args[i].kind == ARG_GVA)
            cc_set(x, CCF_HANDLE, gen_code_classify(&x->c->env.shape, x->caller, &args[i]) ==
                                  GEN_CT_PT ? CH_PT : CH_OWN);
    }
    if (nr == HYPERVISOR_update_va_mapping)
        cc_remapped_add(x->m, cc_page(&x->c->env.shape, &args[0]));
    if (x->m->preempt) {
        cc_set(x, CCF_RACE, CR_PREEMPTIBLE);
        if (x->caller < CM_DOMS && x->vcpu < GEN_MAX_VCPUS)
            x->m->code_pending[x->caller][x->vcpu] = 1;
    }
    x->args = args;
    x->nargs = PROG_MAX_ARGS;
    census_hypercall(x, nr, 0);
    x->args = saved;
    x->nargs = saved_n;
    x->rec = -1;
    cc_forget(r, X86_RAX);
}

/* The register a mov sets: the fixup's resource over its imm64, else the number. */
static void cc_mov(const struct prog_op *op, struct cc_regs *r, unsigned at,
                   const struct gen_asm_insn *in)
{
    if (in->reg >= 16)
        return;
    r->known[in->reg] = true;
    r->a[in->reg] = GEN_IMM(in->imm);
    for (unsigned f = 0; f < op->nr_fixups; f++)
        if (op->fixups[f].off == at + in->imm_off && op->fixups[f].width == in->imm_len)
            r->a[in->reg] = op->fixups[f].arg;
}

void census_code(struct census_ctx *x)
{
    const struct prog_op *op = x->op;
    unsigned code = gen_asm_code_len(op->payload, op->payload_len), k;
    uint8_t starts[PROG_MAX_PAYLOAD / 8] = { 0 };
    struct gen_asm_insn in;
    struct cc_regs r;

    for (unsigned i = 0; i < 16; i++) {
        r.a[i] = GEN_IMM(0);   /* code starts with every register 0 (but rsp) */
        r.known[i] = i != X86_RSP;
    }
    for (unsigned off = 0; off < code && (k = gen_asm_scan(op->payload + off, code - off, &in));
         off += k)
        starts[off / 8] |= (uint8_t)(1U << (off % 8));
    for (unsigned off = 0; off < code && (k = gen_asm_scan(op->payload + off, code - off, &in));
         off += k) {
        unsigned end = off + in.len;
        switch (in.cls) {
        case GA_MOV_IMM:
            cc_mov(op, &r, off, &in);
            break;
        case GA_LOAD:
        case GA_STORE:
        case GA_STORE_IMM:
            if (in.base == X86_RIP) {
                if (in.cls != GA_LOAD)
                    cc_smc(x, (unsigned)((int64_t)end + in.rel), end, code, starts, true);
                break;
            }
            if (in.base < 16 && r.known[in.base]) {
                const struct prog_arg *a = &r.a[in.base];
                cc_access(x, a, in.cls != GA_LOAD, in.size);
                if (in.cls != GA_LOAD && a->kind == ARG_PAYLOAD)
                    cc_smc(x, a->b, end, code, starts, false);
            }
            if (in.cls == GA_LOAD)
                cc_forget(&r, in.reg);
            break;
        case GA_CALL:
            cc_set(x, CCF_INSN, CI_CALL);
            if (in.reg < 16 && r.known[in.reg])
                cc_access(x, &r.a[in.reg], 2, 0);
            break;
        case GA_SYSCALL:
            cc_syscall(x, &r, code);
            break;
        case GA_CPUID:
            cc_set(x, CCF_EXIT, 0);
            cc_exit_row(x, &r, EXIT_CPUID, 0);
            cc_forget(&r, X86_RAX);
            cc_forget(&r, X86_RBX);
            cc_forget(&r, X86_RCX);
            cc_forget(&r, X86_RDX);
            break;
        case GA_IN: case GA_OUT: case GA_INS: case GA_OUTS:
            cc_io_insn(x, &r, &in);
            break;
        case GA_RDMSR:
        case GA_WRMSR:
            cc_set(x, CCF_EXIT, in.cls == GA_RDMSR ? 1U : 2U);
            cc_exit_row(x, &r, in.cls == GA_RDMSR ? EXIT_MSR_READ : EXIT_MSR_WRITE, 0);
            if (in.cls == GA_RDMSR) {
                cc_forget(&r, X86_RAX);
                cc_forget(&r, X86_RDX);
            }
            break;
        case GA_HLT:
            cc_set(x, CCF_EXIT, 3);
            break;
        case GA_RDTSC:
        case GA_RDTSCP:
            cc_set(x, CCF_INSN, in.cls == GA_RDTSC ? CI_RDTSC : CI_RDTSCP);
            cc_forget(&r, X86_RAX);
            cc_forget(&r, X86_RDX);
            if (in.cls == GA_RDTSCP)
                cc_forget(&r, X86_RCX);
            break;
        case GA_PRIV: cc_set(x, CCF_INSN, CI_PRIV); break;
        case GA_UD:   cc_set(x, CCF_INSN, CI_UD); break;
        case GA_STD:  cc_set(x, CCF_INSN, CI_STD); break;
        case GA_DEC:  cc_forget(&r, in.reg); break;
        case GA_JNZ:
            if (in.rel < 0)
                cc_set(x, CCF_INSN, CI_LOOP);
            break;
        case GA_RET:  cc_set(x, CCF_INSN, CI_RET); break;
        default:      break;
        }
    }
}

/*
 * Every op, before its kind's count: one on another vCPU of a domain whose code may be stopped in
 * a preempted call (a race), the switch that resumes it (any other op there abandons it, as the
 * targets do), and the pages plain update_va_mapping calls remap.
 */
void census_code_op_seen(struct census_ctx *x)
{
    struct census_model *m = x->m;
    const struct prog_op *op = x->op;
    unsigned d = op->dom, v = op->vcpu;

    if (op->kind == OP_PREEMPT || d >= CM_DOMS || v >= GEN_MAX_VCPUS)
        return;
    for (unsigned w = 0; w < GEN_MAX_VCPUS; w++)
        if (w != v && m->code_pending[d][w]) {
            cc_set(x, CCF_RACE, CR_OTHER_OP);
            if (op->kind == OP_GUEST_CODE)
                cc_set(x, CCF_RACE, CR_OTHER_CODE);
        }
    if (op->kind == OP_SWITCH_VCPU && m->code_pending[d][v])
        cc_set(x, CCF_RACE, CR_RESUME);
    m->code_pending[d][v] = 0;
    if (op->kind == OP_HYPERCALL && op->nr == HYPERVISOR_update_va_mapping && op->nr_args)
        cc_remapped_add(m, cc_page(&x->c->env.shape, &op->args[0]));
}
