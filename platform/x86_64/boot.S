/*
 * The first instructions. Two loaders reach us in 32-bit protected mode
 * with paging off: QEMU/Xen through the PVH ELF note (EBX = physical
 * address of struct hvm_start_info) and GRUB through the multiboot2 header
 * (EAX = magic, EBX = physical address of the boot information). Both end
 * in boot_common32, which clears .bss, builds the early page tables (the
 * first 4 GiB identity-mapped, at the direct map, and the kernel image at
 * KERNEL_VMA, all with 2 MiB pages), enters long mode and calls
 * x86_boot_main(protocol, info) in the higher half on the boot stack.
 *
 * Code here runs before paging, at physical addresses: every absolute
 * reference is written `symbol - KERNEL_VMA`.
 */
#include "layout.h"

#define PHYS(symbol) ((symbol) - KERNEL_VMA)
#define PTE_PW 0x3			/* present, writable */
#define PTE_PW_HUGE 0x83		/* present, writable, 2 MiB */
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CR4_PAE (1 << 5)
#define CR0_PE_PG 0x80000001
#define COM1 0x3f8

/* Multiboot2 header: magic, architecture 0 (i386), length, checksum, tags. */
	.section .multiboot2, "a"
	.balign 8
multiboot2_header:
	.long 0xe85250d6
	.long 0
	.long multiboot2_header_end - multiboot2_header
	.long 0x100000000 - (0xe85250d6 + (multiboot2_header_end - multiboot2_header))
	.balign 8			/* entry address tag (type 3) */
	.word 3, 0
	.long 12
	.long PHYS(boot_entry_multiboot2)
	.balign 8			/* end tag */
	.word 0, 0
	.long 8
multiboot2_header_end:

/* PVH: XEN_ELFNOTE_PHYS32_ENTRY (18) names the 32-bit physical entry. */
	.section .note.Xen, "a"
	.balign 4
	.long 4				/* name size: "Xen\0" */
	.long 8				/* descriptor size */
	.long 18
	.asciz "Xen"
	.balign 4
	.quad PHYS(boot_entry_pvh)

	.section .boot.text, "ax"
	.code32
	.globl boot_entry_pvh
boot_entry_pvh:
	movl $BOOT_PROTOCOL_PVH, %esi
	jmp boot_common32

	.globl boot_entry_multiboot2
boot_entry_multiboot2:
	movl $BOOT_PROTOCOL_MULTIBOOT2, %esi
	cmpl $MULTIBOOT2_BOOTLOADER_MAGIC, %eax
	je boot_common32
	movl $BOOT_PROTOCOL_NONE, %esi	/* unknown loader: no boot info */

boot_common32:
	cli
	cld
	movl %ebx, %ebp			/* the loader's info, kept in ebp */

	/* .bss is not in the file; some loaders leave it dirty. */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl $PHYS(boot_stack_top), %esp

	/* Long mode and NX are required: CPUID 0x80000001 EDX bits 29, 20. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	testl $(1 << 20), %edx
	jz no_long_mode

	/* 2048 2 MiB pages: physical 0..4 GiB. */
	movl $PHYS(boot_pd), %edi
	movl $PTE_PW_HUGE, %eax
	movl $2048, %ecx
1:	movl %eax, (%edi)
	movl $0, 4(%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	/* One PDPT for identity and direct map: entries 0..3 -> the 4 PDs. */
	movl $PHYS(boot_pdpt_low), %edi
	movl $(PHYS(boot_pd) + PTE_PW), %eax
	movl $4, %ecx
2:	movl %eax, (%edi)
	addl $0x1000, %eax
	addl $8, %edi
	loop 2b
	/* KERNEL_VMA is PML4 511, PDPT 510: the first GiB. */
	movl $(PHYS(boot_pd) + PTE_PW), PHYS(boot_pdpt_high) + 510 * 8
	movl $(PHYS(boot_pdpt_low) + PTE_PW), PHYS(boot_pml4)
	movl $(PHYS(boot_pdpt_low) + PTE_PW), PHYS(boot_pml4) + 256 * 8
	movl $(PHYS(boot_pdpt_high) + PTE_PW), PHYS(boot_pml4) + 511 * 8

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PE_PG, %eax
	movl %eax, %cr0
	lgdt PHYS(boot_gdt_pointer)
	ljmp $GDT_KERNEL_CODE, $PHYS(boot_long_mode)

/* Prints a fixed message on COM1 and stops: we cannot run on this CPU. */
no_long_mode:
	movl $PHYS(no_long_mode_message), %esi
3:	lodsb
	testb %al, %al
	jz 5f
	movw $(COM1 + 5), %dx
	movb %al, %bl
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movb %bl, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp 3b
5:	hlt
	jmp 5b

	.code64
boot_long_mode:
	movl $GDT_KERNEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_higher_half, %rax
	jmp *%rax

	.text
boot_higher_half:
	movabsq $boot_stack_top, %rsp
	movl %esi, %edi			/* protocol */
	movl %ebp, %esi			/* loader info, physical */
	xorl %ebp, %ebp			/* ends the frame-pointer chain */
	call x86_boot_main
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_long_mode_message:
	.asciz "amphi: this CPU has no long mode or no NX: cannot boot\r\n"

	.balign 8
boot_gdt:				/* the selectors of layout.h */
	.quad 0
	.quad 0				/* 0x08: unused */
	.quad 0x00af9a000000ffff	/* 0x10: 64-bit kernel code */
	.quad 0x00cf92000000ffff	/* 0x18: kernel data */
boot_gdt_end:
boot_gdt_pointer:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
	.globl boot_pdpt_low
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
	.globl boot_pd
boot_pd:
	.skip 4 * 4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
