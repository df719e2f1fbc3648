/*
 * The ELF64 file format as the System V gABI and the x86_64 psABI define
 * it: the file header and program headers the program loader reads, and
 * the constants it checks. Written from the specification; the names are
 * ours (lower-case structs) so they never clash with a C library's
 * <elf.h>.
 */
#pragma once

#include "core/lib/types.h"

/* e_ident[] */
#define EI_NIDENT 16
#define EI_MAG0 0		/* 0x7f */
#define EI_MAG1 1		/* 'E' */
#define EI_MAG2 2		/* 'L' */
#define EI_MAG3 3		/* 'F' */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define ELFMAG "\177ELF"
#define ELFMAG_SIZE 4
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1		/* little endian */
#define ELFDATA2MSB 2
#define EV_CURRENT 1

/* e_type */
#define ET_NONE 0
#define ET_REL 1
#define ET_EXEC 2
#define ET_DYN 3
#define ET_CORE 4

/* e_machine */
#define EM_386 3
#define EM_X86_64 62

/* p_type */
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_SHLIB 5
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_EH_FRAME 0x6474e550
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552
#define PT_GNU_PROPERTY 0x6474e553

/* p_flags */
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;	/* program header table's file offset */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 file header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");
