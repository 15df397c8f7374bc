/**
 * @file test_position.c  A waiting call's position and estimated wait
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The ACD runs against a real in-memory store and the real loop, as in
 * test_acd.c; the SIP side is the offer handler below.
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
#include "testloop.h"
#include "testacd.h"


struct fixture {
	struct config cfg;
	struct store *st;
	struct acd *acd;
	char app[STORE_ID_SZ];
	unsigned offers;
};

static struct fixture *fx;


static void add_staff(const char *user, const char *group)
{
	testacd_staff_add(fx->st, fx->app, user, NULL, group, 1);
}


static void add_group(const char *name)
{
	struct store_group g;

	memset(&g, 0, sizeof(g));
	str_ncpy(g.name, name, sizeof(g.name));
	str_ncpy(g.strategy, "longest-idle", sizeof(g.strategy));
	g.ring_timeout_s = 30;
	g.max_wait_s = 60;
	assert_int_equal(0, store_group_add(fx->st, fx->app, &g));
}


static int setup(void **state)
{
	(void)state;

	fx = mem_zalloc(sizeof(*fx), NULL);
	config_defaults(&fx->cfg);
	log_set_level(LOG_LEVEL_ERROR);

	testacd_store_open(&fx->st, fx->app, sizeof(fx->app));

	add_group("support");
	add_group("sales");
	add_staff("alice", "support");
	add_staff("bob", "support");
	add_staff("carol", "sales");

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
	(void)call;
	(void)user_id;
	(void)contact;
	(void)ring_timeout_s;
	(void)arg;

	++fx->offers;
	re_cancel();
}


static void reg(const char *user)
{
	assert_int_equal(0, acd_agent_register(fx->acd, fx->app, user,
					       "sip:x@127.0.0.1:5070", "udp",
					       NULL, 60));
}


static struct acd_call *queue_call(const char *group, int priority)
{
	struct acd_call *call = NULL;

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   "13800000001", "4001"));
	acd_call_set_priority(call, priority);
	assert_int_equal(0, acd_call_queue(call, group, offer_handler, NULL,
					   NULL));
	return call;
}


static uint32_t pos_of(const struct acd_call *call)
{
	uint32_t pos = 0;

	assert_int_equal(0, acd_call_position(call, &pos, NULL));
	return pos;
}


static uint32_t ewt_of(const struct acd_call *call)
{
	uint32_t pos = 0, ewt = 0;

	assert_int_equal(0, acd_call_position(call, &pos, &ewt));
	return ewt;
}


/* An answered inbound call of a group, talk_s long, in the history. */
static void history(const char *group, uint32_t talk_s, bool inbound)
{
	static unsigned n;
	struct store_cdr c;

	memset(&c, 0, sizeof(c));
	re_snprintf(c.session_id, sizeof(c.session_id), "hist%u", ++n);
	str_ncpy(c.sdk_app_id, fx->app, sizeof(c.sdk_app_id));
	c.direction = inbound ? STORE_DIR_INBOUND : STORE_DIR_OUTBOUND;
	str_ncpy(c.caller, "13800000009", sizeof(c.caller));
	str_ncpy(c.callee, "4001", sizeof(c.callee));
	str_ncpy(c.group, group, sizeof(c.group));
	str_ncpy(c.agent, "alice", sizeof(c.agent));
	c.offered_ms = 1000000;
	c.answered_ms = 1001000;
	c.ended_ms = c.answered_ms + talk_s * 1000;
	str_ncpy(c.end_status, "answered", sizeof(c.end_status));
	str_ncpy(c.hangup_side, "caller", sizeof(c.hangup_side));
	c.duration_s = talk_s;
	assert_int_equal(0, store_cdr_add(fx->st, &c));
}


