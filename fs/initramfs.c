/*
 * The cpio unpacker. A streaming parser (struct cpio_parser) is fed raw
 * archive bytes, or gzip output through the inflate sink, in chunks of
 * any size: headers and names are collected into fixed buffers of
 * bounded size, file data is written straight into the new file. All
 * objects are created through the VFS as the caller (with umask 0), so
 * names resolve inside the caller's root and permissions apply.
 * Directory times are set last, since filling a directory changes them.
 * Owned data: the parser, the hard-link table and the directory-time
 * list, all freed before initramfs_unpack returns. No locks of its own.
 */
#include "fs/initramfs.h"

#include "core/lib/err.h"
#include "core/lib/inflate.h"
#include "core/lib/list.h"
#include "core/lib/printk.h"
#include "core/lib/string.h"
#include "core/mm/kmem.h"
#include "fs/vfs.h"
#include "fs/vfs_fs.h"

#define CPIO_HEADER_SIZE 110
#define CPIO_FIELDS 13
#define CPIO_TRAILER "TRAILER!!!"

enum cpio_state {
	CPIO_BETWEEN,	/* outside an archive: zero padding or a new one */
	CPIO_HEADER,
	CPIO_NAME,
	CPIO_DATA,
	CPIO_PAD,	/* alignment after the name or the data */
};

/* The header fields, in archive order. */
struct cpio_entry {
	uint32_t ino, mode, uid, gid, nlink, mtime, size;
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
	uint32_t name_size, check;
	bool has_crc;
};

struct hard_link {
	struct list_head link;
	uint32_t ino, dev_major, dev_minor, mode;
	char path[];
};

struct dir_time {
	struct list_head link;
	uint32_t mtime;
	char path[];
};

struct cpio_parser {
	struct vfs_caller caller;
	struct vfs_cred cred;
	enum cpio_state state;
	enum cpio_state after_pad;
	uint64_t archive_offset;	/* for the 4-byte alignment */
	uint64_t offset;		/* into the whole input, for messages */
	size_t have;			/* header or name bytes collected */
	uint64_t remaining;		/* data or padding bytes still due */
	struct cpio_entry entry;
	uint32_t sum;			/* "crc" format data checksum */
	bool skip_data;			/* an entry type we do not create */
	struct vfs_file *file;		/* the regular file being filled */
	char *target;			/* the symbolic link being collected */
	size_t target_length;
	struct list_head links;
	struct list_head dirs;
	uint8_t header[CPIO_HEADER_SIZE];
	char name[PATH_MAX];
	char path[PATH_MAX + 1];	/* "/" + name, what the VFS gets */
};

static int corrupt(struct cpio_parser *p, const char *why)
{
	bool named = p->state == CPIO_DATA || p->state == CPIO_PAD;

	pr_err("initramfs: %s at byte %llu%s%s%s", why,
	       (unsigned long long)p->offset, named ? " (entry '" : "",
	       named ? p->name : "", named ? "')" : "");
	return -EINVAL;
}

static int vfs_failed(struct cpio_parser *p, const char *what, int err)
{
	pr_err("initramfs: cannot %s '%s': error %d", what, p->path, err);
	return err;
}

static bool parse_hex(const uint8_t *text, uint32_t *value)
{
	*value = 0;
	for (int i = 0; i < 8; i++) {
		int c = ktolower(text[i]), digit;

		if (kisdigit(c))
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else
			return false;
		*value = *value << 4 | (uint32_t)digit;
	}
	return true;
}

static int parse_header(struct cpio_parser *p)
{
	uint32_t *fields[CPIO_FIELDS] = {
		&p->entry.ino, &p->entry.mode, &p->entry.uid, &p->entry.gid,
		&p->entry.nlink, &p->entry.mtime, &p->entry.size,
		&p->entry.dev_major, &p->entry.dev_minor, &p->entry.rdev_major,
		&p->entry.rdev_minor, &p->entry.name_size, &p->entry.check,
	};

	if (memcmp(p->header, "07070", 5) != 0 ||
	    (p->header[5] != '1' && p->header[5] != '2'))
		return corrupt(p, "not a cpio newc header");
	p->entry.has_crc = p->header[5] == '2';
	for (int i = 0; i < CPIO_FIELDS; i++) {
		if (!parse_hex(p->header + 6 + 8 * i, fields[i]))
			return corrupt(p, "bad number in cpio header");
	}
	if (p->entry.name_size == 0 || p->entry.name_size > PATH_MAX)
		return corrupt(p, "bad name size in cpio header");
	return 0;
}

