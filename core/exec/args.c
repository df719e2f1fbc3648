/*
 * execve's argument and environment strings: copied from user (or kernel)
 * arrays into one growing kernel buffer, with Linux's limits, and edited
 * in place for `#!` interpreters. A struct exec_args belongs to the one
 * caller using it: no locks.
 */
#include "core/exec/exec_internal.h"

#include "core/include/uapi/errno.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm.h"

#define ARGS_INITIAL_CAPACITY 4096
/* The largest kmalloc block (order PMM_MAX_ORDER pages) bounds the buffer. */
#define ARGS_CAPACITY_MAX (4u * 1024u * 1024u)

/* Linux bprm_stack_limits on a quarter of RLIMIT_STACK. */
static uint64_t args_budget(uint64_t limit)
{
	limit = MIN(limit, (uint64_t)EXEC_ARGS_BUDGET_MAX);
	limit = MAX(limit, (uint64_t)EXEC_ARGS_BUDGET_MIN);
	return MIN(limit, (uint64_t)ARGS_CAPACITY_MAX);
}

uint64_t exec_args_stack_cost(const struct exec_args *args)
{
	return args->used +
	       ((uint64_t)MAX(args->argc, 1u) + args->envc) * sizeof(uint64_t);
}

/* Makes room for `more` bytes after `used`. Returns 0 or -E2BIG/-ENOMEM. */
static int args_reserve(struct exec_args *args, size_t more)
{
	size_t capacity = args->capacity ? args->capacity
					 : ARGS_INITIAL_CAPACITY;
	char *buffer;

	if (args->used + more <= args->capacity)
		return 0;
	if (args->used + more > ARGS_CAPACITY_MAX)
		return -E2BIG;
	while (capacity < args->used + more)
		capacity *= 2;
	capacity = MIN(capacity, (size_t)ARGS_CAPACITY_MAX);
	buffer = kmalloc(capacity);
	if (buffer == NULL)
		return -ENOMEM;
	if (args->buffer != NULL) {
		memcpy(buffer, args->buffer, args->used);
		kfree(args->buffer);
	}
	args->buffer = buffer;
	args->capacity = capacity;
	return 0;
}

/* Appends one kernel string (NUL included) within the budget. */
static int args_push(struct exec_args *args, const char *string)
{
	size_t length = kstrnlen(string, EXEC_ARG_STRLEN_MAX) + 1;
	int err;

	if (length > EXEC_ARG_STRLEN_MAX)
		return -E2BIG;
	if (exec_args_stack_cost(args) + length > args->budget)
		return -E2BIG;
	err = args_reserve(args, length);
	if (err < 0)
		return err;
	memcpy(args->buffer + args->used, string, length);
	args->used += length;
	return 0;
}

/*
 * Appends the user string at `src`. The copy goes straight into the
 * buffer; when it does not fit, the buffer grows and the copy is redone.
 */
static int args_push_user(struct exec_args *args, struct address_space *as,
			  uaddr_t src)
{
	for (;;) {
		size_t room = MIN(args->capacity - args->used,
				  (size_t)EXEC_ARG_STRLEN_MAX);
		long length = room == 0 ? 0 :
			vm_strncpy_from_user(as, args->buffer + args->used,
					     src, room);
		int err;

		if (length < 0)
			return (int)length;
		if ((size_t)length < room) {
			if (exec_args_stack_cost(args) + (size_t)length + 1 >
			    args->budget)
				return -E2BIG;
			args->used += (size_t)length + 1;
			return 0;
		}
		if (room == EXEC_ARG_STRLEN_MAX)
			return -E2BIG; /* no NUL within MAX_ARG_STRLEN */
		err = args_reserve(args, args->capacity - args->used + 1);
		if (err < 0)
			return err;
	}
}

/*
 * Counts the pointers of a user array, stopping (-E2BIG) once they alone
 * would exceed the budget, so a huge argc costs a bounded walk.
 */
