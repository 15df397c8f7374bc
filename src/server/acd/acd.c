/**
 * @file acd/acd.c  The ACD object, its housekeeping tick and live status
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "common/log.h"
#include "store/store.h"
#include "config.h"
#include "acd/acd.h"
#include "acd/acdint.h"


enum {
	TICK_MS = 1000,
	RETENTION_PERIOD_S = 60,
	AGENT_HASH_SIZE = 4096,    /* a large site has 10,000s of agents */
};


static void destructor(void *arg)
{
	struct acd *acd = arg;

	tmr_cancel(&acd->dispatch_tmr);
	tmr_cancel(&acd->tick_tmr);

	/* Calls belong to the SIP front end, which ends them first. */
	list_clear(&acd->queue);
	list_clear(&acd->calls);
	hash_flush(acd->agents);
	mem_deref(acd->agents);
	if (acd->groups)
		acd_route_close(acd);
	mem_deref(acd->st);
}


/*
 * CDR retention: delete the CDRs past their application's retention.
 * Only a count is logged, never what the rows held.
 */
static void retention_run(struct acd *acd, int64_t now)
{
	uint32_t n = 0;
	int err;

	acd->retention_last = now;

	err = store_cdr_expire(acd->st, NULL, (int64_t)acd_now_ms(), &n);
	if (err)
		log_warn("acd: CDR retention: %m", err);
	else if (n)
		log_info("acd: CDR retention: %u expired CDRs deleted", n);
}


/*
 * Once a second:
 *  - agents whose registration expired go offline;
 *  - expired login tokens, SIP credentials, registrations and number
 *    references are deleted from the store;
 *  - every RETENTION_PERIOD_S (and at start-up, in acd_alloc, so that a
 *    restart never skips it) CDRs past their retention are deleted.
 */
static void tick_handler(void *arg)
{
	struct acd *acd = arg;
	int64_t now = (int64_t)time(NULL);

	acd_agents_expire(acd, now);

	/* reject and no-answer delays end on this tick */
	if (acd->queue.head)
		acd_dispatch_schedule(acd);
	(void)store_expire(acd->st, now);

	if (now - acd->retention_last >= RETENTION_PERIOD_S ||
	    now < acd->retention_last)
		retention_run(acd, now);

	tmr_start(&acd->tick_tmr, TICK_MS, tick_handler, acd);
}


/**
 * Allocate the ACD and load the registrations that survived a restart.
 *
 * @param acdp  Returned ACD
 * @param st    Store
 * @param cfg   Configuration (must outlive the ACD)
 *
 * @return 0 if success, otherwise errorcode
 */
int acd_alloc(struct acd **acdp, struct store *st, const struct config *cfg)
{
	struct acd *acd;
	int err;

	if (!acdp || !st || !cfg)
		return EINVAL;

	acd = mem_zalloc(sizeof(*acd), destructor);
	if (!acd)
		return ENOMEM;

	acd->st = mem_ref(st);
	acd->cfg = cfg;
	list_init(&acd->calls);
	list_init(&acd->queue);
	tmr_init(&acd->dispatch_tmr);
	tmr_init(&acd->tick_tmr);

	err = hash_alloc(&acd->agents, AGENT_HASH_SIZE);
	if (!err)
		err = acd_route_init(acd);
	if (err)
		goto out;

	/* Statuses first, so that a registration finds an agent's status
	 * (rest, notReady) and keeps it; then settle what the restart
	 * ended (calls, wrap-ups, registrations that ran out). */
	err = acd_agents_restore(acd);
	if (err)
		goto out;

	err = acd_agents_load(acd);
	if (err)
		goto out;

	acd_agents_settle_restored(acd);

	retention_run(acd, (int64_t)time(NULL));

	tmr_start(&acd->tick_tmr, TICK_MS, tick_handler, acd);

 out:
	if (err)
		mem_deref(acd);
	else
		*acdp = acd;

	return err;
}


/**
 * Print the live status of one application: {"agents":[..],"calls":[..]}.
 * Its signature is the API's status handler; arg is the ACD.
 */
int acd_status_print(struct re_printf *pf, const char *app, void *arg)
{
	const struct acd *acd = arg;
	int err;

	if (!pf || !app || !acd)
		return EINVAL;

	err = re_hprintf(pf, "{");
	err |= acd_agents_print(pf, acd, app);
	err |= re_hprintf(pf, ",");
	err |= acd_calls_print(pf, acd, app);
	err |= re_hprintf(pf, "}");

	return err;
}
