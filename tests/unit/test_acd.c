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
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"
#include "testloop.h"
#include "testacd.h"


struct fixture {
	struct config cfg;
	struct store *st;
	struct acd *acd;
	char app[STORE_ID_SZ];
	char offered[8][STORE_ID_SZ];
	struct acd_call *offered_call[8];
	unsigned offers;
	unsigned timeouts;
	int timeout_err;
	unsigned events;
	struct acd_status_event last_ev;
	char last_actor[64];
	char last_reason[64];
};

static struct fixture *fx;


static void add_staff(const char *user, const char *ext, const char *group)
{
	testacd_staff_add(fx->st, fx->app, user, ext, group, 1);
}


static void add_member(const char *user, const char *group, uint32_t level)
{
	testacd_member_add(fx->st, fx->app, user, group, level);
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
	struct store_group g;
	struct store_number n;
	(void)state;

	fx = mem_zalloc(sizeof(*fx), NULL);
	config_defaults(&fx->cfg);
	fx->cfg.reject_delay_s = 0;   /* test_reject_delay sets its own */
	log_set_level(getenv("LL_TEST_LOG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);

	testacd_store_open(&fx->st, fx->app, sizeof(fx->app));

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


static void timeout_handler(struct acd_call *call, int err, void *arg)
{
	(void)call;
	(void)arg;

	fx->timeout_err = err;
	++fx->timeouts;
	re_cancel();
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


/* A caller of 4001 queued to group (offers and time-outs recorded). */
static struct acd_call *queue_call(const char *group, const char *caller)
{
	struct acd_call *call = NULL;

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, true,
					   caller, "4001"));
	assert_int_equal(0, acd_call_queue(call, group, offer_handler,
					   timeout_handler, NULL));
	return call;
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

	call = queue_call("support", "13812345678");
	run_loop_ms(1000);

	assert_int_equal(1, fx->offers);
	assert_string_equal("alice", fx->offered[0]);

	acd_call_ringing(call);
	acd_call_answered(call, NULL);
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

	call = queue_call("support", "13812345678");
	run_loop_ms(1000);
	assert_string_equal("alice", fx->offered[0]);

	acd_call_offer_failed(call, NULL, true);
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_string_equal("bob", fx->offered[1]);

	/* bob rejects too: a new round starts with alice */
	acd_call_offer_failed(call, NULL, false);
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

	c1 = queue_call("support", "13800000001");
	run_loop_ms(1000);
	acd_call_answered(c1, NULL);

	c2 = queue_call("support", "13800000002");

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

	call = queue_call("support", "13812345678");
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

	acd_call_answered(call, NULL);
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


/* An outbound call of this agent, answered, talking for talk_ms. */
static void outbound_call(const char *user, uint64_t talk_ms)
{
	struct acd_call *call = NULL;
	char callerid[32];

	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, false,
					   user, "13900139000"));
	assert_int_equal(0, acd_call_outbound(call, user, callerid,
					      sizeof(callerid)));
	acd_call_answered(call, NULL);
	if (talk_ms)
		run_loop_ms(talk_ms);
	acd_call_end(call, "answered", "agent", 0);
	mem_deref(call);
}


static void test_strategy_names_all_found(void **state)
{
#define NAME(name, h, ring) name,
	static const char *namev[] = {ACD_STRATEGIES(NAME)};
#undef NAME
	(void)state;

	/* An unknown name falls back to the default, a known one never. */
	for (size_t i = 0; i < ARRAY_SIZE(namev); i++)
		assert_string_equal(namev[i],
				    acd_strategy_find(namev[i])->name);
	assert_string_equal("longest-idle", namev[0]);
	assert_string_equal("longest-idle", acd_strategy_find("nope")->name);
	assert_int_equal(8, ARRAY_SIZE(namev));
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
	acd_call_answered(c1, NULL);

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
	acd_call_answered(c1, NULL);

	c2 = queue_call("lvl", "13800000002");
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_string_equal("bob", fx->offered[1]);
	acd_call_answered(c2, NULL);

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
	acd_call_offer_failed(c2, NULL, false);
	run_loop_ms(1000);
	assert_int_equal(2, fx->offers);
	assert_ptr_equal(c2, fx->offered_call[1]);

	acd_call_answered(c2, NULL);
	acd_call_end(c2, "answered", "caller", 0);
	run_loop_ms(1000);
	assert_int_equal(3, fx->offers);
	assert_ptr_equal(c3, fx->offered_call[2]);

	acd_call_answered(c3, NULL);
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
		acd_call_offer_failed(call, NULL, true);
	}

	/* three misses in a row: notReady, and no further offer */
	assert_int_equal(ACD_AGENT_NOTREADY,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	run_loop_ms(200);
	assert_int_equal(ACD_MAX_MISSES, fx->offers);

	/* a registration refresh does not end it; asking for free does,
	 * and the call meets her */
	reg("alice");
	assert_int_equal(ACD_AGENT_NOTREADY,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	assert_int_equal(0, acd_agent_status_request(fx->acd, fx->app,
						     "alice", ACD_AGENT_FREE,
						     NULL, 0, false, "agent",
						     NULL));
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	run_loop_ms(1000);
	assert_int_equal(ACD_MAX_MISSES + 1, fx->offers);
	assert_string_equal("alice", fx->offered[ACD_MAX_MISSES]);

	mem_deref(call);
}


static void status_handler(const struct acd_status_event *ev, void *arg)
{
	(void)arg;

	++fx->events;
	fx->last_ev = *ev;
	str_ncpy(fx->last_actor, ev->actor, sizeof(fx->last_actor));
	str_ncpy(fx->last_reason, ev->reason, sizeof(fx->last_reason));
	fx->last_ev.actor = fx->last_actor;
	fx->last_ev.reason = fx->last_reason;
}


static int request(const char *user, enum acd_agent_status to,
		   const char *reason, uint32_t arrange_s, bool after_call,
		   bool *pendingp)
{
	return acd_agent_status_request(fx->acd, fx->app, user, to, reason,
					arrange_s, after_call, "AKIDsupervisor",
					pendingp);
}


struct hist_ctx {
	unsigned n;
	char seq[512];
};


static void hist_handler(const struct store_status_change *c, void *arg)
{
	struct hist_ctx *h = arg;

	++h->n;
	(void)re_snprintf(h->seq + strlen(h->seq),
			  sizeof(h->seq) - strlen(h->seq), "%s>%s/%s/%s;",
			  c->from, c->to, c->reason, c->actor);
}


static void test_status_requests(void **state)
{
	struct acd_agent_info info;
	struct hist_ctx h;
	bool pending = true;
	(void)state;

	acd_status_handler_set(fx->acd, status_handler, NULL);
	reg("alice");
	assert_int_equal(1, fx->events);
	assert_int_equal(ACD_AGENT_OFFLINE, fx->last_ev.from);
	assert_int_equal(ACD_AGENT_FREE, fx->last_ev.to);

	/* rest needs a reason from the app's list */
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_REST, NULL, 0,
					 false, NULL));
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_REST, "nap", 0,
					 false, NULL));
	assert_int_equal(0, request("alice", ACD_AGENT_REST, "lunch", 0,
				    false, &pending));
	assert_false(pending);
	assert_int_equal(ACD_AGENT_REST,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	assert_string_equal("lunch", fx->last_ev.reason);
	assert_string_equal("AKIDsupervisor", fx->last_ev.actor);

	/* nobody can ask for offline or busy; reasons are printable */
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_OFFLINE, NULL, 0,
					 false, NULL));
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_BUSY, NULL, 0,
					 false, NULL));
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_NOTREADY,
					 "a\nb", 0, false, NULL));
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_NOTREADY,
					 "0123456789012345678901234567890123"
					 "456789012345678901234567890123", 0,
					 false, NULL));
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_ARRANGE, NULL, 0,
					 false, NULL));
	assert_int_equal(ENOENT, request("nobody", ACD_AGENT_FREE, NULL, 0,
					 false, NULL));
	assert_int_equal(ENOTCONN, request("bob", ACD_AGENT_FREE, NULL, 0,
					   false, NULL));
	assert_int_equal(ACD_AGENT_REST,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	/* a rest agent gets no call; notReady neither; free does */
	queue_call("support", "13800000001");
	run_loop_ms(100);
	assert_int_equal(0, fx->offers);
	assert_int_equal(0, request("alice", ACD_AGENT_NOTREADY, "training",
				    0, false, NULL));
	run_loop_ms(100);
	assert_int_equal(0, fx->offers);
	assert_int_equal(0, request("alice", ACD_AGENT_FREE, NULL, 0, false,
				    NULL));
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);

	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	assert_int_equal(ACD_AGENT_FREE, info.status);
	assert_true(info.registered);
	assert_true(info.call_id[0] != '\0');     /* ringing */
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "nobody",
					   &info));
	assert_int_equal(ACD_AGENT_OFFLINE, info.status);

	/* every change is in the history, with who asked */
	memset(&h, 0, sizeof(h));
	assert_int_equal(0, store_status_log_list(fx->st, fx->app, "alice",
						  0, INT64_MAX, 0,
						  hist_handler, &h));
	assert_int_equal(4, h.n);
	assert_string_equal("offline>free/registered/system;"
			    "free>rest/lunch/AKIDsupervisor;"
			    "rest>notReady/training/AKIDsupervisor;"
			    "notReady>free//AKIDsupervisor;", h.seq);

	mem_deref(fx->offered_call[0]);
}


