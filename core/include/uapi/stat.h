/*
 * Linux x86_64 file status: mode bits, struct stat (stat/fstat/lstat),
 * struct statx and struct statfs, and the directory entry of getdents64.
 * Layouts and values are the ABI's, checked with static_assert.
 */
#pragma once

#include "core/lib/types.h"

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001
#define S_IALLUGO 07777

#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)

struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	int32_t st_pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;	/* 512-byte units */
	uint64_t st_atime_sec;
	uint64_t st_atime_nsec;
	uint64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t st_unused[3];
};
_Static_assert(sizeof(struct stat) == 144, "struct stat is the x86_64 ABI's");

/* statx(2) mask bits. */
#define STATX_TYPE 0x0001u
#define STATX_MODE 0x0002u
#define STATX_NLINK 0x0004u
#define STATX_UID 0x0008u
#define STATX_GID 0x0010u
#define STATX_ATIME 0x0020u
#define STATX_MTIME 0x0040u
#define STATX_CTIME 0x0080u
#define STATX_INO 0x0100u
#define STATX_SIZE 0x0200u
#define STATX_BLOCKS 0x0400u
#define STATX_BASIC_STATS 0x07ffu
#define STATX_BTIME 0x0800u
#define STATX_MNT_ID 0x1000u

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t stx_spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime;
	struct statx_timestamp stx_btime;
	struct statx_timestamp stx_ctime;
	struct statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t stx_spare3[12];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx is the ABI's");

struct statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is the ABI's");

#define TMPFS_MAGIC 0x01021994
#define DEVFS_MAGIC 0x1373		/* Linux's devfs/devtmpfs value */

/* getdents64(2) record: d_reclen is a multiple of 8. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;		/* position of the next record */
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
_Static_assert(sizeof(struct linux_dirent64) == 24, "dirent64 header");

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
