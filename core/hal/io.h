/*
 * HAL: device access for drivers. Drivers in drivers/ are written once
 * against these functions; on x86_64 they are real MMIO, port I/O and PCI
 * configuration cycles, in the hosted build they reach register-level
 * device models. DMA addresses are physical addresses (hal_phys_to_virt
 * gives the CPU's view of a DMA buffer).
 */
#pragma once

#include "core/lib/types.h"

/* Memory-mapped registers at a kernel virtual address from hal_mmio_map. */
uint8_t mmio_read8(const volatile void *address);
uint16_t mmio_read16(const volatile void *address);
uint32_t mmio_read32(const volatile void *address);
uint64_t mmio_read64(const volatile void *address);
void mmio_write8(volatile void *address, uint8_t value);
void mmio_write16(volatile void *address, uint16_t value);
void mmio_write32(volatile void *address, uint32_t value);
void mmio_write64(volatile void *address, uint64_t value);

/*
 * Maps `length` bytes of device memory at physical address `pa` uncached
 * into kernel space. Returns the address, or NULL if it cannot be mapped.
 * May sleep.
 */
volatile void *hal_mmio_map(paddr_t pa, size_t length);

/* x86 I/O ports. */
uint8_t pio_in8(uint16_t port);
uint16_t pio_in16(uint16_t port);
uint32_t pio_in32(uint16_t port);
void pio_out8(uint16_t port, uint8_t value);
void pio_out16(uint16_t port, uint16_t value);
void pio_out32(uint16_t port, uint32_t value);

/*
 * PCI configuration space, 32-bit aligned dwords. Reads of a function that
 * does not exist return 0xffffffff. `offset` < 4096. Any context.
 */
uint32_t hal_pci_config_read32(uint8_t bus, uint8_t device, uint8_t function,
			       uint16_t offset);
void hal_pci_config_write32(uint8_t bus, uint8_t device, uint8_t function,
			    uint16_t offset, uint32_t value);

/*
 * Routes legacy (ISA/INTx) interrupt line `irq` to `vector` on `cpu`.
 * Returns 0, or -EINVAL for a line the machine does not have.
 */
int hal_irq_route(unsigned int irq, unsigned int vector, unsigned int cpu);

/* Masks (or unmasks) a routed legacy interrupt line. */
void hal_irq_mask(unsigned int irq, bool masked);

/*
 * Address and data a device writes to raise `vector` on `cpu` by MSI/MSI-X.
 * Returns 0, or -EINVAL for a vector or CPU that does not exist.
 */
int hal_msi_compose(unsigned int vector, unsigned int cpu, uint64_t *address,
		    uint32_t *data);

/* Signals end of interrupt for a device vector. Interrupts disabled. */
void hal_irq_eoi(unsigned int vector);