/* Ring the group's call to alice, answered: she is busy. */
static struct acd_call *busy_call(const char *group)
{
	struct acd_call *call = queue_call(group, "13800000009");

	run_loop_ms(1000);
	assert_ptr_equal(call, fx->offered_call[fx->offers - 1]);
	acd_call_answered(call, NULL);
	assert_int_equal(ACD_AGENT_BUSY,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	return call;
}


static void set_group(const char *name, uint32_t wrapup_s,
		      uint32_t max_queue_len, const char *overflow,
		      uint32_t max_wait_s)
{
	struct store_group g;

	assert_int_equal(0, store_group_get(fx->st, fx->app, name, &g));
	g.wrapup_s = wrapup_s;
	g.max_queue_len = max_queue_len;
	str_ncpy(g.overflow_group, overflow ? overflow : "",
		 sizeof(g.overflow_group));
	if (max_wait_s)
		g.max_wait_s = max_wait_s;
	assert_int_equal(0, store_group_update(fx->st, fx->app, &g));
}


static void test_reserved_after_call(void **state)
{
	struct acd_agent_info info;
	struct acd_call *call;
	bool pending = false;
	(void)state;

	set_group("support", 1, 0, NULL, 0);
	acd_status_handler_set(fx->acd, status_handler, NULL);
	reg("alice");
	call = busy_call("support");

	/* during the call: reserved, the status stays busy */
	assert_int_equal(0, request("alice", ACD_AGENT_REST, "break", 0,
				    false, &pending));
	assert_true(pending);
	assert_int_equal(ACD_AGENT_BUSY, fx->last_ev.to);
	assert_int_equal(ACD_AGENT_REST, fx->last_ev.pending);
	assert_int_equal(EINVAL, request("alice", ACD_AGENT_ARRANGE, NULL,
					 30, false, NULL));

	/* the call ends: after-call work first, then the reservation */
	acd_call_end(call, "answered", "caller", 0);
	assert_int_equal(ACD_AGENT_ARRANGE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	assert_true(info.arrange_until_ms > 0);
	assert_int_equal(ACD_AGENT_REST, info.pending);

	run_loop_ms(1500);
	assert_int_equal(ACD_AGENT_REST,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	assert_string_equal("break", info.reason);
	assert_int_equal(ACD_AGENT_OFFLINE, info.pending);
	mem_deref(call);
}


static void test_arrange_extend_and_end_early(void **state)
{
	struct acd_agent_info info;
	struct acd_call *call;
	uint64_t until;
	(void)state;

	set_group("support", 1, 0, NULL, 0);
	reg("alice");
	call = busy_call("support");
	acd_call_end(call, "answered", "caller", 0);
	mem_deref(call);

	/* extended by 2 s: still arranging after the 1 s wrap-up */
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	until = info.arrange_until_ms;
	assert_int_equal(0, request("alice", ACD_AGENT_ARRANGE, NULL, 2,
				    false, NULL));
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	assert_true(info.arrange_until_ms >= until + 1900);
	run_loop_ms(1500);
	assert_int_equal(ACD_AGENT_ARRANGE,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	/* free ends it early */
	assert_int_equal(0, request("alice", ACD_AGENT_FREE, NULL, 0, false,
				    NULL));
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	/* a free agent may take time on their own: arrange for 1 s */
	assert_int_equal(0, request("alice", ACD_AGENT_ARRANGE, NULL, 1,
				    false, NULL));
	assert_int_equal(ACD_AGENT_ARRANGE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	run_loop_ms(1500);
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));
}


static void test_call_out_returns_to_status(void **state)
{
	struct acd_call *call = NULL;
	char callerid[32];
	(void)state;

	reg("alice");
	assert_int_equal(0, request("alice", ACD_AGENT_NOTREADY, "paperwork",
				    0, false, NULL));

	/* notReady may call out, and is notReady again afterwards */
	assert_int_equal(0, acd_call_alloc(&call, fx->acd, fx->app, false,
					   "alice", "13900139000"));
	assert_int_equal(0, acd_call_outbound(call, "alice", callerid,
					      sizeof(callerid)));
	assert_int_equal(ACD_AGENT_BUSY,
			 acd_agent_status(fx->acd, fx->app, "alice"));
	acd_call_answered(call, NULL);
	acd_call_end(call, "answered", "agent", 0);
	mem_deref(call);
	assert_int_equal(ACD_AGENT_NOTREADY,
			 acd_agent_status(fx->acd, fx->app, "alice"));
}


static void test_statuses_survive_restart(void **state)
{
	struct store_agent_state s;
	struct store_status_change c;
	struct acd_agent_info info;
	(void)state;

	add_staff("carol", "1003", "support");
	add_staff("dave", "1004", "support");
	reg("alice");
	reg("bob");
	reg("carol");
	reg("dave");
	assert_int_equal(0, request("alice", ACD_AGENT_REST, "lunch", 0,
				    false, NULL));
	assert_int_equal(0, request("bob", ACD_AGENT_NOTREADY, "", 0, false,
				    NULL));

	/* dave was busy with a reservation when the server died */
	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	str_ncpy(s.sdk_app_id, fx->app, sizeof(s.sdk_app_id));
	str_ncpy(s.user_id, "dave", sizeof(s.user_id));
	str_ncpy(s.status, "busy", sizeof(s.status));
	str_ncpy(s.pending, "rest", sizeof(s.pending));
	str_ncpy(s.pending_reason, "meeting", sizeof(s.pending_reason));
	s.since_ms = 1;
	assert_int_equal(0, store_agent_state_set(fx->st, &s, NULL));

	fx->acd = mem_deref(fx->acd);
	assert_int_equal(0, acd_alloc(&fx->acd, fx->st, &fx->cfg));

	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	assert_int_equal(ACD_AGENT_REST, info.status);
	assert_string_equal("lunch", info.reason);
	assert_int_equal(ACD_AGENT_NOTREADY,
			 acd_agent_status(fx->acd, fx->app, "bob"));
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "carol"));
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "dave",
					   &info));
	assert_int_equal(ACD_AGENT_REST, info.status);
	assert_string_equal("meeting", info.reason);

	/* the restart does not start a new round of history for alice */
	assert_int_equal(0, acd_agent_info(fx->acd, fx->app, "alice",
					   &info));
	assert_true(info.since_ms > 1);
}


