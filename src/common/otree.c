/**
 * @file common/otree.c  Ordered tree with ranks (AVL, intrusive)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Recursive, without parent pointers: the depth of an AVL tree is below
 * 1.45 log2(n), about 25 for 100,000 nodes, so the recursion is shallow.
 * Every function that changes a subtree returns its new root, and
 * fix() restores the height, the size and the balance of one node on
 * the way back up.
 */
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <stddef.h>
#include "common/otree.h"


static int height(const struct otree_node *n)
{
	return n ? n->height : 0;
}


static uint32_t size(const struct otree_node *n)
{
	return n ? n->size : 0;
}


static void update(struct otree_node *n)
{
	int hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	n->size = 1 + size(n->left) + size(n->right);
}


static struct otree_node *rotate_right(struct otree_node *n)
{
	struct otree_node *l = n->left;

	n->left = l->right;
	l->right = n;
	update(n);
	update(l);

	return l;
}


static struct otree_node *rotate_left(struct otree_node *n)
{
	struct otree_node *r = n->right;

	n->right = r->left;
	r->left = n;
	update(n);
	update(r);

	return r;
}


/* Rebalance one node whose subtrees differ in height by at most 2. */
static struct otree_node *fix(struct otree_node *n)
{
	int bf;

	update(n);
	bf = height(n->left) - height(n->right);

	if (bf > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}

	if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}

	return n;
}


static struct otree_node *insert(otree_cmp_h *cmph, struct otree_node *r,
				 struct otree_node *n, int *errp)
{
	int c;

	if (!r)
		return n;

	c = cmph(n, r);
	if (c == 0) {
		*errp = EEXIST;
		return r;
	}

	if (c < 0)
		r->left = insert(cmph, r->left, n, errp);
	else
		r->right = insert(cmph, r->right, n, errp);

	return fix(r);
}


static struct otree_node *remove_min(struct otree_node *r,
				     struct otree_node **minp)
{
	if (!r->left) {
		*minp = r;
		return r->right;
	}

	r->left = remove_min(r->left, minp);

	return fix(r);
}


static struct otree_node *delete_node(otree_cmp_h *cmph,
				      struct otree_node *r,
				      struct otree_node *n, int *errp)
{
	struct otree_node *min, *right;
	int c;

	if (!r) {
		*errp = ENOENT;
		return NULL;
	}

	if (r == n) {
		if (!r->right)
			return r->left;

		right = remove_min(r->right, &min);
		min->left = r->left;
		min->right = right;
		return fix(min);
	}

	c = cmph(n, r);
	if (c == 0) {
		*errp = ENOENT;     /* an equal key, but another node */
		return r;
	}

	if (c < 0)
		r->left = delete_node(cmph, r->left, n, errp);
	else
		r->right = delete_node(cmph, r->right, n, errp);

	return fix(r);
}


/**
 * Initialise an empty tree
 *
 * @param t     Tree
 * @param cmph  Compare handler, a total order over the nodes
 */
void otree_init(struct otree *t, otree_cmp_h *cmph)
{
	if (!t)
		return;

	t->root = NULL;
	t->first = NULL;
	t->cmph = cmph;
}


/**
 * Insert a node that is in no tree
 *
 * @return 0 if success, EALREADY if the node is in a tree, EEXIST if a
 *         node with an equal key is
 */
int otree_insert(struct otree *t, struct otree_node *n)
{
	int err = 0;

	if (!t || !n)
		return EINVAL;
	if (otree_node_linked(n))
		return EALREADY;

	n->left = n->right = NULL;
	n->size = 1;
	n->height = 1;

	t->root = insert(t->cmph, t->root, n, &err);
	if (err)
		n->height = 0;
	else if (!t->first || t->cmph(n, t->first) < 0)
		t->first = n;

	return err;
}


/**
 * Remove a node, found by its key (which must not have changed since it
 * was inserted)
 *
 * @return 0 if success, ENOENT if the node is not in this tree
 */
int otree_remove(struct otree *t, struct otree_node *n)
{
	int err = 0;

	if (!t || !n)
		return EINVAL;
	if (!otree_node_linked(n))
		return ENOENT;

	t->root = delete_node(t->cmph, t->root, n, &err);
	if (err)
		return err;

	n->left = n->right = NULL;
	n->size = 0;
	n->height = 0;

	if (n == t->first) {
		struct otree_node *m = t->root;

		while (m && m->left)
			m = m->left;
		t->first = m;
	}

	return 0;
}


uint32_t otree_count(const struct otree *t)
{
	return t ? size(t->root) : 0;
}


/**
 * The smallest node, or NULL if the tree is empty; O(1)
 */
struct otree_node *otree_first(const struct otree *t)
{
	return t ? t->first : NULL;
}


/**
 * The node of rank i (0 = the smallest), or NULL past the end
 */
struct otree_node *otree_at(const struct otree *t, uint32_t i)
{
	struct otree_node *n = t ? t->root : NULL;

	while (n) {
		uint32_t ls = size(n->left);

		if (i < ls) {
			n = n->left;
		}
		else if (i == ls) {
			return n;
		}
		else {
			i -= ls + 1;
			n = n->right;
		}
	}

	return NULL;
}


/**
 * How many nodes sort before key; key need not be in the tree
 *
 * @param t       Tree
 * @param key     A node holding the key to look for
 * @param foundp  Optional: set when a node with an equal key is there
 *
 * @return the rank key has, or would have once inserted
 */
uint32_t otree_rank(const struct otree *t, const struct otree_node *key,
		    bool *foundp)
{
	const struct otree_node *n = t ? t->root : NULL;
	uint32_t r = 0;

	if (foundp)
		*foundp = false;

	while (n && key) {
		int c = t->cmph(key, n);

		if (c < 0) {
			n = n->left;
		}
		else if (c == 0) {
			if (foundp)
				*foundp = true;
			return r + size(n->left);
		}
		else {
			r += size(n->left) + 1;
			n = n->right;
		}
	}

	return r;
}


/**
 * The smallest node that sorts after key (key need not be in the tree),
 * or NULL; one descent
 */
struct otree_node *otree_after(const struct otree *t,
			       const struct otree_node *key)
{
	struct otree_node *n = t ? t->root : NULL, *best = NULL;

	while (n && key) {
		if (t->cmph(key, n) < 0) {
			best = n;
			n = n->left;
		}
		else {
			n = n->right;
		}
	}

	return best;
}


static int check(otree_cmp_h *cmph, const struct otree_node *n,
		 const struct otree_node *lo, const struct otree_node *hi)
{
	int hl, hr;

	if (!n)
		return 0;

	if ((lo && cmph(lo, n) >= 0) || (hi && cmph(n, hi) >= 0))
		return EBADMSG;

	if (check(cmph, n->left, lo, n) || check(cmph, n->right, n, hi))
		return EBADMSG;

	hl = height(n->left);
	hr = height(n->right);
	if (n->height != 1 + (hl > hr ? hl : hr) || hl - hr > 1 ||
	    hr - hl > 1 || n->size != 1 + size(n->left) + size(n->right))
		return EBADMSG;

	return 0;
}


/**
 * Check the tree's invariants: order, heights, balance and sizes (for
 * tests; O(n))
 *
 * @return 0 if they hold, EBADMSG if not
 */
int otree_check(const struct otree *t)
{
	if (!t)
		return EINVAL;

	if (t->first != otree_at(t, 0))
		return EBADMSG;

	return check(t->cmph, t->root, NULL, NULL);
}
