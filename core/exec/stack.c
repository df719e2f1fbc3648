/*
 * The initial user stack, laid out exactly as Linux x86_64 builds it
 * (fs/exec.c and create_elf_tables), from the top down:
 *
 *   top:     8 zero bytes
 *            AT_EXECFN string (the path given to execve)
 *            argv strings, then envp strings (argv[0] lowest)
 *            a random gap below 8 KiB, then 16-byte alignment
 *            "x86_64" (AT_PLATFORM)
 *            16 random bytes (AT_RANDOM)
 *            padding to 16 bytes
 *            auxv pairs ending with AT_NULL
 *            NULL, envp pointers, NULL, argv pointers
 *   rsp:     argc (16-byte aligned)
 *
 * The stack is one grows-down VMA (the fault handler extends it to
 * as->stack_limit) with Linux's 128 KiB of room below the arguments.
 * Works on an address space nobody else sees yet: no locks.
 */
#include "core/exec/exec_internal.h"

#include "core/hal/cpu.h"
#include "core/include/uapi/auxv.h"
#include "core/include/uapi/elf.h"
#include "core/include/uapi/errno.h"
#include "core/include/uapi/mman.h"
#include "core/lib/krandom.h"
#include "core/lib/string.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"

/* Linux x86_64 STACK_RND_MASK: 22 bits of pages (16 GiB). */
#define STACK_RANDOM_RANGE (1ULL << (22 + PAGE_SHIFT))
/* arch_align_stack's random gap below the strings. */
#define STACK_ALIGN_RANDOM 8192
/* Room mapped below the arguments at exec (Linux's stack_expand). */
#define STACK_EXPAND (128ULL * 1024)
#define STACK_PLATFORM "x86_64"
#define STACK_RANDOM_BYTES 16
#define AUXV_MAX_ENTRIES 24
#define WRITER_WORDS 64
/* Linux's times(2) clock: USER_HZ. */
#define STACK_CLKTCK 100

/* A random number below n (n > 0; the modulo bias is negligible). */
static uint64_t random_below(uint64_t n)
{
	uint64_t value;

	krandom_bytes(&value, sizeof(value));
	return value % n;
}

uint64_t exec_random_pages(uint64_t range)
{
	if (range < PAGE_SIZE)
		return 0;
	return random_below(range >> PAGE_SHIFT) << PAGE_SHIFT;
}

uaddr_t exec_stack_top(const struct address_space *as)
{
	return as->limit - exec_random_pages(STACK_RANDOM_RANGE);
}

/* Writes 64-bit words upwards from `pos`, a batch at a time. */
struct word_writer {
	struct address_space *as;
	uaddr_t pos;
	unsigned int count;
	int err;
	uint64_t words[WRITER_WORDS];
};

static void writer_flush(struct word_writer *w)
{
	if (w->err == 0 && w->count != 0)
		w->err = vm_copy_to_user(w->as, w->pos, w->words,
					 w->count * sizeof(uint64_t));
	w->pos += w->count * sizeof(uint64_t);
	w->count = 0;
}

static void writer_put(struct word_writer *w, uint64_t word)
{
	if (w->count == WRITER_WORDS)
		writer_flush(w);
	w->words[w->count++] = word;
}

/* Where each piece goes. */
struct stack_layout {
	uaddr_t execfn, strings, platform, random, sp;
};

static void aux_put(uint64_t *aux, unsigned int *n, uint64_t type,
		    uint64_t value)
{
	aux[(*n)++] = type;
	aux[(*n)++] = value;
}

/* The auxv in Linux's order; returns the number of words. */
static unsigned int fill_auxv(uint64_t *aux, const struct exec_stack_info *info,
			      const struct stack_layout *at)
{
	const struct exec_cred *cred = info->cred;
	unsigned int n = 0;

	aux_put(aux, &n, AT_MINSIGSTKSZ, EXEC_MINSIGSTKSZ);
	aux_put(aux, &n, AT_HWCAP, hal_cpu_hwcap());
	aux_put(aux, &n, AT_PAGESZ, PAGE_SIZE);
	aux_put(aux, &n, AT_CLKTCK, STACK_CLKTCK);
	aux_put(aux, &n, AT_PHDR, info->elf->phdr);
	aux_put(aux, &n, AT_PHENT, sizeof(struct elf64_phdr));
	aux_put(aux, &n, AT_PHNUM, info->elf->phnum);
	aux_put(aux, &n, AT_BASE, 0); /* no interpreter */
	aux_put(aux, &n, AT_FLAGS, 0);
	aux_put(aux, &n, AT_ENTRY, info->elf->entry);
	aux_put(aux, &n, AT_UID, cred->uid);
	aux_put(aux, &n, AT_EUID, cred->euid);
	aux_put(aux, &n, AT_GID, cred->gid);
	aux_put(aux, &n, AT_EGID, cred->egid);
	aux_put(aux, &n, AT_SECURE, cred->secure ? 1 : 0);
	aux_put(aux, &n, AT_RANDOM, at->random);
	aux_put(aux, &n, AT_HWCAP2, 0);
	aux_put(aux, &n, AT_EXECFN, at->execfn);
	aux_put(aux, &n, AT_PLATFORM, at->platform);
	aux_put(aux, &n, AT_NULL, 0);
	return n;
}