static void test_ring_all(void **state)
{
	struct acd_call *call;
	struct cdr_ctx cdrs = {0};
	(void)state;

	add_group("all", "ring-all");
	add_staff("carol", "1003", "all");
	add_member("alice", "all", 1);
	add_member("bob", "all", 1);
	reg("alice");
	reg("bob");
	reg("carol");

	call = queue_call("all", "13800000001");
	run_loop_ms(1000);
	assert_int_equal(3, fx->offers);

	/* one gives up: the others keep ringing */
	acd_call_offer_failed(call, "alice", false);
	assert_int_equal(ACD_CALL_RINGING, call->state);

	/* bob answers: carol stops ringing and is free for other calls */
	acd_call_answered(call, "bob");
	assert_int_equal(ACD_AGENT_BUSY,
			 acd_agent_status(fx->acd, fx->app, "bob"));
	assert_null(acd_agent_find(fx->acd, fx->app, "carol")->call);
	assert_int_equal(0, call->ringc);

	acd_call_end(call, "answered", "caller", 0);
	mem_deref(call);
	assert_int_equal(0, store_cdr_list(fx->st, fx->app, 0, cdr_handler,
					   &cdrs));
	assert_string_equal("bob", cdrs.last.agent);
	assert_string_equal("all", cdrs.last.group);
}


