/*
 * Internal interface of the hosted platform (Amphi as a Linux process).
 * Shared by its files and by unit tests that set up a kernel in-process.
 * Host headers only besides core/hal; never core UAPI headers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hal/boot.h"
#include "core/hal/cpu.h"

/*
 * User space ends here (hal_user_limit): the ptrace runner's stub, its
 * stack and whatever else the host gives a process live above.
 */
#define HOSTED_USER_LIMIT 0x00007f0000000000ULL

#define HOSTED_MEM_DEFAULT (256ULL << 20)
#define HOSTED_MEM_MIN (16ULL << 20)
#define HOSTED_MEM_MAX (64ULL << 30)

struct hosted_options {
	uint64_t mem_bytes;
	unsigned int cpus;
	bool virtual_clock;		/* --clock virtual */
	const char *initrd_path;	/* NULL: no initrd */
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;
	bool show_help;
	bool show_version;
};

/*
 * Parses the command line of build/hosted/amphi. Returns 0, or -1 with a
 * one-line message (no newline) in `error`.
 */
int hosted_parse_options(int argc, char **argv, struct hosted_options *options,
			 char *error, size_t error_size);

/* Parses "256M", "1G", "65536K", "512" (MiB, as QEMU's -m). Returns 0 or -1. */
int hosted_parse_size(const char *text, uint64_t *bytes);

/* The --help text. */
extern const char hosted_usage[];

/*
 * Creates the machine's RAM: a memfd of `bytes`, mapped once. Returns 0 or
 * a negative errno. hosted_ram_destroy undoes it (tests).
 */
int hosted_ram_create(uint64_t bytes);
void hosted_ram_destroy(void);
uint64_t hosted_ram_size(void);
/* The RAM memfd (close-on-exec), for the user runner's windows. */
int hosted_ram_fd(void);

/*
 * Fills `boot_info` for a machine with the created RAM: the memory map, the
 * reserved null page, the command line, and the initrd (loaded at the top
 * of RAM). Returns 0, or -1 with a one-line message in `error`.
 */
int hosted_boot_info_init(struct boot_info *boot_info,
			  const struct hosted_options *options, char *error,
			  size_t error_size);

/* Sets up `count` simulated CPUs (CPU 0 is the calling thread). */
void hosted_cpus_init(unsigned int count);
unsigned int hosted_cpu_count(void);

/* Per-host-thread CPU state; call on each host thread that acts as a CPU. */
void hosted_cpu_thread_init(unsigned int cpu);

/*
 * For the user runner, which waits for a host child on behalf of the
 * calling CPU. hosted_cpu_wait_user sleeps until *done (read atomically)
 * becomes true, returning true, or, when `interruptible`, until an
 * interrupt is due (a pending vector or the timer deadline), returning
 * false. hosted_cpu_wake wakes such a wait on `cpu` after its *done was
 * set. hosted_cpu_take_interrupts raises an expired timer, then delivers
 * what is pending if interrupts are enabled; returns the highest vector
 * that was pending, or -1.
 */
bool hosted_cpu_wait_user(const bool *done, bool interruptible);
void hosted_cpu_wake(unsigned int cpu);
int hosted_cpu_take_interrupts(void);

/* Records the stack the calling CPU now runs on (for hal_stack_bounds). */
void hosted_cpu_set_stack(uintptr_t low, uintptr_t high);

/* Loads the symbol table of /proc/self/exe for hal_symbolize. */
void hosted_symbols_init(void);

/*
 * Starts the monotonic clock at zero; `virtual_clock` selects deterministic
 * virtual time (advanced only by hosted_clock_advance_to when idle).
 */
void hosted_clock_init(bool virtual_clock);
bool hosted_clock_is_virtual(void);
void hosted_clock_advance_to(uint64_t ns);

/* The host CLOCK_MONOTONIC time of kernel monotonic time `ns`. */
uint64_t hosted_clock_to_host_ns(uint64_t ns);
