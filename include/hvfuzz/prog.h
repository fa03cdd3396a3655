/* The program IR: one representation of a test case for every generator, target and oracle. */
#ifndef HVFUZZ_PROG_H
#define HVFUZZ_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROG_MAGIC        0x5A465648U  /* "HVFZ" little-endian */
#define PROG_VERSION      5U           /* newest binary format version (prog_format_version) */
#define PROG_MAX_OPS      256U
#define PROG_MAX_PAYLOAD  512U
#define PROG_MAX_FIXUPS   16U
#define PROG_MAX_ARGS     6U
#define PROG_MAX_INSN     15U          /* an exit's instruction bytes (X86_MAX_INSN_LEN) */
/* An exit's registers: the 16 GPRs in x86 encoding order (rax, rcx, rdx, rbx, ...), rip, rflags. */
#define PROG_EXIT_RIP     16U
#define PROG_EXIT_RFLAGS  17U
#define PROG_EXIT_REGS    18U

/* Machine shape: what the target builds before the first operation. */
struct prog_shape {
    uint16_t nr_frames;     /* frame pool size (64..4096) */
    uint8_t  nr_domains;    /* domains 0..nr_domains-1, dom0 privileged (1..4) */
    uint8_t  nr_vcpus;      /* vCPUs per domain (1..4) */
    uint16_t dom_pages;     /* pages built for each domain (16..512) */
};

/*
 * An argument names a resource by index so that random bytes decode into mostly meaningful
 * programs; the target resolves it against its state when the operation runs.
 */
enum arg_kind {
    ARG_IMM = 0,      /* imm as is */
    ARG_DOMID,        /* domain id (dom), or DOMID_SELF when a == 1 */
    ARG_MFN,          /* machine frame of gfn (a mod pages) of domain dom */
    ARG_GFN,          /* gfn (a mod pages) of domain dom */
    ARG_MADDR,        /* machine address of byte b of gfn a of dom (PTE pointers: b = idx * 8) */
    ARG_GVA,          /* guest VA of byte b of gfn a of dom */
    ARG_PTE,          /* a PTE value: mfn of gfn a of dom, low/high flag bits from imm */
    ARG_PAYLOAD,      /* guest VA of byte b of this op's payload buffer */
    ARG_GREF,         /* grant ref a (mod the domain's grant entries) */
    ARG_PORT,         /* the a-th port of dom in use (mod count; not port 0), or a itself if none */
    ARG_HANDLE,       /* the a-th live maptrack handle of dom, or a itself if none */
    ARG_VCPUID,       /* vCPU id (a mod nr_vcpus) */
    ARG_GPA,          /* guest-physical address of byte b of gfn (a mod pages); version 2 */
    /* Frames the monitor shares with dom (version 3): the (a mod count)-th of those in use when
       the op runs, an invalid frame when there are none (docs/PROGRAMS.md). */
    ARG_GNTFRAME,     /* machine frame of grant-table frame a of dom */
    ARG_STATUSFRAME,  /* machine frame of grant v2 status frame a of dom */
    ARG_GNTPTE,       /* a PTE value: grant-table frame a of dom, flag bits from imm */
    ARG_STATUSPTE,    /* a PTE value: status frame a of dom, flag bits from imm */
    ARG_NR_KINDS
};

struct prog_arg {
    uint8_t  kind;    /* enum arg_kind */
    uint8_t  dom;
    uint16_t a;
    uint32_t b;
    uint64_t imm;
};

/* A payload fixup: write the resolved value of arg at payload offset off, width bytes (1,2,4,8). */
struct prog_fixup {
    uint16_t off;
    uint8_t  width;
    struct prog_arg arg;
};

