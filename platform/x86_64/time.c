/*
 * Time: the TSC is the clock (hal_clock_ns), the LAPIC timer in one-shot
 * mode is each CPU's timer, and both are calibrated once at boot against
 * the PIT (channel 2, 20 ms). The wall clock is the CMOS RTC read at boot
 * plus the monotonic clock. tsc_* and lapic_hz are written once by the boot
 * CPU before other CPUs start; each CPU's deadlines are its own, touched
 * with interrupts disabled.
 */
#include "core/hal/time.h"

#include "core/arch/x86_64/cpu.h"
#include "core/hal/io.h"
#include "core/lib/printk.h"
#include "x86.h"

#define PIT_HZ 1193182ULL
#define PIT_CALIBRATION_TICKS 23864	/* 20 ms */
#define PIT_SPIN_LIMIT 20000000
#define NS_PER_SECOND 1000000000ULL

static uint64_t tsc_hz;
static uint64_t tsc_base;
static uint64_t tsc_to_ns_mult;		/* ns = ticks * mult >> 32 */
static uint64_t lapic_hz;		/* timer ticks per second (after /16) */
static uint64_t ns_to_lapic_mult;	/* ticks = ns * mult >> 32 */
static int64_t boot_wallclock_ns;

uint64_t x86_tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * tsc_to_ns_mult) >> 32);
}

uint64_t hal_clock_ns(void)
{
	if (tsc_hz == 0)
		return 0; /* before calibration */
	return x86_tsc_to_ns(x86_rdtsc() - tsc_base);
}

int64_t hal_wallclock_ns(void)
{
	return boot_wallclock_ns + (int64_t)hal_clock_ns();
}

void x86_delay_us(uint64_t microseconds)
{
	uint64_t end = hal_clock_ns() + microseconds * 1000;

	while (hal_clock_ns() < end)
		arch_cpu_relax();
}

/*
 * Counts TSC and LAPIC timer ticks over PIT_CALIBRATION_TICKS of PIT
 * channel 2 (mode 0, gate on, speaker off). Returns false if the PIT never
 * finished (no PIT).
 */
static bool pit_calibrate(uint64_t *tsc_ticks, uint64_t *lapic_ticks)
{
	uint8_t control = pio_in8(0x61);
	uint64_t tsc_start;
	long spins = 0;

	pio_out8(0x61, (uint8_t)((control & ~0x02) | 0x01));
	pio_out8(0x43, 0xb0);
	pio_out8(0x42, PIT_CALIBRATION_TICKS & 0xff);
	pio_out8(0x42, PIT_CALIBRATION_TICKS >> 8);
	x86_lapic_timer_stop();
	x86_lapic_timer_oneshot(0xffffffff);
	tsc_start = x86_rdtsc();
	while (!(pio_in8(0x61) & 0x20) && ++spins < PIT_SPIN_LIMIT)
		;
	*tsc_ticks = x86_rdtsc() - tsc_start;
	*lapic_ticks = 0xffffffffULL - x86_lapic_timer_current();
	x86_lapic_timer_stop();
	pio_out8(0x61, control);
	return spins < PIT_SPIN_LIMIT;
}

static uint64_t per_second(uint64_t ticks)
{
	return ticks * PIT_HZ / PIT_CALIBRATION_TICKS;
}

static uint8_t cmos_read(uint8_t index)
{
	pio_out8(0x70, index);
	return pio_in8(0x71);
}