static int count_user(struct address_space *as, uaddr_t array,
		      uint64_t budget, uint64_t already, uint32_t *count)
{
	uint64_t pointer;
	int err;

	*count = 0;
	if (array == 0)
		return 0;
	for (;;) {
		err = vm_copy_from_user(as, &pointer,
					array + (uint64_t)*count * 8, 8);
		if (err < 0)
			return -EFAULT;
		if (pointer == 0)
			return 0;
		if ((already + *count + 1) * 8 >= budget ||
		    *count >= EXEC_ARGS_MAX)
			return -E2BIG;
		(*count)++;
	}
}

static int copy_user_strings(struct exec_args *args, struct address_space *as,
			     uaddr_t array, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t pointer;
		int err = vm_copy_from_user(as, &pointer, array + i * 8ULL, 8);

		if (err == 0)
			err = args_push_user(args, as, pointer);
		if (err < 0)
			return err == -ENOMEM || err == -E2BIG ? err : -EFAULT;
	}
	return 0;
}

static int args_start(struct exec_args *args, uint64_t limit)
{
	*args = (struct exec_args){ .budget = args_budget(limit) };
	return args_reserve(args, ARGS_INITIAL_CAPACITY);
}

int exec_args_from_user(struct exec_args *args, struct address_space *as,
			uaddr_t argv, uaddr_t envp, uint64_t limit)
{
	uint32_t argc, envc;
	int err = args_start(args, limit);

	if (err == 0)
		err = count_user(as, argv, args->budget, 0, &argc);
	if (err == 0)
		err = count_user(as, envp, args->budget, argc, &envc);
	if (err == 0 && ((uint64_t)MAX(argc, 1u) + envc) * 8 >= args->budget)
		err = -E2BIG;
	/* The pointers count against the budget from the start, as Linux. */
	if (err == 0) {
		args->argc = MAX(argc, 1u);
		args->envc = envc;
	}
	if (err == 0 && argc == 0)
		err = args_push(args, ""); /* Linux 5.18+: argv = {""} */
	if (err == 0)
		err = copy_user_strings(args, as, argv, argc);
	if (err == 0)
		err = copy_user_strings(args, as, envp, envc);
	if (err < 0)
		exec_args_free(args);
	return err;
}

static int push_kernel_array(struct exec_args *args, const char *const *array,
			     uint32_t *count)
{
	int err = 0;

	*count = 0;
	for (; array != NULL && array[*count] != NULL && err == 0; (*count)++)
		err = args_push(args, array[*count]);
	return err;
}

int exec_args_from_kernel(struct exec_args *args, const char *const *argv,
			  const char *const *envp)
{
	int err = args_start(args, VM_STACK_LIMIT_DEFAULT / 4);

	if (err == 0)
		err = push_kernel_array(args, argv, &args->argc);
	if (err == 0 && args->argc == 0) {
		err = args_push(args, "");
		args->argc = 1;
	}
	if (err == 0)
		err = push_kernel_array(args, envp, &args->envc);
	if (err < 0)
		exec_args_free(args);
	return err;
}

void exec_args_free(struct exec_args *args)
{
	kfree(args->buffer);
	*args = (struct exec_args){ 0 };
}

int exec_args_prepend_interp(struct exec_args *args, const char *interp,
			     const char *arg, const char *script)
{
	size_t old_first = kstrlen(args->buffer) + 1;
	size_t script_length = kstrlen(script) + 1;
	size_t interp_length = kstrlen(interp) + 1;
	size_t arg_length = arg[0] ? kstrlen(arg) + 1 : 0;
	size_t front = interp_length + arg_length + script_length;
	uint32_t added = arg[0] ? 2 : 1; /* argv[0] goes, 2 or 3 come */
	int err;

	if (script_length > EXEC_ARG_STRLEN_MAX ||
	    exec_args_stack_cost(args) - old_first + front + added * 8 >
		    args->budget)
		return -E2BIG;
	if (front > old_first) {
		err = args_reserve(args, front - old_first);
		if (err < 0)
			return err;
	}
	memmove(args->buffer + front, args->buffer + old_first,
		args->used - old_first);
	memcpy(args->buffer, interp, interp_length);
	memcpy(args->buffer + interp_length, arg, arg_length);
	memcpy(args->buffer + interp_length + arg_length, script,
	       script_length);
	args->used = args->used - old_first + front;
	args->argc += added;
	return 0;
}
