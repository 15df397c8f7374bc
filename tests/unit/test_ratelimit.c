/**
 * @file test_ratelimit.c  Failure limits and token buckets per key
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Time is passed in, so every window here is exact.  Also the
 * configuration keys of the limits (docs/lianluod.conf).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "common/ratelimit.h"
#include "common/log.h"
#include "config.h"


static void test_fail_window(void **state)
{
	struct ratelimit *rl = NULL;
	uint64_t t = 1000;
	int i;
	(void)state;

	assert_int_equal(0, ratelimit_alloc(&rl, 3, 60000, 16));

	/* Two failures: not yet. */
	assert_false(ratelimit_fail(rl, "10.0.0.1", t));
	assert_false(ratelimit_fail(rl, "10.0.0.1", t + 10));
	assert_int_equal(0, ratelimit_blocked(rl, "10.0.0.1", t + 20));

	/* The third within the window blocks, for one window from then. */
	assert_true(ratelimit_fail(rl, "10.0.0.1", t + 1000));
	assert_int_equal(60000, ratelimit_blocked(rl, "10.0.0.1", t + 1000));
	assert_int_equal(1, ratelimit_blocked(rl, "10.0.0.1", t + 60999));
	assert_int_equal(0, ratelimit_blocked(rl, "10.0.0.1", t + 61000));

	/* Failures while blocked neither count nor report a new block. */
	t += 2000;
	assert_false(ratelimit_fail(rl, "10.0.0.2", t));
	assert_false(ratelimit_fail(rl, "10.0.0.2", t));
	assert_true(ratelimit_fail(rl, "10.0.0.2", t));
	for (i = 0; i < 10; i++)
		assert_false(ratelimit_fail(rl, "10.0.0.2", t + 1000));
	assert_int_equal(60000, ratelimit_blocked(rl, "10.0.0.2", t));

	/* Failures spread over more than a window never block. */
	for (i = 0; i < 20; i++) {
		assert_false(ratelimit_fail(rl, "10.0.0.3",
					    t + (uint64_t)i * 30000));
		assert_int_equal(0, ratelimit_blocked(rl, "10.0.0.3",
				 t + (uint64_t)i * 30000));
	}

	mem_deref(rl);
}


static void test_keys_independent(void **state)
{
	struct ratelimit *rl = NULL;
	(void)state;

	assert_int_equal(0, ratelimit_alloc(&rl, 2, 1000, 16));

	assert_false(ratelimit_fail(rl, "alice", 0));
	assert_true(ratelimit_fail(rl, "alice", 1));
	assert_true(ratelimit_blocked(rl, "alice", 2) > 0);

	/* Others, and prefixes or extensions of the key, are not. */
	assert_int_equal(0, ratelimit_blocked(rl, "bob", 2));
	assert_int_equal(0, ratelimit_blocked(rl, "alic", 2));
	assert_int_equal(0, ratelimit_blocked(rl, "alice2", 2));
	assert_int_equal(0, ratelimit_blocked(rl, "", 2));
	assert_false(ratelimit_fail(rl, "bob", 2));

	/* Off (no table): never blocked, always a token. */
	assert_int_equal(0, ratelimit_blocked(NULL, "alice", 2));
	assert_false(ratelimit_fail(NULL, "alice", 2));
	assert_int_equal(0, ratelimit_take(NULL, "alice", 2, NULL));

	assert_int_equal(EINVAL, ratelimit_alloc(NULL, 1, 1, 1));
	assert_int_equal(EINVAL, ratelimit_alloc(&rl, 0, 1, 1));

	mem_deref(rl);
}


static void test_bucket(void **state)
{
	struct ratelimit *rl = NULL;
	uint64_t t = 5000;
	bool first;
	int i;
	(void)state;

	/* 10 a second, bursts of 10. */
	assert_int_equal(0, ratelimit_alloc(&rl, 10, 1000, 16));

	for (i = 0; i < 10; i++)
		assert_int_equal(0, ratelimit_take(rl, "10.0.0.1", t, NULL));
	assert_int_equal(100, ratelimit_take(rl, "10.0.0.1", t, &first));
	assert_true(first);
	assert_int_equal(100, ratelimit_take(rl, "10.0.0.1", t, &first));
	assert_false(first);
	assert_int_equal(0, ratelimit_take(rl, "10.0.0.2", t, NULL));

	/* A token comes back every 100 ms. */
	assert_int_equal(50, ratelimit_take(rl, "10.0.0.1", t + 50, NULL));
	assert_int_equal(0, ratelimit_take(rl, "10.0.0.1", t + 100, NULL));
	assert_true(ratelimit_take(rl, "10.0.0.1", t + 100, &first) > 0);
	assert_false(first);   /* the same flood: logged once */

	/* Once the bucket has filled again, a new flood is news. */
	for (i = 0; i < 10; i++)
		assert_int_equal(0, ratelimit_take(rl, "10.0.0.1",
						   t + 1100, NULL));
	assert_true(ratelimit_take(rl, "10.0.0.1", t + 1100, &first) > 0);
	assert_true(first);

	/* A steady 10 a second always passes; 20 a second half does. */
	{
		int ok = 0;

		t += 10000;
		for (i = 0; i < 200; i++)
			ok += !ratelimit_take(rl, "10.0.0.3", t + i * 50, NULL);
		assert_in_range(ok, 100, 111);

		for (i = 0; i < 100; i++)
			assert_int_equal(0, ratelimit_take(rl, "10.0.0.4",
						      t + i * 100, NULL));
	}

	/* A clock that goes back refills rather than wrapping. */
	assert_int_equal(0, ratelimit_take(rl, "10.0.0.1", 0, NULL));

	mem_deref(rl);
}