enum op_kind {
    OP_HYPERCALL = 1,   /* dom, vcpu, nr, args, payload (+fixups) placed in guest memory first */
    OP_GUEST_READ,      /* dom, vcpu, va arg, size: a read through the guest's page tables */
    OP_GUEST_WRITE,     /* dom, vcpu, va arg, size: a write of the domain's tagged pattern */
    OP_PREEMPT,         /* set the preemption pattern (imm) for the following operations */
    OP_SWITCH_VCPU,     /* dom, vcpu: that vCPU runs next; re-issues its pending continuation */
    OP_EXIT,            /* dom, vcpu, a synthesized VM exit (hvfuzz/exit.h); version 2 */
    OP_GUEST_CODE,      /* dom, vcpu, x86-64 code (payload + fixups), budget (imm); version 4 */
    OP_MIGRATE,         /* dom, phase (imm: enum prog_migrate_phase): the toolstack migrates dom;
                           version 5 */
    OP_NR_KINDS
};
/* The phases of a live migration (hvfuzz/migrate.h has what each does and returns). */
enum prog_migrate_phase { MIGRATE_BEGIN = 0, MIGRATE_ROUND, MIGRATE_FINISH, MIGRATE_NR_PHASES };
/* A phase's name as the text form spells it ("begin"; NULL for an unknown phase). */
const char *prog_migrate_phase_name(uint64_t phase);

/*
 * What a program states it expects of one operation (text form: `=> rc=-EINVAL, value=0x1`).
 * Only the fields whose PE_* bit is set in have are checked; an op with have == 0 states nothing.
 * Format version 3 carries expectations; docs/PROGRAMS.md has the syntax.
 */
#define PROG_MAX_EXPECT_OUT   8U   /* payload fields an op may state (grant status, handles, ports) */
#define PROG_MAX_EXPECT_EXITS 8U   /* exits an op may state it takes (guest code) */
enum prog_expect_bit {
    PE_STATUS = 1U << 0,   /* status: enum op_status */
    PE_RC     = 1U << 1,   /* rc: the return value (for an exit op: the enum exit_action) */
    PE_VALUE  = 1U << 2,   /* value: what a guest_read read (an exit op: rax afterwards) */
    PE_FAULT  = 1U << 3,   /* fault: the exception vector the op raised or had injected, or none */
    PE_PFEC   = 1U << 4,   /* pfec: its error code */
    PE_OUT    = 1U << 5,   /* out: payload fields the op wrote back (nr_out of them) */
    PE_EXITS  = 1U << 6,   /* exits: the exit reasons the op took, in order (nr_exits of them) */
    PE_ALL    = (1U << 7) - 1U,
};
#define PROG_FAULT_NONE 0xFFU   /* fault: no exception */
struct prog_expect_out {
    uint16_t off;          /* byte offset in the op's payload */
    uint8_t  width;        /* 1, 2, 4 or 8 bytes, little-endian */
    uint64_t value;
};
struct prog_expect {
    uint8_t  have;         /* enum prog_expect_bit */
    uint8_t  status;
    uint8_t  fault;        /* vector, or PROG_FAULT_NONE */
    uint8_t  nr_out;
    uint8_t  nr_exits;
    uint8_t  exits[PROG_MAX_EXPECT_EXITS];
    uint32_t pfec;
    int64_t  rc;
    uint64_t value;
    struct prog_expect_out out[PROG_MAX_EXPECT_OUT];
};

