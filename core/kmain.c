/*
 * kmain: the boot sequence. Each step is a row in boot_steps; a step that
 * fails with a negative errno stops the boot with a panic, because the
 * kernel cannot run without it. Runs once, on the boot CPU.
 */
#include "core/kmain.h"

#include "core/bench/bench.h"
#include "core/hal/cpu.h"
#include "core/include/uapi/errno.h"
#include "core/cpu/call.h"
#include "core/lib/cmdline.h"
#include "core/lib/config.h"
#include "core/lib/panic.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/proc/proc.h"
#include "core/sched/thread.h"
#include "core/sched/sched.h"
#include "core/selftest/selftest.h"
#include "fs/rootfs.h"

static const struct boot_info *boot_info;

struct boot_step {
	const char *name;
	int (*run)(const struct boot_info *boot_info);
};

const struct boot_info *kboot_info(void)
{
	return boot_info;
}

static const char *memory_type_name(enum boot_mem_type type)
{
	switch (type) {
	case BOOT_MEM_USABLE: return "usable";
	case BOOT_MEM_RESERVED: return "reserved";
	case BOOT_MEM_ACPI_RECLAIMABLE: return "ACPI data";
	case BOOT_MEM_ACPI_NVS: return "ACPI NVS";
	case BOOT_MEM_BAD: return "unusable";
	}
	return "unknown";
}

void kmain_print_memory_map(const struct boot_info *info)
{
	pr_info("Physical RAM map:");
	for (unsigned int i = 0; i < info->memory_count; i++) {
		const struct boot_mem_region *m = &info->memory[i];

		pr_info("  [mem 0x%016llx-0x%016llx] %s",
			(unsigned long long)m->base,
			(unsigned long long)(m->base + m->length - 1),
			memory_type_name(m->type));
	}
	for (unsigned int i = 0; i < info->reserved_count; i++) {
		const struct boot_mem_region *r = &info->reserved[i];

		pr_info("  [mem 0x%016llx-0x%016llx] in use at boot",
			(unsigned long long)r->base,
			(unsigned long long)(r->base + r->length - 1));
	}
}

void kmain_print_memory_summary(void)
{
	struct pmm_stats stats;
	uint64_t kib_per_page = PAGE_SIZE / 1024;

	pmm_get_stats(&stats);
	pr_info("Memory: %lluK/%lluK available (%lluK reserved, %lluK page map)",
		(unsigned long long)(stats.free_pages * kib_per_page),
		(unsigned long long)(stats.total_pages * kib_per_page),
		(unsigned long long)(stats.reserved_pages * kib_per_page),
		(unsigned long long)(stats.page_map_bytes / 1024));
}

/*
 * Parses the command line and sets the console level (quiet, loglevel=)
 * before anything is printed, so that `quiet` keeps even the banner off
 * the console. Once; platforms that print before kmain call it first.
 */
static int command_line_status;	/* cmdline_parse's result */
static bool command_line_parsed;

void kmain_parse_command_line(const struct boot_info *info)
{
	uint64_t level;
	int err;

	if (command_line_parsed)
		return;
	command_line_parsed = true;
	err = cmdline_parse(info->cmdline);

	if (cmdline_has_flag("quiet"))
		printk_set_console_level(LOG_WARNING);
	if (cmdline_get_u64("loglevel", &level) == 0)
		printk_set_console_level((int)MIN(level, (uint64_t)LOG_DEBUG + 1));
	command_line_status = err;
}

static int step_command_line(const struct boot_info *info)
{
	if (command_line_status < 0)
		pr_warn("cmdline: too many parameters, the rest are ignored");
	if (info->cmdline_truncated)
		pr_warn("cmdline: truncated to %d bytes", BOOT_CMDLINE_MAX - 1);
	pr_info("Command line: %s", info->cmdline);
	return 0;
}

static int step_memory(const struct boot_info *info)
{
	int err;

	kmain_print_memory_map(info);
	err = pmm_init(info);
	if (err < 0)
		return err;
	kmem_init();
	kmain_print_memory_summary();
	return 0;
}

/* The platform's set-up that needs the allocators (page tables, timers). */
static int step_platform(const struct boot_info *info)
{
	int err;

	(void)info;
	err = hal_platform_init();
	return err < 0 ? err : cpu_call_init();
}

