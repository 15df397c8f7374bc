/**
 * @file test_acd.c  ACD: who gets a call, what happens when nobody answers
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The ACD runs against a real in-memory store and the real loop; the SIP
 * side is played by the offer handler below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


struct fixture {
	struct config cfg;
	struct store *st;
	struct acd *acd;
	char app[STORE_ID_SZ];
	char offered[8][STORE_ID_SZ];
	struct acd_call *offered_call[8];
	unsigned offers;
	unsigned timeouts;
};

static struct fixture *fx;


static void add_staff(const char *user, const char *ext, const char *group)
{
	struct store_staff s;
	struct store_member m;

	memset(&s, 0, sizeof(s));
	str_ncpy(s.user_id, user, sizeof(s.user_id));
	str_ncpy(s.name, user, sizeof(s.name));
	str_ncpy(s.extension, ext, sizeof(s.extension));
	assert_int_equal(0, store_staff_add(fx->st, fx->app, &s));

	memset(&m, 0, sizeof(m));
	str_ncpy(m.user_id, user, sizeof(m.user_id));
	str_ncpy(m.group, group, sizeof(m.group));
	m.level = 1;
	assert_int_equal(0, store_member_add(fx->st, fx->app, &m));
}


static void add_member(const char *user, const char *group, uint32_t level)
{
	struct store_member m;

	memset(&m, 0, sizeof(m));
	str_ncpy(m.user_id, user, sizeof(m.user_id));
	str_ncpy(m.group, group, sizeof(m.group));
	m.level = level;
	assert_int_equal(0, store_member_add(fx->st, fx->app, &m));
}


/* A group whose calls wait long enough never to time out in a test. */
static void add_group(const char *name, const char *strategy)
{
	struct store_group g;

	memset(&g, 0, sizeof(g));
	str_ncpy(g.name, name, sizeof(g.name));
	str_ncpy(g.strategy, strategy, sizeof(g.strategy));
	g.ring_timeout_s = 5;
	g.max_wait_s = 60;
	assert_int_equal(0, store_group_add(fx->st, fx->app, &g));
}


static int setup(void **state)
{
	struct store_app app;
	struct store_group g;
	struct store_number n;
	(void)state;

	fx = mem_zalloc(sizeof(*fx), NULL);
	config_defaults(&fx->cfg);
	log_set_level(LOG_LEVEL_ERROR);

	assert_int_equal(0, store_open(&fx->st, ":memory:"));
	memset(&app, 0, sizeof(app));
	assert_int_equal(0, store_app_create(fx->st, &app));
	str_ncpy(fx->app, app.sdk_app_id, sizeof(fx->app));

	memset(&g, 0, sizeof(g));
	str_ncpy(g.name, "support", sizeof(g.name));
	str_ncpy(g.strategy, "longest-idle", sizeof(g.strategy));
	g.ring_timeout_s = 5;
	g.max_wait_s = 1;
	assert_int_equal(0, store_group_add(fx->st, fx->app, &g));

	memset(&n, 0, sizeof(n));
	str_ncpy(n.number, "4001", sizeof(n.number));
	str_ncpy(n.group, "support", sizeof(n.group));
	assert_int_equal(0, store_number_add(fx->st, fx->app, &n));

	add_staff("alice", "1001", "support");
	add_staff("bob", "1002", "support");

	assert_int_equal(0, acd_alloc(&fx->acd, fx->st, &fx->cfg));

	return 0;
}


static int teardown(void **state)
{
	(void)state;

	mem_deref(fx->acd);
	mem_deref(fx->st);
	fx = mem_deref(fx);

	return 0;
}


static void offer_handler(struct acd_call *call, const char *user_id,
			  const char *contact, uint32_t ring_timeout_s,
			  void *arg)
{
	(void)arg;

	assert_non_null(contact);
	assert_int_equal(5, ring_timeout_s);
	if (fx->offers < 8) {
		str_ncpy(fx->offered[fx->offers], user_id,
			 sizeof(fx->offered[0]));
		fx->offered_call[fx->offers] = call;
	}
	++fx->offers;
	re_cancel();
}


static void timeout_handler(struct acd_call *call, void *arg)
{
	(void)call;
	(void)arg;

	++fx->timeouts;
	re_cancel();
}


static void deadline_handler(void *arg)
{
	(void)arg;
	re_cancel();
}


static void run_loop_ms(uint64_t ms)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, ms, deadline_handler, NULL);
	(void)re_main(NULL);
	tmr_cancel(&t);
}


static void reg(const char *user)
{
	assert_int_equal(0, acd_agent_register(fx->acd, fx->app, user,
					       "sip:x@127.0.0.1:5070", "udp",
					       NULL, 60));
}


