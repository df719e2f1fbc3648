/*
 * Interrupt controllers: the local APIC of each CPU (xAPIC, memory-mapped),
 * the IOAPICs for legacy and PCI INTx lines, and the legacy 8259 PICs,
 * which are remapped out of the exception range and masked for good.
 * Register offsets from the Intel SDM vol. 3A ch. 11 and the 82093AA
 * IOAPIC data sheet. lapic is mapped once at boot; each IOAPIC's
 * select/window pair is serialised by ioapic_lock.
 */
#include "core/hal/io.h"

#include "core/include/uapi/errno.h"
#include "core/lib/printk.h"
#include "core/sync/spinlock.h"
#include "x86.h"

enum lapic_register {
	LAPIC_ID = 0x20,
	LAPIC_TPR = 0x80,
	LAPIC_EOI = 0xb0,
	LAPIC_SVR = 0xf0,
	LAPIC_ESR = 0x280,
	LAPIC_ICR_LOW = 0x300,
	LAPIC_ICR_HIGH = 0x310,
	LAPIC_LVT_TIMER = 0x320,
	LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360,
	LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INITIAL = 0x380,
	LAPIC_TIMER_CURRENT = 0x390,
	LAPIC_TIMER_DIVIDE = 0x3e0,
};

#define LAPIC_SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define LVT_NMI (4u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define TIMER_DIVIDE_16 0x3
#define VECTOR_LAPIC_ERROR 0xfe

#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIRECTION(n) (0x10 + 2 * (n))
#define REDIRECTION_MASKED (1ULL << 16)
#define REDIRECTION_LEVEL (1ULL << 15)
#define REDIRECTION_ACTIVE_LOW (1ULL << 13)

struct ioapic {
	volatile uint32_t *base;
	uint32_t gsi_base;
	unsigned int lines;
};

static volatile uint8_t *lapic;
static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int ioapic_count;
static struct spinlock ioapic_lock =
	SPINLOCK_INIT("ioapic", LOCK_RANK_DEVICE);

static uint32_t lapic_read(enum lapic_register reg)
{
	return mmio_read32(lapic + reg);
}

static void lapic_write(enum lapic_register reg, uint32_t value)
{
	mmio_write32(lapic + reg, value);
}

uint32_t x86_lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void x86_lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Enables this CPU's LAPIC: all local interrupts masked, timer stopped. */
void x86_lapic_init(void)
{
	x86_wrmsr(MSR_APIC_BASE, x86_rdmsr(MSR_APIC_BASE) | (1u << 11));
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | HAL_VECTOR_TIMER);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI); /* LINT1 is NMI on PCs */
	lapic_write(LAPIC_LVT_ERROR, VECTOR_LAPIC_ERROR);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_16);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | HAL_VECTOR_SPURIOUS);
	x86_lapic_eoi();
}

/* `command` is the ICR low word (vector, delivery mode, level). */
void x86_lapic_send_ipi(uint32_t apic_id, uint32_t command)
{
	irq_flags_t flags = hal_irq_save();

	while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
		arch_cpu_relax();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, command);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
		arch_cpu_relax();
	hal_irq_restore(flags);
}

void x86_lapic_timer_oneshot(uint32_t count)
{
	lapic_write(LAPIC_LVT_TIMER, HAL_VECTOR_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, count ? count : 1);
}

uint32_t x86_lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CURRENT);
}

void x86_lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | HAL_VECTOR_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
}

/* Moves the 8259s to vectors 0x20-0x2f and masks every line. */
static void pic_disable(void)
{
	static const uint8_t init[][2] = {
		{ 0x20, 0x11 }, { 0xa0, 0x11 },	/* ICW1: init, ICW4 follows */
		{ 0x21, 0x20 }, { 0xa1, 0x28 },	/* ICW2: vector bases */
		{ 0x21, 0x04 }, { 0xa1, 0x02 },	/* ICW3: cascade on IRQ 2 */
		{ 0x21, 0x01 }, { 0xa1, 0x01 },	/* ICW4: 8086 mode */
		{ 0x21, 0xff }, { 0xa1, 0xff },	/* OCW1: mask all */
	};

	for (size_t i = 0; i < ARRAY_SIZE(init); i++)
		pio_out8(init[i][0], init[i][1]);
}

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->base, reg);
	return mmio_read32(io->base + 4);
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t value)
{
	mmio_write32(io->base, reg);
	mmio_write32(io->base + 4, value);
}

static void ioapic_set_entry(struct ioapic *io, unsigned int line,
			     uint64_t entry)
{
	ioapic_write(io, IOAPIC_REDIRECTION(line) + 1, (uint32_t)(entry >> 32));
	ioapic_write(io, IOAPIC_REDIRECTION(line), (uint32_t)entry);
}

