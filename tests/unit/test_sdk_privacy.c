/**
 * @file test_sdk_privacy.c  Tests of liblianluo's personal-information
 *                           API: disclosure, switches, ledger, app state
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Through liblianluo.so and its public header only, in one process and
 * in order (consent is process-wide).  No server is needed: the logins
 * here go to closed loopback ports and fail, which is enough to see what
 * a login reads.  The disclosure's item list is derived from the code's
 * enum ll_privacy_item and compared both ways (issue 4, test 7), and
 * every ledger entry must name a disclosed item.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <pthread.h>
#include <time.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "lianluo/lianluo.h"


enum {
	WAIT_MS   = 12000,
	LEDGER_SZ = 65536,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int logins;
static int login_err;
static char ledger[LEDGER_SZ];


static void login_handler(int err, const struct ll_login_info *info,
			  void *arg)
{
	(void)info;
	(void)arg;

	pthread_mutex_lock(&lock);
	++logins;
	login_err = err;
	pthread_mutex_unlock(&lock);
}


static bool wait_logins(int n)
{
	int i;

	for (i = 0; i < WAIT_MS / 20; i++) {
		bool ok;

		pthread_mutex_lock(&lock);
		ok = logins >= n;
		pthread_mutex_unlock(&lock);
		if (ok)
			return true;
		usleep(20000);
	}

	return false;
}


/* How many times s occurs in text. */
static int count(const char *text, const char *s)
{
	const char *p = text;
	int n = 0;

	while ((p = strstr(p, s))) {
		++n;
		p += strlen(s);
	}

	return n;
}


/* The JSON object of item id in a disclosure, up to its '}'. */
static void item_object(char *out, size_t sz, const char *json,
			const char *id)
{
	char key[96];
	const char *p, *end;

	snprintf(key, sizeof(key), "{\"id\":\"%s\",", id);
	p = strstr(json, "\"items\":[");
	assert_non_null(p);
	p = strstr(p, key);
	assert_non_null(p);
	end = strchr(p, '}');
	assert_non_null(end);
	assert_true((size_t)(end - p) < sz);
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
}


static void test_before_consent(void **state)
{
	struct ll_sdk *fake = (struct ll_sdk *)(uintptr_t)0x1;
	char buf[64];
	bool on;
	(void)state;

	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_privacy_switch(fake, LL_PRIVACY_MICROPHONE,
					       false));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_get_privacy_switch(fake, LL_PRIVACY_MICROPHONE,
					       &on));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_privacy_ledger_json(fake, buf, sizeof(buf)));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_app_state(fake, LL_APP_BACKGROUND));
	assert_int_equal(LL_ERR_CONSENT_REQUIRED,
			 ll_set_server_certificate(fake, NULL));

	/* The disclosure needs no consent. */
	assert_non_null(ll_privacy_disclosure("en", "json"));
	assert_non_null(ll_privacy_disclosure("zh", "json"));
	assert_non_null(ll_privacy_disclosure("en", "markdown"));
	assert_non_null(ll_privacy_disclosure("zh", "markdown"));
	assert_null(ll_privacy_disclosure("fr", "json"));
	assert_null(ll_privacy_disclosure("en", "html"));
	assert_null(ll_privacy_disclosure(NULL, "json"));
	assert_string_equal("network_state",
			    ll_privacy_item_name(LL_PRIVACY_NETWORK_STATE));
	assert_null(ll_privacy_item_name(LL_PRIVACY_ITEM_COUNT));
	assert_non_null(ll_strerror(LL_ERR_MICROPHONE_DISABLED));
	assert_string_not_equal("unknown error",
				ll_strerror(LL_ERR_MICROPHONE_DISABLED));
	assert_string_not_equal("unknown error",
				ll_strerror(LL_ERR_BUFFER_TOO_SMALL));
}


