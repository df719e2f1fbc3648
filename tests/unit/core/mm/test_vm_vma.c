/*
 * The VMA tree: splits and merges under mmap, munmap and mprotect, checked
 * against a reference model (one state per page) over random operation
 * sequences, with page contents followed too.
 */
#include <stdlib.h>

#include "vm_helpers.h"

#define BASE 0x20000000ULL
#define MODEL_PAGES 64
#define UNMAPPED (-1)

Test(vm_vma, adjacent_compatible_mappings_merge, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_map(as, BASE + 2 * PAGE_SIZE, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_test_vma_count(as), 2);
	vm_test_map(as, BASE + PAGE_SIZE, PAGE_SIZE, RW,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_test_vma_count(as), 1, "filling the hole merges");
	vm_test_map(as, BASE + 3 * PAGE_SIZE, PAGE_SIZE, PROT_READ,
		    ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_test_vma_count(as), 2, "other prot: no merge");
	vm_test_map(as, BASE + 4 * PAGE_SIZE, PAGE_SIZE, RW,
		    ANON_SHARED | MAP_FIXED);
	vm_test_map(as, BASE + 5 * PAGE_SIZE, PAGE_SIZE, RW,
		    ANON_SHARED | MAP_FIXED);
	cr_assert_eq(vm_test_vma_count(as), 4,
		     "different shared objects never merge");
	vm_test_destroy(as);
}

