/*
 * Intrusive doubly-linked circular lists. A `struct list_head` is embedded
 * in each element; the list itself is a head node that points to itself
 * when empty. No allocation, no locking: the owner's lock protects a list.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/types.h"

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_is_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline void list_insert_between(struct list_head *node,
				       struct list_head *prev,
				       struct list_head *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

/* Inserts node right after head (stack order). */
static inline void list_add(struct list_head *node, struct list_head *head)
{
	list_insert_between(node, head, head->next);
}

/* Inserts node right before head, i.e. at the tail (queue order). */
static inline void list_add_tail(struct list_head *node, struct list_head *head)
{
	list_insert_between(node, head->prev, head);
}

/* Unlinks node and makes it an empty list, so a second removal is harmless. */
static inline void list_remove(struct list_head *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

static inline bool list_is_linked(const struct list_head *node)
{
	return node->next != node;
}

static inline void list_move(struct list_head *node, struct list_head *head)
{
	list_remove(node);
	list_add(node, head);
}

static inline void list_move_tail(struct list_head *node,
				  struct list_head *head)
{
	list_remove(node);
	list_add_tail(node, head);
}

#define list_entry(node, type, member) container_of(node, type, member)

#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

/* Safe against removal of `pos` inside the loop body. */
#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); \
	     pos = tmp, tmp = pos->next)

#define list_for_each_entry(pos, head, member)                              \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);       \
	     &pos->member != (head);                                         \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, tmp, head, member)                    \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),       \
	    tmp = list_entry(pos->member.next, __typeof__(*pos), member);    \
	     &pos->member != (head);                                         \
	     pos = tmp,                                                      \
	    tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))

static inline size_t list_count(const struct list_head *head)
{
	size_t n = 0;

	for (const struct list_head *p = head->next; p != head; p = p->next)
		n++;
	return n;
}
