/*
 * Kernel memory mappings on x86_64.
 *
 * Before kmain, the boot page tables (boot.S) map the first 4 GiB;
 * x86_mm_early_map extends that direct map over all RAM so the page
 * allocator can use any page. Once the page allocator runs, x86_mm_init
 * builds the real kernel page tables with the core's page-table code: the
 * direct map of every memory region (NX, 2 MiB / 1 GiB leaves), the kernel
 * image by section (text RX, rodata R, data RW NX), and later device
 * windows from hal_mmio_map. The boot tables stay for the AP trampoline.
 *
 * The kernel half (PML4 slots 256..511) is shared by every address space:
 * at boot each of its slots gets a PDPT (1 MiB in all), so a kernel
 * mapping made later (a guard page, an MMIO window) only ever edits
 * tables below those PDPTs, which every user PML4 points at through the
 * slots hal_as_init_root copied. The kernel's PML4 slots never change
 * after boot.
 *
 * Address spaces: each CPU records the one loaded in its CR3 (cpu->as,
 * NULL for the kernel's own tables) and is in that space's cpu_mask while
 * it is. CR3 is switched lazily (hal_as_activate skips a space already
 * loaded), so a CPU may keep a space after its thread left; the mask
 * says which CPUs a shootdown must reach, and hal_as_release takes every
 * CPU off a space before its tables are freed.
 *
 * kernel_pt_lock serialises edits of the kernel tables and mmio_next.
 * shootdown_lock serialises TLB shootdowns; `shootdown` is written under
 * it and acknowledged bit by bit by the CPUs that flush.
 */
#include "core/hal/mmu.h"

#include "core/hal/io.h"
#include "core/include/uapi/errno.h"
#include "core/lib/printk.h"
#include "core/mm/pgtable.h"
#include "core/mm/pmm.h"
#include "core/mm/vm.h"
#include "core/sync/spinlock.h"
#include "x86.h"

#define EARLY_EXTRA_PDS 28		/* 2 MiB-page tables beyond 4 GiB */
#define FLUSH_ALL_THRESHOLD 32		/* pages; more: flush everything */

static pte_t early_pds[EARLY_EXTRA_PDS][PT_ENTRIES] __aligned(PAGE_SIZE);
static paddr_t kernel_root;
static bool have_1g_pages;
static struct spinlock kernel_pt_lock =
	SPINLOCK_INIT("kernel-pt", LOCK_RANK_KERNEL_PT);
static uintptr_t mmio_next = MMIO_BASE;

static struct spinlock shootdown_lock =
	SPINLOCK_INIT("tlb-shootdown", LOCK_RANK_TLB_SHOOTDOWN);
static struct {
	uintptr_t va;
	size_t length;
	struct address_space *unload;	/* hal_as_release: leave this space */
	uint64_t pending;	/* CPUs that still have to flush */
} shootdown;

void *hal_phys_to_virt(paddr_t pa)
{
	return (void *)(DIRECT_MAP_BASE + pa);
}

paddr_t hal_virt_to_phys(const void *va)
{
	uintptr_t address = (uintptr_t)va;

	if (address >= KERNEL_VMA)
		return address - KERNEL_VMA; /* inside the kernel image */
	return address - DIRECT_MAP_BASE;
}

paddr_t x86_kernel_root(void)
{
	return kernel_root;
}

/*
 * Whether the direct map covers region `m`: everything below 4 GiB (RAM,
 * firmware tables, legacy areas), and RAM and ACPI memory above. Reserved
 * ranges high up are device apertures and stay unmapped.
 */
static bool is_direct_mapped(const struct boot_mem_region *m)
{
	return m->base < EARLY_MAP_LIMIT || m->type == BOOT_MEM_USABLE ||
	       m->type == BOOT_MEM_ACPI_RECLAIMABLE ||
	       m->type == BOOT_MEM_ACPI_NVS;
}

static uint64_t ram_top(const struct boot_info *boot_info)
{
	uint64_t top = 0;

	for (unsigned int i = 0; i < boot_info->memory_count; i++) {
		const struct boot_mem_region *m = &boot_info->memory[i];

		if (is_direct_mapped(m))
			top = MAX(top, m->base + m->length);
	}
	return top;
}

