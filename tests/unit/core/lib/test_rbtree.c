/*
 * The red-black tree under random insertions and deletions, checked after
 * every operation against a reference set and the red-black invariants.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/lib/rbtree.h"

#define KEYS 2048

struct item {
	struct rb_node node;
	int key;
	bool present;
};

static struct item items[KEYS];

static void insert(struct rb_root *root, struct item *item)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		struct item *at = rb_entry(*link, struct item, node);

		parent = *link;
		link = item->key < at->key ? &(*link)->left : &(*link)->right;
	}
	rb_link(&item->node, parent, link);
	rb_insert_fixup(root, &item->node);
	item->present = true;
}

static struct item *find(const struct rb_root *root, int key)
{
	struct rb_node *node = root->node;

	while (node) {
		struct item *at = rb_entry(node, struct item, node);

		if (key == at->key)
			return at;
		node = key < at->key ? node->left : node->right;
	}
	return NULL;
}

/* In-order walk must list exactly the present keys, ascending. */
static void check_against_reference(const struct rb_root *root)
{
	struct rb_node *node = rb_first(root);

	cr_assert_geq(rb_validate(root), 0, "red-black invariant broken");
	for (int key = 0; key < KEYS; key++) {
		if (!items[key].present)
			continue;
		cr_assert_not_null(node, "tree ends before key %d", key);
		cr_assert_eq(rb_entry(node, struct item, node)->key, key);
		node = rb_next(node);
	}
	cr_assert_null(node, "tree holds keys the reference does not");
}

static void setup(void)
{
	for (int i = 0; i < KEYS; i++)
		items[i] = (struct item){ .key = i };
}

Test(lib_rbtree, random_insert_delete_matches_reference, .init = setup)
{
	struct rb_root root = RB_ROOT_INIT;

	srand(12345);
	for (int step = 0; step < 20000; step++) {
		struct item *item = &items[rand() % KEYS];

		if (item->present) {
			rb_erase(&root, &item->node);
			item->present = false;
			cr_assert_null(find(&root, item->key));
		} else {
			insert(&root, item);
			cr_assert_eq(find(&root, item->key), item);
		}
		if (step % 97 == 0)
			check_against_reference(&root);
	}
	check_against_reference(&root);
}

Test(lib_rbtree, sequential_inserts_stay_balanced, .init = setup)
{
	struct rb_root root = RB_ROOT_INIT;
	int black_height;

	for (int i = 0; i < KEYS; i++)
		insert(&root, &items[i]);
	black_height = rb_validate(&root);
	/* A red-black tree of n nodes has height <= 2 log2(n + 1). */
	cr_assert_geq(black_height, 1);
	cr_assert_leq(black_height, 12);
	check_against_reference(&root);
	for (int i = 0; i < KEYS; i += 2) {
		rb_erase(&root, &items[i].node);
		items[i].present = false;
	}
	check_against_reference(&root);
}

Test(lib_rbtree, first_last_prev_on_empty_and_single, .init = setup)
{
	struct rb_root root = RB_ROOT_INIT;

	cr_assert(rb_is_empty(&root));
	cr_assert_null(rb_first(&root));
	cr_assert_null(rb_last(&root));
	insert(&root, &items[5]);
	cr_assert_eq(rb_first(&root), &items[5].node);
	cr_assert_eq(rb_last(&root), &items[5].node);
	cr_assert_null(rb_next(&items[5].node));
	cr_assert_null(rb_prev(&items[5].node));
	insert(&root, &items[9]);
	cr_assert_eq(rb_prev(&items[9].node), &items[5].node);
	rb_erase(&root, &items[5].node);
	rb_erase(&root, &items[9].node);
	cr_assert(rb_is_empty(&root));
}
