/*
 * ELF64 images: validating the headers of an untrusted file (every
 * malformed image is -ENOEXEC or -EIO, never a crash) and mapping its
 * PT_LOAD segments into a new address space as Linux's load_elf_binary
 * does: file pages private and copy-on-write, the bss as the zeroed tail
 * of the last file page plus anonymous pages, static-PIE (ET_DYN) images
 * at a random base near two thirds of the address space. The load state
 * is the caller's: no locks.
 */
#include "core/exec/exec_internal.h"

#include "core/include/uapi/elf.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"
#include "fs/vfs.h"

/* The program headers must fit in one page (Linux: ELF_MIN_ALIGN). */
#define ELF_PHDRS_MAX_BYTES PAGE_SIZE
#define ELF_PHNUM_MAX (ELF_PHDRS_MAX_BYTES / sizeof(struct elf64_phdr))
/* Segment alignments above this are ignored for the ET_DYN base. */
#define ELF_ALIGN_MAX (1ULL << 30)

struct elf_image {
	struct address_space *as;
	struct vfs_file *file;
	struct elf64_ehdr header;
	struct elf64_phdr *phdrs;	/* header.e_phnum of them */
	uint64_t file_size;
	uint64_t first;			/* lowest PT_LOAD page (unbiased) */
	uint64_t end;			/* highest PT_LOAD end (unbiased) */
	uint64_t align;			/* largest PT_LOAD alignment */
	uint64_t bias;			/* added to every p_vaddr */
};

bool exec_is_elf(const uint8_t *head, size_t head_length)
{
	return head_length >= ELFMAG_SIZE &&
	       memcmp(head, ELFMAG, ELFMAG_SIZE) == 0;
}

static int check_header(const struct elf64_ehdr *header)
{
	const uint8_t *ident = header->e_ident;

	if (memcmp(ident, ELFMAG, ELFMAG_SIZE) != 0 ||
	    ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB ||
	    ident[EI_VERSION] != EV_CURRENT ||
	    header->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (header->e_type != ET_EXEC && header->e_type != ET_DYN)
		return -ENOEXEC;
	if (header->e_machine != EM_X86_64 ||
	    header->e_phentsize != sizeof(struct elf64_phdr))
		return -ENOEXEC;
	if (header->e_phnum == 0 || header->e_phnum > ELF_PHNUM_MAX)
		return -ENOEXEC;
	return 0;
}

/* Reads exactly `length` bytes at `offset`: a short read is -EIO. */
static int read_exact(struct vfs_file *file, void *buf, size_t length,
		      uint64_t offset)
{
	ssize_t done;

	if (offset > (uint64_t)INT64_MAX - length)
		return -ENOEXEC;
	done = vfs_pread(file, buf, length, (int64_t)offset);
	if (done < 0)
		return (int)done;
	return (size_t)done == length ? 0 : -EIO;
}

static int read_phdrs(struct elf_image *image)
{
	size_t size = image->header.e_phnum * sizeof(struct elf64_phdr);
	struct stat st;
	int err;

	err = vfs_fstat(image->file, &st);
	if (err < 0)
		return err;
	image->file_size = (uint64_t)st.st_size;
	image->phdrs = kmalloc(size);
	if (image->phdrs == NULL)
		return -ENOMEM;
	return read_exact(image->file, image->phdrs, size,
			  image->header.e_phoff);
}

/* One PT_LOAD against the file and the segment before it (prev_end). */
static int check_load(const struct elf_image *image,
		      const struct elf64_phdr *ph, uint64_t prev_end)
{
	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if ((ph->p_offset ^ ph->p_vaddr) & (PAGE_SIZE - 1))
		return -ENOEXEC; /* offset and address not congruent */
	if (ph->p_offset + ph->p_filesz < ph->p_offset ||
	    ph->p_vaddr + ph->p_memsz < ph->p_vaddr ||
	    ph->p_vaddr + ph->p_memsz > UINT64_MAX - PAGE_SIZE)
		return -ENOEXEC; /* wraps */
	if (ph->p_vaddr < prev_end)
		return -ENOEXEC; /* unsorted or overlapping */
	if (ph->p_offset + ph->p_filesz > image->file_size)
		return -EIO; /* the file is shorter than the image */
	return 0;
}

/* Checks every PT_LOAD and notes the image's extent and alignment. */
static int check_segments(struct elf_image *image)
{
	uint64_t prev_end = 0;
	bool found = false;
	int err;

	image->align = PAGE_SIZE;
	for (unsigned int i = 0; i < image->header.e_phnum; i++) {
		const struct elf64_phdr *ph = &image->phdrs[i];

		if (ph->p_type == PT_INTERP)
			return -ENOEXEC; /* FIXME: no dynamic linker yet */
		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		err = check_load(image, ph, prev_end);
		if (err < 0)
			return err;
		if (!found)
			image->first = ALIGN_DOWN(ph->p_vaddr, PAGE_SIZE);
		found = true;
		prev_end = ph->p_vaddr + ph->p_memsz;
		if (ph->p_align > image->align && ph->p_align <= ELF_ALIGN_MAX &&
		    (ph->p_align & (ph->p_align - 1)) == 0)
			image->align = ph->p_align;
	}
	image->end = prev_end;
	return found ? 0 : -ENOEXEC;
}

/*
 * The load bias: 0 for ET_EXEC, for ET_DYN Linux's ELF_ET_DYN_BASE (two
 * thirds of the space) plus a random offset, aligned. Then the biased
 * image must lie in [VM_MMAP_MIN_ADDR, limit).
 */
static int place_image(struct elf_image *image)
{
	uint64_t limit = image->as->limit;
	uint64_t span = ALIGN_UP(image->end, PAGE_SIZE) - image->first;
	uint64_t base;

	if (image->header.e_type == ET_DYN) {
		base = limit / 3 * 2 + exec_random_pages(EXEC_MMAP_RANDOM);
		base &= ~(image->align - 1);
		image->bias = base - image->first;
	}
	base = image->first + image->bias;
	if (base < VM_MMAP_MIN_ADDR || base > limit || span > limit - base)
		return -ENOEXEC;
	return 0;
}

static unsigned int segment_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) |
	       ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/*
 * Maps the file part of a segment, privately. When a bss follows in the
 * same page, the page is mapped writable first so its tail can be
 * zeroed (in the private copy: the file never changes), then given the
 * segment's protection.
 */