/* Drops memory at or above `limit` from the map (it cannot be reached). */
static void clip_memory(struct boot_info *boot_info, uint64_t limit)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < boot_info->memory_count; i++) {
		struct boot_mem_region m = boot_info->memory[i];

		if (m.base >= limit && is_direct_mapped(&m))
			continue;
		if (is_direct_mapped(&m) && m.base + m.length > limit)
			m.length = limit - m.base;
		boot_info->memory[kept++] = m;
	}
	boot_info->memory_count = kept;
	pr_warn("mm: memory above %llu GiB is not used",
		(unsigned long long)(limit >> 30));
}

/*
 * The direct map over RAM beyond 4 GiB, before the page allocator: 1 GiB
 * leaves when the CPU has them, else 2 MiB leaves from a static pool that
 * reaches 32 GiB. Memory beyond what can be mapped is dropped, with a
 * warning.
 */
void x86_mm_early_map(struct boot_info *boot_info)
{
	pte_t *pdpt = (pte_t *)boot_pdpt_low;
	uint64_t limit_gib = PT_ENTRIES, top_gib;
	uint32_t cpuid[4];

	x86_cpuid(0x80000001, 0, cpuid);
	have_1g_pages = cpuid[3] & (1u << 26);
	if (!have_1g_pages)
		limit_gib = 4 + EARLY_EXTRA_PDS;
	top_gib = (ram_top(boot_info) + GiB - 1) >> 30;
	if (top_gib > limit_gib) {
		clip_memory(boot_info, limit_gib << 30);
		top_gib = limit_gib;
	}
	for (uint64_t gib = 4; gib < top_gib; gib++) {
		pte_t *pd = early_pds[gib - 4];

		if (have_1g_pages) {
			pdpt[gib] = (gib << 30) | PTE_PRESENT | PTE_WRITE | PTE_HUGE;
			continue;
		}
		for (unsigned int i = 0; i < PT_ENTRIES; i++)
			pd[i] = ((gib << 30) + ((uint64_t)i << 21)) | PTE_PRESENT |
				PTE_WRITE | PTE_HUGE;
		pdpt[gib] = hal_virt_to_phys(pd) | PTE_PRESENT | PTE_WRITE;
	}
	x86_write_cr3(x86_read_cr3());
}

/* Maps [start, end) of physical memory at the direct map, past *cursor. */
static int map_direct(paddr_t start, paddr_t end, paddr_t *cursor)
{
	unsigned int options = PGTABLE_MAP_HUGE |
			       (have_1g_pages ? PGTABLE_MAP_HUGE_1G : 0);

	start = MAX(ALIGN_DOWN(start, PAGE_SIZE), *cursor);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (end <= start)
		return 0;
	*cursor = end;
	return pgtable_map(kernel_root, DIRECT_MAP_BASE + start, start,
			   end - start, PTE_WRITE | PTE_NO_EXECUTE | PTE_GLOBAL,
			   options);
}

static int map_image_part(char *start, char *end, pte_t flags)
{
	uintptr_t va = (uintptr_t)start;

	if (end <= start)
		return 0;
	return pgtable_map(kernel_root, va, va - KERNEL_VMA,
			   ALIGN_UP((uintptr_t)end, PAGE_SIZE) - va,
			   flags | PTE_GLOBAL, 0);
}

static int map_kernel(const struct boot_info *boot_info)
{
	paddr_t cursor = 0;
	int err = map_direct(0, 0x100000, &cursor); /* BIOS area, trampoline */

	for (unsigned int i = 0; err == 0 && i < boot_info->memory_count; i++) {
		const struct boot_mem_region *m = &boot_info->memory[i];

		if (is_direct_mapped(m))
			err = map_direct(m->base, m->base + m->length, &cursor);
	}
	if (err == 0)
		err = map_image_part(__kernel_start, __text_end, 0);
	if (err == 0)
		err = map_image_part(__text_end, __rodata_end, PTE_NO_EXECUTE);
	if (err == 0)
		err = map_image_part(__rodata_end, __data_end,
				     PTE_WRITE | PTE_NO_EXECUTE);
	if (err == 0)
		err = map_image_part(__data_end, __kernel_end, PTE_NO_EXECUTE);
	return err;
}

