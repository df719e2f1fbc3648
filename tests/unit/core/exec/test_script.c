/*
 * `#!` scripts through exec_load: Linux's parsing of the line, argv
 * rewritten to [interpreter, argument?, script, argv[1]...], nesting up
 * to EXEC_INTERPRETER_DEPTH, and the errors of a bad interpreter.
 */
#include "exec_test.h"

static struct exec_args args;
static struct exec_image image;

static void setup(void)
{
	struct et_image elf = et_standard();

	vfs_test_init();
	et_mkdir("/bin");
	et_write_image("/bin/x", &elf);
}

static void teardown(void)
{
	exec_image_release(&image);
	exec_args_free(&args);
	vfs_test_fini();
}

#define SCRIPT_TEST(name) \
	Test(exec_script, name, .init = setup, .fini = teardown)

static void write_script(const char *path, const char *text)
{
	et_write_file(path, text, strlen(text), 0755);
}

/* Runs `path` with argv {"orig0", "a1"}; returns exec_load's result. */
static int run(const char *path)
{
	const char *const argv[] = { "orig0", "a1", NULL };
	const char *const envp[] = { "E=1", NULL };

	exec_image_release(&image);
	exec_args_free(&args);
	et_args(&args, argv, envp);
	return exec_load(R, NULL, path, 0, &args, &et_root_cred, &image);
}

static void assert_runs_with(const char *path, const char *const *argv)
{
	struct et_stack st;
	char buf[64];

	cr_assert_eq(run(path), 0, "exec %s", path);
	et_read_stack(image.as, image.stack_pointer, &st);
	et_assert_argv(image.as, &st, argv);
	cr_assert_eq(st.envc, 1);
	et_string(image.as, et_aux(&st, AT_EXECFN), buf, sizeof(buf));
	cr_assert_str_eq(buf, path, "AT_EXECFN is the script");
	cr_assert_eq(image.entry, 0x400100, "the interpreter runs");
}

SCRIPT_TEST(the_interpreter_gets_its_argument_and_the_script)
{
	const char *const argv[] = { "/bin/x", "arg", "/s", "a1", NULL };
	struct stat interp, exe;

	write_script("/s", "#!/bin/x arg\necho hi\n");
	assert_runs_with("/s", argv);
	cr_assert_str_eq(image.comm, "s");
	cr_assert_eq(vfs_fstat(image.file, &exe), 0);
	cr_assert_eq(vfs_fstatat(R, NULL, "/bin/x", &interp, 0), 0);
	cr_assert_eq(exe.st_ino, interp.st_ino, "exe is the interpreter");
}

SCRIPT_TEST(blanks_are_trimmed_and_the_rest_is_one_argument)
{
	const char *const spaced[] = { "/bin/x", "a  b", "/s", "a1", NULL };
	const char *const bare[] = { "/bin/x", "/s", "a1", NULL };
	const char *const tab[] = { "/bin/x", "-e", "/s", "a1", NULL };

	write_script("/s", "#! \t /bin/x   a  b \t \nrest");
	assert_runs_with("/s", spaced);
	write_script("/s", "#!/bin/x\n");
	assert_runs_with("/s", bare);
	write_script("/s", "#!/bin/x");
	assert_runs_with("/s", bare);
	write_script("/s", "#!/bin/x\t-e\n");
	assert_runs_with("/s", tab);
}

SCRIPT_TEST(a_line_without_an_interpreter_is_enoexec)
{
	char line[300];

	write_script("/s", "#!\n");
	cr_assert_eq(run("/s"), -ENOEXEC);
	write_script("/s", "#!  \t \n");
	cr_assert_eq(run("/s"), -ENOEXEC);
	/* An interpreter path longer than the line Linux reads. */
	memset(line, 'a', sizeof(line));
	line[0] = '#';
	line[1] = '!';
	line[2] = '/';
	et_write_file("/s", line, sizeof(line), 0755);
	cr_assert_eq(run("/s"), -ENOEXEC);
}

SCRIPT_TEST(a_bad_interpreter_fails_with_its_error)
{
	write_script("/s", "#!/bin/missing\n");
	cr_assert_eq(run("/s"), -ENOENT);
	write_script("/noexec", "#!/bin/x\n");
	cr_assert_eq(vfs_fchmodat(R, NULL, "/noexec", 0644, 0), 0);
	write_script("/s", "#!/noexec\n");
	cr_assert_eq(run("/s"), -EACCES);
	write_script("/s", "#!/bin\n");
	cr_assert_eq(run("/s"), -EACCES);
	cr_assert_eq(run("/noexec"), -EACCES, "the script needs x too");
}

SCRIPT_TEST(five_scripts_may_nest_and_six_are_eloop)
{
	const char *const argv[] = { "/bin/x", "/s1", "/s2", "/s3", "/s4",
				     "/s5", "a1", NULL };

	write_script("/s1", "#!/bin/x\n");
	write_script("/s2", "#!/s1\n");
	write_script("/s3", "#!/s2\n");
	write_script("/s4", "#!/s3\n");
	write_script("/s5", "#!/s4\n");
	assert_runs_with("/s5", argv);
	write_script("/s6", "#!/s5\n");
	cr_assert_eq(run("/s6"), -ELOOP);
	write_script("/self", "#!/self\n");
	cr_assert_eq(run("/self"), -ELOOP);
}
