/*
 * procfs system files: meminfo (the page allocator), cpuinfo (CPUID),
 * stat (the scheduler's per-CPU accounting), uptime, loadavg, version,
 * filesystems, the mount table; proc_emit, which they all write with, and
 * the host name's write. No state of its own.
 */
#include "fs/procfs_internal.h"

#include "core/arch/x86_64/cpu.h"
#include "core/hal/time.h"
#include "core/include/uapi/time.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/fcntl.h"
#include "core/lib/format.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/pmm.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sys/uts.h"
#include "fs/vfs_fs.h"
#include "fs/vfs_internal.h"

#define NS_PER_TICK (1000000000ULL / USER_HZ)

void proc_emit(struct proc_text *text, const char *fmt, ...)
{
	va_list args;
	size_t room = text->capacity - text->length;
	int n;

	va_start(args, fmt);
	n = kvsnprintf(text->data + text->length, room, fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= room) {
		text->overflow = true;
		text->length = text->capacity;
		return;
	}
	text->length += (size_t)n;
}

void proc_emit_bytes(struct proc_text *text, const void *data, size_t length)
{
	size_t room = text->capacity - text->length;

	if (length > room) {
		text->overflow = true;
		length = room;
	}
	memcpy(text->data + text->length, data, length);
	text->length += length;
}

/* proc_dostring: the text up to a newline becomes the host name. */
ssize_t procfs_write_hostname(const void *buf, size_t length,
			      int64_t *offset)
{
	const char *end = kmemchr(buf, '\n', length);
	size_t name_length = end ? (size_t)(end - (const char *)buf) : length;
	int err;

	if (*offset != 0)
		return -EINVAL;
	err = uts_set_hostname(buf, name_length);
	if (err < 0)
		return err;
	*offset += (int64_t)length;
	return (ssize_t)length;
}

void procfs_gen_meminfo(struct proc_text *text)
{
	struct pmm_stats stats;
	uint64_t total, free;

	pmm_get_stats(&stats);
	total = stats.managed_pages * PAGE_SIZE / 1024;
	free = stats.free_pages * PAGE_SIZE / 1024;
	proc_emit(text, "MemTotal:       %8llu kB\n", (unsigned long long)total);
	proc_emit(text, "MemFree:        %8llu kB\n", (unsigned long long)free);
	/* FIXME: page-cache pages are counted as used, not as Cached. */
	proc_emit(text, "MemAvailable:   %8llu kB\n", (unsigned long long)free);
	static const char *const zero[] = {
		"Buffers", "Cached", "SwapCached", "Active", "Inactive",
		"SwapTotal", "SwapFree", "Dirty", "Shmem",
	};
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		proc_emit(text, "%s:%*s%8d kB\n", zero[i],
			  (int)(15 - kstrlen(zero[i])), "", 0);
}

static void emit_cpu_name(struct proc_text *text)
{
	uint32_t regs[12];
	char name[49];

	arch_cpuid(0x80000000u, 0, regs);
	if (regs[0] < 0x80000004u) {
		proc_emit(text, "model name\t: unknown\n");
		return;
	}
	for (uint32_t i = 0; i < 3; i++)
		arch_cpuid(0x80000002u + i, 0, regs + 4 * i);
	memcpy(name, regs, 48);
	name[48] = '\0';
	proc_emit(text, "model name\t: %s\n", name);
}

/* A few of Linux's flag names with their CPUID leaf 1 EDX/ECX bits. */
static const struct {
	const char *name;
	bool ecx;
	uint8_t bit;
} cpu_flags[] = {
	{ "fpu", 0, 0 }, { "tsc", 0, 4 }, { "msr", 0, 5 }, { "pae", 0, 6 },
	{ "apic", 0, 9 }, { "cmov", 0, 15 }, { "mmx", 0, 23 },
	{ "fxsr", 0, 24 }, { "sse", 0, 25 }, { "sse2", 0, 26 },
	{ "ht", 0, 28 }, { "pni", 1, 0 }, { "ssse3", 1, 9 },
	{ "cx16", 1, 13 }, { "sse4_1", 1, 19 }, { "sse4_2", 1, 20 },
	{ "x2apic", 1, 21 }, { "popcnt", 1, 23 }, { "aes", 1, 25 },
	{ "xsave", 1, 26 }, { "avx", 1, 28 }, { "hypervisor", 1, 31 },
};

