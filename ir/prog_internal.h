/* Internals shared by the program codec files: field tables, hypercall table, byte helpers. */
#ifndef HVFUZZ_PROG_INTERNAL_H
#define HVFUZZ_PROG_INTERNAL_H

#include "hvfuzz/prog.h"

/* Shape limits (prog.h documents them on struct prog_shape). */
#define PROG_MIN_FRAMES   64U
#define PROG_MAX_FRAMES   4096U
#define PROG_MAX_DOMAINS  4U
#define PROG_MAX_VCPUS    4U
#define PROG_MIN_PAGES    16U
#define PROG_MAX_PAGES    512U
/* Byte offsets (b) of MADDR, GVA and PAYLOAD args stay inside one page. */
#define PROG_MAX_BYTE_OFF 4096U

/* Which fields of a prog_arg carry meaning for its kind: the rest is ignored and encoded as 0. */
#define PROG_F_DOM 0x1U
#define PROG_F_A   0x2U
#define PROG_F_B   0x4U
#define PROG_F_IMM 0x8U
extern const uint8_t prog_arg_fields[ARG_NR_KINDS];

/* What a hypercall argument usually is: steers the fuzz decoder towards meaningful kinds. */
enum prog_hint {
    PROG_H_NONE = 0,  /* unused argument slot */
    PROG_H_ANY,
    PROG_H_PTR,       /* guest handle: the payload */
    PROG_H_COUNT,     /* small element count */
    PROG_H_CMD,       /* sub-command number */
    PROG_H_DOMID,
    PROG_H_VCPU,
    PROG_H_VA,        /* guest virtual address */
    PROG_H_PTE,       /* page-table entry value */
    PROG_H_FLAGS,
};

struct prog_hc {
    uint32_t    nr;
    const char *name;     /* the text form's name: Xen's without the HYPERVISOR_ prefix */
    uint8_t     hints[PROG_MAX_ARGS];
};
extern const struct prog_hc prog_hcs[];
extern const unsigned prog_nr_hcs;
const struct prog_hc *prog_hc_by_nr(uint32_t nr);
const struct prog_hc *prog_hc_by_name(const char *name, size_t len);

/* Validity of one argument or operation against a shape (prog_validate checks the whole program). */
enum prog_err prog_arg_check(const struct prog_arg *a, const struct prog_shape *s);
enum prog_err prog_op_check(const struct prog_op *op, const struct prog_shape *s);
enum prog_err prog_shape_check(const struct prog_shape *s);

static inline bool prog_width_ok(unsigned w)
{
    return w == 1 || w == 2 || w == 4 || w == 8;
}

static inline int prog_hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Expectations (ir/prog_expect.c). A parse error names the token and why. */
struct prog_expect_err {
    const char *at;          /* where in the line the offending token starts */
    char token[32];
    char reason[96];
};
enum prog_err prog_expect_check(const struct prog_expect *e);
/* The text after "=>" up to end; on success op->expect holds it. */
enum prog_err prog_expect_parse(struct prog_op *op, const char *s, const char *end,
                                struct prog_expect_err *err);
/* Format version 3's expectation record (ir/prog_binary.c frames it). */
#define PROG_REC_EXPECT 0xE0U
size_t prog_expect_size(const struct prog_expect *e);
uint8_t *prog_expect_put(uint8_t *w, const struct prog_expect *e);
enum prog_err prog_expect_get(struct prog_expect *e, const uint8_t *r, size_t len);

/* Size of the largest canonical binary file: the file loader refuses anything much bigger. */
size_t prog_max_encoded_size(void);

static inline uint16_t prog_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t prog_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t prog_get64(const uint8_t *p)
{
    return (uint64_t)prog_get32(p) | (uint64_t)prog_get32(p + 4) << 32;
}
static inline void prog_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void prog_put32(uint8_t *p, uint32_t v)
{
    prog_put16(p, (uint16_t)v);
    prog_put16(p + 2, (uint16_t)(v >> 16));
}
static inline void prog_put64(uint8_t *p, uint64_t v)
{
    prog_put32(p, (uint32_t)v);
    prog_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
