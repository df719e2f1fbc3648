/*
 * Path walking: ".", "..", the caller's root, *at directories, symbolic
 * links (nesting limit, O_NOFOLLOW, trailing slashes), length limits.
 */
#include "vfs_test.h"

#include <stdio.h>
#include <stdlib.h>

VFS_TEST(vfs_namei, dot_and_dotdot_resolve)
{
	struct stat a, b;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/a", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/a/b", 0755), 0);
	a = vt_stat(R, "/a");
	b = vt_stat(R, "/a/b/./../b/.");
	cr_assert_eq(vt_stat(R, "/a/b/..").st_ino, a.st_ino);
	cr_assert_eq(vt_stat(R, "/a//b").st_ino, b.st_ino);
	cr_assert_eq(vt_stat(R, "/..").st_ino, vt_stat(R, "/").st_ino);
	cr_assert_eq(vt_stat(R, "/../../a").st_ino, a.st_ino);
}

VFS_TEST(vfs_namei, empty_path_is_enoent)
{
	struct stat st;

	cr_assert_eq(vt_open_err(R, "", O_RDONLY, 0), -ENOENT);
	cr_assert_eq(vfs_mkdirat(R, NULL, "", 0755), -ENOENT);
	cr_assert_eq(vfs_fstatat(R, NULL, "", &st, 0), -ENOENT);
	cr_assert_eq(vfs_fstatat(R, NULL, "", &st, AT_EMPTY_PATH), 0);
	cr_assert(S_ISDIR(st.st_mode));
}

VFS_TEST(vfs_namei, intermediate_file_is_enotdir)
{
	vt_write_file(R, "/f", "x");
	cr_assert_eq(vt_open_err(R, "/f/x", O_RDONLY, 0), -ENOTDIR);
	cr_assert_eq(vt_open_err(R, "/f/", O_RDONLY, 0), -ENOTDIR);
	cr_assert_eq(vt_open_err(R, "/nope/x", O_RDONLY, 0), -ENOENT);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/f/d", 0755), -ENOTDIR);
}

VFS_TEST(vfs_namei, path_max_and_name_max)
{
	char *path = malloc(PATH_MAX + 2);

	/* "./" repeated: a valid path of 4094 and of 4095 bytes. */
	for (int i = 0; i < PATH_MAX / 2; i++)
		memcpy(path + 2 * i, "./", 2);
	path[PATH_MAX - 1] = '\0';
	cr_assert_eq(vt_open_err(R, path, O_RDONLY, 0), 0);
	path[PATH_MAX - 1] = '.';
	path[PATH_MAX] = '\0';	/* 4096 bytes: too long */
	cr_assert_eq(vt_open_err(R, path, O_RDONLY, 0), -ENAMETOOLONG);
	memset(path, 'a', 256);
	path[256] = '\0';
	cr_assert_eq(vt_open_err(R, path, O_RDONLY, 0), -ENAMETOOLONG);
	cr_assert_eq(vt_open_err(R, path, O_CREAT | O_WRONLY, 0644),
		     -ENAMETOOLONG);
	cr_assert_eq(vfs_mkdirat(R, NULL, path, 0755), -ENAMETOOLONG);
	path[255] = '\0';
	cr_assert_eq(vt_open_err(R, path, O_RDONLY, 0), -ENOENT);
	cr_assert_eq(vfs_mkdirat(R, NULL, path, 0755), 0);
	cr_assert(S_ISDIR(vt_stat(R, path).st_mode));
	free(path);
}

VFS_TEST(vfs_namei, symlinks_follow_relative_and_absolute)
{
	char buf[64];

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	vt_write_file(R, "/d/target", "hello");
	cr_assert_eq(vfs_symlinkat(R, "target", NULL, "/d/rel"), 0);
	cr_assert_eq(vfs_symlinkat(R, "/d/target", NULL, "/abs"), 0);
	cr_assert_eq(vfs_symlinkat(R, "d", NULL, "/dirlink"), 0);
	cr_assert_eq(vt_read_file(R, "/d/rel", buf, sizeof(buf)), 5);
	cr_assert_str_eq(buf, "hello");
	cr_assert_eq(vt_read_file(R, "/abs", buf, sizeof(buf)), 5);
	cr_assert_eq(vt_read_file(R, "/dirlink/rel", buf, sizeof(buf)), 5);
	cr_assert(S_ISLNK(vt_stat(R, "/dirlink").st_mode));
	cr_assert(S_ISDIR(vt_stat(R, "/dirlink/").st_mode));
	cr_assert_eq(vfs_readlinkat(R, NULL, "/d/rel", buf, sizeof(buf)), 6);
	cr_assert_eq(memcmp(buf, "target", 6), 0);
	cr_assert_eq(vfs_readlinkat(R, NULL, "/d/rel", buf, 3), 3);
	cr_assert_eq(vfs_readlinkat(R, NULL, "/d/target", buf, 64), -EINVAL);
	cr_assert_eq(vfs_readlinkat(R, NULL, "", buf, 64), -ENOENT);
	cr_assert_eq(vfs_readlinkat(R, NULL, "/d/rel", buf, 0), -EINVAL);
	cr_assert_eq(vfs_symlinkat(R, "", NULL, "/empty"), -ENOENT);
	cr_assert_eq(vfs_symlinkat(R, "x", NULL, "/d/rel"), -EEXIST);
}

