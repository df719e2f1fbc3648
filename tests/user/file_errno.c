/*
 * file_errno: file system calls and their errors, in a scratch directory
 * under /tmp that it removes again. ENOENT, EEXIST, ENOTDIR, EISDIR, EBADF,
 * ENAMETOOLONG, ELOOP, EACCES (only checked when not root: root passes
 * permission checks; the printed line is the same either way), ENOTEMPTY,
 * EINVAL of dup3 with the same fd, FD_CLOEXEC through fcntl, a sorted
 * getdents listing, O_APPEND, ftruncate, rename over a file,
 * symlink/readlink, stat fields of the files it creates, whole 1 MiB
 * reads of /dev/zero, /dev/full and /dev/urandom, and flock(2).
 */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char scratch[] = "/tmp/amphi-file-errno-XXXXXX";

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK_OK(close(fd));
}

static void read_file(const char *path, char *buffer, size_t size)
{
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0);
	ssize_t n = read(fd, buffer, size - 1);
	CHECK(n >= 0);
	buffer[n] = 0;
	CHECK_OK(close(fd));
}

static void missing_and_existing(void)
{
	struct stat st;

	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(stat("missing/deeper", &st), ENOENT);
	CHECK_ERR(unlink("missing"), ENOENT);
	printf("ENOENT: open, stat, unlink of missing names\n");

	write_file("file", "data");
	CHECK_ERR(open("file", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK_OK(mkdir("dir", 0755));
	CHECK_ERR(mkdir("dir", 0755), EEXIST);
	CHECK_ERR(mkdir("file", 0755), EEXIST);
	printf("EEXIST: O_CREAT|O_EXCL and mkdir of existing names\n");
}

static void wrong_types(void)
{
	char byte;


	CHECK_ERR(open("file/inside", O_RDONLY), ENOTDIR);
	CHECK_ERR(mkdir("file/sub", 0755), ENOTDIR);
	CHECK_ERR(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(rmdir("file"), ENOTDIR);
	printf("ENOTDIR: a file used as a directory\n");

	CHECK_ERR(open("dir", O_WRONLY), EISDIR);
	CHECK_ERR(open("dir", O_RDWR), EISDIR);
	CHECK_ERR(unlink("dir"), EISDIR);
	int dirfd = open("dir", O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0);
	CHECK_ERR(read(dirfd, &byte, 1), EISDIR);
	close(dirfd);
	printf("EISDIR: write open, read and unlink of a directory\n");
}

static void bad_descriptors(void)
{
	struct stat st;
	char byte;


	CHECK_ERR(read(-1, &byte, 1), EBADF);
	CHECK_ERR(write(9999, &byte, 1), EBADF);
	CHECK_ERR(close(9999), EBADF);
	CHECK_ERR(fstat(-5, &st), EBADF);
	int fd = open("file", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_ERR(write(fd, "x", 1), EBADF);
	close(fd);
	CHECK_ERR(read(fd, &byte, 1), EBADF);
	printf("EBADF: bad, closed and read-only descriptors\n");
}

static void bad_names(void)
{
	struct stat st;
	char long_name[300], long_path[PATH_MAX + 100];


	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	CHECK_ERR(open(long_name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
	for (size_t i = 0; i < sizeof(long_path) - 1; i++)
		long_path[i] = i % 2 ? '/' : 'd';
	long_path[sizeof(long_path) - 1] = 0;
	CHECK_ERR(stat(long_path, &st), ENAMETOOLONG);
	printf("ENAMETOOLONG: a 299-byte name and a path over PATH_MAX\n");

	CHECK_OK(symlink("loop_b", "loop_a"));
	CHECK_OK(symlink("loop_a", "loop_b"));
	CHECK_ERR(open("loop_a", O_RDONLY), ELOOP);
	CHECK_ERR(stat("loop_b", &st), ELOOP);
	CHECK_OK(symlink("file", "link_to_file"));
	CHECK_ERR(open("link_to_file", O_RDONLY | O_NOFOLLOW), ELOOP);
	printf("ELOOP: a symlink cycle, O_NOFOLLOW on a symlink\n");
}

static void permissions_and_rmdir(void)
{
	int fd;


	write_file("private", "secret");
	CHECK_OK(chmod("private", 0));
	fd = open("private", O_RDONLY);
	if (geteuid() == 0) {
		CHECK(fd >= 0);	/* root passes permission checks */
		close(fd);
	} else {
		CHECK(fd == -1 && errno == EACCES);
	}
	printf("EACCES: mode 000 file (checked unless root)\n");

	CHECK_OK(mkdir("full", 0755));
	write_file("full/child", "x");
	CHECK_ERR(rmdir("full"), ENOTEMPTY);
	CHECK_OK(unlink("full/child"));
	CHECK_OK(rmdir("full"));
	CHECK_ERR(rmdir("full"), ENOENT);
	printf("ENOTEMPTY: rmdir of a non-empty directory\n");
}

static void descriptors(void)
{
	int fd = open("file", O_RDONLY);

	CHECK(fd >= 0);
	CHECK(dup2(fd, fd) == fd);
	/* Raw: musl's dup3() checks these itself before the kernel could. */
	CHECK_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL);
	CHECK_ERR(syscall(SYS_dup3, fd, fd + 1, 0x1234), EINVAL);
	int copy = dup3(fd, 40, O_CLOEXEC);
	CHECK(copy == 40);
	CHECK(fcntl(copy, F_GETFD) == FD_CLOEXEC);
	printf("dup2 to itself returns it; dup3 with the same fd: EINVAL\n");

	CHECK(fcntl(fd, F_GETFD) == 0);
	CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK_OK(fcntl(fd, F_SETFD, 0));
	CHECK(fcntl(fd, F_GETFD) == 0);
	int low = fcntl(fd, F_DUPFD_CLOEXEC, 30);
	CHECK(low >= 30 && fcntl(low, F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK_ERR(fcntl(-1, F_GETFD), EBADF);
	close(low);
	close(copy);
	close(fd);
	printf("fcntl: F_GETFD/F_SETFD FD_CLOEXEC, F_DUPFD_CLOEXEC, F_GETFL\n");
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing(void)
{
	static const char *names[] = {"delta", "alpha", "charlie", "bravo", "echo"};
	char *found[16];
	int count = 0, dots = 0;
	struct dirent *entry;

	CHECK_OK(mkdir("list", 0755));
	for (int i = 0; i < 5; i++) {
		char path[64];
		snprintf(path, sizeof(path), "list/%s", names[i]);
		write_file(path, names[i]);
	}
	CHECK_OK(mkdir("list/subdir", 0755));
	DIR *dir = opendir("list");
	CHECK(dir != NULL);
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) {
			dots++;
			continue;
		}
		CHECK(count < 16);
		CHECK(entry->d_type == DT_UNKNOWN ||
		      entry->d_type == (strcmp(entry->d_name, "subdir") ? DT_REG : DT_DIR));
		found[count++] = strdup(entry->d_name);
	}
	CHECK_OK(closedir(dir));
	CHECK(dots == 2);
	qsort(found, count, sizeof(found[0]), compare_names);
	printf("getdents:");
	for (int i = 0; i < count; i++) {
		printf(" %s", found[i]);
		free(found[i]);
	}
	printf("\n");
}

static void contents(void)
{
	char buffer[128];
	struct stat st;

	write_file("log", "abc");
	int fd = open("log", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "def", 3) == 3);
	CHECK(lseek(fd, 0, SEEK_CUR) == 6);
	close(fd);
	read_file("log", buffer, sizeof(buffer));
	printf("O_APPEND: %s\n", buffer);

	fd = open("log", O_RDWR);
	CHECK(fd >= 0);
	CHECK_OK(ftruncate(fd, 10000));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 10000);
	CHECK(pread(fd, buffer, 4, 9990) == 4);
	CHECK(memcmp(buffer, "\0\0\0\0", 4) == 0);
	CHECK(lseek(fd, 0, SEEK_END) == 10000);
	CHECK_OK(ftruncate(fd, 2));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 2);
	CHECK(pread(fd, buffer, sizeof(buffer), 0) == 2);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	CHECK_ERR(lseek(fd, 0, 42), EINVAL);
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	close(fd);
	printf("ftruncate: grown to 10000 with zeros, shrunk to %lld\n",
	       (long long)st.st_size);

	write_file("old", "old contents");
	write_file("new", "replaced");
	CHECK_OK(rename("old", "new"));
	read_file("new", buffer, sizeof(buffer));
	CHECK_ERR(stat("old", &st), ENOENT);
	printf("rename over a file: %s\n", buffer);
	CHECK_OK(mkdir("emptydir", 0755));
	CHECK_ERR(rename("dir", "new"), ENOTDIR);
	CHECK_ERR(rename("new", "dir"), EISDIR);
	CHECK_OK(rename("emptydir", "dir"));
}

static void links(void)
{
	char buffer[64];
	struct stat st;

	CHECK_OK(symlink("target/of/link", "symlink"));
	ssize_t n = readlink("symlink", buffer, sizeof(buffer));
	CHECK(n == 14);
	buffer[n] = 0;
	CHECK(readlink("symlink", buffer, 6) == 6);
	CHECK(memcmp(buffer, "target", 6) == 0);
	CHECK_ERR(readlink("file", buffer, sizeof(buffer)), EINVAL);
	CHECK_OK(lstat("symlink", &st));
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 14);
	CHECK_ERR(stat("symlink", &st), ENOENT);
	CHECK_OK(stat("link_to_file", &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 4);
	printf("symlink/readlink: target/of/link (14 bytes), dangling stat ENOENT\n");
}

static void stat_fields(void)
{
	struct stat st;

	write_file("sized", "0123456789");
	CHECK_OK(stat("sized", &st));
	printf("stat file: size %lld mode %04o type %s nlink %ld\n",
	       (long long)st.st_size, st.st_mode & 07777,
	       S_ISREG(st.st_mode) ? "regular" : "other", (long)st.st_nlink);
	CHECK_OK(link("sized", "hardlink"));
	CHECK_OK(stat("sized", &st));
	CHECK(st.st_nlink == 2);
	struct stat other;
	CHECK_OK(stat("hardlink", &other));
	CHECK(other.st_ino == st.st_ino && other.st_dev == st.st_dev);
	printf("after link(): nlink %ld, same inode\n", (long)st.st_nlink);
	CHECK_OK(unlink("hardlink"));
	CHECK_OK(stat("sized", &st));
	CHECK(st.st_nlink == 1);
	CHECK_OK(chmod("sized", 0600));
	CHECK_OK(stat("sized", &st));
	CHECK((st.st_mode & 07777) == 0600);
	CHECK_OK(mkdir("statdir", 0750));
	CHECK_OK(stat("statdir", &st));
	printf("stat dir: mode %04o type %s\n", st.st_mode & 07777,
	       S_ISDIR(st.st_mode) ? "directory" : "other");
	int fd = open("sized", O_RDONLY);
	CHECK(fd >= 0);
	CHECK_OK(fstat(fd, &other));
	CHECK(other.st_ino == st.st_ino || other.st_size == 10);
	close(fd);
	CHECK_OK(access("sized", R_OK));
	CHECK_ERR(access("missing", F_OK), ENOENT);
}

/* Removes everything this program created (nftw is avoided: fewer calls). */
static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(path);
		struct dirent *entry;
		CHECK(dir != NULL);
		while ((entry = readdir(dir)) != NULL) {
			char child[PATH_MAX];
			if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
			remove_tree(child);
		}
		closedir(dir);
		CHECK_OK(rmdir(path));
	} else {
		CHECK_OK(unlink(path));
	}
}

/*
 * One read(2) of 1 MiB from /dev/zero, /dev/full and /dev/urandom gets
 * all of it (Linux's read_iter_zero), and a write of 1 MiB to /dev/null
 * takes all of it (dd bs=1M counts on both).
 */
static void device_reads(void)
{
	static const char *const devices[] = {
		"/dev/zero", "/dev/full", "/dev/urandom",
	};
	static char buffer[1 << 20];
	int fd;

	for (unsigned int i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		fd = open(devices[i], O_RDONLY);
		CHECK(fd >= 0);
		printf("read %s 1M: %zd\n", devices[i],
		       read(fd, buffer, sizeof(buffer)));
		close(fd);
	}
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	printf("write /dev/null 1M: %zd\n", write(fd, buffer, sizeof(buffer)));
	close(fd);
}

static void on_alarm(int signal)
{
	(void)signal;
}

/*
 * flock(2): locks belong to open file descriptions (a dup shares one, a
 * second open does not), convert, wait, end at the description's last
 * close, and a signal ends a wait with EINTR (no SA_RESTART).
 */
static void flocks(void)
{
	int a = open("lockfile", O_RDWR | O_CREAT, 0600);
	int b = open("lockfile", O_RDONLY), c, status, path;
	struct sigaction action = { .sa_handler = on_alarm };
	pid_t pid;

	CHECK(a >= 0 && b >= 0);
	CHECK_OK(flock(a, LOCK_EX));
	CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	c = dup(a);
	CHECK_OK(flock(c, LOCK_EX | LOCK_NB));
	CHECK_OK(flock(a, LOCK_SH));
	CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK(flock(b, LOCK_UN));
	close(a);	/* c keeps the description and its lock */
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* An interrupted wait, then one that ends at c's close
		 * (the child's copy of c is not to keep it open). */
		close(c);
		sigaction(SIGALRM, &action, NULL);
		alarm(1);
		if (flock(b, LOCK_EX) != -1 || errno != EINTR)
			_exit(1);
		_exit(flock(b, LOCK_EX) == 0 ? 0 : 2);
	}
	sleep(2);
	close(c);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	printf("flock: the child's waits: %d\n", WEXITSTATUS(status));
	/* The child locked description b, which the parent shares. */
	CHECK_ERR(flock(open("lockfile", O_RDONLY), LOCK_SH | LOCK_NB),
		  EWOULDBLOCK);
	CHECK_OK(flock(b, LOCK_UN));
	CHECK_ERR(flock(b, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR(flock(-1, LOCK_SH), EBADF);
	path = open("lockfile", O_PATH);
	CHECK_ERR(flock(path, LOCK_SH), EBADF);
	close(path);
	close(b);
	CHECK_OK(unlink("lockfile"));
}

int main(void)
{
	check_init("file_errno");
	umask(022);
	CHECK(mkdtemp(scratch) != NULL);
	CHECK_OK(chdir(scratch));
	missing_and_existing();
	wrong_types();
	bad_descriptors();
	bad_names();
	permissions_and_rmdir();
	descriptors();
	listing();
	contents();
	links();
	stat_fields();
	device_reads();
	flocks();
	CHECK_OK(chdir("/"));
	remove_tree(scratch);
	CHECK_ERR(access(scratch, F_OK), ENOENT);
	printf("file_errno: all checks passed\n");
	return 0;
}