/* Test 7: the disclosure's items are exactly the code's. */
static void test_disclosure_items(void **state)
{
	static const char *langs[] = {"en", "zh"};
	size_t l;
	int i;
	(void)state;

	for (l = 0; l < 2; l++) {
		const char *json = ll_privacy_disclosure(langs[l], "json");
		const char *md = ll_privacy_disclosure(langs[l], "markdown");
		const char *items = strstr(json, "\"items\":[");
		const char *perms = strstr(json, "\"permissions\":[");
		int n = 0;

		assert_non_null(items);
		assert_non_null(perms);
		assert_true(perms > items);

		/* Every "id" between items and permissions is an item. */
		for (const char *p = items;
		     (p = strstr(p, "{\"id\":\"")) && p < perms; p++)
			++n;
		assert_int_equal(LL_PRIVACY_ITEM_COUNT, n);

		for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++) {
			const char *id;
			char key[96];

			id = ll_privacy_item_name((enum ll_privacy_item)i);
			assert_non_null(id);
			snprintf(key, sizeof(key), "{\"id\":\"%s\",", id);
			assert_int_equal(1, count(items, key) -
					 count(perms, key));
			snprintf(key, sizeof(key), "(`%s`)", id);
			assert_int_equal(1, count(md, key));
		}

		/* Each permission of TCCC's list. */
		assert_non_null(strstr(perms, "\"id\":\"network\""));
		assert_non_null(strstr(perms, "\"id\":\"network_state\""));
		assert_non_null(strstr(perms, "\"id\":\"storage\""));
		assert_non_null(strstr(perms, "\"id\":\"microphone\""));
		assert_non_null(strstr(perms, "\"id\":\"audio_settings\""));
		assert_non_null(strstr(perms, "\"id\":\"camera\""));
		assert_non_null(strstr(json, "\"rights\":["));
		assert_non_null(strstr(json, "\"processing\":["));
		assert_non_null(strstr(json, "\"provider\":"));
	}

	/* Honest about transport security. */
	assert_non_null(strstr(ll_privacy_disclosure("en", "json"),
			       "SRTP are not implemented"));

	/* The same pointer each time: library-owned, static. */
	assert_ptr_equal(ll_privacy_disclosure("en", "json"),
			 ll_privacy_disclosure("en", "json"));
}


static void test_switches(void **state)
{
	const char *json = ll_privacy_disclosure("en", "json");
	struct ll_sdk *sdk;
	char obj[1024];
	bool on;
	int i;
	(void)state;

	assert_int_equal(0, ll_privacy_consent(1));
	sdk = ll_shared_instance();
	assert_non_null(sdk);
	assert_int_equal(0, ll_set_console_enabled(sdk, false));

	/* Required items have no switch; the disclosure says so, and
	 * gives each optional one's default. */
	for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++) {
		const enum ll_privacy_item it = (enum ll_privacy_item)i;
		bool required;
		int err;

		item_object(obj, sizeof(obj), json, ll_privacy_item_name(it));
		required = strstr(obj, "\"required\":true") != NULL;
		err = ll_set_privacy_switch(sdk, it, true);
		assert_int_equal(required ? LL_ERR_INVALID_ARGUMENT : 0, err);

		assert_int_equal(0, ll_get_privacy_switch(sdk, it, &on));
		assert_true(on);
	}

	/* Back to the disclosed defaults by a withdrawal. */
	assert_int_equal(0, ll_privacy_withdraw());
	assert_int_equal(0, ll_privacy_consent(1));
	sdk = ll_shared_instance();
	assert_non_null(sdk);
	assert_int_equal(0, ll_set_console_enabled(sdk, false));
	for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++) {
		const enum ll_privacy_item it = (enum ll_privacy_item)i;

		item_object(obj, sizeof(obj), json, ll_privacy_item_name(it));
		assert_int_equal(0, ll_get_privacy_switch(sdk, it, &on));
		assert_int_equal(strstr(obj, "\"default\":true") != NULL, on);
	}

	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_privacy_switch(sdk, LL_PRIVACY_ITEM_COUNT,
					       true));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_get_privacy_switch(sdk, LL_PRIVACY_CAMERA, NULL));
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_set_app_state(sdk, (enum ll_app_state)7));
	assert_int_equal(0, ll_set_app_state(sdk, LL_APP_BACKGROUND));
	assert_int_equal(0, ll_set_app_state(sdk, LL_APP_FOREGROUND));
}