struct cdr_ctx {
	unsigned n;
	struct store_cdr last;
};


static void cdr_handler(const struct store_cdr *c, void *arg)
{
	struct cdr_ctx *ctx = arg;

	if (!ctx->n++)
		ctx->last = *c;
}


static void test_longest_idle_gets_the_call(void **state)
{
	struct acd_call *call = NULL;
	struct cdr_ctx cdrs = {0};
	(void)state;

	reg("alice");
	run_loop_ms(20);          /* alice idle first */
	reg("bob");
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   "13812345678", "4001"));
	assert_int_equal(0, acd_call_queue(call, "support", offer_handler,
					   timeout_handler, NULL));
	run_loop_ms(1000);

	assert_int_equal(1, fx->offers);
	assert_string_equal("alice", fx->offered[0]);

	acd_call_ringing(call);
	acd_call_answered(call);
	assert_int_equal(ACD_AGENT_BUSY,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	acd_call_end(call, "answered", "caller", 0);
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	mem_deref(call);

	assert_int_equal(0, store_cdr_list(fx->st, fx->app, 0, cdr_handler,
					   &cdrs));
	assert_int_equal(1, cdrs.n);
	assert_string_equal("alice", cdrs.last.agent);
	assert_string_equal("support", cdrs.last.group);
	assert_string_equal("answered", cdrs.last.end_status);
	assert_string_equal("caller", cdrs.last.hangup_side);
	assert_int_equal(STORE_DIR_INBOUND, cdrs.last.direction);
	assert_true(cdrs.last.offered_ms <= cdrs.last.ringing_ms);
	assert_true(cdrs.last.ringing_ms <= cdrs.last.answered_ms);
	assert_true(cdrs.last.answered_ms <= cdrs.last.ended_ms);
}


static void test_no_answer_goes_to_next_agent(void **state)
{
	struct acd_call *call = NULL;
	(void)state;

	reg("alice");
	run_loop_ms(20);
	reg("bob");

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   "13812345678", "4001"));
	assert_int_equal(0, acd_call_queue(call, "support", offer_handler,
					   timeout_handler, NULL));
	run_loop_ms(1000);
	assert_string_equal("alice", fx->offered[0]);

	acd_call_offer_failed(call, true);
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_string_equal("bob", fx->offered[1]);

	/* bob rejects too: a new round starts with alice */
	acd_call_offer_failed(call, false);
	run_loop_ms(1000);
	assert_int_equal(3, fx->offers);
	assert_string_equal("alice", fx->offered[2]);

	mem_deref(call);
}


static void test_busy_agent_is_not_offered(void **state)
{
	struct acd_call *c1 = NULL, *c2 = NULL;
	(void)state;

	reg("alice");

	assert_int_equal(0, acd_call_alloc(&c1, fx->acd, fx->app, true,
					   "13800000001", "4001"));
	assert_int_equal(0, acd_call_queue(c1, "support", offer_handler,
					   timeout_handler, NULL));
	run_loop_ms(1000);
	acd_call_answered(c1);

	assert_int_equal(0, acd_call_alloc(&c2, fx->acd, fx->app, true,
					   "13800000002", "4001"));
	assert_int_equal(0, acd_call_queue(c2, "support", offer_handler,
					   timeout_handler, NULL));

	/* nobody free: the second call waits its max wait (1 s) */
	run_loop_ms(3000);
	assert_int_equal(1, fx->offers);
	assert_int_equal(1, fx->timeouts);

	acd_call_end(c2, "timeout", "system", 480);
	acd_call_end(c1, "answered", "agent", 0);
	mem_deref(c2);
	mem_deref(c1);
}


static int status_print(struct re_printf *pf, void *arg)
{
	(void)arg;
	return acd_status_print(pf, fx->app, fx->acd);
}


static void test_waiting_call_meets_agent_who_registers(void **state)
{
	struct acd_call *call = NULL;
	char status[512];
	(void)state;

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   "13812345678", "4001"));
	assert_int_equal(0, acd_call_queue(call, "support", offer_handler,
					   timeout_handler, NULL));
	run_loop_ms(100);
	assert_int_equal(0, fx->offers);

	(void)re_snprintf(status, sizeof(status), "%H", status_print, NULL);
	assert_non_null(strstr(status, "\"state\":\"queued\""));
	/* the customer's number is masked in the live status */
	assert_null(strstr(status, "13812345678"));
	assert_non_null(strstr(status, "138****5678"));

	reg("bob");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_string_equal("bob", fx->offered[0]);

	mem_deref(call);
}


