/* The first link's symbol table: empty (see ksyms.sh). */
	.section .ksyms, "a"
	.balign 8
	.globl ksym_table, ksym_count, ksym_names
ksym_count:
	.quad 0
ksym_table:
ksym_names:
	.byte 0