static int map_file_part(struct elf_image *image, const struct elf64_phdr *ph)
{
	uaddr_t vaddr = image->bias + ph->p_vaddr;
	uaddr_t start = ALIGN_DOWN(vaddr, PAGE_SIZE);
	uaddr_t file_end = vaddr + ph->p_filesz;
	uint64_t length = ALIGN_UP(file_end, PAGE_SIZE) - start;
	unsigned int prot = segment_prot(ph->p_flags);
	bool pad = ph->p_memsz > ph->p_filesz && (file_end & (PAGE_SIZE - 1));
	long err;

	err = vm_mmap_file(image->as, start, length,
			   prot | (pad ? PROT_WRITE : 0),
			   MAP_PRIVATE | MAP_FIXED,
			   ph->p_offset - (vaddr - start), image->file, NULL);
	if (err < 0 || !pad)
		return err < 0 ? (int)err : 0;
	err = vm_clear_user(image->as, file_end,
			    ALIGN_UP(file_end, PAGE_SIZE) - file_end);
	if (err == 0 && !(prot & PROT_WRITE))
		err = vm_mprotect(image->as, start, length, prot, NULL);
	return (int)err;
}

/*
 * One PT_LOAD: its file pages, then anonymous zero pages up to p_memsz
 * (read-write, executable if the segment is: Linux's vm_brk_flags).
 */
static int map_segment(struct elf_image *image, const struct elf64_phdr *ph)
{
	uaddr_t vaddr = image->bias + ph->p_vaddr;
	uaddr_t anon = ALIGN_DOWN(vaddr, PAGE_SIZE);
	uaddr_t end = ALIGN_UP(vaddr + ph->p_memsz, PAGE_SIZE);
	unsigned int prot = PROT_READ | PROT_WRITE |
			    (segment_prot(ph->p_flags) & PROT_EXEC);
	long err;

	if (ph->p_filesz != 0) {
		err = map_file_part(image, ph);
		if (err < 0)
			return (int)err;
		anon = ALIGN_UP(vaddr + ph->p_filesz, PAGE_SIZE);
	}
	if (end <= anon)
		return 0;
	err = vm_mmap(image->as, anon, end - anon, prot,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	return err < 0 ? (int)err : 0;
}

/* AT_PHDR: where the PT_LOAD holding e_phoff put it (Linux's rule). */
static uaddr_t phdr_address(const struct elf_image *image)
{
	uint64_t phoff = image->header.e_phoff;

	for (unsigned int i = 0; i < image->header.e_phnum; i++) {
		const struct elf64_phdr *ph = &image->phdrs[i];

		if (ph->p_type == PT_LOAD && ph->p_offset <= phoff &&
		    phoff < ph->p_offset + ph->p_filesz)
			return phoff - ph->p_offset + ph->p_vaddr + image->bias;
	}
	return image->bias;
}

static bool wants_exec_stack(const struct elf_image *image)
{
	for (unsigned int i = 0; i < image->header.e_phnum; i++) {
		if (image->phdrs[i].p_type == PT_GNU_STACK)
			return (image->phdrs[i].p_flags & PF_X) != 0;
	}
	return false; /* x86_64: no PT_GNU_STACK means a non-exec stack */
}

static int map_image(struct elf_image *image, struct exec_elf *elf)
{
	int err = 0;

	for (unsigned int i = 0; i < image->header.e_phnum && err == 0; i++) {
		const struct elf64_phdr *ph = &image->phdrs[i];

		if (ph->p_type == PT_LOAD && ph->p_memsz != 0)
			err = map_segment(image, ph);
	}
	if (err < 0)
		return err;
	elf->entry = image->header.e_entry + image->bias;
	elf->phdr = phdr_address(image);
	elf->phnum = image->header.e_phnum;
	elf->image_end = image->end + image->bias;
	elf->exec_stack = wants_exec_stack(image);
	return 0;
}

int exec_elf_load(struct address_space *as, struct vfs_file *file,
		  const uint8_t *head, size_t head_length, struct exec_elf *elf)
{
	struct elf_image image = { .as = as, .file = file };
	int err;

	if (head_length < sizeof(image.header))
		return -ENOEXEC;
	memcpy(&image.header, head, sizeof(image.header));
	err = check_header(&image.header);
	if (err == 0)
		err = read_phdrs(&image);
	if (err == 0)
		err = check_segments(&image);
	if (err == 0)
		err = place_image(&image);
	if (err == 0)
		err = map_image(&image, elf);
	kfree(image.phdrs);
	return err;
}