static int ioapic_add(const struct acpi_ioapic *info)
{
	struct ioapic *io = &ioapics[ioapic_count];

	io->base = (volatile uint32_t *)hal_mmio_map(info->address, 0x20);
	if (io->base == NULL)
		return -ENOMEM;
	io->gsi_base = info->gsi_base;
	io->lines = ((ioapic_read(io, IOAPIC_VERSION) >> 16) & 0xff) + 1;
	for (unsigned int line = 0; line < io->lines; line++)
		ioapic_set_entry(io, line, REDIRECTION_MASKED);
	ioapic_count++;
	return 0;
}

/*
 * Boot CPU, after the kernel page tables: maps the LAPIC and IOAPICs,
 * masks the 8259s and every IOAPIC line, enables the boot CPU's LAPIC.
 */
int x86_interrupt_controllers_init(void)
{
	paddr_t base = acpi_info.lapic_address;

	if (base == 0)
		base = x86_rdmsr(MSR_APIC_BASE) & 0xffffff000ULL;
	lapic = (volatile uint8_t *)hal_mmio_map(base, PAGE_SIZE);
	if (lapic == NULL)
		return -ENOMEM;
	pic_disable();
	for (unsigned int i = 0; i < acpi_info.ioapic_count; i++) {
		int err = ioapic_add(&acpi_info.ioapics[i]);

		if (err < 0)
			return err;
	}
	x86_lapic_init();
	pr_info("APIC: LAPIC at %#llx, %u IOAPIC%s", (unsigned long long)base,
		ioapic_count, ioapic_count == 1 ? "" : "s");
	return 0;
}

/* The IOAPIC line of ISA IRQ `irq`, after interrupt source overrides. */
static struct ioapic *irq_line(unsigned int irq, unsigned int *line,
			       uint16_t *flags)
{
	uint32_t gsi = irq;

	*flags = 0;
	for (unsigned int i = 0; i < acpi_info.override_count; i++) {
		if (acpi_info.overrides[i].source == irq) {
			gsi = acpi_info.overrides[i].gsi;
			*flags = acpi_info.overrides[i].flags;
		}
	}
	for (unsigned int i = 0; i < ioapic_count; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->lines) {
			*line = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

/* ISA lines are edge/active-high unless an override says otherwise. */
static uint64_t redirection_entry(unsigned int vector, unsigned int cpu,
				  uint16_t flags)
{
	uint64_t entry = vector | REDIRECTION_MASKED |
			 (uint64_t)x86_cpus[cpu].apic_id << 56;

	if ((flags & 3) == 3)
		entry |= REDIRECTION_ACTIVE_LOW;
	if (((flags >> 2) & 3) == 3)
		entry |= REDIRECTION_LEVEL;
	return entry;
}

int hal_irq_route(unsigned int irq, unsigned int vector, unsigned int cpu)
{
	unsigned int line;
	uint16_t override_flags;
	struct ioapic *io;
	irq_flags_t flags;

	if (vector < HAL_VECTOR_DEVICE_FIRST || vector > HAL_VECTOR_DEVICE_LAST ||
	    cpu >= HAL_MAX_CPUS || !x86_cpus[cpu].started)
		return -EINVAL;
	io = irq_line(irq, &line, &override_flags);
	if (io == NULL)
		return -EINVAL;
	flags = spin_lock_irqsave(&ioapic_lock);
	ioapic_set_entry(io, line,
			 redirection_entry(vector, cpu, override_flags));
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

void hal_irq_mask(unsigned int irq, bool masked)
{
	unsigned int line;
	uint16_t override_flags;
	struct ioapic *io = irq_line(irq, &line, &override_flags);
	irq_flags_t flags;
	uint32_t low;

	if (io == NULL)
		return;
	flags = spin_lock_irqsave(&ioapic_lock);
	low = ioapic_read(io, IOAPIC_REDIRECTION(line));
	if (masked)
		low |= (uint32_t)REDIRECTION_MASKED;
	else
		low &= ~(uint32_t)REDIRECTION_MASKED;
	ioapic_write(io, IOAPIC_REDIRECTION(line), low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

int hal_msi_compose(unsigned int vector, unsigned int cpu, uint64_t *address,
		    uint32_t *data)
{
	if (vector < HAL_VECTOR_DEVICE_FIRST || vector > HAL_VECTOR_DEVICE_LAST ||
	    cpu >= HAL_MAX_CPUS || !x86_cpus[cpu].started)
		return -EINVAL;
	*address = 0xfee00000ULL | (uint64_t)x86_cpus[cpu].apic_id << 12;
	*data = vector; /* fixed delivery, edge */
	return 0;
}

void hal_ipi(unsigned int cpu, unsigned int vector)
{
	if (cpu >= HAL_MAX_CPUS || !x86_cpus[cpu].started)
		return;
	x86_lapic_send_ipi(x86_cpus[cpu].apic_id, vector | ICR_ASSERT);
}