static void test_unknown_group(void **state)
{
	struct acd_call *call = NULL;
	(void)state;

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   "1", "4001"));
	assert_int_equal(ENOENT, acd_call_queue(call, "nope", offer_handler,
						timeout_handler, NULL));
	assert_int_equal(EINVAL, acd_call_queue(NULL, "support",
						offer_handler, NULL, NULL));
	mem_deref(call);
}


static void test_outbound_caller_id(void **state)
{
	struct acd_call *call = NULL;
	char callerid[32];
	(void)state;

	reg("alice");
	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, false,
					   "alice", "13900139000"));
	assert_int_equal(0, acd_call_outbound(call, "alice", callerid,
					      sizeof(callerid)));
	assert_string_equal("4001", callerid);
	assert_int_equal(ACD_AGENT_BUSY,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	acd_call_answered(call);
	acd_call_end(call, "answered", "agent", 0);
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	mem_deref(call);
}


static void test_registration_survives_restart(void **state)
{
	(void)state;

	reg("alice");
	fx->acd = mem_deref(fx->acd);

	/* A new ACD on the same store finds alice reachable at once. */
	assert_int_equal(0, acd_alloc(&fx->acd, fx->st, &fx->cfg));
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	assert_int_equal(0, acd_agent_unregister(fx->acd, fx->app, "alice"));
	assert_int_equal(ACD_AGENT_OFFLINE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
}


static struct acd_call *queue_call(const char *group, const char *caller)
{
	struct acd_call *call = NULL;

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   caller, "4001"));
	assert_int_equal(0, acd_call_queue(call, group, offer_handler,
					   timeout_handler, NULL));
	return call;
}


/* An outbound call of this agent, answered, talking for talk_ms. */
static void outbound_call(const char *user, uint64_t talk_ms)
{
	struct acd_call *call = NULL;
	char callerid[32];

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, false,
					   user, "13900139000"));
	assert_int_equal(0, acd_call_outbound(call, user, callerid,
					      sizeof(callerid)));
	acd_call_answered(call);
	if (talk_ms)
		run_loop_ms(talk_ms);
	acd_call_end(call, "answered", "agent", 0);
	mem_deref(call);
}


static void test_strategy_names_all_found(void **state)
{
#define NAME(name, h) name,
	static const char *namev[] = {ACD_STRATEGIES(NAME)};
#undef NAME
	(void)state;

	/* An unknown name falls back to the default, a known one never. */
	for (size_t i = 0; i < ARRAY_SIZE(namev); i++)
		assert_string_equal(namev[i],
				    acd_strategy_find(namev[i])->name);
	assert_string_equal("longest-idle", namev[0]);
	assert_string_equal("longest-idle", acd_strategy_find("nope")->name);
	assert_int_equal(6, ARRAY_SIZE(namev));
}


static void test_top_down_takes_member_order(void **state)
{
	struct acd_call *c1, *c2;
	(void)state;

	add_group("td", "top-down");
	add_staff("carol", "1003", "td");
	add_member("alice", "td", 1);
	add_member("bob", "td", 1);

	/* carol idles longest, but alice is first in member order */
	reg("carol");
	run_loop_ms(20);
	reg("bob");
	run_loop_ms(20);
	reg("alice");

	c1 = queue_call("td", "13800000001");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_string_equal("alice", fx->offered[0]);
	acd_call_answered(c1);

	c2 = queue_call("td", "13800000002");
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_string_equal("bob", fx->offered[1]);

	mem_deref(c2);
	mem_deref(c1);
}


static void test_fewest_calls(void **state)
{
	struct acd_call *call;
	(void)state;

	add_group("fc", "fewest-calls");
	add_member("alice", "fc", 1);
	add_member("bob", "fc", 1);

	/* alice idles longest and is first, but has answered a call */
	reg("alice");
	outbound_call("alice", 0);
	run_loop_ms(20);
	reg("bob");

	call = queue_call("fc", "13800000001");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_string_equal("bob", fx->offered[0]);

	mem_deref(call);
}


static void test_least_talk_time(void **state)
{
	struct acd_call *call;
	(void)state;

	add_group("ltt", "least-talk-time");
	add_member("alice", "ltt", 1);
	add_member("bob", "ltt", 1);

	/*
	 * alice: one call of 100 ms, ended first (longest idle, fewest
	 * calls, first in member order); bob: two short calls.
	 */
	reg("alice");
	reg("bob");
	outbound_call("alice", 100);
	outbound_call("bob", 0);
	outbound_call("bob", 0);

	call = queue_call("ltt", "13800000001");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_string_equal("bob", fx->offered[0]);

	mem_deref(call);
}


