/*
 * Intrusive red-black tree (the classic CLRS algorithm with parent
 * pointers). The caller embeds a `struct rb_node` in its element, finds the
 * insertion point with its own comparison (see rb_link), then calls
 * rb_insert_fixup to rebalance. All operations are O(log n). No allocation
 * and no locking: the owner's lock protects a tree.
 */
#pragma once

#include "core/lib/compiler.h"
#include "core/lib/types.h"

struct rb_node {
	struct rb_node *parent;
	struct rb_node *left;
	struct rb_node *right;
	bool red;
};

struct rb_root {
	struct rb_node *node;
};

#define RB_ROOT_INIT { NULL }

#define rb_entry(node, type, member) container_of(node, type, member)
#define rb_entry_or_null(node, type, member) \
	((node) ? rb_entry(node, type, member) : NULL)

/*
 * Attaches `node` as a red leaf at `*link` below `parent` (the slot the
 * caller's search ended on). Follow with rb_insert_fixup.
 */
static inline void rb_link(struct rb_node *node, struct rb_node *parent,
			   struct rb_node **link)
{
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->red = true;
	*link = node;
}

/* Restores the red-black invariants after rb_link. */
void rb_insert_fixup(struct rb_root *root, struct rb_node *node);

/* Removes node from the tree and rebalances. */
void rb_erase(struct rb_root *root, struct rb_node *node);

/* In-order traversal; each returns NULL past the end. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

static inline bool rb_is_empty(const struct rb_root *root)
{
	return root->node == NULL;
}

/*
 * Checks every red-black invariant (root black, no red node with a red
 * child, equal black height on every path, consistent parent pointers).
 * Returns the black height, or -1 if the tree is broken. For tests and
 * debug assertions: O(n).
 */
int rb_validate(const struct rb_root *root);