static void test_log_switch(void **state)
{
	struct ll_sdk *sdk = ll_shared_instance();
	char dir[128], file[192];
	struct stat st;
	(void)state;

	assert_non_null(sdk);
	snprintf(dir, sizeof(dir), "/tmp/ll-privacy-%d", (int)getpid());
	snprintf(file, sizeof(file), "%s/liblianluo.log", dir);

	/* Off: the directory is not even created. */
	assert_int_equal(0, ll_set_privacy_switch(sdk, LL_PRIVACY_LOG_FILES,
						  false));
	assert_int_equal(0, ll_set_log_dir(sdk, dir));
	assert_int_equal(-1, stat(dir, &st));

	/* On: the file is opened in the directory set before. */
	assert_int_equal(0, ll_set_privacy_switch(sdk, LL_PRIVACY_LOG_FILES,
						  true));
	assert_int_equal(0, stat(file, &st));
	assert_int_equal(0, ll_privacy_ledger_json(sdk, ledger,
						   sizeof(ledger)));
	assert_non_null(strstr(ledger, "{\"item\":\"log_files\""));

	/* Withdrawal deletes it, and the ledger. */
	assert_int_equal(0, ll_privacy_withdraw());
	assert_int_equal(-1, stat(file, &st));
	assert_int_equal(-1, stat(dir, &st));

	assert_int_equal(0, ll_privacy_consent(1));
	sdk = ll_shared_instance();
	assert_non_null(sdk);
	assert_int_equal(0, ll_set_console_enabled(sdk, false));
	assert_int_equal(0, ll_privacy_ledger_json(sdk, ledger,
						   sizeof(ledger)));
	assert_string_equal("{\"entries\":[],\"dropped\":0}", ledger);
}


/* What logins read, in the ledger, and only disclosed items (test 7). */
static void test_ledger(void **state)
{
	const char *json = ll_privacy_disclosure("en", "json");
	struct ll_sdk *sdk = ll_shared_instance();
	char small[8];
	const char *p;
	int n = 0;
	(void)state;

	assert_non_null(sdk);

	/* Device details off (the default): not read. */
	assert_int_equal(0, ll_login_agent(sdk, "https://127.0.0.1:9", "app",
					   "agent1", "tok", login_handler,
					   NULL));
	assert_true(wait_logins(1));
	assert_int_equal(LL_ERR_NETWORK, login_err);
	assert_int_equal(0, ll_privacy_ledger_json(sdk, ledger,
						   sizeof(ledger)));
	assert_non_null(strstr(ledger, "{\"item\":\"os\""));
	assert_non_null(strstr(ledger, "{\"item\":\"device_model\""));
	assert_non_null(strstr(ledger, "\"api\":\"ll_login_agent\""));
	assert_null(strstr(ledger, "device_details"));

	/* On: read, and recorded. */
	assert_int_equal(0, ll_set_privacy_switch(sdk,
						  LL_PRIVACY_DEVICE_DETAILS,
						  true));
	assert_int_equal(0, ll_login_agent(sdk, "https://127.0.0.1:9", "app",
					   "agent1", "tok", login_handler,
					   NULL));
	assert_true(wait_logins(2));
	assert_int_equal(0, ll_privacy_ledger_json(sdk, ledger,
						   sizeof(ledger)));
	assert_non_null(strstr(ledger, "{\"item\":\"device_details\""));

	/* SIP mode reads the route towards the server. */
	assert_int_equal(0, ll_login_sip(sdk,
					 "sip:1001@127.0.0.1:9;transport=tls",
					 "pw", login_handler, NULL));
	assert_true(wait_logins(3));
	assert_int_not_equal(0, login_err);
	assert_int_equal(0, ll_privacy_ledger_json(sdk, ledger,
						   sizeof(ledger)));
	assert_non_null(strstr(ledger, "{\"item\":\"network_state\""));
	assert_non_null(strstr(ledger, "{\"item\":\"ip_address\""));
	assert_non_null(strstr(ledger, "\"api\":\"ll_login_sip\""));

	/* Every entry names an item of the disclosure. */
	for (p = ledger; (p = strstr(p, "{\"item\":\"")); n++) {
		char id[64], key[96];
		size_t k;

		p += strlen("{\"item\":\"");
		for (k = 0; p[k] && p[k] != '"' && k + 1 < sizeof(id); k++)
			id[k] = p[k];
		id[k] = '\0';
		snprintf(key, sizeof(key), "{\"id\":\"%s\",", id);
		assert_non_null(strstr(strstr(json, "\"items\":["), key));
	}
	assert_true(n >= 8);

	assert_int_equal(LL_ERR_BUFFER_TOO_SMALL,
			 ll_privacy_ledger_json(sdk, small, sizeof(small)));
	assert_string_equal("", small);
	assert_int_equal(LL_ERR_INVALID_ARGUMENT,
			 ll_privacy_ledger_json(sdk, NULL, 10));

	assert_int_equal(0, ll_privacy_withdraw());
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_consent),
		cmocka_unit_test(test_disclosure_items),
		cmocka_unit_test(test_switches),
		cmocka_unit_test(test_log_switch),
		cmocka_unit_test(test_ledger),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