static void test_ring_progressively(void **state)
{
	struct acd_call *call;
	struct store_group g;
	(void)state;

	add_group("prog", "ring-progressively");
	assert_int_equal(0, store_group_get(fx->st, fx->app, "prog", &g));
	g.ring_step_s = 1;
	assert_int_equal(0, store_group_update(fx->st, fx->app, &g));
	add_member("alice", "prog", 1);
	add_member("bob", "prog", 1);
	reg("alice");
	run_loop_ms(20);
	reg("bob");

	call = queue_call("prog", "13800000001");
	run_loop_ms(500);
	assert_int_equal(1, fx->offers);
	assert_string_equal("alice", fx->offered[0]);

	/* a step later bob rings too, alice still ringing */
	run_loop_ms(1500);
	assert_int_equal(2, fx->offers);
	assert_string_equal("bob", fx->offered[1]);
	assert_int_equal(2, call->ringc);

	acd_call_answered(call, "bob");
	assert_null(acd_agent_find(fx->acd, fx->app, "alice")->call);
	assert_int_equal(ACD_AGENT_FREE,
			 acd_agent_status(fx->acd, fx->app, "alice"));

	/* no more steps once answered */
	run_loop_ms(1200);
	assert_int_equal(2, fx->offers);
	acd_call_end(call, "answered", "caller", 0);
	mem_deref(call);
}


