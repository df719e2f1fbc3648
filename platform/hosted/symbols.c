/*
 * Symbol lookup for backtraces: the static symbol table (.symtab) of our own
 * executable, mapped read-only at start-up, so static functions have names
 * too (dladdr only knows exported ones). Lookups walk the table without
 * allocating, so they are safe during a panic.
 */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hal/debug.h"
#include "hosted.h"

static const Elf64_Sym *symbols;
static size_t symbol_count;
static const char *strings;
static size_t strings_size;
static uintptr_t load_bias;

static int find_main_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1; /* the first object is the executable */
}

/* Finds .symtab and its string table in a mapped ELF image. */
static void index_image(const unsigned char *image, size_t size)
{
	const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *)image;
	const Elf64_Shdr *sections;

	if (size < sizeof(*ehdr) || memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0 ||
	    ehdr->e_shoff + (uint64_t)ehdr->e_shnum * sizeof(Elf64_Shdr) > size)
		return;
	sections = (const Elf64_Shdr *)(image + ehdr->e_shoff);
	for (unsigned int i = 0; i < ehdr->e_shnum; i++) {
		const Elf64_Shdr *symtab = &sections[i];
		const Elf64_Shdr *strtab;

		if (symtab->sh_type != SHT_SYMTAB || symtab->sh_link >= ehdr->e_shnum)
			continue;
		strtab = &sections[symtab->sh_link];
		if (symtab->sh_offset + symtab->sh_size > size ||
		    strtab->sh_offset + strtab->sh_size > size)
			return;
		symbols = (const Elf64_Sym *)(image + symtab->sh_offset);
		symbol_count = symtab->sh_size / sizeof(Elf64_Sym);
		strings = (const char *)(image + strtab->sh_offset);
		strings_size = strtab->sh_size;
		return;
	}
}

void hosted_symbols_init(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *image;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (image != MAP_FAILED)
			index_image(image, (size_t)st.st_size);
	}
	close(fd);
	dl_iterate_phdr(find_main_bias, &load_bias);
}

int hal_symbolize(uintptr_t address, char *name, size_t size,
		  uintptr_t *offset)
{
	uintptr_t target = address - load_bias;
	const Elf64_Sym *best = NULL;

	for (size_t i = 0; i < symbol_count; i++) {
		const Elf64_Sym *sym = &symbols[i];

		if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_value > target ||
		    sym->st_name >= strings_size)
			continue;
		if (target < sym->st_value + sym->st_size) {
			best = sym;
			break;
		}
	}
	if (best == NULL)
		return -2; /* -ENOENT */
	snprintf(name, size, "%s", strings + best->st_name);
	*offset = target - best->st_value;
	return 0;
}