/* A PDPT in every kernel-half PML4 slot: see the top of the file. */
static int preallocate_kernel_half(void)
{
	pte_t *pml4 = hal_phys_to_virt(kernel_root);

	for (unsigned int i = PT_ENTRIES / 2; i < PT_ENTRIES; i++) {
		struct page *page = pmm_alloc(0, PMM_ZERO);

		if (page == NULL)
			return -ENOMEM;
		pml4[i] = page_to_phys(page) | PTE_PRESENT | PTE_WRITE;
	}
	return 0;
}

/* Boot CPU, after pmm_init: builds and loads the kernel page tables. */
int x86_mm_init(const struct boot_info *boot_info)
{
	int err = pgtable_create(&kernel_root);

	if (err == 0)
		err = preallocate_kernel_half();
	if (err == 0)
		err = map_kernel(boot_info);
	if (err < 0) {
		pr_err("mm: cannot build the kernel page tables: error %d", err);
		return err;
	}
	x86_write_cr3(kernel_root);
	x86_cpu_enable_features();
	pr_info("mm: kernel page tables at %#llx: text RX, rodata R, data NX, "
		"direct map at %#llx", (unsigned long long)kernel_root,
		(unsigned long long)DIRECT_MAP_BASE);
	return 0;
}

volatile void *hal_mmio_map(paddr_t pa, size_t length)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	uint64_t size = ALIGN_UP(pa + length, PAGE_SIZE) - base;
	irq_flags_t flags;
	uintptr_t va;
	int err = -ENOMEM;

	if (length == 0 || pa + length < pa || kernel_root == 0)
		return NULL;
	flags = spin_lock_irqsave(&kernel_pt_lock);
	va = mmio_next;
	if (size <= MMIO_BASE + MMIO_SIZE - va) {
		err = pgtable_map(kernel_root, va, base, size,
				  PTE_WRITE | PTE_NO_EXECUTE | PTE_GLOBAL |
					  PTE_CACHE_DISABLE | PTE_WRITE_THROUGH,
				  0);
		if (err == 0)
			mmio_next += size + PAGE_SIZE; /* unmapped gap between */
	}
	spin_unlock_irqrestore(&kernel_pt_lock, flags);
	return err == 0 ? (volatile void *)(va + (pa - base)) : NULL;
}

int hal_guard_page(void *page, bool guarded)
{
	uintptr_t va = (uintptr_t)page;
	irq_flags_t flags;
	int err;

	if (!IS_ALIGNED(va, PAGE_SIZE) || va < DIRECT_MAP_BASE ||
	    va >= MMIO_BASE)
		return -EINVAL;
	flags = spin_lock_irqsave(&kernel_pt_lock);
	if (guarded)
		err = pgtable_unmap(kernel_root, va, PAGE_SIZE);
	else
		err = pgtable_map(kernel_root, va, hal_virt_to_phys(page),
				  PAGE_SIZE,
				  PTE_WRITE | PTE_NO_EXECUTE | PTE_GLOBAL, 0);
	spin_unlock_irqrestore(&kernel_pt_lock, flags);
	if (err == 0)
		hal_tlb_flush(NULL, va, PAGE_SIZE);
	return err == -EEXIST ? 0 : err;
}

void x86_tlb_flush_local(uintptr_t va, size_t length)
{
	uint64_t cr4;

	if (length / PAGE_SIZE > FLUSH_ALL_THRESHOLD) {
		/* Toggling PGE drops global entries too. */
		cr4 = x86_read_cr4();
		x86_write_cr4(cr4 & ~CR4_PGE);
		x86_write_cr4(cr4);
		return;
	}
	for (uintptr_t page = ALIGN_DOWN(va, PAGE_SIZE); page < va + length;
	     page += PAGE_SIZE)
		x86_invlpg(page);
}

