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
					  const struct acd_call *call,
					  struct acd_agent **candv,
					  size_t candc)
{
	struct acd_agent *best = NULL;
	(void)acd;
	(void)call;

	for (size_t i = 0; i < candc; i++) {
		if (!best || candv[i]->idle_since < best->idle_since)
			best = candv[i];
	}

	return best;
}


static bool rr_cmp_handler(struct le *le, void *arg)
{
	const struct acd_rr *rr = le->data;
	const struct acd_call *call = arg;

	return 0 == strcmp(rr->app, call->cdr.sdk_app_id) &&
		0 == strcmp(rr->group, call->group.name);
}


static struct acd_rr *rr_state(struct acd *acd, const struct acd_call *call)
{
	uint32_t key = hash_joaat_str(call->cdr.sdk_app_id) ^
		hash_joaat_str(call->group.name);
	struct acd_rr *rr;
	struct le *le;

	le = hash_lookup(acd->rr, key, rr_cmp_handler, (void *)call);
	if (le)
		return le->data;

	rr = mem_zalloc(sizeof(*rr), NULL);
	if (!rr)
		return NULL;

	str_ncpy(rr->app, call->cdr.sdk_app_id, sizeof(rr->app));
	str_ncpy(rr->group, call->group.name, sizeof(rr->group));
	hash_append(acd->rr, key, &rr->he, rr);

	return rr;
}


/*
 * Each group remembers whom it offered last and goes on with the next
 * member after them (members are in user id order), skipping those who
 * are not free now and wrapping round.
 */
static struct acd_agent *acd_round_robin(struct acd *acd,
					 const struct acd_call *call,
					 struct acd_agent **candv,
					 size_t candc)
{
	struct acd_agent *ag = NULL;
	struct acd_rr *rr;

	if (!candc)
		return NULL;

	rr = rr_state(acd, call);
	if (!rr)
		return candv[0];

	for (size_t i = 0; i < candc && !ag; i++) {
		if (strcmp(candv[i]->user_id, rr->last) > 0)
			ag = candv[i];
	}
	if (!ag)
		ag = candv[0];

	str_ncpy(rr->last, ag->user_id, sizeof(rr->last));

	return ag;
}


/* Sequential: the first free agent in member order, every time. */
static struct acd_agent *acd_top_down(struct acd *acd,
				      const struct acd_call *call,
				      struct acd_agent **candv, size_t candc)
{
	(void)acd;
	(void)call;

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
					  const struct acd_call *call,
					  struct acd_agent **candv,
					  size_t candc)
{
	(void)acd;
	(void)call;

	return lowest(candv, candc, answered_key);
}


/* Least talk time since the server started (calls that ended). */
static struct acd_agent *acd_least_talk_time(struct acd *acd,
					     const struct acd_call *call,
					     struct acd_agent **candv,
					     size_t candc)
{
	(void)acd;
	(void)call;

	return lowest(candv, candc, talk_key);
}


static struct acd_agent *acd_random(struct acd *acd,
				    const struct acd_call *call,
				    struct acd_agent **candv, size_t candc)
{
	(void)acd;
	(void)call;

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
