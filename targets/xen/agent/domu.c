/* The page dom0 and each domU share: dom0's calls into a domU, the domU's loop answering them. */
#include "targets/xen/agent/agent.h"
#include "targets/xen/agent/xen417.h"

union domu_box_page domu_box __attribute__((aligned(4096)));
_Static_assert(sizeof(struct domu_box) <= PAGE_SIZE, "the shared page holds one box");

/* dom0's mappings of the domUs' boxes: pages of its own image, remapped once at build time. */
static uint8_t domu_window[AGENT_MAX_DOMS][PAGE_SIZE] __attribute__((aligned(4096)));
#define DOMU_CHECK_SPINS 4096U      /* yields between two looks at whether the domU still lives */

/* domUs that died this boot (a program of dom0's can take a domU's frames or kill it): their
   ops are refused until the host restores the machine, which the taint asks for */
static bool domu_lost[AGENT_MAX_DOMS];

bool domu_exists(unsigned dom)
{
    return dom > 0 && dom < agent_nr_doms && agent_dom == 0 && !domu_lost[dom];
}

static void domu_lose(struct agent_run *r, unsigned dom, const char *text)
{
    char why[sizeof(r->why)] = "d?: ";
    size_t n = 4;

    why[1] = (char)('0' + dom);
    for (size_t k = 0; text[k] && n < sizeof(why) - 1; k++)
        why[n++] = text[k];
    why[n] = 0;
    domu_lost[dom] = true;
    agent_taint(r, why);
}

struct domu_box *domu_peer(unsigned dom)
{
    return (struct domu_box *)domu_window[dom % AGENT_MAX_DOMS];
}

void domu_map(unsigned dom, uint64_t box_mfn)
{
    if (hc(HYPERVISOR_update_va_mapping_otherdomain, (uint64_t)domu_window[dom],
           box_mfn << PAGE_SHIFT | AGENT_PT_RW, AGENT_UVMF_INVLPG, dom, 0) != 0)
        agent_die("mapping a domU's shared page failed");
}

/* The domain is gone or shut down (a domU crash is Xen's domain_crash: it never answers). */
static bool domu_gone(unsigned dom)
{
    static struct xen417_domctl d;

    memset(&d, 0, sizeof(d));
    d.cmd = XEN_DOMCTL_getdomaininfo;
    d.interface_version = XEN417_DOMCTL_VERSION;
    d.domain = (uint16_t)dom;
    if (hc(HYPERVISOR_domctl, (uint64_t)&d, 0, 0, 0, 0) != 0)
        return true;
    return (d.u.getdomaininfo.flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown)) != 0;
}

/*
 * Between the programs that have it, a domU is paused by dom0: awake it would spin on its
 * box, and every yield of dom0's (it polls the console for the next program) would hand the
 * CPU to it. A program whose shape has the domain finds it unpaused, as the model's domains are.
 */
bool domu_pause(unsigned dom, bool pause)
{
    static struct xen417_domctl d;

    if (domu_lost[dom])
        return false;
    memset(&d, 0, sizeof(d));
    d.cmd = pause ? XEN_DOMCTL_pausedomain : XEN_DOMCTL_unpausedomain;
    d.interface_version = XEN417_DOMCTL_VERSION;
    d.domain = (uint16_t)dom;
    return hc(HYPERVISOR_domctl, (uint64_t)&d, 0, 0, 0, 0) == 0;
}

/*
 * dom0 hands the domU a command and yields until it is answered. There is one physical CPU and
 * the domU polls its box between yields of its own, so each yield lets it run; no event channel
 * is needed (and none is spent that a program might count). False when the domU died instead
 * (its agent said why in its box, or Xen crashed or shut it down): the program is tainted.
 */
bool domu_call(struct agent_run *r, unsigned dom, enum domu_cmd cmd)
{
    struct domu_box *b = domu_peer(dom);
    uint32_t req = b->req + 1U;

    if (domu_lost[dom])
        return false;
    b->cmd = cmd;
    __atomic_store_n(&b->req, req, __ATOMIC_RELEASE);
    for (unsigned i = 1; __atomic_load_n(&b->ack, __ATOMIC_ACQUIRE) != req; i++) {
        if (b->dead) {
            char text[sizeof(b->text)];
            memcpy(text, b->text, sizeof(text));
            text[sizeof(text) - 1] = 0;
            domu_lose(r, dom, text);
            return false;
        }
        if (i % DOMU_CHECK_SPINS == 0 && domu_gone(dom)) {
            domu_lose(r, dom, "crashed or shut down");
            return false;
        }
        hc(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
    }
    return true;
}

/* A domU's other vCPU, if a program brings it up: it has nothing to do but give its time back. */
uint8_t domu_park_stack[PAGE_SIZE] __attribute__((aligned(16)));

void domu_park(void)
{
    for (;;)
        hc(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
}

/* A domU that cannot go on says why in its box (it has no console) and waits to be restored. */
void domu_die(const char *text)
{
    struct domu_box *b = &domu_box.b;
    size_t n = strlen(text);

    if (n >= sizeof(b->text))
        n = sizeof(b->text) - 1;
    memcpy(b->text, text, n);
    b->text[n] = 0;
    __atomic_store_n(&b->dead, 1U, __ATOMIC_RELEASE);
    for (;;)
        hc(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
}

/* The domU's side: one program's state at a time, its ops run as dom0 runs its own. */
void domu_serve(void)
{
    static struct agent_run r;
    static struct prog_shape shape;
    struct domu_box *b = &domu_box.b;
    uint32_t seen = 0, prog = 0;
    bool entered = false;

    __atomic_store_n(&b->hello, 1U, __ATOMIC_RELEASE);
    for (;;) {
        while (__atomic_load_n(&b->req, __ATOMIC_ACQUIRE) == seen)
            hc(HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
        seen = b->req;
        if (!entered || b->prog != prog) {
            memset(&r, 0, sizeof(r));
            shape = b->shape;
            r.shape = &shape;
            baseline_enter(&shape);
            prog = b->prog;
            entered = true;
        }
        switch (b->cmd) {
        case DOMU_OP:
            run_op(&r, &b->op, &b->res, b->out, &b->out_len);
            break;
        case DOMU_RESTORE:
            b->state = baseline_restore(&r);
            b->tainted = r.tainted;
            memcpy(b->why, r.why, sizeof(b->why));
            break;
        default:
            break;
        }
        __atomic_store_n(&b->ack, seen, __ATOMIC_RELEASE);
    }
}