/* Loads `as` (NULL: the kernel's tables) in CR3. Interrupts off. */
static void as_load(struct x86_cpu *cpu, struct address_space *as)
{
	struct address_space *previous = cpu->as;
	uint64_t bit = 1ULL << cpu->index;

	/* In the new mask before CR3 can cache anything of it. */
	if (as != NULL)
		__atomic_fetch_or(&as->cpu_mask, bit, __ATOMIC_SEQ_CST);
	x86_write_cr3(as != NULL ? as->root : kernel_root);
	__atomic_store_n(&cpu->as, as, __ATOMIC_RELEASE);
	/* Out of the old one only once CR3 no longer reaches it. */
	if (previous != NULL)
		__atomic_fetch_and(&previous->cpu_mask, ~bit, __ATOMIC_RELEASE);
}

void hal_as_activate(struct address_space *as)
{
	struct x86_cpu *cpu = x86_this_cpu();

	if (cpu->as != as)
		as_load(cpu, as);
}

/* HAL_VECTOR_IPI_TLB, or polled by a CPU waiting to shoot down itself. */
void x86_tlb_interrupt(void)
{
	struct x86_cpu *cpu = x86_this_cpu();
	uint64_t bit = 1ULL << cpu->index;

	if (!(__atomic_load_n(&shootdown.pending, __ATOMIC_ACQUIRE) & bit))
		return;
	if (shootdown.unload != NULL) {
		if (cpu->as == shootdown.unload)
			as_load(cpu, NULL);
	} else {
		x86_tlb_flush_local(shootdown.va, shootdown.length);
	}
	__atomic_fetch_and(&shootdown.pending, ~bit, __ATOMIC_RELEASE);
}

static void shootdown_others(uintptr_t va, size_t length,
			     struct address_space *unload, uint64_t targets)
{
	/* Serve other CPUs' requests while waiting, or two would deadlock. */
	while (!spin_trylock(&shootdown_lock)) {
		x86_tlb_interrupt();
		arch_cpu_relax();
	}
	shootdown.va = va;
	shootdown.length = length;
	shootdown.unload = unload;
	__atomic_store_n(&shootdown.pending, targets, __ATOMIC_RELEASE);
	for (unsigned int cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		if (targets & (1ULL << cpu))
			hal_ipi(cpu, HAL_VECTOR_IPI_TLB);
	}
	while (__atomic_load_n(&shootdown.pending, __ATOMIC_ACQUIRE) != 0)
		arch_cpu_relax();
	spin_unlock(&shootdown_lock);
}

uaddr_t hal_user_limit(void)
{
	return VM_USER_TOP;
}

/*
 * The kernel half's PML4 slots all point at PDPTs allocated at boot and
 * never change, so copying them once shares every kernel mapping, made
 * before or after, with the new space.
 */
void hal_as_init_root(paddr_t root)
{
	pte_t *user = hal_phys_to_virt(root);
	const pte_t *kernel = hal_phys_to_virt(kernel_root);

	for (unsigned int i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		user[i] = kernel[i];
}

/*
 * The CPUs other than the caller that may cache entries of `as`: those
 * that have it loaded, or every started CPU for kernel addresses. The
 * caller has written the entries; the fence orders that before the read
 * of the mask, against as_load's update of the mask before CR3.
 */
static uint64_t flush_targets(struct address_space *as, uint64_t self)
{
	uint64_t targets = x86_started_mask();

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (as != NULL)
		targets &= __atomic_load_n(&as->cpu_mask, __ATOMIC_RELAXED);
	return targets & ~self;
}

void hal_tlb_flush(struct address_space *as, uaddr_t va, size_t length)
{
	irq_flags_t flags = hal_irq_save();
	uint64_t self = 1ULL << hal_cpu_id();
	uint64_t others = flush_targets(as, self);

	if (as == NULL || x86_this_cpu()->as == as)
		x86_tlb_flush_local(va, length);
	if (others)
		shootdown_others(va, length, NULL, others);
	hal_irq_restore(flags);
}

void hal_as_release(struct address_space *as)
{
	irq_flags_t flags = hal_irq_save();
	struct x86_cpu *cpu = x86_this_cpu();
	uint64_t others;

	if (cpu->as == as)
		as_load(cpu, NULL);
	others = flush_targets(as, 1ULL << cpu->index);
	if (others)
		shootdown_others(0, 0, as, others);
	hal_irq_restore(flags);
}