struct prog_op {
    uint8_t  kind;        /* enum op_kind */
    uint8_t  dom;
    uint8_t  vcpu;
    uint8_t  nr_args;
    /* the payload's length and fixup count here, by the fields every op reads, not by the
       payload half a kilobyte further: a run reads them for every op */
    uint16_t payload_len;
    uint8_t  nr_fixups;
    uint32_t nr;          /* hypercall number */
    struct prog_arg args[PROG_MAX_ARGS];  /* hypercall args; args[0] = va for guest read/write */
    uint32_t size;        /* guest read/write size (1, 2, 4, 8) */
    uint64_t imm;         /* OP_PREEMPT pattern; OP_GUEST_CODE instruction budget (0: target's) */
    /*
     * OP_GUEST_CODE: the payload is the machine code (at least 1 byte), fixups applied as for a
     * hypercall's, so code can embed resolved addresses (`mov rdi, imm64` with its imm a fixup).
     * The target places it in the domain's payload page and runs it from its first byte on vCPU
     * vcpu of dom until it returns (`ret`: the target calls it on a stack of its own), takes an
     * unhandled fault, or spends imm instructions. Expectations: rc is rax at the end, fault and
     * pfec the exception that ended it, exits the VM exits it took; value stays 0. Code the
     * guest's tables do not let the target write there does not run (not_run, -EFAULT, pfec).
     */
    /*
     * OP_EXIT: the exit record. qual, gla and the registers are arguments, so an address can name
     * a resource (ARG_GPA of a data page for a DMA ring, ARG_GVA for a string instruction's
     * index register); ARG_IMM 0 is an unset register. Payload and fixups are placed in guest
     * memory before the exit, as for a hypercall (a descriptor ring, a string I/O buffer).
     */
    uint8_t  exit_reason;                 /* enum exit_reason; any value (others are invalid) */
    uint8_t  insn_len;                    /* bytes of insn used, 0..PROG_MAX_INSN */
    uint8_t  insn[PROG_MAX_INSN];
    struct prog_arg qual, gla;
    struct prog_arg regs[PROG_EXIT_REGS];
    /* what the op should give (version 3); before the payload, so code that copies or clears
       an op up to its payload (the generators) keeps it */
    struct prog_expect expect;
    uint8_t  payload[PROG_MAX_PAYLOAD];
    struct prog_fixup fixups[PROG_MAX_FIXUPS];
};

struct prog {
    uint32_t version;     /* format version the program was read from */
    struct prog_shape shape;
    uint32_t nr_ops;
    struct prog_op ops[PROG_MAX_OPS];
};

/* Codec errors: a clear message for every way a file can be bad. */
enum prog_err {
    PROG_OK = 0,
    PROG_E_EMPTY,         /* no bytes */
    PROG_E_MAGIC,         /* not a program file */
    PROG_E_VERSION,       /* a format version this build does not know */
    PROG_E_TRUNCATED,     /* ends inside the header or an operation */
    PROG_E_CORRUPT,       /* a field out of range or a checksum mismatch */
    PROG_E_TOO_BIG,       /* more operations, payload or fixups than the limits */
    PROG_E_SYNTAX,        /* text form: a line that does not parse */
    PROG_E_IO,            /* reading or writing a file failed */
    PROG_E_NR
};
const char *prog_strerror(enum prog_err e);
/* An op kind's name, as the text form spells it ("guest_read"; "op" for an unknown kind). */
const char *prog_kind_name(unsigned kind);

void prog_init(struct prog *p, const struct prog_shape *shape);
extern const struct prog_shape prog_default_shape;   /* 256 frames, 3 domains, 2 vCPUs, 64 pages */

/* Fuzz bytes -> program: accepts every byte string, never fails (what libFuzzer/AFL++ mutate).
   It writes the header and the ops it makes only: ops past nr_ops keep what they held. */
void prog_from_fuzz(struct prog *p, const uint8_t *data, size_t len);

/* Canonical binary: versioned; prog_decode(prog_encode(p)) == p. Returns bytes written, or 0 if
   buf is too small. prog_encoded_size gives the size needed. prog_decode reads every version ever
   written; prog_encode writes the lowest version that holds p (prog_format_version: 1 unless p
   uses exits or ARG_GPA, 3 if it uses grant or status frame args or states expectations, 4 if it
   has guest_code ops), so a program encodes exactly as it did before the versions it does not
   need. */
unsigned prog_format_version(const struct prog *p);
size_t prog_encoded_size(const struct prog *p);
size_t prog_encode(const struct prog *p, uint8_t *buf, size_t cap);
enum prog_err prog_decode(struct prog *p, const uint8_t *data, size_t len);
/* Recompute the checksum of the binary form in buf (len bytes, at least the header): what a
   harness does to a mutated file and a test to a file it damaged on purpose. */
void prog_reseal(uint8_t *buf, size_t len);
/* prog_decode without clearing the whole struct first (a harness's hot loop): ops past nr_ops
   keep what they held. */
