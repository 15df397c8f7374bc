/**
 * @file test_replay.c  Digest nonce-count replay tracker
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Time is passed in (seconds), so expiry and eviction are exact here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "common/replay.h"


enum {
	TTL = 300,
	T0  = 1700000000,
};


static int use(struct replay *rp, const char *nonce, uint64_t issued,
	       uint32_t nc, uint64_t now)
{
	struct pl pl;

	pl_set_str(&pl, nonce);
	return replay_use(rp, &pl, issued, nc, now);
}


static void test_counts_go_up(void **state)
{
	struct replay *rp = NULL;
	(void)state;

	assert_int_equal(0, replay_alloc(&rp, 16, TTL));

	/* A client counts 1, 2, 3 with one nonce. */
	assert_int_equal(0, use(rp, "n1", T0, 1, T0));
	assert_int_equal(0, use(rp, "n1", T0, 2, T0 + 1));
	assert_int_equal(0, use(rp, "n1", T0, 3, T0 + 2));

	/* The same count again is a replay; a lower one too. */
	assert_int_equal(EALREADY, use(rp, "n1", T0, 3, T0 + 2));
	assert_int_equal(EALREADY, use(rp, "n1", T0, 1, T0 + 3));

	/* Counts may skip (a request lost on the way). */
	assert_int_equal(0, use(rp, "n1", T0, 9, T0 + 3));
	assert_int_equal(EALREADY, use(rp, "n1", T0, 8, T0 + 3));

	/* Another nonce has counts of its own. */
	assert_int_equal(0, use(rp, "n2", T0, 1, T0 + 3));
	assert_int_equal(2, replay_count(rp));

	mem_deref(rp);
}


static void test_no_qop_once(void **state)
{
	struct replay *rp = NULL;
	(void)state;

	assert_int_equal(0, replay_alloc(&rp, 16, TTL));

	/* Without qop (count 0) a nonce serves one request. */
	assert_int_equal(0, use(rp, "plain", T0, 0, T0));
	assert_int_equal(EALREADY, use(rp, "plain", T0, 0, T0));
	assert_int_equal(EALREADY, use(rp, "plain", T0, 0, T0 + 100));

	mem_deref(rp);
}


static void test_expiry(void **state)
{
	struct replay *rp = NULL;
	(void)state;

	assert_int_equal(0, replay_alloc(&rp, 16, TTL));

	assert_int_equal(0, use(rp, "old", T0, 1, T0));
	assert_int_equal(0, use(rp, "new", T0 + 200, 1, T0 + 200));

	/* Past its lifetime a nonce is refused, and forgotten. */
	assert_int_equal(0, use(rp, "old", T0, 2, T0 + TTL));
	assert_int_equal(ETIMEDOUT, use(rp, "old", T0, 3, T0 + TTL + 1));
	assert_int_equal(ETIMEDOUT, use(rp, "old", T0, 1, T0 + TTL + 1));
	assert_int_equal(1, replay_count(rp));

	/* The younger one lives on, counts kept. */
	assert_int_equal(EALREADY, use(rp, "new", T0 + 200, 1, T0 + TTL + 1));
	assert_int_equal(0, use(rp, "new", T0 + 200, 2, T0 + TTL + 1));

	mem_deref(rp);
}


static void test_eviction(void **state)
{
	struct replay *rp = NULL;
	char nonce[32];
	int i;
	(void)state;

	assert_int_equal(0, replay_alloc(&rp, 4, TTL));

	for (i = 0; i < 4; i++) {
		re_snprintf(nonce, sizeof(nonce), "n%d", i);
		assert_int_equal(0, use(rp, nonce, T0 + i, 1, T0 + 10));
	}
	assert_int_equal(4, replay_count(rp));

	/* A fifth evicts the first: the table stays bounded. */
	assert_int_equal(0, use(rp, "n4", T0 + 4, 1, T0 + 10));
	assert_int_equal(4, replay_count(rp));

	/* The evicted nonce's counts are gone: it is refused outright, and
	 * so is any nonce issued no later, tracked or not. */
	assert_int_equal(ETIMEDOUT, use(rp, "n0", T0, 2, T0 + 10));
	assert_int_equal(ETIMEDOUT, use(rp, "x", T0, 1, T0 + 10));

	/* Younger ones are still tracked as before. */
	assert_int_equal(EALREADY, use(rp, "n1", T0 + 1, 1, T0 + 10));
	assert_int_equal(0, use(rp, "n1", T0 + 1, 2, T0 + 10));

	/* A flood of new nonces never grows the table. */
	for (i = 0; i < 1000; i++) {
		re_snprintf(nonce, sizeof(nonce), "f%d", i);
		(void)use(rp, nonce, T0 + 20 + i / 100, 1, T0 + 30);
	}
	assert_true(replay_count(rp) <= 4);

	/* Nor does a flood that is refused because the table moved on. */
	assert_int_equal(ETIMEDOUT, use(rp, "n4", T0 + 4, 2, T0 + 30));

	mem_deref(rp);
}


static void test_bad_args(void **state)
{
	struct replay *rp = NULL;
	char big[REPLAY_NONCE_SZ + 1];
	struct pl pl = PL_INIT;
	(void)state;

	assert_int_equal(EINVAL, replay_alloc(NULL, 4, TTL));
	assert_int_equal(EINVAL, replay_alloc(&rp, 0, TTL));
	assert_int_equal(EINVAL, replay_alloc(&rp, 4, 0));
	assert_int_equal(0, replay_alloc(&rp, 4, TTL));

	assert_int_equal(EINVAL, replay_use(NULL, &pl, T0, 1, T0));
	assert_int_equal(EINVAL, replay_use(rp, &pl, T0, 1, T0));

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(EINVAL, use(rp, big, T0, 1, T0));
	big[REPLAY_NONCE_SZ - 1] = '\0';
	assert_int_equal(0, use(rp, big, T0, 1, T0));
	assert_int_equal(EALREADY, use(rp, big, T0, 1, T0));

	mem_deref(rp);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_go_up),
		cmocka_unit_test(test_no_qop_once),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
