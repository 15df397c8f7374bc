/**
 * @file common/otree.h  Ordered tree with ranks (AVL, intrusive)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * An AVL tree whose nodes are embedded in the caller's objects (as
 * libre's struct le), each node counting the nodes below it, so that
 * besides O(log n) insert and remove it answers "the i-th smallest" and
 * "how many are smaller" in O(log n), and "the smallest" in O(1).
 * libre 1.1.0 has lists and hashes but no ordered structure.  Keys must
 * be unique under the compare handler (break ties with an id), and a
 * node's key must not change while it is in a tree: remove it, change
 * it, insert it again.  No memory is allocated; not thread-safe.
 */

struct otree_node {
	struct otree_node *left;
	struct otree_node *right;
	uint32_t size;       /* nodes in this subtree, this one included */
	int height;          /* 1 for a leaf; 0: not in a tree */
};

/* Negative, zero or positive as a sorts before, with or after b */
typedef int (otree_cmp_h)(const struct otree_node *a,
			  const struct otree_node *b);

struct otree {
	struct otree_node *root;
	struct otree_node *first;    /* the smallest, for O(1) otree_first */
	otree_cmp_h *cmph;
};

void     otree_init(struct otree *t, otree_cmp_h *cmph);
int      otree_insert(struct otree *t, struct otree_node *n);
int      otree_remove(struct otree *t, struct otree_node *n);
uint32_t otree_count(const struct otree *t);
struct otree_node *otree_first(const struct otree *t);
struct otree_node *otree_at(const struct otree *t, uint32_t i);
uint32_t otree_rank(const struct otree *t, const struct otree_node *key,
		    bool *foundp);
struct otree_node *otree_after(const struct otree *t,
			       const struct otree_node *key);
int      otree_check(const struct otree *t);


static inline bool otree_node_linked(const struct otree_node *n)
{
	return n && n->height != 0;
}
