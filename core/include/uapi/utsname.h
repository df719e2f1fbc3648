/*
 * struct utsname as the Linux x86_64 uname(2) syscall fills it (the
 * kernel's new_utsname: six NUL-terminated fields of 65 bytes).
 */
#pragma once

#define UTSNAME_LENGTH 65

struct utsname {
	char sysname[UTSNAME_LENGTH];
	char nodename[UTSNAME_LENGTH];
	char release[UTSNAME_LENGTH];
	char version[UTSNAME_LENGTH];
	char machine[UTSNAME_LENGTH];
	char domainname[UTSNAME_LENGTH];
};

_Static_assert(sizeof(struct utsname) == 390, "utsname layout");
