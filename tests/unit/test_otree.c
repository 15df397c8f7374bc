/**
 * @file test_otree.c  The ordered tree with ranks (common/otree.c)
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Checked against the obvious model, a sorted array: after every random
 * insert or remove the tree's invariants hold, and its i-th node, its
 * ranks and its count are the model's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "common/otree.h"


enum {
	NODES = 2000,
	STEPS = 20000,
};

struct item {
	struct otree_node node;
	uint32_t key;
};


static int item_cmp(const struct otree_node *a, const struct otree_node *b)
{
	const struct item *x = (const struct item *)a;
	const struct item *y = (const struct item *)b;

	return x->key < y->key ? -1 : x->key > y->key;
}


static void test_empty(void **state)
{
	struct otree t;
	struct item probe = {.key = 5};
	bool found = true;
	(void)state;

	otree_init(&t, item_cmp);
	assert_int_equal(0, otree_count(&t));
	assert_null(otree_at(&t, 0));
	assert_int_equal(0, otree_rank(&t, &probe.node, &found));
	assert_false(found);
	assert_int_equal(0, otree_check(&t));
	assert_int_equal(ENOENT, otree_remove(&t, &probe.node));
}


static void test_errors(void **state)
{
	struct otree t, u;
	struct item a = {.key = 1}, b = {.key = 1}, c = {.key = 2};
	(void)state;

	otree_init(&t, item_cmp);
	otree_init(&u, item_cmp);

	assert_int_equal(0, otree_insert(&t, &a.node));
	assert_true(otree_node_linked(&a.node));

	/* one node, one tree; one key, one node */
	assert_int_equal(EALREADY, otree_insert(&t, &a.node));
	assert_int_equal(EEXIST, otree_insert(&t, &b.node));
	assert_false(otree_node_linked(&b.node));

	/* a node of another tree, or with an equal key, is not removed */
	assert_int_equal(0, otree_insert(&u, &c.node));
	assert_int_equal(ENOENT, otree_remove(&t, &c.node));
	assert_int_equal(ENOENT, otree_remove(&t, &b.node));
	assert_int_equal(1, otree_count(&t));

	assert_int_equal(0, otree_remove(&t, &a.node));
	assert_false(otree_node_linked(&a.node));
	assert_int_equal(0, otree_count(&t));
	assert_int_equal(EINVAL, otree_insert(NULL, &a.node));
	assert_int_equal(EINVAL, otree_remove(&t, NULL));
}


/* Ascending and descending runs: the worst cases of an unbalanced tree */
static void test_sorted_inserts(void **state)
{
	static struct item v[NODES];
	struct otree t;
	(void)state;

	otree_init(&t, item_cmp);

	for (uint32_t i = 0; i < NODES; i++) {
		v[i].key = i < NODES / 2 ? i : 3 * NODES - i;
		memset(&v[i].node, 0, sizeof(v[i].node));
		assert_int_equal(0, otree_insert(&t, &v[i].node));
	}

	assert_int_equal(0, otree_check(&t));
	assert_int_equal(NODES, otree_count(&t));

	/* AVL: height at most 1.44 log2(n + 2) */
	assert_true(t.root->height <= 16);

	for (uint32_t i = 1; i < NODES; i++) {
		const struct item *p = (void *)otree_at(&t, i - 1);
		const struct item *q = (void *)otree_at(&t, i);

		assert_true(p->key < q->key);
	}
}


static size_t model_rank(const uint32_t *mv, size_t mc, uint32_t key)
{
	size_t r = 0;

	while (r < mc && mv[r] < key)
		++r;

	return r;
}


static void test_random_model(void **state)
{
	static struct item v[NODES];
	static uint32_t mv[NODES];     /* the keys in the tree, sorted */
	size_t mc = 0;
	struct otree t;
	const char *env = getenv("LL_OTREE_SEED");
	unsigned seed = env ? (unsigned)atoi(env) : 1;
	(void)state;

	srandom(seed);
	otree_init(&t, item_cmp);
	for (uint32_t i = 0; i < NODES; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].key = i * 7;       /* unique */
	}

	for (unsigned s = 0; s < STEPS; s++) {
		struct item *it = &v[random() % NODES];
		struct item probe;
		size_t r = model_rank(mv, mc, it->key);
		bool found;

		if (otree_node_linked(&it->node)) {
			assert_int_equal(0, otree_remove(&t, &it->node));
			memmove(&mv[r], &mv[r + 1], (mc - r - 1) * sizeof(*mv));
			--mc;
		}
		else {
			assert_int_equal(0, otree_insert(&t, &it->node));
			memmove(&mv[r + 1], &mv[r], (mc - r) * sizeof(*mv));
			mv[r] = it->key;
			++mc;
		}

		assert_int_equal(mc, otree_count(&t));

		/* a key between two: its rank, not found */
		probe.key = (uint32_t)(random() % (NODES * 7 + 7));
		assert_int_equal(model_rank(mv, mc, probe.key),
				 otree_rank(&t, &probe.node, &found));
		assert_int_equal(found, probe.key % 7 == 0 &&
				 otree_node_linked(&v[probe.key / 7].node));

		if (mc) {
			size_t i = (size_t)random() % mc;
			const struct item *at;

			at = (const void *)otree_at(&t, (uint32_t)i);
			assert_int_equal(mv[i], at->key);
		}
		assert_null(otree_at(&t, (uint32_t)mc));
		assert_ptr_equal(otree_at(&t, 0), otree_first(&t));
		assert_ptr_equal(otree_at(&t, (uint32_t)model_rank(mv, mc,
				 probe.key + 1)), otree_after(&t, &probe.node));

		if (s % 97 == 0)
			assert_int_equal(0, otree_check(&t));
	}

	for (size_t i = 0; i < mc; i++)
		assert_int_equal(mv[i], ((struct item *)
					 otree_at(&t, (uint32_t)i))->key);
	assert_int_equal(0, otree_check(&t));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sorted_inserts),
		cmocka_unit_test(test_random_model),
	};

	return cmocka_run_group_tests_name("otree", tests, NULL, NULL);
}