Test(vm_vma, munmap_in_the_middle_splits, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, 8 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	for (unsigned int i = 0; i < 8; i++)
		vm_test_poke(as, BASE + i * PAGE_SIZE, (uint8_t)(i + 1));
	cr_assert_eq(vm_munmap(as, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	cr_assert_eq(vm_test_vma_count(as), 2);
	cr_assert_eq(vm_fault(as, BASE + 3 * PAGE_SIZE, VM_ACCESS_READ),
		     -EFAULT);
	cr_assert_eq(vm_test_peek(as, BASE + 2 * PAGE_SIZE), 3);
	cr_assert_eq(vm_test_peek(as, BASE + 5 * PAGE_SIZE), 6);
	vm_test_destroy(as);
}

Test(vm_vma, mprotect_splits_and_merges_back, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();

	vm_test_map(as, BASE, 8 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE + 4 * PAGE_SIZE, 42);
	cr_assert_eq(vm_mprotect(as, BASE + 2 * PAGE_SIZE, 4 * PAGE_SIZE,
				 PROT_READ, NULL), 0);
	cr_assert_eq(vm_test_vma_count(as), 3);
	cr_assert_eq(vm_copy_to_user(as, BASE + 4 * PAGE_SIZE, "x", 1),
		     -EFAULT);
	cr_assert_eq(vm_test_peek(as, BASE + 4 * PAGE_SIZE), 42);
	cr_assert_eq(vm_mprotect(as, BASE + 2 * PAGE_SIZE, 4 * PAGE_SIZE, RW,
				 NULL), 0);
	cr_assert_eq(vm_test_vma_count(as), 1);
	vm_test_poke(as, BASE + 4 * PAGE_SIZE, 43);
	vm_test_destroy(as);
}

Test(vm_vma, prot_none_keeps_the_contents, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uint8_t byte;

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	vm_test_poke(as, BASE, 9);
	cr_assert_eq(vm_mprotect(as, BASE, PAGE_SIZE, PROT_NONE, NULL), 0);
	cr_assert_eq(vm_copy_from_user(as, &byte, BASE, 1), -EFAULT);
	cr_assert_eq(vm_mprotect(as, BASE, PAGE_SIZE, PROT_READ, NULL), 0);
	cr_assert_eq(vm_test_peek(as, BASE), 9);
	vm_test_destroy(as);
}

struct model {
	int prot[MODEL_PAGES];		/* UNMAPPED or PROT_* */
	uint8_t data[MODEL_PAGES];
};

struct check_args {
	const struct model *model;
	unsigned int runs_seen;
};

/* Every VMA in the window must match the model page by page. */
static int check_vma(const struct vma *vma, void *arg)
{
	struct check_args *args = arg;

	for (uaddr_t a = vma->start; a < vma->end; a += PAGE_SIZE) {
		unsigned int page = (unsigned int)((a - BASE) / PAGE_SIZE);

		cr_assert(a >= BASE && page < MODEL_PAGES,
			  "VMA outside the window at %#lx", (unsigned long)a);
		cr_assert_eq(args->model->prot[page], (int)vma->prot,
			     "page %u", page);
	}
	args->runs_seen++;
	return 0;
}

static unsigned int model_runs(const struct model *model)
{
	unsigned int runs = 0;

	for (unsigned int i = 0; i < MODEL_PAGES; i++) {
		if (model->prot[i] != UNMAPPED &&
		    (i == 0 || model->prot[i - 1] != model->prot[i]))
			runs++;
	}
	return runs;
}

static void check_model(struct address_space *as, const struct model *model)
{
	struct check_args args = { .model = model };

	cr_assert_eq(vm_validate(as), 0);
	vm_for_each_vma(as, check_vma, &args);
	cr_assert_eq(args.runs_seen, model_runs(model),
		     "VMAs were not merged (or not split) as the model says");
	for (unsigned int i = 0; i < MODEL_PAGES; i++) {
		uaddr_t addr = BASE + i * PAGE_SIZE;
		uint8_t byte;
		int err = vm_copy_from_user(as, &byte, addr, 1);

		if (model->prot[i] == UNMAPPED || model->prot[i] == PROT_NONE) {
			cr_assert_eq(err, -EFAULT, "page %u", i);
			continue;
		}
		cr_assert_eq(err, 0, "page %u", i);
		cr_assert_eq(byte, model->data[i], "page %u", i);
	}
}

static void random_op(struct address_space *as, struct model *model,
		      unsigned int *seed)
{
	unsigned int first = (unsigned int)rand_r(seed) % MODEL_PAGES;
	unsigned int count = 1 + (unsigned int)rand_r(seed) %
					 (MODEL_PAGES - first);
	uaddr_t addr = BASE + first * PAGE_SIZE;
	int prot = (int)((unsigned int)rand_r(seed) % 4); /* NONE, R, W, RW */
	bool mapped = true;

	switch (rand_r(seed) % 4) {
	case 0:
		cr_assert_eq(vm_mmap(as, addr, count * PAGE_SIZE,
				     (unsigned int)prot,
				     ANON_PRIVATE | MAP_FIXED, 0), (long)addr);
		for (unsigned int i = first; i < first + count; i++) {
			model->prot[i] = prot;
			model->data[i] = 0;
		}
		break;
	case 1:
		cr_assert_eq(vm_munmap(as, addr, count * PAGE_SIZE), 0);
		for (unsigned int i = first; i < first + count; i++)
			model->prot[i] = UNMAPPED;
		break;
	case 2:
		for (unsigned int i = first; i < first + count; i++)
			mapped = mapped && model->prot[i] != UNMAPPED;
		cr_assert_eq(vm_mprotect(as, addr, count * PAGE_SIZE,
					 (unsigned int)prot, NULL),
			     mapped ? 0 : -ENOMEM);
		for (unsigned int i = first; mapped && i < first + count; i++)
			model->prot[i] = prot;
		break;
	default: /* write a byte where the model says it is writable */
		if (model->prot[first] != UNMAPPED &&
		    (model->prot[first] & PROT_WRITE)) {
			model->data[first] = (uint8_t)rand_r(seed);
			vm_test_poke(as, addr, model->data[first]);
		} else {
			cr_assert_eq(vm_copy_to_user(as, addr, "q", 1),
				     -EFAULT);
		}
		break;
	}
}

Test(vm_vma, random_sequences_match_the_model, .init = vm_test_boot)
{
	for (unsigned int seed0 = 1; seed0 <= 20; seed0++) {
		struct address_space *as = vm_test_create();
		struct model model;
		unsigned int seed = seed0;

		for (unsigned int i = 0; i < MODEL_PAGES; i++)
			model.prot[i] = UNMAPPED;
		for (unsigned int step = 0; step < 150; step++) {
			random_op(as, &model, &seed);
			check_model(as, &model);
		}
		vm_test_destroy(as);
	}
}

Test(vm_vma, random_sequences_after_fork_stay_separate, .init = vm_test_boot)
{
	for (unsigned int seed0 = 1; seed0 <= 10; seed0++) {
		struct address_space *parent = vm_test_create();
		struct address_space *child;
		struct model parent_model, child_model;
		unsigned int seed = seed0 * 7919;

		for (unsigned int i = 0; i < MODEL_PAGES; i++)
			parent_model.prot[i] = UNMAPPED;
		for (unsigned int step = 0; step < 60; step++)
			random_op(parent, &parent_model, &seed);
		child = vm_fork(parent);
		cr_assert_not(IS_ERR(child));
		child_model = parent_model;
		check_model(child, &child_model);
		for (unsigned int step = 0; step < 120; step++) {
			if (step % 2)
				random_op(child, &child_model, &seed);
			else
				random_op(parent, &parent_model, &seed);
			check_model(parent, &parent_model);
			check_model(child, &child_model);
		}
		vm_put(child);
		vm_test_destroy(parent);
	}
}

Test(vm_vma, validate_catches_a_page_outside_every_vma, .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	uaddr_t stray = BASE + 100 * PAGE_SIZE;

	vm_test_map(as, BASE, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_validate(as), 0);
	cr_assert_eq(pgtable_map(as->root, stray, 0x5000, PAGE_SIZE,
				 PTE_USER, 0), 0);
	cr_assert_eq(vm_validate(as), -EINVAL);
	cr_assert_eq(pgtable_unmap(as->root, stray, PAGE_SIZE), 0);
	vm_test_destroy(as);
}

Test(vm_vma, validate_catches_a_writable_page_in_a_read_only_vma,
     .init = vm_test_boot)
{
	struct address_space *as = vm_test_create();
	pte_t *entry;

	vm_test_map(as, BASE, PAGE_SIZE, PROT_READ, ANON_PRIVATE | MAP_FIXED);
	cr_assert_eq(vm_fault(as, BASE, VM_ACCESS_READ), 0);
	entry = pgtable_leaf_entry(as->root, BASE, false);
	cr_assert_not(IS_ERR_OR_NULL(entry));
	*entry |= PTE_WRITE;
	cr_assert_eq(vm_validate(as), -EINVAL);
	*entry &= ~PTE_WRITE;
	vm_test_destroy(as);
}
