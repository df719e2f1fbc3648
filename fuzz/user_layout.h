/*
 * The user memory every task a harness runs has (fuzz/tasks.c maps it for
 * init; fork copies it): arguments' bytes, a read-only page and a
 * PROT_NONE page to point at, and a stack. Constants only.
 */
#pragma once

#define FUZZ_DATA 0x20000000ULL	/* read-write: arguments' bytes */
#define FUZZ_DATA_SIZE 0x4000ULL
#define FUZZ_RO (FUZZ_DATA + FUZZ_DATA_SIZE)	/* one read-only page */
#define FUZZ_NONE (FUZZ_RO + 0x1000ULL)	/* one PROT_NONE page */
#define FUZZ_STACK_TOP 0x30000000ULL	/* 16 KiB of stack below */
#define FUZZ_STACK_SIZE 0x4000ULL
