/*
 * The initramfs unpacker: archives made by the host's cpio (newc) and
 * gzip with every entry type, hand-built archives for the refusals
 * (".." and absolute names, truncation at every byte, bad headers), and
 * concatenated raw + compressed archives.
 */
#include "vfs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs/initramfs.h"

/* Runs a shell command and returns its standard output. */
static uint8_t *run(const char *command, size_t *size)
{
	size_t capacity = 1 << 20;
	uint8_t *out = malloc(capacity);
	FILE *pipe = popen(command, "r");

	cr_assert_not_null(pipe);
	*size = fread(out, 1, capacity, pipe);
	cr_assert_lt(*size, capacity);
	cr_assert_eq(pclose(pipe), 0, "%s", command);
	return out;
}

/* A tree on the host, archived with cpio -H newc (gzip when asked). */
static uint8_t *host_archive(bool compress, size_t *size)
{
	char command[1024];

	snprintf(command, sizeof(command),
		 "set -e; d=$(mktemp -d); cd $d; umask 022;"
		 "mkdir -p bin etc/sub; printf 'hello\\n' > etc/motd;"
		 "head -c 70000 /dev/urandom > bin/blob; chmod 4755 bin/blob;"
		 "ln bin/blob bin/blob2; ln -s ../etc/motd bin/motd-link;"
		 "mkfifo etc/fifo; mknod etc/tty c 4 1; mknod etc/sda b 8 0;"
		 "chown 1000:2000 etc/motd; touch -h -d @1000000000 etc/motd"
		 " bin/motd-link etc; touch -d @1500000000 etc/sub;"
		 "find . | LC_ALL=C sort | cpio --quiet -o -H newc %s;"
		 "cd /; rm -rf $d", compress ? "| gzip -9" : "");
	return run(command, size);
}

static void check_host_tree(void)
{
	char buf[16];
	struct stat st;

	cr_assert_eq(vt_read_file(R, "/etc/motd", buf, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "hello\n");
	st = vt_stat(R, "/etc/motd");
	cr_assert_eq(st.st_uid, 1000);
	cr_assert_eq(st.st_gid, 2000);
	cr_assert_eq(st.st_mtime_sec, 1000000000);
	cr_assert_eq(st.st_mode, S_IFREG | 0644);
	st = vt_stat(R, "/bin/blob");
	cr_assert_eq(st.st_mode, S_IFREG | 04755);
	cr_assert_eq(st.st_size, 70000);
	cr_assert_eq(st.st_nlink, 2);
	cr_assert_eq(vt_stat(R, "/bin/blob2").st_ino, st.st_ino);
	st = vt_stat(R, "/bin/motd-link");
	cr_assert(S_ISLNK(st.st_mode));
	cr_assert_eq(st.st_mtime_sec, 1000000000);
	cr_assert_eq(vt_read_file(R, "/bin/motd-link", buf, sizeof(buf)), 6);
	cr_assert(S_ISFIFO(vt_stat(R, "/etc/fifo").st_mode));
	st = vt_stat(R, "/etc/tty");
	cr_assert(S_ISCHR(st.st_mode));
	cr_assert_eq(st.st_rdev, (4 << 8) | 1);
	cr_assert(S_ISBLK(vt_stat(R, "/etc/sda").st_mode));
	cr_assert_eq(vt_stat(R, "/etc").st_mtime_sec, 1000000000);
	cr_assert_eq(vt_stat(R, "/etc/sub").st_mtime_sec, 1500000000);
}

VFS_TEST(initramfs, unpacks_host_cpio_newc)
{
	size_t size;
	uint8_t *archive = host_archive(false, &size);

	cr_assert_eq(initramfs_unpack(R, archive, size), 0);
	check_host_tree();
	free(archive);
}

VFS_TEST(initramfs, unpacks_gzip_and_concatenated_archives)
{
	size_t raw_size, packed_size;
	uint8_t *raw = host_archive(false, &raw_size);
	uint8_t *packed = host_archive(true, &packed_size);
	uint8_t *both = calloc(1, raw_size + 512 + packed_size);

	memcpy(both, packed, packed_size);
	memcpy(both + packed_size + 512, raw, raw_size);	/* zero gap */
	cr_assert_eq(initramfs_unpack(R, both, packed_size + 512 + raw_size),
		     0);
	check_host_tree();
	free(raw);
	free(packed);
	free(both);
}

/* Appends one newc entry of inode `ino` with `nlink`; the new length. */
static size_t linked_entry(uint8_t *buf, size_t at, const char *name,
			   uint32_t mode, const char *data, uint32_t ino,
			   uint32_t nlink)
{
	size_t name_size = strlen(name) + 1, size = data ? strlen(data) : 0;

	at += (size_t)sprintf((char *)buf + at,
			      "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X"
			      "%08X%08X%08X", ino, mode, 0u, 0u, nlink, 0u,
			      (unsigned int)size, 0u, 0u, 0u, 0u,
			      (unsigned int)name_size, 0u);
	memcpy(buf + at, name, name_size);
	at = (at + name_size + 3) & ~(size_t)3;
	if (size != 0)
		memcpy(buf + at, data, size);
	return (at + size + 3) & ~(size_t)3;
}

static size_t entry(uint8_t *buf, size_t at, const char *name, uint32_t mode,
		    const char *data)
{
	return linked_entry(buf, at, name, mode, data, 1, 1);
}

static size_t trailer(uint8_t *buf, size_t at)
{
	return entry(buf, at, "TRAILER!!!", 0, NULL);
}

VFS_TEST(initramfs, refuses_escaping_names)
{
	static uint8_t buf[4096];
	size_t size;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/target", 0755), 0);
	cr_assert_eq(vfs_chroot(U, "/target"), -EPERM);
	size = entry(buf, 0, "ok", S_IFREG | 0644, "fine");
	size = entry(buf, size, "../evil", S_IFREG | 0644, "bad");
	size = trailer(buf, size);
	cr_assert_eq(initramfs_unpack(R, buf, size), -EINVAL);
	cr_assert_eq(vt_stat_err(R, "/ok"), 0);	/* before the bad one */
	cr_assert_eq(vt_stat_err(R, "/evil"), -ENOENT);
	size = entry(buf, 0, "/abs", S_IFREG | 0644, "bad");
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), -EINVAL);
	cr_assert_eq(vt_stat_err(R, "/abs"), -ENOENT);
	size = entry(buf, 0, "a/../../b", S_IFDIR | 0755, NULL);
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), -EINVAL);
}