static void test_skill_level_priority(void **state)
{
	struct acd_call *c1, *c2, *c3;
	(void)state;

	add_group("lvl", "longest-idle");
	add_member("alice", "lvl", 2);
	add_member("bob", "lvl", 1);
	add_staff("carol", "1003", "lvl");   /* level 1 */
	add_staff("dave", "1004", "support");
	add_member("dave", "lvl", 2);

	/*
	 * alice and dave idle longest, but at level 2; in member order
	 * one comes before the level-1 agents and one after.
	 */
	reg("dave");
	run_loop_ms(20);
	reg("alice");
	run_loop_ms(20);
	reg("carol");
	run_loop_ms(20);
	reg("bob");

	/* level 1 first, longest idle within it: carol, then bob */
	c1 = queue_call("lvl", "13800000001");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_string_equal("carol", fx->offered[0]);
	acd_call_answered(c1);

	c2 = queue_call("lvl", "13800000002");
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_string_equal("bob", fx->offered[1]);
	acd_call_answered(c2);

	/* nobody free at level 1: level 2, longest idle within it */
	c3 = queue_call("lvl", "13800000003");
	run_loop_ms(1000);
	assert_int_equal(3, fx->offers);
	assert_string_equal("dave", fx->offered[2]);

	mem_deref(c3);
	mem_deref(c2);
	mem_deref(c1);
}


static void test_caller_priority(void **state)
{
	struct acd_call *c1, *c2, *c3;
	(void)state;

	add_group("prio", "longest-idle");
	add_member("alice", "prio", 1);

	/* nobody registered: all three wait */
	c1 = queue_call("prio", "13800000001");
	c2 = NULL;
	assert_int_equal(0, acd_call_alloc(&c2, fx->acd, fx->app, true,
					   "13800000002", "4001"));
	acd_call_set_priority(c2, 5);          /* before queueing */
	assert_int_equal(0, acd_call_queue(c2, "prio", offer_handler,
					   timeout_handler, NULL));
	c3 = queue_call("prio", "13800000003");
	acd_call_set_priority(c3, 5);          /* while waiting */
	run_loop_ms(50);
	assert_int_equal(0, fx->offers);

	/* higher priority first, then first come first served */
	reg("alice");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_ptr_equal(c2, fx->offered_call[0]);

	/* a missed offer keeps the call's place at the head */
	acd_call_offer_failed(c2, false);
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_ptr_equal(c2, fx->offered_call[1]);

	acd_call_answered(c2);
	acd_call_end(c2, "answered", "caller", 0);
	run_loop_ms(1000);
	assert_int_equal(3, fx->offers);
	assert_ptr_equal(c3, fx->offered_call[2]);

	acd_call_answered(c3);
	acd_call_end(c3, "answered", "caller", 0);
	run_loop_ms(1000);
	assert_int_equal(4, fx->offers);
	assert_ptr_equal(c1, fx->offered_call[3]);

	mem_deref(c3);
	mem_deref(c2);
	mem_deref(c1);
}


static void test_misses_make_agent_not_ready(void **state)
{
	struct acd_call *call;
	(void)state;

	add_group("miss", "longest-idle");
	add_member("alice", "miss", 1);
	reg("alice");

	call = queue_call("miss", "13800000001");
	for (unsigned i = 1; i <= ACD_MAX_MISSES; i++) {
		run_loop_ms(1000);
		assert_int_equal(i, fx->offers);
		assert_string_equal("alice", fx->offered[i - 1]);
		acd_call_offer_failed(call, true);
	}

	/* three misses in a row: notReady, and no further offer */
	assert_int_equal(ACD_AGENT_NOTREADY,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	run_loop_ms(200);
	assert_int_equal(ACD_MAX_MISSES, fx->offers);

	/* re-registering brings alice back, and the call meets her */
	reg("alice");
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	run_loop_ms(1000);
	assert_int_equal(ACD_MAX_MISSES + 1, fx->offers);
	assert_string_equal("alice", fx->offered[ACD_MAX_MISSES]);

	mem_deref(call);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_longest_idle_gets_the_call,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_no_answer_goes_to_next_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_agent_is_not_offered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_waiting_call_meets_agent_who_registers, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_unknown_group, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outbound_caller_id, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_registration_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strategy_names_all_found,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_top_down_takes_member_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fewest_calls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_least_talk_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_skill_level_priority,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_priority, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_misses_make_agent_not_ready, setup, teardown),
	};
	int n;

	if (libre_init())
		return 1;
	n = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return n;
}