static void test_last_agent_first(void **state)
{
	struct store_group g;
	struct store_cdr cdr;
	struct acd_call *call;
	(void)state;

	assert_int_equal(0, store_group_get(fx->st, fx->app, "support", &g));
	g.last_agent_first = true;
	assert_int_equal(0, store_group_update(fx->st, fx->app, &g));

	memset(&cdr, 0, sizeof(cdr));
	str_ncpy(cdr.session_id, "earlier", sizeof(cdr.session_id));
	str_ncpy(cdr.sdk_app_id, fx->app, sizeof(cdr.sdk_app_id));
	str_ncpy(cdr.caller, "13800000077", sizeof(cdr.caller));
	str_ncpy(cdr.callee, "4001", sizeof(cdr.callee));
	str_ncpy(cdr.group, "support", sizeof(cdr.group));
	str_ncpy(cdr.agent, "bob", sizeof(cdr.agent));
	cdr.offered_ms = 1000;
	cdr.answered_ms = 2000;
	cdr.ended_ms = 3000;
	str_ncpy(cdr.end_status, "answered", sizeof(cdr.end_status));
	str_ncpy(cdr.hangup_side, "caller", sizeof(cdr.hangup_side));
	assert_int_equal(0, store_cdr_add(fx->st, &cdr));

	reg("alice");           /* idle longest */
	run_loop_ms(20);
	reg("bob");

	/* the caller bob served before meets bob */
	call = queue_call("support", "13800000077");
	run_loop_ms(1000);
	assert_string_equal("bob", fx->offered[0]);
	acd_call_offer_failed(call, "bob", false);

	/* bob did not take it: the strategy goes on as usual */
	run_loop_ms(1000);
	assert_string_equal("alice", fx->offered[1]);
	mem_deref(call);

	/* a new caller: longest idle */
	call = queue_call("support", "13800000078");
	run_loop_ms(1000);
	assert_int_equal(3, fx->offers);
	mem_deref(call);
}


