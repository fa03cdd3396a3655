/* vcpu_op conformance: up/down/is_up/initialise and the timers on the caller's own vCPUs and their errors. */
#include "conformance.h"

/*
 * Rows run on dom1 (2 vCPUs: vCPU 0 up, vCPU 1 initialised but down). A row may first make
 * vCPU 1 uninitialised (as a never-started vCPU would be) or bring it up.
 */
enum vo_prep { VO_PREP_NONE = 0, VO_PREP_UNINIT, VO_PREP_UP1 };
enum vo_state { VO_UNCHECKED = 0, VO_DOWN, VO_UP };
/* VO_ARG_DATA: the first data page, zero, with the next one mapped after it (room for a whole
   vcpu_guest_context, whose first 8 bytes the model reads as the L4's gfn: 0); VO_ARG_L4_LAST:
   the L4's gfn at the start of the domain's last page (a context from there runs off the end) */
enum vo_arg { VO_ARG_NONE = 0, VO_ARG_L4_GFN, VO_ARG_BAD_GFN, VO_ARG_UNMAPPED, VO_ARG_VALUE,
              VO_ARG_DATA, VO_ARG_L4_LAST };

struct vo_row {
    uint32_t cmd;
    uint64_t vcpu;
    enum vo_prep prep;
    enum vo_arg arg;
    uint64_t value;             /* VO_ARG_VALUE: the first 8 bytes of the argument (a time) */
    long expect;
    int  up1_after;            /* expected vCPU 1 state after: VO_UP, VO_DOWN, 0 not checked */
    bool shutdown_after;       /* the domain powered off (last vCPU down) */
};

static void vo_run(struct conf_ctx *c)
{
    const struct vo_row *r = c->data;
    struct vcpu *v1 = dom_vcpu(c->d1, 1);
    if (!v1) {
        CONF_ERROR(c, "dom1 has no vCPU 1");
        return;
    }
    if (r->prep == VO_PREP_UNINIT)
        v1->initialised = false;    /* keeps its base pointer: initialise replaces it */
    if (r->prep == VO_PREP_UP1)
        CONF_SETUP(c, conf_hc(c, c->v1, HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0, 0, 0));

    gva_t arg = 0;
    if (r->arg == VO_ARG_L4_GFN || r->arg == VO_ARG_BAD_GFN || r->arg == VO_ARG_L4_LAST) {
        uint64_t gfn = r->arg == VO_ARG_BAD_GFN ? HV_MAX_GFNS + 5 : DOM_GFN_L4;
        arg = r->arg == VO_ARG_L4_LAST ? DOM_VA(CONF_DOM_PAGES - 1) : conf_scratch(c, c->d1, 0);
        if (conf_put(c, c->v1, arg, &gfn, sizeof(gfn)) < 0)
            return;
    } else if (r->arg == VO_ARG_VALUE) {
        const uint64_t set[2] = { r->value, 0 };
        arg = conf_scratch(c, c->d1, 0);
        if (conf_put(c, c->v1, arg, set, sizeof(set)) < 0)
            return;
    } else if (r->arg == VO_ARG_UNMAPPED) {
        arg = DOM_VA(CONF_DOM_PAGES + 3);
    } else if (r->arg == VO_ARG_DATA) {
        arg = DOM_VA(DOM_FIRST_DATA_GFN(CONF_DOM_PAGES));
    }

    /* VCPUOP_down of vCPU 0 stops the caller itself: later hypercalls must come from elsewhere */
    long rc = conf_hc(c, c->v1, HYPERVISOR_vcpu_op, r->cmd, r->vcpu, arg, 0, 0);
    CONF_EXPECT_EQ(c, r->expect, rc);
    if (r->up1_after != VO_UNCHECKED)
        CONF_EXPECT_EQ(c, r->up1_after == VO_UP, v1->up);
    CONF_EXPECT_EQ(c, r->shutdown_after, c->d1->shutdown);
    if (r->shutdown_after)
        CONF_EXPECT_EQ(c, SHUTDOWN_poweroff, c->d1->shutdown_reason);
    if (r->cmd == VCPUOP_initialise && r->expect == 0) {
        CONF_EXPECT(c, v1->initialised);
        CONF_EXPECT_EQ(c, c->d1->p2m[DOM_GFN_L4], v1->guest_table);
    }
}