static unsigned int from_bcd(uint8_t value, bool binary)
{
	return binary ? value : (value & 0x0f) + (value >> 4) * 10;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t year, unsigned int month,
			       unsigned int day)
{
	int64_t era, yoe, doy, doe;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	yoe = year - era * 400;
	doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads the RTC (waiting out an update in progress) as ns since 1970. */
static int64_t rtc_read_ns(void)
{
	unsigned int second, minute, hour, day, month, year, century = 20;
	bool binary, pm;
	int spins = 0;

	while ((cmos_read(0x0a) & 0x80) && ++spins < 1000000)
		;
	binary = cmos_read(0x0b) & 0x04;
	second = from_bcd(cmos_read(0x00), binary);
	minute = from_bcd(cmos_read(0x02), binary);
	hour = cmos_read(0x04);
	pm = hour & 0x80;
	hour = from_bcd(hour & 0x7f, binary);
	if (!(cmos_read(0x0b) & 0x02) && pm)
		hour = (hour % 12) + 12; /* 12-hour mode */
	day = from_bcd(cmos_read(0x07), binary);
	month = from_bcd(cmos_read(0x08), binary);
	year = from_bcd(cmos_read(0x09), binary);
	if (acpi_info.century_register)
		century = from_bcd(cmos_read(acpi_info.century_register), binary);
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return 0;
	return ((days_from_civil(century * 100 + year, month, day) * 24 + hour) *
			3600 + minute * 60 + second) * (int64_t)NS_PER_SECOND;
}

/* Boot CPU, after the LAPIC is up. */
int x86_time_init(void)
{
	uint64_t tsc_ticks, lapic_ticks;

	if (!pit_calibrate(&tsc_ticks, &lapic_ticks)) {
		pr_warn("time: no PIT answered; assuming a 1 GHz TSC and LAPIC "
			"timer: time will be wrong");
		tsc_ticks = lapic_ticks = PIT_CALIBRATION_TICKS * 838;
	}
	tsc_hz = per_second(tsc_ticks);
	lapic_hz = per_second(lapic_ticks);
	tsc_to_ns_mult = (NS_PER_SECOND << 32) / tsc_hz;
	ns_to_lapic_mult = (lapic_hz << 32) / NS_PER_SECOND;
	tsc_base = x86_rdtsc();
	boot_wallclock_ns = rtc_read_ns();
	pr_info("time: TSC %llu.%03llu MHz, LAPIC timer %llu.%03llu MHz",
		(unsigned long long)(tsc_hz / 1000000),
		(unsigned long long)(tsc_hz / 1000 % 1000),
		(unsigned long long)(lapic_hz / 1000000),
		(unsigned long long)(lapic_hz / 1000 % 1000));
	return 0;
}

/* Sets the LAPIC timer for the earlier of the timer and idle deadlines. */
static void program(struct x86_cpu *cpu)
{
	uint64_t target = cpu->timer_deadline;
	uint64_t now, delta, count;

	if (cpu->idle_deadline && (!target || cpu->idle_deadline < target))
		target = cpu->idle_deadline;
	if (target == 0) {
		x86_lapic_timer_stop();
		return;
	}
	now = hal_clock_ns();
	delta = target > now ? target - now : 0;
	count = (uint64_t)(((unsigned __int128)delta * ns_to_lapic_mult) >> 32);
	x86_lapic_timer_oneshot((uint32_t)MIN(MAX(count, 1ULL), 0xffffffffULL));
}

void hal_timer_arm(uint64_t deadline_ns)
{
	struct x86_cpu *cpu = x86_this_cpu();

	cpu->timer_deadline = deadline_ns;
	program(cpu);
}

/*
 * The LAPIC timer fired. It may be early (a deadline beyond the 32-bit
 * counter, rounding, or an idle wake-up): then re-arm and consume it.
 */
void x86_timer_interrupt(void)
{
	struct x86_cpu *cpu = x86_this_cpu();

	if (cpu->timer_deadline && hal_clock_ns() >= cpu->timer_deadline) {
		cpu->timer_deadline = 0;
		program(cpu);
		kinterrupt(HAL_VECTOR_TIMER);
	} else {
		program(cpu);
	}
	x86_lapic_eoi();
}

void hal_idle_until(uint64_t deadline_ns)
{
	struct x86_cpu *cpu = x86_this_cpu();

	if (deadline_ns) {
		if (hal_clock_ns() >= deadline_ns)
			return;
		cpu->idle_deadline = deadline_ns;
		program(cpu);
	}
	/* sti takes effect after hlt starts: no wake-up is lost in between. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	if (deadline_ns)
		cpu->idle_deadline = 0;
}