static void test_queue_full_overflow(void **state)
{
	struct acd_call *c1, *c2, *c3 = NULL, *t1;
	(void)state;

	add_group("big", "longest-idle");
	add_group("small", "longest-idle");
	add_group("tiny", "longest-idle");
	set_group("small", 0, 1, "big", 0);
	set_group("tiny", 0, 1, NULL, 0);

	/* nobody registered: small holds one, the next overflows to big */
	c1 = queue_call("small", "13800000001");
	c2 = queue_call("small", "13800000002");
	assert_int_equal(ACD_CALL_QUEUED, c2->state);
	assert_string_equal("big", c2->cdr.group);
	assert_string_equal("small", c1->cdr.group);

	/* tiny has no overflow: the second caller is refused */
	t1 = queue_call("tiny", "13800000003");
	assert_int_equal(0, acd_call_alloc(&c3, fx->acd, fx->app, true,
					   "13800000004", "4001"));
	assert_int_equal(EOVERFLOW, acd_call_queue(c3, "tiny", offer_handler,
						   timeout_handler, NULL));

	/* an agent of big only takes the overflowed call */
	add_member("bob", "big", 1);
	reg("bob");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);
	assert_ptr_equal(c2, fx->offered_call[0]);

	mem_deref(t1);
	mem_deref(c3);
	mem_deref(c2);
	mem_deref(c1);
}


static void test_max_wait_overflow(void **state)
{
	struct acd_call *call;
	(void)state;

	add_group("second", "longest-idle");
	add_group("first", "longest-idle");
	set_group("first", 0, 0, "second", 1);
	set_group("second", 0, 0, "first", 1);   /* a cycle: bounded */
	add_member("bob", "second", 1);

	call = queue_call("first", "13800000001");
	run_loop_ms(1500);
	assert_string_equal("second", call->cdr.group);
	assert_int_equal(0, fx->timeouts);

	/* around the cycle until ACD_MAX_OVERFLOWS hops, then timeout */
	run_loop_ms(4000);
	assert_int_equal(1, fx->timeouts);
	assert_int_equal(ETIMEDOUT, fx->timeout_err);
	assert_int_equal(ACD_MAX_OVERFLOWS, call->overflows);

	acd_call_end(call, "timeout", "system", 480);
	mem_deref(call);
}


static void test_reject_delay(void **state)
{
	struct acd_call *call;
	(void)state;

	fx->cfg.reject_delay_s = 2;
	add_group("rd", "longest-idle");
	add_member("alice", "rd", 1);
	reg("alice");

	call = queue_call("rd", "13800000001");
	run_loop_ms(1000);
	assert_int_equal(1, fx->offers);

	/* alice rejects: not offered again for 2 s, then she is */
	acd_call_offer_failed(call, "alice", false);
	run_loop_ms(1200);
	assert_int_equal(1, fx->offers);
	run_loop_ms(3000);
	assert_int_equal(2, fx->offers);
	assert_string_equal("alice", fx->offered[1]);

	mem_deref(call);
}


