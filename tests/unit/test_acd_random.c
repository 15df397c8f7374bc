/**
 * @file test_acd_random.c  ACD state never goes stale: a randomized run
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Many agents and callers, and at every step a random event: a call
 * arrives, an agent answers, rejects or does not answer, a caller hangs up
 * in any state, an agent logs in or out or changes status, time passes
 * (wrap-ups end, max waits expire, overflow, ring-progressively steps).
 * The SIP side is played by a model front end that, like sip/b2bua.c,
 * keeps one leg per agent rung and cancels the others when one answers.
 * After every step the invariants below are checked against the ACD's
 * own state; the seed is printed so that a failure can be replayed
 * (LL_ACD_SEED=n).  Memberships and strategies change too (as the API
 * changes them, through the store), and after every step the routing
 * index (acd/route.c) is compared with a naive recomputation from the
 * store and the agents (testroute.h): the same members free at the same
 * levels with their current keys, and, for every waiting call, the same
 * agent picked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"
#include "testloop.h"
#include "testacd.h"
#include "testroute.h"


enum {
	AGENTS = 12,
	STEPS = 1500,
	MAX_LIVE = 64,
	MAX_LEGS = 256,
};

/* The documented end statuses (docs/API.md, "End statuses") */
static const char *const end_statuses[] = {
	"answered", "abandoned", "ring-abandoned", "ivr-abandoned",
	"ivr-ended", "timeout", "queue-full", "rejected", "cancelled",
	"failed",
};

static const char *const groups[] = {"sales", "support", "vip", "spill"};
static const char *const strategies[] = {
	"longest-idle", "ring-all", "ring-progressively", "round-robin",
	"top-down", "fewest-calls", "least-talk-time", "random",
};

struct leg {
	struct acd_call *call;
	char user_id[STORE_ID_SZ];
};

struct model {
	struct config cfg;
	struct store *st;
	struct acd *acd;
	char app[STORE_ID_SZ];
	struct acd_call *live[MAX_LIVE];
	size_t livec;
	struct leg legs[MAX_LEGS];
	size_t legc;
	unsigned ended;
	unsigned offers;
	unsigned answered;
	unsigned overflowed;
	unsigned picks;            /* index picks compared with the scan */
	unsigned picked;           /* of which an agent, not nobody */
	unsigned admin;            /* membership and strategy changes */
	struct ref_group rg;
};

static struct model *m;


static uint32_t rnd(uint32_t n)
{
	return (uint32_t)random() % n;
}


static void legs_drop_call(const struct acd_call *call)
{
	for (size_t i = 0; i < m->legc;) {
		if (m->legs[i].call == call)
			m->legs[i] = m->legs[--m->legc];
		else
			++i;
	}
}


static void live_remove(struct acd_call *call)
{
	for (size_t i = 0; i < m->livec; i++) {
		if (m->live[i] == call) {
			m->live[i] = m->live[--m->livec];
			break;
		}
	}

	legs_drop_call(call);
}


/* As b2bua's call_end: the ACD writes the CDR, the front end frees. */
static void end_call(struct acd_call *call, const char *status,
		     const char *side)
{
	acd_call_end(call, status, side, 0);
	live_remove(call);
	mem_deref(call);
	++m->ended;
}


static void offer_handler(struct acd_call *call, const char *user_id,
			  const char *contact, uint32_t ring_timeout_s,
			  void *arg)
{
	(void)contact;
	(void)ring_timeout_s;
	(void)arg;

	++m->offers;
	assert_true(m->legc < MAX_LEGS);
	m->legs[m->legc].call = call;
	str_ncpy(m->legs[m->legc].user_id, user_id,
		 sizeof(m->legs[0].user_id));
	++m->legc;
}


static void timeout_handler(struct acd_call *call, int err, void *arg)
{
	(void)arg;

	end_call(call, err == EOVERFLOW ? "queue-full" : "timeout",
		 "system");
}