/* l0 -> target, l1 -> l0 ... : opening l39 follows 40 links. */
VFS_TEST(vfs_namei, forty_links_resolve_the_41st_is_eloop)
{
	char name[16], previous[16];

	vt_write_file(R, "/target", "x");
	cr_assert_eq(vfs_symlinkat(R, "target", NULL, "/l0"), 0);
	for (int i = 1; i <= 41; i++) {
		snprintf(previous, sizeof(previous), "l%d", i - 1);
		snprintf(name, sizeof(name), "/l%d", i);
		cr_assert_eq(vfs_symlinkat(R, previous, NULL, name), 0);
	}
	cr_assert_eq(vt_open_err(R, "/l39", O_RDONLY, 0), 0);
	cr_assert_eq(vt_open_err(R, "/l40", O_RDONLY, 0), -ELOOP);
	cr_assert_eq(vt_open_err(R, "/l41", O_RDONLY, 0), -ELOOP);
	cr_assert_eq(vfs_symlinkat(R, "loop", NULL, "/loop"), 0);
	cr_assert_eq(vt_open_err(R, "/loop", O_RDONLY, 0), -ELOOP);
	cr_assert_eq(vt_open_err(R, "/loop/x", O_RDONLY, 0), -ELOOP);
}

VFS_TEST(vfs_namei, nofollow_and_o_path)
{
	vt_write_file(R, "/f", "x");
	cr_assert_eq(vfs_symlinkat(R, "f", NULL, "/lnk"), 0);
	cr_assert_eq(vt_open_err(R, "/lnk", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	cr_assert_eq(vt_open_err(R, "/lnk", O_RDONLY | O_NOFOLLOW | O_PATH, 0),
		     0);
	cr_assert_eq(vt_open_err(R, "/lnk", O_CREAT | O_EXCL | O_WRONLY, 0644),
		     -EEXIST);
	cr_assert_eq(vt_open_err(R, "/lnk", O_CREAT | O_NOFOLLOW | O_WRONLY,
				 0644), -ELOOP);
}

VFS_TEST(vfs_namei, creat_through_dangling_link_creates_target)
{
	cr_assert_eq(vfs_symlinkat(R, "dangle", NULL, "/dl"), 0);
	cr_assert_eq(vt_open_err(R, "/dl", O_CREAT | O_WRONLY, 0644), 0);
	cr_assert(S_ISREG(vt_stat(R, "/dangle").st_mode));
}

VFS_TEST(vfs_namei, at_calls_use_the_directory_file)
{
	struct vfs_file *dir, *file;
	struct stat st;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/d", 0755), 0);
	dir = vt_open(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	cr_assert_eq(vfs_mkdirat(R, dir, "sub", 0755), 0);
	file = vfs_openat(R, dir, "sub/f", O_CREAT | O_WRONLY, 0600);
	cr_assert_not(IS_ERR(file));
	cr_assert_eq(vfs_fstatat(R, dir, "sub/f", &st, 0), 0);
	cr_assert_eq(st.st_mode, S_IFREG | 0600);
	/* A relative path against a file is ENOTDIR, an absolute one not. */
	cr_assert_eq(vfs_fstatat(R, file, "x", &st, 0), -ENOTDIR);
	cr_assert_eq(vfs_fstatat(R, file, "/d", &st, 0), 0);
	cr_assert_eq(vfs_fstatat(R, file, "", &st, AT_EMPTY_PATH), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(vfs_unlinkat(R, dir, "sub/f", 0), 0);
	cr_assert_eq(vfs_unlinkat(R, dir, "sub", AT_REMOVEDIR), 0);
	vfs_file_put(file);
	vfs_file_put(dir);
}

VFS_TEST(vfs_namei, chdir_and_chroot)
{
	struct stat st;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/jail", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/jail/in", 0755), 0);
	vt_write_file(R, "/outside", "x");
	cr_assert_eq(vfs_chdir(R, "/jail"), 0);
	cr_assert_eq(vfs_fstatat(R, NULL, "in", &st, 0), 0);
	cr_assert_eq(vfs_chdir(R, "/outside"), -ENOTDIR);
	cr_assert_eq(vfs_chroot(U, "/jail"), -EPERM);
	cr_assert_eq(vfs_chroot(R, "/jail"), 0);
	/* ".." stops at the new root; absolute paths start there. */
	cr_assert_eq(vfs_fstatat(R, NULL, "/in", &st, 0), 0);
	cr_assert_eq(vfs_fstatat(R, NULL, "/../../in", &st, 0), 0);
	cr_assert_eq(vfs_fstatat(R, NULL, "/outside", &st, 0), -ENOENT);
	cr_assert_eq(vfs_symlinkat(R, "/in", NULL, "/jail-abs"), 0);
	cr_assert(S_ISDIR(vt_stat(R, "/jail-abs/").st_mode));
}

VFS_TEST(vfs_namei, names_with_slashes_are_paths_not_components)
{
	/* A '/' splits components: "a/b" as a single name does not exist. */
	cr_assert_eq(vfs_mkdirat(R, NULL, "/a/b", 0755), -ENOENT);
	cr_assert_eq(vfs_symlinkat(R, "t", NULL, "/y/"), -ENOENT);
	cr_assert_eq(vfs_mknodat(R, NULL, "/y/", S_IFREG | 0644, 0), -ENOENT);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/x/", 0755), 0);
	cr_assert_eq(vt_open_err(R, "/new/", O_CREAT | O_WRONLY, 0644),
		     -EISDIR);
}

static uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/*
 * Random paths over a tree with relative, absolute, dangling, looping
 * and directory symlinks: every walk ends in success or an errno, stat
 * and open agree, and nothing leaks (the fixture checks).
 */
VFS_TEST(vfs_namei, random_paths_over_a_symlink_tree)
{
	static const char *parts[] = {
		"a", "b", "c", "f", "la", "lroot", "lloop", "ldangle", "lup",
		".", "..", "", "nope",
	};
	char path[256];
	uint32_t seed = 42;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/a", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/a/b", 0755), 0);
	cr_assert_eq(vfs_mkdirat(R, NULL, "/a/b/c", 0700), 0);
	vt_write_file(R, "/a/f", "x");
	cr_assert_eq(vfs_symlinkat(R, "a", NULL, "/la"), 0);
	cr_assert_eq(vfs_symlinkat(R, "/", NULL, "/a/lroot"), 0);
	cr_assert_eq(vfs_symlinkat(R, "lloop", NULL, "/a/b/lloop"), 0);
	cr_assert_eq(vfs_symlinkat(R, "gone/x", NULL, "/a/ldangle"), 0);
	cr_assert_eq(vfs_symlinkat(R, "../..", NULL, "/a/b/lup"), 0);
	for (int round = 0; round < 3000; round++) {
		const struct vfs_caller *who = round % 3 ? R : U;
		int count = 1 + (int)(next_random(&seed) % 7);
		struct vfs_file *file;
		struct stat st, fst;
		size_t at = 0;
		int err;

		path[at++] = round % 5 ? '/' : 'a';
		for (int i = 0; i < count; i++) {
			size_t pick = next_random(&seed) %
				      (sizeof(parts) / sizeof(*parts));
			const char *part = parts[pick];

			at += (size_t)snprintf(path + at, sizeof(path) - at,
					       "%s%s", part,
					       i + 1 < count ? "/" : "");
		}
		if (next_random(&seed) % 4 == 0)
			path[at++] = '/';
		path[at] = '\0';
		err = vfs_fstatat(who, NULL, path, &st, 0);
		file = vfs_openat(who, NULL, path, O_RDONLY, 0);
		cr_assert(err <= 0 && err > -4096);
		if (err == 0 && !IS_ERR(file)) {
			cr_assert_eq(vfs_fstat(file, &fst), 0);
			cr_assert_eq(fst.st_ino, st.st_ino, "%s", path);
		}
		if (err == 0 && S_ISDIR(st.st_mode) && who == R)
			cr_assert_not(IS_ERR(file), "%s", path);
		if (err < 0)
			cr_assert_eq(PTR_ERR(file), err, "%s", path);
		if (!IS_ERR(file))
			vfs_file_put(file);
	}
}