/* An absolute link and ".." in link targets stay inside the root. */
VFS_TEST(initramfs, links_resolve_inside_the_callers_root)
{
	static uint8_t buf[4096];
	struct vfs_caller jailed;
	struct vfs_fs_context *fs = vfs_fs_context_clone(R->fs);
	size_t size;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/target", 0755), 0);
	jailed = (struct vfs_caller){ &vt_root_cred, fs };
	cr_assert_eq(vfs_chroot(&jailed, "/target"), 0);
	size = entry(buf, 0, "up", S_IFLNK | 0777, "../../..");
	size = entry(buf, size, "up/escaped", S_IFREG | 0644, "x");
	size = entry(buf, size, "root", S_IFLNK | 0777, "/");
	size = entry(buf, size, "root/also", S_IFREG | 0644, "y");
	cr_assert_eq(initramfs_unpack(&jailed, buf, trailer(buf, size)), 0);
	cr_assert_eq(vt_stat_err(R, "/escaped"), -ENOENT);
	cr_assert_eq(vt_stat_err(R, "/target/escaped"), 0);
	cr_assert_eq(vt_stat_err(R, "/target/also"), 0);
	vfs_fs_context_put(fs);
}

/*
 * A hard link's earlier name was replaced by a FIFO or a symbolic link to
 * one: the later name becomes a new file with its data, instead of a link
 * whose open for writing would wait forever for a reader (found by
 * fuzz/cpio: the unpacker hung).
 */
VFS_TEST(initramfs, a_link_to_a_replaced_name_is_a_new_file)
{
	static uint8_t buf[4096];
	char data[16];
	size_t size;

	size = linked_entry(buf, 0, "a", S_IFREG | 0644, "first", 7, 2);
	size = entry(buf, size, "a", S_IFIFO | 0644, NULL);
	size = linked_entry(buf, size, "b", S_IFREG | 0644, "second", 7, 2);
	size = linked_entry(buf, size, "c", S_IFREG | 0644, "third", 9, 2);
	size = entry(buf, size, "fifo", S_IFIFO | 0644, NULL);
	size = entry(buf, size, "c", S_IFLNK | 0777, "fifo");
	size = linked_entry(buf, size, "d", S_IFREG | 0644, "fourth", 9, 2);
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), 0);
	cr_assert(S_ISFIFO(vt_stat(R, "/a").st_mode));
	cr_assert_eq(vt_stat(R, "/b").st_mode, S_IFREG | 0644);
	cr_assert_eq(vt_stat(R, "/b").st_nlink, 1);
	cr_assert_eq(vt_read_file(R, "/b", data, sizeof(data)), 6);
	cr_assert_str_eq(data, "second");
	cr_assert(S_ISLNK(vt_stat(R, "/c").st_mode));	/* not followed */
	cr_assert(S_ISFIFO(vt_stat(R, "/fifo").st_mode));
	cr_assert_eq(vt_stat(R, "/d").st_mode, S_IFREG | 0644);
	cr_assert_eq(vt_read_file(R, "/d", data, sizeof(data)), 6);
	cr_assert_str_eq(data, "fourth");
}