static void agent_name(char *buf, size_t sz, unsigned i)
{
	(void)re_snprintf(buf, sz, "agent%02u", i);
}


static void provision(void)
{
	struct store_group g;
	char user[16];

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		memset(&g, 0, sizeof(g));
		str_ncpy(g.name, groups[i], sizeof(g.name));
		str_ncpy(g.strategy, strategies[i], sizeof(g.strategy));
		g.ring_timeout_s = 5;
		g.wrapup_s = i % 2;          /* 0 or 1 s of after-call work */
		g.max_wait_s = 1 + i;
		g.ring_step_s = 1;
		g.max_queue_len = 3;
		if (i < 2)                   /* sales, support -> spill */
			str_ncpy(g.overflow_group, "spill",
				 sizeof(g.overflow_group));
		g.last_agent_first = i == 1;
		assert_int_equal(0, store_group_add(m->st, m->app, &g));
	}

	for (unsigned i = 0; i < AGENTS; i++) {
		agent_name(user, sizeof(user), i);

		/* every agent in one or two groups, levels 1..3 */
		testacd_staff_add(m->st, m->app, user, NULL,
				  groups[i % ARRAY_SIZE(groups)], 1 + i % 3);
		if (i % 3 == 0)
			testacd_member_add(m->st, m->app, user,
					   groups[(i + 1) % ARRAY_SIZE(groups)],
					   1 + i % 3);
	}
}


static int setup(void **state)
{
	(void)state;

	m = mem_zalloc(sizeof(*m), NULL);
	config_defaults(&m->cfg);
	log_set_level(LOG_LEVEL_ERROR);

	testacd_store_open(&m->st, m->app, sizeof(m->app));
	provision();

	assert_int_equal(0, acd_alloc(&m->acd, m->st, &m->cfg));

	return 0;
}


static int teardown(void **state)
{
	(void)state;

	while (m->livec)
		end_call(m->live[0], "failed", "system");

	mem_deref(m->acd);
	mem_deref(m->st);
	ref_free(&m->rg);
	m = mem_deref(m);

	return 0;
}


static bool is_live(const struct acd_call *call)
{
	for (size_t i = 0; i < m->livec; i++) {
		if (m->live[i] == call)
			return true;
	}

	return false;
}


static bool leg_exists(const struct acd_call *call, const char *user_id)
{
	for (size_t i = 0; i < m->legc; i++) {
		if (m->legs[i].call == call &&
		    0 == strcmp(m->legs[i].user_id, user_id))
			return true;
	}

	return false;
}


static bool agent_check(struct le *le, void *arg)
{
	const struct acd_agent *ag = le->data;
	const struct acd_call *call = ag->call;
	bool found = false;
	(void)arg;

	/* never busy, or reserved, without a live call */
	if (ag->status == ACD_AGENT_BUSY)
		assert_non_null(call);
	if (!call)
		return false;

	assert_true(is_live(call));
	assert_int_not_equal(ACD_AGENT_OFFLINE, ag->status);

	if (call->agent == ag) {
		assert_int_equal(ACD_CALL_TALKING, call->state);
		return false;
	}

	/* ringing: in the call's ring set, and the front end has a leg */
	assert_int_equal(ACD_CALL_RINGING, call->state);
	for (size_t i = 0; i < call->ringc; i++)
		found |= call->ringv[i] == ag;
	assert_true(found);
	assert_true(leg_exists(call, ag->user_id));

	return false;
}