/* Offer a call of this group and answer it; returns it, talking. */
static struct acd_call *take(const char *group, const char *expect)
{
	struct acd_call *call = queue_call(group, "13800000001");

	run_loop_ms(1000);
	assert_ptr_equal(call, fx->offered_call[(fx->offers - 1) % 8]);
	assert_string_equal(expect, fx->offered[(fx->offers - 1) % 8]);
	acd_call_answered(call, NULL);
	return call;
}


static void done(struct acd_call *call)
{
	acd_call_end(call, "answered", "caller", 0);
	mem_deref(call);
}


/* Members and strategies changed in the store (as the API changes them)
 * apply to the next routing decision, also for a caller who waits. */
static void test_membership_changes(void **state)
{
	struct acd_call *call = NULL;
	struct store_group g;
	(void)state;

	add_group("sales", "longest-idle");
	add_staff("carol", "1003", "sales");
	reg("carol");

	/* nobody of support is logged in: the caller waits ... */
	call = queue_call("support", "13812345678");
	run_loop_ms(100);
	assert_int_equal(0, fx->offers);

	/* ... until carol joins support */
	add_member("carol", "support", 1);
	run_loop_ms(300);
	assert_int_equal(1, fx->offers);
	assert_string_equal("carol", fx->offered[0]);
	acd_call_end(call, "ring-abandoned", "caller", 0);
	call = mem_deref(call);

	/* taken out again, she is not offered support's calls */
	assert_int_equal(0, store_member_delete(fx->st, fx->app, "carol",
						"support"));
	call = queue_call("support", "13812345678");
	run_loop_ms(100);
	assert_int_equal(1, fx->offers);
	acd_call_end(call, "abandoned", "caller", 0);
	call = mem_deref(call);

	/* bob has waited longest, but the group now goes top-down */
	reg("bob");
	run_loop_ms(20);
	reg("alice");
	assert_int_equal(0, store_group_get(fx->st, fx->app, "support", &g));
	str_ncpy(g.strategy, "top-down", sizeof(g.strategy));
	assert_int_equal(0, store_group_update(fx->st, fx->app, &g));

	call = queue_call("support", "13812345678");
	run_loop_ms(300);
	assert_int_equal(2, fx->offers);
	assert_string_equal("alice", fx->offered[1]);
	acd_call_end(call, "ring-abandoned", "caller", 0);
	mem_deref(call);
	assert_int_equal(0, fx->timeouts);
}


static void test_round_robin_per_group(void **state)
{
	struct acd_call *c;
	(void)state;

	add_group("rr", "round-robin");
	add_group("rr2", "round-robin");
	add_staff("carol", "1003", "rr");
	add_member("alice", "rr", 1);
	add_member("bob", "rr", 1);
	add_member("alice", "rr2", 1);
	reg("alice");
	reg("bob");
	reg("carol");

	/* a, b, c, a: the member after the last one offered */
	done(take("rr", "alice"));
	done(take("rr", "bob"));
	done(take("rr", "carol"));
	fx->offers = 0;
	done(take("rr", "alice"));

	/* another group has its own rotation, and does not move this one */
	done(take("rr2", "alice"));
	done(take("rr", "bob"));

	/* the next after bob is carol; with carol busy it is alice */
	c = take("rr", "carol");
	done(take("rr", "alice"));
	done(c);
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
		cmocka_unit_test_setup_teardown(test_status_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reserved_after_call,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_arrange_extend_and_end_early, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_call_out_returns_to_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statuses_survive_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ring_progressively, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_last_agent_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_full_overflow,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_wait_overflow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reject_delay, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_membership_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_robin_per_group,
						setup, teardown),
	};
	int n;

	if (libre_init())
		return 1;
	n = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return n;
}