#define VO(...) (&(const struct vo_row){ __VA_ARGS__ })
static const struct conf_case vo_cases[] = {
    { "is_up_running_vcpu", vo_run, VO(.cmd = VCPUOP_is_up, .vcpu = 0, .expect = 1) },
    { "is_up_down_vcpu", vo_run, VO(.cmd = VCPUOP_is_up, .vcpu = 1, .expect = 0) },
    { "up_initialised_vcpu", vo_run, VO(.cmd = VCPUOP_up, .vcpu = 1, .up1_after = VO_UP) },
    { "up_twice_is_harmless", vo_run, VO(.cmd = VCPUOP_up, .vcpu = 1, .prep = VO_PREP_UP1,
      .up1_after = VO_UP) },
    { "down_other_vcpu", vo_run, VO(.cmd = VCPUOP_down, .vcpu = 1, .prep = VO_PREP_UP1,
      .up1_after = VO_DOWN) },
    { "down_last_vcpu_powers_off", vo_run, VO(.cmd = VCPUOP_down, .vcpu = 0, .up1_after = VO_DOWN,
      .shutdown_after = true) },
    { "up_uninitialised_einval", vo_run, VO(.cmd = VCPUOP_up, .vcpu = 1, .prep = VO_PREP_UNINIT,
      .expect = -XEN_EINVAL, .up1_after = VO_DOWN) },
    { "vcpu_id_past_nr_enoent", vo_run, VO(.cmd = VCPUOP_up, .vcpu = 2, .expect = -XEN_ENOENT) },
    { "vcpu_id_past_max_enoent", vo_run, VO(.cmd = VCPUOP_is_up, .vcpu = HV_MAX_VCPUS + 100,
      .expect = -XEN_ENOENT) },
    { "unknown_cmd_enosys", vo_run, VO(.cmd = 77, .vcpu = 0, .expect = -XEN_ENOSYS) },
    { "periodic_timer_1ms", vo_run, VO(.cmd = VCPUOP_set_periodic_timer, .vcpu = 0,
      .arg = VO_ARG_VALUE, .value = 1000000) },
    { "periodic_timer_other_vcpu", vo_run, VO(.cmd = VCPUOP_set_periodic_timer, .vcpu = 1,
      .arg = VO_ARG_VALUE, .value = 1000000) },
    { "periodic_timer_below_1ms_einval", vo_run, VO(.cmd = VCPUOP_set_periodic_timer,
      .vcpu = 0, .arg = VO_ARG_VALUE, .value = 999999, .expect = -XEN_EINVAL) },
    { "periodic_timer_past_max_einval", vo_run, VO(.cmd = VCPUOP_set_periodic_timer,
      .vcpu = 0, .arg = VO_ARG_VALUE, .value = 1ULL << 62, .expect = -XEN_EINVAL) },
    { "periodic_timer_unmapped_efault", vo_run, VO(.cmd = VCPUOP_set_periodic_timer,
      .vcpu = 0, .arg = VO_ARG_UNMAPPED, .expect = -XEN_EFAULT) },
    { "stop_periodic_timer", vo_run, VO(.cmd = VCPUOP_stop_periodic_timer, .vcpu = 1) },
    { "singleshot_timer_past_fires_now", vo_run, VO(.cmd = VCPUOP_set_singleshot_timer,
      .vcpu = 0, .arg = VO_ARG_VALUE, .value = 0) },
    { "singleshot_timer_other_vcpu_einval", vo_run, VO(.cmd = VCPUOP_set_singleshot_timer,
      .vcpu = 1, .arg = VO_ARG_VALUE, .value = 0, .expect = -XEN_EINVAL) },
    { "singleshot_timer_unmapped_efault", vo_run, VO(.cmd = VCPUOP_set_singleshot_timer,
      .vcpu = 0, .arg = VO_ARG_UNMAPPED, .expect = -XEN_EFAULT) },
    { "stop_singleshot_timer", vo_run, VO(.cmd = VCPUOP_stop_singleshot_timer, .vcpu = 0) },
    { "stop_singleshot_other_vcpu_einval", vo_run, VO(.cmd = VCPUOP_stop_singleshot_timer,
      .vcpu = 1, .expect = -XEN_EINVAL) },
    /* Xen copies the whole 5168-byte context first: from the last page it runs off the end */
    { "initialise_context_past_end_efault", vo_run, VO(.cmd = VCPUOP_initialise, .vcpu = 1,
      .arg = VO_ARG_L4_LAST, .expect = -XEN_EFAULT) },
    { "initialise_initialised_eexist", vo_run, VO(.cmd = VCPUOP_initialise, .vcpu = 1,
      .arg = VO_ARG_DATA, .expect = -XEN_EEXIST) },
    { "initialise_with_l4", vo_run, VO(.cmd = VCPUOP_initialise, .vcpu = 1,
      .prep = VO_PREP_UNINIT, .arg = VO_ARG_L4_GFN, .up1_after = VO_DOWN) },
    { "initialise_bad_gfn_einval", vo_run, VO(.cmd = VCPUOP_initialise, .vcpu = 1,
      .prep = VO_PREP_UNINIT, .arg = VO_ARG_BAD_GFN, .expect = -XEN_EINVAL) },
    { "initialise_unmapped_efault", vo_run, VO(.cmd = VCPUOP_initialise, .vcpu = 1,
      .prep = VO_PREP_UNINIT, .arg = VO_ARG_UNMAPPED, .expect = -XEN_EFAULT) },
};
CONF_AREA("vcpu_op", vo_cases)