static void test_position_per_group_and_priority(void **state)
{
	struct acd_call *c1, *c2, *c3, *c4;
	uint32_t pos;
	(void)state;

	/* nobody logged in: all wait, in serving order per group */
	c1 = queue_call("support", 0);
	c2 = queue_call("sales", 0);
	c3 = queue_call("support", 0);
	c4 = queue_call("support", 5);       /* a priority caller */

	assert_int_equal(1, pos_of(c4));
	assert_int_equal(2, pos_of(c1));
	assert_int_equal(3, pos_of(c3));
	assert_int_equal(1, pos_of(c2));     /* sales has its own queue */

	/* no agent of the group logged in: no estimate */
	assert_int_equal(ACD_EWT_UNKNOWN, ewt_of(c1));

	/* the caller priority changes while waiting: c3 moves up */
	acd_call_set_priority(c3, 9);
	assert_int_equal(1, pos_of(c3));
	assert_int_equal(2, pos_of(c4));
	assert_int_equal(3, pos_of(c1));
	acd_call_set_priority(c3, 0);
	assert_int_equal(3, pos_of(c3));

	/* hostile arguments */
	assert_int_equal(EINVAL, acd_call_position(NULL, &pos, NULL));
	assert_int_equal(EINVAL, acd_call_position(c1, NULL, NULL));

	mem_deref(c4);
	/* a call that ended is not waiting; the others move up */
	assert_int_equal(1, pos_of(c1));
	assert_int_equal(2, pos_of(c3));

	mem_deref(c3);
	mem_deref(c2);
	mem_deref(c1);
}


static void test_ringing_call_is_ahead(void **state)
{
	struct acd_call *c1, *c2, *c3;
	uint32_t pos;
	(void)state;

	c1 = queue_call("support", 0);
	c2 = queue_call("support", 0);
	c3 = queue_call("support", 0);

	/* alice logs in: c1 rings her, and is still ahead of the others */
	reg("alice");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_int_equal(1, pos_of(c1));
	assert_int_equal(2, pos_of(c2));
	assert_int_equal(3, pos_of(c3));

	/* c1 gives up while ringing: no longer waiting, c2 is next */
	acd_call_end(c1, "abandoned", "caller", 0);
	assert_int_equal(ENOENT, acd_call_position(c1, &pos, NULL));
	assert_int_equal(1, pos_of(c2));
	assert_int_equal(2, pos_of(c3));

	mem_deref(c3);
	mem_deref(c2);
	mem_deref(c1);
}


static void test_estimated_wait(void **state)
{
	struct acd_call *c0, *c1, *c2, *other;
	(void)state;

	c0 = queue_call("support", 0);
	reg("alice");
	run_loop_ms(1000);                   /* c0 rings alice */
	assert_int_equal(1, fx->offers);

	/* c0 ringing is ahead; it leaves, alice stays logged in */
	c1 = queue_call("support", 0);
	assert_int_equal(2 * 180, ewt_of(c1));
	acd_call_end(c0, "abandoned", "caller", 0);

	c2 = queue_call("support", 0);
	other = queue_call("sales", 0);

	/* one agent logged in (busy), no history: 180 s per call */
	assert_int_equal(1 * 180, ewt_of(c1));
	assert_int_equal(2 * 180, ewt_of(c2));

	/* two agents share the queue; bob is not offered a call here
	 * because the loop does not run */
	reg("bob");
	assert_int_equal(1 * 180 / 2, ewt_of(c1));
	assert_int_equal(2 * 180 / 2, ewt_of(c2));

	/* after-call work is part of the handle time */
	fx->cfg.wrapup_s = 30;
	assert_int_equal(2 * 210 / 2, ewt_of(c2));

	/* history: the group's answered inbound calls, 60 s and 120 s;
	 * another group's and outbound calls do not count */
	history("support", 60, true);
	history("support", 120, true);
	history("sales", 1000, true);
	history("support", 1000, false);
	assert_int_equal(2 * (90 + 30) / 2, ewt_of(c2));

	/* sales: carol is not logged in */
	assert_int_equal(ACD_EWT_UNKNOWN, ewt_of(other));

	mem_deref(other);
	mem_deref(c2);
	mem_deref(c1);
	mem_deref(c0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_position_per_group_and_priority, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_ringing_call_is_ahead,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_estimated_wait, setup,
						teardown),
	};
	int n;

	if (libre_init())
		return 1;
	n = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return n;
}
