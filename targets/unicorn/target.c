/* The unicorn target: the reference monitor in-process, its guests' instructions run by Unicorn at CPL3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/unicorn/uni.h"


/* Descriptors: 64-bit code and data, kernel (ring 0) and user (ring 3). */
#define UNI_SEL_KCODE 0x08U
#define UNI_SEL_UDATA 0x1BU
#define UNI_SEL_UCODE 0x23U
static const uint64_t uni_gdt[] = {
    0, 0x00AF9A000000FFFFULL, 0x00CFF2000000FFFFULL, 0x00CFF2000000FFFFULL, 0x00AFFA000000FFFFULL,
};

/* Identity tables (uni.h): every canonical page present with 2 MiB pages, except the tables'
   own 2 MiB and Xen's range, of which only the 2 MiB holding the target's own pages is. */
static void uni_tables_build(uint64_t *t)
{
    uint64_t *l4 = t, *l3 = t + 512, *l2 = t + 1024, *l3b = t + 1536, *l2b = t + 2048,
             *l3x = t + 2560, *l2x = t + 3072;
    const uint64_t pde = 0x87;   /* present, writable, user, 2 MiB */
    const uint64_t ptr = 0x07;   /* present, writable, user */
    unsigned tl4 = (unsigned)((UNI_TABLES >> 39) & 511U), tl3 = (unsigned)((UNI_TABLES >> 30) & 511U),
             tl2 = (unsigned)((UNI_TABLES >> 21) & 511U);

    memset(t, 0, (size_t)UNI_TABLE_PAGES * PAGE_SIZE);
    for (unsigned i = 0; i < 512; i++) {
        l3[i] = (UNI_TABLES + 2U * PAGE_SIZE) | ptr;
        l2[i] = pde;
        l3b[i] = (UNI_TABLES + 2U * PAGE_SIZE) | ptr;
        l2b[i] = pde;
    }
    for (unsigned i = 0; i < 512; i++) {
        uint64_t va = (uint64_t)i << 39 | (i >= 256 ? 0xFFFF000000000000ULL : 0);
        if (va < XEN_VIRT_START || va >= XEN_VIRT_END)
            l4[i] = (UNI_TABLES + PAGE_SIZE) | ptr;
    }
    l4[tl4] = (UNI_TABLES + 3U * PAGE_SIZE) | ptr;
    l3b[tl3] = (UNI_TABLES + 4U * PAGE_SIZE) | ptr;
    l2b[tl2] = 0;
    l4[(UNI_OWN >> 39) & 511U] = (UNI_TABLES + 5U * PAGE_SIZE) | ptr;
    l3x[(UNI_OWN >> 30) & 511U] = (UNI_TABLES + 6U * PAGE_SIZE) | ptr;
    l2x[(UNI_OWN >> 21) & 511U] = pde;
}

/* Long mode with paging on the identity tables, then an iretq to CPL3 that lands on the
   sentinel: the context saved there is where every run starts. */
static int uni_boot(struct uni *u)
{
    uint8_t *boot = u->own + (UNI_BOOT - UNI_OWN);
    uc_x86_mmr gdtr = { .base = UNI_GDT, .limit = sizeof(uni_gdt) - 1U };
    uc_x86_msr efer = { .rid = 0xC0000080U, .value = 0x500 };   /* LME, LMA */
    uint64_t cr3 = UNI_TABLES, cr4 = 0x624, cr0 = 0x80010033ULL;   /* TSD, PAE, OSFXSR; PG, WP, PE */
    uint64_t rsp = UNI_STACKS + PAGE_SIZE - 64U, frame[5] = {
        UNI_SENTINEL, UNI_SEL_UCODE, 0x202, UNI_STACKS + PAGE_SIZE - 8U, UNI_SEL_UDATA,
    };
    uc_err e = UC_ERR_OK;

    memcpy(u->own + (UNI_GDT - UNI_OWN), uni_gdt, sizeof(uni_gdt));
    memcpy(u->own + (rsp - UNI_OWN), frame, sizeof(frame));
    boot[0] = 0x48;   /* iretq */
    boot[1] = 0xCF;
    e |= uc_reg_write(u->uc, UC_X86_REG_GDTR, &gdtr);
    e |= uc_reg_write(u->uc, UC_X86_REG_CR3, &cr3);
    e |= uc_reg_write(u->uc, UC_X86_REG_CR4, &cr4);
    e |= uc_reg_write(u->uc, UC_X86_REG_CR0, &cr0);
    e |= uc_reg_write(u->uc, UC_X86_REG_MSR, &efer);
    e |= uc_reg_write(u->uc, UC_X86_REG_RSP, &rsp);
    if (e != UC_ERR_OK || uc_emu_start(u->uc, UNI_BOOT, UNI_SENTINEL, 0, 0) != UC_ERR_OK)
        return -1;
    uint64_t cs = 0, rip = 0;
    uc_reg_read(u->uc, UC_X86_REG_CS, &cs);
    uc_reg_read(u->uc, UC_X86_REG_RIP, &rip);
    if (cs != UNI_SEL_UCODE || rip != UNI_SENTINEL)
        return -1;
    return uc_context_alloc(u->uc, &u->clean) == UC_ERR_OK &&
           uc_context_save(u->uc, u->clean) == UC_ERR_OK ? 0 : -1;
}

/* After the boot, guest code may use its stack and nothing else of the target's own pages:
   stubs, sentinel and GDT become read+execute (a store there is refused as unsupported), the
   stacks read+write. Otherwise a program's code could rewrite a stub for the programs after it. */