VFS_TEST(initramfs, truncation_at_every_byte_is_an_error)
{
	static uint8_t buf[4096];
	size_t size;

	cr_assert_eq(vfs_mkdirat(R, NULL, "/t", 0755), 0);
	cr_assert_eq(vfs_chroot(R, "/t"), 0);
	size = entry(buf, 0, "dir", S_IFDIR | 0755, NULL);
	size = entry(buf, size, "dir/file", S_IFREG | 0600, "contents");
	size = entry(buf, size, "dir/link", S_IFLNK | 0777, "file");
	size = trailer(buf, size);
	for (size_t cut = 1; cut < size; cut++)
		cr_assert_eq(initramfs_unpack(R, buf, cut), -EINVAL,
			     "cut at %zu", cut);
	cr_assert_eq(initramfs_unpack(R, buf, size), 0);
	cr_assert_eq(vt_stat(R, "/dir/file").st_mode, S_IFREG | 0600);
}

VFS_TEST(initramfs, bad_headers)
{
	static uint8_t buf[8192];
	size_t size = entry(buf, 0, "f", S_IFREG | 0644, "x");

	buf[3] = '8';		/* magic 070801 */
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), -EINVAL);
	size = entry(buf, 0, "f", S_IFREG | 0644, "x");
	buf[20] = 'g';		/* not hex */
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), -EINVAL);
	size = entry(buf, 0, "f", S_IFREG | 0644, "x");
	memcpy(buf + 94, "00002000", 8);	/* name size 8192 > PATH_MAX */
	cr_assert_eq(initramfs_unpack(R, buf, sizeof(buf)), -EINVAL);
	size = entry(buf, 0, "f", S_IFREG | 0644, "x");
	memcpy(buf + 94, "00000001", 8);	/* name size without the name */
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), -EINVAL);
	/* An empty link target. */
	size = entry(buf, 0, "l", S_IFLNK | 0777, NULL);
	cr_assert_eq(initramfs_unpack(R, buf, trailer(buf, size)), -EINVAL);
	/* Garbage that is not an archive at all. */
	cr_assert_eq(initramfs_unpack(R, "hello world", 11), -EINVAL);
}

static uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/*
 * Random corruption of real archives (raw and gzip): every run ends in
 * success or an error, never a crash, a leak (checked by the fixture)
 * or anything outside the jail.
 */
VFS_TEST(initramfs, survives_random_corruption)
{
	struct vfs_fs_context *fs = vfs_fs_context_clone(R->fs);
	struct vfs_caller jailed = { &vt_root_cred, fs };
	size_t sizes[2];
	uint8_t *archives[2] = { host_archive(false, &sizes[0]),
				 host_archive(true, &sizes[1]) };
	uint32_t seed = 0x12345678;
	struct vfs_file *dir;
	char listing[256];

	cr_assert_eq(vfs_mkdirat(R, NULL, "/jail", 0755), 0);
	cr_assert_eq(vfs_chroot(&jailed, "/jail"), 0);
	for (int round = 0; round < 300; round++) {
		int which = round % 2;
		uint8_t *copy = malloc(sizes[which]);
		int flips = 1 + (int)(next_random(&seed) % 8);
		int err;

		memcpy(copy, archives[which], sizes[which]);
		for (int i = 0; i < flips; i++) {
			size_t at = next_random(&seed) % sizes[which];

			copy[at] ^= (uint8_t)(1 + next_random(&seed) % 255);
		}
		err = initramfs_unpack(&jailed, copy,
				       next_random(&seed) % 4 == 0 ?
				       next_random(&seed) % sizes[which] :
				       sizes[which]);
		cr_assert(err == 0 || (err < 0 && err > -4096));
		free(copy);
	}
	/* Nothing was written outside the jail: "/" holds only it. */
	dir = vt_open(R, "/", O_RDONLY | O_DIRECTORY, 0);
	cr_assert_eq(vfs_getdents64(dir, listing, sizeof(listing)), 3 * 24);
	vfs_file_put(dir);
	free(archives[0]);
	free(archives[1]);
	vfs_fs_context_put(fs);
}
