/* The agent's entry, ELF notes, hypercall page, trap entries and fault-safe guest accesses. */

/* One Xen ELF note (name "Xen") whose descriptor is a string, or a 64-bit value. */
.macro xen_note_begin type:req
    .pushsection .note.Xen, "a", @note
    .p2align 2
    .long 4
    .long 2f - 1f
    .long \type
    .asciz "Xen"
    .p2align 2
1:
.endm
.macro xen_note_end
2:  .p2align 2
    .popsection
.endm
.macro xen_note_str type:req, str:req
    xen_note_begin \type
    .asciz "\str"
    xen_note_end
.endm
.macro xen_note_quad type:req, value:req
    xen_note_begin \type
    .quad \value
    xen_note_end
.endm

/* Note types and values: public/elfnote.h's numbers, the strings targets.md lists. The image is
   linked at AGENT_BASE and says so as its virtual base and physical offset, so pseudo-physical
   page 0 is the image's first page (agent.lds). */
#define AGENT_BASE 0x400000
    xen_note_str 6, hvfuzz-agent
    xen_note_str 7, 1
    xen_note_str 5, xen-3.0
    xen_note_str 8, generic
    xen_note_str 9, yes
    xen_note_str 10, !writable_page_tables|pae_pgdir_above_4gb
    xen_note_quad 3, AGENT_BASE
    xen_note_quad 4, AGENT_BASE
    xen_note_quad 1, _start
    xen_note_quad 2, hypercall_page

    .section .text.head, "ax"
    .globl _start
_start:
    cld
    lea agent_stack_top(%rip), %rsp
    mov %rsi, %rdi              /* start_info */
    call agent_main
1:  jmp 1b

/* Xen fills this page with 32-byte stubs, one per hypercall number. */
    .p2align 12
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc

/* The iret hypercall's stub: jumped to (it does not return) with the frame Xen's iret wants. */
#define HC_IRET (hypercall_page + 23 * 32)

/*
 * A fault in the agent arrives on its stack as rcx, r11, [error code], rip, cs, rflags, rsp, ss
 * (64-bit PV). #PF and #GP raised by an access inside [agent_access_start, agent_access_end)
 * resume at agent_access_fixup with the vector and error code noted; any other trap is fatal.
 */
.macro trap_err vec:req
    .globl trap_\vec
trap_\vec:
    push $\vec
    jmp trap_with_error
.endm
.macro trap_noerr vec:req
    .globl trap_\vec
trap_\vec:
    push $0                     /* no error code: the frames then look alike */
    push $\vec
    jmp trap_fatal_noerr
.endm

    .text
    trap_err 13
    trap_err 14
    trap_err 8
    trap_err 10
    trap_err 11
    trap_err 12
    trap_err 17
    trap_noerr 0
    trap_noerr 1
    trap_noerr 3
    trap_noerr 4
    trap_noerr 5
    trap_noerr 6
    trap_noerr 7
    trap_noerr 16
    trap_noerr 19

/* stack: vec, rcx, r11, err, rip, cs, rflags, rsp, ss */
trap_with_error:
    push %rax                   /* rax, vec, rcx, r11, err, rip */
    mov 40(%rsp), %rax
    cmp $agent_access_start, %rax
    jb 1f
    cmp $agent_access_end, %rax
    jae 1f
    mov 8(%rsp), %rax
    mov %rax, agent_fault_vec(%rip)
    mov 32(%rsp), %rax
    mov %rax, agent_fault_code(%rip)
    movq $agent_access_fixup, 40(%rsp)
    pop %rax
    add $8, %rsp                /* the vector */
    pop %rcx
    pop %r11                    /* err, rip, cs, rflags, rsp, ss: err becomes iret's flags */
    movq $0, (%rsp)
    jmp HC_IRET
1:  pop %rax
    /* fall through: the same frame as a trap without error code had */
trap_fatal_noerr:
    mov 0(%rsp), %rdi           /* vector */
    mov 32(%rsp), %rsi          /* rip */
    mov 24(%rsp), %rdx          /* error code */
    and $-16, %rsp
    call agent_trap_fatal
2:  jmp 2b

/* The accesses guest_read and guest_write ops make: the first instruction faults or nothing. */
    .globl agent_access_start, agent_access_end
    .globl agent_read8, agent_read16, agent_read32, agent_read64
    .globl agent_write8, agent_write16, agent_write32, agent_write64
agent_access_start:
agent_read8:
    movzbl (%rdi), %eax
    ret
agent_read16:
    movzwl (%rdi), %eax
    ret
agent_read32:
    movl (%rdi), %eax
    ret
agent_read64:
    movq (%rdi), %rax
    ret
agent_write8:
    movb %sil, (%rdi)
    ret
agent_write16:
    movw %si, (%rdi)
    ret
agent_write32:
    movl %esi, (%rdi)
    ret
agent_write64:
    movq %rsi, (%rdi)
    ret
agent_access_end:
/* The faulting access's caller gets control back: rsp is as the access left it. */
agent_access_fixup:
    xor %eax, %eax
    ret

    .section .bss
    .p2align 12
    .skip 65536
    .globl agent_stack_top      /* a domU starts on its own copy (build.c) */
agent_stack_top:
    .section .note.GNU-stack, "", @progbits