static int uni_own_protect(struct uni *u)
{
    size_t fixed = (size_t)(UNI_STACKS - UNI_OWN);

    return uc_mem_protect(u->uc, UNI_OWN, fixed, UC_PROT_READ | UC_PROT_EXEC) == UC_ERR_OK &&
           uc_mem_protect(u->uc, UNI_STACKS, (size_t)UNI_OWN_PAGES * PAGE_SIZE - fixed,
                          UC_PROT_READ | UC_PROT_WRITE) == UC_ERR_OK ? 0 : -1;
}

/* The engine alone: its aliases go with it (the monitor's state and the own pages stay). */
static void uni_engine_close(struct uni *u)
{
    if (u->clean)
        uc_context_free(u->clean);
    if (u->uc)
        uc_close(u->uc);
    u->clean = NULL;
    u->uc = NULL;
    for (unsigned i = 0; i < UNI_MAX_ALIASES; i++)
        u->alias[i].valid = u->alias[i].on = false;
    memset(u->slot, -1, sizeof(u->slot));
    u->alias_v = NULL;
}

static int uni_engine_open(struct uni *u)
{
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &u->uc) != UC_ERR_OK ||
        uc_mem_map_ptr(u->uc, UNI_OWN, (size_t)UNI_OWN_PAGES * PAGE_SIZE, UC_PROT_ALL, u->own) ||
        uc_mem_map_ptr(u->uc, UNI_TABLES, (size_t)UNI_TABLE_PAGES * PAGE_SIZE,
                       UC_PROT_READ | UC_PROT_WRITE, u->tables) ||
        uni_boot(u) < 0 || uni_own_protect(u) < 0 || uni_hooks_add(u) < 0 ||
        uni_cov_add(u) < 0)
        return -1;
    u->engine_programs = 0;
    return 0;
}

static void uni_close(struct target *t)
{
    struct uni *u = t->priv;

    if (!u)
        return;
    uni_engine_close(u);
    uni_mmu_free(u);
    target_close(&u->inner);
    free(u->own);
    free(u->tables);
    free(u);
    t->priv = NULL;
}

static int uni_open(struct target *t, const struct prog_shape *shape, const struct target_opts *o)
{
    struct uni *u = calloc(1, sizeof(*u));

    t->priv = u;
    if (!u)
        return -1;
    u->own = aligned_alloc(PAGE_SIZE, (size_t)UNI_OWN_PAGES * PAGE_SIZE);
    u->tables = aligned_alloc(PAGE_SIZE, (size_t)UNI_TABLE_PAGES * PAGE_SIZE);
    if (!u->own || !u->tables || target_open(&u->inner, &native_target_ops, shape, o) < 0) {
        uni_close(t);
        return -1;
    }
    u->n = u->inner.priv;
    uni_mmu_init(u);
    memset(u->own, 0, (size_t)UNI_OWN_PAGES * PAGE_SIZE);
    uni_stubs_write(u->own);
    memset(u->own + (UNI_SENTINEL - UNI_OWN), 0xF4, PAGE_SIZE);
    uni_tables_build((uint64_t *)u->tables);
    if (uni_engine_open(u) < 0) {
        uni_close(t);
        return -1;
    }
    return 0;
}

static int uni_reset(struct target *t)
{
    struct uni *u = t->priv;

    u->inner.opts = t->opts;
    u->inner.steps = 0;
    uni_mmu_off(u);   /* the monitor's TLBs go back to the snapshot's */
    if (u->inner.ops->reset(&u->inner) < 0)
        return -1;
    /* Unicorn 2.0.1 wears out: one engine asserted in tb_invalidate_phys_range after ~300,000
       programs of a fuzz --diff campaign (and crashed after ~80,000 in another), never when the
       program ran alone. A fresh engine every UNI_ENGINE_PROGRAMS keeps campaigns inside what
       was seen to work; the monitor and its snapshot are not touched, so results do not change. */
    if (++u->engine_programs >= UNI_ENGINE_PROGRAMS) {
        uni_engine_close(u);
        if (uni_engine_open(u) < 0)
            return -1;
    }
    memset(u->susp_valid, 0, sizeof(u->susp_valid));
    /* the stacks guest code used start empty again: no program reads another's leftovers */
    for (unsigned i = 0; i < HV_MAX_DOMAINS * HV_MAX_VCPUS; i++)
        if (u->stacks_used >> i & 1U)
            memset(u->own + (UNI_STACKS - UNI_OWN) + (size_t)i * PAGE_SIZE, 0, PAGE_SIZE);
    u->stacks_used = 0;
    u->hang_pending = false;
    u->v = NULL;
    return 0;
}

static bool uni_check(struct target *t, bool full, int op_index, struct finding *f)
{
    struct uni *u = t->priv;

    u->inner.opts = t->opts;
    if (u->hang_pending) {
        memset(f, 0, sizeof(*f));
        f->oracle = ORACLE_HANG;
        f->op_index = u->hang_op;
        snprintf(f->signature, sizeof(f->signature), "%s", FINDING_GUEST_HANG);
        snprintf(f->detail, sizeof(f->detail),
                 "guest code ran past its instruction budget (op %d)", u->hang_op);
        u->hang_pending = false;
        return true;
    }
    return native_check(&u->inner, full, op_index, f);
}

static void uni_state_features(const struct target *t, void (*f)(uint32_t, void *), void *arg)
{
    const struct uni *u = t->priv;

    native_state_features(&u->inner, f, arg);
}

const struct target_ops unicorn_target_ops = {
    .name = "unicorn",
    .description = "the reference monitor with guest code run at CPL3 in Unicorn (shadow MMU)",
    .open = uni_open,
    .reset = uni_reset,
    .run_op = uni_run_op,
    .check = uni_check,
    .close = uni_close,
    .state_features = uni_state_features,
};
