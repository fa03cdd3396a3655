/* The argument census: every hypercall and exit field as data, its value classes, what programs produce of them. */
#ifndef HVFUZZ_CENSUS_H
#define HVFUZZ_CENSUS_H

#include <stdbool.h>
#include <stdint.h>
#include "hvfuzz/prog.h"

/*
 * One table (gen/census_fields.c) describes the fields of every hypercall, sub-op and exit
 * reason: where a field lives (an argument, a struct in the payload, an exit's qualification or
 * register), its width, its kind and its real range (the model's limits). From a field's kind and
 * range follow its value classes (census_field_classes); census_classify maps a produced value to
 * them, with the resolution semantics of the IR's resource arguments (an ARG_MFN of domain d is
 * another domain's frame when d is not the caller). The generator fills fields from the same
 * table (gen/gen_corner.c: one class of one field, drawn for any op), so the table is written
 * once and drives both the generator's corners and their census.
 */

/* What a field holds: decides its classes. */
enum census_kind {
    CK_COUNT = 0,   /* an element count or size limit */
    CK_LEN,         /* a byte length (frame-end classes; with rel: offset + length) */
    CK_OFFSET,      /* a byte offset (frame-end classes; with rel: offset + the length field rel) */
    CK_ORDER,       /* an extent order */
    CK_ENUM,        /* a command, version, reason or index with a largest legal value */
    CK_FLAGS,       /* a bit set: mask holds the bits the ABI defines */
    CK_DOMID,       /* a domain id */
    CK_FRAME,       /* a machine frame (or machine address: its frame) */
    CK_PTE,         /* a page-table entry: the frame it names, and its flag bits (mask) */
    CK_REF,         /* a grant reference into the table of domain field rel (-1: the caller's) */
    CK_PORT,        /* an event channel port of domain field rel (-1: the caller's) */
    CK_HANDLE,      /* a maptrack handle of the caller */
    CK_VCPU,        /* a vCPU id */
    CK_VA,          /* a guest virtual address or guest handle */
    CK_GPA,         /* a guest physical address */
    CK_NR
};

/*
 * Value classes. The fixed ones first; a CK_FLAGS or CK_PTE field then has one class per defined
 * bit alone (CC_BIT + i, the i-th set bit of its mask) and one per pair of them (CC_PAIR + k).
 */
enum census_class {
    CC_ZERO = 0,
    CC_ONE,
    CC_MAX_M1,      /* max - 1 of the field's real range */
    CC_MAX,
    CC_MAX_P1,
    CC_HUGE,        /* the top half of the field's width (sign bit, ~0) */
    CC_PAGE_NEAR,   /* 4088..4095: the last bytes of a frame */
    CC_PAGE,        /* exactly 4096 */
    CC_SUM_END,     /* offset + length == 4096: up to the frame end */
    CC_SUM_CROSS,   /* offset + length > 4096: across the frame end */
    CC_SELF,        /* DOMID_SELF */
    CC_OWN,         /* the caller's resource */
    CC_OTHER,       /* another (unprivileged) domain's */
    CC_DOM0,        /* dom0's, named by another domain */
    CC_FREE,        /* a valid number nobody holds (free frame, unused id, port or ref) */
    CC_XEN,         /* the hypervisor's (frames it shares: grant/status; DOMID_XEN; device MMIO) */
    CC_GRANTED,     /* another domain's, granted to the caller */
    CC_STALE,       /* a number the caller held earlier in the program and gave up */
    CC_INVALID,     /* out of every range (not a frame, reserved id, ...) */
    CC_PT,          /* a VA/GPA of the caller's own page tables */
    CC_NONCANON,    /* a non-canonical VA */
    CC_UNKNOWN_BIT, /* flags: a bit the ABI does not define */
    CC_NR_FIXED,
    CC_BIT = 32,
    CC_PAIR = 48,
    CC_MAX_CLASSES = 256
};

