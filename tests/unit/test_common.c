/**
 * @file test_common.c  Logging: phone numbers never leave in clear
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>
#include "common/log.h"


static void check_mask(const char *in, const char *want, size_t nwant)
{
	char line[256];

	str_ncpy(line, in, sizeof(line));
	assert_int_equal(nwant, log_mask_line(line));
	assert_string_equal(want, line);
}


static void test_mask_line(void **state)
{
	(void)state;

	check_mask("call from 13812345678 to 4001",
		   "call from 138****5678 to 4001", 1);
	check_mask("sip:+8613812345678@127.0.0.1:5060",
		   "sip:+861******5678@127.0.0.1:5060", 1);
	check_mask("tel 02112345678;x=1", "tel 021****5678;x=1", 1);
	check_mask("short 1234567 and 12345678", "short 1****67 and 1*****78",
		   2);
	/* ports, codes, hex ids and timestamps-like tokens stay */
	check_mask("port 5060 code 404 id 5929e184f6079feca9c0",
		   "port 5060 code 404 id 5929e184f6079feca9c0", 0);
	check_mask("id a1234567b", "id a1234567b", 0);
	check_mask("", "", 0);
}


static void test_mask_phone(void **state)
{
	char buf[32];
	(void)state;

	assert_int_equal(0, mask_phone(buf, sizeof(buf), "13812345678"));
	assert_string_equal("138****5678", buf);
	assert_int_equal(0, mask_phone(buf, sizeof(buf), "4001"));
	assert_null(strstr(buf, "4001"));
	assert_int_equal(EINVAL, mask_phone(NULL, 0, "1"));
	assert_int_equal(ENOSPC, mask_phone(buf, 4, "13812345678"));
}


/* The logger itself masks: a number in a format argument never leaks. */
static void test_log_write_masks(void **state)
{
	char out[512] = "";
	int fds[2], saved;
	ssize_t n;
	(void)state;

	assert_int_equal(0, pipe(fds));
	fflush(stderr);
	saved = dup(2);
	dup2(fds[1], 2);

	log_set_level(LOG_LEVEL_DEBUG);
	log_info("customer %s called\nagain", "13812345678");
	fflush(stderr);

	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);

	assert_true(n > 0);
	out[n] = '\0';
	assert_null(strstr(out, "13812345678"));
	assert_non_null(strstr(out, "customer 138****5678 called again"));
	/* one event, one line */
	assert_int_equal(1, (int)(strchr(out, '\n') == out + n - 1));
}


static void test_log_level(void **state)
{
	enum log_level l;
	(void)state;

	assert_int_equal(0, log_level_decode(&l, "warn"));
	assert_int_equal(LOG_LEVEL_WARN, l);
	assert_int_equal(EINVAL, log_level_decode(&l, "loud"));
	assert_int_equal(EINVAL, log_level_decode(NULL, "info"));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_line),
		cmocka_unit_test(test_mask_phone),
		cmocka_unit_test(test_log_write_masks),
		cmocka_unit_test(test_log_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
