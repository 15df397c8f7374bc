/**
 * @file acd/strategy.c  How a skill group picks among its free agents
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One table of named strategies, built from ACD_STRATEGIES in acd.h; a
 * skill group names one of them.  Candidates come in the store's member
 * order (by user id) and are already narrowed to the lowest skill level
 * that has a free agent, so a strategy only chooses within a level.
 */
#include <string.h>
#include <re.h>
#include "store/store.h"
#include "acd/acd.h"
#include "acd/acdint.h"


/* The agent who has waited longest since their last call (fairness). */
static struct acd_agent *acd_longest_idle(struct acd *acd,
					  struct acd_agent **candv,
					  size_t candc)
{
	struct acd_agent *best = NULL;
	(void)acd;

	for (size_t i = 0; i < candc; i++) {
		if (!best || candv[i]->idle_since < best->idle_since)
			best = candv[i];
	}

	return best;
}


/* Candidates come in the store's stable member order; rotate over it. */
static struct acd_agent *acd_round_robin(struct acd *acd,
					 struct acd_agent **candv,
					 size_t candc)
{
	if (!candc)
		return NULL;

	return candv[acd->rr_next++ % candc];
}


/* Sequential: the first free agent in member order, every time. */
static struct acd_agent *acd_top_down(struct acd *acd,
				      struct acd_agent **candv, size_t candc)
{
	(void)acd;

	return candc ? candv[0] : NULL;
}


/*
 * Pick the agent with the lowest key; among equals the longest idle, so
 * that a tie does not always favour the first agent in member order.
 */
static struct acd_agent *lowest(struct acd_agent **candv, size_t candc,
				uint64_t (*keyh)(const struct acd_agent *))
{
	struct acd_agent *best = NULL;
	uint64_t bestk = 0;

	for (size_t i = 0; i < candc; i++) {
		uint64_t k = keyh(candv[i]);

		if (!best || k < bestk ||
		    (k == bestk && candv[i]->idle_since < best->idle_since)) {
			best = candv[i];
			bestk = k;
		}
	}

	return best;
}


static uint64_t answered_key(const struct acd_agent *ag)
{
	return ag->answered;
}


static uint64_t talk_key(const struct acd_agent *ag)
{
	return ag->talk_ms;
}


/* Fewest answered calls since the server started. */
static struct acd_agent *acd_fewest_calls(struct acd *acd,
					  struct acd_agent **candv,
					  size_t candc)
{
	(void)acd;

	return lowest(candv, candc, answered_key);
}


/* Least talk time since the server started (calls that ended). */
static struct acd_agent *acd_least_talk_time(struct acd *acd,
					     struct acd_agent **candv,
					     size_t candc)
{
	(void)acd;

	return lowest(candv, candc, talk_key);
}


static struct acd_agent *acd_random(struct acd *acd,
				    struct acd_agent **candv, size_t candc)
{
	(void)acd;

	if (!candc)
		return NULL;

	return candv[rand_u32() % candc];
}


#define STRATEGY_ENTRY(name, h, ring) {name, h, ring},

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