/* State of the op's resources when it is issued (estimated from the program: gen/census.c). */
enum census_state {
    CS_TYPE_NONE = 0,  /* frame never typed (unpopulated or fresh) */
    CS_TYPE_WRITABLE,
    CS_TYPE_L1,
    CS_TYPE_L2,
    CS_TYPE_L3,
    CS_TYPE_L4,
    CS_TYPE_SEG_DESC,
    CS_TYPE_SHARED,    /* shared by the hypervisor (grant and status frames) */
    CS_PINNED,
    CS_MAPPED,         /* grant-mapped by some domain */
    CS_GRANTED,        /* named by a live grant entry */
    CS_BATCH,          /* not the only element of its call (array element > 0, or in a multicall) */
    CS_PREEMPTED,      /* issued under a preemption pattern: it may stop midway and resume */
    CS_OTHER_VCPU,     /* its resource was last used from another vCPU of the domain */
    CS_NR
};

enum census_where { CW_ARG = 0, CW_REC, CW_QUAL, CW_GLA, CW_REG };

#define CENSUS_ANY   (-1)      /* census_row.sub: the hypercall's own arguments / every record */
#define CENSUS_NONE  0xFFU     /* census_row.rec_arg / cnt_arg: none */
#define CENSUS_EXIT  0x100U    /* census_row.nr: CENSUS_EXIT + exit reason */
#define CENSUS_MIGRATE 0x200U  /* census_row.nr: the migrate op (sub: its phase) */
/* A migrate op's "since": the last kind of op its domain ran since the previous phase. */
enum census_mig_since { CENSUS_MIG_NONE = 0, CENSUS_MIG_STORE, CENSUS_MIG_PT, CENSUS_MIG_HYPERCALL };
#define CENSUS_PL0   0xFEU     /* census_row.rec_arg of an exit: records at payload offset 0 */

struct census_field {
    const char *name;
    uint8_t  where;     /* enum census_where */
    uint8_t  kind;      /* enum census_kind */
    uint8_t  width;     /* bytes (1, 2, 4, 8) */
    uint8_t  shift;     /* the field is (word >> shift), width bytes of it (exit qualifications) */
    uint16_t off;       /* CW_ARG/CW_REG: index; CW_REC: offsetof in the record */
    uint8_t  rel;       /* 1 + a related field of the same row (0: none): the length an offset
                           adds to, the domid a ref, port or frame belongs to */
    uint8_t  alt;       /* 1 + the flags field whose bit alt_bit makes this CK_FRAME a CK_REF */
    uint32_t alt_bit;
    uint64_t base;      /* subtracted before classing (an MMIO offset from its BAR) */
    uint64_t max;       /* the real range is [0, max]; 0 for frames and vCPUs: from the shape */
    uint64_t mask;      /* CK_FLAGS, CK_PTE: the bits the ABI defines (at most 16) */
    uint64_t never;     /* classes (bit = class, fixed ones) no program can produce, and why: */
    const char *why;
};

struct census_row {
    uint32_t nr;        /* hypercall number, or CENSUS_EXIT + reason */
    int32_t  sub;       /* sub-op (abi_hypercall.cmd says where it is), or CENSUS_ANY */
    const char *name;   /* "grant_table_op.copy" */
    uint8_t  rec_arg;   /* the argument pointing at the records (ARG_PAYLOAD), CENSUS_NONE */
    uint8_t  cnt_arg;   /* the argument holding their count, CENSUS_NONE: one record */
    uint16_t rec_size;
    uint8_t  nf;
    const struct census_field *f;
    uint32_t never_states;  /* states no program can reach for this row (why_states says why) */
    const char *why_states;
};

extern const struct census_row census_rows[];
extern const unsigned census_nr_rows;