/* Enters CPIO_PAD to the next 4-byte boundary, then `next`. */
static void pad_then(struct cpio_parser *p, enum cpio_state next)
{
	p->remaining = (4 - p->archive_offset % 4) % 4;
	p->after_pad = next;
	p->state = p->remaining ? CPIO_PAD : next;
	p->have = 0;
}

/* Builds p->path from the archive name; refuses escapes. */
static int make_path(struct cpio_parser *p)
{
	const char *name = p->name;
	size_t length;

	if (kstrlen(name) + 1 != p->entry.name_size)
		return corrupt(p, "name not terminated where its size says");
	if (name[0] == '/')
		return corrupt(p, "absolute name in archive");
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (kstrcmp(name, ".") == 0)
		name = "";
	if (name[0] == '\0' && !S_ISDIR(p->entry.mode))
		return corrupt(p, "empty name for a non-directory");
	for (const char *c = name; *c != '\0';) {
		size_t part = kstrchr(c, '/') ? (size_t)(kstrchr(c, '/') - c) :
						 kstrlen(c);

		if (part == 2 && c[0] == '.' && c[1] == '.')
			return corrupt(p, "'..' in archive name");
		c += part;
		while (*c == '/')
			c++;
	}
	length = kstrlen(name);
	p->path[0] = '/';
	memcpy(p->path + 1, name, length + 1);
	return 0;
}

/* Removes whatever is at p->path so an entry can replace it. */
static void clear_path(struct cpio_parser *p)
{
	if (vfs_unlinkat(&p->caller, NULL, p->path, 0) == -EISDIR)
		vfs_unlinkat(&p->caller, NULL, p->path, AT_REMOVEDIR);
}