static void check_invariants(void)
{
	size_t queued = 0, in_groups = 0;

	/* the ACD's calls are exactly the live ones */
	assert_int_equal(m->livec, list_count(&m->acd->calls));

	for (size_t i = 0; i < m->livec; i++) {
		const struct acd_call *call = m->live[i];

		assert_int_not_equal(ACD_CALL_ENDED, call->state);

		switch (call->state) {

		case ACD_CALL_QUEUED:
			/* a waiting caller is in the queue, and in its
			 * group's, and nobody rings */
			assert_non_null(call->qle.list);
			assert_non_null(call->gqle.list);
			assert_string_equal(call->qgrp->name,
					    call->group.name);
			assert_int_equal(0, call->ringc);
			++queued;
			break;

		case ACD_CALL_RINGING:
			assert_null(call->qle.list);
			assert_null(call->gqle.list);
			assert_true(call->ringc >= 1);
			for (size_t j = 0; j < call->ringc; j++)
				assert_ptr_equal(call, call->ringv[j]->call);
			break;

		case ACD_CALL_TALKING:
			assert_null(call->qle.list);
			assert_int_equal(0, call->ringc);
			assert_non_null(call->agent);
			assert_ptr_equal(call, call->agent->call);
			assert_int_equal(ACD_AGENT_BUSY, call->agent->status);
			break;

		default:
			break;
		}
	}

	/* nobody waits in the queue who is not a live, queued call; the
	 * groups' queues hold the same calls */
	assert_int_equal(queued, list_count(&m->acd->queue));
	for (struct le *le = m->acd->waiting.head; le; le = le->next) {
		const struct acd_group *grp = le->data;

		assert_false(list_isempty(&grp->queue));
		in_groups += list_count(&grp->queue);
	}
	assert_int_equal(queued, in_groups);

	/* every front-end leg belongs to an agent the ACD has ringing */
	for (size_t i = 0; i < m->legc; i++) {
		const struct acd_call *call = m->legs[i].call;
		bool found = false;

		assert_true(is_live(call));
		assert_int_equal(ACD_CALL_RINGING, call->state);
		for (size_t j = 0; j < call->ringc; j++)
			found |= 0 == strcmp(call->ringv[j]->user_id,
					     m->legs[i].user_id);
		assert_true(found);
	}

	(void)hash_apply(m->acd->agents, agent_check, NULL);
}


static bool group_check(struct le *le, void *arg)
{
	const struct acd_group *grp = le->data;
	uint64_t *nowp = arg;
	char why[256] = "";
	int err;

	/* as the next decision would: a changed group is loaded again */
	if (grp->stale)
		assert_non_null(acd_route_group(m->acd, grp->app, grp->name));

	err = ref_check_group(&m->rg, m->acd, grp, *nowp, why, sizeof(why));
	if (err)
		fail_msg("routing index: %s", why);

	return false;
}


static bool delayed_check(struct le *le, void *arg)
{
	const struct acd_agent *ag = le->data;
	const uint64_t *nowp = arg;
	bool waits = ag->status == ACD_AGENT_FREE && !ag->call &&
		ag->contact[0] && ag->offer_after > *nowp;

	/* within a delay: among the delayed, and only then */
	assert_int_equal(waits, ag->dle.list != NULL);
	if (ag->routed)
		assert_true(ref_free_now(ag, *nowp));

	return false;
}


/* One pass of the index checks at one instant; false if the clock
 * moved meanwhile (a delay may have ended between the two sides). */
static bool index_check_at(void)
{
	uint64_t now = tmr_jiffies();

	acd_route_promote(m->acd);
	(void)hash_apply(m->acd->agents, delayed_check, &now);
	(void)hash_apply(m->acd->groups, group_check, &now);

	for (size_t i = 0; i < m->livec; i++) {
		struct acd_call *call = m->live[i];
		const struct acd_group *grp;
		struct acd_agent *ag, *ref;
		uint32_t r = (uint32_t)random();
		bool empty, ref_empty;

		if (call->state != ACD_CALL_QUEUED)
			continue;

		ag = acd_route_pick(m->acd, call, r, false, &empty);
		grp = acd_route_group(m->acd, m->app, call->group.name);
		assert_non_null(grp);
		assert_int_equal(0, ref_load(&m->rg, m->st, m->app,
					     call->group.name));
		ref = ref_pick(&m->rg, m->acd, call, grp->strat->name,
			       grp->rr_last, r, now, &ref_empty);
		if (tmr_jiffies() != now)
			return false;

		if (ag != ref || empty != ref_empty)
			fail_msg("call in %s (%s): index picks %s, scan %s",
				 call->group.name, grp->strat->name,
				 ag ? ag->user_id : "nobody",
				 ref ? ref->user_id : "nobody");
		++m->picks;
		m->picked += ag != NULL;
	}

	return tmr_jiffies() == now;
}