enum prog_err prog_decode_reuse(struct prog *p, const uint8_t *data, size_t len);

/* Text form: one operation per line (docs/PROGRAMS.md). */
size_t prog_format_text(const struct prog *p, char *buf, size_t cap);   /* like snprintf */
/* A disassembler for the comment after an exit's instruction bytes in the text form: writes one
   line of text for the instruction in bytes and returns true, or false to leave no comment. The
   library has none (it never links Capstone); the hvfuzz tool installs one. NULL: off.
   A guest_code line's comment lists its first few instructions: the printer finds each one's
   length as the shortest prefix of the bytes whose text begins the text for all of them (then
   ends or goes on with a blank, as the tool's "  (then trailing bytes)" does). */
typedef bool (*prog_disasm_fn)(const uint8_t *bytes, size_t len, char *out, size_t cap);
void prog_set_disasm(prog_disasm_fn fn);
/*
 * Where and why a text does not parse: line and col count from 1 (col is a byte offset + 1; 0
 * when the error is not about one place, line 0 when not about one line, e.g. an empty text),
 * token is the text at col (a word or number, cut to fit; empty at the end of the line), reason
 * says what is wrong. The first error in the text is reported.
 */
struct prog_text_error {
    unsigned line, col;
    char token[32];
    char reason[96];
};
enum prog_err prog_parse_text_err(struct prog *p, const char *text, struct prog_text_error *err);
/* prog_format_text of p parsed from src, keeping src's comments where they were: blank and
   comment lines in place (a leading block before the shape), an op line's trailing comment on
   the op (instead of one the printer adds). The IR has no comments; this re-reads src. */
size_t prog_format_text_comments(const struct prog *p, const char *src, char *buf, size_t cap);
/* The same, reporting only the failing line (0 if none) in *line. */
enum prog_err prog_parse_text(struct prog *p, const char *text, unsigned *line);
/* " => status=restart, rc=-EINVAL, ..." for op->expect (op->kind picks `action=` for exits),
   "" when it states nothing; like snprintf. */
size_t prog_expect_format(const struct prog_op *op, char *buf, size_t cap);
bool prog_expect_equal(const struct prog_expect *a, const struct prog_expect *b);
/* The errno name of a negative Xen return value ("EINVAL" for -22), or NULL. */
const char *prog_errno_name(int64_t rc);
/* "FILE:LINE:COL: reason (near 'token')", "FILE:LINE: reason" or "FILE: reason" as far as err
   knows the place; like snprintf. */
size_t prog_text_error_format(const struct prog_text_error *err, const char *file, char *buf,
                              size_t cap);

/* Canonical equality (what the round-trip tests compare). */
bool prog_equal(const struct prog *a, const struct prog *b);

/* PROG_OK if p is valid (what prog_encode accepts and prog_decode yields), else the error that
   decoding such a file would give. prog_encode also returns 0 for an invalid p. */
enum prog_err prog_validate(const struct prog *p);

/* Files: atomic write (temp + rename); load accepts binary or text by content.
   prog_save writes the text form when path ends in ".txt", else the canonical binary. On
   PROG_E_IO, errno tells why. */
enum prog_err prog_save(const struct prog *p, const char *path);
enum prog_err prog_load(struct prog *p, const char *path);
/* prog_load that says where a text file goes wrong (err, may be NULL) and, if text is not NULL,
   hands back a text file's contents on success (malloc'd, NUL-terminated; NULL for a binary file)
   for prog_format_text_comments. */
enum prog_err prog_load_err(struct prog *p, const char *path, struct prog_text_error *err,
                            char **text);
/* The one line a command prints for a file that did not load: "FILE:LINE:COL: reason (near
   'token')" for a text error (the form editors jump to), else "TOOL: FILE: message" (errno's
   for PROG_E_IO: call it before anything changes errno). Like snprintf. */
size_t prog_load_strerror(char *buf, size_t cap, const char *tool, const char *path,
                          enum prog_err e, const struct prog_text_error *err);

#endif
