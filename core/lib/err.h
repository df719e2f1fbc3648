/*
 * Error-carrying pointers: a function that returns a pointer and can fail
 * returns ERR_PTR(-errno). The top MAX_ERRNO addresses are never valid
 * kernel pointers on either platform, so they can carry the error.
 */
#pragma once

#include "core/include/uapi/errno.h"
#include "core/lib/compiler.h"
#include "core/lib/types.h"

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return unlikely((uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return ptr == NULL || IS_ERR(ptr);
}