static void check_index(void)
{
	for (int i = 0; i < 5 && !index_check_at(); i++)
		;
}


/* What the API does now and then: a member added or taken out, a
 * group's strategy changed.  The ACD learns it from the store. */
static void step_admin(void)
{
	char user[16];
	const char *group = groups[rnd(ARRAY_SIZE(groups))];
	struct store_group g;
	struct store_member mb;
	int err;

	agent_name(user, sizeof(user), rnd(AGENTS));
	++m->admin;

	switch (rnd(3)) {

	case 0:
		memset(&mb, 0, sizeof(mb));
		str_ncpy(mb.user_id, user, sizeof(mb.user_id));
		str_ncpy(mb.group, group, sizeof(mb.group));
		mb.level = 1 + rnd(3);
		err = store_member_add(m->st, m->app, &mb);
		assert_true(err == 0 || err == EEXIST);
		break;

	case 1:
		err = store_member_delete(m->st, m->app, user, group);
		assert_true(err == 0 || err == ENOENT);
		break;

	default:
		assert_int_equal(0, store_group_get(m->st, m->app, group,
						    &g));
		str_ncpy(g.strategy, strategies[rnd(ARRAY_SIZE(strategies))],
			 sizeof(g.strategy));
		assert_int_equal(0, store_group_update(m->st, m->app, &g));
		break;
	}

	acd_dispatch_schedule(m->acd);
}


static void step_new_call(void)
{
	struct acd_call *call = NULL;
	char caller[16];
	int err;

	if (m->livec >= MAX_LIVE)
		return;

	(void)re_snprintf(caller, sizeof(caller), "138000000%02u", rnd(20));
	assert_int_equal(0, acd_call_alloc(&call, m->acd, m->app, true,
					   caller, "4001"));
	m->live[m->livec++] = call;
	acd_call_set_priority(call, (int)rnd(3));

	err = acd_call_queue(call, groups[rnd(3)], offer_handler,
			     timeout_handler, NULL);
	if (err == EOVERFLOW) {
		end_call(call, "queue-full", "system");
		return;
	}
	assert_int_equal(0, err);
	if (call->overflows)
		++m->overflowed;
}


/* An agent rung answers, rejects or lets it ring out. */
static void step_leg(void)
{
	struct leg leg;
	size_t i;

	if (!m->legc)
		return;

	i = rnd((uint32_t)m->legc);
	leg = m->legs[i];
	m->legs[i] = m->legs[--m->legc];

	switch (rnd(3)) {

	case 0:
		acd_call_ringing(leg.call);
		acd_call_answered(leg.call, leg.user_id);
		legs_drop_call(leg.call);     /* the others are cancelled */
		++m->answered;
		break;

	case 1:
		acd_call_offer_failed(leg.call, leg.user_id, false);
		break;

	default:
		acd_call_offer_failed(leg.call, leg.user_id, true);
		break;
	}
}


/* A caller (or the agent, when talking) hangs up, in any state. */
static void step_hangup(void)
{
	struct acd_call *call;

	if (!m->livec)
		return;

	call = m->live[rnd((uint32_t)m->livec)];

	switch (call->state) {

	case ACD_CALL_TALKING:
		end_call(call, "answered", rnd(2) ? "caller" : "agent");
		break;

	case ACD_CALL_RINGING:
		end_call(call, "ring-abandoned", "caller");
		break;

	default:
		end_call(call, "abandoned", "caller");
		break;
	}
}


