/**
 * @file acd/strategy.c  How a skill group picks among its free agents
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * One table of named strategies; a skill group names one of them.
 */
#include <string.h>
#include <re.h>
#include "store/store.h"
#include "acd/acd.h"
#include "acd/acdint.h"


/* The agent who has waited longest since their last call (fairness). */
static struct acd_agent *longest_idle(struct acd *acd,
				      struct acd_agent **candv, size_t candc)
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
static struct acd_agent *round_robin(struct acd *acd,
				     struct acd_agent **candv, size_t candc)
{
	if (!candc)
		return NULL;

	return candv[acd->rr_next++ % candc];
}


static struct acd_agent *random_agent(struct acd *acd,
				      struct acd_agent **candv, size_t candc)
{
	(void)acd;

	if (!candc)
		return NULL;

	return candv[rand_u32() % candc];
}


static const struct acd_strategy strategies[] = {
	{"longest-idle", longest_idle},
	{"round-robin",  round_robin},
	{"random",       random_agent},
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
