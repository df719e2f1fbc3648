/*
 * Red-black tree rebalancing. Nodes are owned by the caller; this file only
 * rewires pointers. NULL children are the black leaves of the textbook.
 */
#include "core/lib/rbtree.h"

static bool is_red(const struct rb_node *node)
{
	return node != NULL && node->red;
}

/* Makes `new_child` take old_child's place under parent (or as root). */
static void replace_child(struct rb_root *root, struct rb_node *parent,
			  struct rb_node *old_child, struct rb_node *new_child)
{
	if (parent == NULL)
		root->node = new_child;
	else if (parent->left == old_child)
		parent->left = new_child;
	else
		parent->right = new_child;
	if (new_child)
		new_child->parent = parent;
}

static void rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(root, x->parent, x, y);
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(root, x->parent, x, y);
	y->right = x;
	x->parent = y;
}

void rb_insert_fixup(struct rb_root *root, struct rb_node *node)
{
	while (is_red(node->parent)) {
		struct rb_node *parent = node->parent;
		struct rb_node *grand = parent->parent;
		bool parent_is_left = (grand->left == parent);
		struct rb_node *uncle = parent_is_left ? grand->right : grand->left;

		if (is_red(uncle)) {
			parent->red = false;
			uncle->red = false;
			grand->red = true;
			node = grand;
			continue;
		}
		if (parent_is_left && node == parent->right) {
			rotate_left(root, parent);
			node = parent;
		} else if (!parent_is_left && node == parent->left) {
			rotate_right(root, parent);
			node = parent;
		}
		node->parent->red = false;
		grand->red = true;
		if (parent_is_left)
			rotate_right(root, grand);
		else
			rotate_left(root, grand);
	}
	root->node->red = false;
}

static struct rb_node *leftmost(struct rb_node *node)
{
	while (node->left)
		node = node->left;
	return node;
}

static struct rb_node *rightmost(struct rb_node *node)
{
	while (node->right)
		node = node->right;
	return node;
}

/*
 * Rebalances after a black node was removed from below `parent`; `node`
 * (possibly NULL) carries the extra black.
 */
static void erase_fixup(struct rb_root *root, struct rb_node *node,
			struct rb_node *parent)
{
	while (node != root->node && !is_red(node)) {
		bool is_left = (parent->left == node);
		struct rb_node *sibling = is_left ? parent->right : parent->left;

		if (is_red(sibling)) {
			sibling->red = false;
			parent->red = true;
			if (is_left)
				rotate_left(root, parent);
			else
				rotate_right(root, parent);
			sibling = is_left ? parent->right : parent->left;
		}
		if (!is_red(sibling->left) && !is_red(sibling->right)) {
			sibling->red = true;
			node = parent;
			parent = node->parent;
			continue;
		}
		if (is_left && !is_red(sibling->right)) {
			sibling->left->red = false;
			sibling->red = true;
			rotate_right(root, sibling);
			sibling = parent->right;
		} else if (!is_left && !is_red(sibling->left)) {
			sibling->right->red = false;
			sibling->red = true;
			rotate_left(root, sibling);
			sibling = parent->left;
		}
		sibling->red = parent->red;
		parent->red = false;
		if (is_left) {
			sibling->right->red = false;
			rotate_left(root, parent);
		} else {
			sibling->left->red = false;
			rotate_right(root, parent);
		}
		node = root->node;
		break;
	}
	if (node)
		node->red = false;
}

void rb_erase(struct rb_root *root, struct rb_node *node)
{
	struct rb_node *child, *parent;
	bool removed_red;

	if (node->left == NULL || node->right == NULL) {
		child = node->left ? node->left : node->right;
		parent = node->parent;
		removed_red = node->red;
		replace_child(root, parent, node, child);
	} else {
		/* Splice out the successor, then put it where node was. */
		struct rb_node *next = leftmost(node->right);

		child = next->right;
		removed_red = next->red;
		parent = (next->parent == node) ? next : next->parent;
		if (next->parent != node) {
			replace_child(root, next->parent, next, child);
			next->right = node->right;
			next->right->parent = next;
		}
		replace_child(root, node->parent, node, next);
		next->left = node->left;
		next->left->parent = next;
		next->red = node->red;
	}
	if (!removed_red)
		erase_fixup(root, child, parent);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	return root->node ? leftmost(root->node) : NULL;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	return root->node ? rightmost(root->node) : NULL;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	if (node->right)
		return leftmost(node->right);
	while (node->parent && node == node->parent->right)
		node = node->parent;
	return node->parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	if (node->left)
		return rightmost(node->left);
	while (node->parent && node == node->parent->left)
		node = node->parent;
	return node->parent;
}

static int validate_subtree(const struct rb_node *node,
			    const struct rb_node *parent)
{
	int left, right;

	if (node == NULL)
		return 1;
	if (node->parent != parent)
		return -1;
	if (node->red && (is_red(node->left) || is_red(node->right)))
		return -1;
	left = validate_subtree(node->left, node);
	right = validate_subtree(node->right, node);
	if (left < 0 || right < 0 || left != right)
		return -1;
	return left + (node->red ? 0 : 1);
}

int rb_validate(const struct rb_root *root)
{
	if (root->node && root->node->red)
		return -1;
	return validate_subtree(root->node, NULL);
}