static void emit_cpu(struct proc_text *text, unsigned int cpu)
{
	uint32_t regs[4], vendor[4], family, model;

	arch_cpuid(0, 0, regs);
	vendor[0] = regs[1], vendor[1] = regs[3], vendor[2] = regs[2];
	vendor[3] = 0;
	arch_cpuid(1, 0, regs);
	family = (regs[0] >> 8) & 0xf;
	model = (regs[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (regs[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((regs[0] >> 16) & 0xf) << 4;
	proc_emit(text, "processor\t: %u\nvendor_id\t: %s\n", cpu,
		  (const char *)vendor);
	proc_emit(text, "cpu family\t: %u\nmodel\t\t: %u\n", family, model);
	emit_cpu_name(text);
	proc_emit(text, "stepping\t: %u\n", regs[0] & 0xf);
	proc_emit(text, "siblings\t: %u\ncpu cores\t: %u\n",
		  sched_online_count(), sched_online_count());
	proc_emit(text, "flags\t\t: lm");
	for (size_t i = 0; i < ARRAY_SIZE(cpu_flags); i++) {
		uint32_t word = cpu_flags[i].ecx ? regs[2] : regs[3];

		if (word & (1u << cpu_flags[i].bit))
			proc_emit(text, " %s", cpu_flags[i].name);
	}
	proc_emit(text, "\n\n");
}

void procfs_gen_cpuinfo(struct proc_text *text)
{
	cpumask_t online = sched_online_mask();

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (online & CPUMASK_OF(cpu))
			emit_cpu(text, cpu);
	}
}

static void emit_cpu_line(struct proc_text *text, const char *name,
			  const struct sched_cpu_stats *stats)
{
	proc_emit(text, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name,
		  (unsigned long long)(stats->user_ns / NS_PER_TICK),
		  (unsigned long long)(stats->system_ns / NS_PER_TICK),
		  (unsigned long long)(stats->idle_ns / NS_PER_TICK));
}

void procfs_gen_stat(struct proc_text *text)
{
	struct sched_cpu_stats cpus[HAL_MAX_CPUS], sum = { 0 };
	cpumask_t online = sched_online_mask();
	uint64_t boot_ns = hal_wallclock_ns() - hal_clock_ns();
	char name[16];

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		sched_get_cpu_stats(cpu, &cpus[cpu]);
		sum.user_ns += cpus[cpu].user_ns;
		sum.system_ns += cpus[cpu].system_ns;
		sum.idle_ns += cpus[cpu].idle_ns;
		sum.context_switches += cpus[cpu].context_switches;
	}
	emit_cpu_line(text, "cpu ", &sum);
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (!(online & CPUMASK_OF(cpu)))
			continue;
		ksnprintf(name, sizeof(name), "cpu%u", cpu);
		emit_cpu_line(text, name, &cpus[cpu]);
	}
	/* FIXME: interrupts are not counted yet. */
	proc_emit(text, "intr 0\nctxt %llu\nbtime %llu\n",
		  (unsigned long long)sum.context_switches,
		  (unsigned long long)(boot_ns / 1000000000ULL));
	proc_emit(text, "processes %llu\nprocs_running %u\nprocs_blocked 0\n",
		  (unsigned long long)proc_forks_total(), sched_nr_running());
}

void procfs_gen_uptime(struct proc_text *text)
{
	uint64_t ns = hal_clock_ns(), idle = 0;
	struct sched_cpu_stats stats;

	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		sched_get_cpu_stats(cpu, &stats);
		idle += stats.idle_ns;
	}
	proc_emit(text, "%llu.%02llu %llu.%02llu\n",
		  (unsigned long long)(ns / 1000000000ULL),
		  (unsigned long long)(ns % 1000000000ULL / 10000000ULL),
		  (unsigned long long)(idle / 1000000000ULL),
		  (unsigned long long)(idle % 1000000000ULL / 10000000ULL));
}

void procfs_gen_loadavg(struct proc_text *text)
{
	unsigned long loads[3];
	unsigned int running, total;

	sched_get_loadavg(loads);
	for (int i = 0; i < 3; i++) {
		/* Linux's LOAD_INT/LOAD_FRAC, rounded to hundredths. */
		unsigned long value = loads[i] + SCHED_LOAD_FIXED / 200;

		proc_emit(text, "%lu.%02lu ", value / SCHED_LOAD_FIXED,
			  (value % SCHED_LOAD_FIXED) * 100 / SCHED_LOAD_FIXED);
	}
	/*
	 * As Linux: every thread but the idle ones, kernel threads included
	 * (a runnable kernel thread counts in `running`). A thread that exits
	 * between the two reads would leave total below running: never shown.
	 */
	running = sched_nr_running();
	total = (unsigned int)thread_count_nonidle();
	proc_emit(text, "%u/%u %d\n", running, total > running ? total : running,
		  proc_last_pid());
}

void procfs_gen_version(struct proc_text *text)
{
	proc_emit(text, "Linux version %s (amphi) %s\n", UTS_RELEASE,
		  UTS_VERSION);
}

static int emit_fstype(const char *name, void *arg)
{
	bool nodev = kstrcmp(name, "ext2") != 0;

	proc_emit(arg, "%s\t%s\n", nodev ? "nodev" : "", name);
	return 0;
}

void procfs_gen_filesystems(struct proc_text *text)
{
	vfs_fstype_walk(emit_fstype, text);
}

struct mounts_walk {
	struct proc_text *text;
	struct vfs_path root;
	char *path;
	bool mountinfo;
};

static int emit_mount(const struct vfs_mount_entry *entry, void *arg)
{
	struct mounts_walk *walk = arg;
	const char *flags = entry->flags & MS_RDONLY ? "ro" : "rw";
	ssize_t length = vfs_path_string(&entry->at, &walk->root, walk->path,
					 PATH_MAX - 1);

	if (length < 0)
		return 0;	/* gone meanwhile */
	walk->path[length] = '\0';
	if (!walk->mountinfo) {
		proc_emit(walk->text, "%s %s %s %s 0 0\n", entry->source,
			  walk->path, entry->type, flags);
		return 0;
	}
	proc_emit(walk->text, "%llu %llu %u:%u / %s %s - %s %s %s\n",
		  (unsigned long long)entry->id,
		  (unsigned long long)entry->parent_id, vfs_dev_major(entry->dev),
		  vfs_dev_minor(entry->dev), walk->path, flags, entry->type,
		  entry->source, flags);
	return 0;
}

void procfs_gen_mounts(struct proc_text *text, bool mountinfo)
{
	struct mounts_walk walk = { .text = text, .mountinfo = mountinfo };

	if (procfs_caller_root(&walk.root) < 0)
		return;
	walk.path = kmalloc(PATH_MAX);
	if (walk.path) {
		vfs_mount_walk(emit_mount, &walk);
		kfree(walk.path);
	}
	vfs_path_put(&walk.root);
}
