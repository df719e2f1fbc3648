/*
 * File memory objects: what backs a VMA that maps a file. The object is
 * a handle, one per mmap call (Linux's vm_file): it holds a reference to
 * the open file, and its fault hands out the file's page-cache pages
 * (vfs_file_get_page), which every mapping of the file shares. Private
 * mappings copy a page on the first write (fault.c: page-cache pages are
 * never PAGE_ANON, so they are never written in place). No lock of its
 * own: the file and page cache are the file system's, and the object is
 * immutable after creation.
 */
#include "core/mm/vm_internal.h"

#include "core/mm/kmem.h"
#include "fs/vfs.h"

struct file_object {
	struct vm_object object;
	struct vfs_file *file;	/* one reference */
};

static struct file_object *to_file_object(const struct vm_object *object)
{
	return container_of(object, struct file_object, object);
}

static int file_fault(struct vm_object *object, uint64_t pgoff,
		      struct page **page)
{
	return vfs_file_get_page(to_file_object(object)->file, pgoff, page);
}

static void file_release(struct vm_object *object)
{
	struct file_object *fo = to_file_object(object);

	vfs_file_put(fo->file);
	kfree(fo);
}

static const struct vm_object_ops file_object_ops = {
	.fault = file_fault,
	.release = file_release,
};

struct vm_object *vm_file_object_create(struct vfs_file *file)
{
	struct file_object *fo = kzalloc(sizeof(*fo));

	if (fo == NULL)
		return NULL;
	fo->object.ops = &file_object_ops;
	fo->object.refcount = 1;
	vfs_file_get(file);
	fo->file = file;
	return &fo->object;
}

struct vfs_file *vm_object_file(const struct vm_object *object)
{
	if (object == NULL || object->ops != &file_object_ops)
		return NULL;
	return to_file_object(object)->file;
}