static void test_eviction(void **state)
{
	struct ratelimit *rl = NULL;
	char key[32];
	int i;
	(void)state;

	assert_int_equal(0, ratelimit_alloc(&rl, 1, 60000, 4));

	assert_true(ratelimit_fail(rl, "old", 0));
	assert_true(ratelimit_fail(rl, "kept", 0));

	/* Using "kept" makes it recent; "old" is the least recent. */
	for (i = 0; i < 2; i++) {
		re_snprintf(key, sizeof(key), "k%d", i);
		assert_true(ratelimit_fail(rl, key, 1));
	}
	assert_true(ratelimit_blocked(rl, "kept", 2) > 0);
	assert_true(ratelimit_fail(rl, "new", 3));

	assert_int_equal(4, ratelimit_count(rl));
	assert_int_equal(0, ratelimit_blocked(rl, "old", 4));
	assert_true(ratelimit_blocked(rl, "kept", 4) > 0);
	assert_true(ratelimit_blocked(rl, "new", 4) > 0);

	/* Ten thousand keys later the table has still four. */
	for (i = 0; i < 10000; i++) {
		re_snprintf(key, sizeof(key), "10.%d.%d.1", i / 256, i % 256);
		(void)ratelimit_fail(rl, key, 5);
		(void)ratelimit_take(rl, key, 5, NULL);
	}
	assert_int_equal(4, ratelimit_count(rl));

	mem_deref(rl);
}


/* Keys as a peer may send them: long, binary, empty. */
static void test_hostile_keys(void **state)
{
	struct ratelimit *rl = NULL;
	char a[1000], b[1000], bin[4];
	(void)state;

	assert_int_equal(0, ratelimit_alloc(&rl, 1, 1000, 64));

	/* Keys longer than RATELIMIT_KEY_SZ - 1 share their first part. */
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[sizeof(b) - 2] = 'y';
	assert_true(ratelimit_fail(rl, a, 0));
	assert_true(ratelimit_blocked(rl, b, 1) > 0);
	b[RATELIMIT_KEY_SZ - 2] = 'y';
	assert_int_equal(0, ratelimit_blocked(rl, b, 1));

	/* Bytes of any value, and the empty key, are keys like others. */
	bin[0] = (char)0xff;
	bin[1] = (char)0x80;
	bin[2] = '\n';
	bin[3] = '\0';
	assert_true(ratelimit_fail(rl, bin, 0));
	assert_true(ratelimit_blocked(rl, bin, 1) > 0);
	assert_true(ratelimit_fail(rl, "", 0));
	assert_true(ratelimit_blocked(rl, "", 1) > 0);
	assert_int_equal(0, ratelimit_blocked(rl, "\xff", 1));
	assert_int_equal(0, ratelimit_blocked(rl, NULL, 1));
	assert_false(ratelimit_fail(rl, NULL, 1));

	mem_deref(rl);
}


static void test_config_keys(void **state)
{
	char *ok[] = {"lianluod", "--auth-fail-limit-address", "0",
		      "--auth-fail-limit-user", "3", "--auth-fail-window", "5",
		      "--sip-request-rate", "7",
		      "--sip-max-calls-per-address", "4",
		      "--sip-max-outbound-calls-per-agent", "1"};
	char *zero_window[] = {"lianluod", "--auth-fail-window", "0"};
	char *negative[] = {"lianluod", "--sip-request-rate", "-1"};
	char *word[] = {"lianluod", "--auth-fail-limit-user", "many"};
	struct config cfg;
	(void)state;

	log_set_level(LOG_LEVEL_ERROR);
	config_defaults(&cfg);
	assert_int_equal(10, cfg.auth_fail_addr);
	assert_int_equal(20, cfg.auth_fail_user);
	assert_int_equal(60, cfg.auth_fail_window_s);
	assert_int_equal(50, cfg.sip_request_rate);
	assert_int_equal(50, cfg.sip_calls_addr);
	assert_int_equal(2, cfg.sip_calls_agent);

	assert_int_equal(0, config_parse_args(&cfg, 13, ok));
	assert_int_equal(0, cfg.auth_fail_addr);
	assert_int_equal(3, cfg.auth_fail_user);
	assert_int_equal(5, cfg.auth_fail_window_s);
	assert_int_equal(7, cfg.sip_request_rate);
	assert_int_equal(4, cfg.sip_calls_addr);
	assert_int_equal(1, cfg.sip_calls_agent);

	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, zero_window));
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, negative));
	assert_int_equal(EINVAL, config_parse_args(&cfg, 3, word));
	assert_int_equal(5, cfg.auth_fail_window_s);
	assert_int_equal(7, cfg.sip_request_rate);
	assert_int_equal(3, cfg.auth_fail_user);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_window),
		cmocka_unit_test(test_keys_independent),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_hostile_keys),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