/* The row of (nr, sub), or NULL. sub CENSUS_ANY: the hypercall's (exit's) own row. */
const struct census_row *census_row_find(uint32_t nr, int32_t sub);
/* A class's name for reports ("max+1", "bit:0x2", "bits:0x2|0x4"); buf holds flag names. */
const char *census_class_name(unsigned cls, const struct census_field *f, char *buf, size_t cap);
/* The classes that apply to field f on shape s (bitmap of CC_MAX_CLASSES bits). */
void census_field_classes(const struct census_field *f, const struct prog_shape *s, uint64_t out[4]);
/* Bits of f->mask in order: the i-th one (i < census_nr_bits(f)). */
unsigned census_nr_bits(const struct census_field *f);
uint64_t census_bit(const struct census_field *f, unsigned i);
/* The pair class of bits i < j. */
unsigned census_pair_class(unsigned i, unsigned j);
/* States that apply to a row (bitmask of enum census_state). */
uint32_t census_row_states(const struct census_row *r);
const char *census_state_name(unsigned st);
/* The bits a field's value has (its width, under its mask for numbers). */
uint64_t census_wmax(const struct census_field *f);
/* The largest value of f's range on shape s. */
uint64_t census_field_max(const struct census_field *f, const struct prog_shape *s);

/* ---- counting what programs produce ---------------------------------------------------------- */

/* Machine facts the classifier needs: which domain owns each frame at the start (from a probe). */
#define CENSUS_OWNER_FREE 0xFFU
#define CENSUS_OWNER_XEN  0xFEU
struct census_env {
    struct prog_shape shape;
    uint8_t  owner[4096];        /* by mfn (< shape.nr_frames) */
    uint16_t gfn[4096];          /* gfn of that frame in its owner */
    uint64_t mfn[4][2048];       /* mfn of (dom, gfn), 0 when unknown */
    uint64_t gnt_frame[4];       /* grant frame 0 of each domain (gen_probe), 0 when unknown */
    bool     code;               /* the programs hold guest code (the target runs it): the code
                                    fields count (gen_env.guest_code) */
};

/*
 * Guest code (gen/census_code.c): fields of the code programs run, read with the code family's
 * scanner, each a set of named classes: the instructions of each exit reason, where loads,
 * stores and fetches go, their sizes and page ends, the hypercalls code makes and where their
 * handles point, stores into the code's own bytes, a call from code racing the other vCPU. Its
 * hypercalls and exits also count in the rows above, as those ops' do.
 */
#define CENSUS_CODE_FIELDS 12U
struct census_code_field {
    const char *name;
    uint8_t nr;                   /* classes (at most 64) */
    const char *const *classes;
    uint64_t never;               /* classes no generated program can hold, and why */
    const char *why;
};
extern const struct census_code_field census_code_fields[CENSUS_CODE_FIELDS];

struct census {
    struct census_env env;
    uint64_t programs, ops;
    /* per row and field: the classes seen; per row: the states seen */
    uint64_t (*seen)[16][4];     /* [census_nr_rows][field][4] */
    uint32_t *states;            /* [census_nr_rows] */
    uint64_t *hits;              /* [census_nr_rows]: ops/records counted on the row */
    uint64_t code_ops;           /* guest_code ops counted */
    uint64_t code_seen[CENSUS_CODE_FIELDS];   /* classes seen, bit per class */
};

/* A census over env (its shape is the programs' shape). 0, or -1 when out of memory. */
int  census_init(struct census *c, const struct census_env *env);
void census_free(struct census *c);
/* Count one program. */
void census_add(struct census *c, const struct prog *p);
/* Totals: classes (and states) that apply and are not marked never, and how many were seen; the
   code fields' with env.code. */
void census_totals(const struct census *c, uint64_t *classes, uint64_t *seen_classes,
                   uint64_t *states, uint64_t *seen_states);

/* Learn env from a target on shape (guest reads of each domain's L1 tables). 0 or -1. */
struct target;
struct gen;
int census_probe(struct census_env *env, struct target *t, const struct gen *g);

#endif
