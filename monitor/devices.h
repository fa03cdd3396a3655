/* Private interface of the VM-exit layer: the exit context, handler and device dispatch tables. */
#ifndef HVFUZZ_MONITOR_DEVICES_H
#define HVFUZZ_MONITOR_DEVICES_H

#include "hvfuzz/exit.h"

/* Exception vectors the exit layer injects or reflects. */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14,
    EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19, EXC_VE = 20, EXC_CP = 21,
};

#define RFLAGS_CF 0x0001ULL
#define RFLAGS_PF 0x0004ULL
#define RFLAGS_AF 0x0010ULL
#define RFLAGS_ZF 0x0040ULL
#define RFLAGS_SF 0x0080ULL
#define RFLAGS_DF 0x0400ULL
#define RFLAGS_OF 0x0800ULL
#define RFLAGS_MBS  0x2ULL      /* the reserved bit that reads as 1 */
#define RFLAGS_TF   0x100ULL
#define RFLAGS_IF   0x200ULL
#define RFLAGS_IOPL 0x3000ULL
#define RFLAGS_NT   0x4000ULL
#define RFLAGS_RF   0x10000ULL
#define RFLAGS_VM   0x20000ULL
#define RFLAGS_AC   0x40000ULL
/* CF PF AF ZF SF TF IF DF OF IOPL NT RF VM AC VIF VIP ID: the architectural bits */
#define RFLAGS_ALL  0x3F7FD5ULL
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* One exit in flight; r->regs is the working register file the handlers update. */
struct exit_ctx {
    struct hv *hv;
    struct domain *d;
    struct vcpu *v;
    const struct exit_record *x;
    struct exit_result *r;
};

/* exit.c: the ends every handler takes. */
enum exit_action exit_resume(struct exit_ctx *c);       /* rip += insn_len */
enum exit_action exit_inject(struct exit_ctx *c, unsigned vector, uint32_t error_code,
                             uint64_t cr2);              /* registers as at the fault */
enum exit_action exit_crash(struct exit_ctx *c);        /* SHUTDOWN_crash, cleanly */
/* Register access by enum x86_reg with x86 write semantics (32-bit writes zero-extend, 8/16-bit
   writes merge, AH..BH are bits 8..15). Unknown register numbers read 0 and are not written. */
uint64_t exit_reg_get(const struct vcpu_regs *r, unsigned reg, unsigned size);
void exit_reg_set(struct vcpu_regs *r, unsigned reg, unsigned size, uint64_t val);
uint64_t exit_size_mask(unsigned size);

/* The handlers, one per exit reason. */
enum exit_action exit_cpuid(struct exit_ctx *c);
enum exit_action exit_msr_read(struct exit_ctx *c);
enum exit_action exit_msr_write(struct exit_ctx *c);
enum exit_action exit_io(struct exit_ctx *c);
enum exit_action exit_mmio(struct exit_ctx *c);
enum exit_action exit_hlt(struct exit_ctx *c);
enum exit_action exit_ept(struct exit_ctx *c);
enum exit_action exit_exception(struct exit_ctx *c);
enum exit_action exit_triple_fault(struct exit_ctx *c);
/* exit_mmio.c: emulate the record's instruction against the MMIO page at gpa. */
enum exit_action exit_mmio_emulate(struct exit_ctx *c, uint64_t gpa);

/* Port devices: byte accesses (exit_io.c splits wider ones over consecutive ports). */
struct port_dev {
    const char *name;
    uint16_t first, last;
    uint8_t (*read)(struct hv *hv, struct domain *d, uint16_t port);
    void    (*write)(struct hv *hv, struct domain *d, uint16_t port, uint8_t val);
};
extern const struct port_dev uart_port_dev;
extern const struct port_dev cmos_port_dev;
uint8_t io_port_read(struct hv *hv, struct domain *d, uint16_t port);
void io_port_write(struct hv *hv, struct domain *d, uint16_t port, uint8_t val);

/* MMIO devices: accesses of 1, 2, 4 or 8 bytes at an offset into the device's range. */
struct mmio_dev {
    const char *name;
    uint64_t base, size;
    uint64_t (*read)(struct hv *hv, struct domain *d, uint64_t off, unsigned size);
    void     (*write)(struct hv *hv, struct domain *d, uint64_t off, unsigned size, uint64_t val);
};
extern const struct mmio_dev dma_mmio_dev;
const struct mmio_dev *mmio_find(uint64_t gpa);
uint64_t mmio_read(struct hv *hv, struct domain *d, uint64_t gpa, unsigned size);
void mmio_write(struct hv *hv, struct domain *d, uint64_t gpa, unsigned size, uint64_t val);

/* Reset values, applied by exit_domain_init. */
void cpuid_policy_default(struct cpuid_policy *p);
void msr_init(struct vcpu *v);
void uart_init(struct dev_uart *u);
void cmos_init(struct dev_cmos *c);
void dma_init(struct dev_dma *dma);

/* The CMOS time registers and their ranges (binary), shared with the audit. */
enum {
    CMOS_SEC = 0x00, CMOS_MIN = 0x02, CMOS_HOUR = 0x04, CMOS_DOW = 0x06, CMOS_DAY = 0x07,
    CMOS_MON = 0x08, CMOS_YEAR = 0x09, CMOS_REG_A = 0x0A, CMOS_REG_B = 0x0B, CMOS_REG_C = 0x0C,
    CMOS_REG_D = 0x0D,
};

#endif
