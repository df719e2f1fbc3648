/*
 * The auxiliary vector's entry types (the a_type of each {type, value}
 * pair after envp on the initial stack), with the values of the System V
 * ABI and Linux x86_64. Written from the documented interface.
 */
#pragma once

#define AT_NULL 0		/* the end of the vector */
#define AT_IGNORE 1
#define AT_EXECFD 2
#define AT_PHDR 3		/* the program headers in memory */
#define AT_PHENT 4		/* the size of one program header */
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7		/* the interpreter's load address */
#define AT_FLAGS 8
#define AT_ENTRY 9		/* the program's entry point */
#define AT_NOTELF 10
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15		/* a string: "x86_64" */
#define AT_HWCAP 16		/* CPUID leaf 1 EDX on x86 */
#define AT_CLKTCK 17		/* times(2) ticks per second */
#define AT_SECURE 23		/* set-id program: 1 */
#define AT_BASE_PLATFORM 24
#define AT_RANDOM 25		/* 16 random bytes */
#define AT_HWCAP2 26
#define AT_RSEQ_FEATURE_SIZE 27
#define AT_RSEQ_ALIGN 28
#define AT_EXECFN 31		/* the path given to execve */
#define AT_SYSINFO_EHDR 33	/* the vDSO (Amphi has none) */
#define AT_MINSIGSTKSZ 51	/* the smallest signal stack */
