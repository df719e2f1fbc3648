/*
 * Symbol lookup for backtraces, over the table ksyms.sh embeds at link
 * time: entries sorted by address, names in one string blob. Read-only
 * after the link, so lookups need no lock and are safe in a panic.
 */
#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "x86.h"

struct ksym {
	uint64_t address;
	uint32_t size;
	uint32_t name_offset;
} __packed;
_Static_assert(sizeof(struct ksym) == 16, "ksyms.sh writes 16-byte entries");

extern const uint64_t ksym_count;
extern const struct ksym ksym_table[];
extern const char ksym_names[];

/* The last entry at or below address (binary search), or NULL. */
static const struct ksym *find_at_or_below(uintptr_t address)
{
	uint64_t low = 0, high = ksym_count;

	while (low < high) {
		uint64_t middle = low + (high - low) / 2;

		if (ksym_table[middle].address <= address)
			low = middle + 1;
		else
			high = middle;
	}
	return low == 0 ? NULL : &ksym_table[low - 1];
}

int x86_symbolize(uintptr_t address, char *name, size_t size,
		  uintptr_t *offset)
{
	const struct ksym *sym = find_at_or_below(address);

	/* Zero-size symbols (assembly labels) cover up to the next symbol. */
	if (sym == NULL ||
	    (sym->size != 0 && address >= sym->address + sym->size))
		return -ENOENT;
	kstrlcpy(name, ksym_names + sym->name_offset, size);
	*offset = address - sym->address;
	return 0;
}
