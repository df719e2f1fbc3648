/*
 * Register access for drivers: port I/O instructions, volatile MMIO
 * accesses, and PCI configuration mechanism #1 (ports 0xcf8/0xcfc), whose
 * address/data pair is serialised by pci_lock.
 */
#include "core/hal/io.h"

#include "core/sync/spinlock.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc

static struct spinlock pci_lock =
	SPINLOCK_INIT("pci-config", LOCK_RANK_DEVICE);

uint8_t pio_in8(uint16_t port)
{
	uint8_t value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

uint16_t pio_in16(uint16_t port)
{
	uint16_t value;

	__asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

uint32_t pio_in32(uint16_t port)
{
	uint32_t value;

	__asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

void pio_out8(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" ::"a"(value), "Nd"(port));
}

void pio_out16(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" ::"a"(value), "Nd"(port));
}

void pio_out32(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" ::"a"(value), "Nd"(port));
}

uint8_t mmio_read8(const volatile void *address)
{
	return *(const volatile uint8_t *)address;
}

uint16_t mmio_read16(const volatile void *address)
{
	return *(const volatile uint16_t *)address;
}

uint32_t mmio_read32(const volatile void *address)
{
	return *(const volatile uint32_t *)address;
}

uint64_t mmio_read64(const volatile void *address)
{
	return *(const volatile uint64_t *)address;
}

void mmio_write8(volatile void *address, uint8_t value)
{
	*(volatile uint8_t *)address = value;
}

void mmio_write16(volatile void *address, uint16_t value)
{
	*(volatile uint16_t *)address = value;
}

void mmio_write32(volatile void *address, uint32_t value)
{
	*(volatile uint32_t *)address = value;
}

void mmio_write64(volatile void *address, uint64_t value)
{
	*(volatile uint64_t *)address = value;
}

static uint32_t pci_address(uint8_t bus, uint8_t device, uint8_t function,
			    uint16_t offset)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(device & 31) << 11 |
	       (uint32_t)(function & 7) << 8 | (offset & 0xfc);
}

/*
 * FIXME: offsets 256..4095 (PCIe extended space) need ECAM through the
 * ACPI MCFG table; until then they read as absent and writes are dropped.
 */
uint32_t hal_pci_config_read32(uint8_t bus, uint8_t device, uint8_t function,
			       uint16_t offset)
{
	irq_flags_t flags;
	uint32_t value;

	if (offset >= 256 || device >= 32 || function >= 8)
		return 0xffffffff;
	flags = spin_lock_irqsave(&pci_lock);
	pio_out32(PCI_CONFIG_ADDRESS, pci_address(bus, device, function, offset));
	value = pio_in32(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&pci_lock, flags);
	return value;
}

void hal_pci_config_write32(uint8_t bus, uint8_t device, uint8_t function,
			    uint16_t offset, uint32_t value)
{
	irq_flags_t flags;

	if (offset >= 256 || device >= 32 || function >= 8)
		return;
	flags = spin_lock_irqsave(&pci_lock);
	pio_out32(PCI_CONFIG_ADDRESS, pci_address(bus, device, function, offset));
	pio_out32(PCI_CONFIG_DATA, value);
	spin_unlock_irqrestore(&pci_lock, flags);
}