/* The boot context becomes the thread "kmain"; the other CPUs start. */
static int step_scheduler(const struct boot_info *info)
{
	unsigned int online;

	sched_init();
	online = sched_start_cpus(info->cpu_count);
	/* From here the boot thread is an ordinary thread: interrupts on. */
	hal_irq_enable();
	printk(LOG_NOTICE, "amphi: %u CPU%s online", online,
	       online == 1 ? "" : "s");
	return 0;
}

/* The root file system: tmpfs, the initramfs, devtmpfs on /dev. */
static int step_rootfs(const struct boot_info *info)
{
	return rootfs_init(info);
}

/*
 * `amphi.selftest=1` runs the in-kernel tests and powers off with the
 * number of failures; `amphi.selftest=panic` (and the other modes of
 * selftest_fault) fault on purpose.
 */
static int step_selftest(const struct boot_info *info)
{
	const char *mode = cmdline_get("amphi.selftest");

	(void)info;
	if (mode == NULL || kstrcmp(mode, "0") == 0)
		return 0;
	if (kstrcmp(mode, "1") == 0)
		hal_poweroff(selftest_run_all());
	if (selftest_fault(mode) < 0)
		pr_warn("selftest: unknown mode '%s' (1, panic, write-text, "
			"write-rodata, exec-data, smap-read, smep-exec)", mode);
	return 0;
}

/*
 * `amphi.bench=SUITE` runs the in-kernel benchmarks and powers off: status
 * 0 if every benchmark ran, 1 if one could not or the suite is unknown.
 */
static int step_bench(const struct boot_info *info)
{
	const char *suite = cmdline_get("amphi.bench");

	(void)info;
	if (suite == NULL || kstrcmp(suite, "0") == 0)
		return 0;
	hal_poweroff(bench_run(suite) == 0 ? 0 : 1);
}

/*
 * The first process, as Linux's kernel_init: `init=PATH` or, without it,
 * the first of /sbin/init, /etc/init, /bin/init and /bin/sh that loads;
 * argv[0] is the path, then the words after `--`; the environment is
 * Linux's (HOME=/, TERM=linux). From here on, init's exit powers off.
 * `amphi.noinit` powers off instead, for tests of the boot path alone.
 */
static int step_init(const struct boot_info *info)
{
	static const char *const defaults[] = { "/sbin/init", "/etc/init",
						"/bin/init", "/bin/sh" };
	static const char *const envp[] = { "HOME=/", "TERM=linux", NULL };
	const char *argv[CMDLINE_MAX_TOKENS + 2];
	const char *const *words;
	const char *path = cmdline_get("init");
	unsigned int count;
	int err;

	(void)info;
	if (cmdline_has_flag("amphi.noinit")) {
		pr_info("Boot complete; amphi.noinit: powering off");
		hal_poweroff(0);
	}
	proc_init();
	words = cmdline_init_args(&count);
	for (unsigned int i = 0; i <= count; i++)
		argv[i + 1] = words[i];
	if (path != NULL) {
		argv[0] = path;
		err = proc_start_init(path, argv, envp);
		if (err == 0)
			return 0;
		pr_err("Requested init %s failed (error %d)", path, err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		argv[0] = defaults[i];
		err = proc_start_init(defaults[i], argv, envp);
		if (err == 0)
			return 0;
		if (err != -ENOENT)
			pr_warn("Starting init: %s exists but couldn't execute "
				"it (error %d)", defaults[i], err);
	}
	panic("No working init found. Try passing init= option to kernel.");
}

static const struct boot_step boot_steps[] = {
	{ "command line", step_command_line },
	{ "memory", step_memory },
	{ "platform", step_platform },
	{ "scheduler", step_scheduler },
	{ "selftest", step_selftest },
	{ "root file system", step_rootfs },
	{ "bench", step_bench },
	{ "init", step_init },
};

__noreturn void kmain(struct boot_info *info)
{
	boot_info = info;
	kmain_parse_command_line(info);
	printk(LOG_NOTICE, "%s %s (%s, %s build) booting, %u CPU%s",
	       AMPHI_NAME, CONFIG_VERSION, info->platform_name,
	       CONFIG_DEBUG ? "debug" : "release", info->cpu_count,
	       info->cpu_count == 1 ? "" : "s");
	for (size_t i = 0; i < ARRAY_SIZE(boot_steps); i++) {
		int err = boot_steps[i].run(info);

		if (err < 0)
			panic("boot step '%s' failed: error %d", boot_steps[i].name,
			      err);
	}
	/* init runs; its exit powers off. The boot thread has no more to do. */
	thread_exit(0);
}

__noreturn void kmain_ap(unsigned int cpu)
{
	sched_run_ap(cpu);
}