/* Places every piece below `top`; the auxv takes aux_words words. */
static void plan(struct stack_layout *at, uaddr_t top,
		 const struct exec_stack_info *info, unsigned int aux_words)
{
	const struct exec_args *args = info->args;
	uint64_t items = (uint64_t)args->argc + 1 + args->envc + 1 + 1;
	uaddr_t p = top - sizeof(uint64_t);

	at->execfn = p - (kstrlen(info->execfn) + 1);
	at->strings = at->execfn - args->used;
	p = (at->strings - random_below(STACK_ALIGN_RANDOM)) & ~15ULL;
	at->platform = p - sizeof(STACK_PLATFORM);
	at->random = at->platform - STACK_RANDOM_BYTES;
	p = at->random - aux_words * sizeof(uint64_t);
	at->sp = (p - items * sizeof(uint64_t)) & ~15ULL;
}

/* argc, the argv and envp pointers with their NULLs, then the auxv. */
static int write_vectors(struct address_space *as,
			 const struct exec_stack_info *info,
			 const struct stack_layout *at, const uint64_t *aux,
			 unsigned int aux_words)
{
	const struct exec_args *args = info->args;
	struct word_writer w = { .as = as, .pos = at->sp };
	uint32_t strings = args->argc + args->envc;
	size_t offset = 0;

	writer_put(&w, args->argc);
	for (uint32_t i = 0; i < strings; i++) {
		if (i == args->argc)
			writer_put(&w, 0);
		writer_put(&w, at->strings + offset);
		offset += kstrlen(args->buffer + offset) + 1;
	}
	if (strings == args->argc)
		writer_put(&w, 0);
	writer_put(&w, 0);
	for (unsigned int i = 0; i < aux_words; i++)
		writer_put(&w, aux[i]);
	writer_flush(&w);
	return w.err;
}

/* The strings, AT_PLATFORM and AT_RANDOM. */
static int write_strings(struct address_space *as,
			 const struct exec_stack_info *info,
			 const struct stack_layout *at)
{
	uint8_t random[STACK_RANDOM_BYTES];
	int err;

	krandom_bytes(random, sizeof(random));
	err = vm_copy_to_user(as, at->execfn, info->execfn,
			      kstrlen(info->execfn) + 1);
	if (err == 0)
		err = vm_copy_to_user(as, at->strings, info->args->buffer,
				      info->args->used);
	if (err == 0)
		err = vm_copy_to_user(as, at->platform, STACK_PLATFORM,
				      sizeof(STACK_PLATFORM));
	if (err == 0)
		err = vm_copy_to_user(as, at->random, random, sizeof(random));
	return err;
}

/* The grows-down VMA from below rsp (plus STACK_EXPAND) to `top`. */
static int map_stack(struct address_space *as, uaddr_t top, uaddr_t sp,
		     bool exec)
{
	uint64_t used = ALIGN_UP(top - sp, PAGE_SIZE);
	uint64_t size = MIN(used + STACK_EXPAND, as->stack_limit);
	unsigned int prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
	long err;

	if (used > as->stack_limit || size > top - VM_MMAP_MIN_ADDR)
		return -E2BIG;
	err = vm_mmap(as, top - size, size, prot,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
			      MAP_GROWSDOWN,
		      0);
	if (err == -EEXIST)
		return -ENOMEM; /* the image reaches into the stack */
	return err < 0 ? (int)err : 0;
}

long exec_stack_build(struct address_space *as, uaddr_t top,
		      const struct exec_stack_info *info)
{
	uint64_t aux[2 * AUXV_MAX_ENTRIES];
	struct stack_layout at;
	unsigned int aux_words;
	int err;

	/* The addresses of the pieces go into the auxv: plan with a dummy. */
	aux_words = fill_auxv(aux, info, &(struct stack_layout){ 0 });
	plan(&at, top, info, aux_words);
	fill_auxv(aux, info, &at);
	err = map_stack(as, top, at.sp, info->elf->exec_stack);
	if (err == 0)
		err = write_strings(as, info, &at);
	if (err == 0)
		err = write_vectors(as, info, &at, aux, aux_words);
	if (err < 0)
		return err == -EFAULT ? -ENOMEM : err;
	if (info->strings)
		*info->strings = at.strings;
	return (long)at.sp;
}

uaddr_t exec_mmap_base(const struct address_space *as)
{
	/* RLIM_INFINITY and the like: as far as the cap below allows. */
	uint64_t gap = MIN(as->stack_limit, as->limit) + STACK_RANDOM_RANGE +
		       VM_STACK_GUARD_GAP;

	gap = MAX(gap, (uint64_t)VM_MMAP_TOP_GAP);
	gap = MIN(gap, as->limit / 6 * 5);
	return ALIGN_DOWN(as->limit - gap - exec_random_pages(EXEC_MMAP_RANDOM),
			  PAGE_SIZE);
}