static void step_agent(void)
{
	static const enum acd_agent_status wanted[] = {
		ACD_AGENT_FREE, ACD_AGENT_NOTREADY, ACD_AGENT_REST,
		ACD_AGENT_ARRANGE,
	};
	char user[16];
	int err;

	agent_name(user, sizeof(user), rnd(AGENTS));

	switch (rnd(4)) {

	case 0:
		assert_int_equal(0, acd_agent_register(m->acd, m->app, user,
						       "sip:a@127.0.0.1:5070",
						       "udp", NULL, 60));
		break;

	case 1:
		if (rnd(4) == 0)
			assert_int_equal(0, acd_agent_unregister(m->acd,
								 m->app,
								 user));
		break;

	default:
		err = acd_agent_status_request(m->acd, m->app, user,
					       wanted[rnd(4)], "lunch",
					       1 + rnd(2), rnd(2),
					       "agent", NULL);
		assert_true(err == 0 || err == ENOTCONN || err == EINVAL);
		break;
	}
}


struct cdr_check {
	unsigned n;
};


static void cdr_handler(const struct store_cdr *c, void *arg)
{
	struct cdr_check *cc = arg;
	bool known = false;

	++cc->n;
	for (size_t i = 0; i < ARRAY_SIZE(end_statuses); i++)
		known |= 0 == strcmp(c->end_status, end_statuses[i]);
	assert_true(known);

	/* an answered call names its agent and was answered in time */
	if (0 == strcmp(c->end_status, "answered")) {
		assert_true(c->agent[0] != '\0');
		assert_true(c->answered_ms >= c->offered_ms);
		assert_true(c->ended_ms >= c->answered_ms);
	}
	else {
		assert_int_equal(0, c->answered_ms);
	}
}


static void test_random_run(void **state)
{
	struct cdr_check cc = {0};
	const char *env = getenv("LL_ACD_SEED");
	unsigned seed = env ? (unsigned)atoi(env) : (unsigned)time(NULL);
	(void)state;

	print_message("seed %u (LL_ACD_SEED=%u replays it)\n", seed, seed);
	srandom(seed);

	for (unsigned step = 0; step < STEPS; step++) {
		uint32_t r = rnd(100);

		if (r < 25)
			step_new_call();
		else if (r < 55)
			step_leg();
		else if (r < 70)
			step_hangup();
		else if (r < 87)
			step_agent();
		else if (r < 90)
			step_admin();
		else
			run_loop_ms(1 + rnd(40));

		/* before the dispatcher offers the calls that now have a
		 * free agent, and after */
		check_index();

		/* the dispatcher runs from a zero timer: let it */
		run_loop_ms(0);
		check_invariants();
		check_index();
	}

	/* everyone hangs up: nothing is left behind */
	while (m->livec) {
		end_call(m->live[0], m->live[0]->state == ACD_CALL_TALKING ?
			 "answered" : "abandoned", "caller");
		run_loop_ms(0);
		check_invariants();
	}

	assert_int_equal(0, list_count(&m->acd->queue));
	assert_int_equal(0, m->legc);

	/* exactly one CDR per call, each with a documented status */
	assert_int_equal(0, store_cdr_list(m->st, m->app, 100000, cdr_handler,
					   &cc));
	assert_int_equal(m->ended, cc.n);

	print_message("%u calls, %u offers, %u answered, %u overflowed\n",
		      m->ended, m->offers, m->answered, m->overflowed);
	print_message("%u routing picks compared with the scan (%u of an "
		      "agent), %u membership or strategy changes\n",
		      m->picks, m->picked, m->admin);
	assert_true(m->answered > 0);
	assert_true(m->picks > 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_run, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("acd_random", tests, NULL, NULL);
}
