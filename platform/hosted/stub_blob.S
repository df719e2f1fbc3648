/* The stub program (stub/stub.c), linked into the kernel as bytes. */
	.section .rodata
	.balign 16
	.globl hosted_stub_image
hosted_stub_image:
	.incbin STUB_IMAGE_PATH
	.globl hosted_stub_image_end
hosted_stub_image_end:
	.section .note.GNU-stack, "", @progbits
