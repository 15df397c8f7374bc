/**
 * @file acd/strategy.c  How a skill group picks among its free agents
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One table of named strategies, built from ACD_STRATEGIES in acd.h; a
 * skill group names one of them.  route.c keeps the free members of each
 * skill level sorted in the strategy's order and has already chosen the
 * lowest level that has a free agent, so a strategy only picks within
 * it, in O(log n): most take the first member the call has not tried.
 */
#include <string.h>
#include <re.h>
#include "store/store.h"
#include "acd/acd.h"
#include "acd/acdint.h"


/*
 * Each handler picks in the order route.c keeps the level in, named by
 * <handler>_order; ring-all rings in user id order whatever its handler.
 */
enum {
	acd_longest_idle_order    = ACD_ORDER_IDLE,
	acd_round_robin_order     = ACD_ORDER_USER,
	acd_top_down_order        = ACD_ORDER_USER,
	acd_fewest_calls_order    = ACD_ORDER_CALLS,
	acd_least_talk_time_order = ACD_ORDER_TALK,
	acd_random_order          = ACD_ORDER_USER,
};


/*
 * The first in the level's order: longest-idle (the agent who has
 * waited longest since their last call), top-down (the first in member
 * order, every time), fewest-calls and least-talk-time (the fewest calls
 * answered, or the least talk time, since the server started; among
 * equals the longest idle, so that a tie does not always favour the
 * first agent in member order).
 */
static struct acd_agent *first(const struct acd_route *rt,
			       const struct acd_call *call, uint32_t rnd,
			       bool commit)
{
	(void)rnd;
	(void)commit;

	return acd_route_first(rt, call, 0);
}


#define acd_longest_idle    first
#define acd_top_down        first
#define acd_fewest_calls    first
#define acd_least_talk_time first


/*
 * Each group remembers whom it offered last and goes on with the next
 * member after them (members are in user id order), skipping those who
 * are not free now and wrapping round.
 */
static struct acd_agent *acd_round_robin(const struct acd_route *rt,
					 const struct acd_call *call,
					 uint32_t rnd, bool commit)
{
	const struct acd_member *next;
	struct acd_member probe;
	struct acd_agent *ag = NULL;
	uint32_t from;
	bool found;
	(void)rnd;

	memset(&probe, 0, sizeof(probe));
	str_ncpy(probe.user_id, rt->grp->rr_last, sizeof(probe.user_id));

	/* Usually the next one has not been tried: one descent. */
	next = (const void *)otree_after(rt->lvl, &probe.node);
	if (next && (rt->use_tried ||
		     !acd_call_tried(call, next->user_id)))
		ag = next->ag;

	if (!ag) {
		from = otree_rank(rt->lvl, &probe.node, &found);
		ag = acd_route_first(rt, call, from + (found ? 1 : 0));
	}
	if (!ag)
		ag = acd_route_first(rt, call, 0);

	if (ag && commit)
		str_ncpy(rt->grp->rr_last, ag->user_id,
			 sizeof(rt->grp->rr_last));

	return ag;
}


/* Any free agent: the rnd-th of those not tried, in member order. */
static struct acd_agent *acd_random(const struct acd_route *rt,
				    const struct acd_call *call,
				    uint32_t rnd, bool commit)
{
	(void)commit;

	return acd_route_nth(rt, call, rnd, true);
}


#define STRATEGY_ENTRY(name, h, ring)                                  \
	{name, h, ring, ring == ACD_RING_ALL ? ACD_ORDER_USER : h##_order},

static const struct acd_strategy strategies[] = {
	ACD_STRATEGIES(STRATEGY_ENTRY)
};


/**
 * Find a strategy by name; an unknown or empty name gives longest-idle.
 */
const struct acd_strategy *acd_strategy_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(strategies); i++) {
		if (0 == strcmp(name, strategies[i].name))
			return &strategies[i];
	}

	return &strategies[0];
}
