/* The program expect_planted and diff_planted both run: an op of every kind of result on the native target. */
#ifndef HVFUZZ_TESTS_PLANTED_OPS_H
#define HVFUZZ_TESTS_PLANTED_OPS_H

/* a hypercall's value, a write and its read back, a faulting read, a payload write-back, an
   exit's action and injected #GP, a preempted batch's status (the rows index these ops) */
static const char planted_ops_text[] =
    "shape frames=256 domains=3 vcpus=2 pages=64\n"
    "hypercall d1 v0 xen_version(0, 0)\n"
    "guest_write d1 v0 gva(d1,g3,+0) size=8\n"
    "guest_read d1 v0 gva(d1,g3,+0) size=8\n"
    "guest_read d1 v0 0x10000 size=8\n"
    "hypercall d1 v0 event_channel_op(6, payload+0) payload=hex:0100020000000000\n"
    "exit d1 v0 msr_write qual=0 gla=0 rax=0x5555000000000000 rcx=0xc0010117 "
    "rdx=0x5555000000000000 rip=0x40001000 rflags=514 insn=0fa2\n"
    "preempt 0xffffffffffffffff\n"
    "hypercall d1 v0 memory_op(0, payload+0) payload=hex:000000000000000003000000000000000000000000000000f07f000000000000\n";

#endif