/* Whether `path` is a regular file (not followed); `absent`: if none. */
static bool is_regular_file(struct cpio_parser *p, const char *path,
			    bool absent)
{
	struct stat st;

	if (vfs_fstatat(&p->caller, NULL, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return absent;
	return S_ISREG(st.st_mode);
}

static struct hard_link *find_link(struct cpio_parser *p)
{
	struct hard_link *link;

	list_for_each_entry(link, &p->links, link) {
		if (link->ino == p->entry.ino && link->mode == p->entry.mode &&
		    link->dev_major == p->entry.dev_major &&
		    link->dev_minor == p->entry.dev_minor)
			return link;
	}
	return NULL;
}

static int remember_link(struct cpio_parser *p)
{
	size_t length = kstrlen(p->path);
	struct hard_link *link = kmalloc(sizeof(*link) + length + 1);

	if (link == NULL)
		return -ENOMEM;
	link->ino = p->entry.ino;
	link->mode = p->entry.mode;
	link->dev_major = p->entry.dev_major;
	link->dev_minor = p->entry.dev_minor;
	memcpy(link->path, p->path, length + 1);
	list_add(&link->link, &p->links);
	return 0;
}

/*
 * A regular file: a new hard link to an earlier name of the same inode
 * (the data, if any, follows with this entry), or a new file.
 */
static int begin_file(struct cpio_parser *p)
{
	struct hard_link *earlier = p->entry.nlink >= 2 ? find_link(p) : NULL;
	int flags;
	struct vfs_file *file;
	int err;

	/*
	 * The same name again: rewrite it. A later entry may have put
	 * something else (a FIFO, a symbolic link) at the earlier name: a
	 * new file then, not a link to that.
	 */
	if (earlier != NULL && (kstrcmp(earlier->path, p->path) == 0 ||
				!is_regular_file(p, earlier->path, false)))
		earlier = NULL;
	/*
	 * Something else of that name goes first, as Linux's clean_path:
	 * opening an earlier entry's FIFO for writing would wait forever
	 * for a reader, a symbolic link would be followed. O_NONBLOCK and
	 * O_NOFOLLOW make sure of it: a failed open clears and retries.
	 */
	if (earlier == NULL && !is_regular_file(p, p->path, true))
		clear_path(p);
	flags = O_WRONLY | O_CREAT | O_NONBLOCK | O_NOFOLLOW |
		(earlier ? 0 : O_TRUNC);
	if (earlier != NULL) {
		err = vfs_linkat(&p->caller, NULL, earlier->path, NULL, p->path,
				 0);
		if (err == -EEXIST) {
			clear_path(p);
			err = vfs_linkat(&p->caller, NULL, earlier->path, NULL,
					 p->path, 0);
		}
		if (err < 0)
			return vfs_failed(p, "link", err);
	}
	file = vfs_openat(&p->caller, NULL, p->path, flags,
			  p->entry.mode & 07777);
	if (IS_ERR(file) && earlier == NULL) {
		clear_path(p);
		file = vfs_openat(&p->caller, NULL, p->path, flags,
				  p->entry.mode & 07777);
	}
	if (IS_ERR(file))
		return vfs_failed(p, "create", (int)PTR_ERR(file));
	p->file = file;
	if (earlier == NULL && p->entry.nlink >= 2)
		return remember_link(p);
	return 0;
}

static int make_special(struct cpio_parser *p)
{
	uint32_t rdev = vfs_mkdev(p->entry.rdev_major, p->entry.rdev_minor);
	int err = vfs_mknodat(&p->caller, NULL, p->path, p->entry.mode, rdev);

	if (err == -EEXIST) {
		clear_path(p);
		err = vfs_mknodat(&p->caller, NULL, p->path, p->entry.mode,
				  rdev);
	}
	return err < 0 ? vfs_failed(p, "create", err) : 0;
}

static int make_dir(struct cpio_parser *p)
{
	size_t length = kstrlen(p->path);
	struct dir_time *time;
	int err = 0;

	if (kstrcmp(p->path, "/") != 0)
		err = vfs_mkdirat(&p->caller, NULL, p->path,
				  p->entry.mode & 07777);
	if (err < 0 && err != -EEXIST)
		return vfs_failed(p, "create", err);
	time = kmalloc(sizeof(*time) + length + 1);
	if (time == NULL)
		return -ENOMEM;
	time->mtime = p->entry.mtime;
	memcpy(time->path, p->path, length + 1);
	list_add(&time->link, &p->dirs);
	return 0;
}

/* The header and name are in: create the object, expect its data. */
static int begin_entry(struct cpio_parser *p)
{
	uint32_t type = p->entry.mode & S_IFMT;
	int err = make_path(p);

	p->skip_data = false;
	p->sum = 0;
	if (err < 0)
		return err;
	switch (type) {
	case S_IFREG:
		return begin_file(p);
	case S_IFDIR:
		return make_dir(p);
	case S_IFLNK:
		if (p->entry.size == 0 || p->entry.size >= PATH_MAX)
			return corrupt(p, "bad symbolic link size");
		p->target = kmalloc(p->entry.size + 1);
		p->target_length = 0;
		return p->target == NULL ? -ENOMEM : 0;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return make_special(p);
	default:
		pr_warn("initramfs: skipping '%s' of unknown type %o", p->path,
			type);
		p->skip_data = true;
		return 0;
	}
}

/* File data or a link target arrived. */
static int entry_data(struct cpio_parser *p, const uint8_t *data, size_t length)
{
	for (size_t i = 0; p->entry.has_crc && i < length; i++)
		p->sum += data[i];
	if (p->file != NULL) {
		ssize_t done = vfs_write(p->file, data, length);

		if (done != (ssize_t)length)
			return vfs_failed(p, "write", done < 0 ? (int)done :
						      -EIO);
	} else if (p->target != NULL) {
		memcpy(p->target + p->target_length, data, length);
		p->target_length += length;
	}
	return 0;
}

static int set_attributes(struct cpio_parser *p, bool is_link)
{
	const int64_t times[2][2] = { { p->entry.mtime, 0 },
				      { p->entry.mtime, 0 } };
	int flags = is_link ? AT_SYMLINK_NOFOLLOW : 0;
	int err = vfs_fchownat(&p->caller, NULL, p->path, p->entry.uid,
			       p->entry.gid, flags);

	if (err == 0 && !is_link)
		err = vfs_fchmodat(&p->caller, NULL, p->path,
				   p->entry.mode & 07777, 0);
	if (err == 0 && !S_ISDIR(p->entry.mode))
		err = vfs_utimensat(&p->caller, NULL, p->path, times, flags);
	return err < 0 ? vfs_failed(p, "set attributes of", err) : 0;
}

/* All data is in: close the file or make the link, then attributes. */
static int finish_entry(struct cpio_parser *p)
{
	bool is_link = S_ISLNK(p->entry.mode);
	int err = 0;

	if (p->entry.has_crc && p->sum != p->entry.check)
		return corrupt(p, "data checksum mismatch");
	if (p->file != NULL) {
		vfs_file_put(p->file);
		p->file = NULL;
	} else if (p->target != NULL) {
		p->target[p->target_length] = '\0';
		err = vfs_symlinkat(&p->caller, p->target, NULL, p->path);
		if (err == -EEXIST) {
			clear_path(p);
			err = vfs_symlinkat(&p->caller, p->target, NULL,
					    p->path);
		}
		kfree(p->target);
		p->target = NULL;
		if (err < 0)
			return vfs_failed(p, "create", err);
	}
	return p->skip_data ? 0 : set_attributes(p, is_link);
}

static void free_links(struct cpio_parser *p)
{
	struct hard_link *link, *next;

	list_for_each_entry_safe(link, next, &p->links, link)
		kfree(link);
	list_init(&p->links);
}

/* Header complete and name complete: decide what comes next. */
static int name_done(struct cpio_parser *p)
{
	if (kstrcmp(p->name, CPIO_TRAILER) == 0) {
		/* Inode numbers are per archive: forget this one's links. */
		free_links(p);
		pad_then(p, CPIO_BETWEEN);
		return 0;
	}
	int err = begin_entry(p);

	if (err < 0)
		return err;
	p->remaining = p->entry.size;
	if (S_ISDIR(p->entry.mode) && p->entry.size != 0)
		return corrupt(p, "directory with data");
	pad_then(p, CPIO_DATA);
	p->remaining = p->state == CPIO_PAD ? p->remaining : p->entry.size;
	return 0;
}

/* Consumes bytes for the current state; returns how many or -errno. */
static ssize_t feed_state(struct cpio_parser *p, const uint8_t *data,
			  size_t length)
{
	size_t take;
	int err = 0;

	switch (p->state) {
	case CPIO_HEADER:
		take = MIN(length, CPIO_HEADER_SIZE - p->have);
		memcpy(p->header + p->have, data, take);
		p->have += take;
		if (p->have == CPIO_HEADER_SIZE) {
			err = parse_header(p);
			p->state = CPIO_NAME;
			p->have = 0;
		}
		break;
	case CPIO_NAME:
		take = MIN(length, p->entry.name_size - p->have);
		memcpy(p->name + p->have, data, take);
		p->have += take;
		p->archive_offset += take;
		p->offset += take;
		if (p->have == p->entry.name_size) {
			p->name[p->entry.name_size - 1] = '\0';
			err = name_done(p);
		}
		return err < 0 ? err : (ssize_t)take;
	case CPIO_DATA:
		take = (size_t)MIN((uint64_t)length, p->remaining);
		err = entry_data(p, data, take);
		p->remaining -= take;
		if (err == 0 && p->remaining == 0) {
			p->archive_offset += take;
			p->offset += take;
			err = finish_entry(p);
			pad_then(p, CPIO_HEADER);
			return err < 0 ? err : (ssize_t)take;
		}
		break;
	case CPIO_PAD:
		take = (size_t)MIN((uint64_t)length, p->remaining);
		p->remaining -= take;
		if (p->remaining == 0) {
			p->state = p->after_pad;
			p->remaining = p->entry.size;
			p->have = 0;
		}
		break;
	default:
		return 0;
	}
	p->archive_offset += take;
	p->offset += take;
	return err < 0 ? err : (ssize_t)take;
}

/*
 * Feeds archive bytes until they run out or the archive ends (state
 * back to CPIO_BETWEEN). Returns the bytes consumed or -errno.
 */
static ssize_t cpio_feed(struct cpio_parser *p, const uint8_t *data,
			 size_t length)
{
	size_t done = 0;

	while (done < length && p->state != CPIO_BETWEEN) {
		ssize_t used;

		/* A zero-size data state ends at once. */
		if (p->state == CPIO_DATA && p->remaining == 0) {
			int err = finish_entry(p);

			if (err < 0)
				return err;
			pad_then(p, CPIO_HEADER);
			continue;
		}
		used = feed_state(p, data + done, length - done);
		if (used < 0)
			return used;
		done += (size_t)used;
	}
	return (ssize_t)done;
}

static void begin_archive(struct cpio_parser *p)
{
	p->state = CPIO_HEADER;
	p->archive_offset = 0;
	p->have = 0;
}

/* The inflate sink: gzip output may hold several archives and padding. */
static int gzip_sink(void *ctx, const void *data, size_t length)
{
	struct cpio_parser *p = ctx;
	const uint8_t *bytes = data;

	while (length > 0) {
		ssize_t used;

		if (p->state == CPIO_BETWEEN) {
			if (*bytes == 0) {
				bytes++;
				length--;
				continue;
			}
			begin_archive(p);
		}
		used = cpio_feed(p, bytes, length);
		if (used < 0)
			return (int)used;
		bytes += used;
		length -= (size_t)used;
	}
	return 0;
}

/* Directory times last: creating their entries changed them. */
static void set_dir_times(struct cpio_parser *p)
{
	struct dir_time *time;

	list_for_each_entry(time, &p->dirs, link) {
		const int64_t times[2][2] = { { time->mtime, 0 },
					      { time->mtime, 0 } };

		vfs_utimensat(&p->caller, NULL, time->path, times, 0);
	}
}

static void parser_free(struct cpio_parser *p)
{
	struct dir_time *time, *next_time;

	if (p->file != NULL)
		vfs_file_put(p->file);
	kfree(p->target);
	free_links(p);
	list_for_each_entry_safe(time, next_time, &p->dirs, link)
		kfree(time);
	kfree(p);
}

/* One gzip member at data: decompress it through the parser. */
static int unpack_gzip(struct cpio_parser *p, const uint8_t *data,
		       size_t size, size_t *used)
{
	struct kinflate *z = kmalloc(sizeof(*z));
	int err;

	if (z == NULL)
		return -ENOMEM;
	err = kinflate_gzip(z, data, size, used, gzip_sink, p);
	if (err == -EINVAL && z->error != NULL)
		pr_err("initramfs: gzip data at byte %llu: %s",
		       (unsigned long long)p->offset, z->error);
	kfree(z);
	if (err == 0 && p->state != CPIO_BETWEEN)
		err = corrupt(p, "archive truncated inside gzip data");
	return err;
}

int initramfs_unpack(const struct vfs_caller *caller, const void *data,
		     size_t size)
{
	struct cpio_parser *p = kzalloc(sizeof(*p));
	const uint8_t *bytes = data;
	size_t pos = 0;
	int err = 0;

	if (p == NULL)
		return -ENOMEM;
	p->cred = *caller->cred;
	p->cred.umask = 0;		/* the archive's modes, exactly */
	p->caller = (struct vfs_caller){ &p->cred, caller->fs };
	list_init(&p->links);
	list_init(&p->dirs);
	while (pos < size && err == 0) {
		size_t used = 0;
		ssize_t fed;

		if (p->state == CPIO_BETWEEN && bytes[pos] == 0) {
			pos++;		/* padding between archives */
			continue;
		}
		p->offset = pos;
		if (p->state == CPIO_BETWEEN &&
		    kinflate_is_gzip(bytes + pos, size - pos)) {
			err = unpack_gzip(p, bytes + pos, size - pos, &used);
			pos += used;
			continue;
		}
		if (p->state == CPIO_BETWEEN)
			begin_archive(p);
		fed = cpio_feed(p, bytes + pos, size - pos);
		if (fed < 0)
			err = (int)fed;
		else
			pos += (size_t)fed;
	}
	if (err == 0 && p->state != CPIO_BETWEEN)
		err = corrupt(p, "archive truncated");
	if (err == 0)
		set_dir_times(p);
	parser_free(p);
	return err;
}
